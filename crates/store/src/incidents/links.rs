//! What an incident is linked to — assets (devices included), threats and risks — and
//! the handlers' requests that a linked risk be reassessed. Each link, removal and
//! request is a timeline entry and an audit entry in the same write.

use mamori_domain::incident::{EntryKind, LinkKind};
use sqlx::Row;
use time::OffsetDateTime;

use super::add_entry;
use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_timestamp, now_text};

const T: &str = "incident_links";

/// One link, with the name of what it points to as stored (the use case decides what
/// the person may see of it).
#[derive(Debug, Clone)]
pub struct Link {
    pub incident_id: i64,
    pub kind: LinkKind,
    pub target_id: i64,
    /// The asset's name, threat's name or risk's title; None when it no longer exists.
    pub name: Option<String>,
    /// A built-in threat's English name (else empty).
    pub name_en: String,
    pub linked_at: OffsetDateTime,
    pub linked_by_name: Option<String>,
    /// When the handlers asked that the risk be reassessed, and why.
    pub reassess_asked_at: Option<OffsetDateTime>,
    pub reassess_reason: String,
    /// The risk was reassessed after that request.
    pub reassessed: bool,
    /// The incident's number and title (for the pages of what it links to).
    pub incident_number: String,
    pub incident_title: String,
}

const SELECT: &str = "SELECT l.incident_id, l.kind, l.target_id, l.linked_at, \
     u.display_name AS linked_by_name, l.reassess_asked_at, l.reassess_reason, \
     COALESCE(a.name, t.name, r.title) AS name, COALESCE(t.name_en, '') AS name_en, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM audit_log g WHERE g.action = 'risk.update' \
       AND g.target_type = 'risk' AND g.target_id = CAST(l.target_id AS TEXT) \
       AND g.id > l.reassess_after) THEN 1 ELSE 0 END AS BIGINT) AS reassessed, \
     i.number, i.title AS incident_title \
     FROM incident_links l JOIN incidents i ON i.id = l.incident_id \
     LEFT JOIN users u ON u.id = l.linked_by \
     LEFT JOIN assets a ON l.kind = 'asset' AND a.id = l.target_id \
     LEFT JOIN threats t ON l.kind = 'threat' AND t.id = l.target_id \
     LEFT JOIN risks r ON l.kind = 'risk' AND r.id = l.target_id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Link> {
    let incident: i64 = row.try_get("incident_id")?;
    let kind: String = row.try_get("kind")?;
    let linked_at: String = row.try_get("linked_at")?;
    let asked: Option<String> = row.try_get("reassess_asked_at")?;
    let asked = asked
        .map(|v| decode_timestamp(T, incident, "reassess_asked_at", &v))
        .transpose()?;
    Ok(Link {
        incident_id: incident,
        kind: decode(T, incident, "kind", &kind, LinkKind::parse)?,
        target_id: row.try_get("target_id")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        linked_at: decode_timestamp(T, incident, "linked_at", &linked_at)?,
        linked_by_name: row.try_get("linked_by_name")?,
        reassessed: asked.is_some() && row.try_get::<i64, _>("reassessed")? != 0,
        reassess_asked_at: asked,
        reassess_reason: row.try_get("reassess_reason")?,
        incident_number: row.try_get("number")?,
        incident_title: row.try_get("incident_title")?,
    })
}

/// An incident's links, by kind and then as they were made.
pub async fn links(store: &Store, incident: i64) -> Result<Vec<Link>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.incident_id = $1 ORDER BY l.kind, l.linked_at, l.target_id"
    )))
    .bind(incident)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// The incidents linked to one asset, threat or risk, the newest first.
pub async fn linked_to(store: &Store, kind: LinkKind, target: i64) -> Result<Vec<Link>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.kind = $1 AND l.target_id = $2 ORDER BY i.noticed_at DESC, i.id DESC"
    )))
    .bind(kind.as_str())
    .bind(target)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

fn code(kind: LinkKind, target: i64) -> String {
    format!("{}:{target}", kind.as_str())
}

/// Links the incident to a record (which the use case checked exists and may be seen);
/// `Conflict` when it already is.
pub async fn add_link(
    tx: &mut WriteTx,
    incident: i64,
    kind: LinkKind,
    target: i64,
    name: &str,
) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO incident_links (incident_id, kind, target_id, linked_by, linked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, kind, target_id) DO NOTHING",
    )
    .bind(incident)
    .bind(kind.as_str())
    .bind(target)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("incident_link"));
    }
    add_entry(
        tx,
        incident,
        EntryKind::Linked,
        name,
        None,
        Some(&code(kind, target)),
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.link", "incident")
            .target(incident)
            .change("link", None::<&str>, code(kind, target)),
    )
    .await
}

/// Removes a link; `NotFound` when there is none.
pub async fn remove_link(
    tx: &mut WriteTx,
    incident: i64,
    kind: LinkKind,
    target: i64,
    name: &str,
) -> Result<()> {
    let done = sqlx::query(
        "DELETE FROM incident_links WHERE incident_id = $1 AND kind = $2 AND target_id = $3",
    )
    .bind(incident)
    .bind(kind.as_str())
    .bind(target)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    add_entry(
        tx,
        incident,
        EntryKind::Unlinked,
        name,
        Some(&code(kind, target)),
        None,
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.unlink", "incident")
            .target(incident)
            .change("link", Some(code(kind, target)), None::<&str>),
    )
    .await
}

/// Asks that a linked risk be reassessed, with the reason (a new request replaces one
/// already answered or still open). `NotFound` when the risk is not linked.
pub async fn ask_reassessment(
    tx: &mut WriteTx,
    incident: i64,
    risk: i64,
    reason: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE incident_links SET reassess_asked_at = $1, reassess_reason = $2, \
         reassess_after = (SELECT COALESCE(MAX(id), 0) FROM audit_log) \
         WHERE incident_id = $3 AND kind = 'risk' AND target_id = $4",
    )
    .bind(now_text())
    .bind(reason)
    .bind(incident)
    .bind(risk)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    add_entry(
        tx,
        incident,
        EntryKind::Reassessment,
        reason,
        None,
        Some(&code(LinkKind::Risk, risk)),
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.reassessment", "incident")
            .target(incident)
            .change("risk_id", None::<i64>, risk)
            .change("reason", None::<&str>, reason),
    )
    .await
}
