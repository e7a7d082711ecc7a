//! Approval requests (決裁) over the API: my inbox and my requests, one request, the
//! approval history of a record, deciding and withdrawing; absences with a deputy. The
//! same use cases as the pages (`mamori_app::approvals`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::approvals::{self, AbsenceForm, AbsenceRecord, DecisionForm, RecordKind, Seen};
use mamori_domain::access::{Act, Register};
use mamori_domain::approval::AbsenceInput;
use mamori_domain::field::FieldProblem;
use mamori_domain::record::RecordRef;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::approval_view::{asked_label, subject_path};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::state::AppState;

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_approvals,
        get_approval,
        approval_history,
        list_deciders,
        decide_approval,
        withdraw_approval,
        list_absences,
        add_absence,
        cancel_absence
    ),
    components(schemas(
        ApprovalOut,
        ApprovalLists,
        DecisionIn,
        AbsenceIn,
        AbsenceOut,
        DeciderOut
    ))
)]
pub struct Doc;

/// One approval request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalOut {
    pub id: i64,
    /// `policy_version`, `asset_takeout` or `risk_acceptance`.
    #[schema(value_type = crate::api::codes::RecordKind)]
    pub subject_kind: String,
    pub subject_id: i64,
    /// The record holding the subject: the policy document, the asset, the risk.
    pub subject_parent_id: Option<i64>,
    /// The page of the subject.
    pub subject_link: String,
    pub title: String,
    /// `pending`, `approved`, `returned` (差戻し), `rejected` (却下) or `withdrawn` (取下げ).
    #[schema(value_type = crate::api::codes::ApprovalState)]
    pub state: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    /// `deciders` (of the register in `asked_code`), `post` (in `asked_code`), `person`
    /// (`asked_user`) or `committee`.
    pub asked_kind: String,
    pub asked_code: String,
    pub asked_user: Option<i64>,
    /// Who is asked, in the caller's language.
    pub asked: String,
    pub note: String,
    /// ISO 8601 date.
    pub due_on: Option<String>,
    pub overdue: bool,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    /// The absent holder a deputy decided for (代理決裁).
    pub on_behalf_of: Option<i64>,
    pub on_behalf_of_name: Option<String>,
    /// ISO 8601 date of the decision.
    pub decided_on: Option<String>,
    /// RFC 3339, UTC.
    pub decided_at: Option<String>,
    pub reason: String,
    pub minute_ref: String,
    pub created_at: String,
    /// Whether the caller may decide it now.
    pub may_decide: bool,
    /// Whether the caller decides it as a deputy.
    pub as_deputy: bool,
    pub may_withdraw: bool,
}

fn out(ctx: &Ctx, seen: &Seen) -> ApprovalOut {
    let r = &seen.request;
    let (asked_kind, asked_code, asked_user) = r.asked.parts();
    ApprovalOut {
        id: r.id,
        subject_kind: r.subject.kind.as_str().to_owned(),
        subject_id: r.subject.id,
        subject_parent_id: r.subject_parent_id,
        subject_link: subject_path(r),
        title: r.title.clone(),
        state: r.state.as_str().to_owned(),
        requested_by: r.requested_by,
        requested_by_name: r.requested_by_name.clone(),
        asked_kind: asked_kind.to_owned(),
        asked_code: asked_code.to_owned(),
        asked_user,
        asked: asked_label(&ctx.tr, r),
        note: r.note.clone(),
        due_on: r.due_on.map(mamori_app::date_text),
        overdue: seen.overdue,
        decided_by: r.decided_by,
        decided_by_name: r.decided_by_name.clone(),
        on_behalf_of: r.on_behalf_of,
        on_behalf_of_name: r.on_behalf_of_name.clone(),
        decided_on: r.decided_on.map(mamori_app::date_text),
        decided_at: r.decided_at.map(mamori_app::timestamp_text),
        reason: r.reason.clone(),
        minute_ref: r.minute_ref.clone(),
        created_at: mamori_app::timestamp_text(r.created_at),
        may_decide: seen.capacity.is_some(),
        as_deputy: seen.deputy_for.is_some()
            || matches!(
                seen.capacity,
                Some(mamori_domain::approval::Capacity::OnBehalfOf(_))
            ),
        may_withdraw: seen.may_withdraw,
    }
}

