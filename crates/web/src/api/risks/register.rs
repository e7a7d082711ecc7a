//! The register over the API: list (with the page's filters), read, register and
//! reassess a risk.

use super::*;

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
    #[schema(value_type = crate::api::codes::ThreatFamily)]
    pub threat_family: String,
    pub assets: Vec<RiskAssetOut>,
    /// A group of assets named in words, e.g. 議員用タブレット全台.
    pub asset_group: String,
    pub existing_measures: String,
    /// The version of the matrix the risk was scored with.
    pub matrix_version: i64,
    pub inherent: AssessmentOut,
    /// `reduce` (低減), `avoid` (回避), `transfer` (移転), `accept` (受容), or null.
    #[schema(value_type = Option<crate::api::codes::RiskTreatment>)]
    pub treatment: Option<String>,
    pub residual: Option<AssessmentOut>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// ISO 8601 date.
    pub review_due: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub(super) fn assessment(
    matrices: &Matrices,
    matrix_id: i64,
    score: Score,
    level: usize,
) -> AssessmentOut {
    AssessmentOut {
        likelihood: score.likelihood,
        likelihood_name: matrices.likelihood_name(matrix_id, score.likelihood),
        impact: score.impact,
        impact_name: matrices.impact_name(matrix_id, score.impact),
        level,
        level_name: matrices.level_name(matrix_id, level),
    }
}

pub(super) fn out(matrices: &Matrices, r: RiskRecord) -> RiskOut {
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
    let all = app_register::list_risks(&state.app, acting, "risks.list").await?;
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
    #[schema(value_type = Option<crate::api::codes::RiskTreatment>)]
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
    /// Keep a `review_due` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
    /// Open the risk from this incident (the caller handles it): the risk is linked to
    /// it in the same write.
    #[serde(default)]
    pub incident_id: Option<i64>,
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
            confirm_past_dates: self.confirm_past_dates,
        }
    }
}

/// One risk as the API shows it.
pub(super) async fn risk_out(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<RiskOut, AppError> {
    let acting = &signed.0.acting;
    let risk = app_register::risk(&state.app, acting, id, "risks.show").await?;
    let matrices = matrices::matrices(&state.app, acting, std::iter::once(risk.matrix_id)).await?;
    Ok(out(&matrices, risk))
}

pub(super) async fn permit_edit(
    state: &AppState,
    signed: &SignedIn,
    what: &str,
) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Risks, Act::Edit, what)
        .await?;
    Ok(())
}

pub(super) fn created(body: impl Serialize, location: &str) -> Response {
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
    let input: RiskIn = read_json(request).await?;
    let acting = &signed.0.acting;
    let active = matrices::active_matrix(&state.app, acting, "risks.create").await?;
    let form = input.form(&active.matrix);
    let id = match input.incident_id {
        Some(incident) => {
            mamori_app::incidents::links::open_risk(&state.app, acting, incident, &form).await?
        }
        None => app_register::create_risk(&state.app, acting, &form).await?,
    };
    let risk = risk_out(&state, &signed, id).await?;
    Ok(created(risk, &format!("/api/v1/risks/{id}")))
}

/// Changes to a risk: only the fields given change. Reassessing scores the risk with
/// the active matrix, whatever version it had.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "議員のUSBメモリ紛失による個人情報の漏えい", "likelihood": "中", "impact": "高", "treatment": "reduce"}))]
pub struct RiskPatch {
    pub title: Option<String>,
    pub threat_id: Option<i64>,
    pub asset_ids: Option<Vec<i64>>,
    pub asset_group: Option<String>,
    pub existing_measures: Option<String>,
    pub likelihood: Option<ScaleIn>,
    pub impact: Option<ScaleIn>,
    /// `reduce`, `avoid`, `transfer`, `accept`, or "" for none.
    #[schema(value_type = Option<crate::api::codes::RiskTreatment>)]
    pub treatment: Option<String>,
    pub residual_likelihood: Option<ScaleIn>,
    pub residual_impact: Option<ScaleIn>,
    /// A user id; 0 for none.
    pub owner_id: Option<i64>,
    /// ISO 8601 or 和暦; "" for none.
    pub review_due: Option<String>,
    /// Keep a changed `review_due` already past.
    #[serde(default)]
    pub confirm_past_dates: bool,
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
        form.confirm_past_dates = self.confirm_past_dates;
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
    let before = app_register::risk(&state.app, acting, id, "risks.update").await?;
    let patch: RiskPatch = read_json(request).await?;
    let active = matrices::active_matrix(&state.app, acting, "risks.update").await?;
    let mut form = app_register::form_of(&before, &active.matrix);
    patch.apply(&mut form, &active.matrix);
    app_register::update_risk(&state.app, acting, id, &form).await?;
    Ok(Json(risk_out(&state, &signed, id).await?))
}
