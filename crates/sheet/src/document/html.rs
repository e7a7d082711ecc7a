//! The regulation body of an HTML page saved from a 例規集 system (or any page holding a
//! regulation): the page's chrome — scripts, styles, navigation, header, footer, menus,
//! side bars, breadcrumbs — is dropped; block elements and `<br>` make lines; entities are
//! decoded. The encoding is the BOM's, else the `<meta charset>`'s (Shift_JIS pages are
//! common), else UTF-8 if the bytes are UTF-8, else Shift_JIS.
//!
//! HTML is read with a small tolerant scanner rather than an XML parser: saved pages
//! have unclosed `<p>` and `<li>`, bare `<br>`, and attributes without quotes.

use encoding_rs::Encoding;

use super::join_lines;
use crate::SheetError;

/// Elements whose content is never the regulation's text (the `<title>` names the page
/// in the browser's tab; the body repeats it).
const RAW: [&str; 6] = [
    "script", "style", "noscript", "template", "textarea", "title",
];
/// Elements that are the page's chrome, not the regulation.
const CHROME: [&str; 7] = ["nav", "header", "footer", "menu", "aside", "form", "button"];
/// Words in an element's id or class that mark chrome (menus, side bars, breadcrumbs).
const CHROME_WORDS: [&str; 9] = [
    "menu",
    "nav",
    "side",
    "breadcrumb",
    "pankuzu",
    "header",
    "footer",
    "toolbar",
    "skip",
];
/// Elements that end a line.
const BLOCKS: [&str; 26] = [
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "dd",
    "dt",
    "dl",
    "section",
    "article",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "hr",
    "main",
    "body",
    "address",
    "center",
];
/// Elements without an end tag.
const VOID: [&str; 10] = [
    "br", "img", "hr", "meta", "link", "input", "area", "base", "col", "wbr",
];

/// The text of an HTML page, one block a line.
pub fn html_text(bytes: &[u8]) -> Result<String, SheetError> {
    let page = decode(bytes)?;
    let text = join_lines(extract(&page));
    if text.trim().is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(text)
}

fn decode(bytes: &[u8]) -> Result<String, SheetError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|t| t.into_owned())
            .ok_or(SheetError::Encoding);
    }
    let declared = declared_charset(&bytes[..bytes.len().min(4096)])
        .and_then(|label| Encoding::for_label(label.as_bytes()));
    let encoding = match declared {
        Some(encoding) => encoding,
        None if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
        None => encoding_rs::SHIFT_JIS,
    };
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or(SheetError::Encoding)
}

