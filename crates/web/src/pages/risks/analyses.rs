//! Risk analyses for clause 8's review: the register frozen as it stood on a date, each
//! frozen analysis shown as it was, and two analyses compared risk by risk.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::risks::analyses;
use mamori_app::risks::{Analysis, FreezeForm, SnapshotRisk};
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Movement, movement};
use serde::Deserialize;

use super::treatment_label;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

pub fn movement_key(value: Movement) -> &'static str {
    match value {
        Movement::New => "risk.movement.new",
        Movement::Removed => "risk.movement.removed",
        Movement::Up => "risk.movement.up",
        Movement::Down => "risk.movement.down",
        Movement::Same => "risk.movement.same",
    }
}

// ---------------------------------------------------------------- the list and freezing

struct AnalysisRow {
    id: i64,
    title: String,
    analysed_on: String,
    risks: usize,
    created_at: String,
}

#[derive(Template)]
#[template(path = "risks/analyses.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    analyses: Vec<AnalysisRow>,
    may_freeze: bool,
    form: FreezeForm,
    errors: Vec<FieldError>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    frozen: Option<String>,
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: FreezeForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let analyses = analyses::list_analyses(&state.app, &signed.0.acting)
        .await?
        .into_iter()
        .map(|a| AnalysisRow {
            id: a.id,
            analysed_on: ctx.date(a.analysed_on),
            risks: a.risks.len(),
            created_at: ctx.datetime(a.created_at),
            title: a.title,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(state, "risks", "/risks/analyses", Some(&signed.0)).await,
        analyses,
        may_freeze: signed.0.acting.may(Register::Risks, Act::Edit),
        form,
        errors,
    };
    render(status, &page)
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Read,
            "risks.analyses",
        )
        .await?;
    let form = FreezeForm {
        title: String::new(),
        analysed_on: mamori_app::today().to_string(),
    };
    render_list(&state, &ctx, &signed, form, Vec::new()).await
}

/// Freezes the register as it stands into a dated analysis.
pub async fn freeze(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Risks, Act::Edit, "risks.freeze")
        .await?;
    let WebForm(form) =
        <WebForm<FreezeForm> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    match analyses::freeze_analysis(&state.app, &signed.0.acting, &form).await {
        Ok(id) => Ok(see_other(&format!("/risks/analyses/{id}?frozen=1"))),
        Err(mamori_app::Failure::Invalid(problems)) => {
            let errors = crate::http::forms::field_errors(&problems, &ctx.tr, super::field_key);
            render_list(&state, &ctx, &signed, form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- one analysis

struct SnapshotRow {
    id: i64,
    title: String,
    threat: String,
    level: String,
    treatment: String,
    residual: String,
    matrix_version: i64,
}

struct Other {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "risks/analysis.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    analysis_id: i64,
    title: String,
    analysed_on: String,
    created_at: String,
    rows: Vec<SnapshotRow>,
    others: Vec<Other>,
    frozen: bool,
}

fn label(ctx: &Ctx, a: &Analysis) -> String {
    crate::http::labels::bracketed(&ctx.tr, &a.title, &ctx.date(a.analysed_on))
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Read, "risks.analysis")
        .await?;
    let id = parse_id(&id)?;
    let analysis = analyses::analysis(&state.app, acting, id, "risks.analysis").await?;
    let tr = ctx.tr;
    let others = analyses::list_analyses(&state.app, acting)
        .await?
        .iter()
        .filter(|a| a.id != id)
        .map(|a| Other {
            id: a.id,
            label: label(&ctx, a),
        })
        .collect();
    let rows = analysis
        .risks
        .iter()
        .map(|r: &SnapshotRisk| SnapshotRow {
            id: r.id,
            title: r.title.clone(),
            threat: r.threat.clone(),
            level: r.inherent_level_name.clone(),
            treatment: treatment_label(&tr, r.treatment),
            residual: r
                .residual_level_name
                .clone()
                .unwrap_or_else(|| tr.t("risk.not_assessed").to_owned()),
            matrix_version: r.matrix_version,
        })
        .collect();
    let page = ShowPage {
        t: tr,
        layout: Layout::load(
            &state,
            "risks",
            &format!("/risks/analyses/{id}"),
            Some(&signed.0),
        )
        .await,
        analysis_id: id,
        analysed_on: ctx.date(analysis.analysed_on),
        created_at: ctx.datetime(analysis.created_at),
        title: analysis.title,
        rows,
        others,
        frozen: query.frozen.is_some(),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- comparison

#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

/// One risk across two analyses.
pub struct CompareRow {
    pub id: i64,
    pub title: String,
    pub before: String,
    pub after: String,
    pub movement: Movement,
}

/// Every risk of either analysis, by number, with its inherent level before and after.
pub fn compare_rows(from: &Analysis, to: &Analysis) -> Vec<CompareRow> {
    let mut ids: Vec<i64> = from.risks.iter().chain(&to.risks).map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let before = from.risks.iter().find(|r| r.id == id);
            let after = to.risks.iter().find(|r| r.id == id);
            CompareRow {
                id,
                title: after
                    .or(before)
                    .map(|r| r.title.clone())
                    .unwrap_or_default(),
                before: before
                    .map(|r| r.inherent_level_name.clone())
                    .unwrap_or_default(),
                after: after
                    .map(|r| r.inherent_level_name.clone())
                    .unwrap_or_default(),
                movement: movement(
                    before.map(|r| r.inherent_level),
                    after.map(|r| r.inherent_level),
                ),
            }
        })
        .collect()
}

struct CompareView {
    id: i64,
    title: String,
    before: String,
    after: String,
    movement: &'static str,
    changed: bool,
}

#[derive(Template)]
#[template(path = "risks/analyses_compare.html")]
struct ComparePage {
    t: Tr,
    layout: Layout,
    from_id: i64,
    to_id: i64,
    from_label: String,
    to_label: String,
    rows: Vec<CompareView>,
    counts: Vec<(&'static str, usize)>,
}

fn analysis_param(value: &Option<String>) -> Result<i64, AppError> {
    value
        .as_deref()
        .map(str::trim)
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_analyses",
                "risk.register_error.compare",
            )
        })
}

