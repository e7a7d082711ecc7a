//! Frozen risk analyses over the API: list, read, freeze.

use super::*;

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
    #[schema(value_type = Option<crate::api::codes::RiskTreatment>)]
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

pub(super) fn summary(a: Analysis) -> AnalysisOut {
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
    let analyses = app_analyses::list_analyses(&state.app, &signed.0.acting).await?;
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
    let a = app_analyses::analysis(&state.app, &signed.0.acting, id, "risks.analysis").await?;
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
    let input: FreezeIn = read_json(request).await?;
    let acting = &signed.0.acting;
    let form = FreezeForm {
        title: input.title,
        analysed_on: input.analysed_on,
    };
    let id = app_analyses::freeze_analysis(&state.app, acting, &form).await?;
    let a = app_analyses::analysis(&state.app, acting, id, "risks.analysis").await?;
    Ok(created(detail(a), &format!("/api/v1/risk-analyses/{id}")))
}

pub(super) fn detail(a: Analysis) -> AnalysisDetail {
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
