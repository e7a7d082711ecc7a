//! Approval requests (決裁) of every register and absences with a deputy. A request is
//! the one record of a decision: the registers read who decided, when and why from here.
//! The rules of who may decide live in `mamori_domain::approval`; this module stores.

use mamori_domain::approval::{Absence, Asked, State};
use mamori_domain::record::{RecordKind, RecordRef};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::sql::{Bind, bind_all};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

const TABLE: &str = "approval_requests";
const ABSENCES: &str = "approval_absences";

/// One approval request as stored, with the names of the people it mentions.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub subject: RecordRef,
    /// The record holding the subject (document, asset, risk), for links.
    pub subject_parent_id: Option<i64>,
    pub title: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    pub asked: Asked,
    pub asked_user_name: Option<String>,
    pub note: String,
    pub due_on: Option<Date>,
    pub state: State,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub on_behalf_of: Option<i64>,
    pub on_behalf_of_name: Option<String>,
    pub decided_on: Option<Date>,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: String,
    pub minute_ref: String,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "q.id, q.subject_kind, q.subject_id, q.subject_parent_id, q.title, \
     q.requested_by, rq.display_name AS requested_by_name, q.asked_kind, q.asked_code, \
     q.asked_user, au.display_name AS asked_user_name, q.note, q.due_on, q.state, \
     q.decided_by, db.display_name AS decided_by_name, q.on_behalf_of, \
     ob.display_name AS on_behalf_of_name, q.decided_on, q.decided_at, q.reason, \
     q.minute_ref, q.created_at \
     FROM approval_requests q \
     LEFT JOIN users rq ON rq.id = q.requested_by \
     LEFT JOIN users au ON au.id = q.asked_user \
     LEFT JOIN users db ON db.id = q.decided_by \
     LEFT JOIN users ob ON ob.id = q.on_behalf_of";

/// Due date first (those without one last), then oldest first.
const ORDER: &str = "ORDER BY CASE WHEN q.due_on IS NULL THEN 1 ELSE 0 END, q.due_on, q.id";

fn optional_date(id: i64, column: &'static str, value: Option<String>) -> Result<Option<Date>> {
    value
        .map(|v| decode_date(TABLE, id, column, &v))
        .transpose()
}

fn request_from_row(row: &sqlx::any::AnyRow) -> Result<Request> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let kind = decode(
        TABLE,
        id,
        "subject_kind",
        &text("subject_kind")?,
        RecordKind::parse,
    )?;
    let asked_kind = text("asked_kind")?;
    let asked_code = text("asked_code")?;
    let asked_user: Option<i64> = row.try_get("asked_user")?;
    let asked = Asked::from_parts(&asked_kind, &asked_code, asked_user).ok_or_else(|| {
        StoreError::Corrupt {
            table: TABLE,
            row: id.to_string(),
            column: "asked_kind",
            value: format!("{asked_kind}/{asked_code}"),
        }
    })?;
    let decided_at: Option<String> = row.try_get("decided_at")?;
    Ok(Request {
        id,
        subject: RecordRef::new(kind, row.try_get("subject_id")?),
        subject_parent_id: row.try_get("subject_parent_id")?,
        title: text("title")?,
        requested_by: row.try_get("requested_by")?,
        requested_by_name: row.try_get("requested_by_name")?,
        asked,
        asked_user_name: row.try_get("asked_user_name")?,
        note: text("note")?,
        due_on: optional_date(id, "due_on", row.try_get("due_on")?)?,
        state: decode(TABLE, id, "state", &text("state")?, State::parse)?,
        decided_by: row.try_get("decided_by")?,
        decided_by_name: row.try_get("decided_by_name")?,
        on_behalf_of: row.try_get("on_behalf_of")?,
        on_behalf_of_name: row.try_get("on_behalf_of_name")?,
        decided_on: optional_date(id, "decided_on", row.try_get("decided_on")?)?,
        decided_at: decided_at
            .map(|v| decode_timestamp(TABLE, id, "decided_at", &v))
            .transpose()?,
        reason: text("reason")?,
        minute_ref: text("minute_ref")?,
        created_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
    })
}

async fn select(store: &Store, condition: &str, binds: Vec<Bind>) -> Result<Vec<Request>> {
    let sql = format!("SELECT {COLUMNS} WHERE {condition} {ORDER}");
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(request_from_row).collect()
}

