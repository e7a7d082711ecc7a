//! One XML part of a zip package (a workbook or a Word document) read as a stream of
//! events: the inflate allowance and the longest text run are enforced by the
//! [`Limited`] reader underneath, the nesting depth here, so memory stays bounded
//! whatever the part holds.

use std::io::{BufReader, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::SheetError;
use crate::limited::{Allowance, Limited, Overrun};

/// Deepest element nesting accepted: real parts nest a dozen deep at most; a deeper one
/// is built to make a parser keep a long stack of open elements.
pub(crate) const MAX_DEPTH: usize = 256;

pub(crate) struct XmlPart<R: Read> {
    reader: Reader<BufReader<Limited<R>>>,
    allowance: Allowance,
    buf: Vec<u8>,
    depth: usize,
    /// Makes the error of a damaged part (workbook or document).
    broken: fn(String) -> SheetError,
}

impl<R: Read> XmlPart<R> {
    pub(crate) fn new(inner: R, allowance: &Allowance, broken: fn(String) -> SheetError) -> Self {
        let reader = Reader::from_reader(BufReader::new(allowance.reader(inner)));
        Self {
            reader,
            allowance: allowance.clone(),
            buf: Vec::new(),
            depth: 0,
            broken,
        }
    }

    /// The next event. A run of text longer than the allowance's longest run ends in
    /// [`SheetError::TextTooLong`], which the caller may place at a cell.
    pub(crate) fn next(&mut self) -> Result<Event<'_>, SheetError> {
        self.buf.clear();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(e) => {
                return Err(match self.allowance.overrun() {
                    Some(Overrun::Total) => SheetError::TooLarge {
                        max_mib: self.allowance.total_mib(),
                    },
                    Some(Overrun::Run) => SheetError::TextTooLong {
                        max: crate::MAX_CELL_CHARS,
                    },
                    None => (self.broken)(e.to_string()),
                });
            }
        };
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err((self.broken)(format!(
                        "elements nested more than {MAX_DEPTH} deep"
                    )));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            // A part cut short (a damaged file) ends inside an element.
            Event::Eof if self.depth > 0 => {
                return Err((self.broken)("the part ends inside an element".into()));
            }
            _ => {}
        }
        Ok(event)
    }
}

/// `&amp;`, `&#x3000;` …: the five XML entities and character references.
pub(crate) fn resolve(
    reference: &BytesRef<'_>,
    broken: fn(String) -> SheetError,
) -> Result<String, SheetError> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| broken(format!("unknown entity &{name};")))
}
