//! The paragraphs of a Word .docx (word/document.xml) in document order, each one line,
//! with the number Word generates for a numbered paragraph put before its text (see
//! [`super::numbering`]). Runs are joined; a tab is printed as a full-width space, a line
//! break inside a paragraph starts a new line; deleted revisions and field codes are not
//! text.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::numbering::Numbering;
use super::{MAX_ENTRIES, MAX_PART_BYTES, MAX_UNZIPPED_MIB, join_lines};
use crate::SheetError;
use crate::xlsx::declared_unzipped_size;

/// The text of a .docx, one paragraph a line.
pub fn docx_text(bytes: &[u8]) -> Result<String, SheetError> {
    let declared = declared_unzipped_size(bytes)
        .ok_or_else(|| SheetError::BrokenDocument("unreadable zip directory".into()))?;
    if declared > MAX_UNZIPPED_MIB * 1024 * 1024 {
        return Err(SheetError::TooLarge {
            max_mib: MAX_UNZIPPED_MIB,
        });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::BrokenDocument(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(SheetError::BrokenDocument(format!(
            "{} entries in the zip",
            zip.len()
        )));
    }
    let document = part(&mut zip, "word/document.xml")?.ok_or(SheetError::NotADocument)?;
    let mut numbering = match part(&mut zip, "word/numbering.xml")? {
        Some(xml) => Numbering::read(&xml)?,
        None => Numbering::default(),
    };
    paragraphs(&document, &mut numbering)
}

/// One part of the package as text, inflated through [`MAX_PART_BYTES`] whatever its
/// header declares; `None` when the package has no such part.
fn part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, SheetError> {
    let entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(SheetError::BrokenDocument(e.to_string())),
    };
    let mut bytes = Vec::new();
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SheetError::BrokenDocument(format!("{name}: {e}")))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(SheetError::TooLarge {
            max_mib: MAX_PART_BYTES / (1024 * 1024),
        });
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| SheetError::BrokenDocument(format!("{name} is not UTF-8")))?;
    Ok(Some(text))
}

/// Where the reader is in a paragraph.
#[derive(Default)]
struct Paragraph {
    /// The list (numId, level) of the paragraph, from `w:numPr`.
    num_id: Option<String>,
    level: usize,
    /// Text so far; `\n` for a line break.
    text: String,
}

fn paragraphs(xml: &str, numbering: &mut Numbering) -> Result<String, SheetError> {
    let mut reader = Reader::from_str(xml);
    let mut lines: Vec<String> = Vec::new();
    let mut paragraph: Option<Paragraph> = None;
    // Paragraphs nest (a text box inside a paragraph): each inner one is its own line.
    let mut depth = 0usize;
    // Inside <w:t>: its text is the document's text.
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| SheetError::BrokenDocument(format!("document.xml: {e}")))?;
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "w:p" => {
                    depth += 1;
                    match paragraph.as_mut() {
                        Some(p) => lines.push(std::mem::take(&mut p.text)),
                        None => paragraph = Some(Paragraph::default()),
                    }
                }
                "w:t" => in_text = paragraph.is_some(),
                _ => {}
            },
            Event::Empty(e) => {
                let name = e.name();
                let Some(p) = paragraph.as_mut() else {
                    if name.as_ref() == "w:p" {
                        // <w:p/>: an empty paragraph, a blank line.
                        lines.push(String::new());
                    }
                    continue;
                };
                let value = || {
                    e.attributes()
                        .with_checks(false)
                        .flatten()
                        .find(|a| a.key.as_ref() == "w:val")
                        .map(|a| a.value.into_owned())
                };
                match name.as_ref() {
                    "w:numId" => p.num_id = value(),
                    "w:ilvl" => p.level = value().and_then(|v| v.parse().ok()).unwrap_or(0),
                    "w:tab" => p.text.push('\u{3000}'),
                    "w:br" | "w:cr" => p.text.push('\n'),
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    p.text.push_str(&resolve(&r)?);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" if depth > 1 => {
                    depth -= 1;
                    if let Some(p) = paragraph.as_mut() {
                        lines.push(std::mem::take(&mut p.text));
                    }
                }
                "w:p" => {
                    depth = 0;
                    if let Some(p) = paragraph.take() {
                        let label = match p.num_id.as_deref() {
                            Some("0") | None => String::new(),
                            Some(id) => numbering.next_label(id, p.level).unwrap_or_default(),
                        };
                        let text = format!("{label}{}", p.text);
                        lines.extend(text.split('\n').map(str::to_owned));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let text = join_lines(lines);
    if text.trim().is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(text)
}

/// `&amp;`, `&#x3000;` …: the five XML entities and character references.
fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> Result<String, SheetError> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| SheetError::BrokenDocument(format!("unknown entity &{name};")))
}
