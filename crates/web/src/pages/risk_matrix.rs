//! The risk matrix (clause 8): likelihood × impact → a risk level with its colour and
//! acceptance band, kept as data. The security officer edits it (scales of 2 to 5 steps,
//! 1 to 5 levels); every save is a new version made active, and an assessment keeps the
//! version it was scored with until someone reassesses it. The form works without
//! JavaScript: the sizes are chosen first (a GET that redraws the grid), then the rest.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::risk::{
    Band, MAX_SCALE, MIN_SCALE, Matrix, RiskLevel, bands_in_order, is_colour,
};
use mamori_domain::search::normalise;
use mamori_domain::text::single_line;

use mamori_app::risks::StoredMatrix;
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

const PATH: &str = "/risks/matrix";
/// Longest name of a scale step or a level (the domain's rule).
pub const NAME_MAX: usize = 20;
/// Fewest and most levels.
pub const MIN_LEVELS: usize = 1;
pub const MAX_LEVELS: usize = 5;
/// Longest text kept from a submitted field to show it again.
const KEEP_CHARS: usize = 200;

/// The locale key naming a band.
pub fn band_key(band: Band) -> &'static str {
    match band {
        Band::Acceptable => "risk.band.acceptable",
        Band::Tolerable => "risk.band.tolerable",
        Band::Unacceptable => "risk.band.unacceptable",
    }
}

/// The CSS class giving level `index` of matrix `matrix_id` its colour, defined by
/// `GET /risks/matrix/colours.css` (the security policy of the pages allows no inline
/// styles). Other pages showing a level may use it with that stylesheet.
pub fn level_class(matrix_id: i64, index: usize) -> String {
    format!("risk-m{matrix_id}-l{index}")
}

/// The stylesheet's address, changing with the active version so that a browser never
/// shows a stale colour.
pub fn stylesheet_href(active_id: i64) -> String {
    format!("{PATH}/colours.css?v={active_id}")
}

/// Every stored version, oldest first. Versions are never deleted and each save makes
/// the newest one active, so they are the ids up to the active one.
async fn all_versions(
    state: &AppState,
    signed: &SignedIn,
) -> Result<(StoredMatrix, Vec<StoredMatrix>), AppError> {
    Ok(matrices::versions(&state.app, &signed.0.acting).await?)
}

// ---------------------------------------------------------------- the matrix, shown

pub struct LevelView {
    pub index: usize,
    pub name: String,
    pub colour: String,
    pub band: &'static str,
    pub class: String,
}

pub struct CellView {
    pub name: String,
    pub class: String,
}

pub struct RowView {
    pub likelihood: String,
    pub cells: Vec<CellView>,
}

pub struct MatrixView {
    pub id: i64,
    pub version: i64,
    /// 「第2版」.
    pub label: String,
    pub created: String,
    /// Impact steps, lowest first (the columns).
    pub impact: Vec<String>,
    /// Likelihood steps, highest first (the rows), each with its cells.
    pub rows: Vec<RowView>,
    pub levels: Vec<LevelView>,
}

/// 「第2版」, "Version 2".
pub fn version_label(tr: &Tr, version: i64) -> String {
    tr.f("risk.matrix.version", &[("version", version.to_string())])
}

pub fn matrix_view(ctx: &Ctx, stored: &StoredMatrix) -> MatrixView {
    let m = &stored.matrix;
    let rows = (0..m.likelihood.len())
        .rev()
        .map(|l| RowView {
            likelihood: m.likelihood[l].clone(),
            cells: (0..m.impact.len())
                .map(|i| {
                    let index = m.level_index(l, i).unwrap_or(0);
                    CellView {
                        name: m
                            .levels
                            .get(index)
                            .map(|v| v.name.clone())
                            .unwrap_or_default(),
                        class: level_class(stored.id, index),
                    }
                })
                .collect(),
        })
        .collect();
    MatrixView {
        id: stored.id,
        version: stored.version,
        label: version_label(&ctx.tr, stored.version),
        created: ctx.datetime(stored.created_at),
        impact: m.impact.clone(),
        rows,
        levels: m
            .levels
            .iter()
            .enumerate()
            .map(|(index, level)| LevelView {
                index,
                name: level.name.clone(),
                colour: level.colour.clone(),
                band: band_key(level.band),
                class: level_class(stored.id, index),
            })
            .collect(),
    }
}

