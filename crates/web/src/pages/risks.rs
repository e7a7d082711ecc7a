//! The risk register (clauses 3 and 8): who reads and keeps it. The pages for risks,
//! their actions and acceptances follow; threats, the matrix and analyses have their own
//! modules and use what is defined here.

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

// ---------------------------------------------------------------- shared page parts

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::risks::{
    AcceptanceForm, AcceptanceStatus, ActionForm, RiskForm, RiskRecord, matrices, register,
    treatment,
};
use mamori_app::threats::Threat;
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::risk::{Band, Matrix, Score, ThreatFamily, Treatment};
use mamori_domain::user::may_approve;
use mamori_domain::wareki::Lang;
use mamori_sheet::Format;
use serde::Deserialize;
use time::Date;
use utoipa::IntoParams;

use crate::http::context::Ctx;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{Choice, FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use crate::pages::risk_heatmap::{self, Which};

use mamori_app::i18n::Tr;
pub use mamori_app::risks::Matrices;

pub use mamori_app::risks::MAX_ASSETS;

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
    crate::http::forms::field_errors(problems, tr, field_key)
}

pub use mamori_app::today;

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
        review_due: risk.review_due.map(|d| ctx.date(d)).unwrap_or_default(),
        review_overdue: risk.review_due.is_some_and(|d| d < today),
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
        may_edit: acting.may(Register::Risks, Act::Edit),
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

impl Fields {
    fn risk_form(&self) -> RiskForm {
        let fields = self;
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
}

/// Active users, for the owner selects.
fn owner_choices(users: &[register::User]) -> Vec<Choice> {
    users
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{}（{}）", u.display_name, u.login),
        })
        .collect()
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

/// What the form page shows besides the form: the risk being reassessed, if any.
struct FormView<'a> {
    id: Option<i64>,
    current: Option<&'a RiskRecord>,
    form: RiskForm,
    errors: Vec<FieldError>,
}

fn threat_groups(tr: &Tr, threats: &[Threat], current_threat: Option<i64>) -> Vec<ThreatGroup> {
    ThreatFamily::ALL
        .iter()
        .map(|family| ThreatGroup {
            family: format!("{} {}", family.clause(), tr.t(family_key(*family))),
            threats: threats
                .iter()
                .filter(|t| t.family == *family)
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
        .filter(|g| !g.threats.is_empty())
        .collect()
}

/// Chosen assets beyond the capped select are carried in the typed field.
fn carry_unlisted_assets(form: &mut RiskForm, assets: &[Choice]) {
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
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: FormView<'_>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let acting = &signed.0.acting;
    let what = if view.id.is_some() {
        "risks.edit"
    } else {
        "risks.new"
    };
    let options = register::form_options(&state.app, acting, what).await?;
    let active = &options.matrix;
    let assets: Vec<Choice> = options
        .assets
        .iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: format!("{name}（{id}）"),
        })
        .collect();
    let mut form = view.form;
    carry_unlisted_assets(&mut form, &assets);
    let matrix_note = match view.current.filter(|r| r.matrix_id != active.id) {
        Some(r) => {
            let matrices =
                matrices::matrices(&state.app, acting, std::iter::once(r.matrix_id)).await?;
            Some(tr.f(
                "risk.older_matrix_form",
                &[
                    ("old", matrices.of(r.matrix_id).version.to_string()),
                    ("new", active.version.to_string()),
                ],
            ))
        }
        None => None,
    };
    let path = match view.id {
        Some(id) => format!("/risks/{id}/edit"),
        None => "/risks/new".to_owned(),
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        t: tr,
        layout: Layout::load(state, "risks", &path, Some(&signed.0)).await,
        id: view.id,
        form,
        errors: view.errors,
        threats: threat_groups(&tr, &options.threats, view.current.map(|r| r.threat_id)),
        assets_capped: options.assets_capped,
        assets,
        likelihood: scale_choices(&active.matrix.likelihood),
        impact: scale_choices(&active.matrix.impact),
        treatments: treatment_choices(&tr),
        owners: owner_choices(&options.owners),
        lead: tr.f("risk.form_lead", &[("version", active.version.to_string())]),
        matrix_note,
        bands: active
            .matrix
            .levels
            .iter()
            .map(|l| format!("{}：{}", l.name, tr.t(band_key(l.band))))
            .collect(),
    };
    render(status, &page)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let view = FormView {
        id: None,
        current: None,
        form: RiskForm::default(),
        errors: Vec::new(),
    };
    render_form(&state, &ctx, &signed, view).await
}

