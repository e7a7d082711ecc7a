//! The register's list page with its two heat maps (inherent and residual).

use super::*;

pub struct RiskRow {
    pub id: i64,
    pub title: String,
    pub threat: String,
    pub family: String,
    pub assets: String,
    pub level: String,
    pub level_detail: String,
    pub treatment: String,
    pub residual: String,
    pub owner: String,
    pub review_due: String,
    pub review_overdue: bool,
}

pub fn row(ctx: &Ctx, matrices: &Matrices, risk: &RiskRecord, today: Date) -> RiskRow {
    let tr = ctx.tr;
    RiskRow {
        id: risk.id,
        title: risk.title.clone(),
        threat: risk.shown_threat(ctx.lang()).to_owned(),
        family: tr.t(family_key(risk.threat_family)).to_owned(),
        assets: assets_text(&tr, risk),
        level: matrices.level_name(risk.matrix_id, risk.inherent_level),
        level_detail: matrices.describe(&tr, risk.matrix_id, risk.inherent, risk.inherent_level),
        treatment: treatment_label(&tr, risk.treatment),
        residual: match (risk.residual, risk.residual_level) {
            (Some(score), Some(level)) => matrices.describe(&tr, risk.matrix_id, score, level),
            _ => tr.t("risk.not_assessed").to_owned(),
        },
        owner: risk.owner_name.clone().unwrap_or_default(),
        review_due: risk.review_due.map(|d| ctx.date(d)).unwrap_or_default(),
        review_overdue: risk.review_due.is_some_and(|d| d < today),
    }
}

pub(super) struct HeatmapView {
    id: String,
    title: &'static str,
    caption: String,
    svg: String,
    impacts: Vec<String>,
    rows: Vec<heatmap::TableRow>,
    note: String,
}

#[derive(Template)]
#[template(path = "risks/list.html")]
pub(super) struct ListPage {
    t: Tr,
    layout: Layout,
    params: ListParams,
    rows: Vec<RiskRow>,
    count: String,
    heatmaps: Vec<HeatmapView>,
    cell_note: Option<String>,
    older_note: Option<String>,
    export_query: String,
    families: Vec<Choice>,
    levels: Vec<Choice>,
    treatments: Vec<Choice>,
    whiches: Vec<Choice>,
    may_edit: bool,
}

impl ListPage {
    fn selected(&self, name: &str, value: &str) -> bool {
        let current = match name {
            "family" => &self.params.family,
            "level" => &self.params.level,
            "treatment" => &self.params.treatment,
            "which" => &self.params.which,
            _ => return false,
        };
        current.as_deref().map(str::trim) == Some(value)
    }
}

pub(super) fn family_choices(tr: &Tr) -> Vec<Choice> {
    ThreatFamily::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: tr.t(family_key(*f)).to_owned(),
        })
        .collect()
}

pub(super) fn treatment_choices(tr: &Tr) -> Vec<Choice> {
    Treatment::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str().to_owned(),
            label: tr.t(treatment_key(*t)).to_owned(),
        })
        .collect()
}

pub(super) fn scale_choices(names: &[String]) -> Vec<Choice> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| Choice {
            value: i.to_string(),
            label: name.clone(),
        })
        .collect()
}

/// The two heat maps over the whole register (the filters choose rows, not cells).
fn heatmaps(tr: &Tr, matrix: &Matrix, all: &[RiskRecord]) -> Vec<HeatmapView> {
    let mut heatmaps = Vec::new();
    for which in [Which::Inherent, Which::Residual] {
        let scores: Vec<Score> = match which {
            Which::Inherent => all.iter().map(|r| r.inherent).collect(),
            Which::Residual => all.iter().filter_map(|r| r.residual).collect(),
        };
        let (counts, outside) = heatmap::counts(matrix, scores.iter().copied());
        let mut notes = Vec::new();
        if outside > 0 {
            notes.push(tr.f("risk.out_of_range", &[("count", outside.to_string())]));
        }
        let missing = all.len() - scores.len();
        if which == Which::Residual && missing > 0 {
            notes.push(tr.f(
                "risk.heatmap.no_residual",
                &[("count", missing.to_string())],
            ));
        }
        let id = format!("heatmap-{}", which.as_str());
        heatmaps.push(HeatmapView {
            title: which.title_key(),
            caption: tr.f(
                "risk.heatmap.table_caption",
                &[("title", tr.t(which.title_key()).to_owned())],
            ),
            svg: heatmap::svg(matrix, &counts, which, tr, &id),
            impacts: matrix.impact.clone(),
            rows: heatmap::table_rows(matrix, &counts, which, tr),
            note: notes.join(" "),
            id,
        });
    }
    heatmaps
}

