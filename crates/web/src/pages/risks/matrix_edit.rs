//! The risk matrix's edit page: the form drawn for the sizes chosen, and the save that
//! makes a new version.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::risk::{Band, MAX_SCALE, MIN_SCALE};

use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;
use mamori_app::risks::matrices::{self, MatrixSaved};
use mamori_domain::access::{Act, Register};
use mamori_domain::wareki::Lang;

use super::matrix::*;
use super::matrix_form::*;

pub struct LevelRow {
    pub index: usize,
    pub number: usize,
    /// The index as a select's value.
    pub value: String,
    pub name_field: String,
    pub colour_field: String,
    pub band_field: String,
    pub name: String,
    pub colour_text: String,
    pub picker: String,
    pub band: String,
}

pub struct GridCell {
    pub field: String,
    pub label: String,
    pub selected: String,
    /// Whether `selected` names one of the levels (else "choose" is offered).
    pub known: bool,
}

pub struct GridRow {
    pub likelihood: String,
    pub cells: Vec<GridCell>,
}

pub struct BandChoice {
    pub value: &'static str,
    pub key: &'static str,
}

#[derive(Template)]
#[template(path = "risks/matrix_edit.html")]
pub(super) struct EditPage {
    t: Tr,
    layout: Layout,
    stylesheet: String,
    active_version: String,
    likelihood_count: usize,
    impact_count: usize,
    level_count: usize,
    scale_sizes: Vec<usize>,
    level_sizes: Vec<usize>,
    likelihood: Vec<StepField>,
    impact: Vec<StepField>,
    impact_names: Vec<String>,
    levels: Vec<LevelRow>,
    grid: Vec<GridRow>,
    bands: Vec<BandChoice>,
    errors: Vec<IssueView>,
    name_hint: String,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The text fields of a scale, lowest first; `ends` are the keys labelling its lowest
/// and highest steps.
pub(super) fn step_fields(
    tr: &Tr,
    prefix: &str,
    names: &[String],
    ends: (&'static str, &'static str),
) -> Vec<StepField> {
    let last = names.len().saturating_sub(1);
    names
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let key = match i {
                0 => ends.0,
                i if i == last => ends.1,
                _ => "risk.matrix.step",
            };
            StepField {
                field: format!("{prefix}{i}"),
                label: tr.f(key, &[("number", (i + 1).to_string())]),
                value: value.clone(),
            }
        })
        .collect()
}

