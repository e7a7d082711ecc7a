//! The file store: content kept once per SHA-256 in chunks of [`CHUNK_BYTES`]
//! (`file_blobs`, `file_chunks`), and attachments of records with their revisions
//! (`attachments`, `attachment_revisions`). Writes go through the caller's [`WriteTx`];
//! the application writes the audit entry in the same transaction.

use mamori_domain::file::{Purpose, RecordKind, RecordRef};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::{Result, Store, StoreError, WriteTx, decode, decode_date, decode_timestamp};

/// The size of one stored chunk: large enough that a 20 MiB file is 80 rows, small
/// enough that a download or a backup batch holds little at a time.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// One stored revision of an attachment, with its content's facts.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub attachment_id: i64,
    pub revision: i64,
    pub file_name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub chunk_count: i64,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: OffsetDateTime,
}

/// Why and by whom an attachment was removed.
#[derive(Debug, Clone, Serialize)]
pub struct Removal {
    pub at: OffsetDateTime,
    pub by_name: Option<String>,
    pub reason: String,
}

/// An attachment of a record, with its newest revision.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub record: RecordRef,
    pub title: String,
    pub purpose: Purpose,
    pub expires_on: Option<Date>,
    pub created_at: OffsetDateTime,
    pub removed: Option<Removal>,
    pub latest: Revision,
}

const TABLE: &str = "attachments";

const REVISION_COLUMNS: &str = "r.attachment_id, r.revision, r.file_name, r.sha256, \
     b.size, b.media_type, b.chunk_count, r.uploaded_by, u.display_name AS uploaded_by_name, \
     r.uploaded_at";

const REVISION_FROM: &str = "FROM attachment_revisions r \
     JOIN file_blobs b ON b.sha256 = r.sha256 \
     LEFT JOIN users u ON u.id = r.uploaded_by";

fn revision_from_row(row: &sqlx::any::AnyRow) -> Result<Revision> {
    let attachment_id: i64 = row.try_get("attachment_id")?;
    let revision: i64 = row.try_get("revision")?;
    let key = format!("{attachment_id}/{revision}");
    let uploaded_at: String = row.try_get("uploaded_at")?;
    Ok(Revision {
        attachment_id,
        revision,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        media_type: row.try_get("media_type")?,
        chunk_count: row.try_get("chunk_count")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_by_name: row.try_get("uploaded_by_name")?,
        uploaded_at: decode_timestamp("attachment_revisions", &key, "uploaded_at", &uploaded_at)?,
    })
}

fn attachment_from_row(row: &sqlx::any::AnyRow) -> Result<Attachment> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("record_kind")?;
    let purpose: String = row.try_get("purpose")?;
    let expires_on: Option<String> = row.try_get("expires_on")?;
    let created_at: String = row.try_get("created_at")?;
    let removed_at: Option<String> = row.try_get("removed_at")?;
    let removed = match removed_at {
        None => None,
        Some(at) => Some(Removal {
            at: decode_timestamp(TABLE, id, "removed_at", &at)?,
            by_name: row.try_get("removed_by_name")?,
            reason: row
                .try_get::<Option<String>, _>("removed_reason")?
                .unwrap_or_default(),
        }),
    };
    Ok(Attachment {
        id,
        record: RecordRef {
            kind: decode(TABLE, id, "record_kind", &kind, RecordKind::parse)?,
            id: row.try_get("record_id")?,
        },
        title: row.try_get("title")?,
        purpose: decode(TABLE, id, "purpose", &purpose, Purpose::parse)?,
        expires_on: expires_on
            .map(|d| decode_date(TABLE, id, "expires_on", &d))
            .transpose()?,
        created_at: decode_timestamp(TABLE, id, "created_at", &created_at)?,
        removed,
        latest: revision_from_row(row)?,
    })
}

/// Attachments joined with their newest revision.
fn attachment_select(condition: &str) -> String {
    format!(
        "SELECT a.id, a.record_kind, a.record_id, a.title, a.purpose, a.expires_on, \
         a.created_at, a.removed_at, a.removed_reason, ru.display_name AS removed_by_name, \
         {REVISION_COLUMNS} FROM attachments a \
         JOIN attachment_revisions r ON r.attachment_id = a.id AND r.revision = \
           (SELECT MAX(x.revision) FROM attachment_revisions x WHERE x.attachment_id = a.id) \
         JOIN file_blobs b ON b.sha256 = r.sha256 \
         LEFT JOIN users u ON u.id = r.uploaded_by \
         LEFT JOIN users ru ON ru.id = a.removed_by \
         WHERE {condition}"
    )
}

