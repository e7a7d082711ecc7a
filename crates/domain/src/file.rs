//! The file store's rules: which record a file is attached to ([`RecordRef`]), what an
//! attachment is for ([`Purpose`]), the checks of what people type about it, and the
//! media type read from a file's first bytes ([`sniff`]) — never from its name, which
//! anyone can change.

use serde::Serialize;
use time::Date;

use crate::field::{FieldProblem, Problems};
use crate::text;

pub use crate::record::{RecordKind, RecordRef};

/// What an attachment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// 証跡: evidence that a measure is in place.
    Evidence,
    /// 誓約書: a scan of a signed paper pledge.
    Pledge,
    /// 研修資料: training material.
    Training,
    /// 証明書: a certificate (of disposal, of an audit…).
    Certificate,
    /// その他.
    Other,
}

impl Purpose {
    pub const ALL: [Purpose; 5] = [
        Purpose::Evidence,
        Purpose::Pledge,
        Purpose::Training,
        Purpose::Certificate,
        Purpose::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Evidence => "evidence",
            Purpose::Pledge => "pledge",
            Purpose::Training => "training",
            Purpose::Certificate => "certificate",
            Purpose::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == code)
    }

    /// The locale key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Purpose::Evidence => "file.purpose.evidence",
            Purpose::Pledge => "file.purpose.pledge",
            Purpose::Training => "file.purpose.training",
            Purpose::Certificate => "file.purpose.certificate",
            Purpose::Other => "file.purpose.other",
        }
    }
}

/// The size limit when the server is not told otherwise: 20 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// How many bytes of a file [`sniff`] reads.
pub const SNIFF_BYTES: usize = 64 * 1024;

const TITLE_MAX: usize = 200;
const FILE_NAME_MAX: usize = 200;
const REASON_MAX: usize = 1000;

/// A new attachment as typed (the file itself travels apart).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct AttachForm {
    /// What the attachment is called; empty takes the file's name.
    pub title: String,
    /// A [`Purpose`] code.
    pub purpose: String,
    /// Until when the evidence holds (ISO or 和暦); empty for no expiry.
    pub expires_on: String,
}

/// A new attachment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attach {
    pub title: String,
    pub purpose: Purpose,
    pub expires_on: Option<Date>,
}

impl AttachForm {
    /// Checks the form for a file named `file_name` (already cleaned by [`file_name`]).
    pub fn check(&self, file_name: &str) -> Result<Attach, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let title = if self.title.trim().is_empty() {
            file_name.chars().take(TITLE_MAX).collect()
        } else {
            match text::single_line(&self.title, TITLE_MAX) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(FieldProblem::text("title", e));
                    String::new()
                }
            }
        };
        let purpose = Purpose::parse(self.purpose.trim());
        if purpose.is_none() {
            problems.push(FieldProblem::new("purpose", "error.invalid_choice"));
        }
        let expires_on = expiry(&self.expires_on, &mut problems);
        problems.or(Attach {
            title,
            purpose: purpose.unwrap_or(Purpose::Other),
            expires_on,
        })
    }
}

fn expiry(text: &str, problems: &mut Problems) -> Option<Date> {
    if text.trim().is_empty() {
        return None;
    }
    match crate::wareki::parse_date_input(text) {
        Ok(date) => Some(date),
        Err(e) => {
            let mut problem = FieldProblem::new("expires_on", e.message_key());
            problem.params = e.params();
            problems.push(problem);
            None
        }
    }
}

/// Why an attachment is removed, checked: required, several lines allowed.
pub fn removal_reason(text: &str) -> Result<String, Vec<FieldProblem>> {
    match text::multi_line(text, REASON_MAX) {
        Ok(reason) if reason.is_empty() => {
            Err(vec![FieldProblem::new("reason", "field.error.required")])
        }
        Ok(reason) => Ok(reason),
        Err(e) => Err(vec![FieldProblem::text("reason", e)]),
    }
}

/// The name a file is kept under: its last path segment (browsers on Windows send
/// `C:\…\name`), without control characters, at most 200 characters; `file` when
/// nothing is left. The name is only a label: it decides nothing.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(FILE_NAME_MAX)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Whether evidence valid until `expires_on` has expired on `today`.
pub fn is_expired(expires_on: Option<Date>, today: Date) -> bool {
    expires_on.is_some_and(|d| d < today)
}

