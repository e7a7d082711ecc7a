//! Imports of the asset register: the staged file between upload and confirmation (in
//! the database, never in server memory), the record of each confirmed import with the
//! state of every asset before and after (so that it can be undone whole), and named
//! mapping profiles.
//!
//! A staged file is not a change to any register: like a session it is written without
//! an audit entry. The import that confirms it is audited (`asset.import`).

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use mamori_domain::asset::Asset;

use super::{Viewer, get_in};
use crate::sql::{Bind, bind_all, multi_insert};
use crate::{AuditEntry, Backend, Result, Store, StoreError, WriteTx, decode_timestamp};

/// Staged rows per INSERT: three parameters each, far inside both backends' limits.
const ROW_BATCH: usize = 500;

/// An uploaded file waiting for its mapping and confirmation.
#[derive(Debug, Clone)]
pub struct StagingRecord {
    pub token: String,
    pub user_id: i64,
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub headers: Vec<String>,
    pub row_count: i64,
    /// Per column the field it fills, once a mapping was chosen.
    pub mapping: Option<Vec<Option<String>>>,
    /// The value mapping as the app wrote it (JSON), once one was chosen.
    pub value_mapping: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A file to stage: what the upload read.
pub struct NewStaging<'a> {
    pub token: &'a str,
    pub user_id: i64,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub format: &'a str,
    pub headers: &'a [String],
}

fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn json_of<T: for<'de> Deserialize<'de>>(
    table: &'static str,
    row: &str,
    column: &'static str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt {
        table,
        row: row.to_owned(),
        column,
        value: text.chars().take(100).collect(),
    })
}

/// A plain transaction (no audit): SQLite takes its write lock at once.
async fn begin(store: &Store) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match store.backend() {
        Backend::Sqlite => store.pool().begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => store.pool().begin().await?,
    })
}

