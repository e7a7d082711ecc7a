//! Training pages (研修・訓練): a 年度 at a glance (plan, courses, sessions), a course and
//! its sessions, the plan and its decision, the coverage rule, and everyone's coverage.
//! Sessions and attendance are in [`sessions`]. Thin shells over `mamori_app::training`.

pub mod drill;
pub mod report;
pub mod sessions;

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::training::{
    self as app_training, CourseKind, CourseRecord, Coverage, FiscalYear, PlanView, Rules,
    RulesForm,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::training::{CourseForm, RULE_USER_TYPES};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, Tick, error_for, form_problems, form_status, named_errors,
    parse_id,
};
use crate::http::params::training::{standing_asked, user_type_asked, year_asked};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

pub(crate) const PATH: &str = "/training";
/// Longest text kept from a refused field to show it again.
pub(crate) const KEEP_CHARS: usize = 12_000;

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    year: Option<String>,
    saved: Option<String>,
    user_type: Option<String>,
    standing: Option<String>,
}

fn year_of(query: &YearQuery) -> Result<FiscalYear, AppError> {
    Ok(year_asked(query.year.as_deref()).map_err(mamori_app::Failure::invalid)?)
}

fn kind_choices(tr: &Tr) -> Vec<Choice> {
    CourseKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: tr.t(k.label_key()).to_owned(),
        })
        .collect()
}

/// A session in a list: (link, course title, when and where, invited/present, cancelled).
pub struct SessionRow {
    pub link: String,
    pub title: String,
    pub when: String,
    pub figures: String,
    pub cancelled: bool,
}

pub(crate) fn session_row(ctx: &Ctx, s: &mamori_app::training::SessionRecord) -> SessionRow {
    SessionRow {
        link: format!("{PATH}/sessions/{}", s.id),
        title: s.course_title.clone(),
        when: crate::http::labels::session_when(ctx, s),
        figures: ctx.tr.f(
            "training.figures",
            &[
                ("invited", s.invited.to_string()),
                ("present", s.present.to_string()),
            ],
        ),
        cancelled: s.cancelled_at.is_some(),
    }
}

pub struct CourseRow {
    pub link: String,
    pub title: String,
    pub kind: &'static str,
    pub sessions: i64,
}

fn course_row(c: &CourseRecord) -> CourseRow {
    CourseRow {
        link: format!("{PATH}/courses/{}", c.id),
        title: c.title.clone(),
        kind: c.kind.label_key(),
        sessions: c.sessions,
    }
}

#[derive(Template)]
#[template(path = "training/overview.html")]
struct OverviewPage {
    t: Tr,
    layout: Layout,
    year: String,
    year_code: i32,
    /// (year code, its label) of the 年度 to choose from.
    years: Vec<(i32, String)>,
    plan_status: Option<String>,
    courses: Vec<CourseRow>,
    sessions: Vec<SessionRow>,
    may_edit: bool,
    sees_coverage: bool,
    /// The yearly report also shows every notice's read figures.
    sees_report: bool,
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&query)?;
    let acting = &signed.0.acting;
    let view = app_training::overview(&state.app, acting, fy).await?;
    let page = OverviewPage {
        t: ctx.tr,
        layout: Layout::load(&state, "training", PATH, Some(&signed.0)).await,
        year: ctx.fiscal_year(fy),
        year_code: fy.year(),
        years: view
            .years
            .iter()
            .filter_map(|y| FiscalYear::new(*y))
            .map(|y| (y.year(), ctx.fiscal_year(y)))
            .collect(),
        plan_status: view.plan.as_ref().map(|p| {
            ctx.tr
                .t(&format!("training.plan_status.{}", p.status))
                .to_owned()
        }),
        courses: view.courses.iter().map(course_row).collect(),
        sessions: view.sessions.iter().map(|s| session_row(&ctx, s)).collect(),
        may_edit: view.may_edit,
        sees_coverage: acting.may(Register::Training, Act::SeeAll),
        sees_report: acting.may(Register::Training, Act::SeeAll)
            && acting.may(Register::Awareness, Act::SeeAll),
    };
    render(StatusCode::OK, &page)
}

// ------------------------------------------------------------------------ courses

