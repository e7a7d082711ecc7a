//! Attendance at training sessions as stored: who is on a session's list, the marks
//! recorded or imported, declarations of outside courses and their confirmation, and
//! what the coverage rule counts.

use mamori_domain::training::{Attendance, CourseKind, Way};
use mamori_domain::user::UserType;
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

/// One person on a session's list: invited, and/or with an attendance.
#[derive(Debug, Clone)]
pub struct Participant {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub user_type: UserType,
    pub invited: bool,
    pub attendance: Option<AttendanceRecord>,
}

#[derive(Debug, Clone)]
pub struct AttendanceRecord {
    pub id: i64,
    pub status: Attendance,
    pub way: Way,
    pub note: String,
    pub recorded_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
}

/// Everyone invited to a session or with an attendance at it, by login.
pub async fn participants(store: &Store, session_id: i64) -> Result<Vec<Participant>> {
    let rows = sqlx::query(
        "SELECT u.id AS user_id, u.login, u.display_name, u.user_type, \
         (SELECT COUNT(*) FROM training_invitees i WHERE i.session_id = $1 \
          AND i.user_id = u.id) AS invited, \
         a.id AS attendance_id, a.status, a.way, a.note, a.recorded_at, a.confirmed_at \
         FROM users u LEFT JOIN training_attendance a ON a.user_id = u.id AND a.session_id = $1 \
         WHERE a.id IS NOT NULL OR EXISTS (SELECT 1 FROM training_invitees i \
          WHERE i.session_id = $1 AND i.user_id = u.id) \
         ORDER BY u.login",
    )
    .bind(session_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            const T: &str = "training_attendance";
            let user_id: i64 = row.try_get("user_id")?;
            let attendance_id: Option<i64> = row.try_get("attendance_id")?;
            let attendance = match attendance_id {
                None => None,
                Some(id) => {
                    let confirmed_at: Option<String> = row.try_get("confirmed_at")?;
                    Some(AttendanceRecord {
                        id,
                        status: decode(
                            T,
                            id,
                            "status",
                            &row.try_get::<String, _>("status")?,
                            Attendance::parse,
                        )?,
                        way: decode(T, id, "way", &row.try_get::<String, _>("way")?, Way::parse)?,
                        note: row.try_get("note")?,
                        recorded_at: decode_timestamp(
                            T,
                            id,
                            "recorded_at",
                            &row.try_get::<String, _>("recorded_at")?,
                        )?,
                        confirmed_at: confirmed_at
                            .map(|v| decode_timestamp(T, id, "confirmed_at", &v))
                            .transpose()?,
                    })
                }
            };
            let user_type: String = row.try_get("user_type")?;
            Ok(Participant {
                user_id,
                login: row.try_get("login")?,
                display_name: row.try_get("display_name")?,
                user_type: decode("users", user_id, "user_type", &user_type, UserType::parse)?,
                invited: row.try_get::<i64, _>("invited")? > 0,
                attendance,
            })
        })
        .collect()
}

/// Records attendance for several people at once (the organiser's list or a sign-in
/// sheet): each row is written or replaced, and one audit entry lists them all.
/// A replaced declaration becomes the organiser's record (confirmed by writing it).
pub async fn record_attendance(
    tx: &mut WriteTx,
    session_id: i64,
    marks: &[(i64, Attendance)],
    way: Way,
) -> Result<()> {
    let now = now_text();
    let mut changed = Vec::with_capacity(marks.len());
    for (user_id, status) in marks {
        let before: Option<String> = sqlx::query_scalar(
            "SELECT status FROM training_attendance WHERE session_id = $1 AND user_id = $2",
        )
        .bind(session_id)
        .bind(*user_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if before.as_deref() == Some(status.as_str()) {
            continue;
        }
        if before.is_some() {
            sqlx::query(
                "UPDATE training_attendance SET status = $1, way = $2, recorded_by = $3, \
                 recorded_at = $4, confirmed_by = NULL, confirmed_at = NULL \
                 WHERE session_id = $5 AND user_id = $6",
            )
            .bind(status.as_str())
            .bind(way.as_str())
            .bind(tx.actor.user_id)
            .bind(now.clone())
            .bind(session_id)
            .bind(*user_id)
            .execute(&mut *tx.tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO training_attendance (session_id, user_id, status, way, note, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, '', $5, $6)",
            )
            .bind(session_id)
            .bind(*user_id)
            .bind(status.as_str())
            .bind(way.as_str())
            .bind(tx.actor.user_id)
            .bind(now.clone())
            .execute(&mut *tx.tx)
            .await?;
        }
        changed.push((*user_id, before, status.as_str()));
    }
    if changed.is_empty() {
        return Ok(());
    }
    tx.audit(
        AuditEntry::new("training.attendance", "training_session")
            .target(session_id)
            .change("way", None::<&str>, way.as_str())
            .change("marks", None::<&str>, changed),
    )
    .await
}

/// The acting person declares they attended an outside course's session, with a note
/// (where, what certificate). Conflict when they already have an attendance there.
pub async fn declare(tx: &mut WriteTx, session_id: i64, note: &str) -> Result<i64> {
    let user_id = tx.actor.user_id;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM training_attendance WHERE session_id = $1 AND user_id = $2",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict("attendance exists"));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO training_attendance (session_id, user_id, status, way, note, recorded_by, \
         recorded_at) VALUES ($1, $2, 'present', 'declared', $3, $2, $4) RETURNING id",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(note.to_owned())
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("training.declare", "training_attendance")
            .target(id)
            .change("session_id", None::<i64>, session_id)
            .change("note", None::<&str>, note),
    )
    .await?;
    Ok(id)
}

