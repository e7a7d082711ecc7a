//! `/api/v1/actions…`: the corrective-actions register. Owners see their own, those who
//! oversee security all; the security officer records actions; the owner or the
//! security officer moves one on.

use axum::Json;
use axum::extract::{Path, Request, State};
use mamori_app::cycle::actions::{self as app_actions, ActionQuery};
use mamori_app::cycle::{ActionInput, ActionStatus, CorrectiveAction, StatusInput};
use mamori_domain::access::{Act, Register};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A corrective action.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectiveActionOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// `post:<post>` or `user:<id>`; absent only for risk actions recorded without one.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// ISO 8601.
    pub due_on: String,
    /// `calendar` (暦日) or `working` (開庁日): how `due_days` were counted.
    #[schema(value_type = crate::api::codes::DayCount)]
    pub due_kind: String,
    pub due_days: Option<u32>,
    /// `open`, `in_progress`, `done` or `cancelled`.
    #[schema(value_type = crate::api::codes::ActionStatus)]
    pub status: String,
    pub overdue: bool,
    /// ISO 8601, once done.
    pub done_on: Option<String>,
    /// The completion note, or why it was cancelled.
    pub closing_note: String,
    /// The record it came from, e.g. `risk:3`.
    pub source: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

impl From<CorrectiveAction> for CorrectiveActionOut {
    fn from(a: CorrectiveAction) -> CorrectiveActionOut {
        CorrectiveActionOut {
            overdue: mamori_domain::corrective::is_overdue(a.status, a.due_on, mamori_app::today()),
            id: a.id,
            title: a.title,
            description: a.description,
            owner: a.owner.map(|o| o.code()),
            owner_name: a.owner_name,
            due_on: mamori_app::date_text(a.due_on),
            due_kind: a.due_kind.as_str().to_owned(),
            due_days: a.due_days,
            status: a.status.as_str().to_owned(),
            done_on: a.done_on.map(mamori_app::date_text),
            closing_note: a.closing_note,
            source: a.source.map(|s| format!("{}:{}", s.kind.as_str(), s.id)),
            created_at: mamori_app::timestamp_text(a.created_at),
            updated_at: mamori_app::timestamp_text(a.updated_at),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub status: Option<String>,
    /// true: only the caller's own (those who see all may ask for theirs).
    pub mine: Option<bool>,
    /// Only one owner's, for those who see all: `post:<post>` or `user:<id>`.
    pub owner: Option<String>,
    /// true: only those past due and still to be done.
    pub overdue: Option<bool>,
}

/// The actions the caller may see, by due date.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions",
    params(("status" = Option<String>, Query), ("mine" = Option<bool>, Query),
        ("owner" = Option<String>, Query), ("overdue" = Option<bool>, Query)),
    responses((status = 200, body = [CorrectiveActionOut]), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Vec<CorrectiveActionOut>>, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Actions,
            Act::Read,
            "actions.list",
        )
        .await?;
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(
            ActionStatus::parse(code)
                .ok_or_else(|| crate::http::params::risks::bad_filter("status"))?,
        ),
    };
    let owner = match params.owner.as_deref() {
        None | Some("") => None,
        Some(code) => Some(
            mamori_app::cycle::Assignee::parse(code)
                .ok_or_else(|| crate::http::params::risks::bad_filter("owner"))?,
        ),
    };
    let query = ActionQuery {
        status,
        overdue: params.overdue.unwrap_or(false),
        mine: params.mine.unwrap_or(false),
        owner,
    };
    let actions = app_actions::list(&state.app, &signed.0.acting, &query).await?;
    Ok(Json(actions.into_iter().map(Into::into).collect()))
}

/// One action: its owner and those who see all (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "actions", params(("id" = i64, Path)),
    responses((status = 200, body = CorrectiveActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<CorrectiveActionOut>, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Actions,
            Act::Read,
            "actions.show",
        )
        .await?;
    let id = parse_id(&id)?;
    Ok(Json(
        app_actions::show(&state.app, &signed.0.acting, id)
            .await?
            .action
            .into(),
    ))
}