async fn delete_stagings(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    condition: &str,
    value: &str,
) -> Result<u64> {
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM asset_import_staged_rows WHERE token IN \
         (SELECT token FROM asset_import_stagings WHERE {condition})"
    )))
    .bind(value.to_owned())
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM asset_import_stagings WHERE {condition}"
    )))
    .bind(value.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Stages a file: purges every staged file older than `expired_before` (RFC 3339), keeps
/// at most `per_user` files for the uploader (dropping their oldest), and stores this one
/// with its rows: `row_count` of them, each (line, cells).
pub async fn stage<C: Serialize>(
    store: &Store,
    staging: &NewStaging<'_>,
    row_count: usize,
    rows: impl IntoIterator<Item = (usize, C)>,
    expired_before: &str,
    per_user: usize,
) -> Result<()> {
    let mut tx = begin(store).await?;
    delete_stagings(&mut tx, "created_at < $1", expired_before).await?;
    let own: Vec<String> = sqlx::query_scalar(
        "SELECT token FROM asset_import_stagings WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(staging.user_id)
    .fetch_all(&mut *tx)
    .await?;
    for token in own.iter().skip(per_user.saturating_sub(1)) {
        delete_stagings(&mut tx, "token = $1", token).await?;
    }
    sqlx::query(
        "INSERT INTO asset_import_stagings (token, user_id, file_name, sha256, format, \
         headers, row_count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(staging.token.to_owned())
    .bind(staging.user_id)
    .bind(staging.file_name.to_owned())
    .bind(staging.sha256.to_owned())
    .bind(staging.format.to_owned())
    .bind(json_text(&staging.headers))
    .bind(row_count as i64)
    .bind(crate::now_text())
    .execute(&mut *tx)
    .await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let binds: Vec<Bind> = rows
            .by_ref()
            .take(ROW_BATCH)
            .flat_map(|(line, cells)| {
                [
                    Bind::Text(staging.token.to_owned()),
                    Bind::Int(line as i64),
                    Bind::Text(json_text(&cells)),
                ]
            })
            .collect();
        let sql = multi_insert(
            "asset_import_staged_rows",
            "token, line, cells",
            3,
            binds.len() / 3,
        );
        bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn staging_from_row(row: &sqlx::any::AnyRow) -> Result<StagingRecord> {
    let token: String = row.try_get("token")?;
    let table = "asset_import_stagings";
    let headers: String = row.try_get("headers")?;
    let mapping: Option<String> = row.try_get("mapping")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(StagingRecord {
        headers: json_of(table, &token, "headers", &headers)?,
        mapping: match mapping {
            Some(text) => Some(json_of(table, &token, "mapping", &text)?),
            None => None,
        },
        created_at: decode_timestamp(table, &token, "created_at", &created_at)?,
        user_id: row.try_get("user_id")?,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        format: row.try_get("format")?,
        row_count: row.try_get("row_count")?,
        value_mapping: row.try_get("value_mapping")?,
        token,
    })
}

/// A staged file by its token, whoever staged it (the app checks who may use it).
pub async fn staging(store: &Store, token: &str) -> Result<Option<StagingRecord>> {
    let row = sqlx::query(
        "SELECT token, user_id, file_name, sha256, format, headers, row_count, mapping, \
         value_mapping, created_at FROM asset_import_stagings WHERE token = $1",
    )
    .bind(token.to_owned())
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(staging_from_row).transpose()
}

/// The staged rows from `offset` on (at most `limit`), in file order: (line, cells). Read
/// one at a time, so a large file is held once, in the caller's form of cells.
pub async fn staged_rows<C: From<Vec<String>>>(
    store: &Store,
    token: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<(usize, C)>> {
    let mut stream = sqlx::query(
        "SELECT line, cells FROM asset_import_staged_rows WHERE token = $1 \
         ORDER BY line LIMIT $2 OFFSET $3",
    )
    .bind(token.to_owned())
    .bind(limit)
    .bind(offset)
    .fetch(store.pool());
    let mut out = Vec::new();
    while let Some(row) = stream.try_next().await? {
        let line: i64 = row.try_get(0)?;
        let cells: String = row.try_get(1)?;
        let key = format!("{token}:{line}");
        let cells: Vec<String> = json_of("asset_import_staged_rows", &key, "cells", &cells)?;
        out.push((line as usize, C::from(cells)));
    }
    Ok(out)
}

/// Keeps the mapping chosen for a staged file (column fields, value mapping as JSON).
pub async fn set_mapping(
    store: &Store,
    token: &str,
    mapping: &[Option<String>],
    value_mapping: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE asset_import_stagings SET mapping = $1, value_mapping = $2 WHERE token = $3",
    )
    .bind(json_text(&mapping))
    .bind(value_mapping.to_owned())
    .bind(token.to_owned())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Forgets a staged file (an import that had nothing to write).
pub async fn discard(store: &Store, token: &str) -> Result<()> {
    let mut tx = begin(store).await?;
    delete_stagings(&mut tx, "token = $1", token).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a staged file inside the import's transaction: `false` when it is already
/// gone, so that a form sent twice imports once (writes are serialised).
pub async fn take(tx: &mut WriteTx, token: &str) -> Result<bool> {
    sqlx::query("DELETE FROM asset_import_staged_rows WHERE token = $1")
        .bind(token.to_owned())
        .execute(&mut *tx.tx)
        .await?;
    let done = sqlx::query("DELETE FROM asset_import_stagings WHERE token = $1")
        .bind(token.to_owned())
        .execute(&mut *tx.tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- import records

/// What an import did to one asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Created,
    Updated,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Created => "created",
            RowAction::Updated => "updated",
        }
    }

    fn parse(text: &str) -> Option<RowAction> {
        match text {
            "created" => Some(RowAction::Created),
            "updated" => Some(RowAction::Updated),
            _ => None,
        }
    }
}

/// One asset an import wrote: the row of the file, and the asset before (updates) and
/// after, as stored (JSON of [`Asset`]).
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: usize,
    pub asset_id: i64,
    pub action: RowAction,
    pub before: Option<Asset>,
    pub after: Asset,
}

/// How many rows an import created, updated, found unchanged or skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

/// A confirmed import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub imported_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
    pub file_name: String,
    pub sha256: String,
    pub counts: ImportCounts,
    pub undone_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub undone_at: Option<OffsetDateTime>,
    pub undo_reason: Option<String>,
}

/// Records a confirmed import and its rows in the import's transaction, with the audit
/// entry of the whole file and one per asset it registered. Returns the import's id.
pub async fn record(
    tx: &mut WriteTx,
    scheme: &mamori_domain::classification::Scheme,
    file_name: &str,
    sha256: &str,
    counts: ImportCounts,
    rows: &[ImportRow],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO asset_imports (imported_by, imported_at, file_name, sha256, created, \
         updated, unchanged, skipped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .bind(file_name.to_owned())
    .bind(sha256.to_owned())
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(counts.skipped)
    .fetch_one(&mut *tx.tx)
    .await?;
    for chunk in rows.chunks(ROW_BATCH / 2) {
        let sql = multi_insert(
            "asset_import_rows",
            "import_id, line, asset_id, action, before, after",
            6,
            chunk.len(),
        );
        let binds = chunk
            .iter()
            .flat_map(|r| {
                [
                    Bind::Int(id),
                    Bind::Int(r.line as i64),
                    Bind::Int(r.asset_id),
                    Bind::Text(r.action.as_str().to_owned()),
                    Bind::MaybeText(r.before.as_ref().map(json_text)),
                    Bind::Text(json_text(&r.after)),
                ]
            })
            .collect();
        bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
            .execute(&mut *tx.tx)
            .await?;
    }
    // Each asset it registered is audited as a registration from the form is, naming
    // the import (updates wrote their entries as they were saved).
    let mut created = Vec::new();
    for row in rows.iter().filter(|r| r.action == RowAction::Created) {
        let entry = super::write::created_entry(row.asset_id, &row.after, scheme).change(
            "import",
            None::<i64>,
            id,
        );
        tx.audit(entry).await?;
        created.push(row.asset_id);
    }
    tx.audit(
        AuditEntry::new("asset.import", "asset_import")
            .target(id)
            .change("source", None::<&str>, file_name)
            .change("sha256", None::<&str>, sha256)
            .change("count", None::<i64>, counts.created)
            .change("updated", None::<i64>, counts.updated)
            .change("unchanged", None::<i64>, counts.unchanged)
            .change("skipped", None::<i64>, counts.skipped)
            .change("first_id", None::<i64>, created.first())
            .change("last_id", None::<i64>, created.last()),
    )
    .await?;
    Ok(id)
}

const IMPORT_COLUMNS: &str = "i.id, b.display_name AS imported_by, i.imported_at, \
     i.file_name, i.sha256, i.created, i.updated, i.unchanged, i.skipped, \
     d.display_name AS undone_by, i.undone_at, i.undo_reason";

fn import_from_row(row: &sqlx::any::AnyRow) -> Result<ImportRecord> {
    let id: i64 = row.try_get("id")?;
    let imported_at: String = row.try_get("imported_at")?;
    let undone_at: Option<String> = row.try_get("undone_at")?;
    Ok(ImportRecord {
        id,
        imported_by: row.try_get("imported_by")?,
        imported_at: decode_timestamp("asset_imports", id, "imported_at", &imported_at)?,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        counts: ImportCounts {
            created: row.try_get("created")?,
            updated: row.try_get("updated")?,
            unchanged: row.try_get("unchanged")?,
            skipped: row.try_get("skipped")?,
        },
        undone_by: row.try_get("undone_by")?,
        undone_at: match undone_at {
            Some(text) => Some(decode_timestamp("asset_imports", id, "undone_at", &text)?),
            None => None,
        },
        undo_reason: row.try_get("undo_reason")?,
    })
}

/// Past imports, newest first, and how many there are.
pub async fn list(store: &Store, offset: i64, limit: i64) -> Result<(Vec<ImportRecord>, i64)> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {IMPORT_COLUMNS} FROM asset_imports i \
         LEFT JOIN users b ON b.id = i.imported_by LEFT JOIN users d ON d.id = i.undone_by \
         ORDER BY i.id DESC LIMIT $1 OFFSET $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_imports")
        .fetch_one(store.pool())
        .await?;
    Ok((
        rows.iter().map(import_from_row).collect::<Result<_>>()?,
        total,
    ))
}

/// One import.
pub async fn get(store: &Store, id: i64) -> Result<ImportRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {IMPORT_COLUMNS} FROM asset_imports i \
         LEFT JOIN users b ON b.id = i.imported_by LEFT JOIN users d ON d.id = i.undone_by \
         WHERE i.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    import_from_row(&row)
}

/// The assets an import wrote, in file order: (line, asset id, action).
pub async fn rows(store: &Store, id: i64) -> Result<Vec<(usize, i64, RowAction)>> {
    let rows = sqlx::query(
        "SELECT line, asset_id, action FROM asset_import_rows WHERE import_id = $1 \
         ORDER BY line",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let line: i64 = row.try_get(0)?;
            let action: String = row.try_get(2)?;
            Ok((
                line as usize,
                row.try_get(1)?,
                crate::decode("asset_import_rows", id, "action", &action, RowAction::parse)?,
            ))
        })
        .collect()
}

/// Why an import cannot be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoRefusal {
    AlreadyUndone,
    /// These assets (id, name) changed after the import: undoing would lose the change.
    ChangedSince(Vec<(i64, String)>),
}