/// Confirms a declared attendance (the organiser has seen the proof).
pub async fn confirm(tx: &mut WriteTx, attendance_id: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE training_attendance SET confirmed_by = $1, confirmed_at = $2 \
         WHERE id = $3 AND way = 'declared' AND confirmed_at IS NULL",
    )
    .bind(tx.actor.user_id)
    .bind(now_text())
    .bind(attendance_id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("not an unconfirmed declaration"));
    }
    tx.audit(AuditEntry::new("training.confirm", "training_attendance").target(attendance_id))
        .await
}

/// The session an attendance belongs to, and whose it is.
pub async fn attendance_owner(store: &Store, attendance_id: i64) -> Result<(i64, i64)> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT session_id, user_id FROM training_attendance WHERE id = $1")
            .bind(attendance_id)
            .fetch_optional(store.pool())
            .await?;
    row.ok_or(StoreError::NotFound)
}

/// One attendance as the coverage rule reads it.
#[derive(Debug, Clone)]
pub struct Counted {
    pub user_id: i64,
    pub held_on: Date,
    pub kind: CourseKind,
    pub status: Attendance,
    pub way: Way,
    pub confirmed: bool,
    pub course_id: i64,
}

/// Every attendance at sessions (not cancelled) held between `from` and `to`.
pub async fn attendance_between(store: &Store, from: Date, to: Date) -> Result<Vec<Counted>> {
    let rows = sqlx::query(
        "SELECT a.id, a.user_id, s.held_on, c.kind, a.status, a.way, a.confirmed_at, c.id AS course_id \
         FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id \
         JOIN training_courses c ON c.id = s.course_id \
         WHERE s.cancelled_at IS NULL AND s.held_on >= $1 AND s.held_on <= $2",
    )
    .bind(date_text(from))
    .bind(date_text(to))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            const T: &str = "training_attendance";
            let id: i64 = row.try_get("id")?;
            let confirmed: Option<String> = row.try_get("confirmed_at")?;
            Ok(Counted {
                user_id: row.try_get("user_id")?,
                held_on: decode_date(T, id, "held_on", &row.try_get::<String, _>("held_on")?)?,
                kind: decode(
                    T,
                    id,
                    "kind",
                    &row.try_get::<String, _>("kind")?,
                    CourseKind::parse,
                )?,
                status: decode(
                    T,
                    id,
                    "status",
                    &row.try_get::<String, _>("status")?,
                    Attendance::parse,
                )?,
                way: decode(T, id, "way", &row.try_get::<String, _>("way")?, Way::parse)?,
                confirmed: confirmed.is_some(),
                course_id: row.try_get("course_id")?,
            })
        })
        .collect()
}

/// A person the coverage rule may bind: active accounts, not contractors.
#[derive(Debug, Clone)]
pub struct Trainee {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub user_type: UserType,
    pub starts_on: Date,
}

pub async fn trainees(store: &Store) -> Result<Vec<Trainee>> {
    let rows = sqlx::query(
        "SELECT id, login, display_name, user_type, starts_on FROM users \
         WHERE active = 1 AND role <> 'contractor' ORDER BY login",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let user_type: String = row.try_get("user_type")?;
            Ok(Trainee {
                user_id: id,
                login: row.try_get("login")?,
                display_name: row.try_get("display_name")?,
                user_type: decode("users", id, "user_type", &user_type, UserType::parse)?,
                starts_on: decode_date(
                    "users",
                    id,
                    "starts_on",
                    &row.try_get::<String, _>("starts_on")?,
                )?,
            })
        })
        .collect()
}
