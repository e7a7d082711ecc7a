//! Incidents over the API, on the same use cases as the pages
//! (`mamori_app::incidents`): the list, reporting, one incident (the reporter's view or
//! the full one with its timeline), triage, stages, notes, closing, reopening, sharing,
//! and the severity levels.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::incidents::{self as app_incidents, Listed, View};
use mamori_app::timestamp_text;
use mamori_domain::access::{Act, Register};
use mamori_domain::incident::{ReportForm, Sight, TriageForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::http::params::incidents::IncidentQuery;
use crate::state::AppState;

/// An incident as its reader may see it: handling fields only in the full view.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: i64,
    #[schema(example = "2026-003")]
    pub number: String,
    pub title: String,
    pub description: String,
    /// RFC 3339, UTC.
    pub noticed_at: String,
    pub place: String,
    #[schema(value_type = crate::api::codes::IncidentPersonal)]
    pub personal: String,
    pub people: Option<i64>,
    pub contact: String,
    pub reporter: String,
    pub entered_by: Option<String>,
    pub asset_id: Option<i64>,
    #[schema(value_type = crate::api::codes::IncidentStage)]
    pub stage: String,
    /// `full`, or `own` for the reporter (no timeline, no handling fields).
    pub view: String,
    pub severity: Option<String>,
    pub threat_id: Option<i64>,
    pub owner: Option<String>,
    pub summary: String,
    pub cause: String,
    pub closed_at: Option<String>,
    pub reported_at: String,
}

fn out(record: &mamori_app::incidents::IncidentRecord, sight: Sight) -> IncidentOut {
    let full = sight == Sight::Full;
    IncidentOut {
        id: record.id,
        number: record.number.clone(),
        title: record.title.clone(),
        description: record.description.clone(),
        noticed_at: timestamp_text(record.noticed_at),
        place: record.place.clone(),
        personal: record.personal.as_str().to_owned(),
        people: record.people,
        contact: record.contact.clone(),
        reporter: record.reporter_name.clone(),
        entered_by: record.entered_by_name.clone(),
        asset_id: record.asset_id,
        stage: record.stage.as_str().to_owned(),
        view: if full { "full" } else { "own" }.to_owned(),
        severity: record.severity.clone().filter(|_| full),
        threat_id: record.threat_id.filter(|_| full),
        owner: record.owner_name.clone().filter(|_| full),
        summary: record.summary.clone(),
        cause: record.cause.clone(),
        closed_at: record.closed_at.map(timestamp_text),
        reported_at: timestamp_text(record.created_at),
    }
}

/// A timeline entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentEntryOut {
    pub at: String,
    pub author: Option<String>,
    #[schema(value_type = crate::api::codes::IncidentEntryKind)]
    pub kind: String,
    pub text: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One incident with its timeline (empty in the reporter's view) and shares.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub incident: IncidentOut,
    pub timeline: Vec<IncidentEntryOut>,
    pub shared_with: Vec<String>,
}

fn detail(view: View) -> IncidentDetail {
    IncidentDetail {
        incident: out(&view.record, view.sight),
        timeline: view
            .entries
            .iter()
            .map(|e| IncidentEntryOut {
                at: timestamp_text(e.at),
                author: e.author_name.clone(),
                kind: e.kind.as_str().to_owned(),
                text: e.text.clone(),
                before: e.before.clone(),
                after: e.after.clone(),
            })
            .collect(),
        shared_with: view.shares.into_iter().map(|(_, name)| name).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentOut>,
    /// How many match the filters in all.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A severity level.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeverityOut {
    pub code: String,
    pub rank: i64,
    pub name_ja: String,
    pub name_en: String,
    pub definition_ja: String,
    pub definition_en: String,
}

/// A report. `noticed_at` as a date or a date and time in Japan (ISO 8601 or 和暦);
/// `personal`: `yes`, `no` or `unknown` (はい / いいえ / 不明 read too); `reporter`: a
/// login, when staff enter a report taken by phone; `asset_id`: an asset concerned.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "議員用タブレットの紛失", "description":
    "帰宅途中の電車内にタブレットを置き忘れました。", "noticed_at": "2026-12-06T19:40",
    "place": "しなの鉄道の車内", "personal": "unknown", "contact": "090-1234-5678"}))]
