//! Checks of the audit trail's hash chain, kept in `audit_checks`. The newest intact check
//! is a checkpoint: an incremental check walks only the entries after it, a full check
//! walks everything. The checkpoint's count also gives the trail's exact size without
//! counting a million rows.

use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, ChainBreak, ChainReport, ChainStart};
use crate::{Result, Store};

/// One stored check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub id: i64,
    /// RFC 3339, UTC.
    pub checked_at: String,
    /// A login, or the label of the daily job or the command line.
    pub checked_by: String,
    /// Whether the check walked the whole chain (rather than from the checkpoint).
    pub full: bool,
    /// The last entry found in place, its hash, and how many entries lie up to it.
    pub up_to_id: i64,
    pub up_to_hash: String,
    pub entries: u64,
    pub first_break: Option<ChainBreak>,
    pub elapsed_ms: u64,
}

const CHECK_COLUMNS: &str = "id, checked_at, checked_by, full_check, up_to_id, up_to_hash, \
                             entries, break_kind, break_id, elapsed_ms";

fn check_from_row(row: &sqlx::any::AnyRow) -> Result<ChainCheck> {
    let break_kind: Option<String> = row.try_get(7)?;
    let break_id: Option<i64> = row.try_get(8)?;
    Ok(ChainCheck {
        id: row.try_get(0)?,
        checked_at: row.try_get(1)?,
        checked_by: row.try_get(2)?,
        full: row.try_get::<i64, _>(3)? != 0,
        up_to_id: row.try_get(4)?,
        up_to_hash: row.try_get(5)?,
        entries: u64::try_from(row.try_get::<i64, _>(6)?).unwrap_or(0),
        first_break: break_kind.map(|kind| ChainBreak::of(&kind, break_id.unwrap_or(0))),
        elapsed_ms: u64::try_from(row.try_get::<i64, _>(9)?).unwrap_or(0),
    })
}

async fn one(store: &Store, condition: &str) -> Result<Option<ChainCheck>> {
    let sql =
        format!("SELECT {CHECK_COLUMNS} FROM audit_checks {condition} ORDER BY id DESC LIMIT 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(check_from_row).transpose()
}

/// The newest check of any kind.
pub async fn latest(store: &Store) -> Result<Option<ChainCheck>> {
    one(store, "").await
}

/// The newest full check.
pub async fn latest_full(store: &Store) -> Result<Option<ChainCheck>> {
    one(store, "WHERE full_check = 1").await
}

/// Where an incremental check starts: the newest check, when it found the chain intact.
/// After a break, every check walks from the beginning until the chain holds again.
pub async fn checkpoint(store: &Store) -> Result<Option<ChainStart>> {
    Ok(latest(store)
        .await?
        .filter(|check| check.first_break.is_none())
        .map(|check| ChainStart {
            after_id: check.up_to_id,
            hash: check.up_to_hash,
            entries: check.entries,
        }))
}

/// Checks the chain, from the beginning (`full`) or from the checkpoint, and stores the
/// result. The checkpoint's own entry must still be there with its hash: the entries
/// before it are left to the full check.
pub async fn run(store: &Store, full: bool, checked_by: &str) -> Result<ChainCheck> {
    let started = std::time::Instant::now();
    let start = if full { None } else { checkpoint(store).await? };
    let full = start.is_none();
    let report = match start {
        None => audit::verify(store).await?,
        Some(start) => {
            let hash: Option<String> =
                sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = $1")
                    .bind(start.after_id)
                    .fetch_optional(store.pool())
                    .await?;
            if start.after_id != 0 && hash.as_deref() != Some(start.hash.as_str()) {
                ChainReport {
                    entries: start.entries.saturating_sub(1),
                    first_break: Some(ChainBreak::Unlinked { id: start.after_id }),
                    up_to_id: start.after_id,
                    up_to_hash: start.hash,
                }
            } else {
                audit::walk(store, start, None).await?
            }
        }
    };
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    record(store, full, checked_by, &report, elapsed_ms).await
}

async fn record(
    store: &Store,
    full: bool,
    checked_by: &str,
    report: &ChainReport,
    elapsed_ms: u64,
) -> Result<ChainCheck> {
    let checked_at = crate::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_checks (checked_at, checked_by, full_check, up_to_id, up_to_hash, \
         entries, break_kind, break_id, elapsed_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(checked_at.clone())
    .bind(checked_by.to_owned())
    .bind(i64::from(full))
    .bind(report.up_to_id)
    .bind(report.up_to_hash.clone())
    .bind(i64::try_from(report.entries).unwrap_or(i64::MAX))
    .bind(report.first_break.as_ref().map(ChainBreak::kind))
    .bind(report.first_break.as_ref().map(ChainBreak::id))
    .bind(i64::try_from(elapsed_ms).unwrap_or(i64::MAX))
    .fetch_one(store.pool())
    .await?;
    Ok(ChainCheck {
        id,
        checked_at,
        checked_by: checked_by.to_owned(),
        full,
        up_to_id: report.up_to_id,
        up_to_hash: report.up_to_hash.clone(),
        entries: report.entries,
        first_break: report.first_break.clone(),
        elapsed_ms,
    })
}

/// How many entries the trail holds: the newest check's count plus the entries after it,
/// so only the entries since the last check are counted (a million-row `COUNT(*)` takes
/// too long on PostgreSQL for a page view). Without a check yet, everything is counted.
pub async fn total_entries(store: &Store) -> Result<u64> {
    let (base, after_id) = match latest(store).await? {
        Some(check) => (check.entries, check.up_to_id),
        None => (0, 0),
    };
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE id > $1")
        .bind(after_id)
        .fetch_one(store.pool())
        .await?;
    Ok(base + u64::try_from(after).unwrap_or(0))
}

/// The newest entry of the trail: what an anchor kept outside the database records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub id: i64,
    pub hash: String,
    /// RFC 3339, UTC: when the entry was written.
    pub at: String,
}

pub async fn head(store: &Store) -> Result<Option<ChainHead>> {
    let row = sqlx::query("SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(store.pool())
        .await?;
    row.map(|row| {
        Ok(ChainHead {
            id: row.try_get(0)?,
            hash: row.try_get(1)?,
            at: row.try_get(2)?,
        })
    })
    .transpose()
}

/// What a check against an anchor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AnchorCheck {
    /// The anchored entry is there with its hash and the chain up to it holds.
    Holds { entries: u64 },
    /// No entry has the anchored sequence number: the newest entries were cut off (or
    /// the anchor belongs to another trail).
    Missing { newest: Option<i64> },
    /// The entry is there but its hash is not the anchored one.
    Differs { hash: String },
    /// The chain up to the anchored entry breaks.
    Broken(ChainBreak),
}

/// Checks that the entry `id` is there with `hash`, and that every entry up to it holds.
pub async fn check_anchor(store: &Store, id: i64, hash: &str) -> Result<AnchorCheck> {
    let stored: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    let Some(stored) = stored else {
        let newest = head(store).await?.map(|h| h.id);
        return Ok(AnchorCheck::Missing { newest });
    };
    if !stored.eq_ignore_ascii_case(hash) {
        return Ok(AnchorCheck::Differs { hash: stored });
    }
    let report = audit::walk(store, ChainStart::genesis(), Some(id)).await?;
    Ok(match report.first_break {
        Some(found) => AnchorCheck::Broken(found),
        None if report.up_to_id != id => AnchorCheck::Missing {
            newest: Some(report.up_to_id),
        },
        None => AnchorCheck::Holds {
            entries: report.entries,
        },
    })
}
