//! CSV/TSV as Japanese Excel writes and reads it: UTF-8 with or without BOM, Shift_JIS
//! (CP932) from older Excel, and "Unicode text" (tab-separated UTF-16LE with BOM).

use std::borrow::Cow;

use csv_core::ReadFieldResult;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};

use crate::{MAX_CELL_CHARS, MAX_COLUMNS, NotSheetReason, SheetError, Table, TableBuilder};

const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0";
/// How much of the start of a file is inspected for binary content.
const SNIFF_LEN: usize = 1024;
/// Size of the pieces a Shift_JIS or UTF-16 file is decoded in: the decoded text is never
/// held whole.
const CHUNK: usize = 64 * 1024;
/// A field longer than this many bytes has more than [`MAX_CELL_CHARS`] characters.
const MAX_FIELD_BYTES: usize = 4 * MAX_CELL_CHARS;

/// Reads a CSV/TSV as a stream: the text is decoded piece by piece and cut into fields
/// one at a time, so a row is refused at its first column past [`MAX_COLUMNS`] and a cell
/// at its first bytes past [`MAX_CELL_CHARS`], whatever the rest of the file holds.
pub(crate) fn read(bytes: &[u8], max_rows: usize) -> Result<Table, SheetError> {
    let source = source(bytes)?;
    let head = source.head()?;
    // Excel's "Unicode text" export is tab-separated; everything else we meet uses commas.
    let header_line = head.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    // The tokenizer ends a quoted field silently at end of input, which would swallow
    // the rest of the file into one cell: a first pass finds an unclosed quote.
    let mut quotes = QuoteCheck::new(delimiter);
    source.chunks(|chunk| {
        quotes.feed(chunk);
        Ok(())
    })?;
    quotes.finish()?;

    let mut parser = Parser::new(delimiter, max_rows);
    source.chunks(|chunk| parser.feed(chunk))?;
    parser.finish()
}

/// The text of a file: UTF-8 as it is, or bytes to decode.
enum Source<'a> {
    Utf8(&'a str),
    Decode(&'static Encoding, &'a [u8]),
}

impl Source<'_> {
    /// The start of the text, enough to see the header line and binary content.
    fn head(&self) -> Result<Cow<'_, str>, SheetError> {
        match self {
            Source::Utf8(text) => Ok(Cow::Borrowed(text)),
            Source::Decode(encoding, bytes) => {
                let mut out = vec![0u8; CHUNK];
                let mut decoder = encoding.new_decoder_without_bom_handling();
                let (_, _, written) = decoder.decode_to_utf8_without_replacement(
                    &bytes[..bytes.len().min(CHUNK / 3)],
                    &mut out,
                    false,
                );
                out.truncate(written);
                String::from_utf8(out)
                    .map(Cow::Owned)
                    .map_err(|_| SheetError::Encoding)
            }
        }
    }

    /// Hands the text to `f` in pieces of whole characters.
    fn chunks(&self, mut f: impl FnMut(&[u8]) -> Result<(), SheetError>) -> Result<(), SheetError> {
        let (encoding, bytes) = match self {
            Source::Utf8(text) => return f(text.as_bytes()),
            Source::Decode(encoding, bytes) => (encoding, bytes),
        };
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let mut out = vec![0u8; CHUNK];
        let mut rest: &[u8] = bytes;
        loop {
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(rest, &mut out, true);
            rest = &rest[read..];
            if written > 0 {
                f(&out[..written])?;
            }
            match result {
                encoding_rs::DecoderResult::InputEmpty => return Ok(()),
                encoding_rs::DecoderResult::OutputFull => {}
                // A replacement character would silently corrupt a register.
                encoding_rs::DecoderResult::Malformed(..) => return Err(SheetError::Encoding),
            }
        }
    }
}

