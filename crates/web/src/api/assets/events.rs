//! Lifecycle records of an asset over the API (take-outs, returns, disposal …) and the
//! decisions on take-outs that need approval.

use super::*;

/// A lifecycle record of an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub asset_id: i64,
    /// `take_out`, `return`, `lending`, `lending_return`, `transfer`, `provision`,
    /// `publication` or `disposal`.
    #[schema(value_type = crate::api::codes::AssetEventKind)]
    pub kind: String,
    /// ISO 8601 date.
    pub occurred_on: String,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: Option<String>,
    pub notes: String,
    /// `not_required`, `pending`, `approved`, `rejected`, `returned` (差戻し) or `withdrawn`:
    /// the state of the take-out's approval request (`/api/v1/approvals`).
    #[schema(value_type = crate::api::codes::AssetEventApproval)]
    pub approval: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
}

fn event_out(e: EventRecord) -> EventOut {
    EventOut {
        id: e.id,
        asset_id: e.asset_id,
        kind: e.kind.as_str().to_owned(),
        occurred_on: mamori_app::date_text(e.occurred_on),
        due_back: e.due_back.map(mamori_app::date_text),
        approval: e.approval.as_str().to_owned(),
        decided_at: e.decided_at.map(mamori_app::timestamp_text),
        recorded_at: mamori_app::timestamp_text(e.recorded_at),
        person: e.person,
        counterparty: e.counterparty,
        method: e.method,
        witness: e.witness,
        notes: e.notes,
        decided_by: e.decided_by,
        decision_note: e.decision_note,
        recorded_by: e.recorded_by,
    }
}

/// The lifecycle records of an asset, newest first.
#[utoipa::path(get, path = "/api/v1/assets/{id}/events", tag = "assets",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventOut>), (status = 404, body = crate::api::ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Vec<EventOut>>, AppError> {
    let id = parse_id(&id)?;
    let events = mamori_app::assets::events(&state.app, &signed.0.acting, id).await?;
    Ok(Json(events.into_iter().map(event_out).collect()))
}

/// A lifecycle record as sent: dates in ISO 8601 or 和暦.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    #[schema(example = "take_out")]
    #[schema(value_type = crate::api::codes::AssetEventKind)]
    pub kind: String,
    #[schema(example = "2026-11-26")]
    pub occurred_on: String,
    #[schema(example = "議員 一郎")]
    pub person: String,
    #[serde(default)]
    pub counterparty: String,
    /// Required for a disposal (溶解, 裁断…).
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub witness: String,
    #[serde(default)]
    pub due_back: String,
    #[serde(default)]
    pub notes: String,
    /// For a take-out that needs approval: who is to decide (an id from
    /// `GET /api/v1/approvals/deciders?register=assets`); absent: anyone who decides
    /// take-outs.
    #[serde(default)]
    pub decider: Option<i64>,
    /// A note for the person who decides (at most 1000 characters).
    #[serde(default)]
    pub request_note: Option<String>,
    /// Keep a `due_back` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

/// Records a lifecycle event: the register's keepers any kind, a holder take-outs and
/// returns of what they hold. A take-out of a level that needs approval starts pending.
#[utoipa::path(post, path = "/api/v1/assets/{id}/events", tag = "assets",
    params(("id" = i64, Path)), request_body = EventIn,
    responses((status = 201, body = EventOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn record_event(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    mamori_app::assets::get(&state.app, acting, id).await?;
    let ApiJson(body) =
        <ApiJson<EventIn> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let input = EventInput {
        kind: body.kind,
        occurred_on: body.occurred_on,
        person: body.person,
        counterparty: body.counterparty,
        method: body.method,
        witness: body.witness,
        due_back: body.due_back,
        notes: body.notes,
        confirm_past_dates: body.confirm_past_dates,
    };
    let send = mamori_app::approvals::SendInput {
        decider: body.decider.map(|d| d.to_string()).unwrap_or_default(),
        request_note: body.request_note.unwrap_or_default(),
    };
    let event = mamori_app::assets::record_event(&state.app, acting, id, &input, &send).await?;
    Ok((StatusCode::CREATED, Json(event_out(event))).into_response())
}

/// A decision on a pending take-out.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AssetEventDecisionIn)]
#[schema(example = json!({"decision": "approve", "note": "持出し期間は3日以内とすること"}))]
pub struct DecisionIn {
    /// `approve` or `reject`.
    #[schema(example = "approve")]
    #[schema(value_type = crate::api::codes::ApproveOrReject)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Approves or rejects a pending take-out; nobody decides their own request (403), a
/// decided one is 409 `already_decided`.
#[utoipa::path(post, path = "/api/v1/assets/{id}/events/{eid}/decision", tag = "assets",
    params(("id" = i64, Path), ("eid" = i64, Path)), request_body = DecisionIn,
    responses((status = 200, body = EventOut), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
pub async fn decide_event(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, eid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<EventOut>, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            mamori_domain::access::Register::Assets,
            mamori_domain::access::Act::Decide,
            "assets.decide_event",
        )
        .await?;
    let (id, eid) = (parse_id(&id)?, parse_id(&eid)?);
    let ApiJson(body) =
        <ApiJson<DecisionIn> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    let form = crate::http::forms::DecisionForm {
        decision: body.decision,
        note: body.note,
    };
    let event = crate::http::params::assets::decide(&state, &signed, id, eid, &form).await?;
    Ok(Json(event_out(event)))
}