pub struct IncidentIn {
    pub title: String,
    pub description: String,
    pub noticed_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub personal: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub reporter: String,
    #[serde(default)]
    pub asset_id: Option<i64>,
}

/// Triage: a severity code (see `/api/v1/incidents/severities`), a threat id of the
/// catalogue, personal information and how many people, the owner's login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"severity": "high", "threat_id": 12, "personal": "yes",
    "people": "120", "owner": "csirt.ito"}))]
pub struct IncidentTriageIn {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub threat_id: Option<i64>,
    #[serde(default)]
    pub personal: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub owner: String,
}

/// A stage of an open incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "investigation"}))]
pub struct IncidentStageIn {
    #[schema(value_type = crate::api::codes::IncidentStage)]
    pub stage: String,
}

/// A note on the timeline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "端末の遠隔ロックを実施した。"}))]
pub struct IncidentNoteIn {
    pub text: String,
}

/// Closing: the summary and the cause.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "端末は翌日に発見され、不正な利用はなかった。",
    "cause": "車内への置き忘れ"}))]
pub struct IncidentCloseIn {
    pub summary: String,
    pub cause: String,
}

/// Reopening: the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "同じ端末から不審な通信が見つかったため"}))]
pub struct IncidentReopenIn {
    pub reason: String,
}

/// Sharing with someone who must help: their login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"login": "hoshu.yamada"}))]
pub struct IncidentShareIn {
    pub login: String,
}

async fn gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Incidents, Act::Edit, what)
        .await?;
    Ok(())
}

async fn detail_of(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<IncidentDetail, AppError> {
    Ok(detail(
        app_incidents::show(&state.app, &signed.0.acting, id).await?,
    ))
}

/// The incidents the caller may see, the newest noticed first, a page at a time:
/// filtered by 年度, stage and severity, searched over titles, descriptions and places.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentQuery),
    responses(
        (status = 200, body = IncidentList),
        (status = 400, body = crate::api::ErrorBody, description = "`invalid_pagination`"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: a year, stage or severity that cannot be read"),
    ))]
pub async fn list_incidents(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<IncidentQuery>,
) -> Result<Json<IncidentList>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Incidents, Act::Read, "incident.list")
        .await?;
    let (query, request) = query.read()??;
    let listed = app_incidents::list(&state.app, acting, &query).await?;
    Ok(Json(IncidentList {
        items: listed
            .rows
            .iter()
            .map(|l: &Listed| out(&l.record, l.sight))
            .collect(),
        total: u64::try_from(listed.total).unwrap_or(0),
        page: request.page,
        per_page: request.per_page,
    }))
}

/// The severity levels, lowest first.
#[utoipa::path(get, path = "/api/v1/incidents/severities", tag = "incidents",
    responses(
        (status = 200, body = Vec<SeverityOut>),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn severities(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<SeverityOut>>, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Incidents,
            Act::Read,
            "incident.severities",
        )
        .await?;
    Ok(Json(
        app_incidents::severities(&state.app)
            .await?
            .into_iter()
            .map(|s| SeverityOut {
                code: s.code,
                rank: s.rank,
                name_ja: s.name_ja,
                name_en: s.name_en,
                definition_ja: s.definition_ja,
                definition_en: s.definition_en,
            })
            .collect(),
    ))
}

/// One incident, as far as the caller may see it.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses(
        (status = 200, body = IncidentDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_incident(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<IncidentDetail>, AppError> {
    Ok(Json(detail_of(&state, &signed, parse_id(&id)?).await?))
}

/// Reports an incident; the security officer and the CSIRT are told at once.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents",
    request_body = IncidentIn,
    responses(
        (status = 201, body = IncidentDetail, description = "Reported; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (no title, a time in the future, \
                           an unknown reporter or asset…)"),
    ))]