/// `<meta charset="shift_jis">` or `<meta http-equiv="Content-Type" content="text/html;
/// charset=Shift_JIS">`, read from the ASCII bytes of the page's head.
fn declared_charset(head: &[u8]) -> Option<String> {
    let lower: String = head
        .iter()
        .map(|&b| {
            if b.is_ascii() {
                b.to_ascii_lowercase() as char
            } else {
                ' '
            }
        })
        .collect();
    let at = lower.find("charset=")? + "charset=".len();
    let label: String = lower[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// A tag as scanned: its lower-case name, whether it closes, and its id and class.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    marks: String,
}

/// Reads the tag starting after `<` at `s`; returns it and the index after `>`.
fn scan_tag(s: &str) -> Option<(Tag, usize)> {
    let end = tag_end(s)?;
    let inner = &s[..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let attributes = &inner[name.len()..];
    let mut marks = String::new();
    for key in ["id", "class", "role"] {
        if let Some(value) = attribute(attributes, key) {
            marks.push_str(&value.to_ascii_lowercase());
            marks.push(' ');
        }
    }
    Some((
        Tag {
            name,
            closing,
            self_closing: inner.trim_end().ends_with('/'),
            marks,
        },
        end + 1,
    ))
}

/// The index of the `>` that ends a tag, quotes respected.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value of attribute `key` in a tag's attribute text (quoted or not).
fn attribute(attributes: &str, key: &str) -> Option<String> {
    let lower = attributes.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(key) {
        let at = from + found;
        from = at + key.len();
        let before = lower[..at].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = attributes[at + key.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default(),
            _ => rest
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default(),
        };
        return Some(value.to_owned());
    }
    None
}

/// Chrome by element ("nav") or by a word its id or class starts or ends with
/// ("sideMenu", "globalnav", "pankuzu").
fn is_chrome(tag: &Tag) -> bool {
    CHROME.contains(&tag.name.as_str())
        || tag
            .marks
            .split([' ', '-', '_'])
            .filter(|m| !m.is_empty())
            .any(|m| {
                CHROME_WORDS
                    .iter()
                    .any(|word| m.starts_with(word) || m.ends_with(word))
            })
}

/// The page's lines: text outside chrome and raw elements, split at blocks.
fn extract(page: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // The element being skipped and how deep it nests in itself.
    let mut skipping: Option<(String, usize)> = None;
    let mut rest = page;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skipping.is_none() {
                push_text(&mut line, rest);
            }
            break;
        };
        if skipping.is_none() {
            push_text(&mut line, &rest[..lt]);
        }
        rest = &rest[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            continue;
        }
        let Some((tag, after)) = scan_tag(rest) else {
            // A lone "<" is text.
            if skipping.is_none() {
                line.push('<');
            }
            continue;
        };
        rest = &rest[after..];
        let void = VOID.contains(&tag.name.as_str()) || tag.self_closing;
        if let Some((name, depth)) = skipping.as_mut() {
            if *name == tag.name && !void {
                if tag.closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if RAW.contains(&tag.name.as_str()) && !tag.closing && !void {
            // Their content may hold "<" that is not a tag: jump to the end tag.
            rest = &rest[end_tag(rest, &tag.name)..];
            continue;
        }
        if !tag.closing && !void && is_chrome(&tag) {
            end_line(&mut lines, &mut line);
            skipping = Some((tag.name, 1));
            continue;
        }
        match tag.name.as_str() {
            name if BLOCKS.contains(&name) => end_line(&mut lines, &mut line),
            "td" | "th" if !tag.closing && !line.trim().is_empty() => line.push('\u{3000}'),
            _ => {}
        }
    }
    end_line(&mut lines, &mut line);
    lines
}

/// Where the end tag `</name` first occurs in `s` (any case), or the end of `s`; one
/// pass, no copy.
fn end_tag(s: &str, name: &str) -> usize {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(found) = s[from..].find("</") {
        let at = from + found;
        let candidate = &bytes[at + 2..];
        if candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return at;
        }
        from = at + 2;
    }
    s.len()
}

fn end_line(lines: &mut Vec<String>, line: &mut String) {
    if !line.trim().is_empty() {
        lines.push(line.trim().to_owned());
    }
    line.clear();
}

/// Text between tags: HTML white space (not the full-width space) collapsed to one
/// space, entities decoded.
fn push_text(line: &mut String, raw: &str) {
    let mut rest = raw;
    while !rest.is_empty() {
        let (chunk, next) = match rest.find('&') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        for c in chunk.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{C}') {
                if !line.is_empty() && !line.ends_with(' ') {
                    line.push(' ');
                }
            } else {
                line.push(c);
            }
        }
        if next.is_empty() {
            break;
        }
        let (decoded, used) = entity(next);
        line.push_str(&decoded);
        rest = &next[used..];
    }
}

/// The entity at the start of `s` ("&amp;", "&#12288;", "&#x3000;") and the bytes it
/// takes; an unknown one is kept as written.
fn entity(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|e| e + 1).filter(|&e| e <= 12) else {
        return ("&".to_owned(), 1);
    };
    let name = &s[1..end];
    let decoded = if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        value.and_then(char::from_u32).map(String::from)
    } else {
        let c = match name {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
            "ndash" => "–",
            "mdash" => "—",
            "hellip" => "…",
            "middot" => "·",
            "times" => "×",
            "divide" => "÷",
            "yen" => "¥",
            "copy" => "©",
            "laquo" => "«",
            "raquo" => "»",
            "sect" => "§",
            _ => return ("&".to_owned(), 1),
        };
        Some(c.to_owned())
    };
    match decoded {
        Some(text) => (text, end + 1),
        None => ("&".to_owned(), 1),
    }
}
