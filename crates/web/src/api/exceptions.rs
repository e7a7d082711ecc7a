//! Exceptions (例外措置) over the API, on the same use cases as the pages
//! (`mamori_app::exceptions`). The CISO's permission is decided through the approval
//! requests (`/api/v1/approvals/{id}/decide`), whose id each exception names.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::exceptions::{self as app_exceptions, ExceptionView, Form, Listed};
use mamori_app::{date_text, timestamp_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// An exception and where it stands today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionOut {
    pub id: i64,
    /// The rule set aside (遵守事項).
    #[schema(example = "USBメモリ等の外部記録媒体は使用しない")]
    pub waived_rule: String,
    /// The policy clause, when given.
    #[schema(example = "6(4)")]
    pub clause_ref: String,
    pub scope: String,
    pub reason: String,
    /// What is done instead (代替措置).
    pub measure: String,
    /// ISO 8601 dates.
    pub starts_on: String,
    pub expires_on: String,
    /// Taken at once and reported afterwards (事後報告).
    pub emergency: bool,
    /// `requested`, `emergency_unconfirmed`, `permitted`, `in_effect`, `ending_soon`,
    /// `expired`, `ended`, `returned`, `refused` or `withdrawn`.
    #[schema(example = "in_effect")]
    #[schema(value_type = crate::api::codes::ExceptionStanding)]
    pub standing: String,
    /// The state of the latest approval request: `pending`, `approved`, `returned`,
    /// `rejected` or `withdrawn`.
    #[schema(value_type = crate::api::codes::ApprovalState)]
    pub approval: String,
    pub ended_on: Option<String>,
    pub end_note: String,
    pub created_by: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

fn out(l: Listed) -> ExceptionOut {
    let r = l.record;
    ExceptionOut {
        id: r.id,
        waived_rule: r.rule,
        clause_ref: r.clause_ref,
        scope: r.scope,
        reason: r.reason,
        measure: r.measure,
        starts_on: date_text(r.starts_on),
        expires_on: date_text(r.expires_on),
        emergency: r.emergency,
        standing: l.standing.as_str().to_owned(),
        approval: r.approval.as_str().to_owned(),
        ended_on: r.ended_on.map(date_text),
        end_note: r.end_note,
        created_by: r.created_by_name,
        created_at: timestamp_text(r.created_at),
    }
}

/// One exception with the ids of its approval requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionDetail {
    #[serde(flatten)]
    pub exception: ExceptionOut,
    /// Its approval requests, oldest first.
    pub approval_requests: Vec<i64>,
    /// The request waiting for the CISO, if any: decide it at
    /// `/api/v1/approvals/{id}/decide`.
    pub pending_request: Option<i64>,
}

fn detail(view: ExceptionView) -> ExceptionDetail {
    ExceptionDetail {
        approval_requests: view.history.iter().map(|r| r.id).collect(),
        pending_request: view.pending_request,
        exception: out(Listed {
            record: view.record,
            standing: view.standing,
        }),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionList {
    pub items: Vec<ExceptionOut>,
    pub total: u64,
}

/// An exception asked for, or corrected after a send-back. Dates in ISO 8601 or 和暦.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionIn {
    /// The rule set aside (遵守事項).
    pub waived_rule: String,
    #[serde(default)]
    pub clause_ref: String,
    pub scope: String,
    pub reason: String,
    pub measure: String,
    #[schema(example = "2026-12-10")]
    pub starts_on: String,
    #[schema(example = "令和9年3月31日")]
    pub expires_on: String,
    #[serde(default)]
    pub emergency: bool,
    /// Keep an `expires_on` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

impl From<ExceptionIn> for Form {
    fn from(i: ExceptionIn) -> Form {
        Form {
            rule: i.waived_rule,
            clause_ref: i.clause_ref,
            scope: i.scope,
            reason: i.reason,
            measure: i.measure,
            starts_on: i.starts_on,
            expires_on: i.expires_on,
            emergency: i.emergency,
            confirm_past_dates: i.confirm_past_dates,
        }
    }
}

/// Ending an exception early, or closing one that expired.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "代替の暗号化USBメモリを配備したため終了"}))]
pub struct EndIn {
    /// How the rule is kept again.
    pub note: String,
}

/// Every exception, those needing attention first.
#[utoipa::path(get, path = "/api/v1/exceptions", tag = "exceptions",
    responses(
        (status = 200, body = ExceptionList),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_exceptions(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ExceptionList>, AppError> {
    let items: Vec<ExceptionOut> = app_exceptions::list(&state.app, &signed.0.acting)
        .await?
        .into_iter()
        .map(out)
        .collect();
    Ok(Json(ExceptionList {
        total: u64::try_from(items.len()).unwrap_or(0),
        items,
    }))
}

/// One exception.
#[utoipa::path(get, path = "/api/v1/exceptions/{id}", tag = "exceptions",
    params(("id" = i64, Path, description = "The exception's id")),
    responses(
        (status = 200, body = ExceptionDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_exception(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ExceptionDetail>, AppError> {
    let view = app_exceptions::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(detail(view)))
}

/// Asks the CISO for an exception; the answer names the approval request opened.
#[utoipa::path(post, path = "/api/v1/exceptions", tag = "exceptions", request_body = ExceptionIn,
    responses(
        (status = 201, body = ExceptionDetail, description = "Asked; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (no expiry, a start in the past \
                           outside an emergency…)"),
    ))]
pub async fn request_exception(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            mamori_domain::access::Register::Exceptions,
            mamori_domain::access::Act::Edit,
            "exceptions.request",
        )
        .await?;
    let input: ExceptionIn = read_json(request).await?;
    let id = app_exceptions::request(&state.app, acting, &input.into()).await?;
    let view = app_exceptions::show(&state.app, acting, id).await?;
    Ok(crate::api::created(
        detail(view),
        &format!("/api/v1/exceptions/{id}"),
    ))
}

/// Corrects an exception sent back (差戻し) and asks again.
#[utoipa::path(post, path = "/api/v1/exceptions/{id}/revise", tag = "exceptions",
    request_body = ExceptionIn,
    params(("id" = i64, Path, description = "The exception's id")),
    responses(
        (status = 200, body = ExceptionDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: not sent back"),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn revise_exception(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<ExceptionDetail>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    app_exceptions::show(&state.app, acting, id).await?;
    let input: ExceptionIn = read_json(request).await?;
    app_exceptions::revise(&state.app, acting, id, &input.into()).await?;
    Ok(Json(detail(
        app_exceptions::show(&state.app, acting, id).await?,
    )))
}

/// Ends an exception early, or closes one that expired.
#[utoipa::path(post, path = "/api/v1/exceptions/{id}/end", tag = "exceptions",
    request_body = EndIn,
    params(("id" = i64, Path, description = "The exception's id")),
    responses(
        (status = 200, body = ExceptionDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: waiting for permission, or already ended"),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn end_exception(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<ExceptionDetail>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    app_exceptions::show(&state.app, acting, id).await?;
    let input: EndIn = read_json(request).await?;
    app_exceptions::end(&state.app, acting, id, &input.note).await?;
    Ok(Json(detail(
        app_exceptions::show(&state.app, acting, id).await?,
    )))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_exceptions,
        get_exception,
        request_exception,
        revise_exception,
        end_exception
    ),
    components(schemas(ExceptionOut, ExceptionDetail, ExceptionList, ExceptionIn, EndIn))
)]
pub struct Doc;