/// What a register asks to have decided.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub subject: RecordRef,
    pub subject_parent_id: Option<i64>,
    pub title: &'a str,
    pub asked: Asked,
    pub note: &'a str,
    pub due_on: Option<Date>,
}

/// Opens a pending request in the register's own transaction, requested by the actor.
pub async fn open(tx: &mut WriteTx, new: NewRequest<'_>) -> Result<i64> {
    let (asked_kind, asked_code, asked_user) = new.asked.parts();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO approval_requests (subject_kind, subject_id, subject_parent_id, title, \
         requested_by, asked_kind, asked_code, asked_user, note, due_on, state, reason, \
         minute_ref, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', '', '', $11) RETURNING id",
    )
    .bind(new.subject.kind.as_str())
    .bind(new.subject.id)
    .bind(new.subject_parent_id)
    .bind(new.title.to_owned())
    .bind(tx.actor.user_id)
    .bind(asked_kind)
    .bind(asked_code)
    .bind(asked_user)
    .bind(new.note.to_owned())
    .bind(new.due_on.map(date_text))
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("approval.request", "approval_request")
            .target(id)
            .change("subject_kind", None::<&str>, new.subject.kind.as_str())
            .change("subject_id", None::<i64>, new.subject.id)
            .change("asked", None::<&str>, format!("{asked_kind}:{asked_code}"))
            .change("asked_user", None::<i64>, asked_user)
            .change("due_on", None::<String>, new.due_on.map(date_text)),
    )
    .await?;
    Ok(id)
}

pub async fn get(store: &Store, id: i64) -> Result<Request> {
    select(store, "q.id = $1", vec![Bind::Int(id)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The requests about one record, oldest first (its approval history).
pub async fn for_subject(store: &Store, subject: RecordRef) -> Result<Vec<Request>> {
    let sql =
        format!("SELECT {COLUMNS} WHERE q.subject_kind = $1 AND q.subject_id = $2 ORDER BY q.id");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(request_from_row).collect()
}

/// Every pending request, due date first: the inbox is cut from these by the rule of
/// who decides.
pub async fn pending(store: &Store) -> Result<Vec<Request>> {
    select(store, "q.state = 'pending'", Vec::new()).await
}

/// Pending requests of one kind (a register's own list of what waits).
pub async fn pending_of_kind(store: &Store, kind: RecordKind) -> Result<Vec<Request>> {
    select(
        store,
        "q.state = 'pending' AND q.subject_kind = $1",
        vec![Bind::Text(kind.as_str().to_owned())],
    )
    .await
}

/// The newest requests someone made, at most `limit`.
pub async fn requested_by(store: &Store, user_id: i64, limit: i64) -> Result<Vec<Request>> {
    let sql = format!("SELECT {COLUMNS} WHERE q.requested_by = $1 ORDER BY q.id DESC LIMIT $2");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(user_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(request_from_row).collect()
}

/// The newest of someone's requests sent back or rejected, at most `limit`.
pub async fn returned_to(store: &Store, user_id: i64, limit: i64) -> Result<Vec<Request>> {
    let sql = format!(
        "SELECT {COLUMNS} WHERE q.requested_by = $1 AND q.state IN ('returned', 'rejected') \
         ORDER BY q.id DESC LIMIT $2"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(user_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(request_from_row).collect()
}

/// How many requests are pending in all (a cheap test before working out whose they are).
pub async fn pending_count(store: &Store) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM approval_requests WHERE state = 'pending'")
            .fetch_one(store.pool())
            .await?,
    )
}

/// A decision as it is recorded.
#[derive(Debug, Clone)]
pub struct Decided<'a> {
    pub state: State,
    pub decided_by: Option<i64>,
    pub on_behalf_of: Option<i64>,
    pub decided_on: Date,
    pub reason: &'a str,
    pub minute_ref: &'a str,
}

/// Records the decision on a pending request. A request no longer pending (decided or
/// withdrawn in the meantime) is `Conflict("state")`.
pub async fn decide(tx: &mut WriteTx, id: i64, decided: Decided<'_>) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE approval_requests SET state = $1, decided_by = $2, on_behalf_of = $3, \
         decided_on = $4, decided_at = $5, reason = $6, minute_ref = $7 \
         WHERE id = $8 AND state = 'pending'",
    )
    .bind(decided.state.as_str())
    .bind(decided.decided_by)
    .bind(decided.on_behalf_of)
    .bind(date_text(decided.decided_on))
    .bind(now_text())
    .bind(decided.reason.to_owned())
    .bind(decided.minute_ref.to_owned())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("state"));
    }
    let mut entry = AuditEntry::new("approval.decide", "approval_request")
        .target(id)
        .change("state", State::Pending.as_str(), decided.state.as_str())
        .change("decided_on", None::<&str>, date_text(decided.decided_on))
        .change("reason", None::<&str>, decided.reason);
    if let Some(holder) = decided.on_behalf_of {
        entry = entry.change("on_behalf_of", None::<i64>, holder);
    }
    if !decided.minute_ref.is_empty() {
        entry = entry.change("minute_ref", None::<&str>, decided.minute_ref);
    }
    tx.audit(entry).await
}

