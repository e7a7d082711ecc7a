//! Notifications and the mail queue. A notice is stored per recipient inside the
//! caller's write transaction, and its mail (when one is wanted) is queued in the same
//! transaction; the background sender reads the queue afterwards. Marking a notice
//! read and a delivery attempt's bookkeeping are the person's and the sender's own
//! state and write outside the audit trail; a mail delivered, given up or sent again
//! is audited.

use mamori_domain::notice::NoticeKind;
use mamori_domain::wareki::Lang;
use sqlx::Row;
use time::OffsetDateTime;

use crate::sql::{Bind, Conditions};
use crate::users::{lang_code, parse_lang};
use crate::{AuditEntry, Result, Store, StoreError, WriteTx, timestamp_text};

/// One notice to one person.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: NoticeKind,
    pub title: String,
    pub link: String,
    pub urgent: bool,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

const NOTICE_COLUMNS: &str = "id, user_id, kind, title, link, urgent, created_at, read_at";

fn notification_from_row(row: &sqlx::any::AnyRow) -> Result<Notification> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let created_at: String = row.try_get("created_at")?;
    let read_at: Option<String> = row.try_get("read_at")?;
    Ok(Notification {
        id,
        user_id: row.try_get("user_id")?,
        kind: crate::decode("notifications", id, "kind", &kind, NoticeKind::parse)?,
        title: row.try_get("title")?,
        link: row.try_get("link")?,
        urgent: row.try_get::<i64, _>("urgent")? != 0,
        created_at: crate::decode_timestamp("notifications", id, "created_at", &created_at)?,
        read_at: read_at
            .map(|at| crate::decode_timestamp("notifications", id, "read_at", &at))
            .transpose()?,
    })
}

/// Who a notice goes to, as the mail needs them.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: i64,
    pub active: bool,
    pub mail: Option<String>,
    pub lang: Option<Lang>,
    /// Whether they want mail of this kind (no choice recorded: yes).
    pub wants_mail: bool,
}

/// The recipients among `user_ids` (unknown ids are left out), with their mail address,
/// language and choice for `kind`.
pub async fn recipients(
    tx: &mut WriteTx,
    user_ids: &[i64],
    kind: NoticeKind,
) -> Result<Vec<Recipient>> {
    let mut found = Vec::new();
    for &user_id in user_ids {
        let row = sqlx::query(
            "SELECT u.id, u.active, u.mail, u.locale, p.wants_mail FROM users u \
             LEFT JOIN notification_mail_prefs p ON p.user_id = u.id AND p.kind = $2 \
             WHERE u.id = $1",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else { continue };
        let locale: Option<String> = row.try_get("locale")?;
        found.push(Recipient {
            user_id,
            active: row.try_get::<i64, _>("active")? != 0,
            mail: row.try_get("mail")?,
            lang: locale
                .map(|l| crate::decode("users", user_id, "locale", &l, parse_lang))
                .transpose()?,
            wants_mail: row.try_get::<Option<i64>, _>("wants_mail")?.unwrap_or(1) != 0,
        });
    }
    Ok(found)
}

/// A notice to store for one person.
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: NoticeKind,
    pub title: &'a str,
    pub link: &'a str,
    pub urgent: bool,
}

pub async fn insert(tx: &mut WriteTx, notice: NewNotification<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, title, link, urgent, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(notice.user_id)
    .bind(notice.kind.as_str())
    .bind(notice.title.to_owned())
    .bind(notice.link.to_owned())
    .bind(i64::from(notice.urgent))
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?)
}

/// A mail to queue: its text is complete but for the link, which the sender writes with
/// the server's public address.
pub struct NewMail<'a> {
    pub notification_id: Option<i64>,
    pub user_id: i64,
    pub address: &'a str,
    pub lang: Lang,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

