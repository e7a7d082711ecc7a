//! Server-side sessions. The cookie carries a random token; the database keeps only its
//! SHA-256, so a copy of the database does not hand out live sessions.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx};

/// Where a signed-in person stands: fully signed in, or between the password and the
/// next step that the password alone does not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Active,
    /// Password accepted; the TOTP code is next.
    Mfa,
    /// Password accepted; MFA is required for the role and must be enrolled first.
    MfaEnrol,
    /// Password accepted; it was reset by an administrator and must be changed first.
    PasswordChange,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Active => "active",
            Stage::Mfa => "mfa",
            Stage::MfaEnrol => "mfa_enrol",
            Stage::PasswordChange => "password_change",
        }
    }

    pub fn parse(value: &str) -> Option<Stage> {
        match value {
            "active" => Some(Stage::Active),
            "mfa" => Some(Stage::Mfa),
            "mfa_enrol" => Some(Stage::MfaEnrol),
            "password_change" => Some(Stage::PasswordChange),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub stage: Stage,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

pub fn token_hash(token: &str) -> String {
    crate::sha256_hex(token.as_bytes())
}

/// A new session for `user_id`; returns (session id, cookie token). The session starts
/// with a fresh id, so signing in always rotates it.
pub async fn create(
    tx: &mut WriteTx,
    user_id: i64,
    stage: Stage,
    user_agent: Option<&str>,
) -> Result<(i64, String)> {
    let now = crate::now_text();
    let client_addr = tx.actor.client_addr.clone();
    // 256-bit tokens do not clash in practice; the loop keeps a clash from becoming an error.
    for _ in 0..3 {
        let token = crate::random_token();
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, stage, csrf_token, created_at, last_seen_at, \
             expires_at, client_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $5, $5, $6, $7) \
             ON CONFLICT (token_hash) DO NOTHING RETURNING id",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(stage.as_str())
        .bind(crate::random_token())
        .bind(now.clone())
        .bind(client_addr.clone())
        .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
        .fetch_optional(&mut *tx.tx)
        .await?;
        if let Some(id) = inserted {
            return Ok((id, token));
        }
    }
    Err(StoreError::Conflict("session"))
}

pub async fn find_by_token(store: &Store, token: &str) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT id, user_id, stage, csrf_token, created_at, last_seen_at, client_addr, user_agent \
         FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| session_from_row(&row)).transpose()
}

fn session_from_row(row: &sqlx::any::AnyRow) -> Result<Session> {
    let id: i64 = row.try_get("id")?;
    let stage: String = row.try_get("stage")?;
    let created_at: String = row.try_get("created_at")?;
    let last_seen_at: String = row.try_get("last_seen_at")?;
    Ok(Session {
        id,
        user_id: row.try_get("user_id")?,
        stage: crate::decode("sessions", id, "stage", &stage, Stage::parse)?,
        csrf_token: row.try_get("csrf_token")?,
        created_at: crate::decode_timestamp("sessions", id, "created_at", &created_at)?,
        last_seen_at: crate::decode_timestamp("sessions", id, "last_seen_at", &last_seen_at)?,
        client_addr: row.try_get("client_addr")?,
        user_agent: row.try_get("user_agent")?,
    })
}

/// Notes activity for the idle timeout. Bookkeeping, not a change of record: no audit entry.
pub async fn touch(store: &Store, session_id: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(crate::now_text())
        .bind(session_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Removes an expired session found on a request (bookkeeping, like `touch`).
pub async fn discard(store: &Store, session_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn list_for_user(store: &Store, user_id: i64) -> Result<Vec<Session>> {
    let rows = sqlx::query(
        "SELECT id, user_id, stage, csrf_token, created_at, last_seen_at, client_addr, user_agent \
         FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(session_from_row).collect()
}

/// Ends one of `user_id`'s sessions (sign-out, or ending another device's session).
pub async fn end(
    tx: &mut WriteTx,
    user_id: i64,
    session_id: i64,
    action: &'static str,
) -> Result<()> {
    let removed = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    tx.audit(AuditEntry::new(action, "session").target(session_id))
        .await
}

/// Ends every session of a user (deactivation, password reset), recording how many.
pub async fn end_all_for_user(tx: &mut WriteTx, user_id: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected())
}

/// Moves a half-signed-in session to its next stage under a new id (the id rotates
/// whenever the session gains rights), returning the new cookie token.
pub async fn advance(
    tx: &mut WriteTx,
    old: &Session,
    stage: Stage,
    action: &'static str,
) -> Result<String> {
    sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(old.id)
        .bind(old.user_id)
        .execute(&mut *tx.tx)
        .await?;
    let (id, token) = create(tx, old.user_id, stage, old.user_agent.as_deref()).await?;
    tx.audit(AuditEntry::new(action, "session").target(id).change(
        "stage",
        old.stage.as_str(),
        stage.as_str(),
    ))
    .await?;
    Ok(token)
}

/// Ends every session of `user_id` except `keep` (after a password change).
pub async fn end_others(tx: &mut WriteTx, user_id: i64, keep: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected(),
    )
}
