//! Continuity pages: the overview (services by priority, alternates and their training,
//! warnings, the drills of a 年度), its A4 print for the binder at the secretariat, a
//! service's page and form, the roster, and the drill section of a drill session's page.
//! Thin shells over `mamori_app::continuity`.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::continuity::{
    self as app_continuity, AlternateView, CoverForm, CoverView, DrillLine, ServiceView,
};
use mamori_app::i18n::Tr;
use mamori_domain::continuity::{ServiceForm, rto_parts};
use mamori_domain::field::FieldProblem;
use mamori_domain::training::Coverage;
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

const PATH: &str = "/continuity";
const NAV: &str = "continuity";
const KEEP_CHARS: usize = 8_000;

fn label_key(field: &str) -> &'static str {
    match field {
        "name" => "continuity.field.name",
        "description" => "continuity.field.description",
        "priority" => "continuity.field.priority",
        "rto" => "continuity.field.rto",
        "post_id" => "continuity.field.post",
        "workarounds" => "continuity.field.workarounds",
        "assets" => "continuity.field.assets",
        "covered" => "continuity.field.covered",
        "service" => "continuity.field.service",
        "alternates" => "continuity.field.alternates",
        "scenario_id" => "continuity.field.scenario",
        "services" => "continuity.field.services",
        "went_well" => "continuity.field.went_well",
        "went_badly" => "continuity.field.went_badly",
        "title" => "action.field.title",
        "owner" => "action.field.owner",
        "due_on" => "action.field.due_on",
        "due_days" => "action.field.due_days",
        _ => "continuity.field.note",
    }
}

/// A target recovery time in the reader's words.
pub fn rto_text(tr: &Tr, hours: i64) -> String {
    let (n, days) = rto_parts(hours);
    let key = match (days, n == 1) {
        (true, true) => "continuity.rto_day",
        (true, false) => "continuity.rto_days",
        (false, true) => "continuity.rto_hour",
        (false, false) => "continuity.rto_hours",
    };
    tr.f(key, &[("n", n.to_string())])
}

fn post_name(tr: &Tr, post: &mamori_app::organisation::Post) -> String {
    mamori_app::training::post_name(tr, post)
}

/// An alternate on a page.
pub struct AltRow {
    pub name: String,
    pub yearly: String,
    pub drill: String,
    pub warnings: Vec<String>,
}

fn alt_row(tr: &Tr, a: &AlternateView) -> AltRow {
    AltRow {
        name: a.person.name.clone(),
        yearly: tr
            .t(match a.standing.map(|s| s.yearly) {
                Some(Coverage::Met) => "continuity.trained",
                Some(Coverage::Due) => "continuity.training_due",
                Some(Coverage::Overdue) => "continuity.training_overdue",
                _ => "continuity.training_not_counted",
            })
            .to_owned(),
        drill: tr
            .t(if a.drilled {
                "continuity.drilled"
            } else {
                "continuity.not_drilled"
            })
            .to_owned(),
        warnings: a
            .warnings
            .iter()
            .map(|w| tr.t(w.label_key()).to_owned())
            .collect(),
    }
}

/// A roster entry on a page.
pub struct CoverRow {
    pub id: i64,
    pub covered: String,
    pub service: String,
    pub note: String,
    pub alternates: Vec<AltRow>,
}

fn cover_row(tr: &Tr, services: &[mamori_app::continuity::Service], c: &CoverView) -> CoverRow {
    CoverRow {
        id: c.cover.id,
        covered: match (&c.covered_name, &c.covered_post) {
            (Some(name), _) => name.clone(),
            (None, Some(post)) => post_name(tr, post),
            (None, None) => tr.t("continuity.unknown_post").to_owned(),
        },
        service: c
            .cover
            .service_id
            .and_then(|id| services.iter().find(|s| s.id == id))
            .map(|s| app_continuity::name(s, tr.lang).to_owned())
            .unwrap_or_else(|| tr.t("continuity.all_services").to_owned()),
        note: c.cover.note.clone(),
        alternates: c.alternates.iter().map(|a| alt_row(tr, a)).collect(),
    }
}

