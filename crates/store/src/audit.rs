//! The audit trail: append-only and hash-chained. Each entry stores SHA-256 over the
//! previous entry's hash and its own canonical JSON, so an edited, removed or inserted
//! entry breaks the chain at that point.
//!
//! Entries of format 2 (every entry written since schema 22) chain a digest of their
//! changes instead of the changes themselves: personal information past its retention
//! period can then be removed from an entry (a redaction, `audit_redaction`) while the
//! chain still verifies, the entry keeping the digest of what it held.

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Store};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The format new entries are written in: the chain covers a digest of the changes.
pub const FORMAT: i64 = 2;
/// The schema from which the trail holds format-2 entries; a database rolled back below
/// it gets its entry in format 1, which the older release reads.
pub const FORMAT_SINCE_SCHEMA: i64 = 22;

/// Every action the trail records; each has a label `audit.action.<name>` in the locale
/// files, and the audit page filters by them.
pub const ACTIONS: &[&str] = &[
    "access.csrf_refused",
    "access.denied",
    "action.create",
    "action.status",
    "asset.classify",
    "asset.create",
    "asset.event",
    "asset.event_decide",
    "asset.export",
    "asset.import",
    "asset.update",
    "audit.export",
    "auth.lockout",
    "awareness.export",
    "awareness.post",
    "awareness.read",
    "awareness.remind",
    "awareness.withdraw",
    "training.attendance",
    "training.confirm",
    "training.course_create",
    "training.declare",
    "training.plan_save",
    "training.plan_status",
    "training.rules",
    "training.session_cancel",
    "training.session_create",
    "incident.close",
    "incident.export",
    "incident.lesson",
    "incident.link",
    "incident.note",
    "incident.reassessment",
    "incident.reopen",
    "incident.report",
    "incident.share",
    "incident.stage",
    "incident.triage",
    "incident.unlink",
    "incident.facts",
    "incident.report_sent",
    "incident.report_withdraw",
    "incident.duty_add",
    "incident.duty_edit",
    "incident.duty_retire",
    "continuity.service_create",
    "continuity.service_update",
    "continuity.cover_add",
    "continuity.cover_remove",
    "continuity.drill_save",
    "term_change.account_link",
    "term_change.carry_out",
    "term_change.create",
    "term_change.mark_add",
    "term_change.mark_change",
    "term_change.person_add",
    "term_change.person_remove",
    "auth.lockout_lifted",
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.sign_in_inactive",
    "auth.sign_in_locked",
    "auth.sign_out",
    "auth.mfa_failed",
    "auth.mfa_passed",
    "file.attach",
    "file.remove",
    "file.revise",
    "backup.create",
    "backup.restore",
    "calendar.closed_day_add",
    "calendar.closed_day_remove",
    "calendar.holidays_import",
    "classification.activate",
    "classification.level_update",
    "mail.failed",
    "mail.retry",
    "mail.sent",
    "mfa.disable",
    "notify.preferences",
    "notify.send",
    "policy.ack_export",
    "policy.acknowledge",
    "policy.approve",
    "policy.create",
    "policy.link",
    "policy.pledge_paper",
    "policy.pledge_scan",
    "policy.publish",
    "policy.remind",
    "policy.review",
    "policy.supersede",
    "policy.version_create",
    "record.redact",
    "record.viewed",
    "retention.propose",
    "risk.accept_decide",
    "risk.accept_propose",
    "risk.action_add",
    "risk.action_done",
    "risk.analysis_freeze",
    "risk.create",
    "risk.export",
    "risk.matrix_update",
    "risk.update",
    "review.record",
    "review.schedule_set",
    "mfa.enable",
    "session.end",
    "setting.update",
    "setup.complete",
    "setup.reference_data",
    "token.create",
    "threat.create",
    "threat.restore",
    "threat.retire",
    "threat.update",
    "token.revoke",
    "user.create",
    "user.mail",
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

/// The fields that the hash covers, in a fixed order. `changes` is the changes' text in
/// format 1 and its digest in format 2.
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
    // A tuple serialises exactly as the JSON array it stands for, without building one.
    let canonical = serde_json::to_string(&(
        entry.at,
        entry.actor_id,
        entry.actor_label,
        entry.client_addr,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.changes,
    ))
    .unwrap_or_default();
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    digest.update(b"\n");
    digest.update(canonical.as_bytes());
    crate::hex(&digest.finalize())
}

