//! Pledges (誓約書, issue 17 item 6) over the API: who has signed the published version
//! of a pledge and how (in mamori or on paper, with the day and the scan), and recording
//! a paper pledge. Signing in mamori is the acknowledgement route of the version
//! (`POST /api/v1/policies/{id}/versions/{vid}/acknowledge`). Shells over
//! `mamori_app::policies`, like the signatures page.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::policies::{self, AcknowledgementRow};
use mamori_domain::pledge::PaperPledgeInput;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::created;
use crate::api::policies::stamp;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::forms::parse_id;
use crate::http::upload::read_upload;
use crate::state::AppState;

/// One person asked to sign the published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureOut {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    /// `member` or `staff`.
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    /// `signed_in_app` or `paper`; absent while not signed.
    #[schema(value_type = Option<crate::api::codes::PledgeWay>)]
    pub way: Option<String>,
    /// When the signature was recorded (RFC 3339, UTC): signed in mamori, or entered by
    /// the security officer for a paper pledge.
    pub recorded_at: Option<String>,
    /// The day written on a paper pledge (ISO 8601).
    pub signed_on: Option<String>,
    /// The scan of a paper pledge (`/api/v1/files/{id}`).
    pub attachment_id: Option<i64>,
}

impl From<AcknowledgementRow> for SignatureOut {
    fn from(a: AcknowledgementRow) -> SignatureOut {
        SignatureOut {
            user_id: a.user_id,
            login: a.login,
            display_name: a.display_name,
            user_type: a.user_type.as_str().to_owned(),
            way: a.way.map(|w| w.as_str().to_owned()),
            recorded_at: a.acknowledged_at.map(stamp),
            signed_on: a.signed_on.map(mamori_app::date_text),
            attachment_id: a.attachment_id,
        }
    }
}

/// The signatures of a pledge's published version, those not signed yet first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignaturesOut {
    /// The published version, if any.
    pub version_id: Option<i64>,
    /// How many of the people asked have signed.
    pub signed: usize,
    pub items: Vec<SignatureOut>,
}

/// Who has signed the published version of a pledge, and how, for the security officer
/// and the auditor.
#[utoipa::path(get, path = "/api/v1/policies/{id}/pledges", tag = "policies",
    params(("id" = i64, Path, description = "The pledge document's id")),
    responses(
        (status = 200, body = SignaturesOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`not_a_pledge`"),
    ))]
pub async fn list_signatures(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<SignaturesOut>, AppError> {
    let id = parse_id(&id)?;
    let overview = policies::signatures(&state.app, &signed.0.acting, id).await?;
    Ok(Json(match overview.published {
        Some(status) => SignaturesOut {
            version_id: Some(status.version.id),
            signed: status.done(),
            items: status.rows.into_iter().map(SignatureOut::from).collect(),
        },
        None => SignaturesOut {
            version_id: None,
            signed: 0,
            items: Vec::new(),
        },
    }))
}

/// A recorded paper pledge.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaperPledgeOut {
    /// The signature's id.
    pub id: i64,
    pub version_id: i64,
    pub user_id: i64,
    /// ISO 8601.
    pub signed_on: String,
    pub attachment_id: Option<i64>,
}

/// Records that a person signed the published version of a pledge on paper: multipart
/// fields `user` (login id), `signed_on` (ISO 8601 or 和暦 such as 令和8年4月1日) and
/// optionally `file` (the scan, a PDF or an image).
#[utoipa::path(post, path = "/api/v1/policies/{id}/pledges/paper", tag = "policies",
    params(("id" = i64, Path, description = "The pledge document's id")),
    request_body(content_type = "multipart/form-data", description = "fields `user`, `signed_on`, optional `file`"),
    responses(
        (status = 201, body = PaperPledgeOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`not_a_pledge`, `not_published` or `already_signed`"),
        (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn record_paper(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    policies::paper_gate(&state.app, acting).await?;
    let upload = read_upload(&state, request).await?;
    let input = PaperPledgeInput {
        user: upload.field("user").to_owned(),
        signed_on: upload.field("signed_on").to_owned(),
    };
    let done = policies::record_paper_pledge(&state.app, acting, id, &input, upload.file).await?;
    let out = PaperPledgeOut {
        id: done.id,
        version_id: done.version_id,
        user_id: done.user_id,
        signed_on: mamori_app::date_text(done.signed_on),
        attachment_id: done.attachment_id,
    };
    Ok(created(out, &format!("/api/v1/policies/{id}/pledges")))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_signatures, record_paper),
    components(schemas(SignatureOut, SignaturesOut, PaperPledgeOut))
)]
pub struct Doc;
