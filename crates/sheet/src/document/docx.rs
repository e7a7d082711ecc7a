//! The paragraphs of a Word .docx (word/document.xml) in document order, each one line,
//! with the number Word generates for a numbered paragraph put before its text (see
//! [`super::numbering`]). Runs are joined; a tab is printed as a full-width space, a line
//! break inside a paragraph starts a new line; deleted revisions and field codes are not
//! text.

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use super::numbering::Numbering;
use super::{MAX_ENTRIES, MAX_NUMBERING_BYTES, MAX_TEXT_BYTES, MAX_UNZIPPED_MIB, join_lines};
use crate::limited::Allowance;
use crate::xlsx::declared_unzipped_size;
use crate::xml::{XmlPart, resolve};
use crate::{MAX_CELL_CHARS, SheetError};

fn broken(detail: String) -> SheetError {
    SheetError::BrokenDocument(detail)
}

/// The text of a .docx, one paragraph a line. word/document.xml is parsed as it is
/// inflated, through the package's allowance of [`MAX_UNZIPPED_MIB`]; the text kept is
/// bounded by [`MAX_TEXT_BYTES`].
pub fn docx_text(bytes: &[u8]) -> Result<String, SheetError> {
    let declared =
        declared_unzipped_size(bytes).ok_or_else(|| broken("unreadable zip directory".into()))?;
    if declared > MAX_UNZIPPED_MIB * 1024 * 1024 {
        return Err(SheetError::TooLarge {
            max_mib: MAX_UNZIPPED_MIB,
        });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(broken(format!("{} entries in the zip", zip.len())));
    }
    // A paragraph's run of text longer than a spreadsheet cell may be is not a policy.
    let allowance = Allowance::new(MAX_UNZIPPED_MIB << 20, 4 * MAX_CELL_CHARS);
    let mut numbering = match numbering_part(&mut zip, &allowance)? {
        Some(xml) => Numbering::read(&xml)?,
        None => Numbering::default(),
    };
    let document = match zip.by_name("word/document.xml") {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(SheetError::NotADocument),
        Err(e) => return Err(broken(e.to_string())),
    };
    paragraphs(
        &mut XmlPart::new(document, &allowance, broken),
        &mut numbering,
    )
}

/// word/numbering.xml as text (a few KiB in real documents), read through
/// [`MAX_NUMBERING_BYTES`]; `None` when the package has none.
fn numbering_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    allowance: &Allowance,
) -> Result<Option<String>, SheetError> {
    let name = "word/numbering.xml";
    let entry = match zip.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(broken(e.to_string())),
    };
    let mut bytes = Vec::new();
    let read = allowance
        .reader(entry)
        .take(MAX_NUMBERING_BYTES + 1)
        .read_to_end(&mut bytes);
    if let Some(overrun) = allowance.overrun() {
        return Err(match overrun {
            crate::limited::Overrun::Total => SheetError::TooLarge {
                max_mib: MAX_UNZIPPED_MIB,
            },
            crate::limited::Overrun::Run => SheetError::TextTooLong {
                max: MAX_CELL_CHARS,
            },
        });
    }
    read.map_err(|e| broken(format!("{name}: {e}")))?;
    if bytes.len() as u64 > MAX_NUMBERING_BYTES {
        return Err(SheetError::TooLarge {
            max_mib: MAX_UNZIPPED_MIB,
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| broken(format!("{name} is not UTF-8")))?;
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

fn paragraphs<R: Read>(
    part: &mut XmlPart<R>,
    numbering: &mut Numbering,
) -> Result<String, SheetError> {
    let mut lines: Vec<String> = Vec::new();
    let mut paragraph: Option<Paragraph> = None;
    // Paragraphs nest (a text box inside a paragraph): each inner one is its own line.
    let mut depth = 0usize;
    // Inside <w:t>: its text is the document's text.
    let mut in_text = false;
    // Bytes of text kept so far, bounded by MAX_TEXT_BYTES.
    let mut kept = 0usize;
    loop {
        let event = part.next()?;
        if let Event::Text(t) = &event {
            kept += t.len();
            if kept > MAX_TEXT_BYTES {
                return Err(SheetError::TooLarge {
                    max_mib: MAX_UNZIPPED_MIB,
                });
            }
        }
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
                    p.text.push_str(&resolve(&r, broken)?);
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
