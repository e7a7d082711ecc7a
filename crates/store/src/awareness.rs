//! Awareness notices (注意喚起) as stored: the notice and the people it was addressed to
//! when it was posted, each with the time they marked it read. Each notice leaves here
//! with its audience's size and how many have read it, counted in the same query.

use mamori_domain::awareness::{AudienceKind, NoticeInput, Person};
use mamori_domain::user::{OrgRole, Role, UserType};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::sql::{Bind, bind_all, multi_insert};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

const TABLE: &str = "awareness_notices";
/// Recipients inserted per statement (3 parameters each, far below every limit).
const INSERT_BATCH: usize = 200;

/// One notice with its figures.
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub audience: AudienceKind,
    /// The user types, posts or login ids the audience named.
    pub audience_codes: Vec<String>,
    pub due_on: Option<Date>,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_by_name: Option<String>,
    pub withdraw_reason: String,
    /// People addressed when it was posted.
    pub audience_size: i64,
    /// Of them, those who marked it read.
    pub read_count: i64,
}

const COLUMNS: &str = "n.id, n.title, n.body, n.audience, n.audience_codes, n.due_on, \
     n.created_by, cb.display_name AS created_by_name, n.created_at, n.withdrawn_at, \
     wb.display_name AS withdrawn_by_name, n.withdraw_reason, \
     (SELECT COUNT(*) FROM awareness_recipients r WHERE r.notice_id = n.id) AS audience_size, \
     (SELECT COUNT(*) FROM awareness_recipients r WHERE r.notice_id = n.id \
      AND r.read_at IS NOT NULL) AS read_count \
     FROM awareness_notices n \
     LEFT JOIN users cb ON cb.id = n.created_by \
     LEFT JOIN users wb ON wb.id = n.withdrawn_by";

fn from_row(row: &sqlx::any::AnyRow) -> Result<NoticeRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let audience = decode(
        TABLE,
        id,
        "audience",
        &text("audience")?,
        AudienceKind::parse,
    )?;
    let codes = text("audience_codes")?;
    let due_on: Option<String> = row.try_get("due_on")?;
    let withdrawn_at: Option<String> = row.try_get("withdrawn_at")?;
    Ok(NoticeRecord {
        id,
        title: text("title")?,
        body: text("body")?,
        audience,
        audience_codes: codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        due_on: due_on
            .map(|v| decode_date(TABLE, id, "due_on", &v))
            .transpose()?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
        withdrawn_at: withdrawn_at
            .map(|v| decode_timestamp(TABLE, id, "withdrawn_at", &v))
            .transpose()?,
        withdrawn_by_name: row.try_get("withdrawn_by_name")?,
        withdraw_reason: text("withdraw_reason")?,
        audience_size: row.try_get("audience_size")?,
        read_count: row.try_get("read_count")?,
    })
}