/// Invalid input shows the form again with every field's message; other failures
/// are the error page.
fn problems_of(failure: mamori_app::Failure) -> Result<Vec<FieldProblem>, AppError> {
    match failure {
        mamori_app::Failure::Invalid(problems) => Ok(problems),
        other => Err(other.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Edit, "risks.create")
        .await?;
    let form = Fields::read(request, &state).await?.risk_form();
    match register::create_risk(&state.app, acting, &form).await {
        Ok(id) => Ok(see_other(&format!("/risks/{id}?saved=1"))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure)?, &ctx.tr);
            let view = FormView {
                id: None,
                current: None,
                form,
                errors,
            };
            render_form(&state, &ctx, &signed, view).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Edit, "risks.edit")
        .await?;
    let id = parse_id(&id)?;
    let risk = register::risk(&state.app, acting, id, "risks.edit").await?;
    let active = matrices::active_matrix(&state.app, acting, "risks.edit").await?;
    let form = register::form_of(&risk, &active.matrix);
    let view = FormView {
        id: Some(id),
        current: Some(&risk),
        form,
        errors: Vec::new(),
    };
    render_form(&state, &ctx, &signed, view).await
}

/// Reassessment: scored with the active matrix, whatever version the risk had.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Edit, "risks.update")
        .await?;
    let id = parse_id(&id)?;
    let risk = register::risk(&state.app, acting, id, "risks.update").await?;
    let form = Fields::read(request, &state).await?.risk_form();
    match register::update_risk(&state.app, acting, id, &form).await {
        Ok(()) => Ok(see_other(&format!("/risks/{id}?saved=1"))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure)?, &ctx.tr);
            let view = FormView {
                id: Some(id),
                current: Some(&risk),
                form,
                errors,
            };
            render_form(&state, &ctx, &signed, view).await
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

/// The forms of the show page as typed, with their problems, when one was refused.
#[derive(Default)]
struct ShowForms {
    saved: bool,
    action_form: ActionForm,
    action_errors: Vec<FieldError>,
    acceptance_form: AcceptanceForm,
    acceptance_errors: Vec<FieldError>,
}

fn action_views(
    ctx: &Ctx,
    actions: Vec<mamori_app::risks::Action>,
    today: Date,
) -> Vec<ActionView> {
    actions
        .into_iter()
        .map(|a| {
            let overdue = a.done_on.is_none() && a.due_on < today;
            ActionView {
                id: a.id,
                owner: a.owner_name.unwrap_or_default(),
                due_on: ctx.date(a.due_on),
                done_on: a.done_on.map(|d| ctx.date(d)).unwrap_or_default(),
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
        .collect()
}

fn acceptance_views(
    ctx: &Ctx,
    acting: &mamori_app::Acting,
    stored: Vec<mamori_app::risks::Acceptance>,
    today: Date,
) -> Vec<AcceptanceView> {
    let tr = ctx.tr;
    let decider = acting.may(Register::Risks, Act::Decide);
    let me = acting.user_id().unwrap_or(0);
    stored
        .into_iter()
        .map(|a| {
            let own = a.proposed_by.is_some_and(|p| !may_approve(p, me));
            let pending = a.status == AcceptanceStatus::Pending;
            AcceptanceView {
                id: a.id,
                expires_on: ctx.date(a.expires_on),
                status: acceptance_status_key(a.status),
                proposed: format!(
                    "{}（{}）",
                    a.proposed_by_name
                        .clone()
                        .unwrap_or_else(|| tr.t("risk.by_system").to_owned()),
                    ctx.datetime(a.created_at)
                ),
                decided: match (&a.decided_by_name, &a.decided_at) {
                    (Some(by), Some(at)) => {
                        let mut text = format!("{by}（{}）", ctx.datetime(*at));
                        if !a.decision_note.is_empty() {
                            text.push('　');
                            text.push_str(&a.decision_note);
                        }
                        text
                    }
                    _ => String::new(),
                },
                expired: a.status == AcceptanceStatus::Accepted && a.expires_on < today,
                may_decide: pending && decider && !own,
                own: pending && decider && own,
                reason: a.reason,
            }
        })
        .collect()
}

/// The facts of a risk as the show page lists them.
fn risk_facts(ctx: &Ctx, matrices: &Matrices, risk: &RiskRecord) -> Vec<(&'static str, String)> {
    let tr = ctx.tr;
    let m = risk.matrix_id;
    let scored_with = matrices.of(m).version;
    vec![
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
            risk.review_due.map(|d| ctx.date(d)).unwrap_or_default(),
        ),
        (
            "risk.field.matrix_version",
            tr.f(
                "risk.matrix_version_value",
                &[("version", scored_with.to_string())],
            ),
        ),
        ("risk.field.created_at", ctx.datetime(risk.created_at)),
        ("risk.field.updated_at", ctx.datetime(risk.updated_at)),
    ]
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    forms: ShowForms,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let acting = &signed.0.acting;
    let detail = register::show_risk(&state.app, acting, id).await?;
    let risk = detail.risk;
    let matrices = matrices::matrices(&state.app, acting, std::iter::once(risk.matrix_id)).await?;
    let today_date = today();
    // The latest accepted acceptance decides whether the risk is due for review again.
    let needs_review = detail
        .acceptances
        .iter()
        .find(|a| a.status == AcceptanceStatus::Accepted)
        .is_some_and(|a| a.expires_on < today_date);
    let older_note = (risk.matrix_id != matrices.active.id).then(|| {
        tr.f(
            "risk.older_matrix",
            &[
                ("old", matrices.of(risk.matrix_id).version.to_string()),
                ("new", matrices.active.version.to_string()),
            ],
        )
    });
    let status = if forms.action_errors.is_empty() && forms.acceptance_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        t: tr,
        layout: Layout::load(state, "risks", &format!("/risks/{id}"), Some(&signed.0)).await,
        saved: forms.saved,
        facts: risk_facts(ctx, &matrices, &risk),
        older_note,
        actions: action_views(ctx, detail.actions, today_date),
        acceptances: acceptance_views(ctx, acting, detail.acceptances, today_date),
        needs_review,
        may_edit: acting.may(Register::Risks, Act::Edit),
        owners: owner_choices(&register::owners(&state.app, acting).await?),
        action_form: forms.action_form,
        action_errors: forms.action_errors,
        acceptance_form: forms.acceptance_form,
        acceptance_errors: forms.acceptance_errors,
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
    state
        .app
        .permit(&signed.0.acting, Register::Risks, Act::Read, "risks.show")
        .await?;
    let forms = ShowForms {
        saved: query.saved.is_some(),
        ..ShowForms::default()
    };
    render_show(&state, &ctx, &signed, parse_id(&id)?, forms).await
}

// ---------------------------------------------------------------- treatment actions

pub async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(form): WebForm<ActionForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.add_action",
        )
        .await?;
    let id = parse_id(&id)?;
    match treatment::add_action(&state.app, &signed.0.acting, id, &form).await {
        Ok(_) => Ok(see_other(&format!("/risks/{id}#actions"))),
        Err(failure) => {
            let action_errors = field_errors(&problems_of(failure)?, &ctx.tr);
            let forms = ShowForms {
                action_form: form,
                action_errors,
                ..ShowForms::default()
            };
            render_show(&state, &ctx, &signed, id, forms).await
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
    WebForm(form): WebForm<CompleteForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.complete_action",
        )
        .await?;
    let (id, action_id) = (parse_id(&id)?, parse_id(&action_id)?);
    treatment::complete_action(&state.app, &signed.0.acting, id, action_id, &form.done_on).await?;
    Ok(see_other(&format!("/risks/{id}#actions")))
}

// ---------------------------------------------------------------- acceptances

pub async fn propose_acceptance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(form): WebForm<AcceptanceForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.propose_acceptance",
        )
        .await?;
    let id = parse_id(&id)?;
    match treatment::propose_acceptance(&state.app, &signed.0.acting, id, &form).await {
        Ok(_) => Ok(see_other(&format!("/risks/{id}#acceptances"))),
        Err(failure) => {
            let acceptance_errors = field_errors(&problems_of(failure)?, &ctx.tr);
            let forms = ShowForms {
                acceptance_form: form,
                acceptance_errors,
                ..ShowForms::default()
            };
            render_show(&state, &ctx, &signed, id, forms).await
        }
    }
}

