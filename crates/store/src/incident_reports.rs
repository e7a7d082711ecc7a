//! Outside reports of incidents as stored (issue 18 item 3): the facts on the incident
//! that decide them (columns of `incidents`, changed through `incidents::apply`), the
//! report duties kept as data, the reports made (each with its timeline entry and audit
//! entry in the same write; withdrawn with a reason, never deleted), and the people
//! threshold setting.

use std::collections::HashMap;

use mamori_domain::calendar::DayCount;
use mamori_domain::incident::{EntryKind, Personal};
use mamori_domain::incident_report::{
    DutyInput, FactValues, ReportStage, SentInput, Trigger, parse_triggers, triggers_text,
};
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::incidents::add_entry;
use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_timestamp, now_text};

/// The setting that holds the people threshold (more than this many people involved
/// makes the `people_over` trigger hold).
pub const PEOPLE_THRESHOLD: &str = "incident.people_threshold";

const DUTIES: &str = "incident_report_duties";
const REPORTS: &str = "incident_reports";
const INCIDENTS: &str = "incidents";

/// The people threshold: the setting, or the rules' 100.
pub async fn threshold(store: &Store) -> Result<i64> {
    let value = crate::settings::get(store, PEOPLE_THRESHOLD).await?;
    match value {
        None => Ok(mamori_domain::incident_report::DEFAULT_PEOPLE_THRESHOLD),
        Some(v) => decode("settings", PEOPLE_THRESHOLD, "value", &v, |s| {
            s.parse().ok()
        }),
    }
}

fn fact(id: i64, column: &'static str, row: &sqlx::any::AnyRow) -> Result<Personal> {
    let text: String = row.try_get(column)?;
    decode(INCIDENTS, id, column, &text, Personal::parse)
}

/// The facts of every incident, by id (sensitive, intentional, unauthorised, financial).
pub async fn all_facts(store: &Store) -> Result<HashMap<i64, FactValues>> {
    let rows =
        sqlx::query("SELECT id, sensitive, intentional, unauthorised, financial FROM incidents")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            Ok((
                id,
                [
                    fact(id, "sensitive", row)?,
                    fact(id, "intentional", row)?,
                    fact(id, "unauthorised", row)?,
                    fact(id, "financial", row)?,
                ],
            ))
        })
        .collect()
}

/// The facts of one incident.
pub async fn facts(store: &Store, incident: i64) -> Result<FactValues> {
    let row = sqlx::query(
        "SELECT id, sensitive, intentional, unauthorised, financial FROM incidents WHERE id = $1",
    )
    .bind(incident)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok([
        fact(incident, "sensitive", &row)?,
        fact(incident, "intentional", &row)?,
        fact(incident, "unauthorised", &row)?,
        fact(incident, "financial", &row)?,
    ])
}

/// A report duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRecord {
    pub id: i64,
    pub recipient_ja: String,
    pub recipient_en: String,
    pub stage: ReportStage,
    pub triggers: Vec<Trigger>,
    pub unless: Vec<Trigger>,
    pub min_severity: Option<String>,
    pub days: u32,
    pub count: DayCount,
    pub active: bool,
    pub position: i64,
}

fn duty_from(row: &sqlx::any::AnyRow) -> Result<DutyRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let days: i64 = row.try_get("days")?;
    Ok(DutyRecord {
        id,
        recipient_ja: text("recipient_ja")?,
        recipient_en: text("recipient_en")?,
        stage: decode(DUTIES, id, "stage", &text("stage")?, ReportStage::parse)?,
        triggers: decode(DUTIES, id, "triggers", &text("triggers")?, parse_triggers)?,
        unless: decode(DUTIES, id, "unless", &text("unless")?, parse_triggers)?,
        min_severity: row.try_get("min_severity")?,
        days: decode(DUTIES, id, "days", &days.to_string(), |d| {
            d.parse::<u32>().ok()
        })?,
        count: decode(
            DUTIES,
            id,
            "day_count",
            &text("day_count")?,
            DayCount::parse,
        )?,
        active: row.try_get::<i64, _>("active")? != 0,
        position: row.try_get("position")?,
    })
}

const DUTY_COLUMNS: &str = "id, recipient_ja, recipient_en, stage, triggers, unless, \
     min_severity, days, day_count, active, position";

/// Every duty, active first, in their order.
pub async fn duties(store: &Store) -> Result<Vec<DutyRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DUTY_COLUMNS} FROM incident_report_duties ORDER BY active DESC, position, id"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(duty_from).collect()
}

pub async fn duty(store: &Store, id: i64) -> Result<DutyRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DUTY_COLUMNS} FROM incident_report_duties WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    duty_from(&row)
}

