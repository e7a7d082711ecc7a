//! Awareness notice (注意喚起) pages: the list (every notice with its read rate for the
//! secretariat, one's own notices for everyone else), posting one, its page (reading it
//! and marking it read; for the secretariat the figures, who has not read it, the
//! reminder, the readers' file and the withdrawal). Thin shells over
//! `mamori_app::awareness`.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::awareness::{self as app_awareness, AudienceKind, Form, Listed, NoticeView};
use mamori_app::i18n::Tr;
use mamori_app::sheets::Format;
use mamori_domain::access::{Act, Register};
use mamori_domain::awareness::{AUDIENCE_USER_TYPES, ReadStanding};
use mamori_domain::field::FieldProblem;
use mamori_domain::user::OrgRole;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::files_section::FilesSection;
use crate::http::forms::{
    Choice, FieldError, FormFields, Tick, error_for, field_errors, form_problems, parse_id,
};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const PATH: &str = "/awareness";
/// Longest text kept from a refused field to show it again.
const KEEP_CHARS: usize = 12_000;

/// One row of the list, in the reader's words.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub posted: String,
    pub due: String,
    /// "12 / 30 (40%)" for those who see the figures.
    pub rate: String,
    /// The reader's own standing (label key), when addressed.
    pub mine: Option<&'static str>,
    pub overdue: bool,
    pub withdrawn: bool,
}

fn rate_text(ctx: &Ctx, read: i64, audience: i64, percent: i64) -> String {
    ctx.tr.f(
        "awareness.rate_value",
        &[
            ("read", read.to_string()),
            ("audience", audience.to_string()),
            ("percent", percent.to_string()),
        ],
    )
}

fn row(ctx: &Ctx, l: &Listed, figures: bool) -> Row {
    let r = &l.record;
    Row {
        id: r.id,
        title: r.title.clone(),
        posted: ctx.date(mamori_app::japan_date(r.created_at)),
        due: r.due_on.map(|d| ctx.date(d)).unwrap_or_default(),
        rate: if figures {
            rate_text(ctx, r.read_count, r.audience_size, l.percent())
        } else {
            String::new()
        },
        mine: l.mine.map(ReadStanding::label_key),
        overdue: l.mine == Some(ReadStanding::Overdue),
        withdrawn: r.withdrawn_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "awareness/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    may_post: bool,
    figures: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let listed = app_awareness::list(&state.app, acting).await?;
    let figures = acting.may(Register::Awareness, Act::SeeAll);
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "awareness", PATH, Some(&signed.0)).await,
        rows: listed.iter().map(|l| row(&ctx, l, figures)).collect(),
        may_post: acting.may(Register::Awareness, Act::Edit),
        figures,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "awareness/form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    form: Form,
    errors: Vec<FieldError>,
    audiences: Vec<Choice>,
    user_types: Vec<Tick>,
    posts: Vec<Tick>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn label_key(field: &str) -> &'static str {
    match field {
        "title" => "awareness.field.title",
        "body" => "awareness.field.body",
        "audience" => "awareness.field.audience",
        "user_types" => "awareness.field.user_types",
        "posts" => "awareness.field.posts",
        "users" => "awareness.field.users",
        "due_on" => "awareness.field.due_on",
        _ => "awareness.field.reason",
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: Form,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, "awareness", "/awareness/new", Some(&signed.0)).await,
        errors: field_errors(problems, &ctx.tr, label_key),
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
                checked: form.user_types.iter().any(|c| c == u.as_str()),
            })
            .collect(),
        posts: OrgRole::ALL
            .iter()
            .map(|p| Tick {
                value: p.as_str(),
                label: ctx.tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
                checked: form.posts.iter().any(|c| c == p.as_str()),
            })
            .collect(),
        form,
    };
    render(status, &page)
}

fn form_of(fields: &FormFields) -> Form {
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    Form {
        title: get("title"),
        body: get("body"),
        audience: get("audience"),
        user_types: fields.all("user_types"),
        posts: fields.all("posts"),
        users: get("users"),
        due_on: get("due_on"),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Awareness,
            Act::Edit,
            "awareness.post",
        )
        .await?;
    let form = Form {
        audience: AudienceKind::Everyone.as_str().to_owned(),
        ..Form::default()
    };
    render_form(&state, &ctx, &signed, form, &[]).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Awareness, Act::Edit, "awareness.post")
        .await?;
    let form = form_of(&FormFields::read(request).await?);
    match app_awareness::post(&state.app, acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/{id}?saved=posted"))),
        Err(f) => render_form(&state, &ctx, &signed, form, &form_problems(f)?).await,
    }
}

/// One reader on the notice's page.
pub struct ReaderRow {
    pub name: String,
    pub login: String,
    pub user_type: String,
    pub standing: &'static str,
    pub overdue: bool,
    pub read_at: String,
    pub reminded: String,
}

