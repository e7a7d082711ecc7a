//! An incident's links (assets, threats, risks), reassessment requests and lessons
//! over the API, and the year's figures and export: the same use cases as the pages
//! (`mamori_app::incidents::{links, figures}`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::incidents::figures as app_figures;
use mamori_app::incidents::links::{self as app_links, Linked};
use mamori_app::timestamp_text;
use mamori_domain::access::{Act, Register};
use mamori_domain::corrective::ActionInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::cycle::CorrectiveActionOut;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::http::params::training::year_asked;
use crate::state::AppState;

async fn permit(state: &AppState, signed: &SignedIn, act: Act, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Incidents, act, what)
        .await?;
    Ok(())
}

/// One link of an incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentLinkOut {
    #[schema(value_type = crate::api::codes::IncidentLinkKind)]
    pub kind: &'static str,
    pub target_id: i64,
    /// The asset's name, threat's name or risk's title; null when the caller may not
    /// see it.
    pub name: Option<String>,
    pub linked_at: String,
    pub linked_by: Option<String>,
    /// When a reassessment of the (risk) link was asked, and why.
    pub reassessment_asked_at: Option<String>,
    pub reassessment_reason: String,
    /// The risk was reassessed since.
    pub reassessed: bool,
}

fn link_out(l: Linked) -> IncidentLinkOut {
    let link = l.link;
    IncidentLinkOut {
        kind: link.kind.as_str(),
        target_id: link.target_id,
        name: if l.visible { link.name } else { None },
        linked_at: timestamp_text(link.linked_at),
        linked_by: link.linked_by_name,
        reassessment_asked_at: link.reassess_asked_at.map(timestamp_text),
        reassessment_reason: link.reassess_reason,
        reassessed: link.reassessed,
    }
}

async fn links_of(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<Vec<IncidentLinkOut>, AppError> {
    Ok(app_links::links(&state.app, &signed.0.acting, id)
        .await?
        .into_iter()
        .map(link_out)
        .collect())
}

/// The incident's links (for those who see all of it).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/links", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses(
        (status = 200, body = Vec<IncidentLinkOut>),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn list_links(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Vec<IncidentLinkOut>>, AppError> {
    permit(&state, &signed, Act::Read, "incident.links").await?;
    let id = parse_id(&id)?;
    Ok(Json(links_of(&state, &signed, id).await?))
}

/// What to link or unlink: a kind and the record's id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "asset", "target": "12"}))]
pub struct IncidentLinkIn {
    #[schema(value_type = crate::api::codes::IncidentLinkKind)]
    pub kind: String,
    /// The asset's, threat's or risk's number ("12", "１２", "#12").
    pub target: String,
}

/// Links the incident to an asset the caller may see, a threat of the catalogue, or
/// a risk (when the caller reads the risk register).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/links", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentLinkIn,
    responses(
        (status = 201, body = Vec<IncidentLinkOut>),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: unknown kind or record, or linked already"),
    ))]
pub async fn add_link(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Edit, "incident.link").await?;
    let id = parse_id(&id)?;
    let input: IncidentLinkIn = read_json(request).await?;
    app_links::link(&state.app, &signed.0.acting, id, &input.kind, &input.target).await?;
    Ok(crate::api::created(
        links_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}/links"),
    ))
}

/// Removes a link.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/links/remove", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentLinkIn,
    responses(
        (status = 200, body = Vec<IncidentLinkOut>),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: not linked"),
    ))]
pub async fn remove_link(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<Vec<IncidentLinkOut>>, AppError> {
    permit(&state, &signed, Act::Edit, "incident.unlink").await?;
    let id = parse_id(&id)?;
    let input: IncidentLinkIn = read_json(request).await?;
    app_links::unlink(&state.app, &signed.0.acting, id, &input.kind, &input.target).await?;
    Ok(Json(links_of(&state, &signed, id).await?))
}

/// A linked risk to reassess, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"risk": "3", "reason": "同じ手口の紛失が続いたため、発生可能性を見直してください。"}))]
pub struct IncidentReassessmentIn {
    pub risk: String,
    pub reason: String,
}

/// Asks that a linked risk be reassessed; the security officers are told.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reassessments", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentReassessmentIn,
    responses(
        (status = 201, body = Vec<IncidentLinkOut>),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: the risk is not linked, or no reason"),
    ))]
pub async fn ask_reassessment(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Edit, "incident.reassessment").await?;
    let id = parse_id(&id)?;
    let input: IncidentReassessmentIn = read_json(request).await?;
    app_links::ask_reassessment(&state.app, &signed.0.acting, id, &input.risk, &input.reason)
        .await?;
    Ok(crate::api::created(
        links_of(&state, &signed, id).await?,
        &format!("/api/v1/incidents/{id}/links"),
    ))
}

/// A lesson: a corrective action of the shared register, its source the incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "タブレットの画面ロックを5分に統一する", "owner": "post:system_staff", "due_days": 20, "due_kind": "working"}))]
pub struct IncidentLessonIn {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `post:<post>` or `user:<id>`.
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
    #[serde(default)]
    pub confirm_past_dates: bool,
}

/// The corrective actions recorded as the incident's lessons.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/lessons", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    responses(
        (status = 200, body = Vec<CorrectiveActionOut>),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn list_lessons(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Vec<CorrectiveActionOut>>, AppError> {
    permit(&state, &signed, Act::Read, "incident.lessons").await?;
    let id = parse_id(&id)?;
    Ok(Json(
        app_links::lessons(&state.app, &signed.0.acting, id)
            .await?
            .into_iter()
            .map(CorrectiveActionOut::from)
            .collect(),
    ))
}

/// Records a lesson of an open incident as a corrective action.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/lessons", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's id")),
    request_body = IncidentLessonIn,
    responses(
        (status = 201, body = Vec<CorrectiveActionOut>),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: closed"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`, or `confirmation_needed` for a past due date"),
    ))]
