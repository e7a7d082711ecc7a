//! Continuity over the API, on the same use cases as the pages
//! (`mamori_app::continuity`): the overview (services, roster, warnings, drills of a
//! 年度), services, the roster, and a drill's record and findings.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::continuity::{
    self as app_continuity, CoverForm, CoverView, DrillView, ServiceView,
};
use mamori_domain::continuity::{DrillForm, ServiceForm};
use mamori_domain::corrective::ActionInput;
use mamori_domain::wareki::Lang;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// An alternate with their training status this 年度.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlternateOut {
    pub login: String,
    pub name: String,
    pub active: bool,
    /// The yearly training rule: `met`, `due`, `overdue`, `not_bound`, or null when not
    /// counted.
    pub yearly_training: Option<String>,
    /// Took part in an emergency drill this 年度.
    pub drilled: bool,
    /// `same_person`, `inactive`.
    pub warnings: Vec<String>,
}

/// An entry of the roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverOut {
    pub id: i64,
    /// `user:<id>` or `post:<id>`.
    pub covered: String,
    pub service_id: Option<i64>,
    pub note: String,
    pub alternates: Vec<AlternateOut>,
}

fn cover_out(c: &CoverView) -> CoverOut {
    CoverOut {
        id: c.cover.id,
        covered: c.cover.covered.code(),
        service_id: c.cover.service_id,
        note: c.cover.note.clone(),
        alternates: c
            .alternates
            .iter()
            .map(|a| AlternateOut {
                login: a.person.login.clone(),
                name: a.person.name.clone(),
                active: a.person.active,
                yearly_training: a.standing.map(|s| s.yearly.as_str().to_owned()),
                drilled: a.drilled,
                warnings: a.warnings.iter().map(|w| w.as_str().to_owned()).collect(),
            })
            .collect(),
    }
}

/// A critical service. Names and texts in both languages: the same for one the
/// assembly wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: i64,
    pub code: Option<String>,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub workarounds_ja: Vec<String>,
    pub workarounds_en: Vec<String>,
    pub priority: i64,
    /// The target recovery time in hours, read from `rto_text`.
    pub rto_hours: i64,
    #[schema(example = "4時間")]
    pub rto_text: String,
    pub post_id: Option<i64>,
    pub retired: bool,
    /// The assets it depends on that the caller may see.
    pub asset_ids: Vec<i64>,
    /// How many more it depends on that the caller may not see.
    pub hidden_assets: usize,
    /// The roster entries covering it.
    pub cover_ids: Vec<i64>,
    /// `no_alternate`, `same_person`, `inactive`.
    pub warnings: Vec<String>,
}

fn service_out(v: &ServiceView) -> ServiceOut {
    let s = &v.service;
    ServiceOut {
        id: s.id,
        code: s.code.clone(),
        name_ja: s.name_ja.clone(),
        name_en: s.name_en.clone(),
        description_ja: s.description_ja.clone(),
        description_en: s.description_en.clone(),
        workarounds_ja: s.workarounds_ja.clone(),
        workarounds_en: s.workarounds_en.clone(),
        priority: s.priority,
        rto_hours: s.rto_hours,
        rto_text: s.rto_text.clone(),
        post_id: s.post_id,
        retired: s.retired,
        asset_ids: v.assets.iter().map(|a| a.0).collect(),
        hidden_assets: v.hidden_assets,
        cover_ids: v.covers.clone(),
        warnings: v.warnings.iter().map(|w| w.as_str().to_owned()).collect(),
    }
}

/// A drill of the 年度.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillLineOut {
    pub session_id: i64,
    pub held_on: String,
    pub course: String,
    pub scenario_id: Option<i64>,
    pub scenario: Option<String>,
    pub recorded: bool,
    pub findings: usize,
}

/// The continuity overview.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContinuityOut {
    pub fiscal_year: i32,
    pub services: Vec<ServiceOut>,
    pub roster: Vec<CoverOut>,
    pub drills: Vec<DrillLineOut>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct YearParams {
    /// The 年度 of the drills: 2026, 令和8年度, FY2026 (this 年度 when absent).
    year: Option<String>,
}