pub struct VersionRow {
    pub id: i64,
    pub version: i64,
    pub label: String,
    pub created: String,
    pub active: bool,
    pub shown: bool,
}

#[derive(Template)]
#[template(path = "risk_matrix.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    stylesheet: String,
    matrix: MatrixView,
    is_active: bool,
    versions: Vec<VersionRow>,
    can_edit: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    id: Option<String>,
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Read,
            "risk_matrix.view",
        )
        .await?;
    let (active, all) = all_versions(&state, &signed).await?;
    let shown = match query.id.as_deref() {
        None | Some("") => active.clone(),
        Some(id) => {
            let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
            all.iter()
                .find(|m| m.id == id)
                .cloned()
                .ok_or_else(AppError::not_found)?
        }
    };
    let notice = match query.saved.as_deref() {
        Some("matrix") => Some("risk.matrix.saved"),
        Some("unchanged") => Some("risk.matrix.unchanged"),
        _ => None,
    };
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(&state, "risks", PATH, Some(&signed.0)).await,
        stylesheet: stylesheet_href(active.id),
        matrix: matrix_view(&ctx, &shown),
        is_active: shown.id == active.id,
        versions: all
            .iter()
            .rev()
            .map(|m| VersionRow {
                id: m.id,
                version: m.version,
                label: version_label(&ctx.tr, m.version),
                created: ctx.datetime(m.created_at),
                active: m.id == active.id,
                shown: m.id == shown.id,
            })
            .collect(),
        can_edit: signed.0.acting.may(Register::Risks, Act::Edit),
        notice,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- the colours

/// Black or white, whichever reads better on `colour` ("#rrggbb").
fn text_colour(colour: &str) -> &'static str {
    let channel = |from: usize| {
        let value = colour
            .get(from..from + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(255);
        let c = f64::from(value) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with black (L+0.05)/0.05 against white 1.05/(L+0.05): equal near 0.179.
    if luminance > 0.179 { "#000" } else { "#fff" }
}

/// The layout of matrix tables and every version's level colours.
pub fn stylesheet_text(matrices: &[StoredMatrix]) -> String {
    let mut css = String::from(
        ".risk-matrix { border-collapse: collapse; margin: 1rem 0; }\n\
         .risk-matrix th, .risk-matrix td { border: 1px solid #595959; padding: .5rem .75rem; \
         text-align: center; min-width: 4.5rem; }\n\
         .risk-matrix thead th, .risk-matrix tbody th { background: #f2f2f2; }\n\
         .risk-matrix td { font-weight: 700; }\n\
         .risk-matrix select { min-width: 5rem; }\n\
         .risk-swatch { display: inline-block; width: 1.25em; height: 1.25em; \
         border: 1px solid #000; vertical-align: middle; margin-right: .4rem; }\n\
         .risk-matrix-sizes { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; \
         align-items: flex-end; }\n\
         .risk-matrix-sizes .field { margin: 0; }\n\
         .risk-level-fields { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; \
         align-items: flex-end; }\n\
         .risk-level-fields .field { margin: .25rem 0; }\n\
         .risk-level-fields input[type=\"color\"] { width: 3rem; height: 2.4rem; }\n",
    );
    for stored in matrices {
        for (index, level) in stored.matrix.levels.iter().enumerate() {
            // Only well-formed colours reach the sheet; the domain refuses others.
            if is_colour(&level.colour) {
                css.push_str(&format!(
                    ".{} {{ background-color: {}; color: {}; }}\n",
                    level_class(stored.id, index),
                    level.colour.to_ascii_lowercase(),
                    text_colour(&level.colour)
                ));
            }
        }
    }
    css
}

pub async fn stylesheet(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Read,
            "risk_matrix.view",
        )
        .await?;
    let (_, all) = all_versions(&state, &signed).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
        ],
        stylesheet_text(&all),
    )
        .into_response())
}

