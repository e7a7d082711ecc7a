//! The file store, one block for every register: files attached to a record
//! ([`RecordRef`]) as evidence, pledges, training material or certificates, each upload
//! a new revision, removals soft and audited; and the record of who viewed what (item 8
//! of issue 12). A file is exactly as visible as the record it is attached to: the one
//! access function is [`see_record`].
//!
//! Registers that come later (incidents, training, audits) add their [`RecordKind`] in
//! the domain and one arm to [`see_record`]; nothing else changes.

mod read;
mod spool;
mod views;
mod write;

use mamori_domain::access::{Act, Register};
use mamori_store::assets as store_assets;
use mamori_store::risks as store_risks;

pub use mamori_domain::file::{
    AttachForm, DEFAULT_MAX_FILE_BYTES, Purpose, RecordKind, RecordRef, is_expired,
};
pub use mamori_store::files::{Attachment, CHUNK_BYTES, Removal, Revision};
pub use read::{AttachmentDetail, Content, Listing, attachment, content, expired_for, list};
pub use spool::{Spool, SpoolError, Spooled, clear_spool};
pub use views::{ViewFilter, record_view, views};
pub(crate) use write::attach_in;
pub use write::{Attached, attach, remove, revise};

use crate::{Acting, App, Failure, Permit};

/// The register a kind of record belongs to: its grants are the record's files' grants.
pub fn register_of(kind: RecordKind) -> Register {
    kind.register()
}

/// What access learnt of a record the person may see.
#[derive(Debug, Clone)]
pub struct Seen {
    pub record: RecordRef,
    /// How the record is named (the asset's name, the risk's title).
    pub title: String,
    /// At the top confidentiality level: opening it, or its files, is recorded.
    pub restricted: bool,
}

/// The one access check of the file store: read on the record's register, and the
/// record visible to the person (a record they may not know of is "not found", as its
/// own pages answer). A refused act is recorded as `access.denied`, naming `what`.
pub async fn see_record(
    app: &App,
    acting: &Acting,
    record: RecordRef,
    what: &str,
) -> Result<Seen, Failure> {
    app.permit(acting, register_of(record.kind), Act::Read, what)
        .await?;
    let viewer = acting.viewer();
    let (title, restricted) = match record.kind {
        RecordKind::Asset => {
            let asset = store_assets::get(app.store(), viewer, record.id).await?;
            (asset.name, asset.restricted)
        }
        RecordKind::Risk => {
            let risk = store_risks::risk(app.store(), viewer, record.id).await?;
            (risk.title, false)
        }
        RecordKind::CorrectiveAction => {
            let action = mamori_store::corrective::get(app.store(), record.id).await?;
            if !crate::cycle::actions::may_see(acting, &action) {
                return Err(Failure::NotFound);
            }
            (action.title, false)
        }
        RecordKind::Exception => {
            let exception = mamori_store::exceptions::get(app.store(), record.id).await?;
            if !crate::exceptions::may_read(acting, exception.created_by) {
                return Err(Failure::NotFound);
            }
            (exception.rule, false)
        }
        // A notice's material is for those it is addressed to and those who see all.
        RecordKind::AwarenessNotice => (
            crate::awareness::may_see(app, acting, record.id).await?,
            false,
        ),
        RecordKind::TrainingSession | RecordKind::TrainingAttendance => {
            (crate::training::may_see(app, acting, record).await?, false)
        }
        RecordKind::PolicyDocument => {
            let document = mamori_store::policies::document(app.store(), record.id).await?;
            (document.title, false)
        }
        // A signature's scan is seen by those who follow acknowledgements (the register).
        RecordKind::Pledge => {
            let signature = mamori_store::pledges::signature(app.store(), record.id).await?;
            (
                format!("{} — {}", signature.title, signature.display_name),
                false,
            )
        }
        // An incident's files are for those who see all of it (its handlers, and those
        // it is shared with), never for the reporter following their report.
        RecordKind::Incident => (
            crate::incidents::fully_seen(app, acting, record.id).await?,
            false,
        ),
        // The parts of a record keep their files on the record itself; a redaction has
        // none (it removes information).
        RecordKind::PolicyVersion
        | RecordKind::AssetTakeout
        | RecordKind::RiskAcceptance
        | RecordKind::Redaction
        | RecordKind::TrainingPlan => {
            return Err(Failure::NotFound);
        }
    };
    Ok(Seen {
        record,
        title,
        restricted,
    })
}

/// [`see_record`] for a change: edit on the record's register first, so that a person
/// who may not change the register is refused (403) before anything is looked up.
pub async fn edit_record<'a>(
    app: &App,
    acting: &'a Acting,
    record: RecordRef,
    what: &str,
) -> Result<(Permit<'a>, Seen), Failure> {
    // A person attaches the proof of their own outside course (a certificate) to their
    // attendance; every other record's files are changed by its register's editors.
    if record.kind == RecordKind::TrainingAttendance
        && !acting.may(register_of(record.kind), Act::Edit)
    {
        let permit = app
            .permit(acting, register_of(record.kind), Act::Read, what)
            .await?;
        crate::training::own_declaration(app, acting, record.id).await?;
        let seen = see_record(app, acting, record, what).await?;
        return Ok((permit, seen));
    }
    let permit = app
        .permit(acting, register_of(record.kind), Act::Edit, what)
        .await?;
    let seen = see_record(app, acting, record, what).await?;
    Ok((permit, seen))
}

/// Files belong to registers: one who may not `act` on any register that has files is
/// refused (recorded as `access.denied`) before an attachment is even looked up, so
/// that the answer says nothing of which attachments exist.
pub async fn files_gate(app: &App, acting: &Acting, act: Act, what: &str) -> Result<(), Failure> {
    if RecordKind::ALL
        .into_iter()
        .any(|kind| acting.may(register_of(kind), act))
    {
        return Ok(());
    }
    app.permit(acting, register_of(RecordKind::Asset), act, what)
        .await?;
    Ok(())
}

/// Whether the person may attach, revise and remove files of records of `kind` (for
/// showing the forms; the use cases check again).
pub fn may_edit(acting: &Acting, kind: RecordKind) -> bool {
    acting.may(register_of(kind), Act::Edit)
}
