//! The asset register as a file: the one conversion between a spreadsheet (.xlsx or
//! .csv) and the register, used by the web pages and by `mamori import/export assets`.
//!
//! Import: a table read by `mamori_sheet` → a [`Mapping`] of its columns to asset fields
//! → one [`AssetInput`] per row → `AssetInput::check` for every row, all problems listed.
//! Export: each [`AssetRecord`] → cells in the words a register uses (Japanese) or the
//! codes (English). Both exports import again to the same data; the tests hold us to it.

use std::collections::HashMap;

use axum::http::StatusCode;
use mamori_domain::asset::{
    self, Asset, AssetInput, Category, FIELDS, Form, HolderType, Holders, Segment, Status,
};
use mamori_domain::classification::Scheme;
use mamori_domain::wareki::Lang;
use mamori_sheet::{SheetError, Table};
use mamori_store::assets::{AssetRecord, Filter, Viewer};
use mamori_store::{Store, StoreError};

use crate::http::error::AppError;
use crate::pages::assets::field_key;
use mamori_app::i18n::Tr;

/// Which kind of file: callers (the command line) need not depend on the sheet crate.
pub use mamori_sheet::Format;

/// Most data rows one file may bring: a register of an assembly is a few thousand at
/// most, and a bigger file is a mistake better refused than half-read.
pub const MAX_ROWS: usize = 100_000;

/// Largest file accepted, by the web upload and the command line alike.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Reads a file's bytes: xlsx or CSV/TSV by content, never by name.
pub fn read_table(bytes: &[u8]) -> Result<(Format, Table), SheetError> {
    Ok((
        mamori_sheet::detect(bytes),
        mamori_sheet::read(bytes, MAX_ROWS)?,
    ))
}

/// The fields an export writes, in form order. "publication" is left out: a stored
/// asset is never a publicly sold publication (the check refuses those).
pub fn export_fields() -> impl Iterator<Item = &'static str> {
    FIELDS.into_iter().filter(|f| *f != "publication")
}

/// The field a form value names, if it is one.
pub fn field_named(name: &str) -> Option<&'static str> {
    FIELDS.into_iter().find(|f| *f == name)
}

/// Spreadsheet column letters for a 0-based index (0 → "A", 27 → "AB"), because Excel
/// users look for "AB列", not "column 28".
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}

// ---------------------------------------------------------------- problems

/// One thing wrong with a file: a row's field, a row, or the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row as the file numbers it (the header row is 1 when it comes first); 0 when
    /// the problem is the file or the column mapping rather than one row.
    pub line: usize,
    pub field: Option<&'static str>,
    pub message_key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl RowError {
    fn file(message_key: &'static str) -> RowError {
        RowError {
            line: 0,
            field: None,
            message_key,
            params: Vec::new(),
        }
    }

    pub fn message(&self, tr: &Tr) -> String {
        tr.f(self.message_key, &self.params)
    }

    /// The field as the form labels it; empty when the problem is not one field's.
    pub fn field_label(&self, tr: &Tr) -> &'static str {
        self.field.map(|f| tr.t(field_key(f))).unwrap_or("")
    }
}

// ---------------------------------------------------------------- mapping

/// For each column of the file (by index), the asset field it fills, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    columns: Vec<Option<&'static str>>,
}

impl Mapping {
    /// The fields the headers name (see `asset::header_field`). When two columns name
    /// the same field the first wins: a register with 「備考」 twice keeps the first.
    pub fn guess(headers: &[String]) -> Mapping {
        let mut taken: Vec<&'static str> = Vec::new();
        let columns = headers
            .iter()
            .map(|header| {
                let field = asset::header_field(header).filter(|f| !taken.contains(f));
                taken.extend(field);
                field
            })
            .collect();
        Mapping { columns }
    }

    /// A mapping a person chose, kept as chosen; [`validate`] says what is wrong with it.
    pub fn chosen(columns: Vec<Option<&'static str>>) -> Mapping {
        Mapping { columns }
    }

