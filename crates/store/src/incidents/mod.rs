//! Incidents as stored: the report and its handling, the append-only timeline (the
//! database refuses to change or delete an entry), the severity levels kept as data, and
//! the people an incident is shared with. Who may see which incident is the use case's
//! rule; the list query takes it as a condition so that nothing else is ever read.

use mamori_domain::incident::{EntryKind, Personal, Stage};
use sqlx::{AssertSqlSafe, Row};

use mamori_domain::search::{grams, search_text};
use time::OffsetDateTime;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_timestamp, now_text};

mod figures;
mod links;
mod list;

pub use figures::{YearRow, year_rows};
pub use links::{Link, add_link, ask_reassessment, linked_to, links, remove_link};
pub use list::{Filter, Listing, Reach, index_unindexed, list, years};

const TABLE: &str = "incidents";

/// A severity level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Severity {
    pub code: String,
    pub rank: i64,
    pub name_ja: String,
    pub name_en: String,
    pub definition_ja: String,
    pub definition_en: String,
}

/// The levels, lowest first.
pub async fn severities(store: &Store) -> Result<Vec<Severity>> {
    let rows = sqlx::query(
        "SELECT code, rank, name_ja, name_en, definition_ja, definition_en \
         FROM incident_severities ORDER BY rank",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Severity {
                code: row.try_get("code")?,
                rank: row.try_get("rank")?,
                name_ja: row.try_get("name_ja")?,
                name_en: row.try_get("name_en")?,
                definition_ja: row.try_get("definition_ja")?,
                definition_en: row.try_get("definition_en")?,
            })
        })
        .collect()
}

/// An incident with the names it mentions.
#[derive(Debug, Clone)]
pub struct IncidentRecord {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub description: String,
    pub noticed_at: OffsetDateTime,
    pub place: String,
    pub personal: Personal,
    pub people: Option<i64>,
    pub contact: String,
    pub reporter_id: i64,
    pub reporter_name: String,
    pub entered_by: Option<i64>,
    pub entered_by_name: Option<String>,
    pub asset_id: Option<i64>,
    pub stage: Stage,
    pub severity: Option<String>,
    pub threat_id: Option<i64>,
    pub threat_name: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub summary: String,
    pub cause: String,
    pub closed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "i.id, i.number, i.title, i.description, i.noticed_at, i.place, \
     i.personal, i.people, i.contact, i.reporter_id, r.display_name AS reporter_name, \
     i.entered_by, e.display_name AS entered_by_name, i.asset_id, i.stage, i.severity, i.threat_id, \
     t.name AS threat_name, i.owner_id, o.display_name AS owner_name, i.summary, i.cause, \
     i.closed_at, i.created_at";
const FROM: &str = "FROM incidents i JOIN users r ON r.id = i.reporter_id \
     LEFT JOIN users e ON e.id = i.entered_by LEFT JOIN users o ON o.id = i.owner_id \
     LEFT JOIN threats t ON t.id = i.threat_id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<IncidentRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let closed_at: Option<String> = row.try_get("closed_at")?;
    Ok(IncidentRecord {
        id,
        number: text("number")?,
        title: text("title")?,
        description: text("description")?,
        noticed_at: decode_timestamp(TABLE, id, "noticed_at", &text("noticed_at")?)?,
        place: text("place")?,
        personal: decode(TABLE, id, "personal", &text("personal")?, Personal::parse)?,
        people: row.try_get("people")?,
        contact: text("contact")?,
        reporter_id: row.try_get("reporter_id")?,
        reporter_name: text("reporter_name")?,
        entered_by: row.try_get("entered_by")?,
        entered_by_name: row.try_get("entered_by_name")?,
        asset_id: row.try_get("asset_id")?,
        stage: decode(TABLE, id, "stage", &text("stage")?, Stage::parse)?,
        severity: row.try_get("severity")?,
        threat_id: row.try_get("threat_id")?,
        threat_name: row.try_get("threat_name")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        summary: text("summary")?,
        cause: text("cause")?,
        closed_at: closed_at
            .map(|v| decode_timestamp(TABLE, id, "closed_at", &v))
            .transpose()?,
        created_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
    })
}

pub async fn get(store: &Store, id: i64) -> Result<IncidentRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE i.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// What search finds an incident by — its title, description and place — as grams
/// (SQLite's full-text table) and as the normalised runs (PostgreSQL's).
fn search_columns(title: &str, description: &str, place: &str) -> (String, String) {
    let text = format!("{title}\n{description}\n{place}");
    (grams(&text), search_text(&text))
}

