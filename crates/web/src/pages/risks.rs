//! The risk register (clauses 3 and 8): who reads and keeps it. The pages for risks,
//! their actions and acceptances follow; threats, the matrix and analyses have their own
//! modules and use what is defined here.

use mamori_domain::user::{OrgRole, Role};

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

/// Risks name weaknesses: the register is read by those who manage security and those
/// who audit it, and by the CISO whatever their role.
pub const READERS: &[Role] = &[Role::Admin, Role::SecurityOfficer, Role::Auditor];
/// The security officer keeps the threat catalogue, the matrix and the register.
pub const EDITORS: &[Role] = &[Role::SecurityOfficer];

/// Whether the signed-in user holds the CISO role (最高情報セキュリティ責任者), who alone
/// accepts risks.
pub async fn is_ciso(state: &AppState, signed: &SignedIn) -> Result<bool, AppError> {
    Ok(
        mamori_store::users::org_roles(&state.store, signed.user().id)
            .await?
            .contains(&OrgRole::Ciso),
    )
}

/// Refuses (403, recorded) anyone who may not read the register.
pub async fn require_reader(
    state: &AppState,
    signed: &SignedIn,
    what: &str,
) -> Result<(), AppError> {
    if signed.has_role(READERS) || is_ciso(state, signed).await? {
        return Ok(());
    }
    Err(crate::http::auth::deny(state, &signed.0, what).await)
}

// ---------------------------------------------------------------- shared page parts

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::asset::FieldProblem;
use mamori_domain::risk::{
    AcceptanceRefusal, Band, Matrix, Score, ThreatFamily, Treatment, check_acceptance,
    check_treatment,
};
use mamori_domain::text::{TextProblem, single_line};
use mamori_domain::user::may_approve;
use mamori_domain::wareki::{JST, Lang};
use mamori_sheet::Format;
use mamori_store::assets::{self as store_assets, Viewer};
use mamori_store::risks::{
    self as store_risks, AcceptanceStatus, RiskInput, RiskRecord, StoredMatrix, Threat,
};
use mamori_store::{AuditEntry, StoreError};
use serde::Deserialize;
use time::Date;
use utoipa::IntoParams;

use crate::http::context::Ctx;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::assets::{Choice, viewer};
use crate::pages::risk_heatmap::{self, Which};
use crate::pages::setup::FieldError;
use crate::pages::users::parse_id;
use mamori_app::i18n::Tr;

/// Most assets one risk names; a group of assets is named with `asset_group` instead.
pub const MAX_ASSETS: usize = 100;
/// Most assets offered in the form's multi-select; others are given by number.
pub const ASSET_CHOICES: i64 = 300;

pub fn treatment_key(value: Treatment) -> &'static str {
    match value {
        Treatment::Reduce => "risk.treatment.reduce",
        Treatment::Avoid => "risk.treatment.avoid",
        Treatment::Transfer => "risk.treatment.transfer",
        Treatment::Accept => "risk.treatment.accept",
    }
}

/// The treatment's label, or 未定 when none was chosen yet.
pub fn treatment_label(tr: &Tr, value: Option<Treatment>) -> String {
    tr.t(value.map_or("risk.treatment.none", treatment_key))
        .to_owned()
}

pub fn family_key(value: ThreatFamily) -> &'static str {
    match value {
        ThreatFamily::Intentional => "risk.family_intentional",
        ThreatFamily::Unintentional => "risk.family_unintentional",
        ThreatFamily::Disaster => "risk.family_disaster",
        ThreatFamily::Pandemic => "risk.family_pandemic",
        ThreatFamily::Infrastructure => "risk.family_infrastructure",
    }
}

pub fn acceptance_status_key(value: AcceptanceStatus) -> &'static str {
    match value {
        AcceptanceStatus::Pending => "risk.status_pending",
        AcceptanceStatus::Accepted => "risk.status_accepted",
        AcceptanceStatus::Rejected => "risk.status_rejected",
    }
}

/// The label of a field of the risk form, for error lists and headers.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "title" => "risk.field.title",
        "threat" => "risk.field.threat",
        "assets" => "risk.field.assets",
        "asset_group" => "risk.field.asset_group",
        "existing_measures" => "risk.field.existing_measures",
        "inherent_likelihood" => "risk.field.likelihood",
        "inherent_impact" => "risk.field.impact",
        "treatment" => "risk.field.treatment",
        "residual_likelihood" => "risk.field.residual_likelihood",
        "residual_impact" => "risk.field.residual_impact",
        "owner" => "risk.field.owner",
        "review_due" => "risk.field.review_due",
        "description" => "risk.action_description",
        "due_on" => "risk.action_due",
        "done_on" => "risk.action_done",
        "reason" => "risk.acceptance_reason",
        "expires_on" => "risk.acceptance_expires",
        "analysed_on" => "risk.analysis.field_date",
        "analysis_title" => "risk.analysis.field_title",
        _ => "risk.field.unknown",
    }
}

pub fn field_errors(problems: &[FieldProblem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: format!("{}：{}", tr.t(field_key(p.field)), tr.f(p.key, &p.params)),
        })
        .collect()
}

/// Today in Japan, which decides what is overdue or expired.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().to_offset(JST).date()
}

pub fn parse_iso(iso: &str) -> Option<Date> {
    Date::parse(iso, &time::format_description::well_known::Iso8601::DATE).ok()
}

pub fn date_label(ctx: &Ctx, iso: &str) -> String {
    parse_iso(iso)
        .map(|d| ctx.date(d))
        .unwrap_or_else(|| iso.to_owned())
}

pub fn datetime_label(ctx: &Ctx, text: &str) -> String {
    mamori_store::parse_timestamp(text)
        .map(|at| ctx.datetime(at))
        .unwrap_or_else(|| text.to_owned())
}

fn problem(field: &'static str, key: &'static str) -> FieldProblem {
    FieldProblem {
        field,
        key,
        params: Vec::new(),
    }
}

