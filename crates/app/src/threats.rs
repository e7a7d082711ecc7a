//! The threat catalogue (clause 3): read with the risk register, kept by the security
//! officer. A threat is never deleted: retiring it keeps it, and every risk naming it,
//! on record; it can be brought back.

use mamori_domain::access::{Act, Register};
use mamori_domain::threat::{CheckedThreat, KnownThreat, ThreatForm, name_taken};
use mamori_store::StoreError;
use mamori_store::audit::{AuditFilter, AuditRecord};
use mamori_store::risks as store;

pub use mamori_store::risks::Threat;

use crate::{Acting, App, Failure, Outcome};

/// The catalogue by family, retired threats last within each family.
pub async fn list_threats(app: &App, acting: &Acting) -> Outcome<Vec<Threat>> {
    app.permit(acting, Register::Threats, Act::Read, "threats.view")
        .await?;
    Ok(store::threats(app.store()).await?)
}

pub async fn threat(app: &App, acting: &Acting, id: i64) -> Outcome<Threat> {
    app.permit(acting, Register::Threats, Act::Read, "threats.view")
        .await?;
    Ok(store::threat(app.store(), id).await?)
}

/// A threat to edit, for those who keep the catalogue.
pub async fn threat_to_edit(app: &App, acting: &Acting, id: i64) -> Outcome<Threat> {
    app.permit(acting, Register::Threats, Act::Edit, "threats.edit")
        .await?;
    Ok(store::threat(app.store(), id).await?)
}

/// The threat's entries in the audit trail, newest first (shown to those who keep the
/// catalogue, beside the threat).
pub async fn history(app: &App, acting: &Acting, id: i64) -> Outcome<Vec<AuditRecord>> {
    app.permit(acting, Register::Threats, Act::Edit, "threats.edit")
        .await?;
    let filter = AuditFilter {
        target_type: Some("threat".to_owned()),
        ..AuditFilter::default()
    };
    let (records, _) = mamori_store::audit::search(app.store(), &filter, 10_000, 0).await?;
    let wanted = id.to_string();
    Ok(records
        .into_iter()
        .filter(|r| r.target_id.as_deref() == Some(wanted.as_str()))
        .collect())
}

fn known(threats: &[Threat]) -> Vec<KnownThreat<'_>> {
    threats
        .iter()
        .map(|t| KnownThreat {
            id: t.id,
            family: t.family,
            name: &t.name,
            retired: t.retired_at.is_some(),
        })
        .collect()
}

/// Adds a threat to the catalogue; its id.
pub async fn create_threat(app: &App, acting: &Acting, form: &ThreatForm) -> Outcome<i64> {
    let permit = app
        .permit(acting, Register::Threats, Act::Edit, "threats.create")
        .await?;
    let checked = form.check()?;
    // Read before the write lock is taken: a write never waits on a second connection
    // of the pool while holding the lock.
    let all = store::threats(app.store()).await?;
    if let Some(problem) = name_taken(&known(&all), None, &checked) {
        return Err(Failure::invalid(problem));
    }
    let mut tx = permit.write(app).await?;
    let id =
        store::create_threat(&mut tx, checked.family, &checked.name, &checked.description).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a threat's fields; `false` when nothing changed.
pub async fn update_threat(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &ThreatForm,
) -> Outcome<bool> {
    let permit = app
        .permit(acting, Register::Threats, Act::Edit, "threats.update")
        .await?;
    let before = store::threat(app.store(), id).await?;
    let checked: CheckedThreat = form.check()?;
    if checked.family == before.family
        && checked.name == before.name
        && checked.description == before.description
    {
        return Ok(false);
    }
    let all = store::threats(app.store()).await?;
    if let Some(problem) = name_taken(&known(&all), Some(id), &checked) {
        return Err(Failure::invalid(problem));
    }
    let mut tx = permit.write(app).await?;
    store::update_threat(
        &mut tx,
        id,
        checked.family,
        &checked.name,
        &checked.description,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Retires a threat (`retired`) or brings it back; `false` when it already was so.
pub async fn set_retired(app: &App, acting: &Acting, id: i64, retired: bool) -> Outcome<bool> {
    let what = if retired {
        "threats.retire"
    } else {
        "threats.restore"
    };
    let permit = app
        .permit(acting, Register::Threats, Act::Edit, what)
        .await?;
    let before = store::threat(app.store(), id).await?;
    if before.retired_at.is_some() == retired {
        return Ok(false);
    }
    let mut tx = permit.write(app).await?;
    match store::set_retired(&mut tx, id, retired).await {
        Ok(()) => {}
        // Someone did the same a moment ago.
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(true)
}
