//! Emergency response plan pages (緊急時対応計画, issue 18 item 6): a version's scenarios
//! (`GET /policies/{id}/versions/{vid}/plan`), one scenario's form while the version is
//! a draft (`GET`/`POST …/plan/scenarios/{sid}`), the A4 print view with a wallet card
//! (`GET …/plan/print`) and the published plan as one self-contained HTML file for use
//! without a network (`GET /policies/{id}/plan/download`). Shells over
//! `mamori_app::policies`; the sheets are laid out in [`super::plan_sheets`].

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, PlanView, StoredScenario};
use mamori_domain::policy_lifecycle::VersionStatus;
use mamori_domain::response_plan::{Family, ScenarioInput, lines};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{Choice, FieldError, FormFields, error_for, field_errors, parse_id};
use crate::http::response_plan::{CallShown, Sheet, card, sheets, tel};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

fn plan_path(id: i64, vid: i64) -> String {
    format!("/policies/{id}/versions/{vid}/plan")
}

#[derive(Template)]
#[template(path = "policies/plan.html")]
struct PlanPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    version_id: i64,
    title: String,
    status_key: String,
    may_edit: bool,
    published: bool,
    sheets: Vec<Sheet>,
}

/// `GET /policies/{id}/versions/{vid}/plan`: the scenarios of a version, with links to
/// edit them (a draft, to editors), to print them, and to download the published plan.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    policies::plan_read_gate(&state.app, acting).await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let plan = policies::plan(&state.app, acting, id, vid).await?;
    let page = PlanPage {
        layout: Layout::load(&state, "policies", &plan_path(id, vid), Some(&signed.0)).await,
        document_id: id,
        version_id: vid,
        title: plan.version.title.clone(),
        status_key: format!("policy.status.{}", plan.version.status.as_str()),
        may_edit: plan.may_edit,
        published: plan.version.status == VersionStatus::Published,
        sheets: sheets(&ctx.tr, &plan, None),
        t: ctx.tr,
    };
    render(StatusCode::OK, &page)
}

/// The scenario form as typed (lists as text, one item a line).
#[derive(Default)]
struct ScenarioForm {
    family: String,
    title: String,
    actions: String,
    calls: Vec<String>,
    reports: String,
}

impl ScenarioForm {
    fn of(stored: &StoredScenario) -> ScenarioForm {
        let s = &stored.scenario;
        ScenarioForm {
            family: s.family.as_str().to_owned(),
            title: s.title.clone(),
            actions: s.actions.join("\n"),
            calls: s.calls.iter().map(i64::to_string).collect(),
            reports: s.reports.join("\n"),
        }
    }

    fn read(fields: &FormFields) -> ScenarioForm {
        ScenarioForm {
            family: fields.get("family").to_owned(),
            title: fields.get("title").to_owned(),
            actions: fields.get("actions").to_owned(),
            calls: fields.all("calls"),
            reports: fields.get("reports").to_owned(),
        }
    }

    /// A post id that does not read is kept as an unknown post (-1), which the use case
    /// refuses by name.
    fn input(&self) -> ScenarioInput {
        ScenarioInput {
            family: self.family.clone(),
            title: self.title.clone(),
            actions: lines(&self.actions),
            calls: self
                .calls
                .iter()
                .map(|c| c.trim().parse().unwrap_or(-1))
                .collect(),
            reports: lines(&self.reports),
        }
    }
}

/// A post to tick in the form.
struct PostTick {
    id: i64,
    label: String,
    lang: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "policies/plan_scenario.html")]
struct ScenarioPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    version_id: i64,
    scenario_id: i64,
    plan_title: String,
    families: Vec<Choice>,
    posts: Vec<PostTick>,
    form: ScenarioForm,
    lang: &'static str,
    errors: Vec<FieldError>,
}

impl ScenarioPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "family" => "response_plan.field.family",
        "title" => "response_plan.field.title",
        "actions" => "response_plan.field.actions",
        "calls" => "response_plan.field.calls",
        _ => "response_plan.field.reports",
    }
}