/// A one-line text: `required` ones must not be empty.
fn line_field(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> String {
    match single_line(text, max) {
        Ok(v) => v,
        Err(TextProblem::Empty) if !required => String::new(),
        Err(p) => {
            problems.push(FieldProblem {
                field,
                key: p.message_key(),
                params: p.params(),
            });
            String::new()
        }
    }
}

/// A text of several lines (measures, reasons): tabs and line breaks are kept.
fn long_field(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> String {
    let value = text.trim().replace("\r\n", "\n");
    if value.is_empty() && required {
        problems.push(problem(field, "field.error.required"));
    } else if value.chars().count() > max {
        problems.push(FieldProblem {
            field,
            key: "field.error.too_long",
            params: vec![("max", max.to_string())],
        });
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        problems.push(problem(field, "field.error.control_chars"));
    }
    value
}

fn date_field(
    field: &'static str,
    text: &str,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> Option<Date> {
    if text.trim().is_empty() {
        if required {
            problems.push(problem(field, "field.error.required"));
        }
        return None;
    }
    match mamori_domain::wareki::parse_date_input(text) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(FieldProblem {
                field,
                key: e.message_key(),
                params: e.params(),
            });
            None
        }
    }
}

/// A position on a scale of `len` steps, as the form's selects send it ("0", "1", …).
fn scale_field(
    field: &'static str,
    text: &str,
    len: usize,
    problems: &mut Vec<FieldProblem>,
) -> Option<usize> {
    let text = text.trim();
    if text.is_empty() {
        problems.push(problem(field, "field.error.required"));
        return None;
    }
    match text.parse::<usize>().ok().filter(|p| *p < len) {
        Some(p) => Some(p),
        None => {
            problems.push(problem(field, "risk.register_error.scale"));
            None
        }
    }
}

/// Asset numbers typed as "12, 15" (full-width digits and 、 too).
fn typed_asset_ids(text: &str, problems: &mut Vec<FieldProblem>) -> Vec<i64> {
    let normalised: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '、' | '，' | '　' | ';' => ',',
            '＃' => '#',
            c => c,
        })
        .collect();
    let mut ids = Vec::new();
    for part in normalised.split([',', ' ']) {
        let part = part.trim().trim_start_matches('#');
        if part.is_empty() {
            continue;
        }
        match part.parse::<i64>() {
            Ok(id) if id > 0 => ids.push(id),
            _ => problems.push(FieldProblem {
                field: "assets",
                key: "risk.register_error.asset_id",
                params: vec![("value", part.chars().take(20).collect())],
            }),
        }
    }
    ids
}

/// The matrices a set of risks was scored with, to name their levels and steps.
pub struct Matrices {
    pub active: StoredMatrix,
    by_id: HashMap<i64, StoredMatrix>,
}

impl Matrices {
    pub async fn load(
        state: &AppState,
        ids: impl Iterator<Item = i64>,
    ) -> Result<Matrices, AppError> {
        let active = store_risks::active_matrix(&state.store).await?;
        let mut by_id = HashMap::new();
        by_id.insert(active.id, active.clone());
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = by_id.entry(id) {
                match store_risks::matrix(&state.store, id).await {
                    Ok(m) => {
                        e.insert(m);
                    }
                    Err(StoreError::NotFound) => {}
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(Matrices { active, by_id })
    }

    pub fn of(&self, id: i64) -> &StoredMatrix {
        self.by_id.get(&id).unwrap_or(&self.active)
    }

    pub fn level_name(&self, matrix_id: i64, index: usize) -> String {
        self.of(matrix_id)
            .matrix
            .levels
            .get(index)
            .map(|l| l.name.clone())
            .unwrap_or_else(|| format!("#{index}"))
    }

    fn step(names: &[String], position: usize) -> String {
        names
            .get(position)
            .cloned()
            .unwrap_or_else(|| format!("#{position}"))
    }

    pub fn likelihood_name(&self, matrix_id: i64, position: usize) -> String {
        Matrices::step(&self.of(matrix_id).matrix.likelihood, position)
    }

    pub fn impact_name(&self, matrix_id: i64, position: usize) -> String {
        Matrices::step(&self.of(matrix_id).matrix.impact, position)
    }

    /// 「高（発生可能性 高 × 影響度 大）」
    pub fn describe(&self, tr: &Tr, matrix_id: i64, score: Score, level: usize) -> String {
        tr.f(
            "risk.level_detail",
            &[
                ("level", self.level_name(matrix_id, level)),
                (
                    "likelihood",
                    self.likelihood_name(matrix_id, score.likelihood),
                ),
                ("impact", self.impact_name(matrix_id, score.impact)),
            ],
        )
    }
}

/// The asset cell of a list or export: the names the reader may see, then the group.
pub fn assets_text(risk: &RiskRecord) -> String {
    let mut parts: Vec<String> = risk.assets.iter().map(|(_, name)| name.clone()).collect();
    if !risk.asset_group.is_empty() {
        parts.push(risk.asset_group.clone());
    }
    parts.join("、")
}

// ---------------------------------------------------------------- the list's filters

/// The list's query string, shared by the page, the exports and the API: threat family,
/// level, treatment, and a cell of the heat map. Kept as text so that a wrong value gets
/// our own message.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// intentional, unintentional, disaster, pandemic or infrastructure (clause 3(1)–(5)).
    pub family: Option<String>,
    /// A level of the active matrix by position, least serious first (0, 1, 2).
    pub level: Option<String>,
    /// reduce, avoid, transfer, accept, or none (not decided yet).
    pub treatment: Option<String>,
    /// inherent (default) or residual: which assessment `level`, `likelihood` and
    /// `impact` are compared with.
    pub which: Option<String>,
    /// A likelihood step by position, lowest first (0, 1, 2).
    pub likelihood: Option<String>,
    /// An impact step by position, lowest first (0, 1, 2).
    pub impact: Option<String>,
}

/// What the list shows.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub family: Option<ThreatFamily>,
    pub level: Option<usize>,
    /// Some(None): risks without a treatment.
    pub treatment: Option<Option<Treatment>>,
    pub which: Which,
    pub likelihood: Option<usize>,
    pub impact: Option<usize>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad_filter(name: &'static str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_filter",
        "risk.register_error.filter",
    )
    .with("name", name)
}