#[derive(Template)]
#[template(path = "training/course_form.html")]
struct CourseFormPage {
    t: Tr,
    layout: Layout,
    form: CourseForm,
    kinds: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl CourseFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_course_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: CourseForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let errors = named_errors(problems, &ctx.tr);
    let page = CourseFormPage {
        t: ctx.tr,
        layout: Layout::load(state, "training", "/training/courses/new", Some(&signed.0)).await,
        kinds: kind_choices(&ctx.tr),
        form,
        errors,
    };
    render(form_status(&page.errors), &page)
}

async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Training, Act::Edit, what)
        .await?;
    Ok(())
}

pub async fn new_course(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "training.course_create").await?;
    let fy = year_of(&query)?;
    let form = CourseForm {
        fiscal_year: ctx.fiscal_year(fy),
        kind: CourseKind::Everyone.as_str().to_owned(),
        ..CourseForm::default()
    };
    render_course_form(&state, &ctx, &signed, form, &[]).await
}

pub async fn create_course(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "training.course_create").await?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = CourseForm {
        fiscal_year: get("fiscal_year"),
        kind: get("kind"),
        title: get("title"),
        description: get("description"),
    };
    match app_training::create_course(&state.app, &signed.0.acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/courses/{id}?saved=created"))),
        Err(f) => render_course_form(&state, &ctx, &signed, form, &form_problems(f)?).await,
    }
}

#[derive(Template)]
#[template(path = "training/course.html")]
struct CoursePage {
    t: Tr,
    layout: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    year: String,
    year_code: i32,
    description: String,
    sessions: Vec<SessionRow>,
    may_edit: bool,
    self_declared: bool,
    notice: Option<&'static str>,
}

pub async fn course(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let view = app_training::course(&state.app, &signed.0.acting, id).await?;
    let r = &view.record;
    let fy = FiscalYear::new(r.fiscal_year).unwrap_or_else(|| FiscalYear::of(mamori_app::today()));
    let page = CoursePage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "training",
            &format!("{PATH}/courses/{id}"),
            Some(&signed.0),
        )
        .await,
        id,
        title: r.title.clone(),
        kind: r.kind.label_key(),
        year: ctx.fiscal_year(fy),
        year_code: fy.year(),
        description: r.description.clone(),
        sessions: view.sessions.iter().map(|s| session_row(&ctx, s)).collect(),
        may_edit: view.may_edit,
        self_declared: r.kind.self_declared(),
        notice: match query.saved.as_deref() {
            Some("created") => Some("training.course_created"),
            Some("cancelled") => Some("training.session_cancelled"),
            _ => None,
        },
    };
    render(StatusCode::OK, &page)
}

// ------------------------------------------------------------------------ plan

#[derive(Template)]
#[template(path = "training/plan.html")]
struct PlanPage {
    t: Tr,
    layout: Layout,
    view: PlanView,
    year: String,
    year_code: i32,
    status: String,
    approved: String,
    summary: String,
    history: Vec<(String, String, String)>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

impl PlanPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_plan(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    fy: FiscalYear,
    summary: Option<String>,
    problems: &[FieldProblem],
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let view = app_training::plan(&state.app, &signed.0.acting, fy).await?;
    let errors = named_errors(problems, &ctx.tr);
    let record = view.record.as_ref();
    let page = PlanPage {
        t: ctx.tr,
        layout: Layout::load(state, "training", "/training/plan", Some(&signed.0)).await,
        year: ctx.fiscal_year(fy),
        year_code: fy.year(),
        status: record
            .map(|p| {
                ctx.tr
                    .t(&format!("training.plan_status.{}", p.status))
                    .to_owned()
            })
            .unwrap_or_else(|| ctx.tr.t("training.plan_status.none").to_owned()),
        approved: record
            .and_then(|p| p.approved_at)
            .map(|at| ctx.datetime(at))
            .unwrap_or_default(),
        summary: summary.unwrap_or_else(|| record.map(|p| p.summary.clone()).unwrap_or_default()),
        history: view
            .history
            .iter()
            .map(|r| {
                (
                    format!("/approvals/{}", r.id),
                    ctx.tr
                        .t(&format!("approval.state.{}", r.state.as_str()))
                        .to_owned(),
                    r.decided_by_name.clone().unwrap_or_default(),
                )
            })
            .collect(),
        view,
        errors,
        notice,
    };
    render(form_status(&page.errors), &page)
}

pub async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&query)?;
    let notice = match query.saved.as_deref() {
        Some("saved") => Some("training.plan_saved"),
        Some("asked") => Some("training.plan_asked"),
        _ => None,
    };
    render_plan(&state, &ctx, &signed, fy, None, &[], notice).await
}