pub async fn queue_mail(tx: &mut WriteTx, mail: NewMail<'_>) -> Result<i64> {
    let now = crate::now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO mail_queue (notification_id, user_id, address, lang, subject, body, link, \
         state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8) RETURNING id",
    )
    .bind(mail.notification_id)
    .bind(mail.user_id)
    .bind(mail.address.to_owned())
    .bind(lang_code(mail.lang))
    .bind(mail.subject.to_owned())
    .bind(mail.body.to_owned())
    .bind(mail.link.to_owned())
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?)
}

/// A page of one person's notices, newest first, and how many there are in all.
pub async fn list(
    store: &Store,
    user_id: i64,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Notification>, i64)> {
    let mut conditions = Conditions::new();
    conditions.push("user_id = ?", Bind::Int(user_id));
    if unread_only {
        conditions.push_sql("read_at IS NULL");
    }
    let total: i64 = conditions
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM notifications{}",
            conditions.sql
        ))))
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM notifications{} ORDER BY id DESC LIMIT {} OFFSET {}",
        conditions.sql,
        conditions.next_placeholder(1),
        conditions.next_placeholder(2)
    );
    let rows = conditions
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(limit)
        .bind(offset)
        .fetch_all(store.pool())
        .await?;
    let notices = rows
        .iter()
        .map(notification_from_row)
        .collect::<Result<_>>()?;
    Ok((notices, total))
}

/// How many notices `user_id` has not read (the header shows it on every page; the
/// index on `(user_id, read_at)` answers it).
pub async fn unread_count(store: &Store, user_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(store.pool())
    .await?)
}

/// One of `user_id`'s notices; another person's is not found.
pub async fn get(store: &Store, user_id: i64, id: i64) -> Result<Notification> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {NOTICE_COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    notification_from_row(&row)
}

/// Marks one of `user_id`'s notices read; false when it was read already.
pub async fn mark_read(store: &Store, user_id: i64, id: i64) -> Result<bool> {
    get(store, user_id, id).await?;
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
    )
    .bind(crate::now_text())
    .bind(id)
    .bind(user_id)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks every unread notice of `user_id` read; returns how many.
pub async fn mark_all_read(store: &Store, user_id: i64) -> Result<u64> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(crate::now_text())
            .bind(user_id)
            .execute(store.pool())
            .await?;
    Ok(done.rows_affected())
}

/// An unread notice with the person it is for, for the lists handed out on paper.
#[derive(Debug, Clone)]
pub struct OpenNotice {
    pub login: String,
    pub display_name: String,
    pub notice: Notification,
}

