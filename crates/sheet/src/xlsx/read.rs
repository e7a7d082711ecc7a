//! Reading the first worksheet of an .xlsx as a stream: the zip parts are inflated
//! through one allowance and parsed event by event, and every limit (unpacked size, text
//! length, shared-string table size, columns, rows, the table's size) is checked as the
//! bytes come, so no value larger than a limit is ever held in memory.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::styles::{NumberKind, Styles, builtin_kind, custom_kind};
use crate::date::{excel_duration, excel_serial_to_iso};
use crate::limited::Allowance;
use crate::xml::{XmlPart, resolve};
use crate::{Cells, MAX_CELL_CHARS, MAX_COLUMNS, NotSheetReason, SheetError, Table, TableBuilder};

/// Most a workbook may unpack to, all parts together.
pub(crate) const MAX_UNZIPPED_MIB: u64 = 1024;
/// Most entries a workbook's zip may have.
const MAX_ENTRIES: usize = 10_000;
/// Most the shared-string table may take: its text plus [`SHARED_STRING_COST`] a string.
/// Excel writes every distinct text of a workbook there once, so a real register needs a
/// few MiB.
pub(crate) const MAX_SHARED_STRINGS_MIB: usize = 32;
const SHARED_STRING_COST: usize = 8;
/// Longest run of bytes between markup: more bytes than this hold more than
/// [`MAX_CELL_CHARS`] characters (a character is at most four bytes), so the run is refused
/// before the XML parser buffers it.
const MAX_RUN: usize = 4 * MAX_CELL_CHARS;

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn broken(detail: String) -> SheetError {
    SheetError::BrokenXlsx(detail)
}

pub(crate) fn read(bytes: &[u8], max_rows: usize) -> Result<Table, SheetError> {
    match super::declared_unzipped_size(bytes) {
        None => return Err(broken("unreadable zip directory".into())),
        Some(size) if size > MAX_UNZIPPED_MIB << 20 => {
            return Err(SheetError::TooLarge {
                max_mib: MAX_UNZIPPED_MIB,
            });
        }
        Some(_) => {}
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(broken(format!("{} entries in the zip", zip.len())));
    }
    let allowance = Allowance::new(MAX_UNZIPPED_MIB << 20, MAX_RUN);

    // A zip without a workbook is some other zip-based file (.docx, an archive).
    let workbook = entry(&mut zip, "xl/workbook.xml")?
        .ok_or(SheetError::NotASpreadsheet(NotSheetReason::Unknown))?;
    let workbook = read_workbook(&mut XmlPart::new(workbook, &allowance, broken))?;
    let rels = entry(&mut zip, "xl/_rels/workbook.xml.rels")?
        .ok_or_else(|| broken("no xl/_rels/workbook.xml.rels".into()))?;
    let rels = read_relationships(&mut XmlPart::new(rels, &allowance, broken))?;
    let sheet = rels
        .targets
        .get(&workbook.first_sheet)
        .ok_or_else(|| broken(format!("no relationship {}", workbook.first_sheet)))?;
    let styles = match rels.styles.as_deref() {
        Some(path) => match entry(&mut zip, path)? {
            Some(styles) => read_styles(&mut XmlPart::new(styles, &allowance, broken))?,
            None => Styles::default(),
        },
        None => Styles::default(),
    };
    let shared = match rels.shared_strings.as_deref() {
        Some(path) => match entry(&mut zip, path)? {
            Some(shared) => read_shared_strings(&mut XmlPart::new(shared, &allowance, broken))?,
            None => SharedStrings::default(),
        },
        None => SharedStrings::default(),
    };
    let context = SheetContext {
        shared,
        styles,
        is_1904: workbook.is_1904,
        max_rows,
    };
    let sheet = entry(&mut zip, sheet)?.ok_or_else(|| broken(format!("no part {sheet}")))?;
    read_sheet(&mut XmlPart::new(sheet, &allowance, broken), &context)
}