impl ListParams {
    pub fn filter(&self, matrix: &Matrix) -> Result<RiskFilter, AppError> {
        let position = |value: &Option<String>, len: usize, name: &'static str| {
            present(value)
                .map(|v| {
                    v.parse::<usize>()
                        .ok()
                        .filter(|p| *p < len)
                        .ok_or_else(|| bad_filter(name))
                })
                .transpose()
        };
        Ok(RiskFilter {
            family: present(&self.family)
                .map(|v| ThreatFamily::parse(v).ok_or_else(|| bad_filter("family")))
                .transpose()?,
            level: position(&self.level, matrix.levels.len(), "level")?,
            treatment: present(&self.treatment)
                .map(|v| match v {
                    "none" => Ok(None),
                    v => Treatment::parse(v)
                        .map(Some)
                        .ok_or_else(|| bad_filter("treatment")),
                })
                .transpose()?,
            which: present(&self.which)
                .map(|v| Which::parse(v).ok_or_else(|| bad_filter("which")))
                .transpose()?
                .unwrap_or_default(),
            likelihood: position(&self.likelihood, matrix.likelihood.len(), "likelihood")?,
            impact: position(&self.impact, matrix.impact.len(), "impact")?,
        })
    }

    /// These filters as a query string, to carry into the export links.
    pub fn query(&self) -> String {
        [
            ("family", &self.family),
            ("level", &self.level),
            ("treatment", &self.treatment),
            ("which", &self.which),
            ("likelihood", &self.likelihood),
            ("impact", &self.impact),
        ]
        .iter()
        .filter_map(|(name, value)| {
            present(value).map(|v| format!("{name}={}", crate::http::auth::percent_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
    }
}

impl RiskFilter {
    pub fn matches(&self, risk: &RiskRecord) -> bool {
        if self.family.is_some_and(|f| f != risk.threat_family) {
            return false;
        }
        if self.treatment.is_some_and(|t| t != risk.treatment) {
            return false;
        }
        let (score, level) = match self.which {
            Which::Inherent => (Some(risk.inherent), Some(risk.inherent_level)),
            Which::Residual => (risk.residual, risk.residual_level),
        };
        if self.level.is_some() && self.level != level {
            return false;
        }
        if self
            .likelihood
            .is_some_and(|l| score.is_none_or(|s| s.likelihood != l))
        {
            return false;
        }
        if self
            .impact
            .is_some_and(|i| score.is_none_or(|s| s.impact != i))
        {
            return false;
        }
        true
    }
}

// ---------------------------------------------------------------- the list

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
        review_due: risk
            .review_due
            .as_deref()
            .map(|d| date_label(ctx, d))
            .unwrap_or_default(),
        review_overdue: risk
            .review_due
            .as_deref()
            .and_then(parse_iso)
            .is_some_and(|d| d < today),
    }
}

struct HeatmapView {
    id: String,
    title: &'static str,
    caption: String,
    svg: String,
    impacts: Vec<String>,
    rows: Vec<risk_heatmap::TableRow>,
    note: String,
}

#[derive(Template)]
#[template(path = "risks_list.html")]
struct ListPage {
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

fn family_choices(tr: &Tr) -> Vec<Choice> {
    ThreatFamily::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: tr.t(family_key(*f)).to_owned(),
        })
        .collect()
}

fn treatment_choices(tr: &Tr) -> Vec<Choice> {
    Treatment::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str().to_owned(),
            label: tr.t(treatment_key(*t)).to_owned(),
        })
        .collect()
}

fn scale_choices(names: &[String]) -> Vec<Choice> {
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
    require_reader(&state, &signed, "risks.list").await?;
    let tr = ctx.tr;
    let active = store_risks::active_matrix(&state.store).await?;
    let filter = params.filter(&active.matrix)?;
    let all = store_risks::risks(&state.store, viewer(&signed)).await?;
    let matrices = Matrices::load(&state, all.iter().map(|r| r.matrix_id)).await?;
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
        let (counts, outside) = risk_heatmap::counts(matrix, scores.iter().copied());
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
            svg: risk_heatmap::svg(matrix, &counts, which, &tr, &id),
            impacts: matrix.impact.clone(),
            rows: risk_heatmap::table_rows(matrix, &counts, which, &tr),
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
        may_edit: signed.has_role(EDITORS),
        params,
    };
    render(StatusCode::OK, &page)
}

fn which_key(which: Which) -> &'static str {
    match which {
        Which::Inherent => "risk.which_inherent",
        Which::Residual => "risk.which_residual",
    }
}

// ---------------------------------------------------------------- the form

/// The risk form as typed: scale steps by position, people and threats by id.
#[derive(Debug, Default, Clone)]
pub struct RiskForm {
    pub title: String,
    pub threat: String,
    pub asset_ids: Vec<String>,
    pub asset_ids_text: String,
    pub asset_group: String,
    pub existing_measures: String,
    pub inherent_likelihood: String,
    pub inherent_impact: String,
    pub treatment: String,
    pub residual_likelihood: String,
    pub residual_impact: String,
    pub owner: String,
    pub review_due: String,
}

/// A URL-encoded body as name/value pairs (the asset select repeats its name).
struct Fields(Vec<(String, String)>);

impl Fields {
    async fn read(request: axum::extract::Request, state: &AppState) -> Result<Fields, AppError> {
        let WebForm(pairs) = <WebForm<Vec<(String, String)>> as axum::extract::FromRequest<
            AppState,
        >>::from_request(request, state)
        .await?;
        Ok(Fields(pairs))
    }

    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.chars().take(10_000).collect())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.chars().take(40).collect())
            .take(1000)
            .collect()
    }
}

impl RiskForm {
    fn from_fields(fields: &Fields) -> RiskForm {
        RiskForm {
            title: fields.get("title"),
            threat: fields.get("threat"),
            asset_ids: fields.all("asset_ids"),
            asset_ids_text: fields.get("asset_ids_text"),
            asset_group: fields.get("asset_group"),
            existing_measures: fields.get("existing_measures"),
            inherent_likelihood: fields.get("inherent_likelihood"),
            inherent_impact: fields.get("inherent_impact"),
            treatment: fields.get("treatment"),
            residual_likelihood: fields.get("residual_likelihood"),
            residual_impact: fields.get("residual_impact"),
            owner: fields.get("owner"),
            review_due: fields.get("review_due"),
        }
    }

    /// A stored risk, for reassessment. Steps outside the active matrix's scales are
    /// left for the user to choose again.
    fn from_record(risk: &RiskRecord, active: &Matrix) -> RiskForm {
        let step = |p: usize, len: usize| {
            if p < len {
                p.to_string()
            } else {
                String::new()
            }
        };
        let (l, i) = (active.likelihood.len(), active.impact.len());
        RiskForm {
            title: risk.title.clone(),
            threat: risk.threat_id.to_string(),
            asset_ids: risk.assets.iter().map(|(id, _)| id.to_string()).collect(),
            asset_ids_text: String::new(),
            asset_group: risk.asset_group.clone(),
            existing_measures: risk.existing_measures.clone(),
            inherent_likelihood: step(risk.inherent.likelihood, l),
            inherent_impact: step(risk.inherent.impact, i),
            treatment: risk
                .treatment
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            residual_likelihood: risk
                .residual
                .map(|s| step(s.likelihood, l))
                .unwrap_or_default(),
            residual_impact: risk.residual.map(|s| step(s.impact, i)).unwrap_or_default(),
            owner: risk.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            review_due: risk.review_due.clone().unwrap_or_default(),
        }
    }
}

