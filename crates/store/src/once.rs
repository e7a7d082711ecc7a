//! One-time form tokens and API idempotency keys: who submitted which token to which
//! path, and the answer the first submission got. Bookkeeping beside the registers, like
//! sessions: it records no change of a register, so it writes no audit entry (the
//! submission it guards writes its own).

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::{Result, Store, StoreError};

/// How long a token is remembered: a form left open overnight is a new submission.
pub const LIFETIME: Duration = Duration::days(1);

/// Where a token came from, which decides what "the same submission" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A hidden field of a page's form: one page carries one token for all its forms,
    /// so the token is one-time per path.
    Form,
    /// An `Idempotency-Key` header: one key names one request, whatever its path.
    Api,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Form => "form",
            Kind::Api => "api",
        }
    }
}

/// The answer a finished submission got, kept to be given again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    /// None when the answer may not be kept (it showed a secret once) or had no body.
    pub body: Option<String>,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The token is new: the caller runs the submission and then [`finish`]es or
    /// [`release`]s it.
    Fresh,
    /// The first submission is still running.
    Busy,
    /// The first submission finished with this answer.
    Done(Answer),
    /// The key was used by the same user on another path (named).
    OtherPath(String),
}

/// Claims `token` of `user_id` for `path`, after purging tokens older than [`LIFETIME`].
pub async fn claim(
    store: &Store,
    user_id: i64,
    token: &str,
    path: &str,
    kind: Kind,
) -> Result<Claim> {
    purge(store, OffsetDateTime::now_utc() - LIFETIME).await?;
    if kind == Kind::Api {
        let elsewhere: Option<String> = sqlx::query_scalar(
            "SELECT path FROM once_tokens \
             WHERE user_id = $1 AND token = $2 AND path <> $3 AND kind = $4 LIMIT 1",
        )
        .bind(user_id)
        .bind(token)
        .bind(path)
        .bind(kind.as_str())
        .fetch_optional(store.pool())
        .await?;
        if let Some(first) = elsewhere {
            return Ok(Claim::OtherPath(first));
        }
    }
    // The unique (user, token, path) decides between two submissions arriving together.
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO once_tokens (user_id, token, path, kind, state, created_at) \
         VALUES ($1, $2, $3, $4, 'running', $5) \
         ON CONFLICT (user_id, token, path) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(token)
    .bind(path)
    .bind(kind.as_str())
    .bind(crate::now_text())
    .fetch_optional(store.pool())
    .await?;
    if inserted.is_some() {
        return Ok(Claim::Fresh);
    }
    look(store, user_id, token, path).await
}

/// The state of a claimed token: Busy, Done, or Fresh again when the first submission
/// was released in the meantime (the caller then claims anew).
pub async fn look(store: &Store, user_id: i64, token: &str, path: &str) -> Result<Claim> {
    let row = sqlx::query(
        "SELECT id, state, status, location, content_type, body FROM once_tokens \
         WHERE user_id = $1 AND token = $2 AND path = $3",
    )
    .bind(user_id)
    .bind(token)
    .bind(path)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Claim::Fresh);
    };
    let id: i64 = row.try_get("id")?;
    let state: String = row.try_get("state")?;
    let done = crate::decode("once_tokens", id, "state", &state, |s| match s {
        "running" => Some(false),
        "done" => Some(true),
        _ => None,
    })?;
    if !done {
        return Ok(Claim::Busy);
    }
    let stored: Option<i64> = row.try_get("status")?;
    let status = stored
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| StoreError::Corrupt {
            table: "once_tokens",
            row: id.to_string(),
            column: "status",
            value: format!("{stored:?}"),
        })?;
    Ok(Claim::Done(Answer {
        status,
        location: row.try_get("location")?,
        content_type: row.try_get("content_type")?,
        body: row.try_get("body")?,
    }))
}

/// Keeps the answer of the submission that claimed the token.
pub async fn finish(
    store: &Store,
    user_id: i64,
    token: &str,
    path: &str,
    answer: &Answer,
) -> Result<()> {
    sqlx::query(
        "UPDATE once_tokens SET state = 'done', status = $1, location = $2, content_type = $3, \
         body = $4, finished_at = $5 WHERE user_id = $6 AND token = $7 AND path = $8",
    )
    .bind(i64::from(answer.status))
    .bind(answer.location.clone())
    .bind(answer.content_type.clone())
    .bind(answer.body.clone())
    .bind(crate::now_text())
    .bind(user_id)
    .bind(token)
    .bind(path)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Forgets a claim whose submission wrote nothing (refused input, an error), so that the
/// corrected form can be sent again with the same token.
pub async fn release(store: &Store, user_id: i64, token: &str, path: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM once_tokens WHERE user_id = $1 AND token = $2 AND path = $3 \
         AND state = 'running'",
    )
    .bind(user_id)
    .bind(token)
    .bind(path)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Removes tokens claimed before `before`.
pub async fn purge(store: &Store, before: OffsetDateTime) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM once_tokens WHERE created_at < $1")
        .bind(crate::timestamp_text(before))
        .execute(store.pool())
        .await?
        .rows_affected())
}