pub async fn report(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Incidents, Act::Read, "incident.report")
        .await?;
    let input: IncidentIn = read_json(request).await?;
    let form = ReportForm {
        title: input.title,
        description: input.description,
        noticed_at: input.noticed_at,
        place: input.place,
        personal: input.personal,
        contact: input.contact,
    };
    let reporter = Some(input.reporter.as_str()).filter(|r| !r.trim().is_empty());
    let (id, _) =
        app_incidents::report(&state.app, acting, &form, reporter, input.asset_id).await?;
    Ok(crate::api::created(
        detail_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}"),
    ))
}

/// Triage; each changed field is a timeline entry.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/triage", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentTriageIn,
    responses(
        (status = 200, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: closed"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: an unknown severity, threat or owner"),
    ))]
pub async fn triage(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentDetail>, AppError> {
    gate(&state, &signed, "incident.triage").await?;
    let id = parse_id(&id)?;
    let input: IncidentTriageIn = read_json(request).await?;
    let form = TriageForm {
        severity: input.severity,
        threat_id: input.threat_id.map(|n| n.to_string()).unwrap_or_default(),
        personal: input.personal,
        people: input.people,
        owner: input.owner,
    };
    app_incidents::triage(&state.app, &signed.0.acting, id, &form).await?;
    Ok(Json(detail_of(&state, &signed, id).await?))
}

/// Moves an open incident to another stage.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/stage", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentStageIn,
    responses(
        (status = 200, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: closed"),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn set_stage(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentDetail>, AppError> {
    gate(&state, &signed, "incident.stage").await?;
    let id = parse_id(&id)?;
    let input: IncidentStageIn = read_json(request).await?;
    app_incidents::set_stage(&state.app, &signed.0.acting, id, &input.stage).await?;
    Ok(Json(detail_of(&state, &signed, id).await?))
}

/// Notes on the timeline what was done or learnt.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/notes", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentNoteIn,
    responses(
        (status = 201, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn add_note(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.note").await?;
    let id = parse_id(&id)?;
    let input: IncidentNoteIn = read_json(request).await?;
    app_incidents::note(&state.app, &signed.0.acting, id, &input.text).await?;
    Ok(crate::api::created(
        detail_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}"),
    ))
}

/// Closes an incident with its summary and cause.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentCloseIn,
    responses(
        (status = 200, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: closed already"),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn close(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentDetail>, AppError> {
    gate(&state, &signed, "incident.close").await?;
    let id = parse_id(&id)?;
    let input: IncidentCloseIn = read_json(request).await?;
    app_incidents::close(
        &state.app,
        &signed.0.acting,
        id,
        &input.summary,
        &input.cause,
    )
    .await?;
    Ok(Json(detail_of(&state, &signed, id).await?))
}

/// Reopens a closed incident, with the reason.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reopen", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentReopenIn,
    responses(
        (status = 200, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: not closed"),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn reopen(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentDetail>, AppError> {
    gate(&state, &signed, "incident.reopen").await?;
    let id = parse_id(&id)?;
    let input: IncidentReopenIn = read_json(request).await?;
    app_incidents::reopen(&state.app, &signed.0.acting, id, &input.reason).await?;
    Ok(Json(detail_of(&state, &signed, id).await?))
}

/// Shares the incident with someone who must help.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/shares", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentShareIn,
    responses(
        (status = 201, body = IncidentDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: an unknown login, or shared already"),
    ))]
pub async fn share(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.share").await?;
    let id = parse_id(&id)?;
    let input: IncidentShareIn = read_json(request).await?;
    app_incidents::share(&state.app, &signed.0.acting, id, &input.login).await?;
    Ok(crate::api::created(
        detail_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}"),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_incidents,
        severities,
        get_incident,
        report,
        triage,
        set_stage,
        add_note,
        close,
        reopen,
        share
    ),
    components(schemas(
        IncidentOut,
        IncidentEntryOut,
        IncidentDetail,
        IncidentList,
        SeverityOut,
        IncidentIn,
        IncidentTriageIn,
        IncidentStageIn,
        IncidentNoteIn,
        IncidentCloseIn,
        IncidentReopenIn,
        IncidentShareIn
    ))
)]
pub struct Doc;
