//! The risk form: register a risk, reassess it (scored with the active matrix).

use super::*;
use crate::http::cite::Cite;

/// A URL-encoded body as name/value pairs (the asset select repeats its name).
pub(super) struct Fields(Vec<(String, String)>);

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
            confirm_past_dates: crate::http::forms::past_dates_confirmed(
                &fields.get("confirm_past_dates"),
            ),
        }
    }
}

/// Active users, for the owner selects.
pub(super) fn owner_choices(tr: &Tr, users: &[register::User]) -> Vec<Choice> {
    users
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: crate::http::labels::bracketed(tr, &u.display_name, &u.login),
        })
        .collect()
}

/// The threats of one family of clause 3, for an `<optgroup>`.
pub(super) struct ThreatGroup {
    family: String,
    threats: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "risks/form.html")]
pub(super) struct FormPage {
    t: Tr,
    layout: Layout,
    /// The risk being reassessed; None for a new one.
    id: Option<i64>,
    form: RiskForm,
    errors: Vec<FieldError>,
    asks_past: bool,
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
    /// The incident the risk is opened from: (id, "2026-003 title").
    incident: Option<(i64, String)>,
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

pub(super) fn band_key(band: Band) -> &'static str {
    match band {
        Band::Acceptable => "risk.band_acceptable",
        Band::Tolerable => "risk.band_tolerable",
        Band::Unacceptable => "risk.band_unacceptable",
    }
}

/// What the form page shows besides the form: the risk being reassessed, if any.
pub(super) struct FormView<'a> {
    id: Option<i64>,
    current: Option<&'a RiskRecord>,
    form: RiskForm,
    errors: Vec<FieldError>,
    /// A past review date was asked about: the box that keeps it is offered.
    asks_past: bool,
    /// Opened from an incident (its id), which the new risk is linked to.
    incident: Option<i64>,
}

pub(super) fn threat_groups(
    tr: &Tr,
    cite: &Cite,
    threats: &[Threat],
    current_threat: Option<i64>,
) -> Vec<ThreatGroup> {
    ThreatFamily::ALL
        .iter()
        .map(|family| ThreatGroup {
            family: format!(
                "{} {}",
                cite.label(tr, family.clause()),
                tr.t(family_key(*family))
            ),
            threats: threats
                .iter()
                .filter(|t| t.family == *family)
                .filter(|t| t.retired_at.is_none() || Some(t.id) == current_threat)
                .map(|t| Choice {
                    value: t.id.to_string(),
                    label: if t.retired_at.is_some() {
                        let name = t.shown_name(tr.lang).to_owned();
                        tr.f("risk.retired_threat", &[("name", name)])
                    } else {
                        t.shown_name(tr.lang).to_owned()
                    },
                })
                .collect(),
        })
        .filter(|g| !g.threats.is_empty())
        .collect()
}

/// Chosen assets beyond the capped select are carried in the typed field.
pub(super) fn carry_unlisted_assets(form: &mut RiskForm, assets: &[Choice]) {
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

pub(super) async fn render_form(
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
    let active = &matrices::for_reader(options.matrix.clone(), ctx.lang());
    let assets = asset_choices(&tr, &options.assets);
    let mut form = view.form;
    carry_unlisted_assets(&mut form, &assets);
    let matrix_note = matrix_note(state, acting, &tr, view.current, active).await?;
    let path = match view.id {
        Some(id) => format!("/risks/{id}/edit"),
        None => "/risks/new".to_owned(),
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = Layout::load(state, "risks", &path, Some(&signed.0)).await;
    let current_threat = view.current.map(|r| r.threat_id);
    let incident = match view.incident {
        Some(id) => Some((
            id,
            mamori_app::incidents::links::incident_name(&state.app, acting, id).await?,
        )),
        None => None,
    };
    let page = FormPage {
        t: tr,
        threats: threat_groups(&tr, &layout.cite, &options.threats, current_threat),
        layout,
        id: view.id,
        form,
        errors: view.errors,
        asks_past: view.asks_past,
        assets_capped: options.assets_capped,
        assets,
        likelihood: scale_choices(&active.matrix.likelihood),
        impact: scale_choices(&active.matrix.impact),
        treatments: treatment_choices(&tr),
        owners: owner_choices(&tr, &options.owners),
        lead: tr.f("risk.form_lead", &[("version", active.version.to_string())]),
        incident,
        matrix_note,
        bands: band_notes(&tr, &active.matrix),
    };
    render(status, &page)
}

fn asset_choices(tr: &Tr, assets: &[(i64, String)]) -> Vec<Choice> {
    assets
        .iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: crate::http::labels::bracketed(tr, name, &id.to_string()),
        })
        .collect()
}

