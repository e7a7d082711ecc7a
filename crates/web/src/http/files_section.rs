//! The 添付ファイル section every record page with attachments shows (assets, risks…),
//! shared here so that no page area reaches into another's: the rows of a record's
//! attachments, the upload form's choices and the size limit.

use mamori_app::files::{self, Attachment, Purpose, RecordRef, is_expired};
use mamori_app::i18n::Tr;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::Choice;
use crate::state::AppState;

/// A size as people read it: 820 B, 14.2 KB, 3.4 MB.
pub fn size_label(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

pub fn purpose_choices(tr: &Tr) -> Vec<Choice> {
    Purpose::ALL
        .into_iter()
        .map(|p| Choice {
            value: p.as_str().to_owned(),
            label: tr.t(p.label_key()).to_owned(),
        })
        .collect()
}

/// One attachment as a list shows it.
pub struct FileRow {
    pub id: i64,
    pub title: String,
    pub purpose: &'static str,
    pub file_name: String,
    pub size: String,
    pub media_type: String,
    pub revision: i64,
    pub uploaded: String,
    pub expires_on: String,
    pub expired: bool,
    /// Who removed it, when and why; empty while it is attached.
    pub removed: String,
}

pub fn file_row(ctx: &Ctx, a: &Attachment) -> FileRow {
    let uploader = a.latest.uploaded_by_name.clone().unwrap_or_default();
    FileRow {
        id: a.id,
        title: a.title.clone(),
        purpose: a.purpose.label_key(),
        file_name: a.latest.file_name.clone(),
        size: size_label(a.latest.size),
        media_type: a.latest.media_type.clone(),
        revision: a.latest.revision,
        uploaded: format!("{} {uploader}", ctx.datetime(a.latest.uploaded_at)),
        expires_on: a.expires_on.map(|d| ctx.date(d)).unwrap_or_default(),
        expired: a.removed.is_none() && is_expired(a.expires_on, mamori_app::today()),
        removed: a
            .removed
            .as_ref()
            .map(|r| {
                crate::http::labels::labelled(
                    &ctx.tr,
                    &format!(
                        "{} {}",
                        ctx.datetime(r.at),
                        r.by_name.clone().unwrap_or_default()
                    ),
                    &r.reason,
                )
            })
            .unwrap_or_default(),
    }
}

/// The 添付ファイル section of a record's page.
pub struct FilesSection {
    /// Where the upload form posts.
    pub upload_action: String,
    pub rows: Vec<FileRow>,
    pub may_edit: bool,
    pub purposes: Vec<Choice>,
    pub max_mb: u64,
}

impl FilesSection {
    /// The section for `record`, which the caller has already shown to the person.
    pub async fn load(
        state: &AppState,
        ctx: &Ctx,
        signed: &SignedIn,
        record: RecordRef,
    ) -> Result<FilesSection, AppError> {
        let listing = files::list(&state.app, &signed.0.acting, record).await?;
        Ok(FilesSection {
            upload_action: format!("{}/files", record.kind.path(record.id)),
            rows: listing
                .attachments
                .iter()
                .map(|a| file_row(ctx, a))
                .collect(),
            may_edit: listing.may_edit,
            purposes: purpose_choices(&ctx.tr),
            max_mb: state.config.max_file_bytes.div_ceil(1024 * 1024),
        })
    }
}
