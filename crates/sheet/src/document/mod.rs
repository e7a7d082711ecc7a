//! Reading the text of regulation documents (例規) kept as Word files (.docx) or as pages
//! saved from a 例規集 web system (HTML), one paragraph a line, for the policy-text
//! parser. Bytes in, text out; the caller tells the formats apart with [`detect`]
//! (content, never the file name).
//!
//! Hostile files stay bounded: a .docx is refused when its zip directory declares more
//! than [`MAX_UNZIPPED_MIB`] or more than [`MAX_ENTRIES`] entries; word/document.xml is
//! parsed as it is inflated, through the same allowance whatever its header says, with
//! its text bounded by [`MAX_TEXT_BYTES`]; HTML is read in one pass over the decoded text.

mod docx;
mod html;
mod numbering;

pub use docx::docx_text;
pub use html::html_text;

/// Most a .docx may declare unpacked (its images included), in MiB.
pub const MAX_UNZIPPED_MIB: u64 = 256;
/// Most entries a .docx zip may have.
pub const MAX_ENTRIES: usize = 10_000;
/// Most bytes read from word/numbering.xml (real ones are a few KiB).
pub const MAX_NUMBERING_BYTES: u64 = 4 * 1024 * 1024;
/// Most text bytes taken from word/document.xml: many times any policy's text.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// What kind of document some bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// A zip: read as Word .docx.
    Docx,
    /// A page starting (after a BOM and blanks) with "<!DOCTYPE" or "<html".
    Html,
    /// Anything else: plain text.
    Text,
}

/// Sniffs the format from the content.
pub fn detect(bytes: &[u8]) -> DocumentFormat {
    if bytes.starts_with(b"PK\x03\x04") {
        return DocumentFormat::Docx;
    }
    let head = &bytes[..bytes.len().min(4096)];
    // UTF-16 pages have a NUL beside every ASCII byte: look at the other bytes only.
    let ascii: Vec<u8> = strip_bom(head)
        .iter()
        .filter(|&&b| b != 0)
        .map(u8::to_ascii_lowercase)
        .collect();
    let start = ascii
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(ascii.len());
    let opening = &ascii[start..];
    let page = opening.starts_with(b"<!doctype html")
        || opening.starts_with(b"<html")
        // An XML declaration or a comment first, then the page.
        || ((opening.starts_with(b"<?xml") || opening.starts_with(b"<!--"))
            && ascii.windows(5).any(|w| w == b"<html"));
    if page {
        DocumentFormat::Html
    } else {
        DocumentFormat::Text
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    for bom in [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return rest;
        }
    }
    bytes
}

/// Lines as the parser wants them: each trimmed of ASCII blanks at the ends (an
/// indentation in full-width spaces is kept), runs of blank lines folded to one.
fn join_lines(lines: Vec<String>) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in lines {
        let line = line.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{A0}');
        if line.trim().is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
        blank = false;
    }
    out
}
