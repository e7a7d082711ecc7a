//! `/api/v1/audit/checks` and `/api/v1/audit/anchor`: the kept checks of the audit
//! trail's hash chain, a full check on demand, and the head of the chain to keep outside.

use axum::Json;
use axum::extract::State;
use mamori_app::audit::{self, ChainCheck, ChainHead};
use mamori_app::audit_anchor::{anchor_text, typed_form};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::state::AppState;

/// One kept check of the chain.
#[derive(Serialize, ToSchema)]
pub struct ChainCheckOut {
    /// When, RFC 3339 in UTC.
    pub checked_at: String,
    /// Who asked: a login, the daily job or the command line.
    pub checked_by: String,
    /// Whether every entry was checked (`false`: only those after the last intact check).
    pub full: bool,
    /// The last entry found in place, its hash, and how many entries lie up to it.
    pub up_to_id: i64,
    pub up_to_hash: String,
    pub entries: u64,
    /// Whether the chain held.
    pub intact: bool,
    /// Where it first breaks: `edited` (the entry's content changed) or `unlinked` (an
    /// entry was removed or inserted just before it).
    #[schema(value_type = Option<String>)]
    pub break_kind: Option<&'static str>,
    pub break_id: Option<i64>,
    pub elapsed_ms: u64,
}

impl From<ChainCheck> for ChainCheckOut {
    fn from(check: ChainCheck) -> Self {
        ChainCheckOut {
            intact: check.first_break.is_none(),
            break_kind: check.first_break.as_ref().map(|b| b.kind()),
            break_id: check.first_break.as_ref().map(|b| b.id()),
            checked_at: check.checked_at,
            checked_by: check.checked_by,
            full: check.full,
            up_to_id: check.up_to_id,
            up_to_hash: check.up_to_hash,
            entries: check.entries,
            elapsed_ms: check.elapsed_ms,
        }
    }
}

/// The newest check and the newest full check.
#[derive(Serialize, ToSchema)]
pub struct ChainStatusOut {
    pub latest: Option<ChainCheckOut>,
    pub latest_full: Option<ChainCheckOut>,
}

/// The kept checks of the chain (the audit page shows the same). Security officers and
/// auditors only.
#[utoipa::path(get, path = "/api/v1/audit/checks", tag = "audit",
    responses((status = 200, body = ChainStatusOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ChainStatusOut>, AppError> {
    let status = audit::chain_status(&state.app, &signed.0.acting).await?;
    Ok(Json(ChainStatusOut {
        latest: status.latest.map(Into::into),
        latest_full: status.latest_full.map(Into::into),
    }))
}

/// Checks every entry of the chain now, keeps the result and returns it. Security
/// officers and auditors only.
#[utoipa::path(post, path = "/api/v1/audit/checks", tag = "audit",
    responses((status = 200, body = ChainCheckOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn check_now(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ChainCheckOut>, AppError> {
    let check = audit::check_chain(&state.app, &signed.0.acting, true).await?;
    Ok(Json(check.into()))
}

/// The head of the chain, to keep outside the database.
#[derive(Serialize, ToSchema)]
pub struct AnchorOut {
    /// The newest entry's number, its hash, and when it was written (RFC 3339, UTC).
    pub id: i64,
    pub hash: String,
    pub at: String,
    /// What `mamori audit verify --anchor` takes: `<id>:<hash>`.
    pub anchor: String,
    /// The text to print or mail, in the caller's language.
    pub text: String,
}

/// The head of the chain (404 while the trail is empty). Security officers and auditors
/// only.
#[utoipa::path(get, path = "/api/v1/audit/anchor", tag = "audit",
    responses((status = 200, body = AnchorOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn anchor(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Json<AnchorOut>, AppError> {
    let head: Option<ChainHead> = audit::head(&state.app, &signed.0.acting).await?;
    let Some(head) = head else {
        return Err(AppError::not_found());
    };
    let assembly = mamori_app::settings::organisation_name(&state.app).await;
    Ok(Json(AnchorOut {
        text: anchor_text(&ctx.tr, assembly.as_deref(), &head),
        anchor: typed_form(&head),
        id: head.id,
        hash: head.hash,
        at: head.at,
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(status, check_now, anchor),
    components(schemas(ChainCheckOut, ChainStatusOut, AnchorOut))
)]
pub struct Doc;
