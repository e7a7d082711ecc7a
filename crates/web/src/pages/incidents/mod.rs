//! Incident pages: the list (everything for those who see all, one's own and shared
//! ones for everyone else), reporting in one screen, and an incident's page (the
//! reporter's progress, or for handlers triage, stages, the timeline, closing,
//! reopening and sharing). Thin shells over `mamori_app::incidents`.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::incidents::{self as app_incidents, Entry, Severity, View};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::incident::{EntryKind, Personal, ReportForm, Sight, Stage, TriageForm};
use mamori_domain::wareki::Lang;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, error_for, field_errors, form_problems, form_status, parse_id,
};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

mod figures;
mod links;
mod list;

pub use figures::{export as export_figures, figures as figures_page};
pub use links::{add_lesson, ask_reassessment, link, unlink};
pub use list::list;

const PATH: &str = "/incidents";
const NAV: &str = "incidents";
const KEEP_CHARS: usize = 12_000;

fn label_key(field: &str) -> &'static str {
    match field {
        "title" => "incident.field.title",
        "description" => "incident.field.description",
        "noticed_at" => "incident.field.noticed_at",
        "place" => "incident.field.place",
        "personal" => "incident.field.personal",
        "contact" => "incident.field.contact",
        "reporter" => "incident.field.reporter",
        "asset" => "incident.field.asset",
        "severity" => "incident.field.severity",
        "threat_id" => "incident.field.threat",
        "people" => "incident.field.people",
        "owner" => "incident.field.owner",
        "stage" => "incident.field.stage",
        "summary" => "incident.field.summary",
        "cause" => "incident.field.cause",
        "reason" => "incident.field.reason",
        "login" => "incident.field.share",
        "kind" => "incident.field.link_kind",
        "target" => "incident.field.link_target",
        "risk" => "incident.field.risk",
        "lesson_title" => "action.field.title",
        "lesson_description" => "action.field.description",
        "lesson_owner" => "action.field.owner",
        "lesson_due_on" => "action.field.due_on",
        "lesson_due_days" => "action.field.due_days",
        "lesson_due_kind" => "action.field.due_kind",
        "reassess_reason" => "incident.links.reassess_reason",
        _ => "incident.field.text",
    }
}

