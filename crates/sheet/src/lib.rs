//! Reading and writing the tabular files (`.xlsx`, `.csv`) that municipal staff keep their
//! registers in. Bytes in, bytes out: no file system, no network, no async, so the web and
//! CLI layers decide where the bytes come from and how large they may be.
//!
//! Errors carry an i18n message key and its placeholders rather than prose, because the
//! message is shown to the user in their language (ja/en) by the caller.

mod cells;
mod date;
mod delimited;
pub mod document;
mod limited;
mod template;
mod xlsx;
mod xml;

pub use cells::Cells;
pub use delimited::{csv_cell_guard, csv_cell_unguard, csv_head, csv_lines, write_csv};
pub use template::{Choices, TEMPLATE_ROWS, Template, write_template_xlsx};
pub use xlsx::{SheetData, write_xlsx, write_xlsx_book};

/// Most columns a table may have: a register wider than this is a mistake (or an attack),
/// and the limit keeps a hostile file from blowing up every row's allocation.
pub const MAX_COLUMNS: usize = 200;
/// Longest cell, in characters, that `read` accepts.
pub const MAX_CELL_CHARS: usize = 100_000;
/// Most memory the rows of one table may take (their text, where each cell ends, the
/// padding of short rows included), in MiB: the bound on what a small file whose cells
/// repeat (a shared string used a million times, a million empty cells) can make the
/// reader allocate. A CSV at the import's 20 MiB limit of 100,000 rows of 30 columns
/// takes about 36 MiB.
pub const MAX_TABLE_MIB: usize = 40;

/// Refuses a table that has grown past [`MAX_TABLE_MIB`].
fn check_table_size(bytes: usize) -> Result<(), SheetError> {
    if bytes > MAX_TABLE_MIB << 20 {
        Err(SheetError::TableTooLarge {
            max_mib: MAX_TABLE_MIB as u64,
        })
    } else {
        Ok(())
    }
}

/// A table read from a file: the first non-empty row is the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row. Rows shorter than the header are padded with "" to its length; longer
/// rows are kept whole so the caller can report stray values instead of losing them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number as a spreadsheet user sees it (the header is row 1 when it is
    /// the first row), so error messages can point at the right line of the file.
    pub line: usize,
    pub cells: Cells,
}

/// Why bytes handed to [`read`] are not something we can read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSheetReason {
    /// Binary data, or a zip that is not an xlsx workbook.
    Unknown,
    /// A legacy `.xls` (OLE compound file): the user should save it as .xlsx or .csv.
    LegacyXls,
    /// A password-protected workbook (stored as an OLE file with an encrypted package):
    /// the user has to remove the password first.
    Encrypted,
}

/// Everything that can go wrong. `Display` is for logs; users see
/// [`SheetError::message_key`] with [`SheetError::params`].
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("the file has no header row")]
    Empty,
    #[error("not a spreadsheet ({0:?})")]
    NotASpreadsheet(NotSheetReason),
    #[error("broken xlsx: {0}")]
    BrokenXlsx(String),
    #[error("text is neither UTF-8, UTF-16 with a BOM nor Shift_JIS")]
    Encoding,
    #[error("malformed CSV at line {line}: {detail}")]
    Csv { line: usize, detail: String },
    #[error("more than {max} data rows")]
    TooManyRows { max: usize },
    #[error("more than {max} columns in row {line}")]
    TooManyColumns { max: usize, line: usize },
    #[error("cell in row {line}, column {column} is longer than {max} characters")]
    CellTooLong {
        max: usize,
        line: usize,
        column: usize,
    },
    /// The zip's declared content is larger than we are willing to inflate (zip bomb).
    #[error("the xlsx would unpack to more than {max_mib} MiB")]
    TooLarge { max_mib: u64 },
    /// A text in a zip part longer than any cell may be, met where no cell is known (the
    /// shared-string table).
    #[error("a text is longer than {max} characters")]
    TextTooLong { max: usize },
    /// The workbook's shared-string table is larger than we hold in memory.
    #[error("the shared strings take more than {max_mib} MiB")]
    SharedStringsTooLarge { max_mib: u64 },
    /// The cells read take more memory than a table may.
    #[error("the table takes more than {max_mib} MiB")]
    TableTooLarge { max_mib: u64 },
    /// A zip without word/document.xml: not a Word document.
    #[error("not a Word document")]
    NotADocument,
    /// A .docx or its XML that cannot be read.
    #[error("broken document: {0}")]
    BrokenDocument(String),
    /// rust_xlsxwriter failed; in constant-memory mode this includes its temp file.
    #[error("could not write xlsx: {0}")]
    Write(String),
}

