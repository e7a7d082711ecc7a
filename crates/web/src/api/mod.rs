//! The JSON API under `/api/v1/`, described by the OpenAPI document at `/api/openapi.json`.

pub mod assets;
pub mod audit;
pub mod classification;
pub mod dates;
pub mod pagination;
pub mod policies;
pub mod risks;
pub mod session;
pub mod threats;
pub mod users;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::error::AppError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mamori API",
        description = "Information-security management for Japanese local assemblies. \
                       Errors are `{\"error\": {\"code\", \"message\"}}`; messages follow \
                       Accept-Language (ja by default, en).",
    ),
    paths(
        health,
        api_index,
        dates::list_eras,
        dates::parse_date,
        audit::list,
        assets::list_assets,
        assets::get_asset,
        assets::create_asset,
        risks::list_risks,
        risks::get_risk,
        risks::create_risk,
        risks::list_analyses,
        risks::get_analysis,
        session::start,
        session::end,
        session::me,
        session::list_tokens,
        session::create_token,
        session::revoke_token,
        users::list_users,
        users::create_user_api,
        users::get_user,
        users::update_user,
        policies::list_policies,
        policies::get_policy,
        policies::import_policy,
        policies::publish_version,
        policies::acknowledge,
        classification::get_classification,
        threats::list_threats,
        threats::get_threat,
        threats::create_threat,
        threats::update_threat,
        threats::get_risk_matrix,
    ),
    components(schemas(
        Health,
        ApiIndex,
        ErrorBody,
        ErrorDetail,
        dates::EraOut,
        dates::EraPage,
        dates::ParsedDate,
        audit::AuditEntryOut,
        assets::AssetOut,
        assets::AssetPage,
        assets::AssetIn,
        risks::RiskOut,
        risks::RiskPage,
        risks::RiskIn,
        risks::ScaleIn,
        risks::AssessmentOut,
        risks::RiskAssetOut,
        risks::AnalysisOut,
        risks::AnalysisPage,
        risks::AnalysisDetail,
        risks::SnapshotRiskOut,
        audit::AuditPage,
        session::SessionRequest,
        session::SessionStarted,
        session::Me,
        session::TokenOut,
        session::TokenCreated,
        session::TokenRequest,
        users::UserOut,
        users::UserPage,
        users::NewUserIn,
        users::UserPatch,
        policies::PolicyOut,
        policies::PolicyPage,
        policies::VersionOut,
        policies::PolicyDetail,
        policies::ImportIn,
        policies::ImportOut,
        policies::WarningOut,
        policies::AcknowledgeIn,
        policies::AcknowledgementOut,
        classification::ClassificationOut,
        classification::LevelOut,
        threats::ThreatOut,
        threats::ThreatList,
        threats::NewThreatIn,
        threats::ThreatPatch,
        threats::MatrixLevelOut,
        threats::RiskMatrixOut,
    ))
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
    match state.store.schema_version().await {
        Ok(schema_version) => Json(Health {
            status: "ok",
            schema_version,
            backend: state.store.backend().name(),
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

pub async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Err(_) => AppError::internal().into_response(),
    }
}