pub(super) fn severity_name(ctx: &Ctx, levels: &[Severity], code: Option<&str>) -> String {
    let Some(code) = code else {
        return ctx.tr.t("incident.unset").to_owned();
    };
    levels
        .iter()
        .find(|l| l.code == code)
        .map(|l| match ctx.tr.lang {
            Lang::Ja => l.name_ja.clone(),
            Lang::En => l.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_owned())
}

#[derive(Template)]
#[template(path = "incidents/form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    form: ReportForm,
    reporter: String,
    asset: String,
    /// The name of the asset the report names, when it came from the asset's page.
    asset_name: Option<String>,
    errors: Vec<FieldError>,
    personal: Vec<Choice>,
    /// People a report may be entered for (empty: one reports for oneself).
    people: Vec<Choice>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    asset: Option<String>,
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: ReportForm,
    reporter: String,
    asset: String,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let people = app_incidents::reporters(&state.app, acting)
        .await?
        .into_iter()
        .map(|u| Choice {
            label: crate::http::labels::bracketed(&ctx.tr, &u.display_name, &u.login),
            value: u.login,
        })
        .collect();
    let asset_name = match asset.parse::<i64>() {
        Ok(id) => app_incidents::asset_name(&state.app, acting, id).await?,
        Err(_) => None,
    };
    let asset = if asset_name.is_some() {
        asset
    } else {
        String::new()
    };
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, "/incidents/new", Some(&signed.0)).await,
        asset_name,
        errors: field_errors(problems, &ctx.tr, label_key),
        personal: Personal::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: ctx.tr.t(&p.label_key()).to_owned(),
            })
            .collect(),
        people,
        form,
        reporter,
        asset,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Incidents, Act::Read, "incident.report")
        .await?;
    let form = ReportForm {
        personal: Personal::Unknown.as_str().to_owned(),
        ..ReportForm::default()
    };
    let asset = query
        .asset
        .filter(|a| a.parse::<i64>().is_ok())
        .unwrap_or_default();
    render_form(&state, &ctx, &signed, form, String::new(), asset, &[]).await
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
        .permit(acting, Register::Incidents, Act::Read, "incident.report")
        .await?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = ReportForm {
        title: get("title"),
        description: get("description"),
        noticed_at: get("noticed_at"),
        place: get("place"),
        personal: get("personal"),
        contact: get("contact"),
    };
    let (reporter, asset) = (get("reporter"), get("asset"));
    let asset_id = match asset.trim() {
        "" => None,
        a => Some(a.parse::<i64>().map_err(|_| AppError::not_found())?),
    };
    let who = Some(reporter.as_str()).filter(|r| !r.is_empty());
    match app_incidents::report(&state.app, acting, &form, who, asset_id).await {
        Ok((id, _)) => Ok(see_other(&format!("{PATH}/{id}?saved=reported"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_form(&state, &ctx, &signed, form, reporter, asset, &problems).await
        }
    }
}

/// One timeline entry in the reader's words.
pub struct EntryView {
    pub at: String,
    pub author: String,
    pub what: String,
    pub text: String,
}

fn entry_view(ctx: &Ctx, levels: &[Severity], e: &Entry) -> EntryView {
    let value = |v: &Option<String>| -> String {
        let Some(v) = v.as_deref() else {
            return ctx.tr.t("incident.unset").to_owned();
        };
        match e.kind {
            EntryKind::Stage | EntryKind::Closed | EntryKind::Reopened => Stage::parse(v)
                .map(|s| ctx.tr.t(&s.label_key()).to_owned())
                .unwrap_or_else(|| v.to_owned()),
            EntryKind::Severity => severity_name(ctx, levels, Some(v)),
            EntryKind::Personal
            | EntryKind::Sensitive
            | EntryKind::Intentional
            | EntryKind::Unauthorised
            | EntryKind::Financial => Personal::parse(v)
                .map(|p| ctx.tr.t(&p.label_key()).to_owned())
                .unwrap_or_else(|| v.to_owned()),
            _ => v.to_owned(),
        }
    };
    let what = ctx.tr.t(&e.kind.label_key()).to_owned();
    let what = if e.before.is_some() || e.after.is_some() {
        ctx.tr.f(
            "incident.entry_change",
            &[
                ("what", what),
                ("before", value(&e.before)),
                ("after", value(&e.after)),
            ],
        )
    } else {
        what
    };
    EntryView {
        at: ctx.datetime(e.at),
        author: e.author_name.clone().unwrap_or_default(),
        what,
        text: e.text.clone(),
    }
}

#[derive(Template)]
#[template(path = "incidents/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    view: View,
    full: bool,
    closed: bool,
    noticed: String,
    reported: String,
    stage: String,
    severity: String,
    personal: String,
    severity_value: String,
    threat_value: String,
    people_value: String,
    stages: Vec<Choice>,
    severities: Vec<Choice>,
    personal_choices: Vec<Choice>,
    entries: Vec<EntryView>,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    /// Links, reassessments and lessons (empty for the reporter's own view).
    section: links::Section,
    reports: Option<super::incident_reports::PanelView>,
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

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: View,
    notice: Option<&'static str>,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let levels = app_incidents::severities(&state.app).await?;
    let section = if view.sight == Sight::Full {
        links::section(state, ctx, signed, view.record.id, view.may_handle).await?
    } else {
        links::Section::default()
    };
    let r = &view.record;
    let choices = |items: Vec<(String, String)>| -> Vec<Choice> {
        items
            .into_iter()
            .map(|(value, label)| Choice { value, label })
            .collect()
    };
    let mut severities = vec![(String::new(), ctx.tr.t("incident.unset").to_owned())];
    severities.extend(levels.iter().map(|l| {
        (
            l.code.clone(),
            match ctx.tr.lang {
                Lang::Ja => format!("{} — {}", l.name_ja, l.definition_ja),
                Lang::En => format!("{} — {}", l.name_en, l.definition_en),
            },
        )
    }));
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &format!("{PATH}/{}", r.id), Some(&signed.0)).await,
        full: view.sight == Sight::Full,
        closed: r.stage == Stage::Closed,
        noticed: ctx.datetime(r.noticed_at),
        reported: crate::http::labels::bracketed(
            &ctx.tr,
            &ctx.datetime(r.created_at),
            &match &r.entered_by_name {
                Some(by) => ctx.tr.f("incident.entered_by", &[("name", by.clone())]),
                None => r.reporter_name.clone(),
            },
        ),
        stage: ctx.tr.t(&r.stage.label_key()).to_owned(),
        severity: severity_name(ctx, &levels, r.severity.as_deref()),
        personal: ctx.tr.t(&r.personal.label_key()).to_owned(),
        severity_value: r.severity.clone().unwrap_or_default(),
        threat_value: r.threat_id.map(|n| n.to_string()).unwrap_or_default(),
        people_value: r.people.map(|n| n.to_string()).unwrap_or_default(),
        stages: choices(
            Stage::open_stages()
                .iter()
                .map(|s| (s.as_str().to_owned(), ctx.tr.t(&s.label_key()).to_owned()))
                .collect(),
        ),
        severities: choices(severities),
        personal_choices: choices(
            Personal::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), ctx.tr.t(&p.label_key()).to_owned()))
                .collect(),
        ),
        entries: view
            .entries
            .iter()
            .map(|e| entry_view(ctx, &levels, e))
            .collect(),
        notice,
        errors: field_errors(problems, &ctx.tr, label_key),
        section,
        reports: super::incident_reports::panel(state, ctx, &view).await?,
        view,
    };
    render(form_status(&page.errors), &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let view = app_incidents::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let notice = match query.saved.as_deref() {
        Some("reported") => Some("incident.saved.reported"),
        Some("saved") => Some("incident.saved.saved"),
        Some("closed") => Some("incident.saved.closed"),
        Some("reopened") => Some("incident.saved.reopened"),
        Some("shared") => Some("incident.saved.shared"),
        Some("linked") => Some("incident.saved.linked"),
        Some("unlinked") => Some("incident.saved.unlinked"),
        Some("reassessment") => Some("incident.saved.reassessment"),
        Some("lesson") => Some("incident.saved.lesson"),
        _ => None,
    };
    render_show(&state, &ctx, &signed, view, notice, &[]).await
}