/// Withdraws (取下げ) a pending request; `Conflict("state")` when it no longer waits.
pub async fn withdraw(tx: &mut WriteTx, id: i64) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE approval_requests SET state = 'withdrawn', decided_at = $1 \
         WHERE id = $2 AND state = 'pending'",
    )
    .bind(now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("state"));
    }
    tx.audit(
        AuditEntry::new("approval.withdraw", "approval_request")
            .target(id)
            .change("state", State::Pending.as_str(), State::Withdrawn.as_str()),
    )
    .await
}

/// The active users holding one of `roles` or one of `posts` (codes), or being `person`.
pub async fn holders(
    store: &Store,
    roles: &[&str],
    posts: &[&str],
    person: Option<i64>,
) -> Result<Vec<i64>> {
    let mut binds = Vec::new();
    let mut alternatives = Vec::new();
    let list = |values: &[&str], binds: &mut Vec<Bind>| {
        let start = binds.len() + 1;
        binds.extend(values.iter().map(|v| Bind::Text((*v).to_owned())));
        (start..start + values.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !roles.is_empty() {
        alternatives.push(format!("u.role IN ({})", list(roles, &mut binds)));
    }
    if !posts.is_empty() {
        binds.push(Bind::Text(crate::date_text(crate::japan_today())));
        let day = binds.len();
        alternatives.push(format!(
            "EXISTS (SELECT 1 FROM post_terms t JOIN org_posts p ON p.id = t.post_id \
             WHERE t.holder_id = u.id AND p.role_code IN ({}) AND {})",
            list(posts, &mut binds),
            crate::organisation::in_force("t", &format!("${day}"))
        ));
    }
    if let Some(id) = person {
        binds.push(Bind::Int(id));
        alternatives.push(format!("u.id = ${}", binds.len()));
    }
    if alternatives.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.id FROM users u WHERE u.active = 1 AND ({}) ORDER BY u.id",
        alternatives.join(" OR ")
    );
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
}

/// An absence as stored, with the names of the absent person and the deputy.
#[derive(Debug, Clone, Serialize)]
pub struct AbsenceRecord {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub deputy_id: i64,
    pub deputy_name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub note: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<OffsetDateTime>,
}

impl AbsenceRecord {
    pub fn rule(&self) -> Absence {
        Absence {
            holder: self.user_id,
            deputy: self.deputy_id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

const ABSENCE_COLUMNS: &str = "a.id, a.user_id, u.display_name AS user_name, a.deputy_id, \
     d.display_name AS deputy_name, a.starts_on, a.ends_on, a.note, a.cancelled_at \
     FROM approval_absences a JOIN users u ON u.id = a.user_id \
     JOIN users d ON d.id = a.deputy_id";

fn absence_from_row(row: &sqlx::any::AnyRow) -> Result<AbsenceRecord> {
    let id: i64 = row.try_get("id")?;
    let starts_on: String = row.try_get("starts_on")?;
    let ends_on: String = row.try_get("ends_on")?;
    let cancelled_at: Option<String> = row.try_get("cancelled_at")?;
    Ok(AbsenceRecord {
        id,
        user_id: row.try_get("user_id")?,
        user_name: row.try_get("user_name")?,
        deputy_id: row.try_get("deputy_id")?,
        deputy_name: row.try_get("deputy_name")?,
        starts_on: decode_date(ABSENCES, id, "starts_on", &starts_on)?,
        ends_on: decode_date(ABSENCES, id, "ends_on", &ends_on)?,
        note: row.try_get("note")?,
        cancelled_at: cancelled_at
            .map(|v| decode_timestamp(ABSENCES, id, "cancelled_at", &v))
            .transpose()?,
    })
}

/// What an absence records.
#[derive(Debug, Clone)]
pub struct NewAbsence<'a> {
    pub user_id: i64,
    pub deputy_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub note: &'a str,
}

pub async fn add_absence(tx: &mut WriteTx, new: NewAbsence<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO approval_absences (user_id, deputy_id, starts_on, ends_on, note, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.deputy_id)
    .bind(date_text(new.starts_on))
    .bind(date_text(new.ends_on))
    .bind(new.note.to_owned())
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("approval.absence", "user")
            .target(new.user_id)
            .change("absence_id", None::<i64>, id)
            .change("deputy_id", None::<i64>, new.deputy_id)
            .change("starts_on", None::<&str>, date_text(new.starts_on))
            .change("ends_on", None::<&str>, date_text(new.ends_on)),
    )
    .await?;
    Ok(id)
}

/// Calls off an absence; `Conflict("cancelled")` when it already was.
pub async fn cancel_absence(tx: &mut WriteTx, id: i64) -> Result<()> {
    let user_id: Option<i64> = sqlx::query_scalar(
        "UPDATE approval_absences SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL \
         RETURNING user_id",
    )
    .bind(now_text())
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let user_id = user_id.ok_or(StoreError::Conflict("cancelled"))?;
    tx.audit(
        AuditEntry::new("approval.absence_cancel", "user")
            .target(user_id)
            .change("absence_id", None::<i64>, id),
    )
    .await
}

pub async fn absence(store: &Store, id: i64) -> Result<AbsenceRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ABSENCE_COLUMNS} WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    absence_from_row(&row)
}