pub const OCTET_STREAM: &str = "application/octet-stream";

/// The media type of a file from its first bytes (up to [`SNIFF_BYTES`]): PDF, PNG,
/// JPEG, GIF, the Office formats (ZIP-based and the older OLE ones), ZIP, plain text and
/// CSV (UTF-8 or Shift_JIS); anything else is `application/octet-stream`.
pub fn sniff(head: &[u8]) -> &'static str {
    if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        "image/gif"
    } else if head.starts_with(b"PK\x03\x04") {
        sniff_zip(head)
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        sniff_ole(head)
    } else if let Some(text) = as_text(head) {
        if looks_like_csv(&text) {
            "text/csv"
        } else {
            "text/plain"
        }
    } else {
        OCTET_STREAM
    }
}

/// Office Open XML files are ZIP archives whose entries sit under `word/`, `xl/` or
/// `ppt/`: the local file headers in the head name them.
fn sniff_zip(head: &[u8]) -> &'static str {
    let mut at = 0;
    while at + 30 <= head.len() && head[at..].starts_with(b"PK\x03\x04") {
        let word = |i: usize| u16::from_le_bytes([head[at + i], head[at + i + 1]]) as usize;
        let compressed =
            u32::from_le_bytes([head[at + 18], head[at + 19], head[at + 20], head[at + 21]])
                as usize;
        let (name_len, extra_len) = (word(26), word(28));
        let name_end = at + 30 + name_len;
        let Some(name) = head.get(at + 30..name_end) else {
            break;
        };
        for (prefix, media) in [
            (
                &b"word/"[..],
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                b"xl/",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                b"ppt/",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ),
        ] {
            if name.starts_with(prefix) {
                return media;
            }
        }
        // A size of zero with the data-descriptor flag means the size follows the data:
        // the next header cannot be found from here.
        let flags = word(6);
        if flags & 0x08 != 0 && compressed == 0 {
            break;
        }
        at = name_end + extra_len + compressed;
    }
    "application/zip"
}

/// The older Office formats are OLE compound files; the directory names the stream
/// that says which application wrote it (in UTF-16).
fn sniff_ole(head: &[u8]) -> &'static str {
    let utf16 =
        |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if contains(&utf16("WordDocument")) {
        "application/msword"
    } else if contains(&utf16("Workbook")) || contains(&utf16("Book")) {
        "application/vnd.ms-excel"
    } else if contains(&utf16("PowerPoint Document")) {
        "application/vnd.ms-powerpoint"
    } else {
        "application/x-ole-storage"
    }
}

/// The head as text, if it is UTF-8 (a character cut at the end of the head allowed)
/// or Shift_JIS, without control characters other than tabs, line breaks and form feeds.
fn as_text(head: &[u8]) -> Option<String> {
    if head.is_empty() {
        return None;
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t.to_owned(),
        Err(e) if e.error_len().is_none() && body.len() - e.valid_up_to() < 4 => {
            String::from_utf8_lossy(&body[..e.valid_up_to()]).into_owned()
        }
        Err(_) => return shift_jis_ascii_view(body),
    };
    let clean = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0C'));
    clean.then_some(text)
}

/// A Shift_JIS text's ASCII characters (enough to tell CSV from prose), if every byte
/// sequence is valid Shift_JIS and no control character appears.
fn shift_jis_ascii_view(bytes: &[u8]) -> Option<String> {
    let mut ascii = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\t' | b'\n' | b'\r' | 0x0C | 0x20..=0x7E => {
                ascii.push(b as char);
                i += 1;
            }
            // Half-width katakana.
            0xA1..=0xDF => {
                ascii.push('_');
                i += 1;
            }
            0x81..=0x9F | 0xE0..=0xFC => match bytes.get(i + 1) {
                Some(0x40..=0x7E | 0x80..=0xFC) => {
                    ascii.push('_');
                    i += 2;
                }
                // A character cut at the end of the head.
                None => i += 1,
                Some(_) => return None,
            },
            _ => return None,
        }
    }
    Some(ascii)
}

