//! The JSON API under `/api/v1/`, described by the OpenAPI document at `/api/openapi.json`.

pub mod approvals;
pub mod asset_import_records;
pub mod asset_imports;
pub mod assets;
pub mod audit;
pub mod audit_anchor;
pub mod audit_checks;
pub mod awareness;
pub mod backups;
pub mod classification;
pub mod codes;
pub mod continuity;
pub mod cycle;
pub mod dates;
pub mod document;
pub mod exceptions;
pub mod files;
pub mod glossary;
pub mod help;
pub mod home;
pub mod incident_links;
pub mod incident_reports;
pub mod incidents;
pub mod notifications;
pub mod organisation;
pub mod pledges;
pub mod policies;
pub mod policy_drafts;
pub mod response_plan;
pub mod retention;
pub mod risks;
pub mod security;
pub mod session;
pub mod term_changes;
pub mod threats;
pub mod training;
pub mod training_report;
pub mod users;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::http::error::AppError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mamori API",
        description = "Information-security management for Japanese local assemblies. \
                       Errors are `{\"error\": {\"code\", \"message\"}}`; messages follow \
                       Accept-Language (ja by default, en). Every POST that creates or \
                       decides accepts an `Idempotency-Key` header (1–128 visible ASCII \
                       characters, e.g. a UUID): the same key from the same user on the \
                       same path answers with the first response (status and body, marked \
                       `Idempotent-Replayed: true`) without running again; while the first \
                       is still running the second waits for it, or gets 409 \
                       `already_being_processed`; the same key on another path is 422 \
                       `idempotency_key_reused`. A refused request (4xx, 5xx) frees its key. \
                       Keys are kept for a day.",
    ),
    paths(health, api_index,),
    components(schemas(Health, ApiIndex, ErrorBody, ErrorDetail, FieldError,))
)]
pub struct ApiDoc;

/// The error envelope of every failed API call.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable, e.g. `not_found`, `invalid_date`.
    pub code: String,
    /// Human-readable, in the caller's language.
    pub message: String,
    /// Each refused field, when the input was refused field by field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldError>>,
}

/// One refused field of an input.
#[derive(Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name in the request, e.g. `due_on`.
    pub field: String,
    /// Why it was refused, in the caller's language.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub schema_version: i64,
    pub backend: &'static str,
    pub version: &'static str,
}

/// Liveness and schema version; 503 when the database does not answer.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Response {
    match state.app.schema_version().await {
        Ok(schema_version) => Json(Health {
            status: "ok",
            schema_version,
            backend: state.app.backend().name(),
            version: env!("CARGO_PKG_VERSION"),
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "error": {"code": "database_unavailable", "message": "database unavailable"}
                })),
            )
                .into_response()
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiIndex {
    pub api: &'static str,
    pub version: &'static str,
    pub openapi: &'static str,
}

/// Where the API description lives.
#[utoipa::path(get, path = "/api/v1", tag = "system", responses((status = 200, body = ApiIndex)))]
pub async fn api_index() -> Json<ApiIndex> {
    Json(ApiIndex {
        api: "v1",
        version: env!("CARGO_PKG_VERSION"),
        openapi: "/api/openapi.json",
    })
}

/// The whole document: the system part here, merged with each area's.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for part in parts() {
        doc.merge(part);
    }
    doc.components
        .get_or_insert_with(Default::default)
        .schemas
        .extend(codes::all());
    document_idempotency_key(&mut doc);
    document::document_security(&mut doc);
    document::document_common_errors(&mut doc);
    doc
}

/// Schema names that two areas give to different schemas: merging keeps only the first,
/// so the other area's operations would be described by a stranger's schema.
pub fn clashing_schema_names() -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for part in std::iter::once(ApiDoc::openapi()).chain(parts()) {
        for (name, schema) in part.components.iter().flat_map(|c| &c.schemas) {
            let json = serde_json::to_string(schema).unwrap_or_default();
            match seen.get(name) {
                Some(earlier) if *earlier != json => clashes.push(name.clone()),
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), json);
                }
            }
        }
    }
    clashes
}

fn parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        dates::Doc::openapi(),
        audit::Doc::openapi(),
        audit_checks::Doc::openapi(),
        audit_anchor::Doc::openapi(),
        backups::Doc::openapi(),
        session::Doc::openapi(),
        users::Doc::openapi(),
        security::Doc::openapi(),
        policies::Doc::openapi(),
        policy_drafts::Doc::openapi(),
        assets::Doc::openapi(),
        asset_imports::Doc::openapi(),
        asset_import_records::Doc::openapi(),
        classification::Doc::openapi(),
        threats::Doc::openapi(),
        risks::Doc::openapi(),
        notifications::Doc::openapi(),
        approvals::Doc::openapi(),
        exceptions::Doc::openapi(),
        awareness::Doc::openapi(),
        training::Doc::openapi(),
        training_report::Doc::openapi(),
        retention::Doc::openapi(),
        organisation::Doc::openapi(),
        cycle::Doc::openapi(),
        files::Doc::openapi(),
        glossary::Doc::openapi(),
        help::Doc::openapi(),
        home::Doc::openapi(),
        pledges::Doc::openapi(),
        response_plan::Doc::openapi(),
        term_changes::Doc::openapi(),
        incidents::Doc::openapi(),
        incident_links::Doc::openapi(),
        incident_reports::Doc::openapi(),
        continuity::Doc::openapi(),
    ]
}

/// Names the `Idempotency-Key` header (see `http::once`) on every POST of a signed-in
/// user: all but signing in.
fn document_idempotency_key(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    for (path, item) in doc.paths.paths.iter_mut() {
        let Some(operation) = item.post.as_mut().filter(|_| path != "/api/v1/session") else {
            continue;
        };
        let parameter = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "A key of the client's choosing for this one request: sent again (a retry), \
                 it answers with the first response instead of running twice.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(mamori_domain::once::MAX_LEN)),
            ))
            .build();
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(parameter.into());
    }
}

pub async fn openapi() -> Response {
    match document().to_json() {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Err(_) => AppError::internal().into_response(),
    }
}

/// A 201 answer with `body` and the new record's address in `Location`.
pub(crate) fn created<T: serde::Serialize>(body: T, location: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (axum::http::StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(location) = axum::http::HeaderValue::from_str(location) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}