/// The audit line of a duty's fields.
fn duty_changes(
    mut entry: AuditEntry,
    before: Option<&DutyRecord>,
    after: &DutyInput,
) -> AuditEntry {
    let b = |f: fn(&DutyRecord) -> String| before.map(f);
    let fields: [(&str, Option<String>, String); 8] = [
        (
            "recipient_ja",
            b(|d| d.recipient_ja.clone()),
            after.recipient_ja.clone(),
        ),
        (
            "recipient_en",
            b(|d| d.recipient_en.clone()),
            after.recipient_en.clone(),
        ),
        (
            "stage",
            b(|d| d.stage.as_str().to_owned()),
            after.stage.as_str().to_owned(),
        ),
        (
            "triggers",
            b(|d| triggers_text(&d.triggers)),
            triggers_text(&after.triggers),
        ),
        (
            "unless",
            b(|d| triggers_text(&d.unless)),
            triggers_text(&after.unless),
        ),
        (
            "min_severity",
            b(|d| d.min_severity.clone().unwrap_or_default()),
            after.min_severity.clone().unwrap_or_default(),
        ),
        ("days", b(|d| d.days.to_string()), after.days.to_string()),
        (
            "day_count",
            b(|d| d.count.as_str().to_owned()),
            after.count.as_str().to_owned(),
        ),
    ];
    for (name, before, after) in fields {
        if before.as_deref() != Some(after.as_str()) {
            entry = entry.change(name, before, after);
        }
    }
    if before.map(|d| d.position) != Some(after.position) {
        entry = entry.change("position", before.map(|d| d.position), after.position);
    }
    entry
}

/// Adds a duty (active).
pub async fn add_duty(tx: &mut WriteTx, input: &DutyInput) -> Result<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incident_report_duties (recipient_ja, recipient_en, stage, triggers, \
         unless, min_severity, days, day_count, active, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING id",
    )
    .bind(&input.recipient_ja)
    .bind(&input.recipient_en)
    .bind(input.stage.as_str())
    .bind(triggers_text(&input.triggers))
    .bind(triggers_text(&input.unless))
    .bind(input.min_severity.clone())
    .bind(i64::from(input.days))
    .bind(input.count.as_str())
    .bind(input.position)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    let entry = duty_changes(
        AuditEntry::new("incident.duty_add", "incident_report_duty").target(id),
        None,
        input,
    );
    tx.audit(entry).await?;
    Ok(id)
}

/// Changes a duty; returns whether anything changed.
pub async fn edit_duty(tx: &mut WriteTx, before: &DutyRecord, input: &DutyInput) -> Result<bool> {
    let entry = duty_changes(
        AuditEntry::new("incident.duty_edit", "incident_report_duty").target(before.id),
        Some(before),
        input,
    );
    if entry.changes.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE incident_report_duties SET recipient_ja = $1, recipient_en = $2, stage = $3, \
         triggers = $4, unless = $5, min_severity = $6, days = $7, day_count = $8, \
         position = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&input.recipient_ja)
    .bind(&input.recipient_en)
    .bind(input.stage.as_str())
    .bind(triggers_text(&input.triggers))
    .bind(triggers_text(&input.unless))
    .bind(input.min_severity.clone())
    .bind(i64::from(input.days))
    .bind(input.count.as_str())
    .bind(input.position)
    .bind(now_text())
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(entry).await?;
    Ok(true)
}

/// Retires an active duty: it no longer applies to incidents, and stays where a report
/// was made for it.
pub async fn retire_duty(tx: &mut WriteTx, id: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE incident_report_duties SET active = 0, updated_at = $1 WHERE id = $2 AND active = 1",
    )
    .bind(now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("retired"));
    }
    tx.audit(
        AuditEntry::new("incident.duty_retire", "incident_report_duty")
            .target(id)
            .change("active", true, false),
    )
    .await
}

/// A report made, with the names it mentions.
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub id: i64,
    pub incident_id: i64,
    pub duty_id: Option<i64>,
    pub recipient: String,
    pub sent_on: Date,
    pub reference: String,
    pub note: String,
    pub attachment_id: Option<i64>,
    pub recorded_by: Option<String>,
    pub recorded_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdraw_reason: String,
}