/// Two or more lines with the same number (at least two) of commas outside quotes.
fn looks_like_csv(text: &str) -> bool {
    let counts: Vec<usize> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .map(|line| {
            let mut quoted = false;
            line.chars()
                .filter(|c| {
                    if *c == '"' {
                        quoted = !quoted;
                    }
                    *c == ',' && !quoted
                })
                .count()
        })
        .collect();
    counts.len() >= 2 && counts[0] >= 1 && counts.iter().all(|c| *c == counts[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP archive's local file header for `name`, holding `data` stored.
    fn zip_entry(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0, 0, 0, 0]); // crc
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn images_and_pdf_are_known_by_their_signature() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3"), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), "image/jpeg");
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), "image/gif");
    }

    #[test]
    fn office_archives_are_told_apart_by_their_entries() {
        let mut docx = zip_entry("[Content_Types].xml", b"<Types/>");
        docx.extend(zip_entry("_rels/.rels", b"<Relationships/>"));
        docx.extend(zip_entry("word/document.xml", b"<w:document/>"));
        assert_eq!(
            sniff(&docx),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let mut xlsx = zip_entry("[Content_Types].xml", b"<Types/>");
        xlsx.extend(zip_entry("xl/workbook.xml", b"<workbook/>"));
        assert_eq!(
            sniff(&xlsx),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let pptx = zip_entry("ppt/presentation.xml", b"<p/>");
        assert_eq!(
            sniff(&pptx),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
        assert_eq!(sniff(&zip_entry("readme.txt", b"hello")), "application/zip");
    }

    #[test]
    fn ole_files_are_named_by_their_main_stream() {
        let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        doc.resize(512, 0);
        let mut xls = doc.clone();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        xls.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&doc), "application/msword");
        assert_eq!(sniff(&xls), "application/vnd.ms-excel");
    }

    #[test]
    fn text_and_csv_in_utf8_and_shift_jis() {
        assert_eq!(sniff("議会事務局の手順書です。\n".as_bytes()), "text/plain");
        assert_eq!(
            sniff("\u{FEFF}資産名,分類\r\n会議録,イ\r\n".as_bytes()),
            "text/csv"
        );
        // 「資産名,分類」 and 「会議録,イ」 in Shift_JIS.
        let sjis =
            b"\x8e\x91\x8e\x59\x96\xbc,\x95\xaa\x97\xde\r\n\x89\xef\x8b\x63\x98\x5e,\x83\x43\r\n";
        assert_eq!(sniff(sjis), "text/csv");
        // A character cut by the end of the head is still text.
        let mut cut = "説明".as_bytes().to_vec();
        cut.pop();
        assert_eq!(sniff(&cut), "text/plain");
    }

    #[test]
    fn binary_and_empty_content_is_octet_stream() {
        assert_eq!(sniff(b""), OCTET_STREAM);
        assert_eq!(sniff(&[0, 1, 2, 3, 0xFF, 0xFE]), OCTET_STREAM);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), OCTET_STREAM);
        // HTML is text, and served as text: never as a page.
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), "text/plain");
    }

    #[test]
    fn file_names_keep_their_last_segment_and_lose_control_characters() {
        assert_eq!(
            file_name("C:\\Users\\jimu\\誓約書 (佐藤).pdf"),
            "誓約書 (佐藤).pdf"
        );
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(file_name("  "), "file");
        assert_eq!(file_name(".."), "file");
        assert_eq!(file_name(&"長".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn the_form_takes_the_file_name_as_title_and_checks_purpose_and_expiry() {
        let form = AttachForm {
            title: String::new(),
            purpose: "pledge".into(),
            expires_on: "令和9年3月31日".into(),
        };
        let attach = form.check("誓約書.pdf").unwrap();
        assert_eq!(attach.title, "誓約書.pdf");
        assert_eq!(attach.purpose, Purpose::Pledge);
        assert_eq!(attach.expires_on, Some(time::macros::date!(2027 - 03 - 31)));
        let bad = AttachForm {
            title: "a\u{7}".into(),
            purpose: "secret".into(),
            expires_on: "いつか".into(),
        };
        let fields: Vec<_> = bad
            .check("x")
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["title", "purpose", "expires_on"]);
    }

    #[test]
    fn removal_needs_a_reason_and_expiry_is_after_the_last_day() {
        assert!(removal_reason("  ").is_err());
        assert_eq!(
            removal_reason("誤って添付\r\nしたため").unwrap(),
            "誤って添付\nしたため"
        );
        let day = time::macros::date!(2027 - 03 - 31);
        assert!(!is_expired(Some(day), day));
        assert!(is_expired(Some(day), day.next_day().unwrap()));
        assert!(!is_expired(None, day));
    }
}
