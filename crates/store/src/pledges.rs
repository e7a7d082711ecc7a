//! Pledges (誓約書, issue 17 item 6): the signature of a pledge is its acknowledgement row
//! (`policy_acknowledgements`, see `policies::acknowledge`). What is particular to a
//! pledge lives here: the paper pledge the security officer records, its scan, and the
//! look-up of one signature for the file store.

use sqlx::Row;
use time::Date;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, date_text, now_text};

/// A paper pledge to record: whose, on which version (its hash), signed on which day.
#[derive(Debug, Clone, Copy)]
pub struct NewPaperPledge<'a> {
    pub version_id: i64,
    pub user_id: i64,
    pub content_hash: &'a str,
    pub signed_on: Date,
}

/// Records that the person signed the version on paper; returns the signature's id.
/// Someone who already signed that version (in mamori or on paper) is
/// `Conflict("acknowledgement")` and nothing is written.
pub async fn record_paper(tx: &mut WriteTx, pledge: NewPaperPledge<'_>) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO policy_acknowledgements (version_id, user_id, content_hash, acknowledged_at, \
         way, signed_on, recorded_by) VALUES ($1, $2, $3, $4, 'paper', $5, $6) \
         ON CONFLICT (version_id, user_id) DO NOTHING RETURNING id",
    )
    .bind(pledge.version_id)
    .bind(pledge.user_id)
    .bind(pledge.content_hash.to_owned())
    .bind(now_text())
    .bind(date_text(pledge.signed_on))
    .bind(tx.actor.user_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(id) = id else {
        return Err(StoreError::Conflict("acknowledgement"));
    };
    tx.audit(
        AuditEntry::new("policy.pledge_paper", "policy_version")
            .target(pledge.version_id)
            .change("acknowledgement_id", None::<i64>, id)
            .change("user_id", None::<i64>, pledge.user_id)
            .change("way", None::<&str>, "paper")
            .change("signed_on", None::<&str>, date_text(pledge.signed_on))
            .change("content_hash", None::<&str>, pledge.content_hash),
    )
    .await?;
    Ok(id)
}

/// Keeps `attachment_id` (already stored through the file block) as the scan of paper
/// pledge `id`.
pub async fn set_scan(tx: &mut WriteTx, id: i64, attachment_id: i64) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE policy_acknowledgements SET attachment_id = $1 \
         WHERE id = $2 AND way = 'paper' AND attachment_id IS NULL",
    )
    .bind(attachment_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("attachment"));
    }
    tx.audit(
        AuditEntry::new("policy.pledge_scan", "policy_acknowledgement")
            .target(id)
            .change("attachment_id", None::<i64>, attachment_id),
    )
    .await
}

/// One signature, as the file store and the links to it need it.
#[derive(Debug, Clone)]
pub struct Signature {
    pub id: i64,
    pub document_id: i64,
    pub version_id: i64,
    pub user_id: i64,
    /// Who signed, and the pledge's title: how the record is named.
    pub display_name: String,
    pub title: String,
}

pub async fn signature(store: &Store, id: i64) -> Result<Signature> {
    let row = sqlx::query(
        "SELECT a.id, v.document_id, a.version_id, a.user_id, u.display_name, v.title \
         FROM policy_acknowledgements a JOIN policy_versions v ON v.id = a.version_id \
         JOIN users u ON u.id = a.user_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Signature {
        id: row.try_get("id")?,
        document_id: row.try_get("document_id")?,
        version_id: row.try_get("version_id")?,
        user_id: row.try_get("user_id")?,
        display_name: row.try_get("display_name")?,
        title: row.try_get("title")?,
    })
}