pub async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Read,
            "risks.compare",
        )
        .await?;
    let (from_id, to_id) = (analysis_param(&query.from)?, analysis_param(&query.to)?);
    let (from, to) =
        analyses::compare_analyses(&state.app, &signed.0.acting, from_id, to_id).await?;
    let rows = compare_rows(&from, &to);
    let counts = [
        Movement::New,
        Movement::Removed,
        Movement::Up,
        Movement::Down,
        Movement::Same,
    ]
    .into_iter()
    .map(|m| {
        (
            movement_key(m),
            rows.iter().filter(|r| r.movement == m).count(),
        )
    })
    .collect();
    let page = ComparePage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "risks",
            &format!("/risks/analyses/compare?from={from_id}&to={to_id}"),
            Some(&signed.0),
        )
        .await,
        from_id,
        to_id,
        from_label: label(&ctx, &from),
        to_label: label(&ctx, &to),
        rows: rows
            .into_iter()
            .map(|r| CompareView {
                id: r.id,
                title: r.title,
                before: r.before,
                after: r.after,
                movement: movement_key(r.movement),
                changed: r.movement != Movement::Same,
            })
            .collect(),
        counts,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::risk::Score;

    fn snapshot(id: i64, level: usize) -> SnapshotRisk {
        SnapshotRisk {
            id,
            title: format!("risk {id}"),
            threat: "機器故障".into(),
            matrix_version: 1,
            inherent: Score {
                likelihood: level,
                impact: level,
            },
            inherent_level: level,
            inherent_level_name: ["低", "中", "高"][level].into(),
            treatment: None,
            residual: None,
            residual_level: None,
            residual_level_name: None,
        }
    }

    fn analysis(risks: Vec<SnapshotRisk>) -> Analysis {
        Analysis {
            id: 1,
            title: "a".into(),
            analysed_on: time::macros::date!(2026 - 04 - 01),
            risks,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn comparison_names_every_movement() {
        let before = analysis(vec![
            snapshot(1, 2),
            snapshot(2, 0),
            snapshot(3, 1),
            snapshot(4, 1),
        ]);
        let after = analysis(vec![
            snapshot(1, 1),
            snapshot(2, 2),
            snapshot(4, 1),
            snapshot(5, 0),
        ]);
        let rows = compare_rows(&before, &after);
        let moves: Vec<(i64, Movement)> = rows.iter().map(|r| (r.id, r.movement)).collect();
        assert_eq!(
            moves,
            vec![
                (1, Movement::Down),
                (2, Movement::Up),
                (3, Movement::Removed),
                (4, Movement::Same),
                (5, Movement::New),
            ]
        );
        assert_eq!(rows[0].before, "高");
        assert_eq!(rows[0].after, "中");
        assert_eq!(rows[2].after, "");
    }
}
