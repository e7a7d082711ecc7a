//! Registering and changing assets: one at a time from the form or the API, many at
//! once from an import, each write with its audit entry in the same transaction.

use mamori_domain::asset::{Asset, Status};
use mamori_domain::classification::Scheme;
use mamori_domain::search::grams;
use mamori_domain::user::OrgRole;
use sqlx::AssertSqlSafe;
use time::Date;

use super::{Filter, Viewer, get_in};
use crate::sql::{Bind, bind_all, multi_insert};
use crate::{AuditEntry, Backend, Result, WriteTx};

fn is_restricted(scheme: &Scheme, confidentiality: i64) -> bool {
    let rank = scheme.level(confidentiality).map(|l| l.rank);
    rank.is_some() && rank == scheme.top_confidentiality_rank()
}

fn search_text(asset: &Asset) -> String {
    grams(&format!(
        "{}\n{}\n{}",
        asset.name, asset.description, asset.notes
    ))
}

pub(super) fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

async fn insert(tx: &mut WriteTx, asset: &Asset, scheme: &Scheme, now: &str) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assets (name, description, category, form, holder_type, holder_id, \
         managing_role, location, segment, confidentiality_id, integrity_id, availability_id, \
         restricted, retention, disposal_due, status, notes, search_grams, created_by, \
         created_at, updated_at, holds_personal_info) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21) RETURNING id",
    )
    .bind(asset.name.clone())
    .bind(asset.description.clone())
    .bind(asset.category.as_str())
    .bind(asset.form.as_str())
    .bind(asset.holder_type.as_str())
    .bind(asset.holder_id)
    .bind(asset.managing_role.map(OrgRole::as_str))
    .bind(asset.location.clone())
    .bind(asset.segment.as_str())
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(i64::from(is_restricted(scheme, asset.confidentiality)))
    .bind(retention_text(asset))
    .bind(date_text(asset.disposal_due))
    .bind(asset.status.as_str())
    .bind(asset.notes.clone())
    .bind(search_text(asset))
    .bind(tx.actor.user_id)
    .bind(now.to_owned())
    .bind(i64::from(asset.holds_personal_info))
    .fetch_one(&mut *tx.tx)
    .await?;
    write_lists(tx, id, asset).await?;
    record_classification(tx, id, asset, "", now).await?;
    Ok(id)
}

