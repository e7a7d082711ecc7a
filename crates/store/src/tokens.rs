//! Personal API tokens: shown once, stored as SHA-256 (the token is 256 random bits, so a
//! fast hash is enough), named, listed and revoked.

use sqlx::Row;
use time::OffsetDateTime;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx};

pub const PREFIX: &str = "mamori_";

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Creates a token for `user_id` and returns (id, the token text to show once).
pub async fn create(tx: &mut WriteTx, user_id: i64, name: &str) -> Result<(i64, String)> {
    let token = format!("{PREFIX}{}", crate::random_token());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(user_id)
    .bind(name.to_owned())
    .bind(crate::sha256_hex(token.as_bytes()))
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("token.create", "api_token")
            .target(id)
            .change("user_id", None::<i64>, user_id)
            .change("name", None::<&str>, name),
    )
    .await?;
    Ok((id, token))
}

pub async fn list_for_user(store: &Store, user_id: i64) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let at = |column: &'static str| -> Result<Option<OffsetDateTime>> {
                let text: Option<String> = row.try_get(column)?;
                text.map(|t| crate::decode_timestamp("api_tokens", id, column, &t))
                    .transpose()
            };
            let created: String = row.try_get("created_at")?;
            Ok(ApiToken {
                id,
                name: row.try_get("name")?,
                created_at: crate::decode_timestamp("api_tokens", id, "created_at", &created)?,
                last_used_at: at("last_used_at")?,
                revoked_at: at("revoked_at")?,
            })
        })
        .collect()
}

pub async fn revoke(tx: &mut WriteTx, user_id: i64, token_id: i64) -> Result<()> {
    let revoked = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(crate::now_text())
    .bind(token_id)
    .bind(user_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if revoked == 0 {
        return Err(StoreError::NotFound);
    }
    tx.audit(AuditEntry::new("token.revoke", "api_token").target(token_id))
        .await
}

/// The user a live (not revoked) token belongs to, read with the token in one statement
/// (every API request asks), noting the token's use.
pub async fn authenticate(store: &Store, token: &str) -> Result<Option<crate::users::User>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let row = sqlx::query(concat!(
        "SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, u.* \
             FROM api_tokens t JOIN (SELECT ",
        crate::users::user_columns!(),
        " FROM users) u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    ))
    .bind(crate::sha256_hex(token.as_bytes()))
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("token_id")?;
    let last_used: Option<String> = row.try_get("token_last_used_at")?;
    let now = crate::now_text();
    // Minute resolution is enough for "last used", and spares a write per request.
    if last_used.as_deref().map(|t| &t[..16.min(t.len())]) != Some(&now[..16]) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(store.pool())
            .await?;
    }
    Ok(Some(crate::users::user_from_row(&row)?))
}
