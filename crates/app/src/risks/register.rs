//! The register itself: list, read, register and reassess a risk. The input is checked
//! by the domain (`risk_input`) against facts read here first: the catalogue, the assets
//! the person may see, whether the owner is an active user.

use mamori_domain::access::{Act, Register};
use mamori_domain::risk_input::{RiskFacts, RiskForm, ThreatFact};
use mamori_store::StoreError;
use mamori_store::assets::{self as store_assets, Viewer};
use mamori_store::risks::{self as store, Acceptance, Action, RiskRecord, StoredMatrix, Threat};
pub use mamori_store::users::User;

use crate::{Acting, App, Outcome};

/// The whole register, newest first, with the assets the person may see.
pub async fn list_risks(app: &App, acting: &Acting, what: &str) -> Outcome<Vec<RiskRecord>> {
    app.permit(acting, Register::Risks, Act::Read, what).await?;
    Ok(store::risks(app.store(), acting.viewer()).await?)
}

/// One risk.
pub async fn risk(app: &App, acting: &Acting, id: i64, what: &str) -> Outcome<RiskRecord> {
    app.permit(acting, Register::Risks, Act::Read, what).await?;
    Ok(store::risk(app.store(), acting.viewer(), id).await?)
}

/// One risk with its actions and acceptances.
pub struct RiskDetail {
    pub risk: RiskRecord,
    pub actions: Vec<Action>,
    pub acceptances: Vec<Acceptance>,
}

pub async fn show_risk(app: &App, acting: &Acting, id: i64) -> Outcome<RiskDetail> {
    let risk = risk(app, acting, id, "risks.show").await?;
    Ok(RiskDetail {
        actions: store::actions(app.store(), id).await?,
        acceptances: store::acceptances(app.store(), id).await?,
        risk,
    })
}

/// What the risk form offers: the catalogue, the assets to choose from (capped), the
/// active users as owners, the active matrix.
pub struct FormOptions {
    pub threats: Vec<Threat>,
    pub assets: Vec<(i64, String)>,
    /// More assets exist than are offered: the rest are typed by number.
    pub assets_capped: bool,
    pub owners: Vec<User>,
    pub matrix: StoredMatrix,
}

/// How many assets the form's select offers.
pub const ASSET_CHOICES: i64 = 300;

pub async fn form_options(app: &App, acting: &Acting, what: &str) -> Outcome<FormOptions> {
    app.permit(acting, Register::Risks, Act::Edit, what).await?;
    let page = store_assets::list(
        app.store(),
        acting.viewer(),
        &store_assets::Filter::default(),
        store_assets::Sort::Name,
        0,
        ASSET_CHOICES,
    )
    .await?;
    Ok(FormOptions {
        threats: store::threats(app.store()).await?,
        assets_capped: page.total > ASSET_CHOICES,
        assets: page.assets.iter().map(|a| (a.id, a.name.clone())).collect(),
        owners: active_users(app).await?,
        matrix: store::active_matrix(app.store()).await?,
    })
}

pub(crate) async fn active_users(app: &App) -> Outcome<Vec<User>> {
    let (users, _) = mamori_store::users::list_summaries(app.store(), 100_000, 0).await?;
    Ok(users
        .into_iter()
        .filter(|s| s.user.active)
        .map(|s| s.user)
        .collect())
}