async fn select(store: &Store, condition: &str, binds: Vec<Bind>) -> Result<Vec<NoticeRecord>> {
    let sql = format!("SELECT {COLUMNS} {condition} ORDER BY n.id DESC");
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every notice, newest first.
pub async fn all(store: &Store) -> Result<Vec<NoticeRecord>> {
    select(store, "", Vec::new()).await
}

/// The notices addressed to one person, newest first.
pub async fn addressed_to(store: &Store, user_id: i64) -> Result<Vec<NoticeRecord>> {
    select(
        store,
        "WHERE EXISTS (SELECT 1 FROM awareness_recipients r WHERE r.notice_id = n.id \
         AND r.user_id = $1)",
        vec![Bind::Int(user_id)],
    )
    .await
}

/// The notices in force (not withdrawn) that one person has not read yet.
pub async fn unread_by(store: &Store, user_id: i64) -> Result<Vec<NoticeRecord>> {
    select(
        store,
        "WHERE n.withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM awareness_recipients r \
         WHERE r.notice_id = n.id AND r.user_id = $1 AND r.read_at IS NULL)",
        vec![Bind::Int(user_id)],
    )
    .await
}

pub async fn get(store: &Store, id: i64) -> Result<NoticeRecord> {
    select(store, "WHERE n.id = $1", vec![Bind::Int(id)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// One person addressed by a notice, and their reading of it.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub user_type: UserType,
    pub read_at: Option<OffsetDateTime>,
    pub reminded_at: Option<OffsetDateTime>,
    pub reminders: i64,
}

/// Everyone a notice was addressed to, by login.
pub async fn recipients(store: &Store, notice_id: i64) -> Result<Vec<Recipient>> {
    let rows = sqlx::query(
        "SELECT r.user_id, u.login, u.display_name, u.user_type, r.read_at, r.reminded_at, \
         r.reminders FROM awareness_recipients r JOIN users u ON u.id = r.user_id \
         WHERE r.notice_id = $1 ORDER BY u.login",
    )
    .bind(notice_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let user_id: i64 = row.try_get("user_id")?;
            let key = format!("{notice_id}/{user_id}");
            let stamp = |name: &'static str| -> Result<Option<OffsetDateTime>> {
                let value: Option<String> = row.try_get(name)?;
                value
                    .map(|v| decode_timestamp("awareness_recipients", &key, name, &v))
                    .transpose()
            };
            let user_type: String = row.try_get("user_type")?;
            Ok(Recipient {
                user_id,
                login: row.try_get("login")?,
                display_name: row.try_get("display_name")?,
                user_type: decode("users", user_id, "user_type", &user_type, UserType::parse)?,
                read_at: stamp("read_at")?,
                reminded_at: stamp("reminded_at")?,
                reminders: row.try_get("reminders")?,
            })
        })
        .collect()
}

/// Whether a person is addressed by a notice, and when they read it.
pub async fn reading(
    store: &Store,
    notice_id: i64,
    user_id: i64,
) -> Result<Option<Option<OffsetDateTime>>> {
    let row: Option<Option<String>> = sqlx::query_scalar(
        "SELECT read_at FROM awareness_recipients WHERE notice_id = $1 AND user_id = $2",
    )
    .bind(notice_id)
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|read_at| {
        read_at
            .map(|v| decode_timestamp("awareness_recipients", notice_id, "read_at", &v))
            .transpose()
    })
    .transpose()
}

/// The notices addressed to one person, each with whether they have read it.
pub async fn readings_of(store: &Store, user_id: i64) -> Result<Vec<(i64, bool)>> {
    let rows =
        sqlx::query("SELECT notice_id, read_at FROM awareness_recipients WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|row| {
            let read_at: Option<String> = row.try_get("read_at")?;
            Ok((row.try_get("notice_id")?, read_at.is_some()))
        })
        .collect()
}

/// Every account as the audience rule needs it (active or not, with their posts).
pub async fn people(store: &Store) -> Result<Vec<Person>> {
    let rows = sqlx::query("SELECT id, login, role, user_type, active FROM users ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    // The posts held today (the organisation register's terms).
    let posts = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT h.holder_id, h.role_code FROM ({}) h",
        crate::organisation::roles_held_on()
    )))
    .bind(crate::date_text(crate::japan_today()))
    .fetch_all(store.pool())
    .await?;
    let mut held: Vec<(i64, OrgRole)> = Vec::with_capacity(posts.len());
    for row in &posts {
        let user_id: i64 = row.try_get("holder_id")?;
        let code: String = row.try_get("role_code")?;
        held.push((
            user_id,
            decode("org_posts", user_id, "role_code", &code, OrgRole::parse)?,
        ));
    }
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let role: String = row.try_get("role")?;
            let user_type: String = row.try_get("user_type")?;
            Ok(Person {
                id,
                login: row.try_get("login")?,
                role: decode("users", id, "role", &role, Role::parse)?,
                user_type: decode("users", id, "user_type", &user_type, UserType::parse)?,
                active: row.try_get::<i64, _>("active")? != 0,
                posts: held
                    .iter()
                    .filter(|(u, _)| *u == id)
                    .map(|(_, p)| *p)
                    .collect(),
            })
        })
        .collect()
}