/// Checks a risk as typed against the active matrix, the catalogue, the assets the
/// viewer may see and the users. `current_threat` is the threat a reassessed risk already
/// names, which stays allowed once retired. Shared by the pages and the API.
pub async fn check_form(
    state: &AppState,
    viewer: Viewer,
    form: &RiskForm,
    matrix: &StoredMatrix,
    current_threat: Option<i64>,
) -> Result<Result<RiskInput, Vec<FieldProblem>>, AppError> {
    let mut problems = Vec::new();
    let title = line_field("title", &form.title, 200, true, &mut problems);

    let threats = store_risks::threats(&state.store).await?;
    let threat_text = form.threat.trim();
    let threat = threat_text
        .parse::<i64>()
        .ok()
        .and_then(|id| threats.iter().find(|t| t.id == id));
    let threat_id = match threat {
        None if threat_text.is_empty() => {
            problems.push(problem("threat", "field.error.required"));
            None
        }
        None => {
            problems.push(problem("threat", "risk.register_error.threat_unknown"));
            None
        }
        Some(t) if t.retired_at.is_some() && Some(t.id) != current_threat => {
            problems.push(problem("threat", "risk.register_error.threat_retired"));
            None
        }
        Some(t) => Some(t.id),
    };

    let mut asset_ids: Vec<i64> = Vec::new();
    for value in &form.asset_ids {
        match value.trim().parse::<i64>() {
            Ok(id) if id > 0 => asset_ids.push(id),
            _ if value.trim().is_empty() => {}
            _ => problems.push(FieldProblem {
                field: "assets",
                key: "risk.register_error.asset_id",
                params: vec![("value", value.trim().to_owned())],
            }),
        }
    }
    asset_ids.extend(typed_asset_ids(&form.asset_ids_text, &mut problems));
    asset_ids.sort_unstable();
    asset_ids.dedup();
    if asset_ids.len() > MAX_ASSETS {
        problems.push(FieldProblem {
            field: "assets",
            key: "risk.register_error.too_many_assets",
            params: vec![("max", MAX_ASSETS.to_string())],
        });
    } else {
        for id in &asset_ids {
            match store_assets::get(&state.store, viewer, *id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => problems.push(FieldProblem {
                    field: "assets",
                    key: "risk.register_error.asset_unknown",
                    params: vec![("id", id.to_string())],
                }),
                Err(other) => return Err(other.into()),
            }
        }
    }
    let asset_group = line_field("asset_group", &form.asset_group, 200, false, &mut problems);
    if asset_ids.is_empty()
        && form.asset_ids_text.trim().is_empty()
        && form.asset_group.trim().is_empty()
    {
        problems.push(problem("assets", "risk.register_error.assets_missing"));
    }
    let existing_measures = long_field(
        "existing_measures",
        &form.existing_measures,
        4000,
        false,
        &mut problems,
    );

    let m = &matrix.matrix;
    let likelihood = scale_field(
        "inherent_likelihood",
        &form.inherent_likelihood,
        m.likelihood.len(),
        &mut problems,
    );
    let impact = scale_field(
        "inherent_impact",
        &form.inherent_impact,
        m.impact.len(),
        &mut problems,
    );
    let treatment = match form.treatment.trim() {
        "" => Ok(None),
        v => Treatment::parse(v).map(Some).ok_or(()),
    };
    let treatment = match treatment {
        Ok(t) => t,
        Err(()) => {
            problems.push(problem(
                "treatment",
                "risk.register_error.treatment_unknown",
            ));
            None
        }
    };
    let residual = match (
        form.residual_likelihood.trim().is_empty(),
        form.residual_impact.trim().is_empty(),
    ) {
        (true, true) => None,
        (false, false) => {
            let l = scale_field(
                "residual_likelihood",
                &form.residual_likelihood,
                m.likelihood.len(),
                &mut problems,
            );
            let i = scale_field(
                "residual_impact",
                &form.residual_impact,
                m.impact.len(),
                &mut problems,
            );
            l.zip(i)
                .map(|(likelihood, impact)| Score { likelihood, impact })
        }
        (true, false) => {
            problems.push(problem(
                "residual_likelihood",
                "risk.register_error.residual_pair",
            ));
            None
        }
        (false, true) => {
            problems.push(problem(
                "residual_impact",
                "risk.register_error.residual_pair",
            ));
            None
        }
    };
    let owner_id = match form.owner.trim() {
        "" => None,
        v => {
            let id = v.parse::<i64>().ok();
            let known = match id {
                Some(id) => match mamori_store::users::get(&state.store, id).await {
                    Ok(user) => user.active,
                    Err(StoreError::NotFound) => false,
                    Err(other) => return Err(other.into()),
                },
                None => false,
            };
            if !known {
                problems.push(problem("owner", "risk.register_error.owner_unknown"));
            }
            id
        }
    };
    let review_due = date_field("review_due", &form.review_due, false, &mut problems);

    let inherent = likelihood
        .zip(impact)
        .map(|(likelihood, impact)| Score { likelihood, impact });
    if let Some(score) = inherent
        && check_treatment(m, score, treatment).is_err()
    {
        let level = m
            .level(score.likelihood, score.impact)
            .map(|l| l.name.clone())
            .unwrap_or_default();
        problems.push(FieldProblem {
            field: "treatment",
            key: "risk.register_error.needs_treatment",
            params: vec![("level", level)],
        });
    }
    match (threat_id, inherent, problems.is_empty()) {
        (Some(threat_id), Some(inherent), true) => Ok(Ok(RiskInput {
            title,
            threat_id,
            asset_ids,
            asset_group,
            existing_measures,
            inherent,
            treatment,
            residual,
            owner_id,
            review_due,
        })),
        _ => Ok(Err(problems)),
    }
}

/// Active users, for the owner selects.
async fn owner_choices(state: &AppState) -> Result<Vec<Choice>, AppError> {
    let (users, _) = mamori_store::users::list_summaries(&state.store, 100_000, 0).await?;
    Ok(users
        .into_iter()
        .filter(|s| s.user.active)
        .map(|s| Choice {
            value: s.user.id.to_string(),
            label: format!("{}（{}）", s.user.display_name, s.user.login),
        })
        .collect())
}