/// The handlers' gate, passed before a form is read or an id parsed.
async fn gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Incidents, Act::Edit, what)
        .await?;
    Ok(())
}

/// Runs a handler's change and answers: back to the incident, or the page again with
/// the refused form's problems.
async fn answer(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    result: Result<&'static str, mamori_app::Failure>,
) -> Result<Response, AppError> {
    match result {
        Ok(saved) => Ok(see_other(&format!("{PATH}/{id}?saved={saved}"))),
        Err(f) => {
            let problems = form_problems(f)?;
            let view = app_incidents::show(&state.app, &signed.0.acting, id).await?;
            render_show(state, ctx, signed, view, None, &problems).await
        }
    }
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.note").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let text: String = fields.get("text").chars().take(KEEP_CHARS).collect();
    let result = app_incidents::note(&state.app, &signed.0.acting, id, &text)
        .await
        .map(|()| "saved");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn triage(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.triage").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = TriageForm {
        severity: get("severity"),
        threat_id: get("threat_id"),
        personal: get("personal"),
        people: get("people"),
        owner: get("owner"),
    };
    let result = app_incidents::triage(&state.app, &signed.0.acting, id, &form)
        .await
        .map(|_| "saved");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn set_stage(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.stage").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let stage = fields.get("stage").to_owned();
    let result = app_incidents::set_stage(&state.app, &signed.0.acting, id, &stage)
        .await
        .map(|_| "saved");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.close").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let result = app_incidents::close(
        &state.app,
        &signed.0.acting,
        id,
        &get("summary"),
        &get("cause"),
    )
    .await
    .map(|()| "closed");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.reopen").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let reason: String = fields.get("reason").chars().take(KEEP_CHARS).collect();
    let result = app_incidents::reopen(&state.app, &signed.0.acting, id, &reason)
        .await
        .map(|()| "reopened");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn share(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.share").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let login: String = fields.get("login").chars().take(KEEP_CHARS).collect();
    let result = app_incidents::share(&state.app, &signed.0.acting, id, &login)
        .await
        .map(|()| "shared");
    answer(&state, &ctx, &signed, id, result).await
}
