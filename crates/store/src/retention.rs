//! Closed records holding personal information, and redactions of them: proposed,
//! decided through an approval request, then carried out on the record and in the audit
//! trail in one write.

use mamori_domain::retention::RetainedKind;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::audit_redaction::{self, RedactTarget, TrailRedaction};
use crate::{AuditEntry, Result, Store, StoreError, WriteTx};

/// When a record was closed: an instant (an account made inactive, an absence called
/// off) or a day (an absence that ran to its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Closed {
    At(OffsetDateTime),
    On(Date),
}

/// A closed record whose personal information has not been removed.
#[derive(Debug, Clone, Serialize)]
pub struct ClosedRecord {
    pub kind: RetainedKind,
    pub id: i64,
    /// Whose record it is: the account's display name (kept after a redaction).
    pub name: String,
    /// The account's login, or the absence's dates.
    pub detail: String,
    pub closed: Closed,
    /// A redaction proposed for it and not yet decided.
    pub pending: Option<i64>,
}

const PENDING: &str = "(SELECT MIN(i.redaction_id) FROM redaction_items i \
                       JOIN redactions r ON r.id = i.redaction_id \
                       WHERE i.kind = $1 AND i.record_id = {id} \
                       AND r.applied_at IS NULL AND r.dropped_at IS NULL)";

fn corrupt(table: &'static str, row: i64, column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        row: row.to_string(),
        column,
        value: value.to_owned(),
    }
}

/// Every closed record of `kind` not redacted yet, oldest closing first.
pub async fn closed_records(store: &Store, kind: RetainedKind) -> Result<Vec<ClosedRecord>> {
    match kind {
        RetainedKind::Account => closed_accounts(store).await,
        RetainedKind::Absence => ended_absences(store).await,
    }
}

async fn closed_accounts(store: &Store) -> Result<Vec<ClosedRecord>> {
    let sql = format!(
        "SELECT u.id, u.display_name, u.login, u.closed_at, {} FROM users u \
         WHERE u.active = 0 AND u.closed_at IS NOT NULL AND u.redacted_at IS NULL \
         ORDER BY u.closed_at, u.id",
        PENDING.replace("{id}", "u.id")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(RetainedKind::Account.as_str())
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get(0)?;
            let closed_at: String = row.try_get(3)?;
            let at = crate::parse_timestamp(&closed_at)
                .ok_or_else(|| corrupt("users", id, "closed_at", &closed_at))?;
            Ok(ClosedRecord {
                kind: RetainedKind::Account,
                id,
                name: row.try_get(1)?,
                detail: row.try_get(2)?,
                closed: Closed::At(at),
                pending: row.try_get(4)?,
            })
        })
        .collect()
}

/// Absences with a note that ended before today (in JST, by their last day) or were
/// called off.
async fn ended_absences(store: &Store) -> Result<Vec<ClosedRecord>> {
    let sql = format!(
        "SELECT a.id, u.display_name, a.starts_on, a.ends_on, a.cancelled_at, {} \
         FROM approval_absences a JOIN users u ON u.id = a.user_id \
         WHERE a.redacted_at IS NULL AND a.note <> '' ORDER BY a.ends_on, a.id",
        PENDING.replace("{id}", "a.id")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(RetainedKind::Absence.as_str())
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get(0)?;
            let starts_on: String = row.try_get(2)?;
            let ends_on: String = row.try_get(3)?;
            let cancelled_at: Option<String> = row.try_get(4)?;
            let closed = match cancelled_at {
                Some(text) => Closed::At(
                    crate::parse_timestamp(&text)
                        .ok_or_else(|| corrupt("approval_absences", id, "cancelled_at", &text))?,
                ),
                None => Closed::On(
                    crate::parse_date(&ends_on)
                        .ok_or_else(|| corrupt("approval_absences", id, "ends_on", &ends_on))?,
                ),
            };
            Ok(ClosedRecord {
                kind: RetainedKind::Absence,
                id,
                name: row.try_get(1)?,
                detail: format!("{starts_on} – {ends_on}"),
                closed,
                pending: row.try_get(5)?,
            })
        })
        .collect()
}

/// One record a redaction covers, with the day its period started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedactionItem {
    pub kind: RetainedKind,
    pub record_id: i64,
    pub closed_on: Date,
}

/// A redaction as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Redaction {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub applied_at: Option<String>,
    pub dropped_at: Option<String>,
    /// The `record.redact` entry of the audit trail, once carried out.
    pub audit_entry: Option<i64>,
    pub items: Vec<RedactionItem>,
}

