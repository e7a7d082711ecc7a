//! Exceptions (例外措置) as stored. The permission is an approval request about the
//! exception; each record leaves here with the state of its latest request, so that
//! where it stands (`mamori_domain::exception::standing`) is read without a second query.

use mamori_domain::approval::State as ApprovalState;
use mamori_domain::exception::ExceptionInput;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::sql::{Bind, bind_all};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

const TABLE: &str = "exceptions";

/// One exception with the names of the people it mentions and its permission's state.
#[derive(Debug, Clone)]
pub struct ExceptionRecord {
    pub id: i64,
    pub rule: String,
    pub clause_ref: String,
    pub scope: String,
    pub reason: String,
    pub measure: String,
    pub starts_on: Date,
    pub expires_on: Date,
    pub emergency: bool,
    pub ended_on: Option<Date>,
    pub ended_by_name: Option<String>,
    pub end_note: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The state of the latest approval request about it.
    pub approval: ApprovalState,
}

const COLUMNS: &str = "e.id, e.rule, e.clause_ref, e.scope, e.reason, e.measure, \
     e.starts_on, e.expires_on, e.emergency, e.ended_on, eb.display_name AS ended_by_name, \
     e.end_note, e.created_by, cb.display_name AS created_by_name, e.created_at, \
     e.updated_at, \
     (SELECT q.state FROM approval_requests q WHERE q.subject_kind = 'exception' \
      AND q.subject_id = e.id ORDER BY q.id DESC LIMIT 1) AS approval \
     FROM exceptions e \
     LEFT JOIN users eb ON eb.id = e.ended_by \
     LEFT JOIN users cb ON cb.id = e.created_by";

fn from_row(row: &sqlx::any::AnyRow) -> Result<ExceptionRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let date = |name: &'static str| -> Result<Date> { decode_date(TABLE, id, name, &text(name)?) };
    let stamp = |name: &'static str| -> Result<OffsetDateTime> {
        decode_timestamp(TABLE, id, name, &text(name)?)
    };
    let ended_on: Option<String> = row.try_get("ended_on")?;
    // An exception is always stored with its request; one without is unreadable.
    let approval: Option<String> = row.try_get("approval")?;
    let approval = decode(
        TABLE,
        id,
        "approval",
        approval.as_deref().unwrap_or(""),
        ApprovalState::parse,
    )?;
    Ok(ExceptionRecord {
        id,
        rule: text("rule")?,
        clause_ref: text("clause_ref")?,
        scope: text("scope")?,
        reason: text("reason")?,
        measure: text("measure")?,
        starts_on: date("starts_on")?,
        expires_on: date("expires_on")?,
        emergency: row.try_get::<i64, _>("emergency")? != 0,
        ended_on: ended_on
            .map(|v| decode_date(TABLE, id, "ended_on", &v))
            .transpose()?,
        ended_by_name: row.try_get("ended_by_name")?,
        end_note: text("end_note")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: stamp("created_at")?,
        updated_at: stamp("updated_at")?,
        approval,
    })
}

async fn select(store: &Store, condition: &str, binds: Vec<Bind>) -> Result<Vec<ExceptionRecord>> {
    let sql = format!("SELECT {COLUMNS} {condition} ORDER BY e.expires_on, e.id");
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every exception, expiring first.
pub async fn all(store: &Store) -> Result<Vec<ExceptionRecord>> {
    select(store, "", Vec::new()).await
}

/// The exceptions one person asked for.
pub async fn created_by(store: &Store, user_id: i64) -> Result<Vec<ExceptionRecord>> {
    select(store, "WHERE e.created_by = $1", vec![Bind::Int(user_id)]).await
}

/// Those not ended whose expiry is on or before `until` (the ones a reminder names).
pub async fn open_expiring_by(store: &Store, until: Date) -> Result<Vec<ExceptionRecord>> {
    select(
        store,
        "WHERE e.ended_on IS NULL AND e.expires_on <= $1",
        vec![Bind::Text(date_text(until))],
    )
    .await
}

pub async fn get(store: &Store, id: i64) -> Result<ExceptionRecord> {
    select(store, "WHERE e.id = $1", vec![Bind::Int(id)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

fn audit_fields(entry: AuditEntry, input: &ExceptionInput) -> AuditEntry {
    entry
        .change("rule", None::<&str>, input.rule.as_str())
        .change("clause_ref", None::<&str>, input.clause_ref.as_str())
        .change("scope", None::<&str>, input.scope.as_str())
        .change("starts_on", None::<String>, date_text(input.starts_on))
        .change("expires_on", None::<String>, date_text(input.expires_on))
        .change("emergency", None::<bool>, input.emergency)
}

/// Stores a new exception, asked for by the actor; the caller opens its request.
pub async fn create(tx: &mut WriteTx, input: &ExceptionInput) -> Result<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO exceptions (rule, clause_ref, scope, reason, measure, starts_on, \
         expires_on, emergency, end_note, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $10) RETURNING id",
    )
    .bind(input.rule.clone())
    .bind(input.clause_ref.clone())
    .bind(input.scope.clone())
    .bind(input.reason.clone())
    .bind(input.measure.clone())
    .bind(date_text(input.starts_on))
    .bind(date_text(input.expires_on))
    .bind(i64::from(input.emergency))
    .bind(tx.actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(audit_fields(
        AuditEntry::new("exception.create", "exception").target(id),
        input,
    ))
    .await?;
    Ok(id)
}

/// Rewrites an exception sent back for correction; the caller asks again.
pub async fn revise(
    tx: &mut WriteTx,
    before: &ExceptionRecord,
    input: &ExceptionInput,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE exceptions SET rule = $1, clause_ref = $2, scope = $3, reason = $4, \
         measure = $5, starts_on = $6, expires_on = $7, emergency = $8, updated_at = $9 \
         WHERE id = $10 AND ended_on IS NULL",
    )
    .bind(input.rule.clone())
    .bind(input.clause_ref.clone())
    .bind(input.scope.clone())
    .bind(input.reason.clone())
    .bind(input.measure.clone())
    .bind(date_text(input.starts_on))
    .bind(date_text(input.expires_on))
    .bind(i64::from(input.emergency))
    .bind(now_text())
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("exception ended"));
    }
    tx.audit(
        AuditEntry::new("exception.revise", "exception")
            .target(before.id)
            .change("rule", Some(before.rule.as_str()), input.rule.as_str())
            .change(
                "clause_ref",
                Some(before.clause_ref.as_str()),
                input.clause_ref.as_str(),
            )
            .change("scope", Some(before.scope.as_str()), input.scope.as_str())
            .change(
                "starts_on",
                Some(date_text(before.starts_on)),
                date_text(input.starts_on),
            )
            .change(
                "expires_on",
                Some(date_text(before.expires_on)),
                date_text(input.expires_on),
            )
            .change("emergency", Some(before.emergency), input.emergency),
    )
    .await?;
    Ok(())
}

/// Ends an exception early, or closes one that expired, with a note.
pub async fn end(tx: &mut WriteTx, id: i64, on: Date, note: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE exceptions SET ended_on = $1, ended_by = $2, end_note = $3, updated_at = $4 \
         WHERE id = $5 AND ended_on IS NULL",
    )
    .bind(date_text(on))
    .bind(tx.actor.user_id)
    .bind(note.to_owned())
    .bind(now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("exception already ended"));
    }
    tx.audit(
        AuditEntry::new("exception.end", "exception")
            .target(id)
            .change("ended_on", None::<String>, date_text(on))
            .change("end_note", None::<&str>, note),
    )
    .await?;
    Ok(())
}
