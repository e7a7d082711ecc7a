//! xlsx: reading with our own streaming reader ([`read`]), writing through
//! rust_xlsxwriter.

mod read;
mod styles;

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::{MAX_COLUMNS, SheetError};

pub(crate) use read::read;

/// Excel's own limits: 1,048,576 rows and 32,767 UTF-16 units per cell.
const XLSX_MAX_ROWS: usize = 1_048_576;
const XLSX_MAX_CELL_UTF16: usize = 32_767;
/// Widest column we set, in Excel's character units.
pub(crate) const MAX_COLUMN_WIDTH: usize = 60;

/// Sum of the uncompressed sizes in the zip's central directory, or `None` if there is
/// no readable directory (a truncated file): a cheap first refusal of a zip bomb before
/// anything is inflated. The readers enforce their limits while inflating as well,
/// because a directory can lie.
pub(crate) fn declared_unzipped_size(b: &[u8]) -> Option<u64> {
    let u16_at = |p: usize| b.get(p..p + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
    let u32_at = |p: usize| {
        b.get(p..p + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    };
    // The end record is the last 22 bytes plus a comment of up to 64 KiB.
    let tail = b.len().saturating_sub(22 + 0xFFFF);
    let end = tail + b[tail..].windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let entries = u16_at(end + 10)?;
    let mut p = u32_at(end + 16)? as usize;
    let mut total = 0u64;
    for _ in 0..entries {
        if b.get(p..p + 4)? != b"PK\x01\x02" {
            return None;
        }
        let (name, extra, comment) = (
            u16_at(p + 28)? as usize,
            u16_at(p + 30)? as usize,
            u16_at(p + 32)? as usize,
        );
        let size = match u32_at(p + 24)? {
            // Zip64: the real size is the first field of the 0x0001 extra block.
            u32::MAX => zip64_size(b.get(p + 46 + name..p + 46 + name + extra)?)?,
            size => u64::from(size),
        };
        total = total.saturating_add(size);
        p += 46 + name + extra + comment;
    }
    Some(total)
}

fn zip64_size(mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let id = u16::from_le_bytes([extra[0], extra[1]]);
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        let data = extra.get(4..4 + len)?;
        if id == 1 {
            return Some(u64::from_le_bytes(data.get(..8)?.try_into().ok()?));
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Writes a header row and rows as .xlsx: header bold, first row frozen, an autofilter
/// over the table, column widths estimated from the text (CJK counted double, capped at
/// 60). Every cell is written as a string, never a formula, even when it starts with
/// "=": nothing a user typed is executed by Excel, and reading the file back gives the
/// same text (so no CSV-style guard is needed).
///
/// Rows stream through rust_xlsxwriter's constant-memory mode, which keeps one row in
/// memory and the rest in a temp file (`std::env::temp_dir()`, unlinked at once). The
/// sheet name is made valid for Excel rather than rejected.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(write_error)?;
    sheet
        .set_name(valid_sheet_name(sheet_name))
        .map_err(write_error)?;
    fill_sheet(sheet, headers, rows)?;
    workbook.save_to_buffer().map_err(write_error)
}

/// One sheet of a workbook: its name, header row and rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetData {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Writes several headed tables as one workbook, a sheet each, laid out as
/// [`write_xlsx`] lays out its one (each sheet streamed the same way). Names are made
/// valid, and unique by a number when two collide.
pub fn write_xlsx_book(sheets: &[SheetData]) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for data in sheets {
        let base = valid_sheet_name(&data.name);
        let mut name = base.clone();
        let mut n = 2;
        // Excel compares sheet names without case.
        while names
            .iter()
            .any(|u| u.to_lowercase() == name.to_lowercase())
        {
            let suffix = format!(" ({n})");
            let keep: String = base.chars().take(31 - suffix.len()).collect();
            name = format!("{keep}{suffix}");
            n += 1;
        }
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(write_error)?;
        sheet.set_name(&name).map_err(write_error)?;
        names.push(name);
        fill_sheet(sheet, &data.headers, data.rows.iter().cloned())?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

/// The header, the rows, the frozen header, the filter and the widths of one sheet.
fn fill_sheet(
    sheet: &mut Worksheet,
    headers: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), SheetError> {
    let mut widths = Vec::new();
    let header = [
        Format::new().set_bold(),
        Format::new().set_bold().set_text_wrap(),
    ];
    write_row(sheet, 0, headers, &header, &mut widths)?;
    // Excel only shows the line breaks of a cell that wraps.
    let data = [Format::new(), Format::new().set_text_wrap()];
    let mut last_row = 0;
    for (i, row) in rows.enumerate() {
        last_row = i + 1;
        if last_row >= XLSX_MAX_ROWS {
            return Err(SheetError::TooManyRows {
                max: XLSX_MAX_ROWS - 1,
            });
        }
        write_row(sheet, last_row, &row, &data, &mut widths)?;
    }

    // With constant memory these can come after the data: they live in the parts of the
    // sheet XML that are assembled at save time.
    sheet.set_freeze_panes(1, 0).map_err(write_error)?;
    let last_col = widths.len().max(1) as u16 - 1;
    sheet
        .autofilter(0, 0, last_row as u32, last_col)
        .map_err(write_error)?;
    for (col, width) in widths.into_iter().enumerate() {
        // +2 leaves room for the filter button; 8 is about Excel's default width.
        let width = (width + 2).clamp(8, MAX_COLUMN_WIDTH);
        sheet
            .set_column_width(col as u16, width as f64)
            .map_err(write_error)?;
    }
    Ok(())
}

pub(crate) fn write_row(
    sheet: &mut Worksheet,
    row: usize,
    cells: &[String],
    [single_line, multi_line]: &[Format; 2],
    widths: &mut Vec<usize>,
) -> Result<(), SheetError> {
    if cells.len() > MAX_COLUMNS {
        return Err(SheetError::TooManyColumns {
            max: MAX_COLUMNS,
            line: row + 1,
        });
    }
    if widths.len() < cells.len() {
        widths.resize(cells.len(), 0);
    }
    for (col, text) in cells.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        if text.len() > XLSX_MAX_CELL_UTF16 && text.encode_utf16().count() > XLSX_MAX_CELL_UTF16 {
            return Err(SheetError::CellTooLong {
                max: XLSX_MAX_CELL_UTF16,
                line: row + 1,
                column: col + 1,
            });
        }
        let format = if text.contains('\n') {
            multi_line
        } else {
            single_line
        };
        sheet
            .write_string_with_format(row as u32, col as u16, text, format)
            .map_err(write_error)?;
        widths[col] = widths[col].max(display_width(text));
    }
    Ok(())
}

pub(crate) fn write_error(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Width of the longest line of a cell, in Excel's character units: East Asian wide
/// characters take about two. Stops counting once past the cap, so a 10,000-character
/// cell costs no more than a short one.
fn display_width(text: &str) -> usize {
    let mut widest = 0;
    for line in text.split('\n') {
        let mut width = 0;
        for c in line.chars() {
            width += if is_wide(c) { 2 } else { 1 };
            if width >= MAX_COLUMN_WIDTH {
                return MAX_COLUMN_WIDTH;
            }
        }
        widest = widest.max(width);
    }
    widest
}

/// The main East Asian Wide/Fullwidth blocks; half-width katakana (U+FF61–FF9F) is not.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}' | '\u{1F300}'..='\u{1F64F}' | '\u{1F900}'..='\u{1F9FF}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// Excel's sheet-name rules: 1–31 UTF-16 units, none of `[]:*?/\`, no leading or
/// trailing apostrophe. A name from a caller (a date, a department) is fixed, not refused.
pub(crate) fn valid_sheet_name(name: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in name.trim_matches('\'').chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        out.push(if "[]:*?/\\".contains(c) { '_' } else { c });
    }
    let out = out.trim_end_matches('\'');
    if out.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double_and_are_capped() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("資産台帳"), 8);
        assert_eq!(display_width("ｼｻﾝ"), 3);
        assert_eq!(display_width("短い\nとても長い行です"), 16);
        assert_eq!(display_width(&"あ".repeat(10_000)), MAX_COLUMN_WIDTH);
    }

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(valid_sheet_name("資産台帳"), "資産台帳");
        assert_eq!(valid_sheet_name("2026/03 [案]"), "2026_03 _案_");
        assert_eq!(valid_sheet_name("'x'"), "x");
        assert_eq!(valid_sheet_name(""), "Sheet1");
        assert_eq!(valid_sheet_name("'"), "Sheet1");
        assert_eq!(valid_sheet_name(&"長".repeat(40)).chars().count(), 31);
        assert_eq!(valid_sheet_name(&"a".repeat(30)), "a".repeat(30));
    }

    #[test]
    fn numbers() {
        use read::number_text;
        assert_eq!(number_text(5.0), "5");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number_text(1e15), "1000000000000000");
    }
}
