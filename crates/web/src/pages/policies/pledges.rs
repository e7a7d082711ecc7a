//! Pledges (誓約書, issue 17 item 6): the paper pledge the security officer records from
//! the signatures page (the day signed, and the scan as a PDF or an image), and the link
//! to one signature. Signing in mamori is the acknowledgement button of the version page;
//! the signatures page is the acknowledgements page of a pledge.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::policies;
use mamori_domain::pledge::PaperPledgeInput;

use super::acknowledgements::{Notes, status_page};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{field_errors, parse_id};
use crate::http::see_other;
use crate::http::upload::read_upload;
use crate::state::AppState;

/// The label key of a field of the paper pledge form.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "user" => "pledge.paper.user",
        "signed_on" => "pledge.paper.signed_on",
        _ => "pledge.paper.scan",
    }
}

/// `POST /policies/{id}/pledges/paper` (multipart: `user`, `signed_on`, optional `file`):
/// records a paper pledge; a refused form comes back on the signatures page as typed.
pub async fn record_paper(
    State(state): State<AppState>,
    ctx: Ctx,
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
    let notes =
        match policies::record_paper_pledge(&state.app, acting, id, &input, upload.file).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/policies/{id}/acknowledgements?paper=1"
                )));
            }
            Err(Failure::Invalid(problems)) => Notes {
                errors: field_errors(&problems, &ctx.tr, field_key),
                paper: input,
                ..Notes::default()
            },
            Err(Failure::Conflict(refusal)) if refusal.code != "not_published" => Notes {
                error: Some(ctx.tr.f(refusal.key, &refusal.params)),
                paper: input,
                ..Notes::default()
            },
            Err(failure) => return Err(failure.into()),
        };
    let status = if notes.errors.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    status_page(&state, &ctx, &signed, id, notes, status).await
}

/// `GET /pledges/{id}`: one signature (the record a scan belongs to) is shown on its
/// pledge's signatures page.
pub async fn show_signature(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let document = policies::signature_document(&state.app, &signed.0.acting, id).await?;
    status_page(
        &state,
        &ctx,
        &signed,
        document,
        Notes::default(),
        StatusCode::OK,
    )
    .await
}
