//! Training and drills as stored: the plan of each 年度, courses, sessions with the people
//! invited when they were planned, and the coverage rules. Attendance per person, and the
//! people it is counted for, are in [`attendance`].

mod attendance;
pub mod report;

pub use attendance::*;

use mamori_domain::awareness::AudienceKind;
use mamori_domain::training::{
    CourseInput, CourseKind, Rule, Rules, SessionInput, parse_time, time_text,
};
use mamori_domain::user::UserType;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime, Time};

use crate::sql::{Bind, bind_all, multi_insert};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

/// Invitees inserted per statement.
const INSERT_BATCH: usize = 200;

fn split<T>(
    table: &'static str,
    row: &str,
    column: &'static str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>> {
    value
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| decode(table, row, column, c, &parse))
        .collect()
}

fn joined<T: Copy>(values: &[T], code: impl Fn(T) -> &'static str) -> String {
    values
        .iter()
        .map(|v| code(*v))
        .collect::<Vec<_>>()
        .join(",")
}

/// The coverage rules as the assembly set them.
pub async fn rules(store: &Store) -> Result<Rules> {
    let rows = sqlx::query(
        "SELECT code, user_types, course_kinds, within_days FROM training_rules ORDER BY code",
    )
    .fetch_all(store.pool())
    .await?;
    let mut yearly = None;
    let mut new_people = None;
    let mut within_days = 0;
    for row in &rows {
        let code: String = row.try_get("code")?;
        let rule = Rule {
            user_types: split(
                "training_rules",
                &code,
                "user_types",
                &row.try_get::<String, _>("user_types")?,
                UserType::parse,
            )?,
            course_kinds: split(
                "training_rules",
                &code,
                "course_kinds",
                &row.try_get::<String, _>("course_kinds")?,
                CourseKind::parse,
            )?,
        };
        match code.as_str() {
            "yearly" => yearly = Some(rule),
            "new_people" => {
                within_days = row.try_get::<Option<i64>, _>("within_days")?.unwrap_or(0);
                new_people = Some(rule);
            }
            _ => {}
        }
    }
    match (yearly, new_people) {
        (Some(yearly), Some(new_people)) => Ok(Rules {
            yearly,
            new_people,
            within_days,
        }),
        _ => Err(StoreError::Corrupt {
            table: "training_rules",
            row: "yearly/new_people".into(),
            column: "code",
            value: "missing".into(),
        }),
    }
}

/// Replaces the rules, with one audit entry naming before and after.
pub async fn set_rules(tx: &mut WriteTx, before: &Rules, rules: &Rules) -> Result<()> {
    let now = now_text();
    for (code, rule, days) in [
        ("yearly", &rules.yearly, None),
        ("new_people", &rules.new_people, Some(rules.within_days)),
    ] {
        sqlx::query(
            "UPDATE training_rules SET user_types = $1, course_kinds = $2, within_days = $3, \
             updated_by = $4, updated_at = $5 WHERE code = $6",
        )
        .bind(joined(&rule.user_types, UserType::as_str))
        .bind(joined(&rule.course_kinds, CourseKind::as_str))
        .bind(days)
        .bind(tx.actor.user_id)
        .bind(now.clone())
        .bind(code)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(AuditEntry::new("training.rules", "training_rules").change("rules", before, rules))
        .await
}

/// The plan (研修計画) of one 年度.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    pub id: i64,
    pub fiscal_year: i32,
    pub summary: String,
    /// draft | asked | approved
    pub status: String,
    pub updated_at: OffsetDateTime,
    pub approved_at: Option<OffsetDateTime>,
}

const PLAN_COLUMNS: &str =
    "id, fiscal_year, summary, status, updated_at, approved_at FROM training_plans";

fn plan_from(row: &sqlx::any::AnyRow) -> Result<PlanRecord> {
    let id: i64 = row.try_get("id")?;
    let approved_at: Option<String> = row.try_get("approved_at")?;
    Ok(PlanRecord {
        id,
        fiscal_year: row.try_get::<i64, _>("fiscal_year")? as i32,
        summary: row.try_get("summary")?,
        status: row.try_get("status")?,
        updated_at: decode_timestamp(
            "training_plans",
            id,
            "updated_at",
            &row.try_get::<String, _>("updated_at")?,
        )?,
        approved_at: approved_at
            .map(|v| decode_timestamp("training_plans", id, "approved_at", &v))
            .transpose()?,
    })
}

pub async fn plan_of_year(store: &Store, fiscal_year: i32) -> Result<Option<PlanRecord>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} WHERE fiscal_year = $1"
    )))
    .bind(i64::from(fiscal_year))
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(plan_from).transpose()
}

