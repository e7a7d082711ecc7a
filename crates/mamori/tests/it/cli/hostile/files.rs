//! Hostile files, built in the test without ever holding their unpacked content: a zip is
//! written by hand, and a part's long repeated middle is deflated once (ending on a full
//! flush, so it refers to nothing before it) and its compressed bytes repeated.

use flate2::{Compress, Compression, FlushCompress};

const MIB: usize = 1024 * 1024;

/// The content of one zip entry: `head`, then `middle` `times` times, then `tail`.
pub struct Part {
    pub name: &'static str,
    pub head: Vec<u8>,
    pub middle: Vec<u8>,
    pub times: usize,
    pub tail: Vec<u8>,
}

impl Part {
    pub fn plain(name: &'static str, text: &str) -> Part {
        Part {
            name,
            head: text.as_bytes().to_vec(),
            middle: Vec::new(),
            times: 0,
            tail: Vec::new(),
        }
    }

    pub fn repeated(
        name: &'static str,
        head: &str,
        middle: Vec<u8>,
        times: usize,
        tail: &str,
    ) -> Part {
        Part {
            name,
            head: head.as_bytes().to_vec(),
            middle,
            times,
            tail: tail.as_bytes().to_vec(),
        }
    }

    fn unpacked_size(&self) -> u64 {
        (self.head.len() + self.middle.len() * self.times + self.tail.len()) as u64
    }

    fn crc(&self) -> u32 {
        let mut crc = crc32fast::Hasher::new();
        crc.update(&self.head);
        let mut middle = crc32fast::Hasher::new();
        middle.update(&self.middle);
        for _ in 0..self.times {
            crc.combine(&middle);
        }
        let mut tail = crc32fast::Hasher::new();
        tail.update(&self.tail);
        crc.combine(&tail);
        crc.finalize()
    }

    fn deflated(&self) -> Vec<u8> {
        let mut out = deflate(&self.head, FlushCompress::Full);
        let middle = deflate(&self.middle, FlushCompress::Full);
        for _ in 0..self.times {
            out.extend_from_slice(&middle);
        }
        out.extend_from_slice(&deflate(&self.tail, FlushCompress::Finish));
        out
    }
}

/// Raw deflate of `data` alone (a fresh compressor: no reference to anything before).
fn deflate(data: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() + 1024);
    loop {
        let before = compress.total_in() as usize;
        compress
            .compress_vec(&data[before..], &mut out, flush)
            .expect("deflate");
        if compress.total_in() as usize == data.len() && out.len() < out.capacity() {
            return out;
        }
        out.reserve(out.capacity().max(1024));
    }
}

/// A zip of `parts` (deflated; sizes as they really are unless `declare` says other).
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for part in parts {
        let data = part.deflated();
        let (crc, size) = (part.crc(), part.unpacked_size());
        let size = u32::try_from(size).expect("under 4 GiB");
        let offset = out.len() as u32;
        let name = part.name.as_bytes();
        let fields = |out: &mut Vec<u8>| {
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&8u16.to_le_bytes()); // deflate
            out.extend_from_slice(&0u16.to_le_bytes()); // time
            out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        fields(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&data);

        directory.extend_from_slice(b"PK\x01\x02");
        directory.extend_from_slice(&20u16.to_le_bytes()); // made by
        fields(&mut directory);
        directory.extend_from_slice(&[0; 10]); // comment, disk, attributes
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name);
    }
    let directory_at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let count = (parts.len() as u16).to_le_bytes();
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";
const ONE_SHARED_CELL: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;

/// A workbook of the given sheet and shared-string parts.
fn workbook(sheet: Part, shared: Part) -> Vec<u8> {
    zip(&[
        Part::plain("xl/workbook.xml", WORKBOOK),
        Part::plain("xl/_rels/workbook.xml.rels", RELS),
        shared,
        sheet,
    ])
}

fn sheet(rows: &str) -> Part {
    Part::plain(
        "xl/worksheets/sheet1.xml",
        &format!("{SHEET_HEAD}{rows}{SHEET_TAIL}"),
    )
}

