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
}

impl TextProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            TextProblem::Empty => "field.error.required",
            TextProblem::TooLong { .. } => "field.error.too_long",
            TextProblem::ControlCharacters => "field.error.control_chars",
        }
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            TextProblem::TooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
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