    pub fn columns(&self) -> &[Option<&'static str>] {
        &self.columns
    }

    pub fn field_of(&self, column: usize) -> Option<&'static str> {
        self.columns.get(column).copied().flatten()
    }

    /// Headers that no field was found for, in file order (blank ones left out).
    pub fn unrecognised<'a>(&self, headers: &'a [String]) -> Vec<&'a str> {
        headers
            .iter()
            .enumerate()
            .filter(|(i, h)| self.field_of(*i).is_none() && !h.trim().is_empty())
            .map(|(_, h)| h.as_str())
            .collect()
    }

    /// Without a name no row can be an asset, so nothing else is worth checking; two
    /// columns for one field is refused rather than resolved silently, since the person
    /// meant something by each.
    fn check(&self) -> Result<(), RowError> {
        for (i, field) in self.columns.iter().enumerate() {
            if let Some(field) = field
                && self.columns[..i].contains(&Some(*field))
            {
                return Err(RowError {
                    field: Some(*field),
                    ..RowError::file("asset.import.error.duplicate_field")
                });
            }
        }
        if self.columns.contains(&Some("name")) {
            Ok(())
        } else {
            Err(RowError {
                field: Some("name"),
                ..RowError::file("asset.import.error.name_unmapped")
            })
        }
    }
}

fn field_slot<'a>(input: &'a mut AssetInput, field: &str) -> Option<&'a mut String> {
    Some(match field {
        "name" => &mut input.name,
        "description" => &mut input.description,
        "category" => &mut input.category,
        "form" => &mut input.form,
        "holder_type" => &mut input.holder_type,
        "holder" => &mut input.holder,
        "managing_role" => &mut input.managing_role,
        "location" => &mut input.location,
        "segment" => &mut input.segment,
        "confidentiality" => &mut input.confidentiality,
        "integrity" => &mut input.integrity,
        "availability" => &mut input.availability,
        "retention" => &mut input.retention,
        "disposal_due" => &mut input.disposal_due,
        "status" => &mut input.status,
        "tags" => &mut input.tags,
        "notes" => &mut input.notes,
        "clauses" => &mut input.clauses,
        "publication" => &mut input.publication,
        _ => return None,
    })
}

/// Each data row as typed input, with its row number. CSV cells lose the `'` that our
/// own CSV export puts before text a spreadsheet would run as a formula.
pub fn to_inputs(table: &Table, mapping: &Mapping, format: Format) -> Vec<(usize, AssetInput)> {
    table
        .rows
        .iter()
        .map(|row| {
            let mut input = AssetInput::default();
            for (column, cell) in row.cells.iter().enumerate() {
                let Some(field) = mapping.field_of(column) else {
                    continue;
                };
                let value = match format {
                    Format::Csv => mamori_sheet::csv_cell_unguard(cell),
                    Format::Xlsx => cell.as_str(),
                };
                if let Some(slot) = field_slot(&mut input, field) {
                    *slot = value.to_owned();
                }
            }
            (row.line, input)
        })
        .collect()
}

// ---------------------------------------------------------------- checking

/// The outcome of checking a file: the rows that are assets, and every problem.
#[derive(Debug, Default)]
pub struct Checked {
    pub assets: Vec<(usize, Asset)>,
    pub errors: Vec<RowError>,
}

/// Checks every row; all problems of all rows at once. A file without data rows is
/// refused: importing nothing is never what the person meant.
pub fn check_all(
    rows: &[(usize, AssetInput)],
    scheme: &Scheme,
    holders: &Holders,
) -> Result<Vec<Asset>, Vec<RowError>> {
    let checked = check_rows(rows, scheme, holders, |_| {});
    if checked.errors.is_empty() {
        Ok(checked.assets.into_iter().map(|(_, asset)| asset).collect())
    } else {
        Err(checked.errors)
    }
}