/// Undoes an import in the caller's transaction: the assets it created are withdrawn,
/// the ones it updated get their state before back (each with the audit entries of a
/// withdrawal or an edit). Refused, writing nothing, when an asset changed since.
pub async fn undo(
    tx: &mut WriteTx,
    id: i64,
    scheme: &mamori_domain::classification::Scheme,
    reason: &str,
) -> Result<std::result::Result<(), UndoRefusal>> {
    let undone: Option<Option<String>> =
        sqlx::query_scalar("SELECT undone_at FROM asset_imports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    match undone {
        None => return Err(StoreError::NotFound),
        Some(Some(_)) => return Ok(Err(UndoRefusal::AlreadyUndone)),
        Some(None) => {}
    }
    let stored = sqlx::query(
        "SELECT line, asset_id, action, before, after FROM asset_import_rows \
         WHERE import_id = $1 ORDER BY line",
    )
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?;
    let mut plan = Vec::with_capacity(stored.len());
    let mut changed = Vec::new();
    for row in &stored {
        let asset_id: i64 = row.try_get(1)?;
        let action: String = row.try_get(2)?;
        let action = crate::decode("asset_import_rows", id, "action", &action, RowAction::parse)?;
        let before: Option<String> = row.try_get(3)?;
        let after: String = row.try_get(4)?;
        let after: serde_json::Value =
            json_of("asset_import_rows", &id.to_string(), "after", &after)?;
        let now = get_in(&mut tx.tx, tx.backend, Viewer::everything(), asset_id).await?;
        let mut current = serde_json::to_value(now.as_asset()).unwrap_or_default();
        let mut expected = after;
        // Tags and clauses are sets: their order in storage is not a change.
        for value in [&mut current, &mut expected] {
            for list in ["tags", "clauses"] {
                if let Some(items) = value[list].as_array_mut() {
                    items.sort_by_key(|v| v.to_string());
                }
            }
        }
        if current != expected {
            changed.push((asset_id, now.name.clone()));
            continue;
        }
        let before: Option<Asset> = match before {
            Some(text) => Some(json_of(
                "asset_import_rows",
                &id.to_string(),
                "before",
                &text,
            )?),
            None => None,
        };
        plan.push((asset_id, action, before));
    }
    if !changed.is_empty() {
        return Ok(Err(UndoRefusal::ChangedSince(changed)));
    }
    for (asset_id, action, before) in plan {
        match (action, before) {
            (RowAction::Updated, Some(before)) => {
                super::update(tx, asset_id, &before, scheme, reason).await?
            }
            _ => super::withdraw(tx, asset_id, reason).await?,
        }
    }
    sqlx::query(
        "UPDATE asset_imports SET undone_by = $1, undone_at = $2, undo_reason = $3 \
         WHERE id = $4",
    )
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .bind(reason.to_owned())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("asset.import.undo", "asset_import")
            .target(id)
            .change("reason", None::<&str>, reason)
            .change("assets", None::<usize>, stored.len()),
    )
    .await?;
    Ok(Ok(()))
}

