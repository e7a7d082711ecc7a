//! Treating a risk over the API: actions (add, complete) and acceptances (propose, and
//! the CISO's decision).

use super::*;

/// A treatment action of a risk.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: i64,
    pub risk_id: i64,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// ISO 8601 date.
    pub due_on: String,
    /// ISO 8601 date, once done.
    pub done_on: Option<String>,
}

/// A new treatment action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    #[schema(example = "紛失時の連絡手順を周知する")]
    pub description: String,
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// ISO 8601 or 和暦.
    #[schema(example = "2026-06-30")]
    pub due_on: String,
    /// Keep a `due_on` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

pub(super) async fn action_out(
    state: &AppState,
    signed: &SignedIn,
    risk_id: i64,
    action_id: i64,
) -> Result<ActionOut, AppError> {
    let detail = app_register::show_risk(&state.app, &signed.0.acting, risk_id).await?;
    let a = detail
        .actions
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or_else(AppError::not_found)?;
    Ok(ActionOut {
        id: a.id,
        risk_id: a.risk_id,
        description: a.description,
        owner_id: a.owner_id,
        owner_name: a.owner_name,
        due_on: date_text(a.due_on),
        done_on: a.done_on.map(date_text),
    })
}

/// Adds a treatment action to a risk (the security officer).
#[utoipa::path(post, path = "/api/v1/risks/{id}/actions", tag = "risks", request_body = ActionIn,
    params(("id" = i64, Path)),
    responses((status = 201, body = ActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.add_action").await?;
    let id = parse_id(&id)?;
    let input: ActionIn = read_json(request).await?;
    let form = ActionForm {
        description: input.description,
        owner: input.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        due_on: input.due_on,
        confirm_past_dates: input.confirm_past_dates,
    };
    let action = app_treatment::add_action(&state.app, &signed.0.acting, id, &form).await?;
    let body = action_out(&state, &signed, id, action).await?;
    Ok(created(body, &format!("/api/v1/risks/{id}")))
}

/// When an action was done.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"done_on": "2026-12-10"}))]
pub struct CompleteIn {
    /// ISO 8601 or 和暦; today when absent.
    #[serde(default)]
    pub done_on: Option<String>,
}

/// Marks an action done. 409 `already_done` when it already was.
#[utoipa::path(post, path = "/api/v1/risks/{id}/actions/{aid}/complete", tag = "risks",
    request_body = CompleteIn, params(("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, body = ActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn complete_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, aid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<ActionOut>, AppError> {
    permit_edit(&state, &signed, "risks.complete_action").await?;
    let (id, aid) = (parse_id(&id)?, parse_id(&aid)?);
    let input: CompleteIn = read_json(request).await?;
    let done_on = input.done_on.unwrap_or_default();
    app_treatment::complete_action(&state.app, &signed.0.acting, id, aid, &done_on).await?;
    Ok(Json(action_out(&state, &signed, id, aid).await?))
}

/// An acceptance of a risk: proposed with a reason and an expiry, decided by the CISO.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceOut {
    pub id: i64,
    pub risk_id: i64,
    pub reason: String,
    /// ISO 8601 date.
    pub expires_on: String,
    /// `pending`, `accepted`, `rejected`, `returned` (差戻し) or `withdrawn`: the state of
    /// the proposal's approval request (`/api/v1/approvals`).
    #[schema(value_type = crate::api::codes::AcceptanceStatus)]
    pub status: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub created_at: String,
}

impl From<mamori_app::risks::Acceptance> for AcceptanceOut {
    fn from(a: mamori_app::risks::Acceptance) -> AcceptanceOut {
        AcceptanceOut {
            id: a.id,
            risk_id: a.risk_id,
            reason: a.reason,
            expires_on: date_text(a.expires_on),
            status: a.status.as_str().to_owned(),
            proposed_by: a.proposed_by,
            proposed_by_name: a.proposed_by_name,
            decided_by_name: a.decided_by_name,
            decided_at: a.decided_at.map(timestamp_text),
            decision_note: a.decision_note,
            created_at: timestamp_text(a.created_at),
        }
    }
}

pub(super) async fn acceptance_out(
    state: &AppState,
    signed: &SignedIn,
    risk_id: i64,
    acceptance_id: i64,
) -> Result<AcceptanceOut, AppError> {
    let detail = app_register::show_risk(&state.app, &signed.0.acting, risk_id).await?;
    detail
        .acceptances
        .into_iter()
        .find(|a| a.id == acceptance_id)
        .map(AcceptanceOut::from)
        .ok_or_else(AppError::not_found)
}

/// A proposal to accept a risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceIn {
    #[schema(example = "予算措置が決まるまで運用で対応する")]
    pub reason: String,
    /// ISO 8601 or 和暦: the last day the acceptance holds.
    #[schema(example = "2027-03-31")]
    pub expires_on: String,
    /// Keep an `expires_on` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
    /// The CISO to decide (an id from `GET /api/v1/approvals/deciders?register=risks`);
    /// absent: any CISO.
    #[serde(default)]
    pub decider: Option<i64>,
    /// A note for the person who decides (at most 1000 characters).
    #[serde(default)]
    pub request_note: Option<String>,
}

/// Proposes to accept a risk (the security officer); the CISO decides.
#[utoipa::path(post, path = "/api/v1/risks/{id}/acceptances", tag = "risks",
    request_body = AcceptanceIn, params(("id" = i64, Path)),
    responses((status = 201, body = AcceptanceOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn propose_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.propose_acceptance").await?;
    let id = parse_id(&id)?;
    let input: AcceptanceIn = read_json(request).await?;
    let form = AcceptanceForm {
        reason: input.reason,
        expires_on: input.expires_on,
        confirm_past_dates: input.confirm_past_dates,
    };
    let send = mamori_app::approvals::SendInput {
        decider: input.decider.map(|d| d.to_string()).unwrap_or_default(),
        request_note: input.request_note.unwrap_or_default(),
    };
    let acceptance =
        app_treatment::propose_acceptance(&state.app, &signed.0.acting, id, &form, &send).await?;
    let body = acceptance_out(&state, &signed, id, acceptance).await?;
    Ok(created(body, &format!("/api/v1/risks/{id}")))
}

/// The CISO's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TreatmentDecisionIn)]
#[schema(example = json!({"decision": "reject", "note": "代替策の検討が不十分"}))]
pub struct DecisionIn {
    /// `approve` or `reject`.
    #[schema(example = "approve")]
    #[schema(value_type = crate::api::codes::ApproveOrReject)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Decides a proposed acceptance: only someone holding the CISO post, never the person
/// who proposed it (403, recorded). 409 `already_decided` when it was decided already.
#[utoipa::path(post, path = "/api/v1/risks/{id}/acceptances/{aid}/decision", tag = "risks",
    request_body = DecisionIn, params(("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, body = AcceptanceOut), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn decide_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, aid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<AcceptanceOut>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Risks,
            Act::Decide,
            "risks.decide_acceptance",
        )
        .await
        .map_err(|f| crate::http::params::risks::decision_refused(acting, f))?;
    let (id, aid) = (parse_id(&id)?, parse_id(&aid)?);
    let input: DecisionIn = read_json(request).await?;
    let form = crate::http::forms::DecisionForm {
        decision: input.decision,
        note: input.note,
    };
    let (accept, note) = form.read()?;
    app_treatment::decide_acceptance(&state.app, acting, id, aid, accept, &note)
        .await
        .map_err(|f| crate::http::params::risks::decision_refused(acting, f))?;
    Ok(Json(acceptance_out(&state, &signed, id, aid).await?))
}
