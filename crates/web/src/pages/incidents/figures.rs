//! A 年度's incident figures for the annual report, and the year's list as .xlsx
//! (personal information only when asked for). Thin shells over
//! `mamori_app::incidents::figures`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::incidents::{self as app_incidents, figures as app_figures};
use mamori_domain::access::{Act, Register};
use mamori_domain::wareki::DateStyle;
use serde::Deserialize;

use super::NAV;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::params::training::year_asked;
use crate::http::{Layout, render};
use crate::state::AppState;

const FIGURES_PATH: &str = "/incidents/figures";

#[derive(Debug, Default, Deserialize)]
pub struct FiguresQuery {
    year: Option<String>,
    /// Include personal information in the export ("1").
    personal: Option<String>,
}

/// One 年度 offered: its label, its link, whether it is the one shown.
pub struct YearLink {
    pub label: String,
    pub link: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "incidents/figures.html")]
struct FiguresPage {
    t: Tr,
    layout: Layout,
    year_label: String,
    year: i32,
    years: Vec<YearLink>,
    rows: Vec<Vec<String>>,
}

async fn gate(state: &AppState, signed: &SignedIn) -> Result<(), AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Incidents,
            Act::SeeAll,
            "incident.figures",
        )
        .await?;
    Ok(())
}

pub async fn figures(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    gate(&state, &signed).await?;
    let fy = year_asked(query.year.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let y = app_figures::figures(&state.app, &signed.0.acting, fy).await?;
    let years = app_incidents::years(&state.app)
        .await?
        .into_iter()
        .map(|other| YearLink {
            label: other.label(DateStyle::Wareki, ctx.tr.lang),
            link: format!("{FIGURES_PATH}?year={}", other.year()),
            current: other == fy,
        })
        .collect();
    let page = FiguresPage {
        t: ctx.tr,
        layout: Layout::load(&state, NAV, FIGURES_PATH, Some(&signed.0)).await,
        year_label: fy.label(DateStyle::Wareki, ctx.tr.lang),
        year: fy.year(),
        years,
        rows: app_figures::figure_rows(&ctx.tr, &y),
    };
    render(StatusCode::OK, &page)
}

pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    gate(&state, &signed).await?;
    let fy = year_asked(query.year.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let personal = query.personal.as_deref() == Some("1");
    let bytes =
        app_figures::export_xlsx(&state.app, &signed.0.acting, fy, personal, ctx.tr.lang).await?;
    let named = format!("{}_{}.xlsx", ctx.tr.t("incident.figures.title"), fy.year());
    Ok(crate::http::download::named(
        bytes,
        mamori_app::sheets::Format::Xlsx,
        &format!("incidents-{}.xlsx", fy.year()),
        &named,
    ))
}