/// The part `name` of the package, or `None` when it has none.
fn entry<'z, 'b>(
    zip: &'z mut Zip<'b>,
    name: &str,
) -> Result<Option<zip::read::ZipFile<'z, Cursor<&'b [u8]>>>, SheetError> {
    match zip.by_name(name) {
        Ok(entry) => Ok(Some(entry)),
        Err(zip::result::ZipError::FileNotFound) => Ok(None),
        Err(e) => Err(broken(format!("{name}: {e}"))),
    }
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name || a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

// ---------------------------------------------------------------- workbook, relationships

struct Workbook {
    is_1904: bool,
    /// Relationship id of the first sheet.
    first_sheet: String,
}

fn read_workbook<R: Read>(part: &mut XmlPart<R>) -> Result<Workbook, SheetError> {
    let (mut is_root, mut is_1904, mut first_sheet) = (None, false, None);
    loop {
        match part.next()? {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if is_root.is_none() {
                    is_root = Some(name == "workbook");
                }
                match name {
                    "workbookPr" => {
                        is_1904 = matches!(attribute(&e, "date1904").as_deref(), Some("1" | "true"))
                    }
                    "sheet" if first_sheet.is_none() => first_sheet = attribute(&e, "r:id"),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if is_root != Some(true) {
        return Err(broken("xl/workbook.xml is not a workbook".into()));
    }
    let first_sheet = first_sheet.ok_or(SheetError::Empty)?;
    Ok(Workbook {
        is_1904,
        first_sheet,
    })
}

#[derive(Default)]
struct Relationships {
    /// Part path of each relationship id.
    targets: HashMap<String, String>,
    shared_strings: Option<String>,
    styles: Option<String>,
}

fn read_relationships<R: Read>(part: &mut XmlPart<R>) -> Result<Relationships, SheetError> {
    let mut rels = Relationships::default();
    loop {
        match part.next()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let (Some(id), Some(target)) = (attribute(&e, "Id"), attribute(&e, "Target"))
                else {
                    continue;
                };
                let path = part_path(&target);
                let kind = attribute(&e, "Type").unwrap_or_default();
                if kind.ends_with("/sharedStrings") {
                    rels.shared_strings = Some(path.clone());
                } else if kind.ends_with("/styles") {
                    rels.styles = Some(path.clone());
                }
                if rels.targets.len() < MAX_ENTRIES {
                    rels.targets.insert(id, path);
                }
            }
            Event::Eof => return Ok(rels),
            _ => {}
        }
    }
}

/// A relationship target as a path in the zip: relative to `xl/` unless absolute.
fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => {
            let mut parts = vec!["xl"];
            for piece in target.split('/') {
                match piece {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    piece => parts.push(piece),
                }
            }
            parts.join("/")
        }
    }
}

// ---------------------------------------------------------------- styles

fn read_styles<R: Read>(part: &mut XmlPart<R>) -> Result<Styles, SheetError> {
    let mut custom: HashMap<u32, NumberKind> = HashMap::new();
    let mut kinds = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match part.next()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    let id = attribute(&e, "numFmtId").and_then(|v| v.parse().ok());
                    if let (Some(id), Some(code)) = (id, attribute(&e, "formatCode")) {
                        custom.insert(id, custom_kind(&code));
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs && kinds.len() < u16::MAX as usize => {
                    let id = attribute(&e, "numFmtId").and_then(|v| v.parse().ok());
                    let id = id.unwrap_or(0);
                    kinds.push(custom.get(&id).copied().unwrap_or_else(|| builtin_kind(id)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => return Ok(Styles::new(kinds)),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- shared strings

/// The shared-string table as one text with the end of each string, which costs a few
/// bytes a string instead of a `String` each.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            i => self.ends[i - 1] as usize,
        };
        self.text.get(start..end)
    }
}

/// Text of the strings of `<si>` elements: the `<t>` of the string or of its rich-text
/// runs, without the phonetic reading (`<rPh>`) Japanese Excel keeps beside it.
fn read_shared_strings<R: Read>(part: &mut XmlPart<R>) -> Result<SharedStrings, SheetError> {
    let mut table = SharedStrings::default();
    let max = MAX_SHARED_STRINGS_MIB << 20;
    let mut text = TextReader::default();
    let (mut in_si, mut in_phonetic) = (false, false);
    loop {
        match part.next()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    text.start();
                }
                "rPh" => in_phonetic = true,
                "t" => text.inside = in_si && !in_phonetic,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                table.ends.push(table.text.len() as u32);
            }
            Event::Text(t) if text.inside => text.push(&mut table.text, &t.xml10_content())?,
            Event::GeneralRef(r) if text.inside => {
                text.push(&mut table.text, &resolve(&r, broken)?)?
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => text.inside = false,
                "rPh" => in_phonetic = false,
                "si" => {
                    in_si = false;
                    table.ends.push(table.text.len() as u32);
                }
                _ => {}
            },
            Event::Eof => return Ok(table),
            _ => {}
        }
        if table.text.len() + table.ends.len() * SHARED_STRING_COST > max {
            return Err(SheetError::SharedStringsTooLarge {
                max_mib: MAX_SHARED_STRINGS_MIB as u64,
            });
        }
    }
}

