//! Registering an asset and changing one: the form's text is read by the domain
//! (`AssetInput::check`), a change of classification needs a reason (`check_change`),
//! and the store writes the asset with its audit entry.

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::AssetInput;
use mamori_domain::classification::Scheme;
use mamori_domain::field::FieldProblem;
use mamori_store::assets as store;
use mamori_store::assets::{AssetRecord, Viewer};

use crate::{Acting, App, Failure};

/// Registers an asset and returns it as stored. A past disposal date on an asset in use
/// is [`Failure::Unconfirmed`]: see [`register_with`].
pub async fn register(
    app: &App,
    acting: &Acting,
    input: &AssetInput,
) -> Result<AssetRecord, Failure> {
    register_with(app, acting, input, false).await
}

/// Registers an asset; `confirm_past_dates` keeps a disposal date already past on an
/// asset in use (the person said it is right).
pub async fn register_with(
    app: &App,
    acting: &Acting,
    input: &AssetInput,
    confirm_past_dates: bool,
) -> Result<AssetRecord, Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "assets.create")
        .await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    let holders = super::holders(app).await?;
    let asset = input.check(&scheme, &holders)?;
    confirm_disposal(&asset, input, None, confirm_past_dates)?;
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &asset, &scheme).await?;
    tx.commit().await?;
    Ok(store::get(app.store(), Viewer::everything(), id).await?)
}

/// A changed asset as typed, and why its classification changed (if it did).
#[derive(Debug, Clone, Default)]
pub struct AssetChange {
    pub input: AssetInput,
    pub reason: String,
    /// Keep a changed disposal date that is already past on an asset in use.
    pub confirm_past_dates: bool,
}

/// A disposal date is a plan: on an asset still in use, a new one already past is
/// likely a slip (a year typed wrong, the wrong era), so it is kept only when confirmed.
/// An unchanged date is not asked about again on every edit.
fn confirm_disposal(
    asset: &mamori_domain::asset::Asset,
    input: &AssetInput,
    stored: Option<time::Date>,
    confirmed: bool,
) -> Result<(), Failure> {
    if asset.status != mamori_domain::asset::Status::InUse || asset.disposal_due == stored {
        return Ok(());
    }
    crate::confirm_future_dates(confirmed, &[("disposal_due", &input.disposal_due)])
}

/// Saves a change to an asset the acting person may see.
pub async fn update(
    app: &App,
    acting: &Acting,
    id: i64,
    change: &AssetChange,
) -> Result<AssetRecord, Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "assets.update")
        .await?;
    let before = store::get(app.store(), acting.viewer(), id).await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    let holders = super::holders(app).await?;
    let asset = change.input.check(&scheme, &holders)?;
    mamori_domain::asset::check_change(&before.as_asset(), &asset, &change.reason)
        .map_err(|p| vec![p])?;
    let stored = before.as_asset().disposal_due;
    confirm_disposal(&asset, &change.input, stored, change.confirm_past_dates)?;
    let mut tx = permit.write(app).await?;
    store::update(&mut tx, id, &asset, &scheme, change.reason.trim()).await?;
    tx.commit().await?;
    Ok(store::get(app.store(), acting.viewer(), id).await?)
}

/// A new classification for an asset, by level codes of the active scheme, and why.
#[derive(Debug, Clone, Default)]
pub struct Reclassify {
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub reason: String,
}

/// Changes only the classification of an asset; the reason is required.
pub async fn reclassify(
    app: &App,
    acting: &Acting,
    id: i64,
    request: &Reclassify,
) -> Result<AssetRecord, Failure> {
    let before = get_for_edit(app, acting, id).await?;
    if request.reason.trim().is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "reason",
            "asset.error.reason_required",
        )));
    }
    let scheme = mamori_store::classification::active(app.store()).await?;
    let mut input = input_of(&before, &scheme);
    input.confidentiality = request.confidentiality.clone();
    input.integrity = request.integrity.clone();
    input.availability = request.availability.clone();
    let change = AssetChange {
        input,
        reason: request.reason.clone(),
        ..AssetChange::default()
    };
    update(app, acting, id, &change).await
}

async fn get_for_edit(app: &App, acting: &Acting, id: i64) -> Result<AssetRecord, Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "assets.update")
        .await?;
    Ok(store::get(app.store(), acting.viewer(), id).await?)
}

/// The form filled in from a stored asset, with levels by code and the holder by id.
pub fn input_of(record: &AssetRecord, scheme: &Scheme) -> AssetInput {
    let code = |id: i64| scheme.level(id).map(|l| l.code.clone()).unwrap_or_default();
    AssetInput {
        name: record.name.clone(),
        description: record.description.clone(),
        category: record.category.as_str().to_owned(),
        form: record.form.as_str().to_owned(),
        holder_type: record.holder_type.as_str().to_owned(),
        holder: record
            .holder_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        managing_role: record
            .managing_role
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        location: record.location.clone(),
        segment: record.segment.as_str().to_owned(),
        confidentiality: code(record.confidentiality_id),
        integrity: code(record.integrity_id),
        availability: code(record.availability_id),
        retention: record
            .retention
            .as_ref()
            .map(|r| r.text.clone())
            .unwrap_or_default(),
        disposal_due: record
            .disposal_due
            .map(mamori_store::date_text)
            .unwrap_or_default(),
        status: record.status.as_str().to_owned(),
        tags: record.tags.join("、"),
        notes: record.notes.clone(),
        clauses: record.clauses.join("、"),
        personal_info: if record.holds_personal_info {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
        publication: "no".to_owned(),
    }
}