/// The grid's rows, highest likelihood first, each cell with the level chosen for it.
fn grid_rows(tr: &Tr, form: &MatrixForm) -> Vec<GridRow> {
    let selected = |l: usize, i: usize| -> String {
        form.grid
            .get(l)
            .and_then(|row| row.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    (0..form.likelihood.len())
        .rev()
        .map(|l| GridRow {
            likelihood: form.likelihood[l].clone(),
            cells: (0..form.impact.len())
                .map(|i| GridCell {
                    field: format!("cell_{l}_{i}"),
                    label: tr.f(
                        "risk.matrix.cell_label",
                        &[
                            ("likelihood", form.likelihood[l].clone()),
                            ("impact", form.impact[i].clone()),
                        ],
                    ),
                    selected: selected(l, i),
                    known: selected(l, i)
                        .parse::<usize>()
                        .is_ok_and(|k| k < form.levels.len() && selected(l, i) == k.to_string()),
                })
                .collect(),
        })
        .collect()
}

fn level_rows(form: &MatrixForm) -> Vec<LevelRow> {
    form.levels
        .iter()
        .enumerate()
        .map(|(index, level)| LevelRow {
            index,
            number: index + 1,
            value: index.to_string(),
            name_field: format!("level_{index}_name"),
            colour_field: format!("level_{index}_colour_text"),
            band_field: format!("level_{index}_band"),
            name: level.name.clone(),
            colour_text: level.colour_text.clone(),
            picker: picker_value(&level.colour_text),
            band: level.band.clone(),
        })
        .collect()
}

pub(super) async fn render_edit(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: &MatrixForm,
    issues: &[Issue],
    status: StatusCode,
) -> Result<Response, AppError> {
    let active = matrices::active_matrix(&state.app, &signed.0.acting, "risk_matrix.edit").await?;
    let tr = ctx.tr;
    let page = EditPage {
        t: tr,
        layout: Layout::load(state, "risks", &format!("{PATH}/edit"), Some(&signed.0)).await,
        stylesheet: stylesheet_href(active.id),
        active_version: version_label(&tr, active.version),
        likelihood_count: form.likelihood.len(),
        impact_count: form.impact.len(),
        level_count: form.levels.len(),
        scale_sizes: (MIN_SCALE..=MAX_SCALE).collect(),
        level_sizes: (MIN_LEVELS..=MAX_LEVELS).collect(),
        likelihood: step_fields(
            &tr,
            "likelihood_",
            &form.likelihood,
            ("risk.matrix.step_lowest", "risk.matrix.step_highest"),
        ),
        impact: step_fields(
            &tr,
            "impact_",
            &form.impact,
            ("risk.matrix.step_smallest", "risk.matrix.step_largest"),
        ),
        impact_names: form.impact.clone(),
        levels: level_rows(form),
        grid: grid_rows(&tr, form),
        bands: Band::ALL
            .iter()
            .map(|b| BandChoice {
                value: b.as_str(),
                key: band_key(*b),
            })
            .collect(),
        errors: issues
            .iter()
            .map(|issue| IssueView {
                field: issue.field.clone(),
                message: tr.f(issue.key, &issue.params),
            })
            .collect(),
        name_hint: tr.f("risk.matrix.name_hint", &[("max", NAME_MAX.to_string())]),
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct SizeQuery {
    likelihood: Option<String>,
    impact: Option<String>,
    levels: Option<String>,
}

/// A size asked for in the query: `Ok(None)` when not asked, `Err` when out of range.
pub(super) fn asked_size(
    value: Option<&str>,
    range: std::ops::RangeInclusive<usize>,
) -> Result<Option<usize>, ()> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or(()),
    }
}

/// The active matrix resized as asked (a size out of range is kept and named).
fn sized_form(active: &mamori_domain::risk::Matrix, query: &SizeQuery) -> (MatrixForm, Vec<Issue>) {
    let mut issues = Vec::new();
    let mut size = |value: Option<&str>,
                    range: std::ops::RangeInclusive<usize>,
                    current: usize,
                    field: &str,
                    key: &'static str| {
        asked_size(value, range)
            .unwrap_or_else(|()| {
                issues.push(Issue::new(field, key));
                None
            })
            .unwrap_or(current)
    };
    let likelihood = size(
        query.likelihood.as_deref(),
        MIN_SCALE..=MAX_SCALE,
        active.likelihood.len(),
        "size_likelihood",
        "risk.error.scale_size",
    );
    let impact = size(
        query.impact.as_deref(),
        MIN_SCALE..=MAX_SCALE,
        active.impact.len(),
        "size_impact",
        "risk.error.scale_size",
    );
    let levels = size(
        query.levels.as_deref(),
        MIN_LEVELS..=MAX_LEVELS,
        active.levels.len(),
        "size_levels",
        "risk.error.levels",
    );
    let form = MatrixForm::from_matrix(&resized(active, likelihood, impact, levels));
    (form, issues)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SizeQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risk_matrix.edit",
        )
        .await?;
    let active = matrices::active_matrix(&state.app, &signed.0.acting, "risk_matrix.edit").await?;
    // The default names in the reader's language; `save` reads them back.
    let active = matrices::for_reader(active, ctx.lang()).matrix;
    let (form, issues) = sized_form(&active, &query);
    let status = if issues.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_edit(&state, &ctx, &signed, &form, &issues, status).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risk_matrix.edit",
        )
        .await?;
    let WebForm(fields) = WebForm::<Vec<(String, String)>>::from_request(request, &()).await?;
    let (form, mut issues) = form_from_fields(&fields);
    // Default names shown in English are kept as the stored (Japanese) defaults; a refused
    // form is shown again as typed.
    let checked = if ctx.lang() == Lang::En {
        check_form(&names_as_stored(form.clone()))
    } else {
        check_form(&form)
    };
    match checked {
        Err(more) => issues.extend(more),
        Ok(matrix) if issues.is_empty() => return saved(&state, &signed, matrix).await,
        Ok(_) => {}
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_edit(&state, &ctx, &signed, &form, &issues, status).await
}

async fn saved(
    state: &AppState,
    signed: &SignedIn,
    matrix: mamori_domain::risk::Matrix,
) -> Result<Response, AppError> {
    match matrices::save_matrix(&state.app, &signed.0.acting, matrix).await? {
        MatrixSaved::Unchanged => Ok(see_other(&format!("{PATH}?saved=unchanged"))),
        MatrixSaved::Version { .. } => Ok(see_other(&format!("{PATH}?saved=matrix"))),
    }
}
