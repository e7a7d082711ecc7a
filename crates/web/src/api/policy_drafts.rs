//! Policy drafts over the API: reading a file (plain text, Word .docx or an HTML page
//! saved from a 例規集 system) into a clause tree before it is stored, and withdrawing
//! (取下げ) a draft never approved. Shells over `mamori_app::policies`, as the pages.

use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use mamori_app::policies;
use mamori_domain::access::{Act, Register};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::policies::{VersionOut, tree_json};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::params::policies::policy_error;
use crate::state::AppState;

/// What a file reads as: its text (to send to `POST /api/v1/policies/import` as `text`)
/// and the clause tree it gives.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOut {
    /// The text as read (from Word or HTML: the paragraphs, one a line).
    pub text: String,
    /// The clause tree (see `VersionDetail.tree`), with `contents` (目次) and
    /// `unplaced` (every line outside the clauses, with its fate).
    #[schema(value_type = Object)]
    pub tree: serde_json::Value,
}

/// Reads a policy file sent as the request body — plain text (UTF-8 or Shift_JIS),
/// a Word .docx, or an HTML page saved from a 例規集 system, told apart by content — and
/// returns its text and clause tree. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/policies/import/preview", tag = "policies",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file's bytes"),
    responses(
        (status = 200, body = PreviewOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`invalid_policy_text`: empty, not readable, no clause numbering"),
    ))]
pub async fn preview_import(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<PreviewOut>, AppError> {
    let acting = &signed.0.acting;
    // The body is read only for those who may import.
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.edit")
        .await?;
    let bytes = to_bytes(request.into_body(), crate::BODY_LIMIT)
        .await
        .map_err(|_| {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "policy.error.too_large",
            )
        })?;
    let (text, parsed) = policies::preview_import(&state.app, acting, Some(&bytes), "")
        .await
        .map_err(policy_error)?;
    Ok(Json(PreviewOut {
        text,
        tree: tree_json(&parsed)?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WithdrawIn {
    /// Why the draft is withdrawn, e.g. "誤って取り込んだため".
    pub reason: String,
}

/// Withdraws (取下げ) a draft never approved, with a reason. The version stays in the
/// history as `withdrawn` and can no longer be approved or published.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{vid}/withdraw", tag = "policies",
    request_body = WithdrawIn,
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 200, body = VersionOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: the version is not a draft"),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: the reason"),
    ))]
pub async fn withdraw_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<VersionOut>, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.withdraw")
        .await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let input: WithdrawIn = read_json(request).await?;
    let withdrawn = policies::withdraw_version(&state.app, acting, id, vid, &input.reason).await?;
    Ok(Json(VersionOut::from(withdrawn)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(preview_import, withdraw_version),
    components(schemas(PreviewOut, WithdrawIn))
)]
pub struct Doc;