impl SheetError {
    /// The i18n key of the message to show the user.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Empty => "sheet.error.empty",
            Self::NotASpreadsheet(NotSheetReason::Unknown) => "sheet.error.not_a_spreadsheet",
            Self::NotASpreadsheet(NotSheetReason::LegacyXls) => "sheet.error.xls",
            Self::NotASpreadsheet(NotSheetReason::Encrypted) => "sheet.error.encrypted",
            Self::BrokenXlsx(_) => "sheet.error.broken_xlsx",
            Self::Encoding => "sheet.error.encoding",
            Self::Csv { .. } => "sheet.error.csv",
            Self::TooManyRows { .. } => "sheet.error.too_many_rows",
            Self::TooManyColumns { .. } => "sheet.error.too_many_columns",
            Self::CellTooLong { .. } => "sheet.error.cell_too_long",
            Self::TooLarge { .. } => "sheet.error.too_large",
            Self::TextTooLong { .. } => "sheet.error.text_too_long",
            Self::SharedStringsTooLarge { .. } => "sheet.error.shared_strings_too_large",
            Self::TableTooLarge { .. } => "sheet.error.table_too_large",
            Self::Write(_) => "sheet.error.write",
            Self::NotADocument => "sheet.error.not_a_document",
            Self::BrokenDocument(_) => "sheet.error.broken_document",
        }
    }

    /// Placeholders for the message. Technical details (parser messages) are left out on
    /// purpose: they mean nothing to the user and belong in the log via `Display`.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match *self {
            Self::Csv { line, .. } => vec![("line", line.to_string())],
            Self::TooManyRows { max } => vec![("max", max.to_string())],
            Self::TooManyColumns { max, line } => {
                vec![("max", max.to_string()), ("line", line.to_string())]
            }
            Self::CellTooLong { max, line, column } => vec![
                ("max", max.to_string()),
                ("line", line.to_string()),
                ("column", column.to_string()),
                ("column_name", column_name(column)),
            ],
            Self::TooLarge { max_mib }
            | Self::SharedStringsTooLarge { max_mib }
            | Self::TableTooLarge { max_mib } => vec![("max", max_mib.to_string())],
            Self::TextTooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Spreadsheet column letters for a 1-based column number (1 → "A", 28 → "AB"), because
/// Excel users look for "AB列", not "column 28".
fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    while column > 0 {
        column -= 1;
        name.push(b'A' + (column % 26) as u8);
        column /= 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Which parser [`read`] uses for some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// Sniffs the format from the content, never from a file name (users rename files).
/// Zip magic means xlsx; anything else goes to the text reader, which itself refuses
/// legacy `.xls` (OLE magic `D0 CF 11 E0`), encrypted workbooks and binary data.
pub fn detect(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        Format::Xlsx
    } else {
        Format::Csv
    }
}

/// Reads the first worksheet of an xlsx, or a CSV/TSV text, into a [`Table`].
/// `max_rows` bounds the data rows (the header not counted); more is an error rather
/// than a silent cut, so nobody imports half a register without noticing.
///
/// CSV cells come back exactly as written: a value that [`write_csv`] guarded with a
/// leading `'` keeps it, and the caller decides whether to apply [`csv_cell_unguard`]
/// (it should for files this program exported).
pub fn read(bytes: &[u8], max_rows: usize) -> Result<Table, SheetError> {
    match detect(bytes) {
        Format::Xlsx => xlsx::read(bytes, max_rows),
        Format::Csv => delimited::read(bytes, max_rows),
    }
}

/// Collects rows from either reader and applies the rules they share: skip empty rows,
/// first non-empty row is the header, the limits, and padding to the header's width.
struct TableBuilder {
    max_rows: usize,
    headers: Option<Vec<String>>,
    rows: Vec<Row>,
    /// Memory the rows take so far, see [`MAX_TABLE_MIB`].
    size: usize,
}