/// [`check_all`] keeping the good rows too (for a preview), calling `progress` with the
/// number of rows done every thousand rows.
pub fn check_rows(
    rows: &[(usize, AssetInput)],
    scheme: &Scheme,
    holders: &Holders,
    mut progress: impl FnMut(usize),
) -> Checked {
    let mut checked = Checked::default();
    if rows.is_empty() {
        checked
            .errors
            .push(RowError::file("asset.import.error.no_rows"));
        return checked;
    }
    for (done, (line, input)) in rows.iter().enumerate() {
        match input.check(scheme, holders) {
            Ok(asset) => checked.assets.push((*line, asset)),
            Err(problems) => checked
                .errors
                .extend(problems.into_iter().map(|p| RowError {
                    line: *line,
                    field: Some(p.field),
                    message_key: p.key,
                    params: p.params,
                })),
        }
        if done % 1000 == 999 {
            progress(done + 1);
        }
    }
    progress(rows.len());
    checked
}

/// Values to the right of the last header have no field to go to; they are usually a
/// sign of a shifted row (an unquoted comma in CSV), so they are reported, not dropped.
fn stray_cells(table: &Table) -> Vec<RowError> {
    let width = table.headers.len();
    table
        .rows
        .iter()
        .filter_map(|row| {
            let column = row.cells.iter().skip(width).position(|c| !c.is_empty())? + width;
            Some(RowError {
                line: row.line,
                field: None,
                message_key: "asset.import.error.stray_cells",
                params: vec![("column", column_letters(column))],
            })
        })
        .collect()
}

/// Everything a file must pass before anything is written: one column per field and one
/// for the name, no values outside the header's columns, and every row a valid asset.
pub fn validate(
    table: &Table,
    format: Format,
    mapping: &Mapping,
    scheme: &Scheme,
    holders: &Holders,
    progress: impl FnMut(usize),
) -> Checked {
    if let Err(error) = mapping.check() {
        return Checked {
            assets: Vec::new(),
            errors: vec![error],
        };
    }
    let inputs = to_inputs(table, mapping, format);
    let mut checked = check_rows(&inputs, scheme, holders, progress);
    checked.errors.extend(stray_cells(table));
    // Stable: a row's field problems stay in field order.
    checked.errors.sort_by_key(|e| e.line);
    checked
}

// ---------------------------------------------------------------- users

/// The users an import may name as holders, and the login id of each for an export.
pub struct Directory {
    pub holders: Holders,
    pub logins: HashMap<i64, String>,
    pub names: HashMap<i64, String>,
}

pub async fn directory(store: &Store) -> Result<Directory, StoreError> {
    const PAGE: i64 = 500;
    let mut users = Vec::new();
    loop {
        let (page, total) = mamori_store::users::list(store, PAGE, users.len() as i64).await?;
        let last = page.len() < PAGE as usize;
        users.extend(page);
        if last || users.len() as i64 >= total {
            break;
        }
    }
    Ok(Directory {
        holders: Holders::new(
            users
                .iter()
                .map(|u| (u.id, u.login.clone(), u.display_name.clone())),
        ),
        logins: users.iter().map(|u| (u.id, u.login.clone())).collect(),
        names: users
            .iter()
            .map(|u| (u.id, u.display_name.clone()))
            .collect(),
    })
}

// ---------------------------------------------------------------- export

/// The header row: the form's labels, which `asset::header_field` reads back.
pub fn headers(lang: Lang) -> Vec<String> {
    let tr = Tr::new(lang);
    export_fields()
        .map(|field| tr.t(field_key(field)).to_owned())
        .collect()
}

// The words Japanese registers write for coded values; each reads back through the
// value's own `parse` (a unit test below holds every one to that).

fn category_word(value: Category) -> &'static str {
    match value {
        Category::Infrastructure => "ア",
        Category::Information => "イ",
        Category::SystemDocument => "ウ",
    }
}