pub async fn add_lesson(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Edit, "incident.lesson").await?;
    let id = parse_id(&id)?;
    let body: IncidentLessonIn = read_json(request).await?;
    let input = ActionInput {
        title: body.title,
        description: body.description.unwrap_or_default(),
        owner: body.owner,
        due_on: body.due_on.unwrap_or_default(),
        due_days: body.due_days.map(|d| d.to_string()).unwrap_or_default(),
        due_kind: body.due_kind.unwrap_or_default(),
        confirm_past_dates: body.confirm_past_dates,
    };
    let acting = &signed.0.acting;
    app_links::add_lesson(&state.app, acting, id, &input).await?;
    let lessons: Vec<CorrectiveActionOut> = app_links::lessons(&state.app, acting, id)
        .await?
        .into_iter()
        .map(CorrectiveActionOut::from)
        .collect();
    Ok(crate::api::created(
        lessons,
        &format!("/api/v1/incidents/{id}/lessons"),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// 年度: `2026` or `令和8年度`; this one when absent.
    pub year: Option<String>,
    /// Export only: `true` includes who reported, their contact, the place and the
    /// description (recorded in the audit trail).
    pub personal: Option<bool>,
}

/// A count under a name (a family, severity or stage code; null: not yet set).
#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    pub code: Option<String>,
    pub count: usize,
}

/// Durations in hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct DurationsOut {
    pub count: usize,
    pub median_hours: Option<f64>,
    pub longest_hours: Option<f64>,
}

/// A 年度's incident figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentFiguresOut {
    pub fiscal_year: i32,
    pub total: usize,
    pub by_family: Vec<CountOut>,
    pub by_severity: Vec<CountOut>,
    pub by_stage: Vec<CountOut>,
    /// Incidents where personal information is or may be involved, and the people.
    pub personal: usize,
    pub people: i64,
    /// From the report to the handlers' first action.
    pub first_response: DurationsOut,
    /// From being noticed to being closed.
    pub to_close: DurationsOut,
    /// Outside reports the duties asked: made on time, made late, overdue, not yet due.
    pub reports_on_time: usize,
    pub reports_late: usize,
    pub reports_overdue: usize,
    pub reports_due: usize,
}

/// The figures of the incidents numbered in a 年度 (those who see every incident).
#[utoipa::path(get, path = "/api/v1/incidents/figures", tag = "incidents", params(FiguresQuery),
    responses(
        (status = 200, body = IncidentFiguresOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: the year"),
    ))]
pub async fn figures(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<FiguresQuery>,
) -> Result<Json<IncidentFiguresOut>, AppError> {
    permit(&state, &signed, Act::SeeAll, "incident.figures").await?;
    let fy = year_asked(query.year.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let y = app_figures::figures(&state.app, &signed.0.acting, fy).await?;
    let (f, r) = (y.figures, y.reports);
    let durations = |d: mamori_domain::incident_figures::Durations| DurationsOut {
        count: d.count,
        median_hours: d.median_hours,
        longest_hours: d.longest_hours,
    };
    Ok(Json(IncidentFiguresOut {
        fiscal_year: fy.year(),
        total: f.total,
        by_family: f
            .by_family
            .iter()
            .map(|(family, count)| CountOut {
                code: family.map(|f| f.as_str().to_owned()),
                count: *count,
            })
            .collect(),
        by_severity: f
            .by_severity
            .iter()
            .map(|(code, count)| CountOut {
                code: code.clone(),
                count: *count,
            })
            .collect(),
        by_stage: f
            .by_stage
            .iter()
            .map(|(stage, count)| CountOut {
                code: Some(stage.as_str().to_owned()),
                count: *count,
            })
            .collect(),
        personal: f.personal,
        people: f.people,
        first_response: durations(f.first_response),
        to_close: durations(f.to_close),
        reports_on_time: r.on_time,
        reports_late: r.late,
        reports_overdue: r.overdue,
        reports_due: r.due,
    }))
}

/// The year's figures and list as .xlsx; personal information only with
/// `personal=true`.
#[utoipa::path(get, path = "/api/v1/incidents/export", tag = "incidents", params(FiguresQuery),
    responses(
        (status = 200, description = "The workbook",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: the year"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    ctx: crate::http::context::Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<FiguresQuery>,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::SeeAll, "incident.export").await?;
    let fy = year_asked(query.year.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let bytes = app_figures::export_xlsx(
        &state.app,
        &signed.0.acting,
        fy,
        query.personal.unwrap_or(false),
        ctx.tr.lang,
    )
    .await?;
    Ok((
        StatusCode::OK,
        crate::http::download::named(
            bytes,
            mamori_app::sheets::Format::Xlsx,
            &format!("incidents-{}.xlsx", fy.year()),
            &format!("incidents-{}.xlsx", fy.year()),
        ),
    )
        .into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_links,
        add_link,
        remove_link,
        ask_reassessment,
        list_lessons,
        add_lesson,
        figures,
        export
    ),
    components(schemas(
        IncidentLinkOut,
        IncidentLinkIn,
        IncidentReassessmentIn,
        IncidentLessonIn,
        CountOut,
        DurationsOut,
        IncidentFiguresOut
    ))
)]
pub struct Doc;