/// A new report, as the use case checked it.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    pub input: &'a mamori_domain::incident::ReportInput,
    pub reporter_id: i64,
    /// Who typed it, when not the reporter.
    pub entered_by: Option<i64>,
    pub asset_id: Option<i64>,
    pub fiscal_year: i32,
}

/// Records a report with its number and first timeline entry.
pub async fn create(tx: &mut WriteTx, new: NewIncident<'_>) -> Result<(i64, String)> {
    let prefix = format!("{}-%", new.fiscal_year);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE number LIKE $1")
        .bind(prefix)
        .fetch_one(&mut *tx.tx)
        .await?;
    let number = mamori_domain::incident::number(new.fiscal_year, count + 1);
    let now = now_text();
    let input = new.input;
    let searched = search_columns(&input.title, &input.description, &input.place);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (number, title, description, noticed_at, place, personal, \
         contact, reporter_id, entered_by, asset_id, stage, summary, cause, created_at, \
         updated_at, fiscal_year, search_grams, search_text) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, '', '', $12, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&number)
    .bind(&input.title)
    .bind(&input.description)
    .bind(crate::timestamp_text(input.noticed_at))
    .bind(&input.place)
    .bind(input.personal.as_str())
    .bind(&input.contact)
    .bind(new.reporter_id)
    .bind(new.entered_by)
    .bind(new.asset_id)
    .bind(Stage::Reported.as_str())
    .bind(now.clone())
    .bind(i64::from(new.fiscal_year))
    .bind(searched.0)
    .bind(searched.1)
    .fetch_one(&mut *tx.tx)
    .await?;
    add_entry(tx, id, EntryKind::Reported, "", None, None).await?;
    if let Some(asset) = new.asset_id {
        sqlx::query(
            "INSERT INTO incident_links (incident_id, kind, target_id, linked_by, linked_at) \
             VALUES ($1, 'asset', $2, $3, $4)",
        )
        .bind(id)
        .bind(asset)
        .bind(tx.actor.user_id)
        .bind(now.clone())
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(
        AuditEntry::new("incident.report", "incident")
            .target(id)
            .change("number", None::<&str>, number.as_str())
            .change("title", None::<&str>, input.title.as_str())
            .change("reporter_id", None::<i64>, new.reporter_id)
            .change("entered_by", None::<i64>, new.entered_by)
            .change("personal", None::<&str>, input.personal.as_str()),
    )
    .await?;
    Ok((id, number))
}

/// Appends a timeline entry; the caller writes the audit entry of what it records.
pub async fn add_entry(
    tx: &mut WriteTx,
    incident: i64,
    kind: EntryKind,
    text: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO incident_entries (incident_id, at, author_id, kind, text, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(incident)
    .bind(now_text())
    .bind(tx.actor.user_id)
    .bind(kind.as_str())
    .bind(text)
    .bind(before)
    .bind(after)
    .fetch_one(&mut *tx.tx)
    .await?)
}

/// A timeline entry with its author's name.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: OffsetDateTime,
    pub author_name: Option<String>,
    pub kind: EntryKind,
    pub text: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The timeline, the oldest first.
pub async fn entries(store: &Store, incident: i64) -> Result<Vec<Entry>> {
    const ENTRIES: &str = "incident_entries";
    let rows = sqlx::query(
        "SELECT n.id, n.at, u.display_name, n.kind, n.text, n.before, n.after \
         FROM incident_entries n LEFT JOIN users u ON u.id = n.author_id \
         WHERE n.incident_id = $1 ORDER BY n.id",
    )
    .bind(incident)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let at: String = row.try_get("at")?;
            let kind: String = row.try_get("kind")?;
            Ok(Entry {
                id,
                at: decode_timestamp(ENTRIES, id, "at", &at)?,
                author_name: row.try_get("display_name")?,
                kind: decode(ENTRIES, id, "kind", &kind, EntryKind::parse)?,
                text: row.try_get("text")?,
                before: row.try_get("before")?,
                after: row.try_get("after")?,
            })
        })
        .collect()
}

