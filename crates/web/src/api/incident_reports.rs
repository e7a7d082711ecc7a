//! Outside reports of incidents over the API, on the same use cases as the pages
//! (`mamori_app::incidents::reports`): an incident's clocks and reports, recording a
//! report (multipart, with the file sent), withdrawing one, the facts, the duties and
//! the people threshold.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::incidents::reports::{self as app_reports, DutyRecord, Panel};
use mamori_app::timestamp_text;
use mamori_domain::access::{Act, Register};
use mamori_domain::incident_report::{ClockState, DutyForm, FactsForm, SentForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::created;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::upload::read_upload;
use crate::state::AppState;

/// A report duty.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDutyOut {
    pub id: i64,
    pub recipient_ja: String,
    pub recipient_en: String,
    #[schema(value_type = crate::api::codes::IncidentReportStage)]
    pub stage: String,
    /// Any of these makes the duty apply.
    #[schema(value_type = Vec<crate::api::codes::IncidentReportTrigger>)]
    pub triggers: Vec<String>,
    /// Any of these makes it not apply.
    #[schema(value_type = Vec<crate::api::codes::IncidentReportTrigger>)]
    pub unless: Vec<String>,
    /// The severity code the `severity` trigger asks for at least.
    pub min_severity: Option<String>,
    pub days: u32,
    #[schema(value_type = crate::api::codes::DayCount)]
    pub day_count: String,
    pub active: bool,
    pub position: i64,
}

fn duty_out(d: &DutyRecord) -> IncidentDutyOut {
    IncidentDutyOut {
        id: d.id,
        recipient_ja: d.recipient_ja.clone(),
        recipient_en: d.recipient_en.clone(),
        stage: d.stage.as_str().to_owned(),
        triggers: d.triggers.iter().map(|t| t.as_str().to_owned()).collect(),
        unless: d.unless.iter().map(|t| t.as_str().to_owned()).collect(),
        min_severity: d.min_severity.clone(),
        days: d.days,
        day_count: d.count.as_str().to_owned(),
        active: d.active,
        position: d.position,
    }
}

/// One duty's clock on an incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentClockOut {
    pub duty: IncidentDutyOut,
    /// ISO 8601; none when the duty does not apply.
    pub due: Option<String>,
    #[schema(value_type = crate::api::codes::IncidentReportClock)]
    pub state: String,
    /// Days left (`due`), overdue (`overdue`) or late (`late`).
    pub days: Option<i64>,
    /// When the report was sent (`on_time`, `late`).
    pub sent_on: Option<String>,
}

/// A report made.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentReportOut {
    pub id: i64,
    pub duty_id: Option<i64>,
    pub recipient: String,
    /// ISO 8601.
    pub sent_on: String,
    pub reference: String,
    pub note: String,
    /// The file sent, an attachment of the incident.
    pub attachment_id: Option<i64>,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by: Option<String>,
    pub withdraw_reason: String,
}

/// The facts that decide the duties: `yes`, `no` or `unknown` each.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sensitive": "no", "intentional": "yes", "unauthorised": "yes",
    "financial": "unknown"}))]
pub struct IncidentFactsIo {
    #[serde(default)]
    #[schema(value_type = crate::api::codes::IncidentPersonal)]
    pub sensitive: String,
    #[serde(default)]
    #[schema(value_type = crate::api::codes::IncidentPersonal)]
    pub intentional: String,
    #[serde(default)]
    #[schema(value_type = crate::api::codes::IncidentPersonal)]
    pub unauthorised: String,
    #[serde(default)]
    #[schema(value_type = crate::api::codes::IncidentPersonal)]
    pub financial: String,
}

/// An incident's outside reports: the clocks, the reports made and the facts.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentReportsOut {
    pub incident_id: i64,
    pub clocks: Vec<IncidentClockOut>,
    pub reports: Vec<IncidentReportOut>,
    pub facts: IncidentFactsIo,
    /// More people than this makes `people_over` hold.
    pub people_threshold: i64,
}