/// Which text the bytes are: BOM first, then UTF-8, then Shift_JIS. Anything that does
/// not decode cleanly is refused when it is decoded.
fn source(bytes: &[u8]) -> Result<Source<'_>, SheetError> {
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
        .find_map(|(bom, encoding)| Some(Source::Decode(encoding, bytes.strip_prefix(bom)?)));
    if let Some(source) = utf16 {
        let head = source.head()?;
        return if looks_binary(head.chars().take(SNIFF_LEN), false) {
            Err(SheetError::NotASpreadsheet(NotSheetReason::Unknown))
        } else {
            Ok(source)
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
            .map(Source::Utf8)
            .map_err(|_| SheetError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Source::Utf8(text));
    }
    Ok(Source::Decode(SHIFT_JIS, bytes))
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

/// Line numbers as a spreadsheet user counts them: CRLF, LF and a lone CR (old Mac
/// files) each end one line.
#[derive(Default)]
struct LineCount {
    /// Line of the next byte, 0 before the first.
    line: usize,
    after_cr: bool,
}

impl LineCount {
    /// Counts one byte; returns the line it is on.
    fn byte(&mut self, b: u8) -> usize {
        let line = self.line + 1;
        match b {
            b'\r' => self.line += 1,
            b'\n' if !self.after_cr => self.line += 1,
            _ => {}
        }
        self.after_cr = b == b'\r';
        line
    }
}

/// Finds a quoted field that is never closed, with the tokenizer's rules: a quote opens
/// a quoted field only as its first character, `""` inside is an escaped quote.
struct QuoteCheck {
    delimiter: u8,
    lines: LineCount,
    in_quotes: bool,
    /// A quote inside a quoted field, which is an escaped quote if another follows.
    quote_seen: bool,
    field_start: bool,
    opened_at: usize,
}

impl QuoteCheck {
    fn new(delimiter: u8) -> Self {
        Self {
            delimiter,
            lines: LineCount::default(),
            in_quotes: false,
            quote_seen: false,
            field_start: true,
            opened_at: 0,
        }
    }

    fn feed(&mut self, text: &[u8]) {
        for &b in text {
            let line = self.lines.byte(b);
            if self.in_quotes {
                if self.quote_seen {
                    self.quote_seen = false;
                    if b == b'"' {
                        continue; // an escaped quote
                    }
                    self.in_quotes = false;
                } else {
                    self.quote_seen = b == b'"';
                    continue;
                }
            }
            if b == self.delimiter || b == b'\n' || b == b'\r' {
                self.field_start = true;
            } else {
                if b == b'"' && self.field_start {
                    self.in_quotes = true;
                    self.opened_at = line;
                }
                self.field_start = false;
            }
        }
    }

    fn finish(self) -> Result<(), SheetError> {
        if self.in_quotes && !self.quote_seen {
            return Err(SheetError::Csv {
                line: self.opened_at,
                detail: "unterminated quoted field".into(),
            });
        }
        Ok(())
    }
}

/// Cuts the text into fields and rows, checking each as it ends.
struct Parser {
    reader: csv_core::Reader,
    lines: LineCount,
    /// The field being read, and how much of the buffer it fills.
    field: Vec<u8>,
    field_len: usize,
    cells: Vec<String>,
    /// Empty fields not stored yet: trailing ones (Excel pads rows with commas) never are.
    empty_run: usize,
    /// Line of the first character of the current row, once it has one.
    row_line: Option<usize>,
    table: TableBuilder,
}

impl Parser {
    fn new(delimiter: u8, max_rows: usize) -> Self {
        Self {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            lines: LineCount::default(),
            field: vec![0; 1024],
            field_len: 0,
            cells: Vec::new(),
            empty_run: 0,
            row_line: None,
            table: TableBuilder::new(max_rows),
        }
    }

    fn line(&self) -> usize {
        self.row_line.unwrap_or(self.lines.line.max(1))
    }

    fn feed(&mut self, mut input: &[u8]) -> Result<(), SheetError> {
        loop {
            let (result, read, written) = self
                .reader
                .read_field(input, &mut self.field[self.field_len..]);
            for &b in &input[..read] {
                let line = self.lines.byte(b);
                if self.row_line.is_none() && b != b'\r' && b != b'\n' {
                    self.row_line = Some(line);
                }
            }
            input = &input[read..];
            self.field_len += written;
            match result {
                ReadFieldResult::InputEmpty if input.is_empty() => return Ok(()),
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => {
                    if self.field_len > MAX_FIELD_BYTES {
                        return Err(self.too_long());
                    }
                    self.field.resize(self.field.len() * 2, 0);
                }
                ReadFieldResult::Field { record_end } => {
                    self.end_field()?;
                    if record_end {
                        self.end_row()?;
                    }
                }
                ReadFieldResult::End => return Ok(()),
            }
        }
    }

    fn too_long(&self) -> SheetError {
        SheetError::CellTooLong {
            max: MAX_CELL_CHARS,
            line: self.line(),
            column: self.cells.len() + self.empty_run + 1,
        }
    }

    fn end_field(&mut self) -> Result<(), SheetError> {
        let bytes = &self.field[..std::mem::take(&mut self.field_len)];
        if bytes.is_empty() {
            self.empty_run += 1;
            return Ok(());
        }
        // The text was UTF-8 and the tokenizer only takes quotes out of it.
        let text = std::str::from_utf8(bytes).map_err(|_| SheetError::Encoding)?;
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(self.too_long());
        }
        let text = text.to_owned();
        if self.cells.len() + self.empty_run >= MAX_COLUMNS {
            return Err(SheetError::TooManyColumns {
                max: MAX_COLUMNS,
                line: self.line(),
            });
        }
        let run = std::mem::take(&mut self.empty_run);
        self.cells.extend(std::iter::repeat_n(String::new(), run));
        self.cells.push(text);
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), SheetError> {
        let line = self.line();
        self.empty_run = 0;
        self.row_line = None;
        self.table.push(line, std::mem::take(&mut self.cells))
    }

    fn finish(mut self) -> Result<Table, SheetError> {
        // An empty input tells the tokenizer the text has ended: it hands out the last
        // field and row.
        self.feed(&[])?;
        self.table.finish()
    }
}