/// The services by priority with their alternates and warnings, the roster, and the
/// drills of a 年度.
#[utoipa::path(get, path = "/api/v1/continuity", tag = "continuity", params(YearParams),
    responses(
        (status = 200, body = ContinuityOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn overview(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(params): Query<YearParams>,
) -> Result<Json<ContinuityOut>, AppError> {
    let acting = &signed.0.acting;
    app_continuity::read_gate(&state.app, acting, "continuity.overview").await?;
    let fy = crate::http::params::training::year_asked(params.year.as_deref())
        .map_err(mamori_app::Failure::invalid)?;
    let view = app_continuity::overview(&state.app, acting, fy).await?;
    Ok(Json(ContinuityOut {
        fiscal_year: fy.year(),
        services: view.services.iter().map(service_out).collect(),
        roster: view.covers.iter().map(cover_out).collect(),
        drills: view
            .drills
            .iter()
            .map(|d| DrillLineOut {
                session_id: d.session.id,
                held_on: mamori_store_date(d.session.held_on),
                course: d.session.course_title.clone(),
                scenario_id: d.record.as_ref().and_then(|r| r.scenario_id),
                scenario: d.record.as_ref().and_then(|r| r.scenario_title.clone()),
                recorded: d.record.is_some(),
                findings: d.findings,
            })
            .collect(),
    }))
}

fn mamori_store_date(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A critical service. `rto` as people write it ("4時間", "1日", "３日以内", "半日",
/// "2 hours"); `post_id` an id of the organisation's posts; `workarounds` one per line;
/// `asset_ids` assets of the register the caller sees.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "委員会資料の配付", "description": "委員会の資料を議員に配付する",
    "priority": "6", "rto": "半日", "post_id": 4, "workarounds": "紙で配付する\nファクスで送る",
    "asset_ids": [12], "retired": false}))]
pub struct ServiceIn {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub priority: String,
    pub rto: String,
    #[serde(default)]
    pub post_id: Option<i64>,
    #[serde(default)]
    pub workarounds: String,
    #[serde(default)]
    pub asset_ids: Vec<i64>,
    #[serde(default)]
    pub retired: bool,
}

fn form(input: &ServiceIn) -> ServiceForm {
    ServiceForm {
        name: input.name.clone(),
        description: input.description.clone(),
        priority: input.priority.clone(),
        rto: input.rto.clone(),
        post_id: input.post_id.map(|p| p.to_string()).unwrap_or_default(),
        workarounds: input.workarounds.clone(),
        retired: input.retired,
    }
}

async fn service_of(state: &AppState, signed: &SignedIn, id: i64) -> Result<ServiceOut, AppError> {
    let detail = app_continuity::service(&state.app, &signed.0.acting, id).await?;
    Ok(service_out(&detail.view))
}

/// Adds a critical service.
#[utoipa::path(post, path = "/api/v1/continuity/services", tag = "continuity",
    request_body = ServiceIn,
    responses(
        (status = 201, body = ServiceOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (a recovery time that cannot be read…)"),
    ))]