/// The threats of one family of clause 3, for an `<optgroup>`.
struct ThreatGroup {
    family: String,
    threats: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "risks_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// The risk being reassessed; None for a new one.
    id: Option<i64>,
    form: RiskForm,
    errors: Vec<FieldError>,
    threats: Vec<ThreatGroup>,
    assets: Vec<Choice>,
    assets_capped: bool,
    likelihood: Vec<Choice>,
    impact: Vec<Choice>,
    treatments: Vec<Choice>,
    owners: Vec<Choice>,
    lead: String,
    matrix_note: Option<String>,
    bands: Vec<String>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn asset_selected(&self, value: &str) -> bool {
        self.form.asset_ids.iter().any(|v| v == value)
    }
}

fn band_key(band: Band) -> &'static str {
    match band {
        Band::Acceptable => "risk.band_acceptable",
        Band::Tolerable => "risk.band_tolerable",
        Band::Unacceptable => "risk.band_unacceptable",
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    current: Option<&RiskRecord>,
    mut form: RiskForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let active = store_risks::active_matrix(&state.store).await?;
    let threats = store_risks::threats(&state.store).await?;
    let current_threat = current.map(|r| r.threat_id);
    let threats = ThreatFamily::ALL
        .iter()
        .map(|family| ThreatGroup {
            family: format!("{} {}", family.clause(), tr.t(family_key(*family))),
            threats: threats
                .iter()
                .filter(|t: &&Threat| t.family == *family)
                .filter(|t| t.retired_at.is_none() || Some(t.id) == current_threat)
                .map(|t| Choice {
                    value: t.id.to_string(),
                    label: if t.retired_at.is_some() {
                        tr.f("risk.retired_threat", &[("name", t.name.clone())])
                    } else {
                        t.name.clone()
                    },
                })
                .collect(),
        })
        .filter(|g: &ThreatGroup| !g.threats.is_empty())
        .collect();
    let page = store_assets::list(
        &state.store,
        viewer(signed),
        &store_assets::Filter::default(),
        store_assets::Sort::Name,
        0,
        ASSET_CHOICES,
    )
    .await?;
    let assets: Vec<Choice> = page
        .assets
        .iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!("{}（{}）", a.name, a.id),
        })
        .collect();
    // Chosen assets beyond the capped select are carried in the typed field.
    let (shown, rest): (Vec<String>, Vec<String>) = form
        .asset_ids
        .iter()
        .cloned()
        .partition(|v| assets.iter().any(|c| &c.value == v));
    if !rest.is_empty() {
        let mut typed: Vec<String> = rest;
        if !form.asset_ids_text.trim().is_empty() {
            typed.insert(0, form.asset_ids_text.trim().to_owned());
        }
        form.asset_ids_text = typed.join(", ");
    }
    form.asset_ids = shown;
    let matrix_note = match current.filter(|r| r.matrix_id != active.id) {
        Some(r) => {
            let old = store_risks::matrix(&state.store, r.matrix_id)
                .await
                .map(|m| m.version)
                .unwrap_or(0);
            Some(tr.f(
                "risk.older_matrix_form",
                &[
                    ("old", old.to_string()),
                    ("new", active.version.to_string()),
                ],
            ))
        }
        None => None,
    };
    let path = match id {
        Some(id) => format!("/risks/{id}/edit"),
        None => "/risks/new".to_owned(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let bands = active
        .matrix
        .levels
        .iter()
        .map(|l| format!("{}：{}", l.name, tr.t(band_key(l.band))))
        .collect();
    let page = FormPage {
        t: tr,
        layout: Layout::load(state, "risks", &path, Some(&signed.0)).await,
        id,
        form,
        errors,
        threats,
        assets_capped: page.total > ASSET_CHOICES,
        assets,
        likelihood: scale_choices(&active.matrix.likelihood),
        impact: scale_choices(&active.matrix.impact),
        treatments: treatment_choices(&tr),
        owners: owner_choices(state).await?,
        lead: tr.f("risk.form_lead", &[("version", active.version.to_string())]),
        matrix_note,
        bands,
    };
    render(status, &page)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.new").await?;
    render_form(
        &state,
        &ctx,
        &signed,
        None,
        None,
        RiskForm::default(),
        Vec::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.create").await?;
    let form = RiskForm::from_fields(&Fields::read(request, &state).await?);
    let matrix = store_risks::active_matrix(&state.store).await?;
    match check_form(&state, viewer(&signed), &form, &matrix, None).await? {
        Ok(input) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            let id = store_risks::create_risk(&mut tx, &input, &matrix).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/risks/{id}?saved=1")))
        }
        Err(problems) => {
            let errors = field_errors(&problems, &ctx.tr);
            render_form(&state, &ctx, &signed, None, None, form, errors).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.edit").await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
    let active = store_risks::active_matrix(&state.store).await?;
    let form = RiskForm::from_record(&risk, &active.matrix);
    render_form(
        &state,
        &ctx,
        &signed,
        Some(id),
        Some(&risk),
        form,
        Vec::new(),
    )
    .await
}

/// Reassessment: scored with the active matrix, whatever version the risk had.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.update").await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
    let form = RiskForm::from_fields(&Fields::read(request, &state).await?);
    let matrix = store_risks::active_matrix(&state.store).await?;
    match check_form(
        &state,
        viewer(&signed),
        &form,
        &matrix,
        Some(risk.threat_id),
    )
    .await?
    {
        Ok(input) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            store_risks::update_risk(&mut tx, id, &input, &matrix).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/risks/{id}?saved=1")))
        }
        Err(problems) => {
            let errors = field_errors(&problems, &ctx.tr);
            render_form(&state, &ctx, &signed, Some(id), Some(&risk), form, errors).await
        }
    }
}

// ---------------------------------------------------------------- one risk

struct ActionView {
    id: i64,
    description: String,
    owner: String,
    due_on: String,
    done_on: String,
    status: &'static str,
    overdue: bool,
    open: bool,
}

struct AcceptanceView {
    id: i64,
    reason: String,
    expires_on: String,
    status: &'static str,
    proposed: String,
    decided: String,
    expired: bool,
    may_decide: bool,
    own: bool,
}

/// A treatment action as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub description: String,
    pub owner: String,
    pub due_on: String,
}

/// A proposal to accept the risk as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AcceptanceForm {
    pub reason: String,
    pub expires_on: String,
}

