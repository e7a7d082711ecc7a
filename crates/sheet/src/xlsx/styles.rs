//! Which cell styles of a workbook show numbers as dates or durations: Excel stores a
//! date as a serial number and only its number format says it is one.

/// How a number of some style reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberKind {
    Plain,
    Date,
    Duration,
}

/// The kind of each cell style (`s` attribute of a cell) in `cellXfs` order.
#[derive(Debug, Default)]
pub(super) struct Styles {
    kinds: Vec<NumberKind>,
}

impl Styles {
    pub(super) fn new(kinds: Vec<NumberKind>) -> Self {
        Self { kinds }
    }

    pub(super) fn kind(&self, style: usize) -> NumberKind {
        self.kinds.get(style).copied().unwrap_or(NumberKind::Plain)
    }
}

/// The built-in formats (no `numFmt` element) that are dates, times or durations,
/// including those a Japanese Excel shows in 和暦 (27–36, 50–58).
pub(super) fn builtin_kind(id: u32) -> NumberKind {
    match id {
        46 => NumberKind::Duration,
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumberKind::Date,
        _ => NumberKind::Plain,
    }
}

/// A custom format code is a date when it has a date or time letter outside quoted
/// text, escapes and brackets; `[h]`, `[m]` or `[s]` (elapsed time) make it a duration.
/// Only the first section (positive numbers) is looked at.
pub(super) fn custom_kind(code: &str) -> NumberKind {
    let mut chars = code.chars().peekable();
    let mut date = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let lower = inner.to_ascii_lowercase();
                if !lower.is_empty() && lower.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    return NumberKind::Duration;
                }
            }
            ';' => break,
            // "E+" is a number in scientific notation; "e" alone is a Japanese era year.
            'E' | 'e' if matches!(chars.peek(), Some('+' | '-')) => {}
            c if matches!(
                c.to_ascii_lowercase(),
                'y' | 'm' | 'd' | 'h' | 's' | 'e' | 'g'
            ) =>
            {
                date = true;
            }
            _ => {}
        }
    }
    // "General" has letters too, but no format is general and a date.
    if date && !code.eq_ignore_ascii_case("general") {
        NumberKind::Date
    } else {
        NumberKind::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_codes() {
        for date in [
            "yyyy-mm-dd",
            "yyyy/m/d h:mm",
            "h:mm",
            r#"[$-ja-JP-x-gannen]ggge"年"m"月"d"日""#,
            "mm:ss;@",
        ] {
            assert_eq!(custom_kind(date), NumberKind::Date, "{date}");
        }
        for plain in ["General", "0.00", "#,##0\"円\"", "0.00E+00", "[Red]0", "@"] {
            assert_eq!(custom_kind(plain), NumberKind::Plain, "{plain}");
        }
        assert_eq!(custom_kind("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(builtin_kind(14), NumberKind::Date);
        assert_eq!(builtin_kind(46), NumberKind::Duration);
        assert_eq!(builtin_kind(2), NumberKind::Plain);
    }
}
