//! Recurring reviews of any record: its schedule (rule, reviewer, next due date) and
//! its review records. Policy reviews (clause 8) are stored here too; `policy_reviews`
//! keeps only what is particular to them.

use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::review::{Assignee, ReviewRecord, ReviewRule, Schedule};
use mamori_domain::user::OrgRole;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

/// A record's review schedule, with the name of the person reviewing (if a person) and
/// the title of the record reviewed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleRecord {
    pub id: i64,
    pub subject: RecordRef,
    pub subject_title: Option<String>,
    pub rule: ReviewRule,
    pub reviewer: Assignee,
    pub reviewer_name: Option<String>,
    /// None once a one-off review is done.
    pub next_due_on: Option<Date>,
}

/// One review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Review {
    pub id: i64,
    pub subject: RecordRef,
    pub reviewed_on: Date,
    pub due_on: Option<Date>,
    pub reviewer_id: Option<i64>,
    pub reviewer_name: Option<String>,
    pub outcome: String,
    pub note: String,
    pub recorded_at: OffsetDateTime,
}

/// The title of the record a schedule is attached to, per kind.
const SUBJECT_TITLE: &str = "CASE s.subject_kind \
     WHEN 'policy_document' THEN (SELECT d.title FROM policy_documents d WHERE d.id = s.subject_id) \
     WHEN 'risk' THEN (SELECT r.title FROM risks r WHERE r.id = s.subject_id) \
     WHEN 'corrective_action' THEN (SELECT a.title FROM corrective_actions a WHERE a.id = s.subject_id) \
     END";

fn schedule_columns() -> String {
    format!(
        "s.id, s.subject_kind, s.subject_id, s.rule, s.rule_month, s.rule_day, s.every_months, \
         s.once_on, s.reviewer_post, s.reviewer_id, u.display_name AS reviewer_name, s.next_due_on, \
         {SUBJECT_TITLE} AS subject_title \
         FROM review_schedules s LEFT JOIN users u ON u.id = s.reviewer_id"
    )
}

pub(crate) fn subject(table: &'static str, id: i64, row: &AnyRow) -> Result<RecordRef> {
    let kind: String = row.try_get("subject_kind")?;
    Ok(RecordRef {
        kind: decode(table, id, "subject_kind", &kind, RecordKind::parse)?,
        id: row.try_get("subject_id")?,
    })
}

pub(crate) fn opt_date(
    id: i64,
    table: &'static str,
    column: &'static str,
    row: &AnyRow,
) -> Result<Option<Date>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| decode_date(table, id, column, &t)).transpose()
}

pub(crate) fn corrupt(
    table: &'static str,
    id: i64,
    column: &'static str,
    value: &str,
) -> StoreError {
    StoreError::Corrupt {
        table,
        row: id.to_string(),
        column,
        value: value.chars().take(100).collect(),
    }
}

fn schedule_from_row(row: &AnyRow) -> Result<ScheduleRecord> {
    const T: &str = "review_schedules";
    let id: i64 = row.try_get("id")?;
    let rule: String = row.try_get("rule")?;
    let small = |column: &'static str| -> Result<u8> {
        let v: Option<i64> = row.try_get(column)?;
        v.and_then(|v| u8::try_from(v).ok())
            .ok_or_else(|| corrupt(T, id, column, &format!("{v:?}")))
    };
    let rule = match rule.as_str() {
        "fiscal_yearly" => ReviewRule::FiscalYearly {
            month: small("rule_month")?,
            day: small("rule_day")?,
        },
        "every_months" => ReviewRule::EveryMonths {
            months: small("every_months")?,
        },
        "once" => ReviewRule::Once {
            on: opt_date(id, T, "once_on", row)?.ok_or_else(|| corrupt(T, id, "once_on", ""))?,
        },
        other => return Err(corrupt(T, id, "rule", other)),
    };
    let post: Option<String> = row.try_get("reviewer_post")?;
    let user: Option<i64> = row.try_get("reviewer_id")?;
    let reviewer = match (post, user) {
        (Some(p), None) => Assignee::Post(decode(T, id, "reviewer_post", &p, OrgRole::parse)?),
        (None, Some(u)) => Assignee::User(u),
        (p, u) => return Err(corrupt(T, id, "reviewer_post", &format!("{p:?} / {u:?}"))),
    };
    Ok(ScheduleRecord {
        id,
        subject: subject(T, id, row)?,
        subject_title: row.try_get("subject_title")?,
        rule,
        reviewer,
        reviewer_name: row.try_get("reviewer_name")?,
        next_due_on: opt_date(id, T, "next_due_on", row)?,
    })
}

/// The schedule of `subject`, if it has one.
pub async fn schedule(store: &Store, subject: RecordRef) -> Result<Option<ScheduleRecord>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} WHERE s.subject_kind = $1 AND s.subject_id = $2",
        schedule_columns()
    )))
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(schedule_from_row).transpose()
}

/// Schedules with a review due on or before `until`, soonest first.
pub async fn due_until(store: &Store, until: Date) -> Result<Vec<ScheduleRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} WHERE s.next_due_on IS NOT NULL AND s.next_due_on <= $1 \
         ORDER BY s.next_due_on, s.id",
        schedule_columns()
    )))
    .bind(date_text(until))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(schedule_from_row).collect()
}

/// Every schedule with a review still due, soonest first.
pub async fn all_pending(store: &Store) -> Result<Vec<ScheduleRecord>> {
    due_until(store, Date::MAX).await
}