/// A service on a page.
pub struct ServiceRow {
    pub id: i64,
    pub name: String,
    pub lang: &'static str,
    pub description: String,
    pub priority: i64,
    pub rto: String,
    pub post: String,
    pub assets: Vec<(i64, String)>,
    pub hidden: String,
    pub workarounds: Vec<String>,
    pub covers: Vec<CoverRow>,
    pub warnings: Vec<String>,
    pub retired: bool,
}

fn service_row(
    tr: &Tr,
    services: &[mamori_app::continuity::Service],
    v: &ServiceView,
    covers: &[CoverView],
) -> ServiceRow {
    let s = &v.service;
    let name = app_continuity::name(s, tr.lang).to_owned();
    ServiceRow {
        id: s.id,
        lang: tr.lang_of(&name),
        name,
        description: app_continuity::description(s, tr.lang).to_owned(),
        priority: s.priority,
        rto: rto_text(tr, s.rto_hours),
        post: v
            .post
            .as_ref()
            .map(|p| post_name(tr, p))
            .unwrap_or_else(|| tr.t("continuity.no_post").to_owned()),
        assets: v.assets.clone(),
        hidden: if v.hidden_assets > 0 {
            tr.f(
                "continuity.hidden_assets",
                &[("count", v.hidden_assets.to_string())],
            )
        } else {
            String::new()
        },
        workarounds: app_continuity::workarounds(s, tr.lang).to_vec(),
        covers: covers
            .iter()
            .filter(|c| v.covers.contains(&c.cover.id))
            .map(|c| cover_row(tr, services, c))
            .collect(),
        warnings: v
            .warnings
            .iter()
            .map(|w| tr.t(w.label_key()).to_owned())
            .collect(),
        retired: s.retired,
    }
}

/// A drill in the year's list.
pub struct DrillRow {
    pub session_id: i64,
    pub when: String,
    pub course: String,
    pub scenario: String,
    pub findings: usize,
    pub recorded: bool,
}

fn drill_row(ctx: &Ctx, d: &DrillLine) -> DrillRow {
    DrillRow {
        session_id: d.session.id,
        when: ctx.date(d.session.held_on),
        course: d.session.course_title.clone(),
        scenario: d
            .record
            .as_ref()
            .and_then(|r| r.scenario_title.clone())
            .unwrap_or_default(),
        findings: d.findings,
        recorded: d.record.is_some(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    year: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "continuity/overview.html")]
struct OverviewPage {
    t: Tr,
    layout: Layout,
    services: Vec<ServiceRow>,
    drills: Vec<DrillRow>,
    year: String,
    year_code: i32,
    years: Vec<(i32, String)>,
    uncovered: usize,
    may_edit: bool,
    notice: Option<String>,
    print: bool,
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    query: &YearQuery,
    print: bool,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::read_gate(&state.app, acting, "continuity.overview").await?;
    let fy = crate::http::params::training::year_asked(query.year.as_deref())
        .map_err(mamori_app::Failure::invalid)?;
    let view = app_continuity::overview(&state.app, acting, fy).await?;
    let all: Vec<_> = view.services.iter().map(|v| v.service.clone()).collect();
    let tr = &ctx.tr;
    let path = if print {
        format!("{PATH}/print")
    } else {
        PATH.to_owned()
    };
    let page = OverviewPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &path, Some(&signed.0)).await,
        services: view
            .services
            .iter()
            .filter(|v| !print || !v.service.retired)
            .map(|v| service_row(tr, &all, v, &view.covers))
            .collect(),
        drills: view.drills.iter().map(|d| drill_row(ctx, d)).collect(),
        year: ctx.fiscal_year(fy),
        year_code: fy.year(),
        years: view
            .years
            .iter()
            .filter_map(|y| mamori_app::training::FiscalYear::new(*y))
            .map(|y| (y.year(), ctx.fiscal_year(y)))
            .collect(),
        uncovered: view.uncovered(),
        may_edit: view.may_edit,
        notice: query
            .saved
            .as_deref()
            .and_then(|s| match s {
                "cover" => Some("continuity.saved.cover"),
                "removed" => Some("continuity.saved.removed"),
                _ => None,
            })
            .map(|k| tr.t(k).to_owned()),
        print,
    };
    render(StatusCode::OK, &page)
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    overview_page(&state, &ctx, &signed, &query, false).await
}

pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    overview_page(&state, &ctx, &signed, &YearQuery::default(), true).await
}

#[derive(Template)]
#[template(path = "continuity/service.html")]
struct ServicePage {
    t: Tr,
    layout: Layout,
    /// None for a new service.
    row: Option<ServiceRow>,
    action: String,
    form: ServiceForm,
    posts: Vec<Choice>,
    assets: Vec<(String, String, bool)>,
    errors: Vec<FieldError>,
    may_edit: bool,
    notice: Option<String>,
}

impl ServicePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn form_of(service: &mamori_app::continuity::Service, lang: Lang) -> ServiceForm {
    ServiceForm {
        name: app_continuity::name(service, lang).to_owned(),
        description: app_continuity::description(service, lang).to_owned(),
        priority: service.priority.to_string(),
        rto: service.rto_text.clone(),
        post_id: service.post_id.map(|p| p.to_string()).unwrap_or_default(),
        workarounds: app_continuity::workarounds(service, lang).join("\n"),
        retired: service.retired,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_service(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    form: Option<ServiceForm>,
    chosen: Option<Vec<i64>>,
    problems: &[FieldProblem],
    notice: Option<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let tr = &ctx.tr;
    let (row, linked, stored, may_edit) = match id {
        Some(id) => {
            let detail = app_continuity::service(&state.app, acting, id).await?;
            let all = vec![detail.view.service.clone()];
            let row = service_row(tr, &all, &detail.view, &detail.covers);
            let linked: Vec<i64> = detail.view.assets.iter().map(|a| a.0).collect();
            let stored = form_of(&detail.view.service, tr.lang);
            (Some(row), linked, Some(stored), detail.may_edit)
        }
        None => (None, Vec::new(), None, true),
    };
    let form = form.or(stored).unwrap_or_else(|| ServiceForm {
        priority: "6".to_owned(),
        ..ServiceForm::default()
    });
    let chosen = chosen.unwrap_or(linked);
    let (posts, assets) = if may_edit {
        let posts = app_continuity::posts(&state.app)
            .await?
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: post_name(tr, p),
            })
            .collect();
        let assets = app_continuity::asset_choices(&state.app, acting)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name, chosen.contains(&id)))
            .collect();
        (posts, assets)
    } else {
        (Vec::new(), Vec::new())
    };
    let path = match id {
        Some(id) => format!("{PATH}/services/{id}"),
        None => format!("{PATH}/services/new"),
    };
    let page = ServicePage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &path, Some(&signed.0)).await,
        row,
        action: path,
        form,
        posts,
        assets,
        errors: field_errors(problems, tr, label_key),
        may_edit,
        notice,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_service(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    app_continuity::edit_gate(&state.app, &signed.0.acting, "continuity.service_create").await?;
    render_service(&state, &ctx, &signed, None, None, None, &[], None).await
}

fn read_service(fields: &FormFields) -> (ServiceForm, Vec<i64>) {
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = ServiceForm {
        name: get("name"),
        description: get("description"),
        priority: get("priority"),
        rto: get("rto"),
        post_id: get("post_id"),
        workarounds: get("workarounds"),
        retired: fields.get("retired") == "on",
    };
    // An asset id that is not a number cannot be one the person sees: left out, as an
    // unticked box would be.
    let assets = fields
        .all("assets")
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    (form, assets)
}