async fn scenario_page(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    (plan, sid): (PlanView, i64),
    form: ScenarioForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (id, vid) = (plan.document.id, plan.version.id);
    let tr = &ctx.tr;
    let posts = plan
        .posts
        .iter()
        .map(|p| {
            let label = mamori_app::training::post_name(tr, p);
            PostTick {
                id: p.id,
                lang: tr.lang_of(&label),
                checked: form.calls.contains(&p.id.to_string()),
                label,
            }
        })
        .collect();
    let typed = format!("{}{}{}", form.title, form.actions, form.reports);
    let page = ScenarioPage {
        layout: Layout::load(
            state,
            "policies",
            &format!("{}/scenarios/{sid}", plan_path(id, vid)),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        version_id: vid,
        scenario_id: sid,
        plan_title: plan.version.title.clone(),
        families: Family::ALL
            .iter()
            .map(|f| Choice {
                value: f.as_str().to_owned(),
                label: tr.t(f.label_key()).to_owned(),
            })
            .collect(),
        posts,
        lang: tr.lang_of(&typed),
        form,
        errors,
        t: ctx.tr,
    };
    render(status, &page)
}

/// `GET /policies/{id}/versions/{vid}/plan/scenarios/{sid}`: the form of one scenario.
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid, sid)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    policies::plan_edit_gate(&state.app, acting).await?;
    let (id, vid, sid) = (parse_id(&id)?, parse_id(&vid)?, parse_id(&sid)?);
    let (plan, scenario) = policies::scenario_form(&state.app, acting, id, vid, sid).await?;
    let form = ScenarioForm::of(&scenario);
    scenario_page(
        &state,
        ctx,
        &signed,
        (plan, sid),
        form,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /policies/{id}/versions/{vid}/plan/scenarios/{sid}`: saves the scenario; a
/// refused form comes back as typed with each problem named (422).
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid, sid)): Path<(String, String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    policies::plan_edit_gate(&state.app, acting).await?;
    let (id, vid, sid) = (parse_id(&id)?, parse_id(&vid)?, parse_id(&sid)?);
    let form = ScenarioForm::read(&FormFields::read(request).await?);
    match policies::edit_scenario(&state.app, acting, id, vid, sid, &form.input()).await {
        Ok(_) => Ok(see_other(&format!("{}#s{sid}", plan_path(id, vid)))),
        Err(Failure::Invalid(problems)) => {
            let errors = field_errors(&problems, &ctx.tr, label);
            let (plan, _) = policies::scenario_form(&state.app, acting, id, vid, sid).await?;
            scenario_page(
                &state,
                ctx,
                &signed,
                (plan, sid),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(failure) => Err(failure.into()),
    }
}

#[derive(Template)]
#[template(path = "policies/plan_print.html")]
struct PrintPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    version_id: i64,
    title: String,
    day: String,
    sheets: Vec<Sheet>,
    card: Vec<CallShown>,
}

impl PrintPage {
    fn tel(&self, number: &str) -> String {
        tel(number)
    }
}

/// `GET /policies/{id}/versions/{vid}/plan/print`: one A4 sheet per scenario and the
/// wallet card, with today's holders and numbers from the contact tree.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    policies::plan_read_gate(&state.app, acting).await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let today = mamori_app::today();
    let (plan, contacts) = policies::plan_print(&state.app, acting, id, vid, today).await?;
    let page = PrintPage {
        layout: Layout::load(
            &state,
            "policies",
            &format!("{}/print", plan_path(id, vid)),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        version_id: vid,
        title: plan.version.title.clone(),
        day: ctx.date(today),
        sheets: sheets(&ctx.tr, &plan, Some(&contacts)),
        card: card(&ctx.tr, &plan, &contacts),
        t: ctx.tr,
    };
    render(StatusCode::OK, &page)
}

/// `GET /policies/{id}/plan/download`: the published plan as one self-contained file.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::http::response_plan::plan_file(&state, ctx, &signed, &id).await
}