// ---------------------------------------------------------------- the edit form

/// One text field of a scale.
pub struct StepField {
    pub field: String,
    pub label: String,
    pub value: String,
}

/// One level's fields as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelField {
    pub name: String,
    /// The colour as typed in the text box.
    pub colour_text: String,
    /// The band's code as chosen.
    pub band: String,
}

/// The whole form as typed (or as stored, before any edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixForm {
    /// Lowest first.
    pub likelihood: Vec<String>,
    /// Lowest first.
    pub impact: Vec<String>,
    pub levels: Vec<LevelField>,
    /// `grid[l][i]`: the level index chosen, as typed.
    pub grid: Vec<Vec<String>>,
}

impl MatrixForm {
    pub fn from_matrix(matrix: &Matrix) -> MatrixForm {
        MatrixForm {
            likelihood: matrix.likelihood.clone(),
            impact: matrix.impact.clone(),
            levels: matrix
                .levels
                .iter()
                .map(|l| LevelField {
                    name: l.name.clone(),
                    colour_text: l.colour.clone(),
                    band: l.band.as_str().to_owned(),
                })
                .collect(),
            grid: matrix
                .grid
                .iter()
                .map(|row| row.iter().map(usize::to_string).collect())
                .collect(),
        }
    }

    /// The fields a browser posts for this form (for tests and for the API of others).
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "likelihood_count".to_owned(),
                self.likelihood.len().to_string(),
            ),
            ("impact_count".to_owned(), self.impact.len().to_string()),
            ("level_count".to_owned(), self.levels.len().to_string()),
        ];
        for (i, name) in self.likelihood.iter().enumerate() {
            out.push((format!("likelihood_{i}"), name.clone()));
        }
        for (i, name) in self.impact.iter().enumerate() {
            out.push((format!("impact_{i}"), name.clone()));
        }
        for (k, level) in self.levels.iter().enumerate() {
            out.push((format!("level_{k}_name"), level.name.clone()));
            out.push((
                format!("level_{k}_colour"),
                picker_value(&level.colour_text),
            ));
            out.push((format!("level_{k}_colour_text"), level.colour_text.clone()));
            out.push((format!("level_{k}_colour_was"), level.colour_text.clone()));
            out.push((format!("level_{k}_band"), level.band.clone()));
        }
        for (l, row) in self.grid.iter().enumerate() {
            for (i, value) in row.iter().enumerate() {
                out.push((format!("cell_{l}_{i}"), value.clone()));
            }
        }
        out
    }
}

/// What an `<input type="color">` can hold: the colour when well formed, else white.
fn picker_value(colour: &str) -> String {
    let colour = colour.trim().to_ascii_lowercase();
    if is_colour(&colour) {
        colour
    } else {
        "#ffffff".to_owned()
    }
}

