//! The risk register and frozen risk analyses over the API: the same filters, checks and
//! visibility of assets as the pages (`pages::risks`, `pages::risk_analyses`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::risks::{
    AcceptanceForm, ActionForm, Analysis, FreezeForm, Matrices, RiskForm, RiskRecord, analyses,
    date_text, matrices, register, timestamp_text, treatment,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Matrix, Score};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::pagination::{Page, PageQuery};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::forms::parse_id;
use crate::pages::risks::ListParams;
use crate::state::AppState;

/// A likelihood and an impact as the matrix names them, with the level they give.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentOut {
    /// Position on the likelihood scale, lowest first (0-based).
    pub likelihood: usize,
    #[schema(example = "高")]
    pub likelihood_name: String,
    /// Position on the impact scale, lowest first (0-based).
    pub impact: usize,
    #[schema(example = "大")]
    pub impact_name: String,
    /// Position of the level, least serious first (0-based).
    pub level: usize,
    #[schema(example = "高")]
    pub level_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskAssetOut {
    pub id: i64,
    pub name: String,
}

/// A risk of the register. Assets the caller may not know of are left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskOut {
    pub id: i64,
    pub title: String,
    pub threat_id: i64,
    pub threat: String,
    /// `intentional`, `unintentional`, `disaster`, `pandemic` or `infrastructure`
    /// (clause 3(1)–(5)).
    pub threat_family: String,
    pub assets: Vec<RiskAssetOut>,
    /// A group of assets named in words, e.g. 議員用タブレット全台.
    pub asset_group: String,
    pub existing_measures: String,
    /// The version of the matrix the risk was scored with.
    pub matrix_version: i64,
    pub inherent: AssessmentOut,
    /// `reduce` (低減), `avoid` (回避), `transfer` (移転), `accept` (受容), or null.
    pub treatment: Option<String>,
    pub residual: Option<AssessmentOut>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// ISO 8601 date.
    pub review_due: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn assessment(matrices: &Matrices, matrix_id: i64, score: Score, level: usize) -> AssessmentOut {
    AssessmentOut {
        likelihood: score.likelihood,
        likelihood_name: matrices.likelihood_name(matrix_id, score.likelihood),
        impact: score.impact,
        impact_name: matrices.impact_name(matrix_id, score.impact),
        level,
        level_name: matrices.level_name(matrix_id, level),
    }
}