fn reports_out(panel: Panel) -> IncidentReportsOut {
    let date = |d: time::Date| mamori_app::date_text(d);
    let [sensitive, intentional, unauthorised, financial] = panel.facts.map(|f| f.as_str());
    IncidentReportsOut {
        incident_id: panel.incident_id,
        clocks: panel
            .clocks
            .iter()
            .map(|c| {
                let (days, sent_on) = match c.state {
                    ClockState::OnTime { sent_on } => (None, Some(date(sent_on))),
                    ClockState::Late { sent_on, days } => (Some(days), Some(date(sent_on))),
                    ClockState::DueIn { days } | ClockState::Overdue { days } => (Some(days), None),
                    ClockState::NotApplicable => (None, None),
                };
                IncidentClockOut {
                    duty: duty_out(&c.duty),
                    due: c.due.map(date),
                    state: c.state.code().to_owned(),
                    days,
                    sent_on,
                }
            })
            .collect(),
        reports: panel
            .reports
            .iter()
            .map(|r| IncidentReportOut {
                id: r.id,
                duty_id: r.duty_id,
                recipient: r.recipient.clone(),
                sent_on: date(r.sent_on),
                reference: r.reference.clone(),
                note: r.note.clone(),
                attachment_id: r.attachment_id,
                recorded_by: r.recorded_by.clone(),
                recorded_at: timestamp_text(r.recorded_at),
                withdrawn_at: r.withdrawn_at.map(timestamp_text),
                withdrawn_by: r.withdrawn_by.clone(),
                withdraw_reason: r.withdraw_reason.clone(),
            })
            .collect(),
        facts: IncidentFactsIo {
            sensitive: sensitive.to_owned(),
            intentional: intentional.to_owned(),
            unauthorised: unauthorised.to_owned(),
            financial: financial.to_owned(),
        },
        people_threshold: panel.threshold,
    }
}

/// A duty as sent: trigger codes, any of which makes it apply (`unless`: any of which
/// makes it not apply); `days` counted as `day_count` from the day the incident was
/// noticed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recipient_ja": "県市町村課", "recipient_en": "Prefecture",
    "stage": "other", "triggers": ["severity"], "min_severity": "high", "days": 3,
    "day_count": "working", "position": 50}))]
pub struct IncidentDutyIn {
    pub recipient_ja: String,
    #[serde(default)]
    pub recipient_en: String,
    #[schema(value_type = crate::api::codes::IncidentReportStage)]
    pub stage: String,
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::IncidentReportTrigger>)]
    pub triggers: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::IncidentReportTrigger>)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub min_severity: String,
    pub days: u32,
    #[schema(value_type = crate::api::codes::DayCount)]
    pub day_count: String,
    #[serde(default)]
    pub position: i64,
}

impl From<IncidentDutyIn> for DutyForm {
    fn from(d: IncidentDutyIn) -> DutyForm {
        DutyForm {
            recipient_ja: d.recipient_ja,
            recipient_en: d.recipient_en,
            stage: d.stage,
            triggers: d.triggers,
            unless: d.unless,
            min_severity: d.min_severity,
            days: d.days.to_string(),
            day_count: d.day_count,
            position: d.position.to_string(),
        }
    }
}

/// Withdrawing a report recorded by mistake: the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "別のインシデントの報告を誤って記録したため"}))]
pub struct IncidentReportWithdrawIn {
    pub reason: String,
}

/// The people threshold.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"people_threshold": 100}))]
pub struct IncidentReportSettingsIo {
    pub people_threshold: i64,
}

async fn gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Incidents, Act::Edit, what)
        .await?;
    Ok(())
}

async fn out_of(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<IncidentReportsOut, AppError> {
    Ok(reports_out(
        app_reports::of(&state.app, &signed.0.acting, id).await?,
    ))
}

/// An incident's outside reports: the clocks of the duties, the reports made, the
/// facts. Only for those who see the incident in full (404 for its reporter).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/reports", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses(
        (status = 200, body = IncidentReportsOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<IncidentReportsOut>, AppError> {
    Ok(Json(out_of(&state, &signed, parse_id(&id)?).await?))
}

/// Records a report made to an outside body: multipart fields `duty` (a duty's id, or
/// empty), `recipient` (empty takes the duty's), `sent_on` (ISO 8601 or 和暦),
/// `reference` (受付番号), `note`, and optionally `file` (what was sent).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reports", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body(content_type = "multipart/form-data",
        description = "fields `duty`, `recipient`, `sent_on`, `reference`, `note`, optional `file`"),
    responses(
        (status = 201, body = IncidentReportsOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: a bad date, an unknown duty…"),
    ))]
pub async fn record(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.report_sent").await?;
    let id = parse_id(&id)?;
    let upload = read_upload(&state, request).await?;
    let form = SentForm {
        duty: upload.field("duty").to_owned(),
        recipient: upload.field("recipient").to_owned(),
        sent_on: upload.field("sent_on").to_owned(),
        reference: upload.field("reference").to_owned(),
        note: upload.field("note").to_owned(),
    };
    app_reports::record(&state.app, &signed.0.acting, id, &form, upload.file).await?;
    Ok(created(
        out_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}/reports"),
    ))
}