async fn write_lists(tx: &mut WriteTx, id: i64, asset: &Asset) -> Result<()> {
    for tag in &asset.tags {
        sqlx::query("INSERT INTO asset_tags (asset_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    for clause in &asset.clauses {
        sqlx::query("INSERT INTO asset_clauses (asset_id, clause_ref) VALUES ($1, $2)")
            .bind(id)
            .bind(clause.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

async fn record_classification(
    tx: &mut WriteTx,
    id: i64,
    asset: &Asset,
    reason: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO asset_classifications (asset_id, confidentiality_id, integrity_id, \
         availability_id, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(reason.to_owned())
    .bind(tx.actor.user_id)
    .bind(now.to_owned())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The audit entry's fields for an asset. The name of a restricted asset stays out of
/// the audit trail, which more people read than may know the asset exists.
fn described(entry: AuditEntry, asset: &Asset, restricted: bool) -> AuditEntry {
    if restricted {
        entry.change("restricted", None::<bool>, true)
    } else {
        entry.change("name", None::<&str>, &asset.name)
    }
}

/// Registers one asset.
pub async fn create(tx: &mut WriteTx, asset: &Asset, scheme: &Scheme) -> Result<i64> {
    let now = crate::now_text();
    let id = insert(tx, asset, scheme, &now).await?;
    tx.audit(created_entry(id, asset, scheme)).await?;
    Ok(id)
}

/// The audit entry of a registered asset, from the form, the API or an import.
pub(super) fn created_entry(id: i64, asset: &Asset, scheme: &Scheme) -> AuditEntry {
    let entry = AuditEntry::new("asset.create", "asset")
        .target(id)
        .change("category", None::<&str>, asset.category.as_str())
        .change(
            "classification",
            None::<[i64; 3]>,
            [asset.confidentiality, asset.integrity, asset.availability],
        );
    described(entry, asset, is_restricted(scheme, asset.confidentiality))
}

/// Rows per INSERT statement in an import: one round trip per hundred assets rather
/// than several per asset, well inside both backends' limit on parameters.
const IMPORT_BATCH: usize = 100;

/// Registers many assets in the caller's transaction (an import): one audit entry names
/// the source, how many and the ids given. Returns the ids in input order.
///
/// The ids are given here rather than by the database, so that tags, clauses and
/// classification history can be written in batches too; this is safe because the
/// write transaction holds the store's single write lock.
pub async fn create_many(
    tx: &mut WriteTx,
    assets: &[Asset],
    scheme: &Scheme,
    source: &str,
    source_sha256: &str,
) -> Result<Vec<i64>> {
    let ids = insert_many(tx, assets, scheme).await?;
    tx.audit(
        AuditEntry::new("asset.import", "asset")
            .change("source", None::<&str>, source)
            .change("sha256", None::<&str>, source_sha256)
            .change("count", None::<usize>, ids.len())
            .change("first_id", None::<i64>, ids.first())
            .change("last_id", None::<i64>, ids.last()),
    )
    .await?;
    Ok(ids)
}

/// [`create_many`] without its audit entry, for a caller that writes one entry for a
/// whole import of creations and updates (`imports::record`).
pub async fn insert_many(tx: &mut WriteTx, assets: &[Asset], scheme: &Scheme) -> Result<Vec<i64>> {
    let now = crate::now_text();
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM assets")
        .fetch_one(&mut *tx.tx)
        .await?;
    let ids: Vec<i64> = (first..).take(assets.len()).collect();
    for (chunk, chunk_ids) in assets.chunks(IMPORT_BATCH).zip(ids.chunks(IMPORT_BATCH)) {
        let mut rows = Vec::with_capacity(chunk.len() * 23);
        let mut history = Vec::with_capacity(chunk.len() * 7);
        let mut tags = Vec::new();
        let mut clauses = Vec::new();
        for (asset, &id) in chunk.iter().zip(chunk_ids) {
            rows.extend([
                Bind::Int(id),
                Bind::Text(asset.name.clone()),
                Bind::Text(asset.description.clone()),
                Bind::Text(asset.category.as_str().to_owned()),
                Bind::Text(asset.form.as_str().to_owned()),
                Bind::Text(asset.holder_type.as_str().to_owned()),
                Bind::MaybeInt(asset.holder_id),
                Bind::MaybeText(asset.managing_role.map(|r| r.as_str().to_owned())),
                Bind::Text(asset.location.clone()),
                Bind::Text(asset.segment.as_str().to_owned()),
                Bind::Int(asset.confidentiality),
                Bind::Int(asset.integrity),
                Bind::Int(asset.availability),
                Bind::Int(i64::from(is_restricted(scheme, asset.confidentiality))),
                Bind::MaybeText(retention_text(asset)),
                Bind::MaybeText(date_text(asset.disposal_due)),
                Bind::Text(asset.status.as_str().to_owned()),
                Bind::Text(asset.notes.clone()),
                Bind::Text(search_text(asset)),
                Bind::MaybeInt(tx.actor.user_id),
                Bind::Text(now.clone()),
                Bind::Text(now.clone()),
                Bind::Int(i64::from(asset.holds_personal_info)),
            ]);
            history.extend([
                Bind::Int(id),
                Bind::Int(asset.confidentiality),
                Bind::Int(asset.integrity),
                Bind::Int(asset.availability),
                Bind::Text(String::new()),
                Bind::MaybeInt(tx.actor.user_id),
                Bind::Text(now.clone()),
            ]);
            tags.extend(asset.tags.iter().map(|t| (id, t.clone())));
            clauses.extend(asset.clauses.iter().map(|c| (id, c.clone())));
        }
        let sql = multi_insert(
            "assets",
            "id, name, description, category, form, holder_type, holder_id, managing_role, \
             location, segment, confidentiality_id, integrity_id, availability_id, restricted, \
             retention, disposal_due, status, notes, search_grams, created_by, created_at, \
             updated_at, holds_personal_info",
            23,
            chunk.len(),
        );
        bind_all(sqlx::query(AssertSqlSafe(sql)), rows)
            .execute(&mut *tx.tx)
            .await?;
        let sql = multi_insert(
            "asset_classifications",
            "asset_id, confidentiality_id, integrity_id, availability_id, reason, changed_by, \
             changed_at",
            7,
            chunk.len(),
        );
        bind_all(sqlx::query(AssertSqlSafe(sql)), history)
            .execute(&mut *tx.tx)
            .await?;
        for (table, columns, pairs) in [
            ("asset_tags", "asset_id, tag", tags),
            ("asset_clauses", "asset_id, clause_ref", clauses),
        ] {
            for batch in pairs.chunks(IMPORT_BATCH * 4) {
                let sql = multi_insert(table, columns, 2, batch.len());
                let binds: Vec<Bind> = batch
                    .iter()
                    .flat_map(|(id, value)| [Bind::Int(*id), Bind::Text(value.clone())])
                    .collect();
                bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
                    .execute(&mut *tx.tx)
                    .await?;
            }
        }
    }
    if tx.backend == Backend::Postgres && !ids.is_empty() {
        // The identity sequence must move past the ids given here.
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('assets', 'id'), (SELECT MAX(id) FROM assets))",
        )
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(ids)
}

/// Saves a changed asset. A change of classification is kept in the asset's history
/// with `reason`; the caller has made sure a reason was given (see
/// `mamori_domain::asset::check_change`).
pub async fn update(
    tx: &mut WriteTx,
    id: i64,
    asset: &Asset,
    scheme: &Scheme,
    reason: &str,
) -> Result<()> {
    let before = get_in(&mut tx.tx, tx.backend, Viewer::everything(), id).await?;
    let old = before.as_asset();
    let now = crate::now_text();
    sqlx::query(
        "UPDATE assets SET name = $1, description = $2, category = $3, form = $4, \
         holder_type = $5, holder_id = $6, managing_role = $7, location = $8, segment = $9, \
         confidentiality_id = $10, integrity_id = $11, availability_id = $12, restricted = $13, \
         retention = $14, disposal_due = $15, status = $16, notes = $17, search_grams = $18, \
         updated_at = $19, holds_personal_info = $21 WHERE id = $20",
    )
    .bind(asset.name.clone())
    .bind(asset.description.clone())
    .bind(asset.category.as_str())
    .bind(asset.form.as_str())
    .bind(asset.holder_type.as_str())
    .bind(asset.holder_id)
    .bind(asset.managing_role.map(OrgRole::as_str))
    .bind(asset.location.clone())
    .bind(asset.segment.as_str())
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(i64::from(is_restricted(scheme, asset.confidentiality)))
    .bind(retention_text(asset))
    .bind(date_text(asset.disposal_due))
    .bind(asset.status.as_str())
    .bind(asset.notes.clone())
    .bind(search_text(asset))
    .bind(now.clone())
    .bind(id)
    .bind(i64::from(asset.holds_personal_info))
    .execute(&mut *tx.tx)
    .await?;
    for table in ["asset_tags", "asset_clauses"] {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE asset_id = $1"
        )))
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    }
    write_lists(tx, id, asset).await?;
    let restricted = before.restricted || is_restricted(scheme, asset.confidentiality);
    let mut entry = AuditEntry::new("asset.update", "asset").target(id);
    let levels = |a: &Asset| [a.confidentiality, a.integrity, a.availability];
    if levels(&old) != levels(asset) {
        record_classification(tx, id, asset, reason, &now).await?;
        entry = AuditEntry::new("asset.classify", "asset")
            .target(id)
            .change("classification", levels(&old), levels(asset))
            .change("reason", None::<&str>, reason);
    }
    let mut changed = Vec::new();
    macro_rules! compare {
        ($($field:ident),+) => {
            $(if old.$field != asset.$field { changed.push(stringify!($field)); })+
        };
    }
    compare!(
        name,
        description,
        category,
        form,
        holder_type,
        holder_id,
        managing_role,
        location,
        segment,
        retention,
        disposal_due,
        status,
        tags,
        notes,
        clauses,
        holds_personal_info
    );
    if restricted {
        entry = entry.change("fields", None::<&str>, changed);
    } else {
        for field in changed {
            let (before_value, after_value) = field_values(&old, asset, field);
            entry = entry.change(field, before_value, after_value);
        }
    }
    tx.audit(entry).await
}

/// Withdraws (取消) an asset registered by mistake: it keeps its record and audit trail
/// but leaves every list, count and export. The reason is required by the caller.
pub async fn withdraw(tx: &mut WriteTx, id: i64, reason: &str) -> Result<()> {
    let before = get_in(&mut tx.tx, tx.backend, Viewer::everything(), id).await?;
    sqlx::query("UPDATE assets SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(Status::Withdrawn.as_str())
        .bind(crate::now_text())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    let entry = AuditEntry::new("asset.withdraw", "asset")
        .target(id)
        .change("status", before.status.as_str(), Status::Withdrawn.as_str())
        .change("reason", None::<&str>, reason);
    tx.audit(described(entry, &before.as_asset(), before.restricted))
        .await
}

fn field_values(old: &Asset, new: &Asset, field: &str) -> (serde_json::Value, serde_json::Value) {
    let old = serde_json::to_value(old).unwrap_or_default();
    let new = serde_json::to_value(new).unwrap_or_default();
    (old[field].clone(), new[field].clone())
}

/// Records that the register (or part of it) left mamori as a file.
pub async fn record_export(
    tx: &mut WriteTx,
    format: &str,
    count: u64,
    filter: &Filter,
) -> Result<()> {
    tx.audit(
        AuditEntry::new("asset.export", "asset")
            .change("format", None::<&str>, format)
            .change("count", None::<u64>, count)
            .change("filter", None::<&Filter>, filter),
    )
    .await
}

/// The 保存期間 as written: that is what is stored; its reading is derived on the way out.
fn retention_text(asset: &Asset) -> Option<String> {
    asset.retention.as_ref().map(|r| r.text.clone())
}
