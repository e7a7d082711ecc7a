//! The audit trail: append-only and hash-chained. Each entry stores SHA-256 over the
//! previous entry's hash and its own canonical JSON, so an edited, removed or inserted
//! entry breaks the chain at that point.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Store};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every action the trail records; each has a label `audit.action.<name>` in the locale
/// files, and the audit page filters by them.
pub const ACTIONS: &[&str] = &[
    "access.csrf_refused",
    "access.denied",
    "audit.export",
    "auth.lockout",
    "auth.lockout_lifted",
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.sign_in_inactive",
    "auth.sign_in_locked",
    "auth.sign_out",
    "auth.mfa_failed",
    "auth.mfa_passed",
    "backup.create",
    "backup.restore",
    "mfa.disable",
    "mfa.enable",
    "session.end",
    "setting.update",
    "setup.complete",
    "token.create",
    "token.revoke",
    "user.create",
    "user.password_change",
    "user.password_reset",
    "user.preferences",
    "user.update",
];

/// Who is acting: a signed-in user, or the system / command line.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
    pub client_addr: Option<String>,
}

impl Actor {
    /// Work done by `mamori` itself (scheduled backups) or from its command line.
    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            label: label.to_owned(),
            client_addr: None,
        }
    }
}

/// One change to record. `changes` holds the changed fields as `{"field": [before, after]}`.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub changes: Value,
}

impl AuditEntry {
    pub fn new(action: &'static str, target_type: &'static str) -> AuditEntry {
        AuditEntry {
            action,
            target_type,
            target_id: None,
            changes: json!({}),
        }
    }

    pub fn target(mut self, id: impl ToString) -> AuditEntry {
        self.target_id = Some(id.to_string());
        self
    }

    /// Records a field that changed from `before` to `after`.
    pub fn change(mut self, field: &str, before: impl Serialize, after: impl Serialize) -> Self {
        if let Value::Object(map) = &mut self.changes {
            map.insert(field.to_owned(), json!([before, after]));
        }
        self
    }
}

/// The fields that the hash covers, in a fixed order.
struct Canonical<'a> {
    at: &'a str,
    actor_id: Option<i64>,
    actor_label: &'a str,
    client_addr: Option<&'a str>,
    action: &'a str,
    target_type: &'a str,
    target_id: Option<&'a str>,
    changes: &'a str,
}

fn chain_hash(prev_hash: &str, entry: &Canonical<'_>) -> String {
    let canonical = json!([
        entry.at,
        entry.actor_id,
        entry.actor_label,
        entry.client_addr,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.changes,
    ])
    .to_string();
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    digest.update(b"\n");
    digest.update(canonical.as_bytes());
    crate::hex(&digest.finalize())
}

/// Appends inside the caller's transaction, which already holds the write lock.
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    entry: AuditEntry,
) -> Result<()> {
    let prev_hash: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let prev_hash = prev_hash.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let at = crate::now_text();
    // serde_json sorts object keys, so the stored text is already canonical.
    let changes = entry.changes.to_string();
    let hash = chain_hash(
        &prev_hash,
        &Canonical {
            at: &at,
            actor_id: actor.user_id,
            actor_label: &actor.label,
            client_addr: actor.client_addr.as_deref(),
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id.as_deref(),
            changes: &changes,
        },
    );
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_label, client_addr, action, target_type, \
         target_id, changes, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(at)
    .bind(actor.user_id)
    .bind(actor.label.clone())
    .bind(actor.client_addr.clone())
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(changes)
    .bind(prev_hash)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A stored entry, as read back.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub client_addr: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub changes: String,
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// The entry's content no longer matches its own hash.
    Edited { id: i64 },
    /// The entry does not follow the one before it: something was removed or inserted.
    Unlinked { id: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub entries: u64,
    pub first_break: Option<ChainBreak>,
}

/// Walks the whole chain in id order, a batch at a time so memory stays flat.
pub async fn verify(store: &Store) -> Result<ChainReport> {
    const BATCH: i64 = 2000;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut entries = 0;
    let mut after_id = i64::MIN;
    loop {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_label, client_addr, action, target_type, target_id, \
             changes, prev_hash, hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(BATCH)
        .fetch_all(store.pool())
        .await?;
        let Some(last) = rows.last() else {
            return Ok(ChainReport {
                entries,
                first_break: None,
            });
        };
        after_id = last.try_get("id")?;
        for row in &rows {
            entries += 1;
            let id: i64 = row.try_get("id")?;
            let prev_hash: String = row.try_get("prev_hash")?;
            if prev_hash != expected_prev {
                return Ok(ChainReport {
                    entries,
                    first_break: Some(ChainBreak::Unlinked { id }),
                });
            }
            let record = record_from_row(row)?;
            let hash: String = row.try_get("hash")?;
            if chain_hash(&prev_hash, &record.canonical()) != hash {
                return Ok(ChainReport {
                    entries,
                    first_break: Some(ChainBreak::Edited { id }),
                });
            }
            expected_prev = hash;
        }
    }
}

impl AuditRecord {
    fn canonical(&self) -> Canonical<'_> {
        Canonical {
            at: &self.at,
            actor_id: self.actor_id,
            actor_label: &self.actor_label,
            client_addr: self.client_addr.as_deref(),
            action: &self.action,
            target_type: &self.target_type,
            target_id: self.target_id.as_deref(),
            changes: &self.changes,
        }
    }
}

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_label: row.try_get("actor_label")?,
        client_addr: row.try_get("client_addr")?,
        action: row.try_get("action")?,
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        changes: row.try_get("changes")?,
    })
}

/// The newest entries first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<AuditRecord>> {
    let rows = sqlx::query(
        "SELECT id, at, actor_id, actor_label, client_addr, action, target_type, target_id, \
         changes FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(record_from_row).collect()
}