pub async fn create_service(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.service_create").await?;
    let input: ServiceIn = read_json(request).await?;
    let id =
        app_continuity::create_service(&state.app, acting, &form(&input), &input.asset_ids).await?;
    Ok(crate::api::created(
        service_of(&state, &signed, id).await?,
        &format!("/api/v1/continuity/services/{id}"),
    ))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/continuity/services/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "The service's id")),
    responses(
        (status = 200, body = ServiceOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_service(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ServiceOut>, AppError> {
    app_continuity::read_gate(&state.app, &signed.0.acting, "continuity.service").await?;
    Ok(Json(service_of(&state, &signed, parse_id(&id)?).await?))
}

/// Rewrites a service: the texts as given are kept in both languages where they differ
/// from the Japanese ones (the API writes as the Japanese page does); `asset_ids` are
/// the links among the assets the caller sees (others are kept).
#[utoipa::path(put, path = "/api/v1/continuity/services/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "The service's id")),
    request_body = ServiceIn,
    responses(
        (status = 200, body = ServiceOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn update_service(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<ServiceOut>, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.service_update").await?;
    let id = parse_id(&id)?;
    let input: ServiceIn = read_json(request).await?;
    app_continuity::update_service(
        &state.app,
        acting,
        id,
        &form(&input),
        &input.asset_ids,
        Lang::Ja,
    )
    .await?;
    Ok(Json(service_of(&state, &signed, id).await?))
}

/// The roster, with each alternate's training status.
#[utoipa::path(get, path = "/api/v1/continuity/roster", tag = "continuity",
    responses(
        (status = 200, body = Vec<CoverOut>),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn roster(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<CoverOut>>, AppError> {
    let roster = app_continuity::roster(&state.app, &signed.0.acting).await?;
    Ok(Json(roster.covers.iter().map(cover_out).collect()))
}

/// An entry of the roster: `covered` is `user:<id>` or `post:<id>`; `service_id` one
/// service, or none for all the covered one does; `alternates` logins in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"covered": "post:4", "service_id": 2,
    "alternates": ["jimu.sato", "jimu.suzuki"], "note": "平日昼間は佐藤、夜間・休日は鈴木"}))]
pub struct CoverIn {
    pub covered: String,
    #[serde(default)]
    pub service_id: Option<i64>,
    pub alternates: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// Adds an entry to the roster.
#[utoipa::path(post, path = "/api/v1/continuity/roster", tag = "continuity",
    request_body = CoverIn,
    responses(
        (status = 201, body = CoverOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: no alternate, one named twice, someone covering themselves"),
    ))]
pub async fn add_cover(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.cover_add").await?;
    let input: CoverIn = read_json(request).await?;
    let form = CoverForm {
        covered: input.covered,
        service: input.service_id.map(|s| s.to_string()).unwrap_or_default(),
        alternates: input.alternates,
        note: input.note,
    };
    let id = app_continuity::add_cover(&state.app, acting, &form).await?;
    let roster = app_continuity::roster(&state.app, acting).await?;
    let cover = roster
        .covers
        .iter()
        .find(|c| c.cover.id == id)
        .ok_or_else(AppError::not_found)?;
    Ok(crate::api::created(
        cover_out(cover),
        "/api/v1/continuity/roster",
    ))
}

/// Removes an entry of the roster.
#[utoipa::path(delete, path = "/api/v1/continuity/roster/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "The roster entry's id")),
    responses(
        (status = 204),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn remove_cover(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.cover_remove").await?;
    app_continuity::remove_cover(&state.app, acting, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A drill: the session, what it exercised, how it went, and its findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillOut {
    pub session_id: i64,
    pub held_on: String,
    pub course: String,
    pub scenario_id: Option<i64>,
    pub scenario: Option<String>,
    pub service_ids: Vec<i64>,
    pub went_well: String,
    pub went_badly: String,
    /// The corrective actions of its findings the caller may see.
    pub finding_action_ids: Vec<i64>,
    /// The scenarios of the published response plans to choose from.
    pub scenarios: Vec<DrillScenarioOut>,
}

/// A scenario of a published response plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrillScenarioOut {
    pub id: i64,
    pub title: String,
    /// The plan's title.
    pub plan: String,
}

fn drill_out(v: &DrillView) -> DrillOut {
    let r = v.record.as_ref();
    DrillOut {
        session_id: v.session.id,
        held_on: mamori_store_date(v.session.held_on),
        course: v.session.course_title.clone(),
        scenario_id: r.and_then(|r| r.scenario_id),
        scenario: r.and_then(|r| r.scenario_title.clone()),
        service_ids: r.map(|r| r.services.clone()).unwrap_or_default(),
        went_well: r.map(|r| r.went_well.clone()).unwrap_or_default(),
        went_badly: r.map(|r| r.went_badly.clone()).unwrap_or_default(),
        finding_action_ids: v.findings.iter().map(|a| a.id).collect(),
        scenarios: v
            .scenarios
            .iter()
            .map(|s| DrillScenarioOut {
                id: s.id,
                title: s.title.clone(),
                plan: s.plan_title.clone(),
            })
            .collect(),
    }
}

async fn drill_of(state: &AppState, signed: &SignedIn, id: i64) -> Result<DrillOut, AppError> {
    let view = app_continuity::drill(&state.app, &signed.0.acting, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(drill_out(&view))
}

/// A drill session's record (a training session of a drill course).
#[utoipa::path(get, path = "/api/v1/continuity/drills/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "The training session's id")),
    responses(
        (status = 200, body = DrillOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "No such session, or not a drill"),
    ))]
pub async fn get_drill(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<DrillOut>, AppError> {
    app_continuity::read_gate(&state.app, &signed.0.acting, "continuity.drill").await?;
    Ok(Json(drill_of(&state, &signed, parse_id(&id)?).await?))
}

/// What a drill exercised and how it went.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scenario_id": 3, "service_ids": [1, 2],
    "went_well": "連絡網で30分以内に全議員に連絡できた", "went_badly": "代替会場の鍵の保管場所が分からなかった"}))]
pub struct DrillIn {
    #[serde(default)]
    pub scenario_id: Option<i64>,
    #[serde(default)]
    pub service_ids: Vec<i64>,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub went_badly: String,
}

/// Records (again) a drill's scenario, services and results.
#[utoipa::path(put, path = "/api/v1/continuity/drills/{id}", tag = "continuity",
    params(("id" = i64, Path, description = "The training session's id")),
    request_body = DrillIn,
    responses(
        (status = 200, body = DrillOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: a scenario not of a published plan, an unknown service"),
    ))]