pub async fn plan(store: &Store, id: i64) -> Result<PlanRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref()
        .map(plan_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Writes the plan of a 年度 as a draft: a new one, or the draft (or the plan sent back)
/// rewritten. An approved or asked plan is not rewritten here (Conflict).
pub async fn save_plan(tx: &mut WriteTx, fiscal_year: i32, summary: &str) -> Result<i64> {
    let now = now_text();
    let existing: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, status, summary FROM training_plans WHERE fiscal_year = $1")
            .bind(i64::from(fiscal_year))
            .fetch_optional(&mut *tx.tx)
            .await?;
    let (id, before) = match existing {
        Some((id, status, before)) => {
            if status != "draft" {
                return Err(StoreError::Conflict("plan not a draft"));
            }
            if before == summary {
                return Ok(id);
            }
            sqlx::query("UPDATE training_plans SET summary = $1, updated_at = $2 WHERE id = $3")
                .bind(summary.to_owned())
                .bind(now)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            (id, Some(before))
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_plans (fiscal_year, summary, status, created_by, \
                 created_at, updated_at) VALUES ($1, $2, 'draft', $3, $4, $4) RETURNING id",
            )
            .bind(i64::from(fiscal_year))
            .bind(summary.to_owned())
            .bind(tx.actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx.tx)
            .await?;
            (id, None)
        }
    };
    tx.audit(
        AuditEntry::new("training.plan_save", "training_plan")
            .target(id)
            .change("fiscal_year", None::<i32>, fiscal_year)
            .change("summary", before, summary),
    )
    .await?;
    Ok(id)
}

/// Moves a plan between draft, asked and approved (the approval block's steps).
pub async fn set_plan_status(tx: &mut WriteTx, id: i64, from: &str, to: &str) -> Result<()> {
    let approved_at = (to == "approved").then(now_text);
    let done = sqlx::query(
        "UPDATE training_plans SET status = $1, approved_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.to_owned())
    .bind(approved_at)
    .bind(id)
    .bind(from.to_owned())
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("plan status"));
    }
    tx.audit(
        AuditEntry::new("training.plan_status", "training_plan")
            .target(id)
            .change("status", from, to),
    )
    .await
}

/// A course with how many sessions it has.
#[derive(Debug, Clone)]
pub struct CourseRecord {
    pub id: i64,
    pub fiscal_year: i32,
    pub kind: CourseKind,
    pub title: String,
    pub description: String,
    pub sessions: i64,
}

const COURSE_COLUMNS: &str = "c.id, c.fiscal_year, c.kind, c.title, c.description, \
     (SELECT COUNT(*) FROM training_sessions s WHERE s.course_id = c.id \
      AND s.cancelled_at IS NULL) AS sessions FROM training_courses c";

fn course_from(row: &sqlx::any::AnyRow) -> Result<CourseRecord> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    Ok(CourseRecord {
        id,
        fiscal_year: row.try_get::<i64, _>("fiscal_year")? as i32,
        kind: decode("training_courses", id, "kind", &kind, CourseKind::parse)?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        sessions: row.try_get("sessions")?,
    })
}

pub async fn courses(store: &Store, fiscal_year: i32) -> Result<Vec<CourseRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} WHERE c.fiscal_year = $1 ORDER BY c.id"
    )))
    .bind(i64::from(fiscal_year))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(course_from).collect()
}

/// The 年度 that have courses.
pub async fn course_years(store: &Store) -> Result<Vec<i32>> {
    let years: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT fiscal_year FROM training_courses ORDER BY fiscal_year",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(years.into_iter().map(|y| y as i32).collect())
}

pub async fn course(store: &Store, id: i64) -> Result<CourseRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref()
        .map(course_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn create_course(tx: &mut WriteTx, input: &CourseInput) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO training_courses (fiscal_year, kind, title, description, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(i64::from(input.fiscal_year.year()))
    .bind(input.kind.as_str())
    .bind(input.title.clone())
    .bind(input.description.clone())
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("training.course_create", "training_course")
            .target(id)
            .change("fiscal_year", None::<i32>, input.fiscal_year.year())
            .change("kind", None::<&str>, input.kind.as_str())
            .change("title", None::<&str>, input.title.as_str()),
    )
    .await?;
    Ok(id)
}

/// A session with its course and figures.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub kind: CourseKind,
    pub fiscal_year: i32,
    pub held_on: Date,
    pub starts_at: Time,
    pub ends_at: Time,
    pub place: String,
    pub online: bool,
    pub note: String,
    pub audience: AudienceKind,
    pub audience_codes: Vec<String>,
    pub cancelled_at: Option<OffsetDateTime>,
    pub invited: i64,
    pub present: i64,
}

const SESSION_COLUMNS: &str = "s.id, s.course_id, c.title AS course_title, c.kind, \
     c.fiscal_year, s.held_on, s.starts_at, s.ends_at, s.place, s.online, s.note, \
     s.audience, s.audience_codes, s.cancelled_at, \
     (SELECT COUNT(*) FROM training_invitees i WHERE i.session_id = s.id) AS invited, \
     (SELECT COUNT(*) FROM training_attendance a WHERE a.session_id = s.id \
      AND a.status = 'present') AS present \
     FROM training_sessions s JOIN training_courses c ON c.id = s.course_id";

