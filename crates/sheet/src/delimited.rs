//! CSV/TSV as Japanese Excel writes and reads it: UTF-8 with or without BOM, Shift_JIS
//! (CP932) from older Excel, and "Unicode text" (tab-separated UTF-16LE with BOM).

use std::borrow::Cow;

use encoding_rs::{SHIFT_JIS, UTF_16BE, UTF_16LE};

use crate::{NotSheetReason, SheetError, Table, TableBuilder};

const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0";
/// How much of the start of a file is inspected for binary content.
const SNIFF_LEN: usize = 1024;

pub(crate) fn read(bytes: &[u8], max_rows: usize) -> Result<Table, SheetError> {
    let text = decode(bytes)?;
    // Excel's "Unicode text" export is tab-separated; everything else we meet uses commas.
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    check_quotes(&text, delimiter)?;

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = TableBuilder::new(max_rows);
    let mut lines = LineCounter::new(&text);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
                table.push(line, record.iter().map(str::to_owned).collect())?;
            }
            Err(e) => {
                return Err(SheetError::Csv {
                    line: lines.line_at(e.position().map_or(0, |p| p.byte())),
                    detail: e.to_string(),
                });
            }
        }
    }
    table.finish()
}

/// Line numbers of records. The csv crate's own `Position::line` is taken before the
/// line ends in front of a record are skipped, so it is off after a CRLF or a blank
/// line; its byte offset has the same lag, which is corrected here by skipping them.
/// Counted this way, a record after a quoted multi-line cell gets its true line.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record whose position the csv crate gave as `byte`; records
    /// come in order, so counting resumes where the last one ended.
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = (byte as usize).max(self.offset).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += (self.offset..start)
            .filter(|&i| is_line_break(self.text, i))
            .count();
        self.offset = start;
        self.line
    }
}

/// CRLF, LF and a lone CR (old Mac files) each end one line.
fn is_line_break(text: &[u8], i: usize) -> bool {
    match text[i] {
        b'\n' => true,
        b'\r' => text.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Bytes to text: BOM first, then UTF-8, then Shift_JIS, refusing anything that does not
/// decode cleanly (a replacement character would silently corrupt a register).
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, SheetError> {
    if bytes.starts_with(OLE_MAGIC) {
        // Password-protected xlsx files are OLE containers too; they need a different
        // fix from the user than an old .xls.
        let encrypted = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<_>>();
        let reason = if bytes.windows(encrypted.len()).any(|w| w == encrypted) {
            NotSheetReason::Encrypted
        } else {
            NotSheetReason::LegacyXls
        };
        return Err(SheetError::NotASpreadsheet(reason));
    }
    let utf16 = [(b"\xFF\xFE", UTF_16LE), (b"\xFE\xFF", UTF_16BE)]
        .into_iter()
        .find_map(|(bom, encoding)| {
            let rest = bytes.strip_prefix(bom)?;
            Some(encoding.decode_without_bom_handling_and_without_replacement(rest))
        });
    if let Some(decoded) = utf16 {
        let text = decoded.ok_or(SheetError::Encoding)?;
        return if looks_binary(text.chars().take(SNIFF_LEN), false) {
            Err(SheetError::NotASpreadsheet(NotSheetReason::Unknown))
        } else {
            Ok(text)
        };
    }
    // Control bytes are never part of a UTF-8 or Shift_JIS multi-byte character, so the
    // raw bytes can be checked before decoding.
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if looks_binary(
        head.iter().map(|&b| char::from(b)),
        head.len() == bytes.len(),
    ) {
        return Err(SheetError::NotASpreadsheet(NotSheetReason::Unknown));
    }
    let bytes = bytes.strip_suffix(b"\x1A").unwrap_or(bytes);
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| SheetError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(SheetError::Encoding)
}

/// Text files have no C0 control characters other than tab, line ends, VT and form feed.
/// A Ctrl-Z (0x1A) is tolerated as the very last byte: old DOS tools ended files with it.
fn looks_binary(head: impl Iterator<Item = char>, is_whole_file: bool) -> bool {
    let mut chars = head.peekable();
    while let Some(c) = chars.next() {
        let at_end = is_whole_file && chars.peek().is_none();
        if matches!(c, '\0'..='\x08' | '\x0E'..='\x1F') && !(c == '\x1A' && at_end) {
            return true;
        }
    }
    false
}

/// The csv crate ends a quoted field silently at end of input, which would swallow the
/// rest of the file into one cell. Find an unterminated quote with the same rules (a
/// quote opens a quoted field only as its first character, `""` is an escaped quote).
fn check_quotes(text: &str, delimiter: u8) -> Result<(), SheetError> {
    let (mut in_quotes, mut field_start, mut line, mut opened_at) = (false, true, 1, 0);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1; // an escaped quote
                } else {
                    in_quotes = false;
                }
            }
        } else if b == delimiter || b == b'\n' || b == b'\r' {
            field_start = true;
        } else {
            if b == b'"' && field_start {
                in_quotes = true;
                opened_at = line;
            }
            field_start = false;
        }
        if is_line_break(bytes, i) {
            line += 1;
        }
        i += 1;
    }
    if in_quotes {
        return Err(SheetError::Csv {
            line: opened_at,
            detail: "unterminated quoted field".into(),
        });
    }
    Ok(())
}