/// SHA-256 of an entry's changes as hex: what a format-2 entry chains.
pub fn changes_digest(changes: &str) -> String {
    crate::sha256_hex(changes.as_bytes())
}

/// The hash an entry with these fields gets after `prev_hash`: for tools that write
/// many entries at once (the benchmark) and must chain them as [`append`] does.
pub fn seal(prev_hash: &str, record: &AuditRecord) -> String {
    let part = record.chained_changes();
    chain_hash(prev_hash, &record.canonical(&part))
}

/// Appends inside the caller's transaction, which already holds the write lock, in
/// `format` (1 only for a database rolled back to a schema before format 2).
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    entry: AuditEntry,
    format: i64,
) -> Result<()> {
    let prev_hash: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let prev_hash = prev_hash.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let at = crate::now_text();
    // serde_json sorts object keys, so the stored text is already canonical.
    let changes = entry.changes.to_string();
    let digest = if format == 1 {
        changes.clone()
    } else {
        changes_digest(&changes)
    };
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
            changes: &digest,
        },
    );
    let columns = if format == 1 { "" } else { ", format" };
    let format_value = if format == 1 { "" } else { ", $11" };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO audit_log (at, actor_id, actor_label, client_addr, action, target_type, \
         target_id, changes, prev_hash, hash{columns}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{format_value})"
    )))
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
    .bind(format)
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
    /// 1 for entries written before schema 22 (the chain covers the changes' text), 2
    /// after (it covers their digest).
    pub format: i64,
    /// The digest of the changes as written, kept when they were redacted.
    pub original_digest: Option<String>,
    /// The `record.redact` entry that removed personal information from this one.
    pub redacted_by: Option<i64>,
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// The entry's content no longer matches its own hash.
    Edited { id: i64 },
    /// The entry does not follow the one before it: something was removed or inserted.
    Unlinked { id: i64 },
}

impl ChainBreak {
    pub fn id(&self) -> i64 {
        match self {
            ChainBreak::Edited { id } | ChainBreak::Unlinked { id } => *id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ChainBreak::Edited { .. } => "edited",
            ChainBreak::Unlinked { .. } => "unlinked",
        }
    }

    pub fn of(kind: &str, id: i64) -> ChainBreak {
        match kind {
            "edited" => ChainBreak::Edited { id },
            _ => ChainBreak::Unlinked { id },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Entries read, from the first one up to the break or the end.
    pub entries: u64,
    pub first_break: Option<ChainBreak>,
    /// The last entry that was found in place (0 and the genesis hash when none).
    pub up_to_id: i64,
    pub up_to_hash: String,
}

/// Where a walk of the chain starts: after this entry, which has this hash and is the
/// `entries`-th of the trail. [`ChainStart::GENESIS`] is the beginning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStart {
    pub after_id: i64,
    pub hash: String,
    pub entries: u64,
}

impl ChainStart {
    pub fn genesis() -> ChainStart {
        ChainStart {
            after_id: 0,
            hash: GENESIS_HASH.to_owned(),
            entries: 0,
        }
    }
}

/// Walks the whole chain in id order.
pub async fn verify(store: &Store) -> Result<ChainReport> {
    walk(store, ChainStart::genesis(), None).await
}

/// Walks the chain from `start` (its entry is taken as verified) up to `up_to` (or the
/// newest entry), in id order. One query whose rows are read as they arrive: the database
/// sends the next rows while these are hashed, and memory stays flat.
pub async fn walk(store: &Store, start: ChainStart, up_to: Option<i64>) -> Result<ChainReport> {
    let mut expected_prev = start.hash;
    let mut entries = start.entries;
    let mut after_id = start.after_id;
    let walk_from = after_id;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS}, prev_hash, hash FROM audit_log WHERE id > $1 AND id <= $2 \
         ORDER BY id"
    )))
    .bind(after_id)
    .bind(up_to.unwrap_or(i64::MAX))
    .fetch(store.pool());
    let mut first_break = None;
    let mut redactions = crate::audit_redaction::Tally::default();
    while let Some(row) = rows.try_next().await? {
        let id: i64 = row.try_get(0)?;
        let prev_hash: String = row.try_get(12)?;
        if prev_hash != expected_prev {
            first_break = Some(ChainBreak::Unlinked { id });
            break;
        }
        let hash: String = row.try_get(13)?;
        let record = record_from_row(&row)?;
        let part = record.chained_changes();
        if chain_hash(&prev_hash, &record.canonical(&part)) != hash {
            first_break = Some(ChainBreak::Edited { id });
            break;
        }
        if let Some(broken) = redactions.walked(&record) {
            first_break = Some(ChainBreak::Edited { id: broken });
            break;
        }
        expected_prev = hash;
        entries += 1;
        after_id = id;
    }
    drop(rows);
    if first_break.is_none() {
        first_break = redactions
            .settle(store, walk_from, after_id)
            .await?
            .map(|id| ChainBreak::Edited { id });
    }
    Ok(ChainReport {
        entries,
        first_break,
        up_to_id: after_id,
        up_to_hash: expected_prev,
    })
}

