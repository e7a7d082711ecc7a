//! Session pages: planning one (day, times, place, audience), its page (details,
//! materials, the attendance list the organiser fills in or imports from a sign-in
//! sheet, one's own attendance and the declaration of an outside course), one
//! attendance with its proof, confirming and cancelling.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::training::{self as app_training, AttendanceView, SessionView};
use mamori_domain::access::{Act, Register};
use mamori_domain::awareness::{AUDIENCE_USER_TYPES, AudienceKind, NoticeForm};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::training::{Attendance, SessionForm};
use mamori_domain::user::OrgRole;
use serde::Deserialize;

use super::{KEEP_CHARS, PATH};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::files_section::FilesSection;
use crate::http::forms::{
    Choice, FieldError, FormFields, Tick, error_for, form_problems, form_status, named_errors,
    parse_id,
};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "training/session_form.html")]
struct SessionFormPage {
    t: Tr,
    layout: Layout,
    course_id: i64,
    course_title: String,
    form: SessionForm,
    errors: Vec<FieldError>,
    audiences: Vec<Choice>,
    user_types: Vec<Tick>,
    posts: Vec<Tick>,
}

impl SessionFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_session_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    course_id: i64,
    form: SessionForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let course = app_training::course(&state.app, &signed.0.acting, course_id).await?;
    let a = &form.audience;
    let page = SessionFormPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "training",
            &format!("{PATH}/courses/{course_id}/sessions/new"),
            Some(&signed.0),
        )
        .await,
        course_id,
        course_title: course.record.title,
        errors: named_errors(problems, &ctx.tr),
        audiences: AudienceKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: ctx.tr.t(k.label_key()).to_owned(),
            })
            .collect(),
        user_types: AUDIENCE_USER_TYPES
            .iter()
            .map(|u| Tick {
                value: u.as_str(),
                label: ctx.tr.t(&format!("user_type.{}", u.as_str())).to_owned(),
                checked: a.user_types.iter().any(|c| c == u.as_str()),
            })
            .collect(),
        posts: OrgRole::ALL
            .iter()
            .map(|p| Tick {
                value: p.as_str(),
                label: ctx.tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
                checked: a.posts.iter().any(|c| c == p.as_str()),
            })
            .collect(),
        form,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_session(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let course_id = parse_id(&id)?;
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Training,
            Act::Edit,
            "training.session_create",
        )
        .await?;
    let form = SessionForm {
        audience: NoticeForm {
            audience: AudienceKind::Everyone.as_str().to_owned(),
            ..NoticeForm::default()
        },
        ..SessionForm::default()
    };
    render_session_form(&state, &ctx, &signed, course_id, form, &[]).await
}

pub async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let course_id = parse_id(&id)?;
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Training,
            Act::Edit,
            "training.session_create",
        )
        .await?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = SessionForm {
        held_on: get("held_on"),
        starts_at: get("starts_at"),
        ends_at: get("ends_at"),
        place: get("place"),
        online: fields.get("online") == "1",
        note: get("note"),
        audience: NoticeForm {
            audience: get("audience"),
            user_types: fields.all("user_types"),
            posts: fields.all("posts"),
            users: get("users"),
            ..NoticeForm::default()
        },
    };
    match app_training::create_session(&state.app, acting, course_id, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/sessions/{id}?saved=created"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_session_form(&state, &ctx, &signed, course_id, form, &problems).await
        }
    }
}

/// One person on the attendance list.
pub struct ParticipantRow {
    pub login: String,
    pub name: String,
    pub user_type: String,
    pub invited: bool,
    /// The attendance code recorded, or "".
    pub status: &'static str,
    pub way: String,
    /// A declaration waiting for confirmation: its page.
    pub to_confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "training/session.html")]
struct SessionPage {
    t: Tr,
    layout: Layout,
    view: SessionView,
    when: String,
    kind: &'static str,
    audience: String,
    participants: Vec<ParticipantRow>,
    statuses: Vec<Choice>,
    mine: Option<(&'static str, String, String)>,
    files: FilesSection,
    errors: Vec<FieldError>,
    notice: Option<String>,
    max_kb: usize,
    /// The continuity plan's record of a drill session (`continuity/_drill.html`).
    drill: Option<super::drill::DrillSection>,
}

impl SessionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
    recorded: Option<usize>,
    blank: Option<usize>,
}

async fn render_session(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: SessionView,
    problems: &[FieldProblem],
    notice: Option<String>,
) -> Result<Response, AppError> {
    let r = &view.record;
    let files = FilesSection::load(
        state,
        ctx,
        signed,
        RecordRef::new(RecordKind::TrainingSession, r.id),
    )
    .await?;
    let drill = super::drill::section_for(state, ctx, signed, r.id).await?;
    let tr = &ctx.tr;
    let page = SessionPage {
        drill,
        t: ctx.tr,
        layout: Layout::load(
            state,
            "training",
            &format!("{PATH}/sessions/{}", r.id),
            Some(&signed.0),
        )
        .await,
        when: crate::http::labels::session_when(ctx, r),
        kind: r.kind.label_key(),
        audience: crate::http::labels::audience_text(&ctx.tr, r.audience, &r.audience_codes),
        participants: view
            .participants
            .iter()
            .map(|p| {
                let a = p.attendance.as_ref();
                ParticipantRow {
                    login: p.login.clone(),
                    name: p.display_name.clone(),
                    user_type: tr
                        .t(&format!("user_type.{}", p.user_type.as_str()))
                        .to_owned(),
                    invited: p.invited,
                    status: a.map_or("", |a| a.status.as_str()),
                    way: a
                        .map(|a| tr.t(a.way.label_key()).to_owned())
                        .unwrap_or_default(),
                    to_confirm: a
                        .filter(|a| {
                            a.way == mamori_domain::training::Way::Declared
                                && a.confirmed_at.is_none()
                        })
                        .map(|a| format!("{PATH}/attendance/{}", a.id)),
                }
            })
            .collect(),
        statuses: Attendance::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: tr.t(s.label_key()).to_owned(),
            })
            .collect(),
        mine: view.mine.as_ref().map(|a| {
            (
                a.status.label_key(),
                tr.t(a.way.label_key()).to_owned(),
                format!("{PATH}/attendance/{}", a.id),
            )
        }),
        files,
        errors: named_errors(problems, tr),
        notice,
        max_kb: app_training::IMPORT_MAX_BYTES / 1024,
        view,
    };
    render(form_status(&page.errors), &page)
}