/// Stores a proposal to redact `items`, none of which may be in another undecided one.
pub async fn create(tx: &mut WriteTx, items: &[RedactionItem]) -> Result<i64> {
    let created_by = tx.actor.user_id;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO redactions (created_by, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(created_by)
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    for item in items {
        let sql = format!("SELECT {}", PENDING.replace("{id}", "$2"));
        let pending: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(item.kind.as_str())
            .bind(item.record_id)
            .fetch_one(&mut *tx.tx)
            .await?;
        if pending.is_some() {
            return Err(StoreError::Conflict("redaction"));
        }
        sqlx::query(
            "INSERT INTO redaction_items (redaction_id, kind, record_id, closed_on) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(item.kind.as_str())
        .bind(item.record_id)
        .bind(crate::date_text(item.closed_on))
        .execute(&mut *tx.tx)
        .await?;
    }
    let listed: Vec<_> = items
        .iter()
        .map(|i| json!([i.kind.as_str(), i.record_id]))
        .collect();
    tx.audit(
        AuditEntry::new("retention.propose", "redaction")
            .target(id)
            .change("records", None::<()>, listed),
    )
    .await?;
    Ok(id)
}

pub async fn get(store: &Store, id: i64) -> Result<Redaction> {
    let row = sqlx::query(
        "SELECT id, created_by, created_at, applied_at, dropped_at, audit_entry \
         FROM redactions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let item_rows = sqlx::query(
        "SELECT kind, record_id, closed_on FROM redaction_items WHERE redaction_id = $1 \
         ORDER BY kind, record_id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let items = item_rows
        .iter()
        .map(|r| {
            let kind: String = r.try_get(0)?;
            let closed_on: String = r.try_get(2)?;
            Ok(RedactionItem {
                kind: RetainedKind::parse(&kind)
                    .ok_or_else(|| corrupt("redaction_items", id, "kind", &kind))?,
                record_id: r.try_get(1)?,
                closed_on: crate::parse_date(&closed_on)
                    .ok_or_else(|| corrupt("redaction_items", id, "closed_on", &closed_on))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Redaction {
        id: row.try_get(0)?,
        created_by: row.try_get(1)?,
        created_at: row.try_get(2)?,
        applied_at: row.try_get(3)?,
        dropped_at: row.try_get(4)?,
        audit_entry: row.try_get(5)?,
        items,
    })
}

/// Whose record an item is: the account's name, kept after a redaction.
pub async fn whose(store: &Store, item: &RedactionItem) -> Result<String> {
    let sql = match item.kind {
        RetainedKind::Account => "SELECT display_name FROM users WHERE id = $1",
        RetainedKind::Absence => {
            "SELECT u.display_name FROM approval_absences a JOIN users u ON u.id = a.user_id \
             WHERE a.id = $1"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(item.record_id)
        .fetch_optional(store.pool())
        .await?
        .unwrap_or_default())
}

/// Every redaction, newest first, without its items.
pub async fn all(store: &Store) -> Result<Vec<(Redaction, i64)>> {
    let rows = sqlx::query(
        "SELECT r.id, r.created_by, r.created_at, r.applied_at, r.dropped_at, r.audit_entry, \
         (SELECT COUNT(*) FROM redaction_items i WHERE i.redaction_id = r.id) \
         FROM redactions r ORDER BY r.id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                Redaction {
                    id: row.try_get(0)?,
                    created_by: row.try_get(1)?,
                    created_at: row.try_get(2)?,
                    applied_at: row.try_get(3)?,
                    dropped_at: row.try_get(4)?,
                    audit_entry: row.try_get(5)?,
                    items: Vec::new(),
                },
                row.try_get(6)?,
            ))
        })
        .collect()
}

/// Marks an undecided redaction as dropped (sent back, rejected or withdrawn): its
/// records may be proposed again.
pub async fn drop_proposal(tx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE redactions SET dropped_at = $1 \
         WHERE id = $2 AND applied_at IS NULL AND dropped_at IS NULL",
    )
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Carries out an approved redaction: removes the personal fields from each record and
/// from the audit entries about it, and records what was done.
pub async fn apply(tx: &mut WriteTx, id: i64, request_id: i64) -> Result<TrailRedaction> {
    let applied: Option<Option<String>> =
        sqlx::query_scalar("SELECT applied_at FROM redactions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    match applied {
        None => return Err(StoreError::NotFound),
        Some(Some(_)) => return Err(StoreError::Conflict("redaction")),
        Some(None) => {}
    }
    let kinds_ids = sqlx::query(
        "SELECT kind, record_id FROM redaction_items WHERE redaction_id = $1 ORDER BY kind, record_id",
    )
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?;
    let now = crate::now_text();
    let mut targets = Vec::new();
    let mut records = Vec::new();
    for row in &kinds_ids {
        let code: String = row.try_get(0)?;
        let record_id: i64 = row.try_get(1)?;
        let kind = RetainedKind::parse(&code)
            .ok_or_else(|| corrupt("redaction_items", id, "kind", &code))?;
        let (sql, target_type) = match kind {
            RetainedKind::Account => (
                "UPDATE users SET mail = NULL, reading = NULL, phone = NULL, extension = NULL, \
                 mobile = NULL, redacted_at = $1 \
                 WHERE id = $2 AND active = 0",
                "user",
            ),
            RetainedKind::Absence => (
                "UPDATE approval_absences SET note = '', redacted_at = $1 WHERE id = $2",
                "absence",
            ),
        };
        let done = sqlx::query(sql)
            .bind(now.clone())
            .bind(record_id)
            .execute(&mut *tx.tx)
            .await?;
        if done.rows_affected() == 0 {
            // Reopened (an account made active again) or removed since it was proposed.
            return Err(StoreError::Conflict("redaction_record"));
        }
        if kind == RetainedKind::Account {
            // The addresses mails went to; a mail still waiting goes out (or fails) first.
            sqlx::query(
                "UPDATE mail_queue SET address = '' WHERE user_id = $1 AND state <> 'queued'",
            )
            .bind(record_id)
            .execute(&mut *tx.tx)
            .await?;
        }
        targets.push(RedactTarget {
            target_type,
            target_id: record_id.to_string(),
            fields: kind.personal_fields(),
        });
        records.push(json!([kind.as_str(), record_id]));
    }
    let trail = audit_redaction::redact(
        tx,
        &targets,
        AuditEntry::new(audit_redaction::REDACT_ACTION, "redaction")
            .target(id)
            .change("approval_request", None::<i64>, request_id)
            .change("records", None::<()>, records),
    )
    .await?;
    sqlx::query("UPDATE redactions SET applied_at = $1, audit_entry = $2 WHERE id = $3")
        .bind(now)
        .bind(trail.entry_id)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(trail)
}