fn report_from(row: &sqlx::any::AnyRow) -> Result<ReportRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let withdrawn_at: Option<String> = row.try_get("withdrawn_at")?;
    Ok(ReportRecord {
        id,
        incident_id: row.try_get("incident_id")?,
        duty_id: row.try_get("duty_id")?,
        recipient: text("recipient")?,
        sent_on: decode(REPORTS, id, "sent_on", &text("sent_on")?, crate::parse_date)?,
        reference: text("reference")?,
        note: text("note")?,
        attachment_id: row.try_get("attachment_id")?,
        recorded_by: row.try_get("recorded_by_name")?,
        recorded_at: decode_timestamp(REPORTS, id, "recorded_at", &text("recorded_at")?)?,
        withdrawn_at: withdrawn_at
            .map(|v| decode_timestamp(REPORTS, id, "withdrawn_at", &v))
            .transpose()?,
        withdrawn_by: row.try_get("withdrawn_by_name")?,
        withdraw_reason: text("withdraw_reason")?,
    })
}

const REPORT_SELECT: &str = "SELECT r.id, r.incident_id, r.duty_id, r.recipient, r.sent_on, \
     r.reference, r.note, r.attachment_id, a.display_name AS recorded_by_name, r.recorded_at, \
     r.withdrawn_at, w.display_name AS withdrawn_by_name, r.withdraw_reason \
     FROM incident_reports r LEFT JOIN users a ON a.id = r.recorded_by \
     LEFT JOIN users w ON w.id = r.withdrawn_by";

/// The reports made on an incident, in the order sent.
pub async fn reports(store: &Store, incident: i64) -> Result<Vec<ReportRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{REPORT_SELECT} WHERE r.incident_id = $1 ORDER BY r.sent_on, r.id"
    )))
    .bind(incident)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(report_from).collect()
}

/// Every report not withdrawn that answers a duty, as (incident, duty, sent on).
pub async fn all_sent(store: &Store) -> Result<Vec<(i64, i64, Date)>> {
    let rows = sqlx::query(
        "SELECT id, incident_id, duty_id, sent_on FROM incident_reports \
         WHERE withdrawn_at IS NULL AND duty_id IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let sent_on: String = row.try_get("sent_on")?;
            Ok((
                row.try_get("incident_id")?,
                row.try_get("duty_id")?,
                decode(REPORTS, id, "sent_on", &sent_on, crate::parse_date)?,
            ))
        })
        .collect()
}

pub async fn report(store: &Store, id: i64) -> Result<ReportRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{REPORT_SELECT} WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    report_from(&row)
}

/// Records a report made, with its timeline entry (the recipient and date) and its
/// audit entry.
pub async fn record(
    tx: &mut WriteTx,
    incident: i64,
    input: &SentInput,
    recipient: &str,
    attachment_id: Option<i64>,
) -> Result<i64> {
    let sent_on = crate::date_text(input.sent_on);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incident_reports (incident_id, duty_id, recipient, sent_on, reference, \
         note, attachment_id, recorded_by, recorded_at, withdraw_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '') RETURNING id",
    )
    .bind(incident)
    .bind(input.duty_id)
    .bind(recipient)
    .bind(&sent_on)
    .bind(&input.reference)
    .bind(&input.note)
    .bind(attachment_id)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    let summary = format!("{recipient} {sent_on} {}", input.reference);
    add_entry(
        tx,
        incident,
        EntryKind::OutsideReport,
        &input.note,
        None,
        Some(summary.trim()),
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.report_sent", "incident")
            .target(incident)
            .change("report_id", None::<i64>, id)
            .change("duty_id", None::<i64>, input.duty_id)
            .change("recipient", None::<&str>, recipient)
            .change("sent_on", None::<&str>, sent_on.as_str())
            .change("reference", None::<&str>, input.reference.as_str())
            .change("attachment_id", None::<i64>, attachment_id),
    )
    .await?;
    Ok(id)
}

/// Withdraws a report recorded by mistake (kept, marked withdrawn with the reason).
pub async fn withdraw(tx: &mut WriteTx, report: &ReportRecord, reason: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE incident_reports SET withdrawn_at = $1, withdrawn_by = $2, withdraw_reason = $3 \
         WHERE id = $4 AND withdrawn_at IS NULL",
    )
    .bind(now_text())
    .bind(tx.actor.user_id)
    .bind(reason)
    .bind(report.id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("withdrawn"));
    }
    let summary = format!("{} {}", report.recipient, crate::date_text(report.sent_on));
    add_entry(
        tx,
        report.incident_id,
        EntryKind::ReportWithdrawn,
        reason,
        Some(&summary),
        None,
    )
    .await?;
    tx.audit(
        AuditEntry::new("incident.report_withdraw", "incident")
            .target(report.incident_id)
            .change("report_id", None::<i64>, report.id)
            .change("reason", None::<&str>, reason),
    )
    .await
}
