//! The continuity plan's part of a drill session's page (`continuity/_drill.html`): the
//! scenario of the published response plan it assumed, the services it exercised, how
//! it went, and its findings as corrective actions; and the forms' handlers (routes under
//! /continuity/drills/…). Thin shells over `mamori_app::continuity`.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::continuity::{self as app_continuity, DrillView};
use mamori_app::i18n::Tr;
use mamori_domain::continuity::DrillForm;
use mamori_domain::corrective::ActionInput;
use mamori_domain::field::FieldProblem;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, error_for, field_errors, form_problems, form_status, parse_id,
};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const KEEP_CHARS: usize = 8_000;

fn label_key(field: &str) -> &'static str {
    match field {
        "scenario_id" => "continuity.field.scenario",
        "services" => "continuity.field.services",
        "went_well" => "continuity.field.went_well",
        "went_badly" => "continuity.field.went_badly",
        "title" => "action.field.title",
        "owner" => "action.field.owner",
        "due_on" => "action.field.due_on",
        _ => "action.field.description",
    }
}

/// The drill section of a drill session's page (`continuity/_drill.html`).
pub struct DrillSection {
    pub session_id: i64,
    pub scenario: String,
    pub scenarios: Vec<Choice>,
    pub scenario_value: String,
    pub services: Vec<(String, String, bool)>,
    pub exercised: Vec<String>,
    pub went_well: String,
    pub went_badly: String,
    pub recorded: bool,
    pub findings: Vec<(i64, String, String)>,
    pub owners: Vec<Choice>,
    pub may_edit: bool,
    pub may_add_finding: bool,
    pub errors: Vec<FieldError>,
}

impl DrillSection {
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn drill_section(
    ctx: &Ctx,
    view: &DrillView,
    typed: Option<&DrillForm>,
    owners: Vec<Choice>,
    problems: &[FieldProblem],
) -> DrillSection {
    let tr = &ctx.tr;
    let record = view.record.as_ref();
    let chosen: Vec<i64> = match typed {
        Some(f) => f.services.clone(),
        None => record.map(|r| r.services.clone()).unwrap_or_default(),
    };
    DrillSection {
        session_id: view.session.id,
        scenario: record
            .and_then(|r| r.scenario_title.clone())
            .unwrap_or_else(|| tr.t("continuity.no_scenario").to_owned()),
        scenarios: view
            .scenarios
            .iter()
            .map(|s| Choice {
                value: s.id.to_string(),
                label: crate::http::labels::bracketed(tr, &s.title, &s.plan_title),
            })
            .collect(),
        scenario_value: typed
            .and_then(|f| f.scenario_id)
            .or_else(|| record.and_then(|r| r.scenario_id))
            .map(|s| s.to_string())
            .unwrap_or_default(),
        services: view
            .services
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    app_continuity::name(s, tr.lang).to_owned(),
                    chosen.contains(&s.id),
                )
            })
            .collect(),
        exercised: view
            .services
            .iter()
            .filter(|s| record.is_some_and(|r| r.services.contains(&s.id)))
            .map(|s| app_continuity::name(s, tr.lang).to_owned())
            .collect(),
        went_well: typed
            .map(|f| f.went_well.clone())
            .or_else(|| record.map(|r| r.went_well.clone()))
            .unwrap_or_default(),
        went_badly: typed
            .map(|f| f.went_badly.clone())
            .or_else(|| record.map(|r| r.went_badly.clone()))
            .unwrap_or_default(),
        recorded: record.is_some(),
        findings: view
            .findings
            .iter()
            .map(|a| {
                (
                    a.id,
                    a.title.clone(),
                    tr.t(&format!("action.status.{}", a.status.as_str()))
                        .to_owned(),
                )
            })
            .collect(),
        owners,
        may_edit: view.may_edit,
        may_add_finding: view.may_add_finding,
        errors: field_errors(problems, tr, label_key),
    }
}

async fn owner_choices(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: &DrillView,
) -> Result<Vec<Choice>, AppError> {
    if !view.may_add_finding {
        return Ok(Vec::new());
    }
    Ok(
        mamori_app::cycle::actions::owner_choices(&state.app, &signed.0.acting)
            .await?
            .iter()
            .map(|u| Choice {
                value: format!("user:{}", u.id),
                label: crate::http::labels::bracketed(&ctx.tr, &u.display_name, &u.login),
            })
            .collect(),
    )
}

/// The section for session `id`'s page, when it is a drill the reader may see.
pub async fn section_for(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
) -> Result<Option<DrillSection>, AppError> {
    let Some(view) = app_continuity::drill(&state.app, &signed.0.acting, id).await? else {
        return Ok(None);
    };
    let owners = owner_choices(state, ctx, signed, &view).await?;
    Ok(Some(drill_section(ctx, &view, None, owners, &[])))
}

#[derive(Template)]
#[template(path = "continuity/drill.html")]
struct DrillPage {
    t: Tr,
    layout: Layout,
    title: String,
    drill: DrillSection,
}

/// A drill form refused: shown again on its own page with the messages.
async fn render_drill(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    typed: Option<&DrillForm>,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let view = app_continuity::drill(&state.app, &signed.0.acting, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let owners = owner_choices(state, ctx, signed, &view).await?;
    let page = DrillPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "training",
            &format!("/training/sessions/{id}"),
            Some(&signed.0),
        )
        .await,
        title: format!(
            "{} {}",
            view.session.course_title,
            ctx.date(view.session.held_on)
        ),
        drill: drill_section(ctx, &view, typed, owners, problems),
    };
    render(form_status(&page.drill.errors), &page)
}

pub async fn save_drill(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.drill_save").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let scenario = get("scenario_id");
    let form = DrillForm {
        scenario_id: match scenario.trim() {
            "" => None,
            s => Some(s.parse().unwrap_or(-1)),
        },
        services: fields
            .all("services")
            .iter()
            .map(|s| s.parse().unwrap_or(-1))
            .collect(),
        went_well: get("went_well"),
        went_badly: get("went_badly"),
    };
    match app_continuity::save_drill(&state.app, acting, id, &form).await {
        Ok(()) => Ok(see_other(&format!("/training/sessions/{id}?saved=drill"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_drill(&state, &ctx, &signed, id, Some(&form), &problems).await
        }
    }
}

pub async fn add_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    app_continuity::edit_gate(&state.app, acting, "continuity.finding").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let input = ActionInput {
        title: get("title"),
        description: get("description"),
        owner: get("owner"),
        due_on: get("due_on"),
        due_days: String::new(),
        due_kind: String::new(),
        confirm_past_dates: fields.get("confirm_past_dates") == "on",
    };
    match app_continuity::add_finding(&state.app, acting, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/training/sessions/{id}?saved=finding"))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_drill(&state, &ctx, &signed, id, None, &problems).await
        }
    }
}