fn shared(strings: &str) -> Part {
    Part::plain(
        "xl/sharedStrings.xml",
        &format!(
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>"#
        ),
    )
}

/// The issue's file: one shared string of `mib` MiB of "a", in cell A1.
pub fn xlsx_one_huge_shared_string(mib: usize) -> Vec<u8> {
    let huge = Part::repeated(
        "xl/sharedStrings.xml",
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#,
        vec![b'a'; MIB],
        mib,
        "</t></si></sst>",
    );
    workbook(sheet(ONE_SHARED_CELL), huge)
}

/// An inline string of `mib` MiB in cell C7.
pub fn xlsx_one_huge_inline_cell(mib: usize) -> Vec<u8> {
    let cells = Part::repeated(
        "xl/worksheets/sheet1.xml",
        &format!(
            r#"{SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="7"><c r="C7" t="inlineStr"><is><t>"#
        ),
        "あ".repeat(MIB / 3).into_bytes(),
        mib,
        &format!("</t></is></c></row>{SHEET_TAIL}"),
    );
    workbook(cells, shared(""))
}

/// Shared strings of 60,000 characters each, `mib` MiB together (just under the unpack
/// limit with 1000): many strings, none too long.
pub fn xlsx_many_long_shared_strings(mib: usize) -> Vec<u8> {
    let one = format!("<si><t>{}</t></si>", "a".repeat(60_000)).into_bytes();
    let times = mib * MIB / one.len();
    let strings = Part::repeated(
        "xl/sharedStrings.xml",
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        one,
        times,
        "</sst>",
    );
    workbook(sheet(ONE_SHARED_CELL), strings)
}

/// A sheet of `mib` MiB of empty rows: every byte is read (nothing is refused before the
/// end) and nothing is kept.
pub fn xlsx_mib_of_empty_rows(mib: usize) -> Vec<u8> {
    let rows = Part::repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD,
        "<row/>".repeat(MIB / 6).into_bytes(),
        mib,
        SHEET_TAIL,
    );
    workbook(rows, shared(""))
}

/// A sheet whose elements nest `millions` million deep.
pub fn xlsx_nested(millions: usize) -> Vec<u8> {
    let nested = Part::repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD,
        "<x>".repeat(1_000_000).into_bytes(),
        millions,
        SHEET_TAIL,
    );
    workbook(nested, shared(""))
}

/// One 90,000-character shared string in every one of 200 columns of `rows` rows: a tiny
/// file whose table would take gigabytes.
pub fn xlsx_one_string_everywhere(rows: usize) -> Vec<u8> {
    let row = format!("<row>{}</row>", r#"<c t="s"><v>0</v></c>"#.repeat(200)).into_bytes();
    let sheet = Part::repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD,
        row,
        rows,
        SHEET_TAIL,
    );
    workbook(
        sheet,
        shared(&format!("<si><t>{}</t></si>", "a".repeat(90_000))),
    )
}

/// A CSV whose first row has `columns` columns.
pub fn csv_wide(columns: usize) -> Vec<u8> {
    let mut csv = "a,".repeat(columns).into_bytes();
    csv.extend_from_slice(b"\r\n");
    csv
}

/// A CSV of about `mib` MiB: rows of 200 one-character cells, the most cells a file of
/// that size can hold (each is two bytes of the file and four more in the table).
pub fn csv_of_one_character_cells(mib: usize) -> Vec<u8> {
    let row = format!("{}\r\n", ["a"; 200].join(","));
    row.repeat(mib * MIB / row.len()).into_bytes()
}

/// A Word file whose one paragraph is `mib` MiB of "a".
pub fn docx_one_huge_paragraph(mib: usize) -> Vec<u8> {
    zip(&[Part::repeated(
        "word/document.xml",
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#,
        vec![b'a'; MIB],
        mib,
        "</w:t></w:r></w:p></w:body></w:document>",
    )])
}

/// A Word file whose paragraphs nest `millions` million deep.
pub fn docx_nested(millions: usize) -> Vec<u8> {
    zip(&[Part::repeated(
        "word/document.xml",
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
        "<w:p>".repeat(1_000_000).into_bytes(),
        millions,
        "</w:body></w:document>",
    )])
}