/// One field of an incident a use case changes, with its timeline entry and audit line.
#[derive(Debug, Clone)]
pub struct Change {
    pub column: &'static str,
    /// The column holds a number (the values are its decimal text).
    pub numeric: bool,
    pub kind: EntryKind,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Applies `changes` (columns of the incident, values as stored), one timeline entry
/// each, and one audit entry `action` naming them all, with `text` as the entries' note.
pub async fn apply(
    tx: &mut WriteTx,
    id: i64,
    action: &'static str,
    changes: &[Change],
    text: &str,
) -> Result<()> {
    let mut entry = AuditEntry::new(action, "incident").target(id);
    for change in changes {
        // Column names come from the use case's fixed list, never from input.
        let query = sqlx::query(AssertSqlSafe(format!(
            "UPDATE incidents SET {} = $1, updated_at = $2 WHERE id = $3",
            change.column
        )));
        let query = if change.numeric {
            query.bind(change.after.as_deref().and_then(|v| v.parse::<i64>().ok()))
        } else {
            query.bind(change.after.clone())
        };
        query.bind(now_text()).bind(id).execute(&mut *tx.tx).await?;
        add_entry(
            tx,
            id,
            change.kind,
            text,
            change.before.as_deref(),
            change.after.as_deref(),
        )
        .await?;
        entry = entry.change(change.column, &change.before, &change.after);
    }
    if changes.is_empty() {
        add_entry(tx, id, EntryKind::Note, text, None, None).await?;
        entry = entry.change("note", None::<&str>, text);
    }
    tx.audit(entry).await
}

/// Whether `user` was shared the incident.
pub async fn is_shared(store: &Store, incident: i64, user: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_shares WHERE incident_id = $1 AND user_id = $2",
    )
    .bind(incident)
    .bind(user)
    .fetch_one(store.pool())
    .await?;
    Ok(n > 0)
}

/// Those the incident is shared with, as (user, name).
pub async fn shares(store: &Store, incident: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT s.user_id, u.display_name FROM incident_shares s JOIN users u \
         ON u.id = s.user_id WHERE s.incident_id = $1 ORDER BY s.shared_at, s.user_id",
    )
    .bind(incident)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("user_id")?, row.try_get("display_name")?)))
        .collect()
}

/// Shares the incident with `user` (once; again is a conflict).
pub async fn share(tx: &mut WriteTx, incident: i64, user: i64, name: &str) -> Result<()> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_shares WHERE incident_id = $1 AND user_id = $2",
    )
    .bind(incident)
    .bind(user)
    .fetch_one(&mut *tx.tx)
    .await?;
    if n > 0 {
        return Err(StoreError::Conflict("shared"));
    }
    sqlx::query(
        "INSERT INTO incident_shares (incident_id, user_id, shared_by, shared_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(incident)
    .bind(user)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .execute(&mut *tx.tx)
    .await?;
    add_entry(tx, incident, EntryKind::Shared, "", None, Some(name)).await?;
    tx.audit(
        AuditEntry::new("incident.share", "incident")
            .target(incident)
            .change("user_id", None::<i64>, user),
    )
    .await
}

/// Closes an incident with its summary and cause: the stage, the close time, one
/// timeline entry (the summary) and one audit entry.
pub async fn close(
    tx: &mut WriteTx,
    before: &IncidentRecord,
    summary: &str,
    cause: &str,
) -> Result<()> {
    let now = now_text();
    sqlx::query(
        "UPDATE incidents SET stage = $1, summary = $2, cause = $3, closed_at = $4, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(Stage::Closed.as_str())
    .bind(summary)
    .bind(cause)
    .bind(now)
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    add_entry(
        tx,
        before.id,
        EntryKind::Closed,
        summary,
        Some(before.stage.as_str()),
        Some(Stage::Closed.as_str()),
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.close", "incident")
            .target(before.id)
            .change("stage", before.stage.as_str(), Stage::Closed.as_str())
            .change("summary", before.summary.as_str(), summary)
            .change("cause", before.cause.as_str(), cause),
    )
    .await
}

/// Reopens a closed incident at `stage`, with the reason on the timeline.
pub async fn reopen(
    tx: &mut WriteTx,
    before: &IncidentRecord,
    stage: Stage,
    reason: &str,
) -> Result<()> {
    sqlx::query("UPDATE incidents SET stage = $1, closed_at = NULL, updated_at = $2 WHERE id = $3")
        .bind(stage.as_str())
        .bind(now_text())
        .bind(before.id)
        .execute(&mut *tx.tx)
        .await?;
    add_entry(
        tx,
        before.id,
        EntryKind::Reopened,
        reason,
        Some(Stage::Closed.as_str()),
        Some(stage.as_str()),
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.reopen", "incident")
            .target(before.id)
            .change("stage", Stage::Closed.as_str(), stage.as_str())
            .change("reason", None::<&str>, reason),
    )
    .await
}