/// What waits for the caller's decision (due date first) and what they asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalLists {
    pub waiting: Vec<ApprovalOut>,
    pub mine: Vec<ApprovalOut>,
}

/// My inbox and my requests. Contractors are refused (403).
#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals",
    responses((status = 200, body = ApprovalLists), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_approvals(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Json<ApprovalLists>, AppError> {
    let lists = approvals::lists(&state.app, &signed.0.acting).await?;
    Ok(Json(ApprovalLists {
        waiting: lists.waiting.iter().map(|s| out(&ctx, s)).collect(),
        mine: lists.mine.iter().map(|s| out(&ctx, s)).collect(),
    }))
}

/// One request: for its requester, who may decide it, oversight, or who reads its
/// subject; 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals",
    params(("id" = i64, Path)),
    responses((status = 200, body = ApprovalOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_approval(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ApprovalOut>, AppError> {
    let id = parse_id(&id)?;
    let seen = approvals::show(&state.app, &signed.0.acting, id).await?;
    Ok(Json(out(&ctx, &seen)))
}

#[derive(Debug, Deserialize)]
pub struct DecidersQuery {
    #[serde(default)]
    register: String,
}

/// A person who may be chosen to decide.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeciderOut {
    pub id: i64,
    pub name: String,
}

/// Who may be chosen to decide what a register sends for 決裁 (`?register=policies`,
/// `assets` for take-outs, `risks` for acceptances): the active holders of its deciding
/// grant, by name, the caller left out. Give one's `id` as `decider` when sending.
#[utoipa::path(get, path = "/api/v1/approvals/deciders", tag = "approvals",
    params(("register" = String, Query, description = "policies, assets or risks")),
    responses((status = 200, body = [DeciderOut]), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn list_deciders(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<DecidersQuery>,
) -> Result<Json<Vec<DeciderOut>>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Approvals, Act::Edit, "approvals.deciders")
        .await?;
    let register = match query.register.trim() {
        "policies" => Register::Policies,
        "assets" => Register::Assets,
        "risks" => Register::Risks,
        _ => {
            return Err(mamori_app::Failure::invalid(FieldProblem::new(
                "register",
                "error.invalid_choice",
            ))
            .into());
        }
    };
    let found = approvals::deciders(&state.app, acting, register).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|d| DeciderOut {
                id: d.id,
                name: d.name,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

/// The approval history of one record (oldest first): `?kind=policy_version&id=3`.
#[utoipa::path(get, path = "/api/v1/approvals/history", tag = "approvals",
    params(("kind" = String, Query, description = "policy_version, asset_takeout or risk_acceptance"),
        ("id" = i64, Query)),
    responses((status = 200, body = [ApprovalOut]), (status = 422, body = crate::api::ErrorBody)))]
pub async fn approval_history(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<Vec<ApprovalOut>>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Approvals, Act::Read, "approvals.history")
        .await?;
    let mut problems = Vec::new();
    let kind = RecordKind::parse(&query.kind);
    if kind.is_none() {
        problems.push(FieldProblem::new("kind", "error.invalid_choice"));
    }
    let id = query.id.parse::<i64>().ok();
    if id.is_none() {
        problems.push(FieldProblem::new("id", "field.error.required"));
    }
    let (Some(kind), Some(id)) = (kind, id) else {
        return Err(mamori_app::Failure::Invalid(problems).into());
    };
    let history = approvals::history(&state.app, acting, RecordRef::new(kind, id)).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|request| out(&ctx, &Seen::plain(request)))
            .collect(),
    ))
}

/// A decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `approve`, `return` (差戻し) or `reject` (却下).
    #[schema(example = "return")]
    #[schema(value_type = crate::api::codes::ApprovalDecision)]
    pub decision: String,
    /// Required to return or reject; a comment when approving.
    #[serde(default)]
    #[schema(example = "別表の番号を直してください")]
    pub reason: String,
    /// Required for a committee's decision (議事録番号など).
    #[serde(default)]
    pub minute_ref: String,
    /// ISO 8601 or 和暦; empty is today. Not after today.
    #[serde(default)]
    pub decided_on: String,
}

