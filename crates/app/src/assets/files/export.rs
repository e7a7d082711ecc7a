//! Export: each [`AssetRecord`] → cells in the words a register uses (Japanese) or the
//! codes (English), written as xlsx or CSV while the store hands over batches.

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{Category, Form, HolderType, Segment, Status};
use mamori_domain::classification::Scheme;
use mamori_domain::wareki::Lang;
use mamori_sheet::SheetError;
use mamori_store::assets::{AssetRecord, Filter};

use super::{Format, directory, export_fields};
use crate::assets::field_key;
use crate::i18n::Tr;
use crate::{Acting, App, Failure, Permit};

/// The header row: the asset number first (an edited export updates the assets it
/// names), then the form's labels, which `asset::header_field` reads back.
pub fn headers(lang: Lang) -> Vec<String> {
    let tr = Tr::new(lang);
    std::iter::once("number")
        .chain(export_fields())
        .map(|field| tr.t(field_key(field)).to_owned())
        .collect()
}

// The words Japanese registers write for coded values; each reads back through the
// value's own `parse` (a unit test below holds every one to that).

pub(super) fn category_word(value: Category) -> &'static str {
    match value {
        Category::Infrastructure => "ア",
        Category::Information => "イ",
        Category::SystemDocument => "ウ",
    }
}

pub(super) fn form_word(value: Form) -> &'static str {
    match value {
        Form::Electronic => "電子",
        Form::Paper => "紙",
        Form::Both => "両方",
    }
}

pub(super) fn holder_type_word(value: HolderType) -> &'static str {
    match value {
        HolderType::Member => "議員",
        HolderType::Secretariat => "議会事務局",
    }
}

pub(super) fn segment_word(value: Segment) -> &'static str {
    match value {
        Segment::Core => "基幹系",
        Segment::Lgwan => "LGWAN接続系",
        Segment::Internet => "インターネット接続系",
        Segment::None => "なし",
    }
}

pub(super) fn status_word(value: Status) -> &'static str {
    match value {
        Status::InUse => "使用中",
        Status::Archived => "保存",
        Status::Disposed => "廃棄済み",
        Status::Withdrawn => "取消済み",
    }
}

/// 個人情報の有無 as a file writes it: あり・なし in Japanese, yes / no in English (the
/// import reads both).
pub fn personal_word(holds: bool, lang: Lang) -> String {
    match (lang, holds) {
        (Lang::Ja, true) => "あり",
        (Lang::Ja, false) => "なし",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
    .to_owned()
}

/// One asset as the cells of an export row: its number, then [`export_fields`] in order. `logins` maps
/// user ids to login ids: the holder is written by login, which stays unique where a
/// display name may not.
pub fn record_cells(
    record: &AssetRecord,
    scheme: &Scheme,
    lang: Lang,
    logins: &HashMap<i64, String>,
) -> Vec<String> {
    let ja = lang == Lang::Ja;
    let word =
        |japanese: &'static str, code: &'static str| if ja { japanese } else { code }.to_owned();
    let level = |id: i64| scheme.level(id).map(|l| l.code.clone()).unwrap_or_default();
    let list = |items: &[String]| items.join(if ja { "、" } else { ", " });
    std::iter::once("number")
        .chain(export_fields())
        .map(|field| match field {
            "number" => record.id.to_string(),
            "name" => record.name.clone(),
            "description" => record.description.clone(),
            "category" => word(category_word(record.category), record.category.as_str()),
            "form" => word(form_word(record.form), record.form.as_str()),
            "holder_type" => word(
                holder_type_word(record.holder_type),
                record.holder_type.as_str(),
            ),
            "holder" => record
                .holder_id
                .map(|id| logins.get(&id).cloned().unwrap_or_else(|| id.to_string()))
                .unwrap_or_default(),
            // Codes in both languages: that is what the check reads for a role.
            "managing_role" => record
                .managing_role
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            "location" => record.location.clone(),
            "segment" => word(segment_word(record.segment), record.segment.as_str()),
            "confidentiality" => level(record.confidentiality_id),
            "integrity" => level(record.integrity_id),
            "availability" => level(record.availability_id),
            // As written, in both languages: that is the register's own text.
            "retention" => record
                .retention
                .as_ref()
                .map(|r| r.text.clone())
                .unwrap_or_default(),
            // ISO in both: unambiguous, sorts, and every date reader takes it.
            "disposal_due" => record
                .disposal_due
                .map(mamori_store::date_text)
                .unwrap_or_default(),
            "status" => word(status_word(record.status), record.status.as_str()),
            "tags" => list(&record.tags),
            "notes" => record.notes.clone(),
            "clauses" => list(&record.clauses),
            "personal_info" => personal_word(record.holds_personal_info, lang),
            _ => String::new(),
        })
        .collect()
}

/// A written export and how many assets it holds.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub count: u64,
}

/// Why an export could not be made: a failure of the use case, or the file could not
/// be written (its message key and parameters say why).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Failed(#[from] Failure),
    #[error("the file could not be written: {0}")]
    Sheet(SheetError),
}