/// Withdraws a report recorded by mistake; it stays, marked withdrawn with the reason.
#[utoipa::path(post, path = "/api/v1/incidents/reports/{id}/withdraw", tag = "incidents",
    params(("id" = i64, Path, description = "The report's id")),
    request_body = IncidentReportWithdrawIn,
    responses(
        (status = 200, body = IncidentReportsOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: withdrawn already"),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: no reason"),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentReportsOut>, AppError> {
    gate(&state, &signed, "incident.report_withdraw").await?;
    let id = parse_id(&id)?;
    let input: IncidentReportWithdrawIn = read_json(request).await?;
    let incident = app_reports::withdraw(&state.app, &signed.0.acting, id, &input.reason).await?;
    Ok(Json(out_of(&state, &signed, incident).await?))
}

/// Sets the facts that decide the duties; each change is a timeline entry.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/facts", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentFactsIo,
    responses(
        (status = 200, body = IncidentReportsOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn set_facts(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentReportsOut>, AppError> {
    gate(&state, &signed, "incident.facts").await?;
    let id = parse_id(&id)?;
    let input: IncidentFactsIo = read_json(request).await?;
    let form = FactsForm {
        sensitive: input.sensitive,
        intentional: input.intentional,
        unauthorised: input.unauthorised,
        financial: input.financial,
    };
    app_reports::set_facts(&state.app, &signed.0.acting, id, &form).await?;
    Ok(Json(out_of(&state, &signed, id).await?))
}

/// The report duties, active first.
#[utoipa::path(get, path = "/api/v1/incidents/duties", tag = "incidents",
    responses(
        (status = 200, body = Vec<IncidentDutyOut>),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_duties(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<IncidentDutyOut>>, AppError> {
    let duties = app_reports::duties(&state.app, &signed.0.acting).await?;
    Ok(Json(duties.iter().map(duty_out).collect()))
}

/// Adds a report duty.
#[utoipa::path(post, path = "/api/v1/incidents/duties", tag = "incidents",
    request_body = IncidentDutyIn,
    responses(
        (status = 201, body = IncidentDutyOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn add_duty(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.duty_add").await?;
    let input: IncidentDutyIn = read_json(request).await?;
    let acting = &signed.0.acting;
    let id = app_reports::add_duty(&state.app, acting, &input.into()).await?;
    let duty = app_reports::duty(&state.app, acting, id).await?;
    Ok(created(duty_out(&duty), "/api/v1/incidents/duties"))
}

/// Changes a report duty.
#[utoipa::path(put, path = "/api/v1/incidents/duties/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The duty's id")),
    request_body = IncidentDutyIn,
    responses(
        (status = 200, body = IncidentDutyOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn edit_duty(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<IncidentDutyOut>, AppError> {
    gate(&state, &signed, "incident.duty_edit").await?;
    let id = parse_id(&id)?;
    let input: IncidentDutyIn = read_json(request).await?;
    let acting = &signed.0.acting;
    app_reports::edit_duty(&state.app, acting, id, &input.into()).await?;
    Ok(Json(duty_out(
        &app_reports::duty(&state.app, acting, id).await?,
    )))
}

/// Retires a report duty: it no longer applies, and stays where a report was made.
#[utoipa::path(post, path = "/api/v1/incidents/duties/{id}/retire", tag = "incidents",
    params(("id" = i64, Path, description = "The duty's id")),
    responses(
        (status = 200, body = IncidentDutyOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: retired already"),
    ))]
pub async fn retire_duty(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<IncidentDutyOut>, AppError> {
    gate(&state, &signed, "incident.duty_retire").await?;
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    app_reports::retire_duty(&state.app, acting, id).await?;
    Ok(Json(duty_out(
        &app_reports::duty(&state.app, acting, id).await?,
    )))
}

/// The people threshold of the `people_over` trigger.
#[utoipa::path(get, path = "/api/v1/incidents/report-settings", tag = "incidents",
    responses(
        (status = 200, body = IncidentReportSettingsIo),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn get_settings(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<IncidentReportSettingsIo>, AppError> {
    let people_threshold = app_reports::threshold(&state.app, &signed.0.acting).await?;
    Ok(Json(IncidentReportSettingsIo { people_threshold }))
}

/// Sets the people threshold (the public-sector rules say more than 100).
#[utoipa::path(put, path = "/api/v1/incidents/report-settings", tag = "incidents",
    request_body = IncidentReportSettingsIo,
    responses(
        (status = 200, body = IncidentReportSettingsIo),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn set_settings(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<IncidentReportSettingsIo>, AppError> {
    gate(&state, &signed, "incident.threshold").await?;
    let input: IncidentReportSettingsIo = read_json(request).await?;
    let people_threshold = app_reports::set_threshold(
        &state.app,
        &signed.0.acting,
        &input.people_threshold.to_string(),
    )
    .await?;
    Ok(Json(IncidentReportSettingsIo { people_threshold }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_reports,
        record,
        withdraw,
        set_facts,
        list_duties,
        add_duty,
        edit_duty,
        retire_duty,
        get_settings,
        set_settings
    ),
    components(schemas(
        IncidentDutyOut,
        IncidentClockOut,
        IncidentReportOut,
        IncidentFactsIo,
        IncidentReportsOut,
        IncidentDutyIn,
        IncidentReportWithdrawIn,
        IncidentReportSettingsIo
    ))
)]
pub struct Doc;
