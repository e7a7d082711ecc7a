//! Reading the file store: a record's attachments, one attachment with its revisions,
//! and a revision's content as a stream of chunks (never the whole file in memory).
//! Opening the content of a restricted record's file is recorded as a view.

use std::pin::Pin;

use futures_util::Stream;
use mamori_domain::access::Act;
use mamori_store::files::{self as store, Attachment, Revision};

use super::{RecordKind, RecordRef, Seen, files_gate, record_view, register_of, see_record};
use crate::{Acting, App, Failure};

/// A record's attachments as its page shows them.
#[derive(Debug, Clone)]
pub struct Listing {
    pub seen: Seen,
    /// Current attachments first (oldest first), then the removed ones.
    pub attachments: Vec<Attachment>,
    /// Whether the person may attach, revise and remove.
    pub may_edit: bool,
}

/// The attachments of `record`, if the person may see it. Removed attachments are
/// listed (with who removed them and why) to those who may edit the register.
pub async fn list(app: &App, acting: &Acting, record: RecordRef) -> Result<Listing, Failure> {
    let seen = see_record(app, acting, record, "files.list").await?;
    let mut may_edit = acting.may(register_of(record.kind), Act::Edit);
    if !may_edit && record.kind == RecordKind::TrainingAttendance {
        // One's own declaration takes its proof until it is confirmed.
        may_edit = crate::training::own_declaration(app, acting, record.id)
            .await
            .is_ok();
    }
    let mut attachments = store::attachments_of(app.store(), record, may_edit).await?;
    attachments.sort_by_key(|a| (a.removed.is_some(), a.id));
    Ok(Listing {
        seen,
        attachments,
        may_edit,
    })
}

/// One attachment and every revision of it.
#[derive(Debug, Clone)]
pub struct AttachmentDetail {
    pub seen: Seen,
    pub attachment: Attachment,
    /// Newest first.
    pub revisions: Vec<Revision>,
}

/// Attachment `id`, if the person may see its record (a removed one only if they may
/// edit the register).
pub async fn attachment(app: &App, acting: &Acting, id: i64) -> Result<AttachmentDetail, Failure> {
    files_gate(app, acting, Act::Read, "files.show").await?;
    let attachment = store::attachment(app.store(), id).await?;
    let seen = see_record(app, acting, attachment.record, "files.show").await?;
    if attachment.removed.is_some() && !acting.may(register_of(attachment.record.kind), Act::Edit) {
        return Err(Failure::NotFound);
    }
    Ok(AttachmentDetail {
        revisions: store::revisions(app.store(), id).await?,
        seen,
        attachment,
    })
}

/// The chunks of a file, read one at a time as the download goes.
pub type Chunks = Pin<Box<dyn Stream<Item = Result<Vec<u8>, Failure>> + Send>>;

/// A revision's facts and its content.
pub struct Content {
    pub revision: Revision,
    pub chunks: Chunks,
}

/// The content of attachment `id` at `revision` (the newest when `None`). `via` says
/// how it is opened (`page`, `api`), for the record of views.
pub async fn content(
    app: &App,
    acting: &Acting,
    id: i64,
    revision: Option<i64>,
    via: &str,
) -> Result<Content, Failure> {
    let detail = attachment(app, acting, id).await?;
    let revision = match revision {
        None => detail.attachment.latest.clone(),
        Some(n) => store::revision(app.store(), id, n).await?,
    };
    if detail.seen.restricted {
        let why = format!("{via}:file:{id}/{}", revision.revision);
        record_view(app, acting, detail.seen.record, &why).await?;
    }
    let chunks = stream_chunks(app.clone(), revision.sha256.clone(), revision.chunk_count);
    Ok(Content { revision, chunks })
}

fn stream_chunks(app: App, sha256: String, count: i64) -> Chunks {
    Box::pin(futures_util::stream::unfold(0i64, move |seq| {
        let app = app.clone();
        let sha256 = sha256.clone();
        async move {
            if seq >= count {
                return None;
            }
            let chunk = store::chunk(app.store(), &sha256, seq)
                .await
                .map_err(Failure::from);
            Some((chunk, seq + 1))
        }
    }))
}

/// Expired evidence on records the person may change (and see): what they should
/// replace with a new revision. For the home page.
pub async fn expired_for(
    app: &App,
    acting: &Acting,
    today: time::Date,
) -> Result<Vec<(Attachment, Seen)>, Failure> {
    if !RecordKind::ALL
        .into_iter()
        .any(|kind| acting.may(register_of(kind), Act::Edit))
    {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for attachment in store::expired(app.store(), today).await? {
        if !acting.may(register_of(attachment.record.kind), Act::Edit) {
            continue;
        }
        match see_record(app, acting, attachment.record, "home").await {
            Ok(seen) => out.push((attachment, seen)),
            Err(Failure::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(out)
}
