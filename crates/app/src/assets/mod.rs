//! The information asset register (情報資産台帳): reading it (list, search, one asset
//! with its history and records), registering and changing assets (`register`), and
//! lifecycle records with their decisions (`events`). Every read goes through the
//! acting person's [`Viewer`], so an asset they may not know of is "not found".

mod events;
pub mod files;
pub mod imports;
mod register;
pub mod retention;

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::Holders;
use mamori_domain::classification::Scheme;
use mamori_store::assets as store;

pub use events::{Decision, decide_event, events, record_event};
pub use mamori_domain::asset::{
    Approval, AssetInput, Category, EventInput, EventKind, Form, HolderType, Retention, Segment,
    Status,
};
pub use mamori_store::assets::{
    AssetRecord, ClassificationRecord, EventRecord, Filter, Page, Sort, Viewer,
};
pub use register::{
    AssetChange, Reclassify, input_of, reclassify, register, register_with, update,
};

use crate::{Acting, App, Failure};

/// The classification scheme in force, which names the levels an asset is given in.
pub async fn scheme(app: &App, acting: &Acting) -> Result<Scheme, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.scheme")
        .await?;
    Ok(mamori_store::classification::active(app.store()).await?)
}

/// Which part of the register to list, and in which order.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub filter: Filter,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

/// One page of the assets the acting person may see, and how many match in all.
pub async fn list(app: &App, acting: &Acting, request: &ListRequest) -> Result<Page, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.list")
        .await?;
    Ok(store::list(
        app.store(),
        acting.viewer(),
        &request.filter,
        request.sort,
        request.offset,
        request.limit,
    )
    .await?)
}

/// One asset, if the acting person may know of it.
pub async fn get(app: &App, acting: &Acting, id: i64) -> Result<AssetRecord, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.show")
        .await?;
    Ok(store::get(app.store(), acting.viewer(), id).await?)
}

/// One asset opened to be read (its page, the API): the opening of an asset at the top
/// confidentiality level, or of one that holds personal information, is recorded
/// (`record.viewed`, saying `via`).
pub async fn open(app: &App, acting: &Acting, id: i64, via: &str) -> Result<AssetRecord, Failure> {
    let asset = get(app, acting, id).await?;
    if asset.restricted || asset.holds_personal_info {
        crate::files::record_view(app, acting, crate::files::RecordRef::asset(id), via).await?;
    }
    Ok(asset)
}

/// An asset with everything its page shows.
#[derive(Debug, Clone)]
pub struct AssetDetail {
    pub asset: AssetRecord,
    pub scheme: Scheme,
    pub history: Vec<ClassificationRecord>,
    pub events: Vec<EventRecord>,
}

pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<AssetDetail, Failure> {
    let asset = open(app, acting, id, "page").await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    Ok(AssetDetail {
        history: store::classifications(app.store(), id).await?,
        events: store::events(app.store(), id).await?,
        asset,
        scheme,
    })
}

/// Assets the acting person may see that serve a clause of the basic policy: (id, name).
pub async fn linked_to_clause(
    app: &App,
    acting: &Acting,
    clause_ref: &str,
) -> Result<Vec<(i64, String)>, Failure> {
    if !acting.may(Register::Assets, Act::Read) {
        return Ok(Vec::new());
    }
    Ok(store::linked_to_clause(app.store(), acting.viewer(), clause_ref).await?)
}

/// Someone who may hold an asset: id, name and login (the holder select shows both).
#[derive(Debug, Clone)]
pub struct HolderChoice {
    pub id: i64,
    pub name: String,
    pub login: String,
}

/// Everyone who may hold an asset (active users), for the holder select.
pub async fn holder_choices(app: &App, acting: &Acting) -> Result<Vec<HolderChoice>, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.holders")
        .await?;
    let (users, _) = mamori_store::users::list_summaries(app.store(), 100_000, 0).await?;
    Ok(users
        .iter()
        .filter(|s| s.user.active)
        .map(|s| HolderChoice {
            id: s.user.id,
            name: s.user.display_name.clone(),
            login: s.user.login.clone(),
        })
        .collect())
}

/// Everyone who may be named as a holder, by id, login or name (for reading input).
pub(crate) async fn holders(app: &App) -> Result<Holders, Failure> {
    let (users, _) = mamori_store::users::list_summaries(app.store(), 100_000, 0).await?;
    Ok(Holders::new(
        users
            .into_iter()
            .map(|s| (s.user.id, s.user.login, s.user.display_name)),
    ))
}

/// Whether the acting person keeps the register (may edit any asset and record any kind).
pub fn is_keeper(acting: &Acting) -> bool {
    acting.may(Register::Assets, Act::Edit)
}

/// Whether the acting person may record lifecycle events on `asset`.
pub fn may_record(acting: &Acting, asset: &AssetRecord) -> bool {
    mamori_domain::asset::may_record(is_keeper(acting), acting.user_id(), asset.holder_id)
}

/// Whether the acting person may decide `event` (never their own request).
pub fn may_decide(acting: &Acting, event: &EventRecord) -> bool {
    event.approval == Approval::Pending
        && acting.may(Register::Assets, Act::Decide)
        && match (event.recorded_by_id, acting.user_id()) {
            (Some(by), Some(me)) => mamori_domain::user::may_approve(by, me),
            _ => true,
        }
}

/// The label of a field of an asset (`mamori_domain::asset::FIELDS`), for forms, error
/// lists and spreadsheet headers.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "name" => "asset.field.name",
        "description" => "asset.field.description",
        "category" => "asset.field.category",
        "form" => "asset.field.form",
        "holder_type" => "asset.field.holder_type",
        "holder" => "asset.field.holder",
        "managing_role" => "asset.field.managing_role",
        "location" => "asset.field.location",
        "segment" => "asset.field.segment",
        "confidentiality" => "asset.field.confidentiality",
        "integrity" => "asset.field.integrity",
        "availability" => "asset.field.availability",
        "retention" => "asset.field.retention",
        "disposal_due" => "asset.field.disposal_due",
        "status" => "asset.field.status",
        "tags" => "asset.field.tags",
        "notes" => "asset.field.notes",
        "clauses" => "asset.field.clauses",
        "personal_info" => "asset.field.personal_info",
        "publication" => "asset.field.publication",
        "reason" => "asset.field.reason",
        "number" => "asset.field.number",
        _ => "asset.field.unknown",
    }
}

/// The active scheme and everyone who may be named as a holder, for reading an import
/// (those who may edit the register only).
pub async fn import_context(
    app: &App,
    acting: &Acting,
) -> Result<(Scheme, files::Directory), Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.import.title")
        .await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    Ok((scheme, files::directory(app.store()).await?))
}

/// What asset labels print: each asset (all of them visible to the acting person, or
/// none — the page must not tell which ids exist), the scheme that names their levels,
/// and the organisation's name.
#[derive(Debug, Clone)]
pub struct LabelsData {
    pub assets: Vec<AssetRecord>,
    pub scheme: Scheme,
    pub organisation: Option<String>,
}

pub async fn labels(app: &App, acting: &Acting, ids: &[i64]) -> Result<LabelsData, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.labels")
        .await?;
    let mut assets = Vec::with_capacity(ids.len());
    for id in ids {
        assets.push(store::get(app.store(), acting.viewer(), *id).await?);
    }
    Ok(LabelsData {
        assets,
        scheme: mamori_store::classification::active(app.store()).await?,
        organisation: mamori_store::settings::get(
            app.store(),
            mamori_store::settings::ORGANISATION_NAME,
        )
        .await?,
    })
}