impl TableBuilder {
    fn new(max_rows: usize) -> Self {
        Self {
            max_rows,
            headers: None,
            rows: Vec::new(),
            size: 0,
        }
    }

    fn push(&mut self, line: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        // Excel pads exports with empty trailing cells (and whole ",,,," rows) over its
        // "used range"; those are not data.
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(());
        }
        if cells.len() > MAX_COLUMNS {
            return Err(SheetError::TooManyColumns {
                max: MAX_COLUMNS,
                line,
            });
        }
        if let Some(column) = cells
            .iter()
            .position(|c| c.len() > MAX_CELL_CHARS && c.chars().count() > MAX_CELL_CHARS)
        {
            return Err(SheetError::CellTooLong {
                max: MAX_CELL_CHARS,
                line,
                column: column + 1,
            });
        }
        match &self.headers {
            None => self.headers = Some(cells),
            Some(headers) => {
                if self.rows.len() >= self.max_rows {
                    return Err(SheetError::TooManyRows { max: self.max_rows });
                }
                let cells = Cells::padded(&cells, headers.len());
                self.size += std::mem::size_of::<Row>() + cells.heap_size();
                check_table_size(self.size)?;
                self.rows.push(Row { line, cells });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Table, SheetError> {
        let headers = self.headers.ok_or(SheetError::Empty)?;
        Ok(Table {
            headers,
            rows: self.rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(26), "Z");
        assert_eq!(column_name(27), "AA");
        assert_eq!(column_name(200), "GR");
    }

    #[test]
    fn every_error_has_a_key_and_its_params() {
        let e = SheetError::CellTooLong {
            max: 5,
            line: 3,
            column: 28,
        };
        assert_eq!(e.message_key(), "sheet.error.cell_too_long");
        assert!(e.params().contains(&("column_name", "AB".to_string())));
        assert_eq!(
            SheetError::NotASpreadsheet(NotSheetReason::LegacyXls).message_key(),
            "sheet.error.xls"
        );
    }

    #[test]
    fn builder_skips_empty_rows_pads_short_ones_and_keeps_long_ones() {
        let mut b = TableBuilder::new(10);
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        b.push(1, s(&["", ""])).unwrap();
        b.push(2, s(&["a", "b", ""])).unwrap();
        b.push(3, s(&["1"])).unwrap();
        b.push(4, s(&["", "", "", ""])).unwrap();
        b.push(5, s(&["1", "2", "3"])).unwrap();
        let t = b.finish().unwrap();
        assert_eq!(t.headers, s(&["a", "b"]));
        assert_eq!(
            t.rows[0],
            Row {
                line: 3,
                cells: Cells::from(s(&["1", ""]))
            }
        );
        assert_eq!(
            t.rows[1],
            Row {
                line: 5,
                cells: Cells::from(s(&["1", "2", "3"]))
            }
        );
    }

    #[test]
    fn builder_limits() {
        let mut b = TableBuilder::new(1);
        b.push(1, vec!["h".into()]).unwrap();
        b.push(2, vec!["1".into()]).unwrap();
        let e = b.push(3, vec!["2".into()]).unwrap_err();
        assert_eq!(e.message_key(), "sheet.error.too_many_rows");
        assert_eq!(e.params(), vec![("max", "1".to_string())]);

        let mut b = TableBuilder::new(1);
        let e = b.push(7, vec!["x".into(); MAX_COLUMNS + 1]).unwrap_err();
        assert!(matches!(e, SheetError::TooManyColumns { line: 7, .. }));

        let mut b = TableBuilder::new(1);
        assert!(b.push(1, vec!["あ".repeat(MAX_CELL_CHARS)]).is_ok());
        let e = b
            .push(2, vec!["".into(), "a".repeat(MAX_CELL_CHARS + 1)])
            .unwrap_err();
        assert!(matches!(
            e,
            SheetError::CellTooLong {
                line: 2,
                column: 2,
                ..
            }
        ));

        assert!(matches!(
            TableBuilder::new(1).finish(),
            Err(SheetError::Empty)
        ));
    }
}