#[derive(Template)]
#[template(path = "risks_show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    risk: RiskRecord,
    saved: bool,
    facts: Vec<(&'static str, String)>,
    older_note: Option<String>,
    actions: Vec<ActionView>,
    acceptances: Vec<AcceptanceView>,
    needs_review: bool,
    may_edit: bool,
    owners: Vec<Choice>,
    action_form: ActionForm,
    action_errors: Vec<FieldError>,
    acceptance_form: AcceptanceForm,
    acceptance_errors: Vec<FieldError>,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    risk: RiskRecord,
    saved: bool,
    action_form: ActionForm,
    action_errors: Vec<FieldError>,
    acceptance_form: AcceptanceForm,
    acceptance_errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let matrices = Matrices::load(state, std::iter::once(risk.matrix_id)).await?;
    let scored_with = matrices.of(risk.matrix_id).version;
    let today_date = today();
    let me = signed.user().id;
    let ciso = is_ciso(state, signed).await?;
    let actions = store_risks::actions(&state.store, risk.id)
        .await?
        .into_iter()
        .map(|a| {
            let overdue =
                a.done_on.is_none() && parse_iso(&a.due_on).is_some_and(|d| d < today_date);
            ActionView {
                id: a.id,
                owner: a.owner_name.unwrap_or_default(),
                due_on: date_label(ctx, &a.due_on),
                done_on: a
                    .done_on
                    .as_deref()
                    .map(|d| date_label(ctx, d))
                    .unwrap_or_default(),
                status: if a.done_on.is_some() {
                    "risk.action_completed"
                } else if overdue {
                    "risk.action_overdue"
                } else {
                    "risk.action_open"
                },
                overdue,
                open: a.done_on.is_none(),
                description: a.description,
            }
        })
        .collect();
    let stored = store_risks::acceptances(&state.store, risk.id).await?;
    // The latest accepted acceptance decides whether the risk is due for review again.
    let needs_review = stored
        .iter()
        .find(|a| a.status == AcceptanceStatus::Accepted)
        .and_then(|a| parse_iso(&a.expires_on))
        .is_some_and(|d| d < today_date);
    let acceptances = stored
        .into_iter()
        .map(|a| {
            let own = a.proposed_by.is_some_and(|p| !may_approve(p, me));
            AcceptanceView {
                id: a.id,
                expires_on: date_label(ctx, &a.expires_on),
                status: acceptance_status_key(a.status),
                proposed: format!(
                    "{}（{}）",
                    a.proposed_by_name
                        .clone()
                        .unwrap_or_else(|| tr.t("risk.by_system").to_owned()),
                    datetime_label(ctx, &a.created_at)
                ),
                decided: match (&a.decided_by_name, &a.decided_at) {
                    (Some(by), Some(at)) => {
                        let mut text = format!("{by}（{}）", datetime_label(ctx, at));
                        if !a.decision_note.is_empty() {
                            text.push('　');
                            text.push_str(&a.decision_note);
                        }
                        text
                    }
                    _ => String::new(),
                },
                expired: a.status == AcceptanceStatus::Accepted
                    && parse_iso(&a.expires_on).is_some_and(|d| d < today_date),
                may_decide: a.status == AcceptanceStatus::Pending && ciso && !own,
                own: a.status == AcceptanceStatus::Pending && ciso && own,
                reason: a.reason,
            }
        })
        .collect();
    let older_note = (risk.matrix_id != matrices.active.id).then(|| {
        tr.f(
            "risk.older_matrix",
            &[
                ("old", scored_with.to_string()),
                ("new", matrices.active.version.to_string()),
            ],
        )
    });
    let m = risk.matrix_id;
    let facts = vec![
        ("risk.field.threat", risk.threat_name.clone()),
        (
            "risk.field.threat_family",
            tr.t(family_key(risk.threat_family)).to_owned(),
        ),
        ("risk.field.asset_group", risk.asset_group.clone()),
        (
            "risk.field.likelihood",
            matrices.likelihood_name(m, risk.inherent.likelihood),
        ),
        (
            "risk.field.impact",
            matrices.impact_name(m, risk.inherent.impact),
        ),
        (
            "risk.field.level",
            matrices.level_name(m, risk.inherent_level),
        ),
        ("risk.field.treatment", treatment_label(&tr, risk.treatment)),
        (
            "risk.field.residual_likelihood",
            risk.residual
                .map(|s| matrices.likelihood_name(m, s.likelihood))
                .unwrap_or_default(),
        ),
        (
            "risk.field.residual_impact",
            risk.residual
                .map(|s| matrices.impact_name(m, s.impact))
                .unwrap_or_default(),
        ),
        (
            "risk.field.residual_level",
            risk.residual_level
                .map(|l| matrices.level_name(m, l))
                .unwrap_or_else(|| tr.t("risk.not_assessed").to_owned()),
        ),
        (
            "risk.field.owner",
            risk.owner_name.clone().unwrap_or_default(),
        ),
        (
            "risk.field.review_due",
            risk.review_due
                .as_deref()
                .map(|d| date_label(ctx, d))
                .unwrap_or_default(),
        ),
        (
            "risk.field.matrix_version",
            tr.f(
                "risk.matrix_version_value",
                &[("version", scored_with.to_string())],
            ),
        ),
        (
            "risk.field.created_at",
            datetime_label(ctx, &risk.created_at),
        ),
        (
            "risk.field.updated_at",
            datetime_label(ctx, &risk.updated_at),
        ),
    ];
    let page = ShowPage {
        t: tr,
        layout: Layout::load(
            state,
            "risks",
            &format!("/risks/{}", risk.id),
            Some(&signed.0),
        )
        .await,
        saved,
        facts,
        older_note,
        actions,
        acceptances,
        needs_review,
        may_edit: signed.has_role(EDITORS),
        owners: owner_choices(state).await?,
        action_form,
        action_errors,
        acceptance_form,
        acceptance_errors,
        today: today_date.to_string(),
        risk,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    require_reader(&state, &signed, "risks.show").await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
    render_show(
        &state,
        &ctx,
        &signed,
        risk,
        query.saved.is_some(),
        ActionForm::default(),
        Vec::new(),
        AcceptanceForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

// ---------------------------------------------------------------- treatment actions

impl ActionForm {
    async fn check(
        &self,
        state: &AppState,
    ) -> Result<Result<(String, Option<i64>, Date), Vec<FieldProblem>>, AppError> {
        let mut problems = Vec::new();
        let description = line_field("description", &self.description, 500, true, &mut problems);
        let owner = match self.owner.trim() {
            "" => None,
            v => {
                let id = v.parse::<i64>().ok();
                let known = match id {
                    Some(id) => match mamori_store::users::get(&state.store, id).await {
                        Ok(user) => user.active,
                        Err(StoreError::NotFound) => false,
                        Err(other) => return Err(other.into()),
                    },
                    None => false,
                };
                if !known {
                    problems.push(problem("owner", "risk.register_error.owner_unknown"));
                }
                id
            }
        };
        let due_on = date_field("due_on", &self.due_on, true, &mut problems);
        Ok(match (due_on, problems.is_empty()) {
            (Some(due_on), true) => Ok((description, owner, due_on)),
            _ => Err(problems),
        })
    }
}

pub async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.add_action").await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
    let WebForm(form) =
        <WebForm<ActionForm> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    match form.check(&state).await? {
        Ok((description, owner, due_on)) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            store_risks::add_action(&mut tx, id, &description, owner, due_on).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/risks/{id}#actions")))
        }
        Err(problems) => {
            let errors = field_errors(&problems, &ctx.tr);
            render_show(
                &state,
                &ctx,
                &signed,
                risk,
                false,
                form,
                errors,
                AcceptanceForm::default(),
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompleteForm {
    pub done_on: String,
}

pub async fn complete_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, action_id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, EDITORS, "risks.complete_action")
        .await?;
    let (id, action_id) = (parse_id(&id)?, parse_id(&action_id)?);
    let actions = store_risks::actions(&state.store, id).await?;
    let Some(action) = actions.iter().find(|a| a.id == action_id) else {
        return Err(AppError::not_found());
    };
    if action.done_on.is_some() {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "already_done",
            "risk.register_error.action_done",
        ));
    }
    let WebForm(form) =
        <WebForm<CompleteForm> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    let mut problems = Vec::new();
    let done_on = date_field("done_on", &form.done_on, false, &mut problems).unwrap_or_else(today);
    if let Some(p) = problems.first() {
        let mut error = AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_date", p.key);
        error.params = p.params.clone();
        return Err(error);
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    match store_risks::complete_action(&mut tx, action_id, done_on).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "already_done",
                "risk.register_error.action_done",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(see_other(&format!("/risks/{id}#actions")))
}

// ---------------------------------------------------------------- acceptances

pub async fn propose_acceptance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, EDITORS, "risks.propose_acceptance")
        .await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
    let WebForm(form) =
        <WebForm<AcceptanceForm> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    let mut problems = Vec::new();
    let reason = long_field("reason", &form.reason, 2000, false, &mut problems);
    if form.reason.trim().is_empty() {
        problems.push(problem("reason", "risk.register_error.no_reason"));
    }
    let expires_on = date_field("expires_on", &form.expires_on, true, &mut problems);
    if expires_on.is_some_and(|d| d <= today()) {
        problems.push(problem("expires_on", "risk.register_error.expiry_past"));
    }
    match (expires_on, problems.is_empty()) {
        (Some(expires_on), true) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            store_risks::propose_acceptance(&mut tx, id, &reason, expires_on).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/risks/{id}#acceptances")))
        }
        _ => {
            let errors = field_errors(&problems, &ctx.tr);
            render_show(
                &state,
                &ctx,
                &signed,
                risk,
                false,
                ActionForm::default(),
                Vec::new(),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The CISO's decision on a proposed acceptance. Who may decide is the domain's rule
/// (`check_acceptance`): someone else than the CISO, or the proposer, is refused with a
/// recorded 403; a lapsed expiry or a missing reason is a 422.
pub async fn decide_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, acceptance_id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let ciso = is_ciso(&state, &signed).await?;
    if !ciso {
        let mut refused =
            crate::http::auth::deny(&state, &signed.0, "risks.decide_acceptance").await;
        refused.message_key = "risk.register_error.not_ciso";
        return Err(refused);
    }
    let (id, acceptance_id) = (parse_id(&id)?, parse_id(&acceptance_id)?);
    let acceptance = store_risks::acceptance(&state.store, acceptance_id).await?;
    if acceptance.risk_id != id {
        return Err(AppError::not_found());
    }
    let WebForm(form) = <WebForm<crate::pages::DecisionForm> as axum::extract::FromRequest<
        AppState,
    >>::from_request(request, &state)
    .await?;
    let (accept, note) = form.read()?;
    let expires_on = parse_iso(&acceptance.expires_on).unwrap_or(Date::MIN);
    let checked = check_acceptance(
        ciso,
        acceptance.proposed_by,
        signed.user().id,
        &acceptance.reason,
        expires_on,
        today(),
    );
    match checked {
        Ok(()) => {}
        Err(AcceptanceRefusal::NotCiso) => {
            let mut refused =
                crate::http::auth::deny(&state, &signed.0, "risks.decide_acceptance").await;
            refused.message_key = "risk.register_error.not_ciso";
            return Err(refused);
        }
        Err(AcceptanceRefusal::OwnProposal) => {
            let mut refused = crate::http::auth::deny(&state, &signed.0, "risks.decide_own").await;
            refused.message_key = "risk.register_error.own_proposal";
            return Err(refused);
        }
        // A rejection needs neither a valid expiry nor a reason of the proposal.
        Err(_) if !accept => {}
        Err(AcceptanceRefusal::ExpiryPast) => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "expiry_past",
                "risk.register_error.expiry_lapsed",
            )
            .with("date", acceptance.expires_on.clone()));
        }
        Err(AcceptanceRefusal::NoReason) => {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_reason",
                "risk.register_error.no_reason",
            ));
        }
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    match store_risks::decide_acceptance(&mut tx, acceptance_id, accept, &note).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "already_decided",
                "risk.register_error.already_decided",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(see_other(&format!("/risks/{id}#acceptances")))
}

