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
        threat: risk.threat_name.clone(),
        family: tr.t(family_key(risk.threat_family)).to_owned(),
        assets: assets_text(risk),
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

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let tr = ctx.tr;
    let all = register::list_risks(&state.app, acting, "risks.list").await?;
    let matrices = matrices::matrices(&state.app, acting, all.iter().map(|r| r.matrix_id)).await?;
    let active = &matrices.active;
    let filter = params.filter(&active.matrix)?;
    let today = today();
    let rows: Vec<RiskRow> = all
        .iter()
        .filter(|r| filter.matches(r))
        .map(|r| row(&ctx, &matrices, r, today))
        .collect();
    let matrix = &active.matrix;
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
        if which == Which::Residual {
            let missing = all.len() - scores.len();
            if missing > 0 {
                notes.push(tr.f(
                    "risk.heatmap.no_residual",
                    &[("count", missing.to_string())],
                ));
            }
        }
        let id = format!("heatmap-{}", which.as_str());
        heatmaps.push(HeatmapView {
            title: which.title_key(),
            caption: tr.f(
                "risk.heatmap.table_caption",
                &[("title", tr.t(which.title_key()).to_owned())],
            ),
            svg: heatmap::svg(matrix, &counts, which, &tr, &id),
            impacts: matrix.impact.clone(),
            rows: heatmap::table_rows(matrix, &counts, which, &tr),
            note: notes.join(" "),
            id,
        });
    }
    let older = all.iter().filter(|r| r.matrix_id != active.id).count();
    let cell_note = match (filter.likelihood, filter.impact) {
        (None, None) => None,
        (l, i) => Some(
            tr.f(
                "risk.cell_filter",
                &[
                    (
                        "likelihood",
                        l.map(|l| matrix.likelihood[l].clone())
                            .unwrap_or_else(|| tr.t("risk.any").to_owned()),
                    ),
                    (
                        "impact",
                        i.map(|i| matrix.impact[i].clone())
                            .unwrap_or_else(|| tr.t("risk.any").to_owned()),
                    ),
                    ("which", tr.t(which_key(filter.which)).to_owned()),
                ],
            ),
        ),
    };
    let page = ListPage {
        t: tr,
        layout: Layout::load(&state, "risks", "/risks", Some(&signed.0)).await,
        count: tr.f(
            "risk.count",
            &[
                ("count", rows.len().to_string()),
                ("total", all.len().to_string()),
            ],
        ),
        rows,
        heatmaps,
        cell_note,
        older_note: (older > 0).then(|| {
            tr.f(
                "risk.scored_with_older",
                &[
                    ("count", older.to_string()),
                    ("version", active.version.to_string()),
                ],
            )
        }),
        export_query: params.query(),
        families: family_choices(&tr),
        levels: matrix
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| Choice {
                value: i.to_string(),
                label: l.name.clone(),
            })
            .collect(),
        treatments: {
            let mut choices = treatment_choices(&tr);
            choices.push(Choice {
                value: "none".into(),
                label: tr.t("risk.treatment.none").to_owned(),
            });
            choices
        },
        whiches: [Which::Inherent, Which::Residual]
            .iter()
            .map(|w| Choice {
                value: w.as_str().to_owned(),
                label: tr.t(which_key(*w)).to_owned(),
            })
            .collect(),
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