/// A refused decision says why: not the CISO, or their own proposal.
pub fn decision_refused(acting: &mamori_app::Acting, failure: mamori_app::Failure) -> AppError {
    let denied = matches!(failure, mamori_app::Failure::Denied { .. });
    let mut error = AppError::from(failure);
    if denied {
        error.message_key = if acting.may(Register::Risks, Act::Decide) {
            "risk.register_error.own_proposal"
        } else {
            "risk.register_error.not_ciso"
        };
    }
    error
}

/// The CISO's decision on a proposed acceptance (`treatment::decide_acceptance`).
pub async fn decide_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, acceptance_id)): Path<(String, String)>,
    WebForm(form): WebForm<crate::pages::DecisionForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Risks,
            Act::Decide,
            "risks.decide_acceptance",
        )
        .await
        .map_err(|f| decision_refused(acting, f))?;
    let (id, acceptance_id) = (parse_id(&id)?, parse_id(&acceptance_id)?);
    let (accept, note) = form.read()?;
    treatment::decide_acceptance(&state.app, acting, id, acceptance_id, accept, &note)
        .await
        .map_err(|f| decision_refused(acting, f))?;
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
        risk.review_due.map(|d| d.to_string()).unwrap_or_default(),
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
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Read, "risks.export")
        .await?;
    // Read after the access check, so that a refused caller gets 403 whatever they sent.
    let params: ListParams = serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "error.malformed_query",
        )
        .with("detail", e)
    })?;
    let active = matrices::active_matrix(&state.app, acting, "risks.export").await?;
    let filter = params.filter(&active.matrix)?;
    let risks: Vec<RiskRecord> = register::list_risks(&state.app, acting, "risks.export")
        .await?
        .into_iter()
        .filter(|r| filter.matches(r))
        .rev()
        .collect();
    let matrices =
        matrices::matrices(&state.app, acting, risks.iter().map(|r| r.matrix_id)).await?;
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
    register::record_export(&state.app, acting, code, count, &params.query()).await?;
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
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
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
    fn the_asset_cell_names_assets_then_the_group() {
        assert_eq!(
            assets_text(&record(0, 0, None)),
            "会議録、議員用タブレット全台"
        );
    }
}