/// CSV for Japanese Excel: UTF-8 with BOM (without it Excel assumes CP932 and shows
/// mojibake), CRLF line ends, fields quoted only when needed, and every cell passed
/// through [`csv_cell_guard`] so opening the file cannot run a formula.
pub fn write_csv(headers: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut write = |cells: &[String]| {
        // Writing to a Vec cannot fail, and `flexible` lifts the equal-length rule:
        // the csv crate has no other error for a record.
        writer
            .write_record(cells.iter().map(|c| csv_cell_guard(c).into_owned()))
            .expect("writing CSV to memory cannot fail");
    };
    write(headers);
    for row in rows {
        write(&row);
    }
    writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail")
}

/// Characters that make Excel (and LibreOffice) treat a CSV cell as a formula.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when the text after any leading apostrophes starts a formula. Looking past the
/// apostrophes keeps guard/unguard an exact pair: "'=x" is guarded to "''=x", so
/// unguarding can never turn a value the user typed into a different one.
fn needs_guard(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// The one place of the CSV formula-injection rule: a cell starting with = + - @ TAB or
/// CR (after any leading `'`) gets a `'` in front, which spreadsheets show as text.
/// Note that this also marks negative numbers ("-5" becomes "'-5").
pub fn csv_cell_guard(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`csv_cell_guard`]: strips exactly one leading `'` when the text after the
/// apostrophes starts a formula. `read` never calls this: only the caller knows whether
/// a file came from our own export (where the `'` is ours) or was typed by someone.
pub fn csv_cell_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(s) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_and_unguard_are_an_exact_pair() {
        for s in [
            "=1+1", "+81", "-5", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x", "'", "'abc", "abc", "",
            "1-2", "ｰ", "＝1",
        ] {
            let guarded = csv_cell_guard(s);
            assert_eq!(csv_cell_unguard(&guarded), s, "{s:?}");
        }
        assert_eq!(csv_cell_guard("=1+1"), "'=1+1");
        assert_eq!(csv_cell_guard("'=1"), "''=1");
        assert_eq!(csv_cell_guard("abc"), "abc");
        assert_eq!(csv_cell_unguard("'abc"), "'abc");
    }

    #[test]
    fn empty_records_are_written_as_one_empty_field() {
        let rows = [vec![], vec![String::new()], vec!["a".into(), "".into()]];
        let out = write_csv(&[], rows.into_iter());
        assert_eq!(out, b"\xEF\xBB\xBF\"\"\r\n\"\"\r\n\"\"\r\na,\r\n");
    }

    #[test]
    fn quote_check() {
        assert!(check_quotes("a,\"b\nc\",d\n", b',').is_ok());
        assert!(check_quotes("a,\"b\"\"c\"\n", b',').is_ok());
        assert!(check_quotes("a,b\"c\n", b',').is_ok()); // a quote inside a field is literal
        let e = check_quotes("a,b\n1,\"x\n2,3\n", b',').unwrap_err();
        assert!(matches!(e, SheetError::Csv { line: 2, .. }));
        assert!(check_quotes("a\t\"b\n", b'\t').is_err());
    }

    #[test]
    fn binary_sniffing() {
        assert!(!looks_binary("a,b\r\n\tc\x0C".chars(), true));
        assert!(looks_binary("a\0b".chars(), true));
        assert!(!looks_binary("a,b\r\n\x1A".chars(), true));
        assert!(looks_binary("a,b\r\n\x1A".chars(), false));
        assert!(looks_binary("\x1Aa".chars(), true));
    }
}