/// The attachments of `record`, oldest first; removed ones only when asked for.
pub async fn attachments_of(
    store: &Store,
    record: RecordRef,
    with_removed: bool,
) -> Result<Vec<Attachment>> {
    let removed = if with_removed {
        ""
    } else {
        " AND a.removed_at IS NULL"
    };
    let sql = attachment_select(&format!(
        "a.record_kind = $1 AND a.record_id = $2{removed} ORDER BY a.id"
    ));
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(record.kind.as_str())
        .bind(record.id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(attachment_from_row).collect()
}

/// Attachments still attached whose expiry date is before `today`, soonest expired
/// first.
pub async fn expired(store: &Store, today: Date) -> Result<Vec<Attachment>> {
    let sql = attachment_select(
        "a.removed_at IS NULL AND a.expires_on IS NOT NULL AND a.expires_on < $1 \
         ORDER BY a.expires_on, a.id",
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(crate::date_text(today))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(attachment_from_row).collect()
}

/// One attachment, removed or not.
pub async fn attachment(store: &Store, id: i64) -> Result<Attachment> {
    let row = sqlx::query(AssertSqlSafe(attachment_select("a.id = $1")))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    attachment_from_row(&row)
}

/// Every revision of an attachment, newest first.
pub async fn revisions(store: &Store, attachment_id: i64) -> Result<Vec<Revision>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {REVISION_COLUMNS} {REVISION_FROM} WHERE r.attachment_id = $1 \
         ORDER BY r.revision DESC"
    )))
    .bind(attachment_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(revision_from_row).collect()
}

/// One revision of an attachment.
pub async fn revision(store: &Store, attachment_id: i64, revision: i64) -> Result<Revision> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {REVISION_COLUMNS} {REVISION_FROM} WHERE r.attachment_id = $1 AND r.revision = $2"
    )))
    .bind(attachment_id)
    .bind(revision)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    revision_from_row(&row)
}

/// Chunk `seq` (from 0) of the content `sha256`.
pub async fn chunk(store: &Store, sha256: &str, seq: i64) -> Result<Vec<u8>> {
    let data: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT data FROM file_chunks WHERE sha256 = $1 AND seq = $2")
            .bind(sha256.to_owned())
            .bind(seq)
            .fetch_optional(store.pool())
            .await?;
    data.ok_or_else(|| StoreError::Corrupt {
        table: "file_chunks",
        row: format!("{sha256}/{seq}"),
        column: "data",
        value: "missing".to_owned(),
    })
}

/// Whether the content `sha256` is stored already (a second upload of the same bytes
/// stores nothing new).
pub async fn has_blob(tx: &mut WriteTx, sha256: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT size FROM file_blobs WHERE sha256 = $1")
        .bind(sha256.to_owned())
        .fetch_optional(&mut *tx.tx)
        .await?;
    Ok(found.is_some())
}

/// Records new content; its chunks follow with [`put_chunk`].
pub async fn put_blob(
    tx: &mut WriteTx,
    sha256: &str,
    size: u64,
    media_type: &str,
    chunk_count: u64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO file_blobs (sha256, size, media_type, chunk_count, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sha256.to_owned())
    .bind(size as i64)
    .bind(media_type.to_owned())
    .bind(chunk_count as i64)
    .bind(crate::now_text())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub async fn put_chunk(tx: &mut WriteTx, sha256: &str, seq: u64, data: Vec<u8>) -> Result<()> {
    sqlx::query("INSERT INTO file_chunks (sha256, seq, data) VALUES ($1, $2, $3)")
        .bind(sha256.to_owned())
        .bind(seq as i64)
        .bind(data)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// A new attachment of `record`; its id. Its first revision follows with
/// [`add_revision`].
pub async fn create_attachment(
    tx: &mut WriteTx,
    record: RecordRef,
    title: &str,
    purpose: Purpose,
    expires_on: Option<Date>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (record_kind, record_id, title, purpose, expires_on, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(record.kind.as_str())
    .bind(record.id)
    .bind(title.to_owned())
    .bind(purpose.as_str())
    .bind(expires_on.map(crate::date_text))
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(id)
}

/// Adds the next revision of an attachment; its number (1 for the first).
pub async fn add_revision(
    tx: &mut WriteTx,
    attachment_id: i64,
    file_name: &str,
    sha256: &str,
) -> Result<i64> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(revision) FROM attachment_revisions WHERE attachment_id = $1",
    )
    .bind(attachment_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let revision = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO attachment_revisions (attachment_id, revision, file_name, sha256, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(attachment_id)
    .bind(revision)
    .bind(file_name.to_owned())
    .bind(sha256.to_owned())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .execute(&mut *tx.tx)
    .await?;
    Ok(revision)
}

/// Marks an attachment removed (its revisions and content stay); false when it was
/// removed already.
pub async fn remove(tx: &mut WriteTx, attachment_id: i64, reason: &str) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE attachments SET removed_at = $1, removed_by = $2, removed_reason = $3 \
         WHERE id = $4 AND removed_at IS NULL",
    )
    .bind(crate::now_text())
    .bind(tx.actor.user_id)
    .bind(reason.to_owned())
    .bind(attachment_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Every stored content's hash with the SHA-256 of its chunks read back in order: for
/// checking a restored database (`(stored, computed)` per blob).
pub async fn verify_blobs(store: &Store) -> Result<Vec<(String, String)>> {
    use sha2::Digest;
    let hashes: Vec<(String, i64)> =
        sqlx::query_as("SELECT sha256, chunk_count FROM file_blobs ORDER BY sha256")
            .fetch_all(store.pool())
            .await?;
    let mut checked = Vec::with_capacity(hashes.len());
    for (sha256, count) in hashes {
        let mut digest = sha2::Sha256::new();
        for seq in 0..count {
            digest.update(chunk(store, &sha256, seq).await?);
        }
        checked.push((sha256, crate::hex(&digest.finalize())));
    }
    Ok(checked)
}