fn form_word(value: Form) -> &'static str {
    match value {
        Form::Electronic => "電子",
        Form::Paper => "紙",
        Form::Both => "両方",
    }
}

fn holder_type_word(value: HolderType) -> &'static str {
    match value {
        HolderType::Member => "議員",
        HolderType::Secretariat => "議会事務局",
    }
}

fn segment_word(value: Segment) -> &'static str {
    match value {
        Segment::Core => "基幹系",
        Segment::Lgwan => "LGWAN接続系",
        Segment::Internet => "インターネット接続系",
        Segment::None => "なし",
    }
}

fn status_word(value: Status) -> &'static str {
    match value {
        Status::InUse => "使用中",
        Status::Archived => "保存",
        Status::Disposed => "廃棄済み",
    }
}

/// One asset as the cells of an export row, in [`export_fields`] order. `logins` maps
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
    export_fields()
        .map(|field| match field {
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
            "retention" => record
                .retention
                .map(|r| if ja { r.japanese() } else { r.code() })
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
            _ => String::new(),
        })
        .collect()
}

/// A written export and how many assets it holds.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub count: u64,
}

/// Writes every asset `viewer` may see that matches `filter`, in id order. The store
/// hands over batches while the file is written on a blocking thread, so the whole
/// register is never held as rows in memory — only the finished file is.
pub async fn export(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    lang: Lang,
    format: Format,
) -> Result<Exported, AppError> {
    let scheme = mamori_store::classification::active(store).await?;
    let logins = directory(store).await?.logins;
    let headers = headers(lang);
    let sheet_name = Tr::new(lang).t("asset.export.sheet_name");
    // Unbounded, because the store's callback cannot wait; the writer is faster than
    // the database, so in practice the queue holds a batch or two.
    let (sender, receiver) = std::sync::mpsc::channel::<Vec<Vec<String>>>();
    let writer = tokio::task::spawn_blocking(move || {
        let rows = receiver.into_iter().flatten();
        match format {
            Format::Xlsx => mamori_sheet::write_xlsx(sheet_name, &headers, rows),
            Format::Csv => Ok(mamori_sheet::write_csv(&headers, rows)),
        }
    });
    let mut count = 0u64;
    let read = mamori_store::assets::each_batch(store, viewer, filter, |batch| {
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
        AppError::internal()
    })?;
    read?;
    let bytes = written.map_err(|e| {
        tracing::error!(error = %e, "asset export could not be written");
        let mut error = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            e.message_key(),
        );
        error.params = e.params();
        error
    })?;
    Ok(Exported { bytes, count })
}

/// The `format` of the audit entry and the file extension.
pub fn format_code(format: Format) -> &'static str {
    match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    }
}

#[cfg(test)]
mod tests {
    use mamori_domain::asset::Retention;
    use mamori_domain::classification::Axis;
    use mamori_domain::user::OrgRole;
    use mamori_sheet::Row;

    use super::*;

