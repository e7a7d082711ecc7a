//! The asset register over the API, on the same use cases as the pages
//! (`mamori_app::assets`): list, read, register, update, reclassify with a reason,
//! lifecycle records and their decisions.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::Failure;
use mamori_app::assets::{AssetInput, AssetRecord};
use mamori_domain::classification::Scheme;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::forms::parse_id;
use crate::pages::assets::{ListParams, field_key};
use crate::state::AppState;

/// An information asset. Levels are given by their codes in the active scheme.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `infrastructure` (ア), `information` (イ) or `system_document` (ウ).
    pub category: String,
    /// `electronic`, `paper` or `both`.
    pub form: String,
    /// `member` or `secretariat`.
    pub holder_type: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub managing_role: Option<String>,
    pub location: String,
    /// `core`, `lgwan`, `internet` or `none`.
    pub segment: String,
    #[schema(example = "2")]
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    /// `permanent`, `5y`, `under_1y`, `term` or `contract`.
    pub retention: Option<String>,
    /// ISO 8601 date.
    pub disposal_due: Option<String>,
    /// `in_use`, `archived` or `disposed`.
    pub status: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub clauses: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn code(scheme: &Scheme, id: i64) -> String {
    scheme.level(id).map(|l| l.code.clone()).unwrap_or_default()
}

fn out(scheme: &Scheme, a: AssetRecord) -> AssetOut {
    AssetOut {
        id: a.id,
        category: a.category.as_str().to_owned(),
        form: a.form.as_str().to_owned(),
        holder_type: a.holder_type.as_str().to_owned(),
        managing_role: a.managing_role.map(|r| r.as_str().to_owned()),
        segment: a.segment.as_str().to_owned(),
        confidentiality: code(scheme, a.confidentiality_id),
        integrity: code(scheme, a.integrity_id),
        availability: code(scheme, a.availability_id),
        retention: a.retention.map(|r| r.code()),
        status: a.status.as_str().to_owned(),
        name: a.name,
        description: a.description,
        holder_id: a.holder_id,
        holder_name: a.holder_name,
        location: a.location,
        disposal_due: a.disposal_due.map(mamori_app::date_text),
        notes: a.notes,
        tags: a.tags,
        clauses: a.clauses,
        created_at: mamori_app::timestamp_text(a.created_at),
        updated_at: mamori_app::timestamp_text(a.updated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssetPage {
    pub items: Vec<AssetOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists the assets the caller may see, filtered, searched and paged. Assets at the
/// highest confidentiality level appear only for their holder, the security officer
/// and the auditor.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(ListParams),
    responses((status = 200, body = AssetPage), (status = 400, body = crate::api::ErrorBody)))]
pub async fn list_assets(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<AssetPage>, AppError> {
    let acting = &signed.0.acting;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let (request, page) = params.request(&scheme)?;
    let found = mamori_app::assets::list(&state.app, acting, &request).await?;
    Ok(Json(AssetPage {
        items: found.assets.into_iter().map(|a| out(&scheme, a)).collect(),
        total: found.total.max(0) as u64,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One asset (404 also for one the caller may not know of).
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path)),
    responses((status = 200, body = AssetOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_asset(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AssetOut>, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let asset = mamori_app::assets::get(&state.app, acting, id).await?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    Ok(Json(out(&scheme, asset)))
}

/// A new asset: every field as text, as on the form. Values may be codes
/// (`information`) or the words registers use (`イ`); levels by code or name.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetIn {
    #[schema(example = "本会議会議録（令和7年）")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[schema(example = "information")]
    pub category: String,
    #[schema(example = "both")]
    pub form: String,
    #[schema(example = "secretariat")]
    pub holder_type: String,
    /// A user's id, login id or full name.
    #[serde(default)]
    pub holder: String,
    #[serde(default)]
    pub managing_role: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub segment: String,
    #[schema(example = "2")]
    pub confidentiality: String,
    #[schema(example = "2")]
    pub integrity: String,
    #[schema(example = "1")]
    pub availability: String,
    #[serde(default)]
    #[schema(example = "5年")]
    pub retention: String,
    #[serde(default)]
    pub disposal_due: String,
    #[serde(default)]
    pub status: String,
    /// Comma separated.
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub notes: String,
    /// Clause references, comma separated: "6(2), 2(3)".
    #[serde(default)]
    pub clauses: String,
    /// Clause 2(3): set to the kind (`gazette`, `white_paper`, `newspaper`, `magazine`,
    /// `book`) for a publicly sold publication, which is refused; empty or `no` otherwise.
    #[serde(default)]
    pub publication: String,
}

impl From<AssetIn> for AssetInput {
    fn from(i: AssetIn) -> AssetInput {
        AssetInput {
            name: i.name,
            description: i.description,
            category: i.category,
            form: i.form,
            holder_type: i.holder_type,
            holder: i.holder,
            managing_role: i.managing_role,
            location: i.location,
            segment: i.segment,
            confidentiality: i.confidentiality,
            integrity: i.integrity,
            availability: i.availability,
            retention: i.retention,
            disposal_due: i.disposal_due,
            status: i.status,
            tags: i.tags,
            notes: i.notes,
            clauses: i.clauses,
            publication: i.publication,
        }
    }
}

/// Registers an asset. 422 `validation_failed` names every refused field.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = AssetIn,
    responses((status = 201, body = AssetOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn create_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    permit_edit(&state, &signed, "assets.create").await?;
    let ApiJson(input) =
        <ApiJson<AssetIn> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let input = AssetInput::from(input);
    let asset = mamori_app::assets::register(&state.app, acting, &input)
        .await
        .map_err(|f| invalid(f, &ctx))?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let id = asset.id;
    let mut response = (StatusCode::CREATED, Json(out(&scheme, asset))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/assets/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    use mamori_domain::access::{Act, Register};
    state
        .app
        .permit(&signed.0.acting, Register::Assets, Act::Edit, what)
        .await?;
    Ok(())
}

/// A refused input as the API's 422 `validation_failed`: the message names every field
/// in the caller's language, and `fields` lists them.
fn invalid(failure: Failure, ctx: &Ctx) -> AppError {
    let Failure::Invalid(problems) = failure else {
        return failure.into();
    };
    let tr = ctx.tr;
    let detail = problems
        .iter()
        .map(|p| format!("{}：{}", tr.t(field_key(p.field)), tr.f(p.key, &p.params)))
        .collect::<Vec<_>>()
        .join(" ");
    AppError {
        fields: problems,
        ..AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "asset.error.validation",
        )
        .with("detail", detail)
    }
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_assets, get_asset, create_asset),
    components(schemas(AssetOut, AssetPage, AssetIn))
)]
pub struct Doc;