/// Reads the 年度 field of a form (a refused one is the form's problem).
fn form_year(fields: &FormFields) -> Result<FiscalYear, AppError> {
    Ok(year_asked(Some(fields.get("year"))).map_err(mamori_app::Failure::invalid)?)
}

pub async fn save_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "training.plan_save").await?;
    let fields = FormFields::read(request).await?;
    let fy = form_year(&fields)?;
    let summary: String = fields.get("summary").chars().take(KEEP_CHARS).collect();
    match app_training::save_plan(&state.app, &signed.0.acting, fy, &summary).await {
        Ok(_) => Ok(see_other(&format!(
            "{PATH}/plan?year={}&saved=saved",
            fy.year()
        ))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_plan(&state, &ctx, &signed, fy, Some(summary), &problems, None).await
        }
    }
}

pub async fn ask_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "training.plan_ask").await?;
    let fields = FormFields::read(request).await?;
    let fy = form_year(&fields)?;
    app_training::ask_plan(&state.app, &signed.0.acting, fy).await?;
    Ok(see_other(&format!(
        "{PATH}/plan?year={}&saved=asked",
        fy.year()
    )))
}

/// A plan's page by its record: the approval request links here.
pub async fn plan_by_id(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let year = app_training::plan_year(&state.app, &signed.0.acting, id).await?;
    let fy = FiscalYear::new(year).ok_or(mamori_app::Failure::NotFound)?;
    render_plan(&state, &ctx, &signed, fy, None, &[], None).await
}

// ------------------------------------------------------------------------ rules

#[derive(Template)]
#[template(path = "training/rules.html")]
struct RulesPage {
    t: Tr,
    layout: Layout,
    yearly_user_types: Vec<Tick>,
    yearly_kinds: Vec<Tick>,
    new_user_types: Vec<Tick>,
    new_kinds: Vec<Tick>,
    within_days: String,
    may_edit: bool,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

impl RulesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn rules_form(rules: &Rules) -> RulesForm {
    let types = |r: &mamori_domain::training::Rule| {
        r.user_types.iter().map(|t| t.as_str().to_owned()).collect()
    };
    let kinds = |r: &mamori_domain::training::Rule| {
        r.course_kinds
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect()
    };
    RulesForm {
        yearly_user_types: types(&rules.yearly),
        yearly_kinds: kinds(&rules.yearly),
        new_user_types: types(&rules.new_people),
        new_kinds: kinds(&rules.new_people),
        within_days: rules.within_days.to_string(),
    }
}

async fn render_rules(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: RulesForm,
    problems: &[FieldProblem],
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let tr = &ctx.tr;
    let type_ticks = |chosen: &[String]| -> Vec<Tick> {
        RULE_USER_TYPES
            .iter()
            .map(|u| Tick {
                value: u.as_str(),
                label: tr.t(&format!("user_type.{}", u.as_str())).to_owned(),
                checked: chosen.iter().any(|c| c == u.as_str()),
            })
            .collect()
    };
    let kind_ticks = |chosen: &[String]| -> Vec<Tick> {
        CourseKind::ALL
            .iter()
            .map(|k| Tick {
                value: k.as_str(),
                label: tr.t(k.label_key()).to_owned(),
                checked: chosen.iter().any(|c| c == k.as_str()),
            })
            .collect()
    };
    let page = RulesPage {
        t: ctx.tr,
        layout: Layout::load(state, "training", "/training/rules", Some(&signed.0)).await,
        yearly_user_types: type_ticks(&form.yearly_user_types),
        yearly_kinds: kind_ticks(&form.yearly_kinds),
        new_user_types: type_ticks(&form.new_user_types),
        new_kinds: kind_ticks(&form.new_kinds),
        within_days: form.within_days,
        may_edit: signed.0.acting.may(Register::Training, Act::Edit),
        errors: named_errors(problems, &ctx.tr),
        notice,
    };
    render(form_status(&page.errors), &page)
}

pub async fn rules(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let rules = app_training::rules(&state.app, &signed.0.acting).await?;
    let notice = (query.saved.as_deref() == Some("rules")).then_some("training.rules_saved");
    render_rules(&state, &ctx, &signed, rules_form(&rules), &[], notice).await
}

pub async fn save_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "training.rules_set").await?;
    let fields = FormFields::read(request).await?;
    let form = RulesForm {
        yearly_user_types: fields.all("yearly_user_types"),
        yearly_kinds: fields.all("yearly_kinds"),
        new_user_types: fields.all("new_user_types"),
        new_kinds: fields.all("new_kinds"),
        within_days: fields.get("within_days").chars().take(40).collect(),
    };
    match app_training::set_rules(&state.app, &signed.0.acting, &form).await {
        Ok(()) => Ok(see_other(&format!("{PATH}/rules?saved=rules"))),
        Err(f) => render_rules(&state, &ctx, &signed, form, &form_problems(f)?, None).await,
    }
}

