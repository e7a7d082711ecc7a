//! The asset register as a file: the one conversion between a spreadsheet (.xlsx or
//! .csv) and the register, used by the web pages and by `mamori import/export assets`.
//!
//! Import: a table read by `mamori_sheet` → a [`Mapping`] of its columns to asset fields
//! → one [`AssetInput`] per row → `AssetInput::check` for every row, all problems listed.
//! Export: each [`AssetRecord`] → cells in the words a register uses (Japanese) or the
//! codes (English). Both exports import again to the same data; the tests hold us to it.

mod export;
pub(crate) mod template;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashMap;

use mamori_domain::asset::{self, Asset, AssetInput, FIELDS, Holders};
use mamori_domain::classification::Scheme;
use mamori_sheet::{SheetError, Table};
use mamori_store::{Store, StoreError};

use crate::assets::field_key;
use crate::i18n::Tr;

pub use export::{
    CsvExport, ExportError, Exported, export, export_csv, format_code, headers, record_cells,
};
pub use template::{build as build_template, example_cells, is_example, template};

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

/// Columns that fill no field of an asset: which asset a row updates (the asset number
/// an export writes first) and why its classification changes.
pub const ROW_FIELDS: [&str; 2] = ["number", "reason"];

/// The field (or row field) a form value names, if it is one.
pub fn field_named(name: &str) -> Option<&'static str> {
    FIELDS.into_iter().chain(ROW_FIELDS).find(|f| *f == name)
}

/// A cell's text as the row means it: CSV cells lose the `'` that our own CSV export
/// puts before text a spreadsheet would run as a formula.
pub fn cell_text(format: Format, cell: &str) -> &str {
    match format {
        Format::Csv => mamori_sheet::csv_cell_unguard(cell),
        Format::Xlsx => cell,
    }
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
    pub fn file(message_key: &'static str) -> RowError {
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

    /// The column that fills `field`, if one does.
    pub fn column_of(&self, field: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
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
    pub fn check(&self) -> Result<(), RowError> {
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
        "personal_info" => &mut input.personal_info,
        "publication" => &mut input.publication,
        _ => return None,
    })
}

/// Each data row as typed input, with its row number.
pub fn to_inputs(table: &Table, mapping: &Mapping, format: Format) -> Vec<(usize, AssetInput)> {
    table
        .rows
        .iter()
        .map(|row| (row.line, row_input(row, mapping, format)))
        .collect()
}

/// One data row as typed input. CSV cells lose the `'` that our own CSV export puts
/// before text a spreadsheet would run as a formula.
pub fn row_input(row: &mamori_sheet::Row, mapping: &Mapping, format: Format) -> AssetInput {
    let mut input = AssetInput::default();
    for (column, cell) in row.cells.iter().enumerate() {
        let Some(field) = mapping.field_of(column) else {
            continue;
        };
        if let Some(slot) = field_slot(&mut input, field) {
            *slot = cell_text(format, cell).to_owned();
        }
    }
    input
}

/// A row's problems as row errors, in the order the check names them.
pub fn row_errors(line: usize, problems: Vec<mamori_domain::field::FieldProblem>) -> Vec<RowError> {
    problems
        .into_iter()
        .map(|p| RowError {
            line,
            field: Some(p.field),
            message_key: p.key,
            params: p.params,
        })
        .collect()
}

// ---------------------------------------------------------------- checking

/// The outcome of checking a file: the rows that are assets, every problem, and notes
/// on what was kept as written rather than understood (a 保存期間 no reading fits).
#[derive(Debug, Default)]
pub struct Checked {
    pub assets: Vec<(usize, Asset)>,
    pub errors: Vec<RowError>,
    pub notes: Vec<RowError>,
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

/// One row: the asset it is, with a note when a value is kept as written (a 保存期間 no
/// reading fits: said, never refused), or its problems. The template's example row is
/// never an asset.
pub fn check_input(
    line: usize,
    input: &AssetInput,
    scheme: &Scheme,
    holders: &Holders,
) -> Result<(Asset, Option<RowError>), Vec<RowError>> {
    if is_example(input) {
        return Err(vec![RowError {
            line,
            field: Some("name"),
            message_key: "asset.import.error.example_row",
            params: Vec::new(),
        }]);
    }
    let asset = input
        .check(scheme, holders)
        .map_err(|problems| row_errors(line, problems))?;
    let note = retention_note(line, &asset);
    Ok((asset, note))
}

fn retention_note(line: usize, asset: &Asset) -> Option<RowError> {
    let retention = asset.retention.as_ref().filter(|r| r.reading.is_none())?;
    Some(RowError {
        line,
        field: Some("retention"),
        message_key: "asset.import.note.retention_kept",
        params: vec![("text", retention.text.clone())],
    })
}

/// A file of nothing but the template's example row is the template sent back untouched,
/// which deserves its own answer rather than one error per row.
pub fn only_examples<I: std::borrow::Borrow<AssetInput>>(
    inputs: impl IntoIterator<Item = I>,
) -> Option<RowError> {
    let mut any = false;
    inputs
        .into_iter()
        .all(|input| {
            any = true;
            is_example(input.borrow())
        })
        .then_some(())
        .filter(|()| any)
        .map(|()| RowError::file("asset.import.error.template_only"))
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
    if let Some(error) = only_examples(rows.iter().map(|(_, input)| input)) {
        checked.errors.push(error);
        return checked;
    }
    for (done, (line, input)) in rows.iter().enumerate() {
        match check_input(*line, input, scheme, holders) {
            Ok((asset, note)) => {
                checked.notes.extend(note);
                checked.assets.push((*line, asset))
            }
            Err(errors) => checked.errors.extend(errors),
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
        .filter_map(|row| stray_cell(row, width))
        .collect()
}

/// A value right of the header's `width` columns in `row`, as its error.
pub fn stray_cell(row: &mamori_sheet::Row, width: usize) -> Option<RowError> {
    let column = row.cells.iter().skip(width).position(|c| !c.is_empty())? + width;
    Some(RowError {
        line: row.line,
        field: None,
        message_key: "asset.import.error.stray_cells",
        params: vec![("column", column_letters(column))],
    })
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
            errors: vec![error],
            ..Checked::default()
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
