//! What happens to an asset over its life: its classification history, and lifecycle
//! records (take-out, lending, return, transfer, provision, publication, disposal) with
//! the approval a take-out may need.

use mamori_domain::asset::{Approval, EventKind, Status};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use super::write::date_text;
use super::{Filter, Viewer, conditions};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_date, decode_timestamp,
};

/// One classification an asset had.
#[derive(Debug, Clone, Serialize)]
pub struct ClassificationRecord {
    pub confidentiality_id: i64,
    pub integrity_id: i64,
    pub availability_id: i64,
    pub reason: String,
    pub changed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// The classification history of an asset the caller may see, newest first.
pub async fn classifications(store: &Store, asset_id: i64) -> Result<Vec<ClassificationRecord>> {
    let rows = sqlx::query(
        "SELECT c.id, c.confidentiality_id, c.integrity_id, c.availability_id, c.reason, \
         u.display_name, c.changed_at FROM asset_classifications c \
         LEFT JOIN users u ON u.id = c.changed_by WHERE c.asset_id = $1 ORDER BY c.id DESC",
    )
    .bind(asset_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get(0)?;
            let changed_at: String = row.try_get(6)?;
            Ok(ClassificationRecord {
                confidentiality_id: row.try_get(1)?,
                integrity_id: row.try_get(2)?,
                availability_id: row.try_get(3)?,
                reason: row.try_get(4)?,
                changed_by: row.try_get(5)?,
                changed_at: decode_timestamp(
                    "asset_classifications",
                    id,
                    "changed_at",
                    &changed_at,
                )?,
            })
        })
        .collect()
}

pub use mamori_domain::asset::NewEvent;

#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    pub id: i64,
    pub asset_id: i64,
    pub kind: EventKind,
    pub occurred_on: Date,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: Option<Date>,
    pub notes: String,
    pub approval: Approval,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: String,
    /// The take-out's approval request, when it needed one.
    pub approval_request_id: Option<i64>,
    pub recorded_by_id: Option<i64>,
    pub recorded_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// A take-out's approval is its approval request (one per take-out): its state, who
/// decided, when and why; a record without a request needed none.
const EVENT_COLUMNS: &str = "e.id, e.asset_id, e.kind, e.occurred_on, e.person, \
     e.counterparty, e.method, e.witness, e.due_back, e.notes, \
     CASE WHEN q.id IS NULL THEN 'not_required' ELSE q.state END AS approval, \
     d.display_name AS decided_by, q.decided_at, COALESCE(q.reason, '') AS decision_note, \
     q.id AS approval_request_id, e.recorded_by AS recorded_by_id, r.display_name AS recorded_by, e.recorded_at";
const EVENT_FROM: &str = "FROM asset_events e LEFT JOIN approval_requests q \
     ON q.subject_kind = 'asset_takeout' AND q.subject_id = e.id \
     LEFT JOIN users d ON d.id = q.decided_by LEFT JOIN users r ON r.id = e.recorded_by";

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<EventRecord> {
    const TABLE: &str = "asset_events";
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let due_back: Option<String> = row.try_get("due_back")?;
    let decided_at: Option<String> = row.try_get("decided_at")?;
    Ok(EventRecord {
        id,
        asset_id: row.try_get("asset_id")?,
        kind: decode(TABLE, id, "kind", &text("kind")?, EventKind::parse)?,
        occurred_on: decode_date(TABLE, id, "occurred_on", &text("occurred_on")?)?,
        person: text("person")?,
        counterparty: text("counterparty")?,
        method: text("method")?,
        witness: text("witness")?,
        due_back: due_back
            .map(|v| decode_date(TABLE, id, "due_back", &v))
            .transpose()?,
        notes: text("notes")?,
        approval: decode(TABLE, id, "approval", &text("approval")?, Approval::parse)?,
        decided_by: row.try_get("decided_by")?,
        decided_at: decided_at
            .map(|v| decode_timestamp(TABLE, id, "decided_at", &v))
            .transpose()?,
        decision_note: text("decision_note")?,
        approval_request_id: row.try_get("approval_request_id")?,
        recorded_by_id: row.try_get("recorded_by_id")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: decode_timestamp(TABLE, id, "recorded_at", &text("recorded_at")?)?,
    })
}

/// Adds a lifecycle record. A disposal marks the asset disposed; it stays in the register.
/// `approval` says whether it needs a decision; the caller opens the approval request.
pub async fn record_event(
    tx: &mut WriteTx,
    asset_id: i64,
    event: &NewEvent,
    approval: Approval,
) -> Result<i64> {
    let now = crate::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO asset_events (asset_id, kind, occurred_on, person, counterparty, method, \
         witness, due_back, notes, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(asset_id)
    .bind(event.kind.as_str())
    .bind(event.occurred_on.to_string())
    .bind(event.person.clone())
    .bind(event.counterparty.clone())
    .bind(event.method.clone())
    .bind(event.witness.clone())
    .bind(date_text(event.due_back))
    .bind(event.notes.clone())
    .bind(tx.actor.user_id)
    .bind(now.clone())
    .fetch_one(&mut *tx.tx)
    .await?;
    let mut entry = AuditEntry::new("asset.event", "asset")
        .target(asset_id)
        .change("event_id", None::<i64>, id)
        .change("kind", None::<&str>, event.kind.as_str())
        .change("occurred_on", None::<String>, event.occurred_on.to_string())
        .change("approval", None::<&str>, approval.as_str());
    if event.kind == EventKind::Disposal {
        sqlx::query("UPDATE assets SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(Status::Disposed.as_str())
            .bind(now)
            .bind(asset_id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry
            .change("status", None::<&str>, Status::Disposed.as_str())
            .change("method", None::<&str>, &event.method)
            .change("witness", None::<&str>, &event.witness);
    }
    tx.audit(entry).await?;
    Ok(id)
}

pub async fn event(store: &Store, id: i64) -> Result<EventRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    event_from_row(&row)
}

pub async fn events(store: &Store, asset_id: i64) -> Result<Vec<EventRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.asset_id = $1 ORDER BY e.occurred_on DESC, e.id DESC"
    )))
    .bind(asset_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// Take-outs waiting for approval, on assets the viewer may see.
pub async fn pending_approvals(
    store: &Store,
    viewer: Viewer,
) -> Result<Vec<(EventRecord, String)>> {
    let mut c = conditions(store.backend(), viewer, &Filter::default());
    c.push_sql("q.state = 'pending'");
    let sql = format!(
        "SELECT a.name AS asset_name, {EVENT_COLUMNS} {EVENT_FROM} \
         JOIN assets a ON a.id = e.asset_id{} ORDER BY e.id",
        c.sql
    );
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok((event_from_row(row)?, row.try_get("asset_name")?)))
        .collect()
}