impl AuditRecord {
    /// What the chain covers of the changes: their text (format 1), the digest kept when
    /// they were redacted, or the digest of their text.
    pub(crate) fn chained_changes(&self) -> std::borrow::Cow<'_, str> {
        match (self.format, self.redacted_by, &self.original_digest) {
            (1, _, _) => std::borrow::Cow::Borrowed(&self.changes),
            (_, Some(_), Some(original)) => std::borrow::Cow::Borrowed(original),
            _ => std::borrow::Cow::Owned(changes_digest(&self.changes)),
        }
    }

    fn canonical<'a>(&'a self, changes: &'a str) -> Canonical<'a> {
        Canonical {
            at: &self.at,
            actor_id: self.actor_id,
            actor_label: &self.actor_label,
            client_addr: self.client_addr.as_deref(),
            action: &self.action,
            target_type: &self.target_type,
            target_id: self.target_id.as_deref(),
            changes,
        }
    }
}

/// Reads the columns of [`RECORD_COLUMNS`] by position (by name costs a lookup per
/// column, which shows over a million entries).
pub(crate) fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: row.try_get(0)?,
        at: row.try_get(1)?,
        actor_id: row.try_get(2)?,
        actor_label: row.try_get(3)?,
        client_addr: row.try_get(4)?,
        action: row.try_get(5)?,
        target_type: row.try_get(6)?,
        target_id: row.try_get(7)?,
        changes: row.try_get(8)?,
        format: row.try_get(9)?,
        original_digest: row.try_get(10)?,
        redacted_by: row.try_get(11)?,
    })
}

/// The newest entries first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<AuditRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(record_from_row).collect()
}

/// What the audit page, its CSV export and `GET /api/v1/audit` filter by. Every value is
/// bound as a parameter, never written into the SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditFilter {
    /// Part of the actor's login or label, ignoring case.
    pub actor: Option<String>,
    /// An action (`auth.sign_in`), or a group of them when it ends with '.' (`auth.`).
    pub action: Option<String>,
    /// The kind of target (`user`, `session`…), exactly.
    pub target_type: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Entries before this instant (RFC 3339); exclusive.
    pub to: Option<String>,
    /// The target's id (`42`), exactly; with `target_type`, one record.
    pub target_id: Option<String>,
    /// The actor's login (or the command line's label), exactly: one person.
    pub actor_login: Option<String>,
}

/// Most entries one export query reads at a time.
pub const EXPORT_BATCH: i64 = 2000;

pub(crate) const RECORD_COLUMNS: &str = "id, at, actor_id, actor_label, client_addr, action, \
                              target_type, target_id, changes, format, original_digest, redacted_by";

