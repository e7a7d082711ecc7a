//! The risk register and frozen risk analyses over the API: the same filters, checks and
//! visibility of assets as the pages (`pages::risks`, `pages::risk_analyses`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::risk::{Matrix, Score};
use mamori_store::risks::{self as store_risks, Analysis, RiskRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::pagination::{Page, PageQuery};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::pages::assets::viewer;
use crate::pages::risks::{
    EDITORS, ListParams, Matrices, RiskForm, check_form, field_key, require_reader,
};
use crate::pages::users::parse_id;
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
        review_due: r.review_due,
        created_at: r.created_at,
        updated_at: r.updated_at,
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
    require_reader(&state, &signed, "risks.list").await?;
    let active = store_risks::active_matrix(&state.store).await?;
    let filter = filters.filter(&active.matrix)?;
    let request = paging.parse()?;
    let risks: Vec<RiskRecord> = store_risks::risks(&state.store, viewer(&signed))
        .await?
        .into_iter()
        .filter(|r| filter.matches(r))
        .collect();
    let matrices = Matrices::load(&state, risks.iter().map(|r| r.matrix_id)).await?;
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
    require_reader(&state, &signed, "risks.show").await?;
    let id = parse_id(&id)?;
    let risk = store_risks::risk(&state.store, viewer(&signed), id)
        .await
        .map_err(|e| match e {
            mamori_store::StoreError::NotFound => AppError::not_found(),
            other => other.into(),
        })?;
    let matrices = Matrices::load(&state, std::iter::once(risk.matrix_id)).await?;
    Ok(Json(out(&matrices, risk)))
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

/// Registers a risk. 422 `validation_failed` names every refused field — among them a
/// risk above tolerance without a treatment.
#[utoipa::path(post, path = "/api/v1/risks", tag = "risks", request_body = RiskIn,
    responses((status = 201, body = RiskOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn create_risk(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "risks.create").await?;
    let ApiJson(input) =
        <ApiJson<RiskIn> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let matrix = store_risks::active_matrix(&state.store).await?;
    let form = input.form(&matrix.matrix);
    match check_form(&state, viewer(&signed), &form, &matrix, None).await? {
        Ok(checked) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            let id = store_risks::create_risk(&mut tx, &checked, &matrix).await?;
            tx.commit().await?;
            let risk = store_risks::risk(&state.store, viewer(&signed), id).await?;
            let matrices = Matrices::load(&state, std::iter::once(risk.matrix_id)).await?;
            let mut response = (StatusCode::CREATED, Json(out(&matrices, risk))).into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/risks/{id}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        Err(problems) => {
            let tr = ctx.tr;
            let detail = problems
                .iter()
                .map(|p| format!("{}：{}", tr.t(field_key(p.field)), tr.f(p.key, &p.params)))
                .collect::<Vec<_>>()
                .join(" ");
            Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "risk.register_error.validation",
            )
            .with("detail", detail))
        }
    }
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
        analysed_on: a.analysed_on,
        created_at: a.created_at,
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
    require_reader(&state, &signed, "risks.analyses").await?;
    let request = query.parse()?;
    let analyses = store_risks::analyses(&state.store).await?;
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
    require_reader(&state, &signed, "risks.analysis").await?;
    let id = parse_id(&id)?;
    let a = store_risks::analysis(&state.store, id)
        .await
        .map_err(|e| match e {
            mamori_store::StoreError::NotFound => AppError::not_found(),
            other => other.into(),
        })?;
    Ok(Json(AnalysisDetail {
        id: a.id,
        title: a.title,
        analysed_on: a.analysed_on,
        created_at: a.created_at,
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
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_risks, get_risk, create_risk, list_analyses, get_analysis),
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
        SnapshotRiskOut
    ))
)]
pub struct Doc;