/// 「高：許容できない」 for each level, beside the scales.
fn band_notes(tr: &Tr, matrix: &Matrix) -> Vec<String> {
    matrix
        .levels
        .iter()
        .map(|l| crate::http::labels::labelled(tr, &l.name, tr.t(band_key(l.band))))
        .collect()
}

/// A reassessed risk scored with an older matrix version says so.
async fn matrix_note(
    state: &AppState,
    acting: &mamori_app::Acting,
    tr: &Tr,
    current: Option<&RiskRecord>,
    active: &mamori_app::risks::StoredMatrix,
) -> Result<Option<String>, AppError> {
    let Some(r) = current.filter(|r| r.matrix_id != active.id) else {
        return Ok(None);
    };
    let matrices = matrices::matrices(&state.app, acting, std::iter::once(r.matrix_id)).await?;
    Ok(Some(tr.f(
        "risk.older_matrix_form",
        &[
            ("old", matrices.of(r.matrix_id).version.to_string()),
            ("new", active.version.to_string()),
        ],
    )))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    /// Open the risk from this incident: the form starts from it, and the risk is
    /// linked to it.
    incident: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    axum::extract::Query(query): axum::extract::Query<NewQuery>,
) -> Result<Response, AppError> {
    let incident = match query.incident.as_deref() {
        Some(id) => Some(crate::http::forms::parse_id(id)?),
        None => None,
    };
    let form = match incident {
        Some(id) => {
            mamori_app::incidents::links::risk_draft(&state.app, &signed.0.acting, id).await?
        }
        None => RiskForm::default(),
    };
    let view = FormView {
        id: None,
        current: None,
        form,
        errors: Vec::new(),
        asks_past: false,
        incident,
    };
    render_form(&state, &ctx, &signed, view).await
}

pub(super) use crate::http::forms::form_problems as problems_of;

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
    let fields = Fields::read(request, &state).await?;
    let form = fields.risk_form();
    let incident = match fields.get("incident").as_str() {
        "" => None,
        id => Some(crate::http::forms::parse_id(id)?),
    };
    let created = match incident {
        Some(incident) => {
            mamori_app::incidents::links::open_risk(&state.app, acting, incident, &form).await
        }
        None => register::create_risk(&state.app, acting, &form).await,
    };
    match created {
        Ok(id) => Ok(see_other(&format!("/risks/{id}?saved=1"))),
        Err(failure) => {
            let problems = problems_of(failure)?;
            let errors = crate::http::forms::field_errors(&problems, &ctx.tr, super::field_key);
            let view = FormView {
                id: None,
                current: None,
                form,
                errors,
                asks_past: crate::http::forms::asks_confirmation(&problems),
                incident,
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
        asks_past: false,
        incident: None,
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
            let problems = problems_of(failure)?;
            let errors = crate::http::forms::field_errors(&problems, &ctx.tr, super::field_key);
            let view = FormView {
                id: Some(id),
                current: Some(&risk),
                form,
                errors,
                asks_past: crate::http::forms::asks_confirmation(&problems),
                incident: None,
            };
            render_form(&state, &ctx, &signed, view).await
        }
    }
}