fn out(matrices: &Matrices, r: RiskRecord) -> RiskOut {
    let m = r.matrix_id;
    RiskOut {
        id: r.id,
        threat_id: r.threat_id,
        threat_family: r.threat_family.as_str().to_owned(),
        assets: r
            .assets
            .into_iter()
            .map(|(id, name)| RiskAssetOut { id, name })
            .collect(),
        matrix_version: matrices.of(m).version,
        inherent: assessment(matrices, m, r.inherent, r.inherent_level),
        treatment: r.treatment.map(|t| t.as_str().to_owned()),
        residual: r
            .residual
            .zip(r.residual_level)
            .map(|(s, l)| assessment(matrices, m, s, l)),
        title: r.title,
        threat: r.threat_name,
        asset_group: r.asset_group,
        existing_measures: r.existing_measures,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        review_due: r.review_due.map(date_text),
        created_at: timestamp_text(r.created_at),
        updated_at: timestamp_text(r.updated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RiskPage {
    pub items: Vec<RiskOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists the register, newest first, with the filters of the register page (threat
/// family, level, treatment, a cell of the heat map).
#[utoipa::path(get, path = "/api/v1/risks", tag = "risks", params(ListParams, PageQuery),
    responses((status = 200, body = RiskPage), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_risks(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(filters): ApiQuery<ListParams>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<RiskPage>, AppError> {
    let acting = &signed.0.acting;
    let all = register::list_risks(&state.app, acting, "risks.list").await?;
    let matrices = matrices::matrices(&state.app, acting, all.iter().map(|r| r.matrix_id)).await?;
    let filter = filters.filter(&matrices.active.matrix)?;
    let request = paging.parse()?;
    let risks: Vec<RiskRecord> = all.into_iter().filter(|r| filter.matches(r)).collect();
    let page = Page::of(risks, request);
    Ok(Json(RiskPage {
        items: page.items.into_iter().map(|r| out(&matrices, r)).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One risk.
#[utoipa::path(get, path = "/api/v1/risks/{id}", tag = "risks",
    params(("id" = i64, Path)),
    responses((status = 200, body = RiskOut), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_risk(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<RiskOut>, AppError> {
    Ok(Json(risk_out(&state, &signed, parse_id(&id)?).await?))
}

/// A step of a scale: its position (a number, lowest first, 0-based) or its name as
/// the active matrix spells it (a string, e.g. "高").
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScaleIn {
    Position(u64),
    Name(String),
}

impl ScaleIn {
    /// The position as the form would send it; a name not on the scale becomes a value
    /// the check refuses.
    fn position(&self, names: &[String]) -> String {
        match self {
            ScaleIn::Position(p) => p.to_string(),
            ScaleIn::Name(name) => names
                .iter()
                .position(|n| n == name.trim())
                .map(|p| p.to_string())
                .unwrap_or_else(|| "unknown".to_owned()),
        }
    }
}

/// A new risk, scored with the active matrix. Likelihood and impact are each a
/// position on the scale (number, 0-based, lowest first) or the step's name (string).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskIn {
    #[schema(example = "議員用タブレットの紛失による会議資料の漏えい")]
    pub title: String,
    /// A threat of the catalogue that is not retired.
    pub threat_id: i64,
    /// Ids of assets the caller may see.
    #[serde(default)]
    pub asset_ids: Vec<i64>,
    /// A group of assets in words; needed when `asset_ids` is empty.
    #[serde(default)]
    #[schema(example = "議員用タブレット全台")]
    pub asset_group: String,
    #[serde(default)]
    pub existing_measures: String,
    #[schema(example = "高")]
    pub likelihood: ScaleIn,
    #[schema(example = 2)]
    pub impact: ScaleIn,
    /// `reduce`, `avoid`, `transfer` or `accept`; required when the level is above
    /// tolerance.
    #[serde(default)]
    pub treatment: Option<String>,
    #[serde(default)]
    pub residual_likelihood: Option<ScaleIn>,
    #[serde(default)]
    pub residual_impact: Option<ScaleIn>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// ISO 8601 or 和暦 (令和8年4月1日).
    #[serde(default)]
    pub review_due: Option<String>,
}

impl RiskIn {
    fn form(&self, matrix: &Matrix) -> RiskForm {
        RiskForm {
            title: self.title.clone(),
            threat: self.threat_id.to_string(),
            asset_ids: self.asset_ids.iter().map(|id| id.to_string()).collect(),
            asset_ids_text: String::new(),
            asset_group: self.asset_group.clone(),
            existing_measures: self.existing_measures.clone(),
            inherent_likelihood: self.likelihood.position(&matrix.likelihood),
            inherent_impact: self.impact.position(&matrix.impact),
            treatment: self.treatment.clone().unwrap_or_default(),
            residual_likelihood: self
                .residual_likelihood
                .as_ref()
                .map(|s| s.position(&matrix.likelihood))
                .unwrap_or_default(),
            residual_impact: self
                .residual_impact
                .as_ref()
                .map(|s| s.position(&matrix.impact))
                .unwrap_or_default(),
            owner: self.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            review_due: self.review_due.clone().unwrap_or_default(),
        }
    }
}

/// One risk as the API shows it.
async fn risk_out(state: &AppState, signed: &SignedIn, id: i64) -> Result<RiskOut, AppError> {
    let acting = &signed.0.acting;
    let risk = register::risk(&state.app, acting, id, "risks.show").await?;
    let matrices = matrices::matrices(&state.app, acting, std::iter::once(risk.matrix_id)).await?;
    Ok(out(&matrices, risk))
}

/// The body is read only after the access check, so a refused caller gets 403.
async fn read_json<T: serde::de::DeserializeOwned>(
    state: &AppState,
    request: Request,
) -> Result<T, AppError> {
    let ApiJson(value) =
        <ApiJson<T> as axum::extract::FromRequest<AppState>>::from_request(request, state).await?;
    Ok(value)
}

async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Risks, Act::Edit, what)
        .await?;
    Ok(())
}

fn created(body: impl Serialize, location: &str) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Registers a risk. 422 `validation_failed` names every refused field in `fields` —
/// among them a risk above tolerance without a treatment.
#[utoipa::path(post, path = "/api/v1/risks", tag = "risks", request_body = RiskIn,
    responses((status = 201, body = RiskOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn create_risk(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.create").await?;
    let input: RiskIn = read_json(&state, request).await?;
    let acting = &signed.0.acting;
    let active = matrices::active_matrix(&state.app, acting, "risks.create").await?;
    let id = register::create_risk(&state.app, acting, &input.form(&active.matrix)).await?;
    let risk = risk_out(&state, &signed, id).await?;
    Ok(created(risk, &format!("/api/v1/risks/{id}")))
}

/// Changes to a risk: only the fields given change. Reassessing scores the risk with
/// the active matrix, whatever version it had.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPatch {
    pub title: Option<String>,
    pub threat_id: Option<i64>,
    pub asset_ids: Option<Vec<i64>>,
    pub asset_group: Option<String>,
    pub existing_measures: Option<String>,
    pub likelihood: Option<ScaleIn>,
    pub impact: Option<ScaleIn>,
    /// `reduce`, `avoid`, `transfer`, `accept`, or "" for none.
    pub treatment: Option<String>,
    pub residual_likelihood: Option<ScaleIn>,
    pub residual_impact: Option<ScaleIn>,
    /// A user id; 0 for none.
    pub owner_id: Option<i64>,
    /// ISO 8601 or 和暦; "" for none.
    pub review_due: Option<String>,
}

impl RiskPatch {
    fn apply(self, form: &mut RiskForm, matrix: &Matrix) {
        let scale = |s: ScaleIn, names: &[String]| s.position(names);
        if let Some(v) = self.title {
            form.title = v;
        }
        if let Some(v) = self.threat_id {
            form.threat = v.to_string();
        }
        if let Some(v) = self.asset_ids {
            form.asset_ids = v.iter().map(|id| id.to_string()).collect();
        }
        if let Some(v) = self.asset_group {
            form.asset_group = v;
        }
        if let Some(v) = self.existing_measures {
            form.existing_measures = v;
        }
        if let Some(v) = self.likelihood {
            form.inherent_likelihood = scale(v, &matrix.likelihood);
        }
        if let Some(v) = self.impact {
            form.inherent_impact = scale(v, &matrix.impact);
        }
        if let Some(v) = self.treatment {
            form.treatment = v;
        }
        if let Some(v) = self.residual_likelihood {
            form.residual_likelihood = scale(v, &matrix.likelihood);
        }
        if let Some(v) = self.residual_impact {
            form.residual_impact = scale(v, &matrix.impact);
        }
        if let Some(v) = self.owner_id {
            form.owner = if v == 0 { String::new() } else { v.to_string() };
        }
        if let Some(v) = self.review_due {
            form.review_due = v;
        }
    }
}

/// Reassesses a risk (the security officer): the same checks as the form.
#[utoipa::path(patch, path = "/api/v1/risks/{id}", tag = "risks", request_body = RiskPatch,
    params(("id" = i64, Path)),
    responses((status = 200, body = RiskOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn update_risk(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<RiskOut>, AppError> {
    permit_edit(&state, &signed, "risks.update").await?;
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let before = register::risk(&state.app, acting, id, "risks.update").await?;
    let patch: RiskPatch = read_json(&state, request).await?;
    let active = matrices::active_matrix(&state.app, acting, "risks.update").await?;
    let mut form = register::form_of(&before, &active.matrix);
    patch.apply(&mut form, &active.matrix);
    register::update_risk(&state.app, acting, id, &form).await?;
    Ok(Json(risk_out(&state, &signed, id).await?))
}

/// A treatment action of a risk.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: i64,
    pub risk_id: i64,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// ISO 8601 date.
    pub due_on: String,
    /// ISO 8601 date, once done.
    pub done_on: Option<String>,
}

/// A new treatment action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    #[schema(example = "紛失時の連絡手順を周知する")]
    pub description: String,
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// ISO 8601 or 和暦.
    #[schema(example = "2026-06-30")]
    pub due_on: String,
}

async fn action_out(
    state: &AppState,
    signed: &SignedIn,
    risk_id: i64,
    action_id: i64,
) -> Result<ActionOut, AppError> {
    let detail = register::show_risk(&state.app, &signed.0.acting, risk_id).await?;
    let a = detail
        .actions
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or_else(AppError::not_found)?;
    Ok(ActionOut {
        id: a.id,
        risk_id: a.risk_id,
        description: a.description,
        owner_id: a.owner_id,
        owner_name: a.owner_name,
        due_on: date_text(a.due_on),
        done_on: a.done_on.map(date_text),
    })
}

/// Adds a treatment action to a risk (the security officer).
#[utoipa::path(post, path = "/api/v1/risks/{id}/actions", tag = "risks", request_body = ActionIn,
    params(("id" = i64, Path)),
    responses((status = 201, body = ActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.add_action").await?;
    let id = parse_id(&id)?;
    let input: ActionIn = read_json(&state, request).await?;
    let form = ActionForm {
        description: input.description,
        owner: input.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        due_on: input.due_on,
    };
    let action = treatment::add_action(&state.app, &signed.0.acting, id, &form).await?;
    let body = action_out(&state, &signed, id, action).await?;
    Ok(created(body, &format!("/api/v1/risks/{id}")))
}

/// When an action was done.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteIn {
    /// ISO 8601 or 和暦; today when absent.
    #[serde(default)]
    pub done_on: Option<String>,
}

/// Marks an action done. 409 `already_done` when it already was.
#[utoipa::path(post, path = "/api/v1/risks/{id}/actions/{aid}/complete", tag = "risks",
    request_body = CompleteIn, params(("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, body = ActionOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn complete_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, aid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<ActionOut>, AppError> {
    permit_edit(&state, &signed, "risks.complete_action").await?;
    let (id, aid) = (parse_id(&id)?, parse_id(&aid)?);
    let input: CompleteIn = read_json(&state, request).await?;
    let done_on = input.done_on.unwrap_or_default();
    treatment::complete_action(&state.app, &signed.0.acting, id, aid, &done_on).await?;
    Ok(Json(action_out(&state, &signed, id, aid).await?))
}

/// An acceptance of a risk: proposed with a reason and an expiry, decided by the CISO.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceOut {
    pub id: i64,
    pub risk_id: i64,
    pub reason: String,
    /// ISO 8601 date.
    pub expires_on: String,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub created_at: String,
}

impl From<mamori_app::risks::Acceptance> for AcceptanceOut {
    fn from(a: mamori_app::risks::Acceptance) -> AcceptanceOut {
        AcceptanceOut {
            id: a.id,
            risk_id: a.risk_id,
            reason: a.reason,
            expires_on: date_text(a.expires_on),
            status: a.status.as_str().to_owned(),
            proposed_by: a.proposed_by,
            proposed_by_name: a.proposed_by_name,
            decided_by_name: a.decided_by_name,
            decided_at: a.decided_at.map(timestamp_text),
            decision_note: a.decision_note,
            created_at: timestamp_text(a.created_at),
        }
    }
}

async fn acceptance_out(
    state: &AppState,
    signed: &SignedIn,
    risk_id: i64,
    acceptance_id: i64,
) -> Result<AcceptanceOut, AppError> {
    let detail = register::show_risk(&state.app, &signed.0.acting, risk_id).await?;
    detail
        .acceptances
        .into_iter()
        .find(|a| a.id == acceptance_id)
        .map(AcceptanceOut::from)
        .ok_or_else(AppError::not_found)
}

/// A proposal to accept a risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceIn {
    #[schema(example = "予算措置が決まるまで運用で対応する")]
    pub reason: String,
    /// ISO 8601 or 和暦; after today.
    #[schema(example = "2027-03-31")]
    pub expires_on: String,
}

/// Proposes to accept a risk (the security officer); the CISO decides.
#[utoipa::path(post, path = "/api/v1/risks/{id}/acceptances", tag = "risks",
    request_body = AcceptanceIn, params(("id" = i64, Path)),
    responses((status = 201, body = AcceptanceOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn propose_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.propose_acceptance").await?;
    let id = parse_id(&id)?;
    let input: AcceptanceIn = read_json(&state, request).await?;
    let form = AcceptanceForm {
        reason: input.reason,
        expires_on: input.expires_on,
    };
    let acceptance = treatment::propose_acceptance(&state.app, &signed.0.acting, id, &form).await?;
    let body = acceptance_out(&state, &signed, id, acceptance).await?;
    Ok(created(body, &format!("/api/v1/risks/{id}")))
}

/// The CISO's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `approve` or `reject`.
    #[schema(example = "approve")]
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Decides a proposed acceptance: only someone holding the CISO post, never the person
/// who proposed it (403, recorded). 409 `already_decided` when it was decided already.
#[utoipa::path(post, path = "/api/v1/risks/{id}/acceptances/{aid}/decision", tag = "risks",
    request_body = DecisionIn, params(("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, body = AcceptanceOut), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn decide_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, aid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<AcceptanceOut>, AppError> {
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
        .map_err(|f| crate::pages::risks::decision_refused(acting, f))?;
    let (id, aid) = (parse_id(&id)?, parse_id(&aid)?);
    let input: DecisionIn = read_json(&state, request).await?;
    let form = crate::pages::DecisionForm {
        decision: input.decision,
        note: input.note,
    };
    let (accept, note) = form.read()?;
    treatment::decide_acceptance(&state.app, acting, id, aid, accept, &note)
        .await
        .map_err(|f| crate::pages::risks::decision_refused(acting, f))?;
    Ok(Json(acceptance_out(&state, &signed, id, aid).await?))
}

// ---------------------------------------------------------------- analyses

/// A frozen risk analysis (clause 8), without its risks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisOut {
    pub id: i64,
    pub title: String,
    /// ISO 8601 date.
    pub analysed_on: String,
    pub risk_count: usize,
    pub created_at: String,
}

/// One risk as the analysis froze it; levels by position (least serious first) and name
/// in the matrix version it was scored with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotRiskOut {
    pub id: i64,
    pub title: String,
    pub threat: String,
    pub matrix_version: i64,
    pub likelihood: usize,
    pub impact: usize,
    pub level: usize,
    pub level_name: String,
    pub treatment: Option<String>,
    pub residual_likelihood: Option<usize>,
    pub residual_impact: Option<usize>,
    pub residual_level: Option<usize>,
    pub residual_level_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisDetail {
    pub id: i64,
    pub title: String,
    pub analysed_on: String,
    pub created_at: String,
    pub risks: Vec<SnapshotRiskOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AnalysisPage {
    pub items: Vec<AnalysisOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

fn summary(a: Analysis) -> AnalysisOut {
    AnalysisOut {
        id: a.id,
        risk_count: a.risks.len(),
        title: a.title,
        analysed_on: date_text(a.analysed_on),
        created_at: timestamp_text(a.created_at),
    }
}

/// Frozen risk analyses, latest analysis date first.
#[utoipa::path(get, path = "/api/v1/risk-analyses", tag = "risks", params(PageQuery),
    responses((status = 200, body = AnalysisPage), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_analyses(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<AnalysisPage>, AppError> {
    let analyses = analyses::list_analyses(&state.app, &signed.0.acting).await?;
    let request = query.parse()?;
    let page = Page::of(analyses, request);
    Ok(Json(AnalysisPage {
        items: page.items.into_iter().map(summary).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One frozen analysis with every risk as it stood.
#[utoipa::path(get, path = "/api/v1/risk-analyses/{id}", tag = "risks",
    params(("id" = i64, Path)),
    responses((status = 200, body = AnalysisDetail), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_analysis(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AnalysisDetail>, AppError> {
    let id = parse_id(&id)?;
    let a = analyses::analysis(&state.app, &signed.0.acting, id, "risks.analysis").await?;
    Ok(Json(detail(a)))
}

/// A new frozen analysis.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeIn {
    #[schema(example = "令和8年度 リスク分析")]
    pub title: String,
    /// ISO 8601 or 和暦.
    #[schema(example = "2026-04-01")]
    pub analysed_on: String,
}

/// Freezes the whole register as it stands into a dated analysis (the security
/// officer).
#[utoipa::path(post, path = "/api/v1/risk-analyses", tag = "risks", request_body = FreezeIn,
    responses((status = 201, body = AnalysisDetail), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn freeze_analysis(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "risks.freeze").await?;
    let input: FreezeIn = read_json(&state, request).await?;
    let acting = &signed.0.acting;
    let form = FreezeForm {
        title: input.title,
        analysed_on: input.analysed_on,
    };
    let id = analyses::freeze_analysis(&state.app, acting, &form).await?;
    let a = analyses::analysis(&state.app, acting, id, "risks.analysis").await?;
    Ok(created(detail(a), &format!("/api/v1/risk-analyses/{id}")))
}

fn detail(a: Analysis) -> AnalysisDetail {
    AnalysisDetail {
        id: a.id,
        title: a.title,
        analysed_on: date_text(a.analysed_on),
        created_at: timestamp_text(a.created_at),
        risks: a
            .risks
            .into_iter()
            .map(|r| SnapshotRiskOut {
                id: r.id,
                title: r.title,
                threat: r.threat,
                matrix_version: r.matrix_version,
                likelihood: r.inherent.likelihood,
                impact: r.inherent.impact,
                level: r.inherent_level,
                level_name: r.inherent_level_name,
                treatment: r.treatment.map(|t| t.as_str().to_owned()),
                residual_likelihood: r.residual.map(|s| s.likelihood),
                residual_impact: r.residual.map(|s| s.impact),
                residual_level: r.residual_level,
                residual_level_name: r.residual_level_name,
            })
            .collect(),
    }
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_risks,
        get_risk,
        create_risk,
        update_risk,
        add_action,
        complete_action,
        propose_acceptance,
        decide_acceptance,
        list_analyses,
        get_analysis,
        freeze_analysis
    ),
    components(schemas(
        RiskOut,
        RiskPage,
        RiskIn,
        ScaleIn,
        AssessmentOut,
        RiskAssetOut,
        AnalysisOut,
        AnalysisPage,
        AnalysisDetail,
        SnapshotRiskOut,
        RiskPatch,
        ActionIn,
        ActionOut,
        CompleteIn,
        AcceptanceIn,
        AcceptanceOut,
        DecisionIn,
        FreezeIn
    ))
)]
pub struct Doc;