pub async fn create_service(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.service_create").await?;
    let fields = FormFields::read(request).await?;
    let (form, assets) = read_service(&fields);
    match app_continuity::create_service(&state.app, acting, &form, &assets).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/services/{id}?saved=created"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_service(
                &state,
                &ctx,
                &signed,
                None,
                Some(form),
                Some(assets),
                &problems,
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn service(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    app_continuity::read_gate(&state.app, &signed.0.acting, "continuity.service").await?;
    let id = parse_id(&id)?;
    let notice = match query.saved.as_deref() {
        Some("created") => Some(ctx.tr.t("continuity.saved.created").to_owned()),
        Some("updated") => Some(ctx.tr.t("continuity.saved.updated").to_owned()),
        _ => None,
    };
    render_service(&state, &ctx, &signed, Some(id), None, None, &[], notice).await
}

pub async fn update_service(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.service_update").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let (form, assets) = read_service(&fields);
    match app_continuity::update_service(&state.app, acting, id, &form, &assets, ctx.tr.lang).await
    {
        Ok(_) => Ok(see_other(&format!("{PATH}/services/{id}?saved=updated"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_service(
                &state,
                &ctx,
                &signed,
                Some(id),
                Some(form),
                Some(assets),
                &problems,
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "continuity/roster.html")]
struct RosterPage {
    t: Tr,
    layout: Layout,
    covers: Vec<CoverRow>,
    covered: Vec<Choice>,
    services: Vec<Choice>,
    people: Vec<Choice>,
    form: CoverForm,
    /// The alternates' selects, each with the login chosen.
    slots: Vec<(usize, String)>,
    errors: Vec<FieldError>,
    may_edit: bool,
}

impl RosterPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

const SLOTS: usize = 3;

async fn render_roster(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: CoverForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let tr = &ctx.tr;
    let roster = app_continuity::roster(&state.app, acting).await?;
    let all = roster.services.clone();
    let person =
        |u: &mamori_app::users::User| crate::http::labels::bracketed(tr, &u.display_name, &u.login);
    let mut covered: Vec<Choice> = roster
        .posts
        .iter()
        .map(|p| Choice {
            value: format!("post:{}", p.id),
            label: post_name(tr, p),
        })
        .collect();
    covered.extend(roster.people.iter().map(|u| Choice {
        value: format!("user:{}", u.id),
        label: person(u),
    }));
    let slots = (0..SLOTS)
        .map(|i| (i + 1, form.alternates.get(i).cloned().unwrap_or_default()))
        .collect();
    let page = RosterPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &format!("{PATH}/roster"), Some(&signed.0)).await,
        covers: roster
            .covers
            .iter()
            .map(|c| cover_row(tr, &all, c))
            .collect(),
        covered,
        services: roster
            .services
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: app_continuity::name(s, tr.lang).to_owned(),
            })
            .collect(),
        people: roster
            .people
            .iter()
            .map(|u| Choice {
                value: u.login.clone(),
                label: person(u),
            })
            .collect(),
        form,
        slots,
        errors: field_errors(problems, tr, label_key),
        may_edit: roster.may_edit,
    };
    render(form_status(&page.errors), &page)
}

pub async fn roster(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    render_roster(&state, &ctx, &signed, CoverForm::default(), &[]).await
}

pub async fn add_cover(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.cover_add").await?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = CoverForm {
        covered: get("covered"),
        service: get("service"),
        alternates: (1..=SLOTS)
            .map(|i| get(&format!("alternate_{i}")))
            .collect(),
        note: get("note"),
    };
    match app_continuity::add_cover(&state.app, acting, &form).await {
        Ok(_) => Ok(see_other(&format!("{PATH}?saved=cover"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_roster(&state, &ctx, &signed, form, &problems).await
        }
    }
}

pub async fn remove_cover(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.cover_remove").await?;
    app_continuity::remove_cover(&state.app, acting, parse_id(&id)?).await?;
    Ok(see_other(&format!("{PATH}?saved=removed")))
}