    fn scheme() -> Scheme {
        let mut scheme = mamori_domain::classification_presets::guideline_2024();
        for (i, level) in scheme.levels.iter_mut().enumerate() {
            level.id = i as i64 + 1;
        }
        scheme
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: strings(headers),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| Row {
                    line: i + 2,
                    cells: strings(cells),
                })
                .collect(),
        }
    }

    fn holders() -> Holders {
        Holders::new([(7, "sato".to_owned(), "佐藤 一郎".to_owned())])
    }

    fn record(scheme: &Scheme) -> AssetRecord {
        let level = |axis, code| scheme.find_level(axis, code).unwrap().id;
        AssetRecord {
            id: 1,
            name: "=cmd|' /C calc'!A0 本会議録".into(),
            description: "一行目\n二行目, \"引用\"".into(),
            category: Category::Information,
            form: Form::Both,
            holder_type: HolderType::Member,
            holder_id: Some(7),
            holder_name: Some("佐藤 一郎".into()),
            managing_role: Some(OrgRole::SecurityManager),
            location: "議会事務局 書庫".into(),
            segment: Segment::Lgwan,
            confidentiality_id: level(Axis::Confidentiality, "3A"),
            integrity_id: level(Axis::Integrity, "2"),
            availability_id: level(Axis::Availability, "1"),
            restricted: true,
            retention: Some(Retention::TermOfOffice),
            disposal_due: Some("2027-03-31".into()),
            status: Status::Archived,
            notes: "-5 から始まる備考".into(),
            tags: vec!["会議録".into(), "本会議".into()],
            clauses: vec!["2(3)".into(), "6(2)".into()],
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn exported_headers_are_recognised_in_both_languages() {
        for lang in [Lang::Ja, Lang::En] {
            let headers = headers(lang);
            let mapping = Mapping::guess(&headers);
            let fields: Vec<_> = mapping.columns().iter().map(|f| f.unwrap()).collect();
            assert_eq!(fields, export_fields().collect::<Vec<_>>(), "{lang:?}");
        }
    }

    #[test]
    fn register_words_read_back_as_their_values() {
        for v in Category::ALL {
            assert_eq!(Category::parse(category_word(*v)), Some(*v));
        }
        for v in Form::ALL {
            assert_eq!(Form::parse(form_word(*v)), Some(*v));
        }
        for v in HolderType::ALL {
            assert_eq!(HolderType::parse(holder_type_word(*v)), Some(*v));
        }
        for v in Segment::ALL {
            assert_eq!(Segment::parse(segment_word(*v)), Some(*v));
        }
        for v in Status::ALL {
            assert_eq!(Status::parse(status_word(*v)), Some(*v));
        }
    }

    #[test]
    fn an_exported_row_checks_to_the_same_asset_in_both_languages() {
        let scheme = scheme();
        let record = record(&scheme);
        let logins = HashMap::from([(7, "sato".to_owned())]);
        for lang in [Lang::Ja, Lang::En] {
            for format in [Format::Csv, Format::Xlsx] {
                let cells = record_cells(&record, &scheme, lang, &logins);
                let cells = match format {
                    // What the file holds after our CSV writer's formula guard.
                    Format::Csv => cells
                        .iter()
                        .map(|c| mamori_sheet::csv_cell_guard(c).into_owned())
                        .collect(),
                    Format::Xlsx => cells,
                };
                let headers = headers(lang);
                let table = Table {
                    headers: headers.clone(),
                    rows: vec![Row { line: 2, cells }],
                };
                let checked = validate(
                    &table,
                    format,
                    &Mapping::guess(&headers),
                    &scheme,
                    &holders(),
                    |_| {},
                );
                assert!(checked.errors.is_empty(), "{lang:?}: {:?}", checked.errors);
                assert_eq!(
                    checked.assets[0].1,
                    record.as_asset(),
                    "{lang:?} {format:?}"
                );
            }
        }
        let ja = record_cells(&record, &scheme, Lang::Ja, &logins);
        assert!(ja.contains(&"イ".to_owned()) && ja.contains(&"任期中".to_owned()));
        assert!(ja.contains(&"sato".to_owned()) && ja.contains(&"会議録、本会議".to_owned()));
        let en = record_cells(&record, &scheme, Lang::En, &logins);
        assert!(en.contains(&"information".to_owned()) && en.contains(&"term".to_owned()));
    }

    #[test]
    fn guess_takes_the_first_column_for_a_field() {
        let mapping = Mapping::guess(&strings(&["資産名", "備考", "何か", "Notes", ""]));
        assert_eq!(
            mapping.columns(),
            &[Some("name"), Some("notes"), None, None, None]
        );
        assert_eq!(
            mapping.unrecognised(&strings(&["資産名", "備考", "何か", "Notes", ""])),
            vec!["何か", "Notes"]
        );
        let twice = Mapping::chosen(vec![Some("name"), None, Some("name")]);
        let t = table(&["a", "b", "c"], &[&["x", "y", "z"]]);
        let checked = validate(&t, Format::Csv, &twice, &scheme(), &holders(), |_| {});
        assert_eq!(checked.errors.len(), 1);
        assert_eq!(checked.errors[0].field, Some("name"));
        assert_eq!(
            checked.errors[0].message_key,
            "asset.import.error.duplicate_field"
        );
    }

    #[test]
    fn every_row_is_checked_and_every_problem_listed() {
        let scheme = scheme();
        let t = table(
            &[
                "資産名",
                "分類",
                "形態",
                "保有者区分",
                "機密性",
                "完全性",
                "可用性",
                "廃棄予定日",
                "市販の刊行物",
            ],
            &[
                &["会議録", "イ", "紙", "議会事務局", "2", "2", "1", "", ""],
                &[
                    "不明な区分",
                    "イ",
                    "紙",
                    "議会事務局",
                    "3",
                    "2",
                    "1",
                    "",
                    "",
                ],
                &[
                    "日付誤り",
                    "イ",
                    "紙",
                    "議会事務局",
                    "2",
                    "2",
                    "1",
                    "2026-02-30",
                    "",
                ],
                &["官報", "イ", "紙", "議会事務局", "1", "1", "1", "", ""],
                &[
                    "ずれた行",
                    "イ",
                    "紙",
                    "議会事務局",
                    "1",
                    "1",
                    "1",
                    "",
                    "",
                    "余分",
                ],
            ],
        );
        let mut mapping = Mapping::guess(&t.headers);
        assert_eq!(mapping.field_of(8), None);
        mapping.columns[8] = Some("publication");
        let mut rows = to_inputs(&t, &mapping, Format::Xlsx);
        rows[3].1.publication = "官報".into();
        let errors = check_all(&rows, &scheme, &holders()).unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.line, e.field.unwrap(), e.message_key))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, "confidentiality", "asset.error.unknown_level"),
                (4, "disposal_due", errors[1].message_key),
                (5, "publication", "asset.error.publication"),
            ]
        );
        // One of the date parser's own messages (which one depends on the mistake).
        assert_eq!(errors[1].message_key.split('.').next(), Some("date"));

        let checked = validate(&t, Format::Xlsx, &mapping, &scheme, &holders(), |_| {});
        let stray = checked.errors.iter().find(|e| e.line == 6).unwrap();
        assert_eq!(stray.message_key, "asset.import.error.stray_cells");
        assert_eq!(stray.params, vec![("column", "J".to_owned())]);
    }

    #[test]
    fn files_without_rows_or_names_are_refused() {
        let scheme = scheme();
        let empty = table(&["資産名"], &[]);
        let checked = validate(
            &empty,
            Format::Csv,
            &Mapping::guess(&empty.headers),
            &scheme,
            &holders(),
            |_| {},
        );
        assert_eq!(checked.errors[0].message_key, "asset.import.error.no_rows");
        let nameless = table(&["分類"], &[&["イ"]]);
        let checked = validate(
            &nameless,
            Format::Csv,
            &Mapping::guess(&nameless.headers),
            &scheme,
            &holders(),
            |_| {},
        );
        assert_eq!(
            checked.errors[0].message_key,
            "asset.import.error.name_unmapped"
        );
    }

    #[test]
    fn csv_cells_are_unguarded_and_xlsx_cells_kept() {
        let t = table(&["資産名"], &[&["'=1+1"]]);
        let mapping = Mapping::guess(&t.headers);
        assert_eq!(to_inputs(&t, &mapping, Format::Csv)[0].1.name, "=1+1");
        assert_eq!(to_inputs(&t, &mapping, Format::Xlsx)[0].1.name, "'=1+1");
    }

    #[test]
    fn column_letters_as_excel_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }
}