/// The absences of a person, or where they stand in as deputy, ending on or after `from`.
pub async fn absences_of(store: &Store, user_id: i64, from: Date) -> Result<Vec<AbsenceRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ABSENCE_COLUMNS} WHERE (a.user_id = $1 OR a.deputy_id = $1) \
         AND a.ends_on >= $2 ORDER BY a.starts_on, a.id"
    )))
    .bind(user_id)
    .bind(date_text(from))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(absence_from_row).collect()
}

/// Every absence ending on or after `from` (the administrator's overview).
pub async fn absences_from(store: &Store, from: Date) -> Result<Vec<AbsenceRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ABSENCE_COLUMNS} WHERE a.ends_on >= $1 ORDER BY a.starts_on, a.id"
    )))
    .bind(date_text(from))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(absence_from_row).collect()
}

/// The absences in force on `day` (not called off).
pub async fn absences_on(store: &Store, day: Date) -> Result<Vec<Absence>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ABSENCE_COLUMNS} WHERE a.cancelled_at IS NULL AND a.starts_on <= $1 \
         AND a.ends_on >= $1 ORDER BY a.id"
    )))
    .bind(date_text(day))
    .fetch_all(store.pool())
    .await?;
    let mut absences = rows
        .iter()
        .map(|row| absence_from_row(row).map(|a| a.rule()))
        .collect::<Result<Vec<_>>>()?;
    // The standing deputy (代理者) of a post the absent person holds stands in too.
    let standing = sqlx::query(AssertSqlSafe(format!(
        "SELECT a.user_id, t.deputy_id, a.starts_on, a.ends_on FROM approval_absences a \
         JOIN post_terms t ON t.holder_id = a.user_id \
         WHERE a.cancelled_at IS NULL AND a.starts_on <= $1 AND a.ends_on >= $1 \
         AND t.deputy_id IS NOT NULL AND t.deputy_id <> a.deputy_id \
         AND {} ORDER BY a.id, t.id",
        crate::organisation::in_force("t", "$1")
    )))
    .bind(date_text(day))
    .fetch_all(store.pool())
    .await?;
    for row in &standing {
        let holder: i64 = row.try_get("user_id")?;
        let starts_on: String = row.try_get("starts_on")?;
        let ends_on: String = row.try_get("ends_on")?;
        absences.push(Absence {
            holder,
            deputy: row.try_get("deputy_id")?,
            starts_on: crate::decode_date("approval_absences", holder, "starts_on", &starts_on)?,
            ends_on: crate::decode_date("approval_absences", holder, "ends_on", &ends_on)?,
        });
    }
    Ok(absences)
}