/// A new corrective action: a due date, or a number of calendar or working days from
/// today.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveActionIn {
    #[schema(example = "USBメモリの暗号化を徹底する")]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `post:<post>` or `user:<id>`.
    #[schema(example = "post:system_staff")]
    pub owner: String,
    /// ISO 8601 or 和暦; or give `due_days` instead.
    #[serde(default)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub due_days: Option<u32>,
    /// With `due_days`: `calendar` or `working`.
    #[serde(default)]
    #[schema(value_type = Option<crate::api::codes::DayCount>)]
    pub due_kind: Option<String>,
    /// The record it comes from, e.g. `risk:3`.
    #[serde(default)]
    pub source: Option<String>,
    /// Keep a `due_on` that is already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

/// Records a corrective action (the security officer). 422 names every refused field.
#[utoipa::path(post, path = "/api/v1/actions", tag = "actions", request_body = CorrectiveActionIn,
    responses((status = 201, body = CorrectiveActionOut),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`, or `confirmation_needed` for a past due date"),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn create_action(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<axum::response::Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Actions, Act::Edit, "actions.create")
        .await?;
    let body: CorrectiveActionIn = read_json(request).await?;
    let source = match body.source.as_deref() {
        None | Some("") => None,
        Some(text) => {
            let parsed = text
                .split_once(':')
                .and_then(|(k, i)| crate::http::params::cycle::parse_subject(k, i).ok());
            Some(parsed.ok_or_else(|| {
                AppError::from(mamori_app::Failure::invalid(
                    mamori_domain::field::FieldProblem::new("source", "action.error.source"),
                ))
            })?)
        }
    };
    let input = ActionInput {
        title: body.title,
        description: body.description.unwrap_or_default(),
        owner: body.owner,
        due_on: body.due_on.unwrap_or_default(),
        due_days: body.due_days.map(|d| d.to_string()).unwrap_or_default(),
        due_kind: body.due_kind.unwrap_or_default(),
        confirm_past_dates: body.confirm_past_dates,
    };
    let id = app_actions::create(&state.app, acting, &input, source).await?;
    let action = app_actions::show(&state.app, acting, id).await?.action;
    Ok(super::created(
        CorrectiveActionOut::from(action),
        &format!("/api/v1/actions/{id}"),
    ))
}

/// A change of status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "done_on": "2026-12-10", "note": "USBメモリの持出し手順を改め、職員に周知した"}))]
pub struct ActionStatusIn {
    /// `in_progress`, `done` or `cancelled`.
    #[schema(example = "done")]
    #[schema(value_type = crate::api::codes::ActionStatus)]
    pub status: String,
    /// For done: ISO 8601 or 和暦, not after today; today when absent.
    #[serde(default)]
    pub done_on: Option<String>,
    /// For done: what was done; for cancelled: why (required).
    #[serde(default)]
    pub note: Option<String>,
}

/// Moves an action on: its owner or the security officer. 409 `action_closed` once done
/// or cancelled, `action_started` when already in progress.
#[utoipa::path(post, path = "/api/v1/actions/{id}/status", tag = "actions", request_body = ActionStatusIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = CorrectiveActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn change_action_status(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<CorrectiveActionOut>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Actions, Act::Read, "actions.status")
        .await?;
    let id = parse_id(&id)?;
    let body: ActionStatusIn = read_json(request).await?;
    let input = StatusInput {
        status: body.status,
        done_on: body.done_on.unwrap_or_default(),
        note: body.note.unwrap_or_default(),
    };
    app_actions::change_status(&state.app, acting, id, &input).await?;
    Ok(Json(
        app_actions::show(&state.app, acting, id)
            .await?
            .action
            .into(),
    ))
}