// ---------------------------------------------------------------- export

/// The export's columns: (locale key of the header).
const EXPORT_COLUMNS: [&str; 16] = [
    "risk.field.id",
    "risk.field.title",
    "risk.field.threat",
    "risk.field.threat_family",
    "risk.field.assets",
    "risk.field.existing_measures",
    "risk.field.likelihood",
    "risk.field.impact",
    "risk.field.level",
    "risk.field.treatment",
    "risk.field.residual_likelihood",
    "risk.field.residual_impact",
    "risk.field.residual_level",
    "risk.field.owner",
    "risk.field.review_due",
    "risk.field.matrix_version",
];

fn export_cells(tr: &Tr, matrices: &Matrices, risk: &RiskRecord) -> Vec<String> {
    let m = risk.matrix_id;
    vec![
        risk.id.to_string(),
        risk.title.clone(),
        risk.threat_name.clone(),
        tr.t(family_key(risk.threat_family)).to_owned(),
        assets_text(risk),
        risk.existing_measures.clone(),
        matrices.likelihood_name(m, risk.inherent.likelihood),
        matrices.impact_name(m, risk.inherent.impact),
        matrices.level_name(m, risk.inherent_level),
        risk.treatment
            .map(|t| tr.t(treatment_key(t)).to_owned())
            .unwrap_or_default(),
        risk.residual
            .map(|s| matrices.likelihood_name(m, s.likelihood))
            .unwrap_or_default(),
        risk.residual
            .map(|s| matrices.impact_name(m, s.impact))
            .unwrap_or_default(),
        risk.residual_level
            .map(|l| matrices.level_name(m, l))
            .unwrap_or_default(),
        risk.owner_name.clone().unwrap_or_default(),
        risk.review_due.clone().unwrap_or_default(),
        matrices.of(m).version.to_string(),
    ]
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Xlsx).await
}

pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Csv).await
}

async fn export(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    raw_query: Option<&str>,
    format: Format,
) -> Result<Response, AppError> {
    require_reader(state, signed, "risks.export").await?;
    // Read after the access check, so that a refused caller gets 403 whatever they sent.
    let params: ListParams = serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "error.malformed_query",
        )
        .with("detail", e)
    })?;
    let active = store_risks::active_matrix(&state.store).await?;
    let filter = params.filter(&active.matrix)?;
    let risks: Vec<RiskRecord> = store_risks::risks(&state.store, viewer(signed))
        .await?
        .into_iter()
        .filter(|r| filter.matches(r))
        .rev()
        .collect();
    let matrices = Matrices::load(state, risks.iter().map(|r| r.matrix_id)).await?;
    let tr = ctx.tr;
    let headers: Vec<String> = EXPORT_COLUMNS.iter().map(|k| tr.t(k).to_owned()).collect();
    let rows: Vec<Vec<String>> = risks
        .iter()
        .map(|r| export_cells(&tr, &matrices, r))
        .collect();
    let count = rows.len();
    let sheet_name = tr.t("risk.title");
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Xlsx => mamori_sheet::write_xlsx(sheet_name, &headers, rows.into_iter()),
        Format::Csv => Ok(mamori_sheet::write_csv(&headers, rows.into_iter())),
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "risk export writer stopped");
        AppError::internal()
    })?
    .map_err(|e| {
        tracing::error!(error = %e, "risk export could not be written");
        let mut error = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            e.message_key(),
        );
        error.params = e.params();
        error
    })?;
    let code = match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    };
    let mut tx = state.store.write(signed.0.actor()).await?;
    tx.audit(
        AuditEntry::new("risk.export", "risk")
            .change("format", None::<&str>, code)
            .change("count", None::<usize>, count)
            .change("filter", None::<&str>, params.query()),
    )
    .await?;
    tx.commit().await?;
    Ok(download(bytes, format, ctx.lang()))
}

/// The file as an attachment: an ASCII name for every client, and the register's own
/// name for those that read RFC 5987 `filename*`.
fn download(bytes: Vec<u8>, format: Format, lang: Lang) -> Response {
    let day = today();
    let stamp = format!(
        "{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let ext = match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    };
    let stem = match lang {
        Lang::Ja => "リスク台帳",
        Lang::En => "risk-register",
    };
    let disposition = format!(
        "attachment; filename=\"risks-{stamp}.{ext}\"; filename*=UTF-8''{}",
        crate::http::auth::percent_encode(&format!("{stem}-{stamp}.{ext}"))
    );
    let content_type = match format {
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format::Csv => "text/csv; charset=utf-8",
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(l: usize, i: usize, treatment: Option<Treatment>) -> RiskRecord {
        RiskRecord {
            id: 1,
            title: "t".into(),
            threat_id: 1,
            threat_name: "機器故障".into(),
            threat_family: ThreatFamily::Unintentional,
            asset_group: "議員用タブレット全台".into(),
            existing_measures: String::new(),
            matrix_id: 1,
            inherent: Score {
                likelihood: l,
                impact: i,
            },
            inherent_level: Matrix::default_3x3().level_index(l, i).unwrap(),
            treatment,
            residual: None,
            residual_level: None,
            owner_id: None,
            owner_name: None,
            proposed_by: None,
            review_due: None,
            assets: vec![(3, "会議録".into())],
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn filters_read_the_heat_map_cell_and_refuse_strange_values() {
        let matrix = Matrix::default_3x3();
        let params = ListParams {
            likelihood: Some("2".into()),
            impact: Some("2".into()),
            which: Some("inherent".into()),
            ..ListParams::default()
        };
        let filter = params.filter(&matrix).unwrap();
        assert!(filter.matches(&record(2, 2, Some(Treatment::Reduce))));
        assert!(!filter.matches(&record(1, 2, Some(Treatment::Reduce))));
        let residual = ListParams {
            which: Some("residual".into()),
            likelihood: Some("0".into()),
            ..ListParams::default()
        };
        assert!(
            !residual
                .filter(&matrix)
                .unwrap()
                .matches(&record(0, 0, None))
        );
        let untreated = ListParams {
            treatment: Some("none".into()),
            ..ListParams::default()
        };
        assert!(
            untreated
                .filter(&matrix)
                .unwrap()
                .matches(&record(0, 0, None))
        );
        for bad in [
            ListParams {
                likelihood: Some("3".into()),
                ..ListParams::default()
            },
            ListParams {
                family: Some("weather".into()),
                ..ListParams::default()
            },
            ListParams {
                which: Some("both".into()),
                ..ListParams::default()
            },
        ] {
            assert_eq!(
                bad.filter(&matrix).unwrap_err().status,
                StatusCode::BAD_REQUEST
            );
        }
        assert_eq!(params.query(), "which=inherent&likelihood=2&impact=2");
    }

    #[test]
    fn typed_asset_numbers_accept_japanese_separators() {
        let mut problems = Vec::new();
        assert_eq!(
            typed_asset_ids("12, 15、＃１６ #17", &mut problems),
            vec![12, 15, 16, 17]
        );
        assert!(problems.is_empty());
        assert!(typed_asset_ids("12, abc", &mut problems) == vec![12]);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            assets_text(&record(0, 0, None)),
            "会議録、議員用タブレット全台"
        );
    }
}