/// Whether `id` is an active user (an owner of a risk or an action).
pub(crate) async fn is_active_user(app: &App, id: Option<i64>) -> Outcome<bool> {
    let Some(id) = id else { return Ok(false) };
    match mamori_store::users::get(app.store(), id).await {
        Ok(user) => Ok(user.active),
        Err(StoreError::NotFound) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// Of `ids`, the assets that exist and `viewer` may see.
async fn visible_assets(app: &App, viewer: Viewer, ids: &[i64]) -> Outcome<Vec<i64>> {
    let mut visible = Vec::new();
    if ids.len() > mamori_domain::risk_input::MAX_ASSETS {
        return Ok(visible);
    }
    for id in ids {
        match store_assets::get(app.store(), viewer, *id).await {
            Ok(_) => visible.push(*id),
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(visible)
}

/// Reads what the check needs and checks `form` against the active matrix.
async fn check(
    app: &App,
    acting: &Acting,
    form: &RiskForm,
    current_threat: Option<i64>,
) -> Outcome<(mamori_domain::risk_input::RiskInput, StoredMatrix)> {
    let matrix = store::active_matrix(app.store()).await?;
    let threats: Vec<ThreatFact> = store::threats(app.store())
        .await?
        .iter()
        .map(|t| ThreatFact {
            id: t.id,
            retired: t.retired_at.is_some(),
        })
        .collect();
    let visible = visible_assets(app, acting.viewer(), &form.named_assets()).await?;
    let facts = RiskFacts {
        matrix: &matrix.matrix,
        threats: &threats,
        visible_assets: &visible,
        owner_active: is_active_user(app, form.named_owner()).await?,
        current_threat,
    };
    Ok((form.check(&facts)?, matrix))
}

/// Registers a risk scored with the active matrix; its id.
pub async fn create_risk(app: &App, acting: &Acting, form: &RiskForm) -> Outcome<i64> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risks.create")
        .await?;
    let (input, matrix) = check(app, acting, form, None).await?;
    confirm_review_due(form, input.review_due, None)?;
    let mut tx = permit.write(app).await?;
    let id = store::create_risk(&mut tx, &input, &matrix).await?;
    tx.commit().await?;
    Ok(id)
}

/// A review date is ahead: a new one already past is kept only when confirmed; one left
/// as stored is not asked about again.
fn confirm_review_due(
    form: &RiskForm,
    new: Option<time::Date>,
    stored: Option<time::Date>,
) -> Outcome<()> {
    if new == stored {
        return Ok(());
    }
    crate::confirm_future_dates(form.confirm_past_dates, &[("review_due", &form.review_due)])
}

/// A new risk as typed, checked as [`create_risk`] checks it, for a use case that writes
/// it with more in one transaction (a risk opened from an incident).
pub(crate) async fn checked_new(
    app: &App,
    acting: &Acting,
    form: &RiskForm,
) -> Outcome<(mamori_domain::risk_input::RiskInput, StoredMatrix)> {
    let (input, matrix) = check(app, acting, form, None).await?;
    confirm_review_due(form, input.review_due, None)?;
    Ok((input, matrix))
}

/// Reassesses a risk: scored with the active matrix, whatever version it had. The
/// threat it already names stays allowed once retired.
pub async fn update_risk(app: &App, acting: &Acting, id: i64, form: &RiskForm) -> Outcome<()> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risks.update")
        .await?;
    let before = store::risk(app.store(), acting.viewer(), id).await?;
    let (input, matrix) = check(app, acting, form, Some(before.threat_id)).await?;
    confirm_review_due(form, input.review_due, before.review_due)?;
    let mut tx = permit.write(app).await?;
    store::update_risk(&mut tx, id, &input, &matrix).await?;
    tx.commit().await?;
    Ok(())
}

/// A risk as the form shows it for reassessment. Steps outside the active matrix's
/// scales are left for the person to choose again.
pub fn form_of(risk: &RiskRecord, active: &mamori_domain::risk::Matrix) -> RiskForm {
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
        review_due: risk.review_due.map(|d| d.to_string()).unwrap_or_default(),
        confirm_past_dates: false,
    }
}

/// Active users, offered as owners of a risk's actions to those who read the register.
pub async fn owners(app: &App, acting: &Acting) -> Outcome<Vec<User>> {
    app.permit(acting, Register::Risks, Act::Read, "risks.show")
        .await?;
    active_users(app).await
}

/// Records that the register was exported (`format`, how many risks, the filter).
pub async fn record_export(
    app: &App,
    acting: &Acting,
    format: &str,
    count: usize,
    filter: &str,
) -> Outcome<()> {
    let permit = app
        .permit(acting, Register::Risks, Act::Read, "risks.export")
        .await?;
    let mut tx = permit.write(app).await?;
    tx.audit(
        mamori_store::AuditEntry::new("risk.export", "risk")
            .change("format", None::<&str>, format)
            .change("count", None::<usize>, count)
            .change("filter", None::<&str>, filter),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
