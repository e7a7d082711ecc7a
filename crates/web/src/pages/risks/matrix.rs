//! The risk matrix (clause 8): likelihood × impact → a risk level with its colour and
//! acceptance band, kept as data. The security officer edits it (scales of 2 to 5 steps,
//! 1 to 5 levels); every save is a new version made active, and an assessment keeps the
//! version it was scored with until someone reassesses it. The form works without
//! JavaScript: the sizes are chosen first (a GET that redraws the grid), then the rest.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::i18n::Tr;
use mamori_app::risks::StoredMatrix;
use mamori_app::risks::matrices;
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Band, is_colour};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::{Layout, render};
use crate::state::AppState;

pub(super) const PATH: &str = "/risks/matrix";
/// Longest name of a scale step or a level (the domain's rule).
pub const NAME_MAX: usize = 20;
/// Fewest and most levels.
pub const MIN_LEVELS: usize = 1;
pub const MAX_LEVELS: usize = 5;
/// Longest text kept from a submitted field to show it again.
pub(super) const KEEP_CHARS: usize = 200;

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
pub(super) async fn all_versions(
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
    let stored = &matrices::for_reader(stored.clone(), ctx.lang());
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
#[template(path = "risks/matrix.html")]
pub(super) struct ShowPage {
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
pub(super) fn text_colour(colour: &str) -> &'static str {
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
