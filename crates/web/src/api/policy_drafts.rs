//! Policy drafts over the API: reading a file (plain text, Word .docx or an HTML page
//! saved from a 例規集 system) into a clause tree before it is stored, sending a draft
//! for 決裁 to a chosen person, and withdrawing (取下げ) a draft never approved. Shells over `mamori_app::policies`, as the pages.

use axum::Json;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::policies;
use mamori_domain::access::{Act, Register};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::policies::{VersionOut, tree_json};
use crate::api::created;
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
#[schema(example = json!({"reason": "条文番号の誤りが見つかったため取り下げる"}))]
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

/// Whom a draft is sent to for 決裁, and the note for them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"decider": 3, "request_note": "常任委員会での了承を経ています"}))]
pub struct SendIn {
    /// A user id among `GET /api/v1/approvals/deciders?register=policies`; absent: any
    /// holder of an approving post (CISO, 統括情報セキュリティ責任者).
    #[serde(default)]
    pub decider: Option<i64>,
    /// A note for the person who decides (at most 1000 characters).
    #[serde(default)]
    pub request_note: Option<String>,
}

impl SendIn {
    pub fn input(self) -> mamori_app::approvals::SendInput {
        mamori_app::approvals::SendInput {
            decider: self.decider.map(|d| d.to_string()).unwrap_or_default(),
            request_note: self.request_note.unwrap_or_default(),
        }
    }
}

/// The approval request a draft was sent with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentOut {
    pub approval_request_id: i64,
}

/// Sends a draft for 決裁 (決裁に回す) to the person chosen, or to any holder of an
/// approving post, with a note; also a draft sent back (差戻し) once corrected.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{vid}/send", tag = "policies",
    request_body = SendIn,
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 201, body = SentOut, description = "Sent; `Location` names the approval request"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`already_sent` (waiting for its 決裁) or `invalid_state` (not a draft)"),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: `decider` (holds no approving post, or wrote the draft) or `request_note`"),
    ))]
pub async fn send_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.send")
        .await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let input: SendIn = read_json(request).await?;
    let sent = policies::send_version(&state.app, acting, id, vid, &input.input()).await?;
    let location = format!("/api/v1/approvals/{sent}");
    Ok(created(
        SentOut {
            approval_request_id: sent,
        },
        &location,
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(preview_import, send_version, withdraw_version),
    components(schemas(PreviewOut, SendIn, SentOut, WithdrawIn))
)]
pub struct Doc;
