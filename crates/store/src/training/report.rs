//! What the yearly training report reads beyond the coverage rule: attendance counted
//! per session and mark, the holders of the posts during the 年度, and the awareness
//! notices posted in it with their figures. Each is one query for the whole 年度, so the
//! report costs the same whatever the number of people.

use mamori_domain::training::{Attendance, Way};
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::{Result, Store, date_text, decode, decode_date, decode_timestamp, timestamp_text};

/// How many attendances of one kind a session has: (session, mark, way, confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkCount {
    pub session_id: i64,
    pub status: Attendance,
    pub way: Way,
    pub confirmed: bool,
    pub count: i64,
}

/// The attendance of every session (not cancelled) of the courses of a 年度, counted by
/// mark, way and confirmation: what the rule counts is decided by the caller.
pub async fn mark_counts(store: &Store, fiscal_year: i32) -> Result<Vec<MarkCount>> {
    // The confirmation becomes a BIGINT so both backends answer the same type.
    let rows = sqlx::query(
        "SELECT a.session_id, a.status, a.way, \
         CAST(CASE WHEN a.confirmed_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS confirmed, \
         COUNT(*) AS n \
         FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id \
         JOIN training_courses c ON c.id = s.course_id \
         WHERE c.fiscal_year = $1 AND s.cancelled_at IS NULL \
         GROUP BY a.session_id, a.status, a.way, \
         CASE WHEN a.confirmed_at IS NULL THEN 0 ELSE 1 END \
         ORDER BY a.session_id",
    )
    .bind(i64::from(fiscal_year))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            const T: &str = "training_attendance";
            let session_id: i64 = row.try_get("session_id")?;
            let confirmed: i64 = row.try_get("confirmed")?;
            Ok(MarkCount {
                session_id,
                status: decode(
                    T,
                    session_id,
                    "status",
                    &row.try_get::<String, _>("status")?,
                    Attendance::parse,
                )?,
                way: decode(
                    T,
                    session_id,
                    "way",
                    &row.try_get::<String, _>("way")?,
                    Way::parse,
                )?,
                confirmed: confirmed != 0,
                count: row.try_get("n")?,
            })
        })
        .collect()
}

/// One term of a post's holder that overlaps a span of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub post_id: i64,
    pub holder_id: i64,
    pub holder_name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// The terms of the posts in use that overlap `from`..=`to`, by post and start.
pub async fn holdings_between(store: &Store, from: Date, to: Date) -> Result<Vec<Holding>> {
    let rows = sqlx::query(
        "SELECT t.id, t.post_id, t.holder_id, u.display_name, t.starts_on, t.ends_on \
         FROM post_terms t JOIN org_posts p ON p.id = t.post_id \
         JOIN users u ON u.id = t.holder_id \
         WHERE p.retired_at IS NULL AND t.starts_on <= $2 \
         AND (t.ends_on IS NULL OR t.ends_on >= $1) \
         ORDER BY p.call_order, t.post_id, t.starts_on, t.id",
    )
    .bind(date_text(from))
    .bind(date_text(to))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            const T: &str = "post_terms";
            let id: i64 = row.try_get("id")?;
            let ends_on: Option<String> = row.try_get("ends_on")?;
            Ok(Holding {
                post_id: row.try_get("post_id")?,
                holder_id: row.try_get("holder_id")?,
                holder_name: row.try_get("display_name")?,
                starts_on: decode_date(
                    T,
                    id,
                    "starts_on",
                    &row.try_get::<String, _>("starts_on")?,
                )?,
                ends_on: ends_on
                    .map(|e| decode_date(T, id, "ends_on", &e))
                    .transpose()?,
            })
        })
        .collect()
}

/// An awareness notice with its figures, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedNotice {
    pub id: i64,
    pub title: String,
    pub created_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub audience_size: i64,
    pub read_count: i64,
}

/// The notices posted from `from` (inclusive) to `to` (exclusive), oldest first.
pub async fn notices_between(
    store: &Store,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<PostedNotice>> {
    // Timestamps are stored as RFC 3339 UTC to the second, so they compare as text.
    let rows = sqlx::query(
        "SELECT n.id, n.title, n.created_at, n.withdrawn_at, \
         (SELECT COUNT(*) FROM awareness_recipients r WHERE r.notice_id = n.id) AS audience_size, \
         (SELECT COUNT(*) FROM awareness_recipients r WHERE r.notice_id = n.id \
          AND r.read_at IS NOT NULL) AS read_count \
         FROM awareness_notices n WHERE n.created_at >= $1 AND n.created_at < $2 \
         ORDER BY n.created_at, n.id",
    )
    .bind(timestamp_text(from))
    .bind(timestamp_text(to))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            const T: &str = "awareness_notices";
            let id: i64 = row.try_get("id")?;
            let withdrawn_at: Option<String> = row.try_get("withdrawn_at")?;
            Ok(PostedNotice {
                id,
                title: row.try_get("title")?,
                created_at: decode_timestamp(
                    T,
                    id,
                    "created_at",
                    &row.try_get::<String, _>("created_at")?,
                )?,
                withdrawn_at: withdrawn_at
                    .map(|v| decode_timestamp(T, id, "withdrawn_at", &v))
                    .transpose()?,
                audience_size: row.try_get("audience_size")?,
                read_count: row.try_get("read_count")?,
            })
        })
        .collect()
}