impl From<mamori_store::StoreError> for ExportError {
    fn from(error: mamori_store::StoreError) -> ExportError {
        ExportError::Failed(error.into())
    }
}

/// Writes every asset the acting person may see that matches `filter`, in id order, and
/// records the export in the audit trail. The store hands over batches while the file
/// is written on a blocking thread, so the whole register is never held as rows in
/// memory — only the finished file is.
pub async fn export(
    app: &App,
    acting: &Acting,
    filter: &Filter,
    lang: Lang,
    format: Format,
) -> Result<Exported, ExportError> {
    let (permit, scheme, logins) = begin(app, acting).await?;
    let store = app.store();
    let headers = headers(lang);
    let sheet_name = Tr::new(lang).t("asset.export.sheet_name");
    // Unbounded, because the store's callback cannot wait; the writer is faster than
    // the database, so in practice the queue holds a batch or two.
    let (sender, receiver) = std::sync::mpsc::channel::<Vec<Vec<String>>>();
    let writer = tokio::task::spawn_blocking(move || {
        let rows = receiver.into_iter().flatten();
        crate::sheets::write(format, sheet_name, &headers, rows)
    });
    let mut count = 0u64;
    let read = mamori_store::assets::each_batch(store, acting.viewer(), filter, |batch| {
        count += batch.len() as u64;
        let rows = batch
            .iter()
            .map(|record| record_cells(record, &scheme, lang, &logins))
            .collect();
        // A closed queue means the writer failed; its error is reported below.
        let _ = sender.send(rows);
        Ok(())
    })
    .await;
    drop(sender);
    let written = writer.await.map_err(|e| {
        tracing::error!(error = %e, "asset export writer stopped");
        ExportError::Failed(Failure::Store(mamori_store::StoreError::Io(
            std::io::Error::other(e.to_string()),
        )))
    })?;
    read?;
    let bytes = written.map_err(|e| {
        tracing::error!(error = %e, "asset export could not be written");
        ExportError::Sheet(e)
    })?;
    let mut tx = permit.write(app).await.map_err(ExportError::Failed)?;
    mamori_store::assets::record_export(&mut tx, format_code(format), count, filter).await?;
    tx.commit().await?;
    Ok(Exported { bytes, count })
}

/// A CSV export being streamed: recorded in the audit trail before its first byte, then
/// read a batch at a time as fast as the response is sent, so that neither the rows nor
/// the file are ever held whole.
pub struct CsvExport {
    store: mamori_store::Store,
    viewer: mamori_store::assets::Viewer,
    filter: Filter,
    scheme: Scheme,
    logins: HashMap<i64, String>,
    lang: Lang,
    after_id: i64,
    done: bool,
    /// How many assets matched when the export was recorded.
    pub count: u64,
}

impl CsvExport {
    /// The byte order mark and the header line.
    pub fn head(&self) -> Vec<u8> {
        mamori_sheet::csv_head(&headers(self.lang))
    }

    /// The next batch of rows as CSV lines, or `None` after the last.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Failure> {
        if self.done {
            return Ok(None);
        }
        let batch = mamori_store::assets::batch_after(
            &self.store,
            self.viewer,
            &self.filter,
            self.after_id,
            mamori_store::assets::EXPORT_BATCH,
        )
        .await?;
        self.done = (batch.len() as i64) < mamori_store::assets::EXPORT_BATCH;
        let Some(last) = batch.last() else {
            return Ok(None);
        };
        self.after_id = last.id;
        let rows = batch
            .iter()
            .map(|record| record_cells(record, &self.scheme, self.lang, &self.logins));
        Ok(Some(mamori_sheet::csv_lines(rows)))
    }
}

/// Starts a CSV export of every asset the acting person may see that matches `filter`,
/// in id order. The audit entry is written first, with the number of assets that match
/// at that moment.
pub async fn export_csv(
    app: &App,
    acting: &Acting,
    filter: &Filter,
    lang: Lang,
) -> Result<CsvExport, Failure> {
    let (permit, scheme, logins) = begin(app, acting).await?;
    let store = app.store();
    let count = mamori_store::assets::count(store, acting.viewer(), filter).await? as u64;
    let mut tx = permit.write(app).await?;
    mamori_store::assets::record_export(&mut tx, format_code(Format::Csv), count, filter).await?;
    tx.commit().await?;
    Ok(CsvExport {
        store: store.clone(),
        viewer: acting.viewer(),
        filter: filter.clone(),
        scheme,
        logins,
        lang,
        after_id: 0,
        done: false,
        count,
    })
}

/// What every export starts with: the access check, the scheme that names the levels,
/// and the holders' logins.
async fn begin<'a>(
    app: &App,
    acting: &'a Acting,
) -> Result<(Permit<'a>, Scheme, HashMap<i64, String>), Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Read, "asset.export.title")
        .await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    let logins = directory(app.store()).await?.logins;
    Ok((permit, scheme, logins))
}

/// The `format` of the audit entry and the file extension.
pub fn format_code(format: Format) -> &'static str {
    match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    }
}