/// Posts a notice to `recipients` (the audience resolved today), with its audit entry.
pub async fn create(tx: &mut WriteTx, input: &NoticeInput, recipients: &[i64]) -> Result<i64> {
    let codes = input.audience.codes().join(",");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO awareness_notices (title, body, audience, audience_codes, due_on, \
         created_by, created_at, withdraw_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, '') RETURNING id",
    )
    .bind(input.title.clone())
    .bind(input.body.clone())
    .bind(input.audience.kind().as_str())
    .bind(codes.clone())
    .bind(input.due_on.map(date_text))
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    for batch in recipients.chunks(INSERT_BATCH) {
        let sql = multi_insert(
            "awareness_recipients",
            "notice_id, user_id, reminders",
            3,
            batch.len(),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for user_id in batch {
            query = query.bind(id).bind(*user_id).bind(0_i64);
        }
        query.execute(&mut *tx.tx).await?;
    }
    tx.audit(
        AuditEntry::new("awareness.post", "awareness_notice")
            .target(id)
            .change("title", None::<&str>, input.title.as_str())
            .change("audience", None::<&str>, input.audience.kind().as_str())
            .change("audience_codes", None::<&str>, codes)
            .change("due_on", None::<String>, input.due_on.map(date_text))
            .change("recipients", None::<usize>, recipients.len()),
    )
    .await?;
    Ok(id)
}

/// Marks the notice read by the acting person. False when they had read it already:
/// nothing is written then, so the first reading's time stands. The person's in-app
/// notices about it (posting, reminders) are settled with it: they asked for this.
pub async fn mark_read(tx: &mut WriteTx, notice_id: i64) -> Result<bool> {
    let now = now_text();
    let done = sqlx::query(
        "UPDATE awareness_recipients SET read_at = $1 \
         WHERE notice_id = $2 AND user_id = $3 AND read_at IS NULL",
    )
    .bind(now.clone())
    .bind(notice_id)
    .bind(tx.actor.user_id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND kind = 'awareness' \
         AND link = $3 AND read_at IS NULL",
    )
    .bind(now.clone())
    .bind(tx.actor.user_id)
    .bind(format!("/awareness/{notice_id}"))
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("awareness.read", "awareness_notice")
            .target(notice_id)
            .change("read_at", None::<&str>, now),
    )
    .await?;
    Ok(true)
}

/// Records a reminder (督促) sent to `user_ids`, with its audit entry.
pub async fn record_reminder(tx: &mut WriteTx, notice_id: i64, user_ids: &[i64]) -> Result<()> {
    let now = now_text();
    for user_id in user_ids {
        sqlx::query(
            "UPDATE awareness_recipients SET reminded_at = $1, reminders = reminders + 1 \
             WHERE notice_id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(now.clone())
        .bind(notice_id)
        .bind(*user_id)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(
        AuditEntry::new("awareness.remind", "awareness_notice")
            .target(notice_id)
            .change("reminded", None::<usize>, user_ids.len()),
    )
    .await?;
    Ok(())
}

/// Withdraws (取り下げ) a notice with a reason; the notice and its readings stay.
pub async fn withdraw(tx: &mut WriteTx, notice_id: i64, reason: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE awareness_notices SET withdrawn_at = $1, withdrawn_by = $2, \
         withdraw_reason = $3 WHERE id = $4 AND withdrawn_at IS NULL",
    )
    .bind(now_text())
    .bind(tx.actor.user_id)
    .bind(reason.to_owned())
    .bind(notice_id)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("notice already withdrawn"));
    }
    tx.audit(
        AuditEntry::new("awareness.withdraw", "awareness_notice")
            .target(notice_id)
            .change("withdraw_reason", None::<&str>, reason),
    )
    .await?;
    Ok(())
}