#[derive(Template)]
#[template(path = "awareness/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    view: NoticeView,
    audience: String,
    posted: String,
    due: String,
    mine: Option<&'static str>,
    my_overdue: bool,
    my_read_at: String,
    withdrawn: String,
    rate: String,
    unread: Vec<ReaderRow>,
    read: Vec<ReaderRow>,
    files: FilesSection,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    reason: String,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

fn reader_row(ctx: &Ctx, r: &app_awareness::Reader) -> ReaderRow {
    let p = &r.recipient;
    ReaderRow {
        name: p.display_name.clone(),
        login: p.login.clone(),
        user_type: ctx
            .tr
            .t(&format!("user_type.{}", p.user_type.as_str()))
            .to_owned(),
        standing: r.standing.label_key(),
        overdue: r.standing == ReadStanding::Overdue,
        read_at: p.read_at.map(|at| ctx.datetime(at)).unwrap_or_default(),
        reminded: p
            .reminded_at
            .map(|at| {
                ctx.tr.f(
                    "awareness.reminded_value",
                    &[
                        ("count", p.reminders.to_string()),
                        ("date", ctx.datetime(at)),
                    ],
                )
            })
            .unwrap_or_default(),
    }
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: NoticeView,
    notice: Option<&'static str>,
    problems: &[FieldProblem],
    reason: String,
) -> Result<Response, AppError> {
    let r = &view.record;
    let files = FilesSection::load(
        state,
        ctx,
        signed,
        mamori_domain::record::RecordRef::new(
            mamori_domain::record::RecordKind::AwarenessNotice,
            r.id,
        ),
    )
    .await?;
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "awareness",
            &format!("{PATH}/{}", r.id),
            Some(&signed.0),
        )
        .await,
        audience: crate::http::labels::audience_text(
            &ctx.tr,
            view.record.audience,
            &view.record.audience_codes,
        ),
        posted: crate::http::labels::bracketed(
            &ctx.tr,
            &ctx.datetime(r.created_at),
            &r.created_by_name.clone().unwrap_or_default(),
        ),
        due: r.due_on.map(|d| ctx.date(d)).unwrap_or_default(),
        mine: view.mine.map(ReadStanding::label_key),
        my_overdue: view.mine == Some(ReadStanding::Overdue),
        my_read_at: view
            .my_read_at
            .map(|at| ctx.datetime(at))
            .unwrap_or_default(),
        withdrawn: r
            .withdrawn_at
            .map(|at| {
                crate::http::labels::bracketed(
                    &ctx.tr,
                    &ctx.datetime(at),
                    &r.withdrawn_by_name.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default(),
        rate: rate_text(ctx, r.read_count, r.audience_size, view.percent()),
        unread: view.unread().map(|x| reader_row(ctx, x)).collect(),
        read: view
            .readers
            .iter()
            .filter(|x| x.standing == ReadStanding::Read)
            .map(|x| reader_row(ctx, x))
            .collect(),
        files,
        notice,
        errors: field_errors(problems, &ctx.tr, label_key),
        reason,
        view,
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let view = app_awareness::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let notice = match query.saved.as_deref() {
        Some("posted") => Some("awareness.posted"),
        Some("read") => Some("awareness.marked_read"),
        Some("reminded") => Some("awareness.reminded"),
        Some("withdrawn") => Some("awareness.withdrawn_done"),
        _ => None,
    };
    render_show(&state, &ctx, &signed, view, notice, &[], String::new()).await
}

pub async fn mark_read(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    app_awareness::mark_read(&state.app, &signed.0.acting, id).await?;
    Ok(see_other(&format!("{PATH}/{id}?saved=read")))
}

pub async fn remind(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    app_awareness::remind(&state.app, &signed.0.acting, id).await?;
    Ok(see_other(&format!("{PATH}/{id}?saved=reminded")))
}

pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    state
        .app
        .permit(acting, Register::Awareness, Act::Edit, "awareness.withdraw")
        .await?;
    let fields = FormFields::read(request).await?;
    let reason: String = fields.get("reason").chars().take(KEEP_CHARS).collect();
    match app_awareness::withdraw(&state.app, acting, id, &reason).await {
        Ok(()) => Ok(see_other(&format!("{PATH}/{id}?saved=withdrawn"))),
        Err(f) => {
            let problems = form_problems(f)?;
            let view = app_awareness::show(&state.app, acting, id).await?;
            render_show(&state, &ctx, &signed, view, None, &problems, reason).await
        }
    }
}

async fn export(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: &str,
    format: Format,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let bytes =
        app_awareness::export(&state.app, &signed.0.acting, id, format, ctx.tr.lang).await?;
    let ext = mamori_app::assets::files::format_code(format);
    let named = format!("{}-{id}.{ext}", ctx.tr.t("awareness.export_name"));
    Ok(crate::http::download::named(
        bytes,
        format,
        &format!("awareness-{id}-readers.{ext}"),
        &named,
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &ctx, &signed, &id, Format::Csv).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &ctx, &signed, &id, Format::Xlsx).await
}