fn session_from(row: &sqlx::any::AnyRow) -> Result<SessionRecord> {
    const T: &str = "training_sessions";
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let cancelled_at: Option<String> = row.try_get("cancelled_at")?;
    Ok(SessionRecord {
        id,
        course_id: row.try_get("course_id")?,
        course_title: text("course_title")?,
        kind: decode(T, id, "kind", &text("kind")?, CourseKind::parse)?,
        fiscal_year: row.try_get::<i64, _>("fiscal_year")? as i32,
        held_on: decode_date(T, id, "held_on", &text("held_on")?)?,
        starts_at: decode(T, id, "starts_at", &text("starts_at")?, parse_time)?,
        ends_at: decode(T, id, "ends_at", &text("ends_at")?, parse_time)?,
        place: text("place")?,
        online: row.try_get::<i64, _>("online")? != 0,
        note: text("note")?,
        audience: decode(T, id, "audience", &text("audience")?, AudienceKind::parse)?,
        audience_codes: text("audience_codes")?
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        cancelled_at: cancelled_at
            .map(|v| decode_timestamp(T, id, "cancelled_at", &v))
            .transpose()?,
        invited: row.try_get("invited")?,
        present: row.try_get("present")?,
    })
}

async fn select_sessions(
    store: &Store,
    condition: &str,
    binds: Vec<Bind>,
) -> Result<Vec<SessionRecord>> {
    let sql = format!("SELECT {SESSION_COLUMNS} {condition} ORDER BY s.held_on, s.starts_at, s.id");
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(session_from).collect()
}

pub async fn sessions_of_course(store: &Store, course_id: i64) -> Result<Vec<SessionRecord>> {
    select_sessions(store, "WHERE s.course_id = $1", vec![Bind::Int(course_id)]).await
}

pub async fn sessions_of_year(store: &Store, fiscal_year: i32) -> Result<Vec<SessionRecord>> {
    select_sessions(
        store,
        "WHERE c.fiscal_year = $1",
        vec![Bind::Int(i64::from(fiscal_year))],
    )
    .await
}

pub async fn session(store: &Store, id: i64) -> Result<SessionRecord> {
    select_sessions(store, "WHERE s.id = $1", vec![Bind::Int(id)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The ids of every session a person is invited to.
pub async fn invited_to(store: &Store, user_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT session_id FROM training_invitees WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(store.pool())
            .await?,
    )
}

/// The sessions a person is invited to from `from` on, not cancelled.
pub async fn upcoming_for(store: &Store, user_id: i64, from: Date) -> Result<Vec<SessionRecord>> {
    select_sessions(
        store,
        "WHERE s.cancelled_at IS NULL AND s.held_on >= $1 AND EXISTS (SELECT 1 FROM \
         training_invitees i WHERE i.session_id = s.id AND i.user_id = $2)",
        vec![Bind::Text(date_text(from)), Bind::Int(user_id)],
    )
    .await
}

pub async fn create_session(
    tx: &mut WriteTx,
    course_id: i64,
    input: &SessionInput,
    invitees: &[i64],
) -> Result<i64> {
    let codes = input.audience.codes().join(",");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO training_sessions (course_id, held_on, starts_at, ends_at, place, online, \
         note, audience, audience_codes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(course_id)
    .bind(date_text(input.held_on))
    .bind(time_text(input.starts_at))
    .bind(time_text(input.ends_at))
    .bind(input.place.clone())
    .bind(i64::from(input.online))
    .bind(input.note.clone())
    .bind(input.audience.kind().as_str())
    .bind(codes.clone())
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    for batch in invitees.chunks(INSERT_BATCH) {
        let sql = multi_insert("training_invitees", "session_id, user_id", 2, batch.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for user_id in batch {
            query = query.bind(id).bind(*user_id);
        }
        query.execute(&mut *tx.tx).await?;
    }
    tx.audit(
        AuditEntry::new("training.session_create", "training_session")
            .target(id)
            .change("course_id", None::<i64>, course_id)
            .change("held_on", None::<String>, date_text(input.held_on))
            .change("place", None::<&str>, input.place.as_str())
            .change("audience", None::<&str>, input.audience.kind().as_str())
            .change("audience_codes", None::<&str>, codes)
            .change("invitees", None::<usize>, invitees.len()),
    )
    .await?;
    Ok(id)
}

pub async fn cancel_session(tx: &mut WriteTx, id: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE training_sessions SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL",
    )
    .bind(now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("session cancelled"));
    }
    tx.audit(AuditEntry::new("training.session_cancel", "training_session").target(id))
        .await
}