/// Counts the characters of one value as its text arrives, so a long one is refused
/// at the first character past the limit.
#[derive(Default)]
struct TextReader {
    inside: bool,
    chars: usize,
}

impl TextReader {
    fn start(&mut self) {
        self.chars = 0;
    }

    fn push(&mut self, out: &mut String, text: &str) -> Result<(), SheetError> {
        self.chars += text.chars().count();
        if self.chars > MAX_CELL_CHARS {
            return Err(SheetError::TextTooLong {
                max: MAX_CELL_CHARS,
            });
        }
        out.push_str(text);
        Ok(())
    }
}

// ---------------------------------------------------------------- the worksheet

struct SheetContext {
    shared: SharedStrings,
    styles: Styles,
    is_1904: bool,
    max_rows: usize,
}

/// The cell being read.
struct Cell {
    row: u32,
    column: usize,
    kind: String,
    style: usize,
    /// Text of `<v>` or of an inline string's `<t>`s.
    value: String,
}

fn read_sheet<R: Read>(part: &mut XmlPart<R>, context: &SheetContext) -> Result<Table, SheetError> {
    let mut rows = RowsRead::default();
    let (mut next_row, mut next_column) = (0u32, 0usize);
    let mut cell: Option<Cell> = None;
    let mut text = TextReader::default();
    let mut in_phonetic = false;
    loop {
        let event = match part.next() {
            Err(SheetError::TextTooLong { max }) => {
                return Err(match cell {
                    Some(cell) => too_long(&cell),
                    None => SheetError::TextTooLong { max },
                });
            }
            event => event?,
        };
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                if let Some(r) = attribute(&e, "r").and_then(|r| r.parse::<u32>().ok()) {
                    next_row = r.saturating_sub(1);
                }
                next_column = 0;
                if is_empty {
                    next_row = next_row.saturating_add(1);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "row" => {
                next_row = next_row.saturating_add(1);
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                let (row, column) = attribute(&e, "r")
                    .and_then(|r| cell_position(&r))
                    .unwrap_or((next_row, next_column));
                next_column = column + 1;
                let new = Cell {
                    row,
                    column,
                    kind: attribute(&e, "t").unwrap_or_default(),
                    style: attribute(&e, "s").and_then(|s| s.parse().ok()).unwrap_or(0),
                    value: String::new(),
                };
                text.start();
                if is_empty {
                    continue; // a formatted but empty cell
                }
                cell = Some(new);
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "v" | "t" if cell.is_some() && !in_phonetic => text.inside = true,
                "rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Text(t) if text.inside => {
                let at = cell.as_mut().expect("text is read inside a cell");
                text.push(&mut at.value, &t.xml10_content())
                    .map_err(|_| too_long(at))?;
            }
            Event::GeneralRef(r) if text.inside => {
                let at = cell.as_mut().expect("text is read inside a cell");
                text.push(&mut at.value, &resolve(&r, broken)?)
                    .map_err(|_| too_long(at))?;
            }
            Event::End(e) => match e.local_name().as_ref() {
                "v" | "t" => text.inside = false,
                "rPh" => in_phonetic = false,
                "c" => {
                    let Some(done) = cell.take() else { continue };
                    let value = cell_text(&done, context)?;
                    if value.is_empty() {
                        continue;
                    }
                    if done.column >= MAX_COLUMNS {
                        return Err(SheetError::TooManyColumns {
                            max: MAX_COLUMNS,
                            line: done.row as usize + 1,
                        });
                    }
                    rows.put(done.row, done.column, value)?;
                    // Every stored row has a value, so this stops a huge sheet early.
                    if rows.count() > context.max_rows.saturating_add(1) {
                        return Err(SheetError::TooManyRows {
                            max: context.max_rows,
                        });
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut table = TableBuilder::new(context.max_rows);
    for (row, cells) in rows.finish() {
        table.push(row as usize + 1, cells.to_vec())?;
    }
    table.finish()
}

fn too_long(cell: &Cell) -> SheetError {
    SheetError::CellTooLong {
        max: MAX_CELL_CHARS,
        line: cell.row as usize + 1,
        column: cell.column + 1,
    }
}

/// The rows read so far: the one being read as strings, the others compact and keyed by
/// row, because not every writer emits rows in order. What they take in memory is refused
/// past [`crate::MAX_TABLE_MIB`].
#[derive(Default)]
struct RowsRead {
    done: BTreeMap<u32, Cells>,
    current: Option<(u32, Vec<String>)>,
    bytes: usize,
}

impl RowsRead {
    fn put(&mut self, row: u32, column: usize, value: String) -> Result<(), SheetError> {
        if self.current.as_ref().is_some_and(|(r, _)| *r != row) {
            self.close();
        }
        let (_, cells) = self.current.get_or_insert_with(|| {
            let again = self.done.remove(&row).map(|c| c.to_vec());
            (row, again.unwrap_or_default())
        });
        let new_slots = (column + 1).saturating_sub(cells.len());
        self.bytes += new_slots * std::mem::size_of::<u32>() + value.len();
        if new_slots == column + 1 {
            self.bytes += std::mem::size_of::<(u32, Cells)>();
        }
        crate::check_table_size(self.bytes)?;
        if new_slots > 0 {
            cells.resize(column + 1, String::new());
        }
        cells[column] = value;
        Ok(())
    }

    fn close(&mut self) {
        if let Some((row, cells)) = self.current.take() {
            self.done.insert(row, Cells::from(cells));
        }
    }

    /// Rows holding at least one value.
    fn count(&self) -> usize {
        self.done.len() + usize::from(self.current.is_some())
    }

    fn finish(mut self) -> BTreeMap<u32, Cells> {
        self.close();
        self.done
    }
}

/// "B12" → (row 11, column 1), both 0-based.
fn cell_position(reference: &str) -> Option<(u32, usize)> {
    let digits = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = reference.split_at(digits);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut column = 0usize;
    for c in letters.chars() {
        if !c.is_ascii_uppercase() {
            return None;
        }
        column = column * 26 + (c as usize - 'A' as usize + 1);
    }
    let row: u32 = number.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

/// Every cell as the text a user would type to get it, so import code deals in strings
/// only and validates them the same way whichever format they came in.
fn cell_text(cell: &Cell, context: &SheetContext) -> Result<String, SheetError> {
    let value = cell.value.as_str();
    Ok(match cell.kind.as_str() {
        "s" => {
            let index: usize = value
                .trim()
                .parse()
                .map_err(|_| broken(format!("shared string index {value:?}")))?;
            let text = context.shared.get(index);
            unescape_xstring(text.ok_or_else(|| broken(format!("no shared string {index}")))?)
        }
        "inlineStr" | "str" => unescape_xstring(value),
        "d" => value.to_owned(),
        "b" => match value.trim() {
            "1" | "true" => "TRUE".to_owned(),
            _ => "FALSE".to_owned(),
        },
        "e" => String::new(),
        _ if value.trim().is_empty() => String::new(),
        _ => {
            let number: f64 = value
                .trim()
                .parse()
                .map_err(|_| broken(format!("number {value:?}")))?;
            match context.styles.kind(cell.style) {
                NumberKind::Plain => number_text(number),
                NumberKind::Duration => excel_duration(number),
                NumberKind::Date => excel_serial_to_iso(number, context.is_1904)
                    .unwrap_or_else(|| number_text(number)),
            }
        }
    })
}

/// Undoes Excel's escape of characters XML cannot carry: `_x000D_` is a carriage
/// return, `_x0001_` a control character, and `_x005F_` the `_` of a literal "_x0041_".
fn unescape_xstring(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let escape = rest.get(at + 2..at + 7).filter(|e| e.ends_with('_'));
        let code = escape.and_then(|e| u32::from_str_radix(&e[..4], 16).ok());
        match code.and_then(char::from_u32) {
            Some(c) if escape.is_some_and(|e| e[..4].bytes().all(|b| b.is_ascii_hexdigit())) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            _ => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Rust's `Display` is the shortest text that parses back to the same float, and it
/// already writes 5.0 as "5"; only negative zero needs help.
pub(crate) fn number_text(f: f64) -> String {
    if f == 0.0 {
        "0".to_owned()
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_positions() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("AB12"), Some((11, 27)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("A0"), None);
        assert_eq!(cell_position("12"), None);
        assert_eq!(cell_position("a1"), None);
    }

    #[test]
    fn excel_escapes() {
        assert_eq!(unescape_xstring("a_x000D_\nb"), "a\r\nb");
        assert_eq!(unescape_xstring("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_xstring("_x0001_"), "\u{1}");
        assert_eq!(unescape_xstring("_x12_ _xZZZZ_ _x"), "_x12_ _xZZZZ_ _x");
    }

    #[test]
    fn relationship_targets() {
        assert_eq!(
            part_path("worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(part_path("/xl/sharedStrings.xml"), "xl/sharedStrings.xml");
        assert_eq!(part_path("../xl/styles.xml"), "xl/styles.xml");
    }
}
