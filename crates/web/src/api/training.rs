//! Training and drills over the API, on the same use cases as the pages
//! (`mamori_app::training`): a 年度's overview, courses, sessions, attendance (marks, a
//! sign-in sheet, a declaration and its confirmation), the rule, coverage and the plan.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use mamori_app::date_text;
use mamori_app::timestamp_text;
use mamori_app::training::{
    self as app_training, CourseRecord, FiscalYear, Mark, PlanView, Rules, RulesForm,
    SessionRecord, SessionView, time_text,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::awareness::NoticeForm;
use mamori_domain::training::{CourseForm, SessionForm};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::params::training::{user_type_asked, year_asked};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct YearParams {
    /// The 年度: 2026, 令和8年度, FY2026 (this 年度 when absent).
    year: Option<String>,
    /// For coverage: one user type (`member`, `staff`, `other`).
    user_type: Option<String>,
}

fn year_of(year: Option<&str>) -> Result<FiscalYear, AppError> {
    Ok(year_asked(year).map_err(mamori_app::Failure::invalid)?)
}

async fn permit(state: &AppState, signed: &SignedIn, act: Act, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Training, act, what)
        .await?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingCourseOut {
    pub id: i64,
    pub fiscal_year: i32,
    /// `everyone`, `new_staff`, `role_based`, `members`, `drill`, `elearning`, `outside`.
    #[schema(value_type = crate::api::codes::CourseKind)]
    pub kind: String,
    pub title: String,
    pub description: String,
    /// Sessions not cancelled.
    pub sessions: i64,
}

fn course_out(c: &CourseRecord) -> TrainingCourseOut {
    TrainingCourseOut {
        id: c.id,
        fiscal_year: c.fiscal_year,
        kind: c.kind.as_str().to_owned(),
        title: c.title.clone(),
        description: c.description.clone(),
        sessions: c.sessions,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingSessionOut {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    #[schema(value_type = crate::api::codes::CourseKind)]
    pub kind: String,
    /// ISO 8601 day; times are Japan time, HH:MM.
    pub held_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub online: bool,
    pub note: String,
    #[schema(value_type = crate::api::codes::AwarenessAudience)]
    pub audience: String,
    pub audience_codes: Vec<String>,
    pub cancelled_at: Option<String>,
    pub invited: i64,
    pub present: i64,
}

fn session_out(s: &SessionRecord) -> TrainingSessionOut {
    TrainingSessionOut {
        id: s.id,
        course_id: s.course_id,
        course_title: s.course_title.clone(),
        kind: s.kind.as_str().to_owned(),
        held_on: date_text(s.held_on),
        starts_at: time_text(s.starts_at),
        ends_at: time_text(s.ends_at),
        place: s.place.clone(),
        online: s.online,
        note: s.note.clone(),
        audience: s.audience.as_str().to_owned(),
        audience_codes: s.audience_codes.clone(),
        cancelled_at: s.cancelled_at.map(timestamp_text),
        invited: s.invited,
        present: s.present,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingOverviewOut {
    pub fiscal_year: i32,
    /// `draft`, `asked`, `approved`, or absent when no plan was written.
    #[schema(value_type = Option<crate::api::codes::TrainingPlanStatus>)]
    pub plan_status: Option<String>,
    pub courses: Vec<TrainingCourseOut>,
    /// Every session for the organisers; those the caller is invited to otherwise.
    pub sessions: Vec<TrainingSessionOut>,
}

/// A 年度's courses and sessions.
#[utoipa::path(get, path = "/api/v1/training", tag = "training", params(YearParams),
    responses((status = 200, body = TrainingOverviewOut), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(params): Query<YearParams>,
) -> Result<Json<TrainingOverviewOut>, AppError> {
    let fy = year_of(params.year.as_deref())?;
    let view = app_training::overview(&state.app, &signed.0.acting, fy).await?;
    Ok(Json(TrainingOverviewOut {
        fiscal_year: fy.year(),
        plan_status: view.plan.map(|p| p.status),
        courses: view.courses.iter().map(course_out).collect(),
        sessions: view.sessions.iter().map(session_out).collect(),
    }))
}

/// A course to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingCourseIn {
    #[schema(example = "令和8年度")]
    pub fiscal_year: String,
    #[schema(value_type = crate::api::codes::CourseKind, example = "members")]
    pub kind: String,
    #[schema(example = "議員向け情報セキュリティ研修")]
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// Adds a course to a 年度.
#[utoipa::path(post, path = "/api/v1/training/courses", tag = "training",
    request_body = TrainingCourseIn,
    responses((status = 201, body = TrainingCourseOut), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_course(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Edit, "training.course_create").await?;
    let input: TrainingCourseIn = read_json(request).await?;
    let form = CourseForm {
        fiscal_year: input.fiscal_year,
        kind: input.kind,
        title: input.title,
        description: input.description,
    };
    let acting = &signed.0.acting;
    let id = app_training::create_course(&state.app, acting, &form).await?;
    let view = app_training::course(&state.app, acting, id).await?;
    Ok(crate::api::created(
        course_out(&view.record),
        &format!("/api/v1/training/courses/{id}"),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingCourseDetail {
    #[serde(flatten)]
    pub course: TrainingCourseOut,
    pub session_list: Vec<TrainingSessionOut>,
}

/// One course with its sessions.
#[utoipa::path(get, path = "/api/v1/training/courses/{id}", tag = "training",
    params(("id" = i64, Path)),
    responses((status = 200, body = TrainingCourseDetail), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_course(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TrainingCourseDetail>, AppError> {
    let view = app_training::course(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(TrainingCourseDetail {
        course: course_out(&view.record),
        session_list: view.sessions.iter().map(session_out).collect(),
    }))
}

/// A session to plan: day (ISO or 和暦), times (13:30, 13時30分), place and audience.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingSessionIn {
    #[schema(example = "令和8年6月10日")]
    pub held_on: String,
    #[schema(example = "13:30")]
    pub starts_at: String,
    #[schema(example = "15:00")]
    pub ends_at: String,
    #[schema(example = "第1委員会室")]
    pub place: String,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub note: String,
    #[schema(value_type = crate::api::codes::AwarenessAudience, example = "user_type")]
    pub audience: String,
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::UserType>)]
    pub user_types: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
    pub posts: Vec<String>,
    #[serde(default)]
    pub users: Vec<String>,
}

/// Plans a session of a course; its audience is resolved now and invited.
#[utoipa::path(post, path = "/api/v1/training/courses/{id}/sessions", tag = "training",
    params(("id" = i64, Path)), request_body = TrainingSessionIn,
    responses((status = 201, body = TrainingSessionDetail), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_session(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Edit, "training.session_create").await?;
    let course_id = parse_id(&id)?;
    let i: TrainingSessionIn = read_json(request).await?;
    let form = SessionForm {
        held_on: i.held_on,
        starts_at: i.starts_at,
        ends_at: i.ends_at,
        place: i.place,
        online: i.online,
        note: i.note,
        audience: NoticeForm {
            audience: i.audience,
            user_types: i.user_types,
            posts: i.posts,
            users: i.users.join("\n"),
            ..NoticeForm::default()
        },
    };
    let acting = &signed.0.acting;
    let id = app_training::create_session(&state.app, acting, course_id, &form).await?;
    let view = app_training::session(&state.app, acting, id).await?;
    Ok(crate::api::created(
        session_detail(view),
        &format!("/api/v1/training/sessions/{id}"),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingParticipantOut {
    pub login: String,
    pub display_name: String,
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    pub invited: bool,
    pub attendance_id: Option<i64>,
    /// `present`, `absent`, `excused`, or absent when not recorded.
    #[schema(value_type = Option<crate::api::codes::AttendanceStatus>)]
    pub status: Option<String>,
    /// `recorded`, `imported`, `declared`.
    #[schema(value_type = Option<crate::api::codes::AttendanceWay>)]
    pub way: Option<String>,
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingSessionDetail {
    #[serde(flatten)]
    pub session: TrainingSessionOut,
    pub invited_me: bool,
    /// The caller's own attendance.
    pub my_attendance: Option<TrainingParticipantOut>,
    /// Everyone invited or recorded (organisers and those who see all; else empty).
    pub participants: Vec<TrainingParticipantOut>,
}

fn participant_out(p: &mamori_app::training::Participant) -> TrainingParticipantOut {
    let a = p.attendance.as_ref();
    TrainingParticipantOut {
        login: p.login.clone(),
        display_name: p.display_name.clone(),
        user_type: p.user_type.as_str().to_owned(),
        invited: p.invited,
        attendance_id: a.map(|a| a.id),
        status: a.map(|a| a.status.as_str().to_owned()),
        way: a.map(|a| a.way.as_str().to_owned()),
        confirmed_at: a.and_then(|a| a.confirmed_at).map(timestamp_text),
    }
}

fn session_detail(view: SessionView) -> TrainingSessionDetail {
    TrainingSessionDetail {
        session: session_out(&view.record),
        invited_me: view.invited,
        // The caller's own line, named like everyone's (the codes must be codes).
        my_attendance: view
            .me
            .as_ref()
            .filter(|p| p.attendance.is_some())
            .map(participant_out),
        participants: view.participants.iter().map(participant_out).collect(),
    }
}

/// One session.
#[utoipa::path(get, path = "/api/v1/training/sessions/{id}", tag = "training",
    params(("id" = i64, Path)),
    responses((status = 200, body = TrainingSessionDetail), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_session(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TrainingSessionDetail>, AppError> {
    let view = app_training::session(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(session_detail(view)))
}

/// One mark of the organiser's list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingMarkIn {
    pub login: String,
    #[schema(value_type = crate::api::codes::AttendanceStatus)]
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"marks": [{"login": "giin.sato", "status": "present"}, {"login": "giin.suzuki", "status": "excused"}]}))]
pub struct TrainingMarksIn {
    pub marks: Vec<TrainingMarkIn>,
}

/// Records attendance; every mark is checked first, then all are written.
#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/attendance", tag = "training",
    params(("id" = i64, Path)), request_body = TrainingMarksIn,
    responses((status = 200, body = TrainingSessionDetail), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn record_attendance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<TrainingSessionDetail>, AppError> {
    permit(&state, &signed, Act::Edit, "training.attendance").await?;
    let id = parse_id(&id)?;
    let input: TrainingMarksIn = read_json(request).await?;
    let marks: Vec<Mark> = input
        .marks
        .into_iter()
        .map(|m| Mark {
            login: m.login,
            status: m.status,
        })
        .collect();
    let acting = &signed.0.acting;
    app_training::record_attendance(&state.app, acting, id, &marks).await?;
    Ok(Json(session_detail(
        app_training::session(&state.app, acting, id).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingImportOut {
    pub recorded: usize,
    /// Rows naming a person with the mark left blank.
    pub blank: usize,
}

/// Reads a sign-in sheet (.xlsx or CSV) into the session's attendance, all or nothing.
#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/attendance/import", tag = "training",
    params(("id" = i64, Path)),
    request_body(content_type = "application/octet-stream", description = "the .xlsx or .csv file"),
    responses((status = 200, body = TrainingImportOut), (status = 403, body = crate::api::ErrorBody),
        (status = 413, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn import_attendance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<TrainingImportOut>, AppError> {
    permit(&state, &signed, Act::Edit, "training.import").await?;
    let id = parse_id(&id)?;
    let bytes = axum::body::to_bytes(request.into_body(), app_training::IMPORT_MAX_BYTES)
        .await
        .map_err(|_| {
            AppError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "error.payload_too_large",
            )
        })?;
    let r = app_training::import_attendance(&state.app, &signed.0.acting, id, &bytes).await?;
    Ok(Json(TrainingImportOut {
        recorded: r.recorded,
        blank: r.blank,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "長野県主催 情報セキュリティ研修 修了証 第123号"}))]
pub struct TrainingDeclareIn {
    /// Where, what, the certificate's number.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingAttendanceOut {
    pub id: i64,
    pub session_id: i64,
    pub login: String,
    #[schema(value_type = crate::api::codes::AttendanceStatus)]
    pub status: String,
    #[schema(value_type = crate::api::codes::AttendanceWay)]
    pub way: String,
    pub note: String,
    pub recorded_at: String,
    pub confirmed_at: Option<String>,
}

fn attendance_out(view: &app_training::AttendanceView) -> TrainingAttendanceOut {
    let a = &view.attendance;
    TrainingAttendanceOut {
        id: a.id,
        session_id: view.session.id,
        login: view.person.login.clone(),
        status: a.status.as_str().to_owned(),
        way: a.way.as_str().to_owned(),
        note: a.note.clone(),
        recorded_at: timestamp_text(a.recorded_at),
        confirmed_at: a.confirmed_at.map(timestamp_text),
    }
}

/// Declares one's attendance at an outside course's session (counts once confirmed).
#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/declare", tag = "training",
    params(("id" = i64, Path)), request_body = TrainingDeclareIn,
    responses((status = 201, body = TrainingAttendanceOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn declare(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, Act::Read, "training.declare").await?;
    let id = parse_id(&id)?;
    let input: TrainingDeclareIn = read_json(request).await?;
    let acting = &signed.0.acting;
    let attendance = app_training::declare(&state.app, acting, id, &input.note).await?;
    let view = app_training::attendance(&state.app, acting, attendance).await?;
    Ok(crate::api::created(
        attendance_out(&view),
        &format!("/api/v1/training/attendance/{attendance}"),
    ))
}

/// One attendance (one's own, or any for the organisers).
#[utoipa::path(get, path = "/api/v1/training/attendance/{id}", tag = "training",
    params(("id" = i64, Path)),
    responses((status = 200, body = TrainingAttendanceOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_attendance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TrainingAttendanceOut>, AppError> {
    let view = app_training::attendance(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(attendance_out(&view)))
}

/// Confirms a declaration (the proof was seen).
#[utoipa::path(post, path = "/api/v1/training/attendance/{id}/confirm", tag = "training",
    params(("id" = i64, Path)),
    responses((status = 200, body = TrainingAttendanceOut), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TrainingAttendanceOut>, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    app_training::confirm(&state.app, acting, id).await?;
    Ok(Json(attendance_out(
        &app_training::attendance(&state.app, acting, id).await?,
    )))
}

/// Cancels a session (中止); it is kept, marked cancelled.
#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/cancel", tag = "training",
    params(("id" = i64, Path)),
    responses((status = 200, body = TrainingSessionDetail), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TrainingSessionDetail>, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    app_training::cancel_session(&state.app, acting, id).await?;
    Ok(Json(session_detail(
        app_training::session(&state.app, acting, id).await?,
    )))
}

/// The coverage rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"yearly_user_types": ["member", "staff"], "yearly_kinds": ["everyone", "members", "drill"],
    "new_user_types": ["staff"], "new_kinds": ["new_staff"], "within_days": 90}))]
pub struct TrainingRulesIo {
    #[schema(value_type = Vec<crate::api::codes::UserType>)]
    pub yearly_user_types: Vec<String>,
    #[schema(value_type = Vec<crate::api::codes::CourseKind>)]
    pub yearly_kinds: Vec<String>,
    #[schema(value_type = Vec<crate::api::codes::UserType>)]
    pub new_user_types: Vec<String>,
    #[schema(value_type = Vec<crate::api::codes::CourseKind>)]
    pub new_kinds: Vec<String>,
    /// New people are trained within this many days of their start date.
    pub within_days: i64,
}

fn rules_out(r: &Rules) -> TrainingRulesIo {
    let types = |r: &mamori_domain::training::Rule| {
        r.user_types.iter().map(|t| t.as_str().to_owned()).collect()
    };
    let kinds = |r: &mamori_domain::training::Rule| {
        r.course_kinds
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect()
    };
    TrainingRulesIo {
        yearly_user_types: types(&r.yearly),
        yearly_kinds: kinds(&r.yearly),
        new_user_types: types(&r.new_people),
        new_kinds: kinds(&r.new_people),
        within_days: r.within_days,
    }
}

#[utoipa::path(get, path = "/api/v1/training/rules", tag = "training",
    responses((status = 200, body = TrainingRulesIo), (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_rules(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<TrainingRulesIo>, AppError> {
    Ok(Json(rules_out(
        &app_training::rules(&state.app, &signed.0.acting).await?,
    )))
}

/// Replaces the coverage rule.
#[utoipa::path(put, path = "/api/v1/training/rules", tag = "training", request_body = TrainingRulesIo,
    responses((status = 200, body = TrainingRulesIo), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<TrainingRulesIo>, AppError> {
    permit(&state, &signed, Act::Edit, "training.rules_set").await?;
    let i: TrainingRulesIo = read_json(request).await?;
    let form = RulesForm {
        yearly_user_types: i.yearly_user_types,
        yearly_kinds: i.yearly_kinds,
        new_user_types: i.new_user_types,
        new_kinds: i.new_kinds,
        within_days: i.within_days.to_string(),
    };
    let acting = &signed.0.acting;
    app_training::set_rules(&state.app, acting, &form).await?;
    Ok(Json(rules_out(
        &app_training::rules(&state.app, acting).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingCoverageOut {
    pub login: String,
    pub display_name: String,
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    pub starts_on: String,
    /// The worse of the two rules: `met`, `due`, `overdue`, `not_bound`.
    #[schema(value_type = crate::api::codes::TrainingCoverage)]
    pub standing: String,
    #[schema(value_type = crate::api::codes::TrainingCoverage)]
    pub yearly: String,
    #[schema(value_type = crate::api::codes::TrainingCoverage)]
    pub new_person: String,
    pub new_person_due: Option<String>,
    /// Counted attendances in the 年度.
    pub attended: usize,
}

/// Where everyone stands with the rule in a 年度 (optionally one user type).
#[utoipa::path(get, path = "/api/v1/training/coverage", tag = "training", params(YearParams),
    responses((status = 200, body = Vec<TrainingCoverageOut>), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(params): Query<YearParams>,
) -> Result<Json<Vec<TrainingCoverageOut>>, AppError> {
    let fy = year_of(params.year.as_deref())?;
    let user_type =
        user_type_asked(params.user_type.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let rows = app_training::coverage(&state.app, &signed.0.acting, fy, user_type).await?;
    Ok(Json(
        rows.iter()
            .map(|r| TrainingCoverageOut {
                login: r.person.login.clone(),
                display_name: r.person.display_name.clone(),
                user_type: r.person.user_type.as_str().to_owned(),
                starts_on: date_text(r.person.starts_on),
                standing: r.standing.overall().as_str().to_owned(),
                yearly: r.standing.yearly.as_str().to_owned(),
                new_person: r.standing.new_person.as_str().to_owned(),
                new_person_due: r.standing.new_person_due.map(date_text),
                attended: r.attended,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingPlanOut {
    pub fiscal_year: i32,
    /// `draft`, `asked`, `approved`; absent when none was written.
    #[schema(value_type = Option<crate::api::codes::TrainingPlanStatus>)]
    pub status: Option<String>,
    pub summary: String,
    pub approved_at: Option<String>,
    /// The approval request waiting for the committee, if any.
    pub pending_request: Option<i64>,
}

fn plan_out(view: &PlanView) -> TrainingPlanOut {
    let r = view.record.as_ref();
    TrainingPlanOut {
        fiscal_year: view.fiscal_year.year(),
        status: r.map(|p| p.status.clone()),
        summary: r.map(|p| p.summary.clone()).unwrap_or_default(),
        approved_at: r.and_then(|p| p.approved_at).map(timestamp_text),
        pending_request: view.pending_request,
    }
}

#[utoipa::path(get, path = "/api/v1/training/plan", tag = "training", params(YearParams),
    responses((status = 200, body = TrainingPlanOut), (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(params): Query<YearParams>,
) -> Result<Json<TrainingPlanOut>, AppError> {
    let fy = year_of(params.year.as_deref())?;
    Ok(Json(plan_out(
        &app_training::plan(&state.app, &signed.0.acting, fy).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingPlanIn {
    #[schema(example = "2026")]
    pub year: String,
    #[serde(default)]
    pub summary: String,
}

/// Writes the draft plan of a 年度.
#[utoipa::path(put, path = "/api/v1/training/plan", tag = "training", request_body = TrainingPlanIn,
    responses((status = 200, body = TrainingPlanOut), (status = 403, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn save_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<TrainingPlanOut>, AppError> {
    permit(&state, &signed, Act::Edit, "training.plan_save").await?;
    let i: TrainingPlanIn = read_json(request).await?;
    let fy = year_of(Some(&i.year))?;
    let acting = &signed.0.acting;
    app_training::save_plan(&state.app, acting, fy, &i.summary).await?;
    Ok(Json(plan_out(
        &app_training::plan(&state.app, acting, fy).await?,
    )))
}

/// Asks the committee to decide the draft plan (its chair records the decision).
#[utoipa::path(post, path = "/api/v1/training/plan/ask", tag = "training", request_body = TrainingPlanIn,
    responses((status = 200, body = TrainingPlanOut), (status = 403, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn ask_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<TrainingPlanOut>, AppError> {
    permit(&state, &signed, Act::Edit, "training.plan_ask").await?;
    let i: TrainingPlanIn = read_json(request).await?;
    let fy = year_of(Some(&i.year))?;
    let acting = &signed.0.acting;
    app_training::ask_plan(&state.app, acting, fy).await?;
    Ok(Json(plan_out(
        &app_training::plan(&state.app, acting, fy).await?,
    )))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        overview,
        create_course,
        get_course,
        create_session,
        get_session,
        record_attendance,
        import_attendance,
        declare,
        get_attendance,
        confirm,
        cancel,
        get_rules,
        set_rules,
        coverage,
        get_plan,
        save_plan,
        ask_plan
    ),
    components(schemas(
        TrainingCourseOut,
        TrainingSessionOut,
        TrainingOverviewOut,
        TrainingCourseIn,
        TrainingCourseDetail,
        TrainingSessionIn,
        TrainingParticipantOut,
        TrainingSessionDetail,
        TrainingMarkIn,
        TrainingMarksIn,
        TrainingImportOut,
        TrainingDeclareIn,
        TrainingAttendanceOut,
        TrainingRulesIo,
        TrainingCoverageOut,
        TrainingPlanOut,
        TrainingPlanIn
    ))
)]
pub struct Doc;
