//! Rules for free text that people type into mamori.

/// Why a piece of text was refused. Each variant names a locale key for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("required")]
    Empty,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains control characters")]
    ControlCharacters,
    #[error("contains control characters other than line breaks and tabs")]
    ControlCharactersInText,
}

impl TextProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            TextProblem::Empty => "field.error.required",
            TextProblem::TooLong { .. } => "field.error.too_long",
            TextProblem::ControlCharacters => "field.error.control_chars",
            TextProblem::ControlCharactersInText => "field.error.control_chars_multiline",
        }
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            TextProblem::TooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Whether `text` holds Japanese: kana, kanji or full-width forms (the assembly's own
/// words shown to a reader of English are marked as Japanese for screen readers).
pub fn is_japanese(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
    })
}

/// A one-line value such as a name: trimmed (full-width spaces included), not empty,
/// at most `max` characters, no control characters (a pasted tab or newline would
/// break lists, CSV exports and audit records).
pub fn single_line(input: &str, max: usize) -> Result<String, TextProblem> {
    let value = input.trim_matches(|c: char| c.is_whitespace());
    if value.is_empty() {
        return Err(TextProblem::Empty);
    }
    if value.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacters);
    }
    if value.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(value.to_owned())
}

/// Text of several lines, such as a description, notes or a handling rule: line breaks
/// as LF, trimmed, possibly empty, at most `max` characters, and no control characters
/// but line breaks and tabs (a NUL or an escape code would break exports and printouts,
/// and PostgreSQL refuses NUL).
pub fn multi_line(input: &str, max: usize) -> Result<String, TextProblem> {
    let value = input
        .replace("\r\n", "\n")
        .trim_matches(|c: char| c.is_whitespace())
        .to_owned();
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextProblem::ControlCharactersInText);
    }
    if value.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_full_width_spaces() {
        assert_eq!(
            single_line("\u{3000}佐久市議会 ", 100).unwrap(),
            "佐久市議会"
        );
    }

    #[test]
    fn multi_line_text_keeps_breaks_and_refuses_other_controls() {
        assert_eq!(
            multi_line(" 一行目\r\n二行目\t \n", 10).unwrap(),
            "一行目\n二行目"
        );
        assert_eq!(multi_line("", 10).unwrap(), "");
        assert_eq!(
            multi_line("a\u{0}b", 10),
            Err(TextProblem::ControlCharactersInText)
        );
        assert_eq!(
            multi_line("あいう", 2),
            Err(TextProblem::TooLong { max: 2 })
        );
    }

    #[test]
    fn refuses_empty_long_and_control_text() {
        assert_eq!(single_line(" \u{3000} ", 10), Err(TextProblem::Empty));
        assert_eq!(
            single_line("あいうえおか", 5),
            Err(TextProblem::TooLong { max: 5 })
        );
        assert_eq!(single_line("あいうえお", 5).unwrap(), "あいうえお");
        assert_eq!(single_line("a\tb", 10), Err(TextProblem::ControlCharacters));
        assert_eq!(
            single_line("a\u{0}b", 10),
            Err(TextProblem::ControlCharacters)
        );
    }
}