pub async fn save_drill(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<DrillOut>, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.drill_save").await?;
    let id = parse_id(&id)?;
    let input: DrillIn = read_json(request).await?;
    let form = DrillForm {
        scenario_id: input.scenario_id,
        services: input.service_ids,
        went_well: input.went_well,
        went_badly: input.went_badly,
    };
    app_continuity::save_drill(&state.app, acting, id, &form).await?;
    Ok(Json(drill_of(&state, &signed, id).await?))
}

/// A finding of a drill, which becomes a corrective action: title, description, owner
/// (`user:<id>` or `post:<code>`), due date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "代替会場の鍵の保管場所を決める",
    "description": "訓練で鍵の場所が分からなかった", "owner": "post:security_manager",
    "due_on": "2027-01-31"}))]
pub struct FindingIn {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner: String,
    pub due_on: String,
    #[serde(default)]
    pub confirm_past_dates: bool,
}

/// A finding id.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// The corrective action it became.
    pub action_id: i64,
}

/// Turns a finding of the drill into a corrective action whose source is the session.
#[utoipa::path(post, path = "/api/v1/continuity/drills/{id}/findings", tag = "continuity",
    params(("id" = i64, Path, description = "The training session's id")),
    request_body = FindingIn,
    responses(
        (status = 201, body = FindingOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn add_finding(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.finding").await?;
    let id = parse_id(&id)?;
    let input: FindingIn = read_json(request).await?;
    let action = ActionInput {
        title: input.title,
        description: input.description,
        owner: input.owner,
        due_on: input.due_on,
        due_days: String::new(),
        due_kind: String::new(),
        confirm_past_dates: input.confirm_past_dates,
    };
    let action_id = app_continuity::add_finding(&state.app, acting, id, &action).await?;
    Ok(crate::api::created(
        FindingOut { action_id },
        &format!("/api/v1/actions/{action_id}"),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        overview,
        create_service,
        get_service,
        update_service,
        roster,
        add_cover,
        remove_cover,
        get_drill,
        save_drill,
        add_finding
    ),
    components(schemas(
        AlternateOut,
        CoverOut,
        ServiceOut,
        DrillLineOut,
        ContinuityOut,
        ServiceIn,
        CoverIn,
        DrillOut,
        DrillScenarioOut,
        DrillIn,
        FindingIn,
        FindingOut
    ))
)]
pub struct Doc;