/// Sets (or replaces) the schedule of `subject`, due next on `next_due`.
pub async fn set_schedule(
    tx: &mut WriteTx,
    subject: RecordRef,
    schedule: &Schedule,
    next_due: Date,
) -> Result<i64> {
    let id = insert_schedule(tx, subject, schedule, next_due).await?;
    tx.audit(
        AuditEntry::new("review.schedule_set", subject.kind.as_str())
            .target(subject.id)
            .change("rule", None::<&str>, schedule.rule.code())
            .change("reviewer", None::<&str>, schedule.reviewer.code())
            .change("next_due_on", None::<&str>, date_text(next_due)),
    )
    .await?;
    Ok(id)
}

/// Stores the schedule (replacing any); the caller writes the audit entry.
pub(crate) async fn insert_schedule(
    tx: &mut WriteTx,
    subject: RecordRef,
    schedule: &Schedule,
    next_due: Date,
) -> Result<i64> {
    let (month, day, months, once) = match schedule.rule {
        ReviewRule::FiscalYearly { month, day } => {
            (Some(i64::from(month)), Some(i64::from(day)), None, None)
        }
        ReviewRule::EveryMonths { months } => (None, None, Some(i64::from(months)), None),
        ReviewRule::Once { on } => (None, None, None, Some(date_text(on))),
    };
    let (post, user) = match schedule.reviewer {
        Assignee::Post(p) => (Some(p.as_str()), None),
        Assignee::User(u) => (None, Some(u)),
    };
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO review_schedules (subject_kind, subject_id, rule, rule_month, rule_day, \
         every_months, once_on, reviewer_post, reviewer_id, next_due_on, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (subject_kind, subject_id) DO UPDATE SET rule = $3, rule_month = $4, \
         rule_day = $5, every_months = $6, once_on = $7, reviewer_post = $8, reviewer_id = $9, \
         next_due_on = $10, updated_at = $11 RETURNING id",
    )
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .bind(schedule.rule.code())
    .bind(month)
    .bind(day)
    .bind(months)
    .bind(once)
    .bind(post)
    .bind(user)
    .bind(date_text(next_due))
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(id)
}

/// Stores a review of `subject` and moves its schedule (if any) on to `next_due`; the
/// caller writes the audit entry. The review's id.
pub(crate) async fn insert_review(
    tx: &mut WriteTx,
    subject: RecordRef,
    review: &ReviewRecord,
    due_on: Option<Date>,
    next_due: Option<Date>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reviews (subject_kind, subject_id, reviewed_on, due_on, reviewer_id, outcome, \
         note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .bind(date_text(review.reviewed_on))
    .bind(due_on.map(date_text))
    .bind(tx.actor.user_id)
    .bind(review.outcome.clone())
    .bind(review.note.clone())
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    if due_on.is_some() {
        sqlx::query(
            "UPDATE review_schedules SET next_due_on = $1, updated_at = $2 \
             WHERE subject_kind = $3 AND subject_id = $4",
        )
        .bind(next_due.map(date_text))
        .bind(now_text())
        .bind(subject.kind.as_str())
        .bind(subject.id)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(id)
}

/// Records a review of `subject` that answered the review due on `due_on` (None when
/// it had no schedule), moving the schedule on to `next_due`. The review's id.
pub async fn record_review(
    tx: &mut WriteTx,
    subject: RecordRef,
    review: &ReviewRecord,
    due_on: Option<Date>,
    next_due: Option<Date>,
) -> Result<i64> {
    let id = insert_review(tx, subject, review, due_on, next_due).await?;
    tx.audit(
        AuditEntry::new("review.record", subject.kind.as_str())
            .target(subject.id)
            .change("review_id", None::<i64>, id)
            .change("reviewed_on", None::<&str>, date_text(review.reviewed_on))
            .change(
                "next_due_on",
                due_on.map(date_text),
                next_due.map(date_text),
            ),
    )
    .await?;
    Ok(id)
}

fn review_from_row(row: &AnyRow) -> Result<Review> {
    const T: &str = "reviews";
    let id: i64 = row.try_get("id")?;
    let reviewed_on: String = row.try_get("reviewed_on")?;
    let created: String = row.try_get("created_at")?;
    Ok(Review {
        id,
        subject: subject(T, id, row)?,
        reviewed_on: decode_date(T, id, "reviewed_on", &reviewed_on)?,
        due_on: opt_date(id, T, "due_on", row)?,
        reviewer_id: row.try_get("reviewer_id")?,
        reviewer_name: row.try_get("reviewer_name")?,
        outcome: row.try_get("outcome")?,
        note: row.try_get("note")?,
        recorded_at: decode_timestamp(T, id, "created_at", &created)?,
    })
}

/// The reviews of `subject`, newest first.
pub async fn reviews(store: &Store, subject: RecordRef) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT v.id, v.subject_kind, v.subject_id, v.reviewed_on, v.due_on, v.reviewer_id, \
         u.display_name AS reviewer_name, v.outcome, v.note, v.created_at \
         FROM reviews v LEFT JOIN users u ON u.id = v.reviewer_id \
         WHERE v.subject_kind = $1 AND v.subject_id = $2 ORDER BY v.reviewed_on DESC, v.id DESC",
    )
    .bind(subject.kind.as_str())
    .bind(subject.id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(review_from_row).collect()
}
