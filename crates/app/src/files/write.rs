//! Attaching a file to a record, uploading a new revision and removing an attachment:
//! each checks access and input, stores the content once per SHA-256 (chunk by chunk
//! from the spool file, never whole in memory) and writes its audit entry in the same
//! transaction.

use mamori_domain::file::{self as rules, AttachForm, RecordRef};
use mamori_store::files::{self as store, CHUNK_BYTES};
use mamori_store::{AuditEntry, WriteTx};
use tokio::io::AsyncReadExt;

use mamori_domain::access::Act;

use super::{Spooled, edit_record, files_gate};
use crate::{Acting, App, Failure};

/// What an upload made: the attachment and its revision number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attached {
    pub attachment_id: i64,
    pub revision: i64,
}

/// Attaches `upload` (sent as `file_name`) to `record` as a new attachment.
pub async fn attach(
    app: &App,
    acting: &Acting,
    record: RecordRef,
    form: &AttachForm,
    file_name: &str,
    upload: Spooled,
) -> Result<Attached, Failure> {
    let (permit, _) = edit_record(app, acting, record, "files.attach").await?;
    let file_name = rules::file_name(file_name);
    let input = form.check(&file_name)?;
    let mut tx = permit.write(app).await?;
    let attached = attach_in(&mut tx, record, &input, &file_name, &upload).await?;
    tx.commit().await?;
    Ok(attached)
}

/// Attaches `upload` to `record` within `tx`, for a use case that stores a file together
/// with the record it belongs to (a paper pledge and its scan): the caller has checked
/// access and `input`, and `file_name` is already cleaned by [`rules::file_name`].
pub(crate) async fn attach_in(
    tx: &mut WriteTx,
    record: RecordRef,
    input: &rules::Attach,
    file_name: &str,
    upload: &Spooled,
) -> Result<Attached, Failure> {
    store_content(tx, upload).await?;
    let attachment_id =
        store::create_attachment(tx, record, &input.title, input.purpose, input.expires_on).await?;
    let revision = store::add_revision(tx, attachment_id, file_name, &upload.sha256).await?;
    tx.audit(
        content_entry("file.attach", record, attachment_id, file_name, upload)
            .change("title", None::<&str>, &input.title)
            .change("purpose", None::<&str>, input.purpose.as_str())
            .change(
                "expires_on",
                None::<&str>,
                input.expires_on.map(crate::date_text),
            ),
    )
    .await?;
    Ok(Attached {
        attachment_id,
        revision,
    })
}

/// Uploads `upload` as the next revision of attachment `attachment_id`; the earlier
/// revisions stay and can still be downloaded.
pub async fn revise(
    app: &App,
    acting: &Acting,
    attachment_id: i64,
    file_name: &str,
    upload: Spooled,
) -> Result<Attached, Failure> {
    files_gate(app, acting, Act::Edit, "files.revise").await?;
    let attachment = store::attachment(app.store(), attachment_id).await?;
    let (permit, _) = edit_record(app, acting, attachment.record, "files.revise").await?;
    if attachment.removed.is_some() {
        return Err(removed());
    }
    let file_name = rules::file_name(file_name);
    let mut tx = permit.write(app).await?;
    store_content(&mut tx, &upload).await?;
    let revision = store::add_revision(&mut tx, attachment_id, &file_name, &upload.sha256).await?;
    tx.audit(
        content_entry(
            "file.revise",
            attachment.record,
            attachment_id,
            &file_name,
            &upload,
        )
        .change("revision", attachment.latest.revision, revision)
        .change("previous_sha256", None::<&str>, &attachment.latest.sha256),
    )
    .await?;
    tx.commit().await?;
    Ok(Attached {
        attachment_id,
        revision,
    })
}

/// Removes attachment `attachment_id` from its record, for `reason`. Its revisions and
/// their content stay in the store (and in backups); the record no longer lists it.
pub async fn remove(
    app: &App,
    acting: &Acting,
    attachment_id: i64,
    reason: &str,
) -> Result<(), Failure> {
    files_gate(app, acting, Act::Edit, "files.remove").await?;
    let attachment = store::attachment(app.store(), attachment_id).await?;
    let (permit, _) = edit_record(app, acting, attachment.record, "files.remove").await?;
    let reason = rules::removal_reason(reason)?;
    let mut tx = permit.write(app).await?;
    if !store::remove(&mut tx, attachment_id, &reason).await? {
        return Err(removed());
    }
    tx.audit(
        AuditEntry::new("file.remove", attachment.record.kind.as_str())
            .target(attachment.record.id)
            .change("attachment_id", None::<i64>, attachment_id)
            .change("title", &attachment.title, None::<&str>)
            .change("file_name", None::<&str>, &attachment.latest.file_name)
            .change("sha256", None::<&str>, &attachment.latest.sha256)
            .change("size", None::<i64>, attachment.latest.size)
            .change("reason", None::<&str>, &reason),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn removed() -> Failure {
    Failure::conflict("attachment_removed", "file.error.removed")
}

/// The audit entry of an upload: which record, which attachment, and what was stored.
fn content_entry(
    action: &'static str,
    record: RecordRef,
    attachment_id: i64,
    file_name: &str,
    upload: &Spooled,
) -> AuditEntry {
    AuditEntry::new(action, record.kind.as_str())
        .target(record.id)
        .change("attachment_id", None::<i64>, attachment_id)
        .change("file_name", None::<&str>, file_name)
        .change("sha256", None::<&str>, &upload.sha256)
        .change("size", None::<u64>, upload.size)
        .change("media_type", None::<&str>, upload.media_type)
}

/// Stores the spooled content unless the same bytes are stored already, one chunk at a
/// time.
async fn store_content(tx: &mut WriteTx, upload: &Spooled) -> Result<(), Failure> {
    if store::has_blob(tx, &upload.sha256).await? {
        return Ok(());
    }
    let chunks = upload.size.div_ceil(CHUNK_BYTES as u64);
    store::put_blob(tx, &upload.sha256, upload.size, upload.media_type, chunks).await?;
    let mut file = tokio::fs::File::open(upload.path())
        .await
        .map_err(|e| Failure::Store(e.into()))?;
    for seq in 0..chunks {
        let mut chunk = vec![0u8; CHUNK_BYTES];
        let mut filled = 0;
        while filled < CHUNK_BYTES {
            let read = file
                .read(&mut chunk[filled..])
                .await
                .map_err(|e| Failure::Store(e.into()))?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        chunk.truncate(filled);
        store::put_chunk(tx, &upload.sha256, seq, chunk).await?;
    }
    Ok(())
}