/// Default step names for a scale of `size` steps, lowest first.
fn default_likelihood(size: usize) -> Vec<String> {
    let names: &[&str] = match size {
        2 => &["低", "高"],
        4 => &["低", "中", "高", "非常に高"],
        5 => &["非常に低", "低", "中", "高", "非常に高"],
        _ => &["低", "中", "高"],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn default_impact(size: usize) -> Vec<String> {
    let names: &[&str] = match size {
        2 => &["小", "大"],
        4 => &["小", "中", "大", "甚大"],
        5 => &["極小", "小", "中", "大", "甚大"],
        _ => &["小", "中", "大"],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Default levels for `count` levels, least serious first.
fn default_levels(count: usize) -> Vec<RiskLevel> {
    let level = |name: &str, colour: &str, band| RiskLevel {
        name: name.to_owned(),
        colour: colour.to_owned(),
        band,
    };
    match count {
        1 => vec![level("低", "#cfe8cf", Band::Acceptable)],
        2 => vec![
            level("低", "#cfe8cf", Band::Acceptable),
            level("高", "#f3b3b3", Band::Unacceptable),
        ],
        4 => vec![
            level("低", "#cfe8cf", Band::Acceptable),
            level("中", "#f6e3a1", Band::Tolerable),
            level("高", "#f3b3b3", Band::Unacceptable),
            level("極めて高", "#e88a8a", Band::Unacceptable),
        ],
        5 => vec![
            level("極めて低", "#e4f2e4", Band::Acceptable),
            level("低", "#cfe8cf", Band::Acceptable),
            level("中", "#f6e3a1", Band::Tolerable),
            level("高", "#f3b3b3", Band::Unacceptable),
            level("極めて高", "#e88a8a", Band::Unacceptable),
        ],
        _ => Matrix::default_3x3().levels,
    }
}

/// A grid rising with likelihood and impact, spread over `levels` levels (the default
/// 3×3 grid for three levels).
fn default_grid(likelihood: usize, impact: usize, levels: usize) -> Vec<Vec<usize>> {
    let (lmax, imax) = (likelihood.max(2) - 1, impact.max(2) - 1);
    (0..likelihood)
        .map(|l| {
            (0..impact)
                .map(|i| {
                    let scaled = levels * (l * imax + i * lmax) / (2 * lmax * imax);
                    scaled.min(levels.saturating_sub(1))
                })
                .collect()
        })
        .collect()
}

/// `matrix` with other sizes: names and levels kept where the size stays, defaults
/// where it changes, and the grid redrawn unless nothing changed.
pub fn resized(matrix: &Matrix, likelihood: usize, impact: usize, levels: usize) -> Matrix {
    let same = matrix.likelihood.len() == likelihood
        && matrix.impact.len() == impact
        && matrix.levels.len() == levels;
    Matrix {
        likelihood: if matrix.likelihood.len() == likelihood {
            matrix.likelihood.clone()
        } else {
            default_likelihood(likelihood)
        },
        impact: if matrix.impact.len() == impact {
            matrix.impact.clone()
        } else {
            default_impact(impact)
        },
        levels: if matrix.levels.len() == levels {
            matrix.levels.clone()
        } else {
            default_levels(levels)
        },
        grid: if same {
            matrix.grid.clone()
        } else {
            default_grid(likelihood, impact, levels)
        },
    }
}

/// A problem with one field of the form (the field names are numbered, so owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub field: String,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Issue {
    fn new(field: impl Into<String>, key: &'static str) -> Issue {
        Issue {
            field: field.into(),
            key,
            params: Vec::new(),
        }
    }
}

pub struct IssueView {
    pub field: String,
    pub message: String,
}

fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn kept(value: Option<&str>) -> String {
    value.unwrap_or("").chars().take(KEEP_CHARS).collect()
}

/// A posted size, or the problem with it. When it is missing or out of range, the
/// form is drawn with as many fields as were posted (within range).
fn posted_size(
    fields: &[(String, String)],
    name: &'static str,
    issue_field: &'static str,
    prefix: &str,
    range: std::ops::RangeInclusive<usize>,
    key: &'static str,
    issues: &mut Vec<Issue>,
) -> usize {
    let parsed = get(fields, name).and_then(|v| v.trim().parse::<usize>().ok());
    match parsed.filter(|n| range.contains(n)) {
        Some(n) => n,
        None => {
            issues.push(Issue::new(issue_field, key));
            let posted = (0..*range.end())
                .take_while(|i| {
                    get(fields, &format!("{prefix}{i}")).is_some()
                        || get(fields, &format!("{prefix}{i}_name")).is_some()
                })
                .count();
            posted.clamp(*range.start(), *range.end())
        }
    }
}

/// The colour a level's fields mean: what was typed in the text box when it was changed
/// there, else what the colour picker holds.
fn posted_colour(fields: &[(String, String)], k: usize) -> String {
    let text = get(fields, &format!("level_{k}_colour_text"));
    let was = get(fields, &format!("level_{k}_colour_was")).unwrap_or("");
    let picker = get(fields, &format!("level_{k}_colour")).filter(|p| !p.trim().is_empty());
    let chosen = match (text, picker) {
        (Some(text), Some(picker)) if text.trim() == was.trim() => picker,
        (Some(text), _) => text,
        (None, Some(picker)) => picker,
        (None, None) => "",
    };
    kept(Some(chosen.trim()))
}

/// Reads the posted form; problems with the sizes are reported at once.
pub fn form_from_fields(fields: &[(String, String)]) -> (MatrixForm, Vec<Issue>) {
    let mut issues = Vec::new();
    let scale = MIN_SCALE..=MAX_SCALE;
    let likelihood = posted_size(
        fields,
        "likelihood_count",
        "size_likelihood",
        "likelihood_",
        scale.clone(),
        "risk.error.scale_size",
        &mut issues,
    );
    let impact = posted_size(
        fields,
        "impact_count",
        "size_impact",
        "impact_",
        scale,
        "risk.error.scale_size",
        &mut issues,
    );
    let levels = posted_size(
        fields,
        "level_count",
        "size_levels",
        "level_",
        MIN_LEVELS..=MAX_LEVELS,
        "risk.error.levels",
        &mut issues,
    );
    let form = MatrixForm {
        likelihood: (0..likelihood)
            .map(|i| kept(get(fields, &format!("likelihood_{i}"))))
            .collect(),
        impact: (0..impact)
            .map(|i| kept(get(fields, &format!("impact_{i}"))))
            .collect(),
        levels: (0..levels)
            .map(|k| LevelField {
                name: kept(get(fields, &format!("level_{k}_name"))),
                colour_text: posted_colour(fields, k),
                band: kept(get(fields, &format!("level_{k}_band"))),
            })
            .collect(),
        grid: (0..likelihood)
            .map(|l| {
                (0..impact)
                    .map(|i| kept(get(fields, &format!("cell_{l}_{i}"))))
                    .collect()
            })
            .collect(),
    };
    (form, issues)
}

fn check_names(
    prefix: &str,
    suffix: &str,
    names: &[String],
    issues: &mut Vec<Issue>,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("{prefix}{i}{suffix}");
        match single_line(name, NAME_MAX) {
            Ok(name) => {
                if seen.contains(&normalise(&name)) {
                    issues.push(Issue {
                        field,
                        key: "risk.error.duplicate",
                        params: vec![("name", name.clone())],
                    });
                }
                seen.push(normalise(&name));
                out.push(name);
            }
            Err(problem) => issues.push(Issue {
                field,
                key: problem.message_key(),
                params: problem.params(),
            }),
        }
    }
    out
}

/// Checks every field, each with its own message, then the whole matrix with the
/// domain's `Matrix::check`.
pub fn check_form(form: &MatrixForm) -> Result<Matrix, Vec<Issue>> {
    let mut issues = Vec::new();
    let likelihood = check_names("likelihood_", "", &form.likelihood, &mut issues);
    let impact = check_names("impact_", "", &form.impact, &mut issues);
    let level_names: Vec<String> = form.levels.iter().map(|l| l.name.clone()).collect();
    let names = check_names("level_", "_name", &level_names, &mut issues);
    let mut levels = Vec::new();
    let mut previous_band: Option<Band> = None;
    for (k, level) in form.levels.iter().enumerate() {
        let colour = level.colour_text.trim().to_ascii_lowercase();
        if !is_colour(&colour) {
            issues.push(Issue::new(
                format!("level_{k}_colour_text"),
                "risk.error.colour",
            ));
        }
        let band = Band::parse(level.band.trim());
        match band {
            None => issues.push(Issue::new(format!("level_{k}_band"), "risk.error.band")),
            Some(band) if previous_band.is_some_and(|p| !bands_in_order([p, band])) => {
                issues.push(Issue::new(
                    format!("level_{k}_band"),
                    "risk.error.band_order",
                ));
            }
            Some(_) => {}
        }
        previous_band = band.or(previous_band);
        levels.push((colour, band));
    }
    let mut grid = Vec::new();
    for (l, row) in form.grid.iter().enumerate() {
        let mut cells = Vec::new();
        for (i, value) in row.iter().enumerate() {
            match value.trim().parse::<usize>() {
                Ok(index) if index < form.levels.len() => cells.push(index),
                _ => issues.push(Issue::new(format!("cell_{l}_{i}"), "risk.error.grid")),
            }
        }
        grid.push(cells);
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let matrix = Matrix {
        likelihood,
        impact,
        levels: names
            .into_iter()
            .zip(levels)
            .map(|(name, (colour, band))| RiskLevel {
                name,
                colour,
                band: band.unwrap_or(Band::Unacceptable),
            })
            .collect(),
        grid,
    };
    matrix
        .check()
        .map_err(|problem| vec![Issue::new("matrix", problem.message_key())])?;
    Ok(matrix)
}

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
#[template(path = "risk_matrix_edit.html")]
struct EditPage {
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
fn step_fields(
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

async fn render_edit(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: &MatrixForm,
    issues: &[Issue],
    status: StatusCode,
) -> Result<Response, AppError> {
    let active = matrices::active_matrix(&state.app, &signed.0.acting, "risk_matrix.edit").await?;
    let tr = ctx.tr;
    let selected = |l: usize, i: usize| -> String {
        form.grid
            .get(l)
            .and_then(|row| row.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let grid = (0..form.likelihood.len())
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
        .collect();
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
        levels: form
            .levels
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
            .collect(),
        grid,
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
fn asked_size(
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
    let active = matrices::active_matrix(&state.app, &signed.0.acting, "risk_matrix.edit")
        .await?
        .matrix;
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
    let form = MatrixForm::from_matrix(&resized(&active, likelihood, impact, levels));
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
    let checked = check_form(&form);
    let matrix = match checked {
        Ok(matrix) if issues.is_empty() => matrix,
        Ok(_) => {
            return render_edit(
                &state,
                &ctx,
                &signed,
                &form,
                &issues,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(more) => {
            issues.extend(more);
            return render_edit(
                &state,
                &ctx,
                &signed,
                &form,
                &issues,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match matrices::save_matrix(&state.app, &signed.0.acting, matrix).await? {
        MatrixSaved::Unchanged => Ok(see_other(&format!("{PATH}?saved=unchanged"))),
        MatrixSaved::Version { .. } => Ok(see_other(&format!("{PATH}?saved=matrix"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    fn posted(form: &MatrixForm) -> MatrixForm {
        let (read, issues) = form_from_fields(&form.fields());
        assert!(issues.is_empty(), "{issues:?}");
        read
    }

    #[test]
    fn the_default_matrix_goes_through_the_form_unchanged() {
        let m = Matrix::default_3x3();
        let form = posted(&MatrixForm::from_matrix(&m));
        assert_eq!(check_form(&form).unwrap(), m);
    }

    #[test]
    fn resizing_keeps_what_fits_and_redraws_the_grid() {
        let m = Matrix::default_3x3();
        assert_eq!(resized(&m, 3, 3, 3), m);
        assert_eq!(default_grid(3, 3, 3), m.grid);
        let big = resized(&m, 4, 5, 3);
        big.check().unwrap();
        assert_eq!(big.levels, m.levels);
        assert_eq!(big.likelihood.len(), 4);
        assert_eq!(big.impact, vec!["極小", "小", "中", "大", "甚大"]);
        assert_eq!(big.grid[0][0], 0);
        assert_eq!(big.grid[3][4], 2);
        for likelihood in MIN_SCALE..=MAX_SCALE {
            for impact in MIN_SCALE..=MAX_SCALE {
                for levels in MIN_LEVELS..=MAX_LEVELS {
                    let r = resized(&m, likelihood, impact, levels);
                    assert_eq!(r.check(), Ok(()), "{likelihood}×{impact}, {levels} levels");
                    assert_eq!(r.grid[likelihood - 1][impact - 1], levels - 1);
                    assert_eq!(r.grid[0][0], 0);
                }
            }
        }
    }

    #[test]
    fn the_typed_colour_wins_over_the_picker_only_when_changed() {
        let form = MatrixForm::from_matrix(&Matrix::default_3x3());
        let mut fields = form.fields();
        for (k, v) in &mut fields {
            if k == "level_0_colour" {
                *v = "#123456".into();
            }
        }
        let (read, _) = form_from_fields(&fields);
        assert_eq!(read.levels[0].colour_text, "#123456");
        for (k, v) in &mut fields {
            if k == "level_0_colour_text" {
                *v = "#abcdef".into();
            }
        }
        let (read, _) = form_from_fields(&fields);
        assert_eq!(read.levels[0].colour_text, "#abcdef");
    }

    #[test]
    fn every_field_reports_its_own_problem() {
        let mut form = MatrixForm::from_matrix(&Matrix::default_3x3());
        form.likelihood[1] = "低".into();
        form.impact[0] = " ".into();
        form.levels[0].colour_text = "red".into();
        form.levels[0].band = "maybe".into();
        form.levels[2].band = "acceptable".into();
        form.grid[2][1] = "7".into();
        let issues = check_form(&form).unwrap_err();
        let found: Vec<(&str, &str)> = issues.iter().map(|i| (i.field.as_str(), i.key)).collect();
        assert_eq!(
            found,
            vec![
                ("likelihood_1", "risk.error.duplicate"),
                ("impact_0", "field.error.required"),
                ("level_0_colour_text", "risk.error.colour"),
                ("level_0_band", "risk.error.band"),
                ("level_2_band", "risk.error.band_order"),
                ("cell_2_1", "risk.error.grid"),
            ]
        );
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        let form = MatrixForm::from_matrix(&Matrix::default_3x3());
        let mut fields = form.fields();
        for (k, v) in &mut fields {
            if k == "likelihood_count" {
                *v = "9".into();
            }
        }
        let (read, issues) = form_from_fields(&fields);
        assert_eq!(read.likelihood.len(), 3);
        assert_eq!(issues[0].key, "risk.error.scale_size");
    }

    #[test]
    fn text_stays_readable_on_every_colour() {
        assert_eq!(text_colour("#cfe8cf"), "#000");
        assert_eq!(text_colour("#1a1a80"), "#fff");
        let css = stylesheet_text(&[StoredMatrix {
            id: 4,
            version: 2,
            matrix: Matrix::default_3x3(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }]);
        assert!(css.contains(".risk-m4-l2 { background-color: #f3b3b3; color: #000; }"));
    }

    #[test]
    fn keys_used_here_exist_in_both_languages() {
        let mut keys = vec![
            "risk.matrix.saved",
            "risk.matrix.unchanged",
            "risk.matrix.version",
            "risk.matrix.step",
            "risk.matrix.step_lowest",
            "risk.matrix.step_highest",
            "risk.matrix.step_smallest",
            "risk.matrix.step_largest",
            "risk.matrix.cell_label",
            "risk.matrix.name_hint",
            "risk.error.duplicate",
            "risk.error.band",
            "risk.error.band_order",
        ];
        for problem in [
            mamori_domain::risk::MatrixProblem::ScaleSize,
            mamori_domain::risk::MatrixProblem::Names,
            mamori_domain::risk::MatrixProblem::Colour,
            mamori_domain::risk::MatrixProblem::Grid,
            mamori_domain::risk::MatrixProblem::Levels,
        ] {
            keys.push(problem.message_key());
        }
        for band in Band::ALL {
            keys.push(band_key(band));
        }
        // The domain's other risk rules name keys of the same table.
        use mamori_domain::risk::{AcceptanceRefusal, RiskProblem};
        keys.push(RiskProblem::NeedsTreatment.message_key());
        for refusal in [
            AcceptanceRefusal::NotCiso,
            AcceptanceRefusal::OwnProposal,
            AcceptanceRefusal::ExpiryPast,
            AcceptanceRefusal::NoReason,
        ] {
            keys.push(refusal.message_key());
        }
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