/// CSV for Japanese Excel: UTF-8 with BOM (without it Excel assumes CP932 and shows
/// mojibake), CRLF line ends, fields quoted only when needed, and every cell passed
/// through [`csv_cell_guard`] so opening the file cannot run a formula.
pub fn write_csv(headers: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = csv_head(headers);
    out.extend(csv_lines(rows));
    out
}

/// The start of a CSV file: the byte order mark Excel needs to read UTF-8, and the
/// header line. [`csv_lines`] writes the rows after it, a batch at a time when the file
/// is streamed.
pub fn csv_head(headers: &[String]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(csv_lines(std::iter::once(headers.to_vec())));
    out
}

/// Rows as CSV lines (CRLF, formula-like cells guarded), without a header.
pub fn csv_lines(rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail, and `flexible` lifts the equal-length rule: the
        // csv crate has no other error for a record.
        writer
            .write_record(row.iter().map(|c| csv_cell_guard(c).into_owned()))
            .expect("writing CSV to memory cannot fail");
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

    /// One cell as [`csv_lines`] writes it, without the line's CRLF.
    fn cell(text: &str) -> String {
        let line = String::from_utf8(csv_lines(std::iter::once(vec![text.to_owned()]))).unwrap();
        line.strip_suffix("\r\n").unwrap().to_owned()
    }

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+81"), "'+81");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(
            cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell("令和8年"), "令和8年");
    }

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

    fn check_quotes(text: &str, delimiter: u8) -> Result<(), SheetError> {
        let mut check = QuoteCheck::new(delimiter);
        // Fed byte by byte too: a chunk may end anywhere.
        for b in text.bytes() {
            check.feed(&[b]);
        }
        check.finish()
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