/// `%`, `_` and the escape character itself taken literally in a `LIKE … ESCAPE '\'`.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A bound stored as text compares correctly only in the stored form (UTC, seconds).
fn bound_text(text: &str) -> String {
    crate::parse_timestamp(text.trim())
        .map(crate::timestamp_text)
        .unwrap_or_else(|| text.trim().to_owned())
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        self.conditions().0.is_empty()
    }

    /// SQL conditions with `$1`, `$2`… placeholders in order, and the values to bind.
    fn conditions(&self) -> (Vec<String>, Vec<String>) {
        let mut sql = Vec::new();
        let mut values = Vec::new();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut push = |condition: &str, value: String| {
            values.push(value);
            sql.push(condition.replace("{}", &format!("${}", values.len())));
        };
        if let Some(actor) = present(&self.actor) {
            push(
                "lower(actor_label) LIKE lower({}) ESCAPE '\\'",
                format!("%{}%", like_literal(&actor)),
            );
        }
        if let Some(action) = present(&self.action) {
            if action.ends_with('.') {
                push(
                    "action LIKE {} ESCAPE '\\'",
                    format!("{}%", like_literal(&action)),
                );
            } else {
                push("action = {}", action);
            }
        }
        if let Some(target_type) = present(&self.target_type) {
            push("target_type = {}", target_type);
        }
        if let Some(target_id) = present(&self.target_id) {
            push("target_id = {}", target_id);
        }
        if let Some(login) = present(&self.actor_login) {
            push("actor_label = {}", login);
        }
        if let Some(from) = present(&self.from) {
            push("at >= {}", bound_text(&from));
        }
        if let Some(to) = present(&self.to) {
            push("at < {}", bound_text(&to));
        }
        (sql, values)
    }
}

/// One page of the entries matching `filter`, newest first, and how many match in all.
pub async fn search(
    store: &Store,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRecord>, u64)> {
    let (conditions, values) = filter.conditions();
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let total = if values.is_empty() {
        crate::audit_checks::total_entries(store).await?
    } else {
        let count_sql = format!("SELECT COUNT(*) FROM audit_log{where_clause}");
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        for value in &values {
            count = count.bind(value.clone());
        }
        u64::try_from(count.fetch_one(store.pool()).await?).unwrap_or(0)
    };
    let n = values.len();
    let select_sql = format!(
        "SELECT {RECORD_COLUMNS} FROM audit_log{where_clause} ORDER BY id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut select = sqlx::query(sqlx::AssertSqlSafe(select_sql));
    for value in values {
        select = select.bind(value);
    }
    let rows = select
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(store.pool())
        .await?;
    let records = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((records, total))
}

/// Walks every entry matching a filter in id order, [`EXPORT_BATCH`] at a time, so an
/// export of the whole trail never holds it in memory. Entries written after
/// [`export`] began are left out: the export is the trail as it stood then.
#[derive(Clone)]
pub struct AuditExport {
    store: Store,
    sql: String,
    values: Vec<String>,
    after_id: i64,
    up_to: i64,
    done: bool,
}

/// Starts an export of the entries matching `filter`, up to the newest entry now.
pub async fn export(store: &Store, filter: &AuditFilter) -> Result<AuditExport> {
    let up_to: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    let (mut conditions, values) = filter.conditions();
    let n = values.len();
    conditions.push(format!("id > ${}", n + 1));
    conditions.push(format!("id <= ${}", n + 2));
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM audit_log WHERE {} ORDER BY id LIMIT ${}",
        conditions.join(" AND "),
        n + 3
    );
    Ok(AuditExport {
        store: store.clone(),
        sql,
        values,
        after_id: i64::MIN,
        up_to: up_to.unwrap_or(i64::MIN),
        done: up_to.is_none(),
    })
}

impl AuditExport {
    /// The next entries in id order; `None` once all have been read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<AuditRecord>>> {
        if self.done {
            return Ok(None);
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(self.sql.clone()));
        for value in &self.values {
            query = query.bind(value.clone());
        }
        let rows = query
            .bind(self.after_id)
            .bind(self.up_to)
            .bind(EXPORT_BATCH)
            .fetch_all(self.store.pool())
            .await?;
        let records = rows
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>>>()?;
        if (records.len() as i64) < EXPORT_BATCH {
            self.done = true;
        }
        match records.last() {
            Some(last) => {
                self.after_id = last.id;
                Ok(Some(records))
            }
            None => Ok(None),
        }
    }
}