/// Every unread notice of active users, by person (login) and newest first.
pub async fn open_by_person(store: &Store) -> Result<Vec<OpenNotice>> {
    let rows = sqlx::query(
        "SELECT n.id, n.user_id, n.kind, n.title, n.link, n.urgent, n.created_at, n.read_at, \
         u.login, u.display_name FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE n.read_at IS NULL AND u.active = 1 ORDER BY u.login, n.id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OpenNotice {
                login: row.try_get("login")?,
                display_name: row.try_get("display_name")?,
                notice: notification_from_row(row)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- mail settings

/// The mail address of `user_id`, if one is set.
pub async fn mail_address(store: &Store, user_id: i64) -> Result<Option<String>> {
    sqlx::query_scalar::<_, Option<String>>("SELECT mail FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Sets (or clears) the mail address of `user_id`, audited as `user.mail`; false when
/// it was already that.
pub async fn set_mail_address(
    tx: &mut WriteTx,
    user_id: i64,
    address: Option<&str>,
) -> Result<bool> {
    let current: Option<String> =
        sqlx::query_scalar::<_, Option<String>>("SELECT mail FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    if current.as_deref() == address {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET mail = $1, updated_at = $2 WHERE id = $3")
        .bind(address.map(str::to_owned))
        .bind(crate::now_text())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(AuditEntry::new("user.mail", "user").target(user_id).change(
        "mail",
        current.as_deref(),
        address,
    ))
    .await?;
    Ok(true)
}

/// The kinds `user_id` has said yes or no to (the others: yes).
pub async fn mail_choices(store: &Store, user_id: i64) -> Result<Vec<(NoticeKind, bool)>> {
    let rows = sqlx::query(
        "SELECT kind, wants_mail FROM notification_mail_prefs WHERE user_id = $1 ORDER BY kind",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok((
                crate::decode(
                    "notification_mail_prefs",
                    user_id,
                    "kind",
                    &kind,
                    NoticeKind::parse,
                )?,
                row.try_get::<i64, _>("wants_mail")? != 0,
            ))
        })
        .collect()
}

/// Records `user_id`'s choice of mail per kind, audited as `notify.preferences` with the
/// kinds that changed; returns whether any did.
pub async fn set_mail_choices(
    tx: &mut WriteTx,
    user_id: i64,
    choices: &[(NoticeKind, bool)],
) -> Result<bool> {
    let mut entry = AuditEntry::new("notify.preferences", "user").target(user_id);
    let mut changed = false;
    for &(kind, wants) in choices {
        let current: Option<i64> = sqlx::query_scalar(
            "SELECT wants_mail FROM notification_mail_prefs WHERE user_id = $1 AND kind = $2",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let before = current.is_none_or(|v| v != 0);
        if before == wants {
            continue;
        }
        sqlx::query(
            "INSERT INTO notification_mail_prefs (user_id, kind, wants_mail) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, kind) DO UPDATE SET wants_mail = $3",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(i64::from(wants))
        .execute(&mut *tx.tx)
        .await?;
        entry = entry.change(kind.as_str(), Some(before), wants);
        changed = true;
    }
    if changed {
        tx.audit(entry).await?;
    }
    Ok(changed)
}

// ---------------------------------------------------------------- the mail queue

/// Where a queued mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// Waiting for its (next) attempt.
    Queued,
    Sent,
    /// Given up after the last attempt; the security officer may send it again.
    Failed,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Queued => "queued",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<MailState> {
        match code {
            "queued" => Some(MailState::Queued),
            "sent" => Some(MailState::Sent),
            "failed" => Some(MailState::Failed),
            _ => None,
        }
    }
}

/// A mail of the queue.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub user_id: i64,
    pub address: String,
    pub lang: Lang,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub state: MailState,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

const MAIL_COLUMNS: &str = "id, user_id, address, lang, subject, body, link, state, attempts, \
     next_attempt_at, last_error, created_at, sent_at";

fn mail_from_row(row: &sqlx::any::AnyRow) -> Result<QueuedMail> {
    let id: i64 = row.try_get("id")?;
    let text = |column: &'static str| -> Result<String> { Ok(row.try_get(column)?) };
    let at = |column: &'static str, value: &str| {
        crate::decode_timestamp("mail_queue", id, column, value)
    };
    let sent_at: Option<String> = row.try_get("sent_at")?;
    Ok(QueuedMail {
        id,
        user_id: row.try_get("user_id")?,
        address: text("address")?,
        lang: crate::decode("mail_queue", id, "lang", &text("lang")?, parse_lang)?,
        subject: text("subject")?,
        body: text("body")?,
        link: text("link")?,
        state: crate::decode("mail_queue", id, "state", &text("state")?, MailState::parse)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: at("next_attempt_at", &text("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
        created_at: at("created_at", &text("created_at")?)?,
        sent_at: sent_at.map(|s| at("sent_at", &s)).transpose()?,
    })
}

/// Queued mails whose attempt is due at `now`, oldest first.
pub async fn due(store: &Store, now: OffsetDateTime, limit: i64) -> Result<Vec<QueuedMail>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MAIL_COLUMNS} FROM mail_queue WHERE state = 'queued' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    )))
    .bind(timestamp_text(now))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(mail_from_row).collect()
}