// ------------------------------------------------------------------------ coverage

pub struct CoverageLine {
    pub name: String,
    pub login: String,
    pub user_type: String,
    pub standing: &'static str,
    pub overdue: bool,
    pub detail: String,
    pub attended: usize,
}

#[derive(Template)]
#[template(path = "training/coverage.html")]
struct CoveragePage {
    t: Tr,
    layout: Layout,
    year: String,
    year_code: i32,
    user_types: Vec<Choice>,
    user_type: String,
    standings: Vec<Choice>,
    standing: String,
    lines: Vec<CoverageLine>,
    summary: String,
}

impl CoveragePage {
    /// A filter is never wrong on the page: a bad value in the address is a 422.
    fn no_error(&self) -> Option<&str> {
        None
    }
}

pub async fn coverage(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&query)?;
    let user_type =
        user_type_asked(query.user_type.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let standing =
        standing_asked(query.standing.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let rows = app_training::coverage(&state.app, &signed.0.acting, fy, user_type).await?;
    let bound: Vec<_> = rows
        .iter()
        .filter(|r| r.standing.overall() != Coverage::NotBound)
        .collect();
    let met = bound
        .iter()
        .filter(|r| r.standing.overall() == Coverage::Met)
        .count();
    let tr = &ctx.tr;
    let lines = rows
        .iter()
        .filter(|r| standing.is_none_or(|s| r.standing.overall() == s))
        .map(|r| {
            let overall = r.standing.overall();
            CoverageLine {
                name: r.person.display_name.clone(),
                login: r.person.login.clone(),
                user_type: tr
                    .t(&format!("user_type.{}", r.person.user_type.as_str()))
                    .to_owned(),
                standing: overall.label_key(),
                overdue: overall == Coverage::Overdue,
                detail: r
                    .standing
                    .new_person_due
                    .filter(|_| r.standing.new_person != Coverage::Met)
                    .map(|d| tr.f("training.new_person_due", &[("date", ctx.date(d))]))
                    .unwrap_or_default(),
                attended: r.attended,
            }
        })
        .collect();
    let all = |key: &str| Choice {
        value: "all".to_owned(),
        label: tr.t(key).to_owned(),
    };
    let page = CoveragePage {
        t: ctx.tr,
        layout: Layout::load(&state, "training", "/training/coverage", Some(&signed.0)).await,
        year: ctx.fiscal_year(fy),
        year_code: fy.year(),
        user_types: std::iter::once(all("training.filter_all"))
            .chain(RULE_USER_TYPES.iter().map(|u| Choice {
                value: u.as_str().to_owned(),
                label: tr.t(&format!("user_type.{}", u.as_str())).to_owned(),
            }))
            .collect(),
        user_type: user_type.map_or("all", |u| u.as_str()).to_owned(),
        standings: std::iter::once(all("training.filter_all"))
            .chain(Coverage::ALL.iter().map(|c| Choice {
                value: c.as_str().to_owned(),
                label: tr.t(c.label_key()).to_owned(),
            }))
            .collect(),
        standing: standing.map_or("all", |s| s.as_str()).to_owned(),
        summary: tr.f(
            "training.coverage_summary",
            &[
                ("met", met.to_string()),
                ("bound", bound.len().to_string()),
                (
                    "percent",
                    mamori_domain::awareness::read_percent(met as i64, bound.len() as i64)
                        .to_string(),
                ),
            ],
        ),
        lines,
    };
    render(StatusCode::OK, &page)
}