/// Decides a pending request: the person asked, a holder of the post asked, or the
/// deputy of every absent holder; never the requester (403, recorded). 409
/// `already_decided` when it no longer waits.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals",
    request_body = DecisionIn, params(("id" = i64, Path)),
    responses((status = 200, body = ApprovalOut), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn decide_approval(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<ApprovalOut>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Approvals, Act::Decide, "approvals.decide")
        .await?;
    let id = parse_id(&id)?;
    let input: DecisionIn = read_json(request).await?;
    let form = DecisionForm {
        decision: input.decision,
        reason: input.reason,
        minute_ref: input.minute_ref,
        decided_on: input.decided_on,
    };
    let seen = approvals::decide(&state.app, acting, id, &form).await?;
    Ok(Json(out(&ctx, &seen)))
}

/// The requester withdraws (取下げ) a pending request; 409 when it no longer waits.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/withdrawal", tag = "approvals",
    params(("id" = i64, Path)),
    responses((status = 200, body = ApprovalOut), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
pub async fn withdraw_approval(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ApprovalOut>, AppError> {
    let id = parse_id(&id)?;
    let seen = approvals::withdraw(&state.app, &signed.0.acting, id).await?;
    Ok(Json(out(&ctx, &seen)))
}

/// An absence with its deputy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceOut {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub deputy_id: i64,
    pub deputy_name: String,
    /// ISO 8601 dates, inclusive.
    pub starts_on: String,
    pub ends_on: String,
    pub note: String,
    /// RFC 3339, UTC, once called off.
    pub cancelled_at: Option<String>,
}

fn absence_out(a: AbsenceRecord) -> AbsenceOut {
    AbsenceOut {
        id: a.id,
        user_id: a.user_id,
        user_name: a.user_name,
        deputy_id: a.deputy_id,
        deputy_name: a.deputy_name,
        starts_on: mamori_app::date_text(a.starts_on),
        ends_on: mamori_app::date_text(a.ends_on),
        note: a.note,
        cancelled_at: a.cancelled_at.map(mamori_app::timestamp_text),
    }
}

#[derive(Debug, Deserialize)]
pub struct AbsenceQuery {
    #[serde(default)]
    user_id: Option<i64>,
}

/// The caller's absences (or, for the administrator, `?user_id=`'s) and those where
/// they stand in as deputy, from today on.
#[utoipa::path(get, path = "/api/v1/absences", tag = "approvals",
    params(("user_id" = Option<i64>, Query)),
    responses((status = 200, body = [AbsenceOut]), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_absences(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<AbsenceQuery>,
) -> Result<Json<Vec<AbsenceOut>>, AppError> {
    let list = approvals::absences(&state.app, &signed.0.acting, query.user_id).await?;
    Ok(Json(list.into_iter().map(absence_out).collect()))
}

/// A new absence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceIn {
    /// Whose absence; omitted: the caller's. Only the administrator names someone else.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The deputy's login id (an active user, not the absent person).
    #[schema(example = "fukugicho")]
    pub deputy: String,
    /// ISO 8601 or 和暦.
    #[schema(example = "2026-06-08")]
    pub starts_on: String,
    #[schema(example = "2026-06-12")]
    pub ends_on: String,
    #[serde(default)]
    pub note: String,
}

/// Marks a person absent with a deputy (代理決裁者) for a period.
#[utoipa::path(post, path = "/api/v1/absences", tag = "approvals", request_body = AbsenceIn,
    responses((status = 201, body = AbsenceOut), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn add_absence(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Approvals, Act::Edit, "approvals.absence")
        .await?;
    let input: AbsenceIn = read_json(request).await?;
    let form = AbsenceForm {
        user_id: input.user_id,
        user_login: String::new(),
        deputy: input.deputy,
        input: AbsenceInput {
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            note: input.note,
        },
    };
    let absence = approvals::add_absence(&state.app, acting, &form).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, "/api/v1/absences".to_owned())],
        Json(absence_out(absence)),
    )
        .into_response())
}

/// Calls off an absence (the absent person or the administrator); 409 when it already was.
#[utoipa::path(post, path = "/api/v1/absences/{id}/cancellation", tag = "approvals",
    params(("id" = i64, Path)),
    responses((status = 200, body = AbsenceOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody)))]
pub async fn cancel_absence(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AbsenceOut>, AppError> {
    let id = parse_id(&id)?;
    let absence = approvals::cancel_absence(&state.app, &signed.0.acting, id).await?;
    Ok(Json(absence_out(absence)))
}
