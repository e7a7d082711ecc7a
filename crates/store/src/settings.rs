//! Organisation-wide settings, kept as key/value rows.

use crate::{AuditEntry, Result, Store, WriteTx};

pub const ORGANISATION_NAME: &str = "organisation.name";
/// The system roles that must use a second factor, comma-separated.
pub const MFA_REQUIRED_ROLES: &str = "security.mfa_required_roles";
/// The people sent the audit trail's anchor each day: user ids, comma-separated.
pub const AUDIT_ANCHOR_RECIPIENTS: &str = "audit.anchor_recipients";

pub async fn get(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(store.pool())
            .await?,
    )
}

/// Sets a value and records the change from the old value.
pub async fn set(tx: &mut WriteTx, key: &'static str, value: &str) -> Result<()> {
    let before: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if before.as_deref() == Some(value) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value.to_owned())
    .bind(crate::now_text())
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("setting.update", "setting")
            .target(key)
            .change(key, before, value),
    )
    .await
}