// ---------------------------------------------------------------- profiles

/// A named mapping kept for files with the same header row.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileRecord {
    pub id: i64,
    pub name: String,
    pub header_key: String,
    /// Per column the field it fills.
    pub mapping: Vec<Option<String>>,
    /// The value mapping as the app wrote it (JSON).
    pub value_mapping: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn profile_from_row(row: &sqlx::any::AnyRow) -> Result<ProfileRecord> {
    let id: i64 = row.try_get("id")?;
    let mapping: String = row.try_get("mapping")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(ProfileRecord {
        id,
        name: row.try_get("name")?,
        header_key: row.try_get("header_key")?,
        mapping: json_of(
            "asset_import_profiles",
            &id.to_string(),
            "mapping",
            &mapping,
        )?,
        value_mapping: row.try_get("value_mapping")?,
        created_at: decode_timestamp("asset_import_profiles", id, "created_at", &created_at)?,
    })
}

/// Every profile, by name.
pub async fn profiles(store: &Store) -> Result<Vec<ProfileRecord>> {
    let rows = sqlx::query(
        "SELECT id, name, header_key, mapping, value_mapping, created_at \
         FROM asset_import_profiles ORDER BY name",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(profile_from_row).collect()
}

/// Saves a profile under `name`, replacing one of the same name. Returns its id.
pub async fn save_profile(
    tx: &mut WriteTx,
    name: &str,
    header_key: &str,
    mapping: &[Option<String>],
    value_mapping: &str,
) -> Result<i64> {
    sqlx::query("DELETE FROM asset_import_profiles WHERE name = $1")
        .bind(name.to_owned())
        .execute(&mut *tx.tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO asset_import_profiles (name, header_key, mapping, value_mapping, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(name.to_owned())
    .bind(header_key.to_owned())
    .bind(json_text(&mapping))
    .bind(value_mapping.to_owned())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("asset.import.profile_save", "asset_import_profile")
            .target(id)
            .change("name", None::<&str>, name),
    )
    .await?;
    Ok(id)
}

/// Deletes a profile.
pub async fn delete_profile(tx: &mut WriteTx, id: i64) -> Result<()> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM asset_import_profiles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let name = name.ok_or(StoreError::NotFound)?;
    sqlx::query("DELETE FROM asset_import_profiles WHERE id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("asset.import.profile_delete", "asset_import_profile")
            .target(id)
            .change("name", name, None::<&str>),
    )
    .await
}