pub async fn session(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let view = app_training::session(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let notice = match query.saved.as_deref() {
        Some("created") => Some(ctx.tr.t("training.session_created").to_owned()),
        Some("recorded") => Some(ctx.tr.t("training.attendance_saved").to_owned()),
        Some("declared") => Some(ctx.tr.t("training.declared").to_owned()),
        Some("confirmed") => Some(ctx.tr.t("training.confirmed").to_owned()),
        Some("imported") => Some(ctx.tr.f(
            "training.imported",
            &[
                ("recorded", query.recorded.unwrap_or(0).to_string()),
                ("blank", query.blank.unwrap_or(0).to_string()),
            ],
        )),
        _ => None,
    };
    render_session(&state, &ctx, &signed, view, &[], notice).await
}

async fn shown_again(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    failure: mamori_app::Failure,
) -> Result<Response, AppError> {
    let problems = form_problems(failure)?;
    let view = app_training::session(&state.app, &signed.0.acting, id).await?;
    render_session(state, ctx, signed, view, &problems, None).await
}

/// The organiser's list: one `mark:{login}` field per person (blank leaves them as they
/// are).
pub async fn record_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Training, Act::Edit, "training.attendance")
        .await?;
    let fields = FormFields::read(request).await?;
    let marks: Vec<app_training::Mark> = fields
        .0
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("mark:").map(|login| app_training::Mark {
                login: login.chars().take(200).collect(),
                status: value.chars().take(40).collect(),
            })
        })
        .collect();
    match app_training::record_attendance(&state.app, acting, id, &marks).await {
        Ok(_) => Ok(see_other(&format!("{PATH}/sessions/{id}?saved=recorded"))),
        Err(f) => shown_again(&state, &ctx, &signed, id, f).await,
    }
}

pub async fn import_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Training, Act::Edit, "training.import")
        .await?;
    let bytes = crate::http::upload::small_file(request, app_training::IMPORT_MAX_BYTES).await?;
    if bytes.is_empty() {
        let none =
            mamori_app::Failure::invalid(FieldProblem::new("file", "training.error.no_file"));
        return shown_again(&state, &ctx, &signed, id, none).await;
    }
    match app_training::import_attendance(&state.app, acting, id, &bytes).await {
        Ok(r) => Ok(see_other(&format!(
            "{PATH}/sessions/{id}?saved=imported&recorded={}&blank={}",
            r.recorded, r.blank
        ))),
        Err(f) => shown_again(&state, &ctx, &signed, id, f).await,
    }
}

pub async fn declare(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Training, Act::Read, "training.declare")
        .await?;
    let fields = FormFields::read(request).await?;
    let note: String = fields.get("note").chars().take(KEEP_CHARS).collect();
    match app_training::declare(&state.app, acting, id, &note).await {
        Ok(attendance) => Ok(see_other(&format!(
            "{PATH}/attendance/{attendance}?saved=declared"
        ))),
        Err(f) => shown_again(&state, &ctx, &signed, id, f).await,
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Training,
            Act::Edit,
            "training.session_cancel",
        )
        .await?;
    let course = app_training::session(&state.app, acting, id)
        .await?
        .record
        .course_id;
    app_training::cancel_session(&state.app, acting, id).await?;
    Ok(see_other(&format!(
        "{PATH}/courses/{course}?saved=cancelled"
    )))
}

#[derive(Template)]
#[template(path = "training/attendance.html")]
struct AttendancePage {
    t: Tr,
    layout: Layout,
    view: AttendanceView,
    when: String,
    status: &'static str,
    way: String,
    recorded: String,
    confirmed: String,
    files: FilesSection,
    notice: Option<&'static str>,
}

pub async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let view = app_training::attendance(&state.app, &signed.0.acting, id).await?;
    let files = FilesSection::load(
        &state,
        &ctx,
        &signed,
        RecordRef::new(RecordKind::TrainingAttendance, id),
    )
    .await?;
    let a = &view.attendance;
    let page = AttendancePage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "training",
            &format!("{PATH}/attendance/{id}"),
            Some(&signed.0),
        )
        .await,
        when: crate::http::labels::session_when(&ctx, &view.session),
        status: a.status.label_key(),
        way: ctx.tr.t(a.way.label_key()).to_owned(),
        recorded: ctx.datetime(a.recorded_at),
        confirmed: a
            .confirmed_at
            .map(|at| ctx.datetime(at))
            .unwrap_or_default(),
        files,
        notice: match query.saved.as_deref() {
            Some("declared") => Some("training.declared"),
            Some("confirmed") => Some("training.confirmed"),
            _ => None,
        },
        view,
    };
    render(StatusCode::OK, &page)
}

pub async fn confirm(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    app_training::confirm(&state.app, &signed.0.acting, id).await?;
    Ok(see_other(&format!(
        "{PATH}/attendance/{id}?saved=confirmed"
    )))
}