/// 「発生可能性 高 × 影響度 大（固有リスク）のリスク」 when the list shows one cell.
fn cell_note(tr: &Tr, matrix: &Matrix, filter: &RiskFilter) -> Option<String> {
    if filter.likelihood.is_none() && filter.impact.is_none() {
        return None;
    }
    let any = || tr.t("risk.any").to_owned();
    Some(
        tr.f(
            "risk.cell_filter",
            &[
                (
                    "likelihood",
                    filter
                        .likelihood
                        .map(|l| matrix.likelihood[l].clone())
                        .unwrap_or_else(any),
                ),
                (
                    "impact",
                    filter
                        .impact
                        .map(|i| matrix.impact[i].clone())
                        .unwrap_or_else(any),
                ),
                ("which", tr.t(which_key(filter.which)).to_owned()),
            ],
        ),
    )
}

fn level_choices(matrix: &Matrix) -> Vec<Choice> {
    matrix
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| Choice {
            value: i.to_string(),
            label: l.name.clone(),
        })
        .collect()
}

/// The treatments, and 未定 for risks without one.
fn treatment_filter_choices(tr: &Tr) -> Vec<Choice> {
    let mut choices = treatment_choices(tr);
    choices.push(Choice {
        value: "none".into(),
        label: tr.t("risk.treatment.none").to_owned(),
    });
    choices
}

fn which_choices(tr: &Tr) -> Vec<Choice> {
    [Which::Inherent, Which::Residual]
        .iter()
        .map(|w| Choice {
            value: w.as_str().to_owned(),
            label: tr.t(which_key(*w)).to_owned(),
        })
        .collect()
}

fn older_note(
    tr: &Tr,
    all: &[RiskRecord],
    active: &mamori_app::risks::StoredMatrix,
) -> Option<String> {
    let older = all.iter().filter(|r| r.matrix_id != active.id).count();
    (older > 0).then(|| {
        tr.f(
            "risk.scored_with_older",
            &[
                ("count", older.to_string()),
                ("version", active.version.to_string()),
            ],
        )
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, AppError> {
    let (acting, tr) = (&signed.0.acting, ctx.tr);
    let all = register::list_risks(&state.app, acting, "risks.list").await?;
    let matrices = matrices::matrices(&state.app, acting, all.iter().map(|r| r.matrix_id))
        .await?
        .for_reader(ctx.lang());
    let (active, today) = (&matrices.active, mamori_app::today());
    let filter = params.filter(&active.matrix)?;
    let rows: Vec<RiskRow> = all
        .iter()
        .filter(|r| filter.matches(r))
        .map(|r| row(&ctx, &matrices, r, today))
        .collect();
    let total = [
        ("count", rows.len().to_string()),
        ("total", all.len().to_string()),
    ];
    let page = ListPage {
        t: tr,
        layout: Layout::load(&state, "risks", "/risks", Some(&signed.0)).await,
        count: tr.f("risk.count", &total),
        rows,
        heatmaps: heatmaps(&tr, &active.matrix, &all),
        cell_note: cell_note(&tr, &active.matrix, &filter),
        older_note: older_note(&tr, &all, active),
        export_query: params.query(),
        families: family_choices(&tr),
        levels: level_choices(&active.matrix),
        treatments: treatment_filter_choices(&tr),
        whiches: which_choices(&tr),
        may_edit: acting.may(Register::Risks, Act::Edit),
        params,
    };
    render(StatusCode::OK, &page)
}

pub(super) fn which_key(which: Which) -> &'static str {
    match which {
        Which::Inherent => "risk.which_inherent",
        Which::Residual => "risk.which_residual",
    }
}
