//! The classification scheme (分類基準, clause 6(2)): reading every scheme and level,
//! switching the scheme in use while no asset is classified under another, and editing
//! a level's name, definition, take-out approval and handling rules.

use mamori_domain::access::{Act, Register};
use mamori_domain::classification::{Level, LevelInput, Scheme, check_level_input};
use mamori_store::StoreError;
use mamori_store::classification as store;
use mamori_store::classification::{ActivateRefusal, LevelEdit};

use crate::{Acting, App, Failure, Refusal};

/// The scheme assets are classified by now.
pub async fn active(app: &App, acting: &Acting) -> Result<Scheme, Failure> {
    app.permit(
        acting,
        Register::Classification,
        Act::Read,
        "classification.view",
    )
    .await?;
    Ok(store::active(app.store()).await?)
}

/// Every stored scheme and whether it is in use, the active one first.
pub async fn schemes(app: &App, acting: &Acting) -> Result<Vec<(Scheme, bool)>, Failure> {
    app.permit(
        acting,
        Register::Classification,
        Act::Read,
        "classification.view",
    )
    .await?;
    all_schemes(app).await
}

async fn all_schemes(app: &App) -> Result<Vec<(Scheme, bool)>, Failure> {
    let mut all = Vec::new();
    for summary in store::schemes(app.store()).await? {
        let scheme = store::scheme(app.store(), summary.id).await?;
        all.push((scheme, summary.active));
    }
    all.sort_by_key(|(_, active)| !*active);
    Ok(all)
}

/// A level, the scheme that holds it, and whether that scheme is in use.
#[derive(Debug, Clone)]
pub struct FoundLevel {
    pub scheme: Scheme,
    pub active: bool,
    pub level: Level,
}

/// A level to edit (those who may edit the scheme only).
pub async fn level_to_edit(app: &App, acting: &Acting, id: i64) -> Result<FoundLevel, Failure> {
    app.permit(
        acting,
        Register::Classification,
        Act::Edit,
        "classification.level_edit",
    )
    .await?;
    find_level(app, id).await
}

async fn find_level(app: &App, id: i64) -> Result<FoundLevel, Failure> {
    for (scheme, active) in all_schemes(app).await? {
        if let Some(level) = scheme.level(id).cloned() {
            return Ok(FoundLevel {
                scheme,
                active,
                level,
            });
        }
    }
    Err(Failure::NotFound)
}

/// Whether a use case changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Changed,
    Unchanged,
}

/// Makes `scheme_id` the scheme in use. Refused (409 `assets_classified`, with the
/// count) while assets are classified under another scheme: switching would silently
/// change what their levels mean.
pub async fn activate(app: &App, acting: &Acting, scheme_id: i64) -> Result<Saved, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Classification,
            Act::Edit,
            "classification.activate",
        )
        .await?;
    let target = store::schemes(app.store())
        .await?
        .into_iter()
        .find(|s| s.id == scheme_id)
        .ok_or(Failure::NotFound)?;
    if target.active {
        return Ok(Saved::Unchanged);
    }
    let mut tx = permit.write(app).await?;
    match store::activate(&mut tx, scheme_id).await {
        Ok(()) => match tx.commit().await {
            Ok(()) => Ok(Saved::Changed),
            // Someone made it the active scheme a moment ago: nothing was written.
            Err(StoreError::MissingAudit) => Ok(Saved::Unchanged),
            Err(e) => Err(e.into()),
        },
        Err(ActivateRefusal::AssetsClassified(count)) => Err(Failure::Conflict(
            Refusal::new(
                "assets_classified",
                "classification.error.assets_classified",
            )
            .with("count", count),
        )),
        Err(ActivateRefusal::Store(e)) => Err(e.into()),
    }
}

/// Saves an edit of a level; every field is checked by the domain.
pub async fn edit_level(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &LevelInput,
) -> Result<Saved, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Classification,
            Act::Edit,
            "classification.level_edit",
        )
        .await?;
    let found = find_level(app, id).await?;
    let checked = check_level_input(&found.scheme, &found.level, input)?;
    if checked.same_as(&found.level) {
        return Ok(Saved::Unchanged);
    }
    let mut tx = permit.write(app).await?;
    store::update_level(
        &mut tx,
        id,
        LevelEdit {
            name: &checked.name,
            definition: &checked.definition,
            takeout_requires_approval: checked.takeout_requires_approval,
            rules: &checked.rules,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Saved::Changed)
}
