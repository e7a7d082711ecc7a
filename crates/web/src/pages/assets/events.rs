//! Lifecycle records from an asset's page: recording one, and deciding a take-out
//! that waits for approval.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::assets::EventInput;
use mamori_domain::access::{Act, Register};

use super::show::{ShowState, render_show};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{field_errors, parse_id};
use crate::http::see_other;
use crate::state::AppState;

/// The label of a field of a lifecycle record, for error lists.
pub fn event_field_key(field: &str) -> &'static str {
    match field {
        "kind" => "asset.event_field.kind",
        "occurred_on" => "asset.event_field.occurred_on",
        "person" => "asset.event_field.person",
        "counterparty" => "asset.event_field.counterparty",
        "method" => "asset.event_field.method",
        "witness" => "asset.event_field.witness",
        "due_back" => "asset.event_field.due_back",
        "notes" => "asset.event_field.notes",
        "decider" => "approval.send.decider",
        "request_note" => "approval.send.note",
        _ => "asset.field.unknown",
    }
}

/// A lifecycle record as the form sends it: the record, and for a take-out that needs
/// approval whom it goes to.
#[derive(Debug, Default, serde::Deserialize)]
struct TakeOutForm {
    #[serde(flatten)]
    event: EventInput,
    #[serde(flatten)]
    send: crate::http::approval_view::SendForm,
}

pub async fn record_event(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let TakeOutForm { event: form, send } = super::read_form(request, &state).await?;
    match mamori_app::assets::record_event(&state.app, acting, id, &form, &send.input()).await {
        Ok(_) => Ok(see_other(&format!("/assets/{id}#events"))),
        Err(Failure::Invalid(problems) | Failure::Unconfirmed(problems)) => {
            let detail = mamori_app::assets::show(&state.app, acting, id).await?;
            let shown = ShowState {
                event_asks_past: crate::http::forms::asks_confirmation(&problems),
                event_errors: field_errors(&problems, &ctx.tr, event_field_key),
                event_form: form,
                send,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                saved: false,
            };
            render_show(&state, &ctx, &signed, detail, shown).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn decide_event(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, event_id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    super::permit(
        &state,
        &signed,
        Register::Assets,
        Act::Decide,
        "assets.decide_event",
    )
    .await?;
    let (id, event_id) = (parse_id(&id)?, parse_id(&event_id)?);
    let form: crate::http::forms::DecisionForm = super::read_form(request, &state).await?;
    crate::http::params::assets::decide(&state, &signed, id, event_id, &form).await?;
    Ok(see_other(&format!("/assets/{id}#events")))
}
