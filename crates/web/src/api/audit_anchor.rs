//! `/api/v1/audit/anchor/…`: who is sent the daily anchor of the audit trail, and a check
//! of the trail against an anchor kept outside (what `mamori audit verify --anchor` does).

use axum::Json;
use axum::extract::{Request, State};
use mamori_app::audit_anchor::{self, AnchorRecipient};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::state::AppState;

/// A person who may be sent the anchor.
#[derive(Serialize, ToSchema)]
pub struct RecipientOut {
    pub id: i64,
    pub name: String,
    /// Whether the person is sent the anchor each day.
    pub chosen: bool,
}

impl From<AnchorRecipient> for RecipientOut {
    fn from(r: AnchorRecipient) -> Self {
        RecipientOut {
            id: r.id,
            name: r.name,
            chosen: r.chosen,
        }
    }
}

/// Who is to be sent the anchor: every id named, the others not.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"recipients": [3, 7]}))]
pub struct RecipientsIn {
    pub recipients: Vec<i64>,
}

/// Every active person and whether they are sent the anchor each day. Security officers
/// and auditors.
#[utoipa::path(get, path = "/api/v1/audit/anchor/recipients", tag = "audit",
    responses((status = 200, body = Vec<RecipientOut>), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn recipients(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<RecipientOut>>, AppError> {
    let people = audit_anchor::recipients(&state.app, &signed.0.acting).await?;
    Ok(Json(people.into_iter().map(Into::into).collect()))
}

/// Chooses who is sent the anchor each day (the change is audited). Security officers.
#[utoipa::path(put, path = "/api/v1/audit/anchor/recipients", tag = "audit",
    request_body = RecipientsIn,
    responses((status = 200, body = Vec<RecipientOut>), (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "An unknown or deactivated person")))]
pub async fn choose_recipients(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<Vec<RecipientOut>>, AppError> {
    audit_anchor::may_choose(&state.app, &signed.0.acting).await?;
    let input: RecipientsIn = read_json(request).await?;
    let people =
        audit_anchor::set_recipients(&state.app, &signed.0.acting, &input.recipients).await?;
    Ok(Json(people.into_iter().map(Into::into).collect()))
}

/// An anchor as kept: `<entry number>:<hash>` (the hash may be grouped with spaces).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"anchor": "1234:3f2a…(64 hexadecimal digits)"}))]
pub struct AnchorIn {
    pub anchor: String,
}

/// What the check against the anchor found.
#[derive(Serialize, ToSchema)]
pub struct AnchorFindingOut {
    /// The anchored entry's number.
    pub id: i64,
    /// Whether every entry up to it is there, unaltered.
    pub holds: bool,
    /// The finding as a sentence, in the caller's language.
    pub message: String,
}

/// Checks the trail against an anchor kept outside the database: cutting off the newest
/// entries or altering one shows. Security officers and auditors.
#[utoipa::path(post, path = "/api/v1/audit/anchor/check", tag = "audit",
    request_body = AnchorIn,
    responses((status = 200, body = AnchorFindingOut), (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "Not `<number>:<hash>`")))]
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Json<AnchorFindingOut>, AppError> {
    audit_anchor::may_check(&state.app, &signed.0.acting).await?;
    let input: AnchorIn = read_json(request).await?;
    let (id, found) =
        audit_anchor::check_typed(&state.app, &signed.0.acting, &input.anchor).await?;
    let (holds, message) = audit_anchor::anchor_finding(&ctx.tr, id, &found);
    Ok(Json(AnchorFindingOut { id, holds, message }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(recipients, choose_recipients, check),
    components(schemas(RecipientOut, RecipientsIn, AnchorIn, AnchorFindingOut))
)]
pub struct Doc;