/// Takes a due mail for one attempt: its next attempt moves to `lease_until`, so that a
/// second sender (or this one after a crash) tries it only once the lease has passed.
/// False when another sender took it first.
pub async fn claim(store: &Store, mail: &QueuedMail, lease_until: OffsetDateTime) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE mail_queue SET next_attempt_at = $1 \
         WHERE id = $2 AND state = 'queued' AND attempts = $3 AND next_attempt_at = $4",
    )
    .bind(timestamp_text(lease_until))
    .bind(mail.id)
    .bind(mail.attempts)
    .bind(timestamp_text(mail.next_attempt_at))
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records a delivered mail, audited as `mail.sent` (who it was for, not the address).
pub async fn mark_sent(tx: &mut WriteTx, mail: &QueuedMail) -> Result<()> {
    let now = crate::now_text();
    sqlx::query(
        "UPDATE mail_queue SET state = 'sent', attempts = attempts + 1, sent_at = $1, \
         last_error = NULL WHERE id = $2",
    )
    .bind(now)
    .bind(mail.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("mail.sent", "mail")
            .target(mail.id)
            .change("user_id", None::<i64>, mail.user_id)
            .change("attempts", None::<i64>, mail.attempts + 1),
    )
    .await
}

/// Records a failed attempt that will be tried again at `next`.
pub async fn record_failure(
    store: &Store,
    mail: &QueuedMail,
    next: OffsetDateTime,
    error: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 \
         WHERE id = $3 AND state = 'queued'",
    )
    .bind(timestamp_text(next))
    .bind(error.chars().take(500).collect::<String>())
    .bind(mail.id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Gives a mail up after its last failed attempt, audited as `mail.failed`.
pub async fn mark_failed(tx: &mut WriteTx, mail: &QueuedMail, error: &str) -> Result<()> {
    let error: String = error.chars().take(500).collect();
    sqlx::query(
        "UPDATE mail_queue SET state = 'failed', attempts = attempts + 1, last_error = $1 \
         WHERE id = $2 AND state = 'queued'",
    )
    .bind(error.clone())
    .bind(mail.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("mail.failed", "mail")
            .target(mail.id)
            .change("user_id", None::<i64>, mail.user_id)
            .change("attempts", None::<i64>, mail.attempts + 1)
            .change("error", None::<&str>, &error),
    )
    .await
}

/// Puts a failed (or still waiting) mail back for an attempt now, audited as
/// `mail.retry`. Not found when it was sent or does not exist.
pub async fn retry(tx: &mut WriteTx, id: i64) -> Result<()> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM mail_queue WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let state = state.ok_or(StoreError::NotFound)?;
    let state = crate::decode("mail_queue", id, "state", &state, MailState::parse)?;
    if state == MailState::Sent {
        return Err(StoreError::Conflict("sent mail"));
    }
    sqlx::query(
        "UPDATE mail_queue SET state = 'queued', attempts = 0, next_attempt_at = $1 WHERE id = $2",
    )
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(AuditEntry::new("mail.retry", "mail").target(id).change(
        "state",
        Some(state.as_str()),
        "queued",
    ))
    .await
}

/// The mails in `states`, newest first, with who they are for, and how many in all.
pub async fn list_mail(
    store: &Store,
    states: &[MailState],
    limit: i64,
) -> Result<(Vec<(QueuedMail, String)>, i64)> {
    let codes: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
    // The codes are this module's own constants, never input.
    let filter = format!("m.state IN ({})", codes.join(", "));
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM mail_queue m WHERE {filter}"
    )))
    .fetch_one(store.pool())
    .await?;
    let columns = MAIL_COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {columns}, u.login FROM mail_queue m JOIN users u ON u.id = m.user_id \
         WHERE {filter} ORDER BY m.id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mails = rows
        .iter()
        .map(|row| Ok((mail_from_row(row)?, row.try_get("login")?)))
        .collect::<Result<_>>()?;
    Ok((mails, total))
}

/// How many mails wait for an attempt and how many were given up: what an operator
/// watches (`/metrics`).
pub async fn mail_queue_lengths(store: &Store) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0) AS queued, \
         COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed \
         FROM mail_queue WHERE state <> 'sent'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get("queued")?, row.try_get("failed")?))
}
