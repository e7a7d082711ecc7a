//! What is wrong with one field of an input: the one answer the form, the API, the
//! importer and the command line all give, in the same words.

use serde::Serialize;
use time::Date;

use crate::text::TextProblem;

/// One field's problem. `key` is a locale key; `params` fill it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl FieldProblem {
    pub fn new(field: &'static str, key: &'static str) -> FieldProblem {
        FieldProblem {
            field,
            key,
            params: Vec::new(),
        }
    }

    /// A text rule broken (empty, too long, a control character…).
    pub fn text(field: &'static str, problem: TextProblem) -> FieldProblem {
        FieldProblem {
            field,
            key: problem.message_key(),
            params: problem.params(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> FieldProblem {
        self.params.push((name, value.to_string()));
        self
    }
}

/// Collects the problems of one input, so a check reports every field at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    pub fn push(&mut self, problem: FieldProblem) {
        self.0.push(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` when nothing was found wrong, else every problem.
    pub fn or<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}

/// A yes-or-no field as a form's checkbox sends it ("1", "on", "true"; absent: no) or
/// as JSON does (`true`/`false`), for `#[serde(deserialize_with = "flag")]`.
pub fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match serde::Deserialize::deserialize(deserializer)? {
        Flag::Bool(b) => b,
        Flag::Text(t) => matches!(t.as_str(), "1" | "on" | "true"),
    })
}

/// What an input asks the person to confirm before it is kept: nothing in it breaks a
/// rule, but it looks like a slip — a date in the past where the future is meant (a
/// disposal date of an asset in use, a due date, a review date). Distinct from
/// [`Problems`]: a confirmed input is kept as typed.
#[derive(Debug, Default)]
pub struct Confirmations(Vec<FieldProblem>);

impl Confirmations {
    pub fn new() -> Confirmations {
        Confirmations::default()
    }

    /// Asks about `typed` (a date already checked) when it lies before `today`. The
    /// message (`date.confirm.past`) repeats the date the way it was written — with an
    /// era or in the Western calendar — and gives today's date the same way, in either
    /// language (`date:ja`, `date:en`, `today:ja`, `today:en`: the reader's fills
    /// `{date}` and `{today}`).
    pub fn past_date(&mut self, field: &'static str, typed: &str, today: Date) {
        if let Some(problem) = past_date(field, typed, today) {
            self.0.push(problem);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Nothing to confirm, or `confirmed`: go on; else what must be confirmed.
    pub fn settle(self, confirmed: bool) -> Result<(), Vec<FieldProblem>> {
        if self.0.is_empty() || confirmed {
            Ok(())
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}

/// The question about one past date, or `None` when `typed` is not a past date (or no
/// date at all: the input's own check reports that).
pub fn past_date(field: &'static str, typed: &str, today: Date) -> Option<FieldProblem> {
    use crate::wareki::{Lang, format_date, parse_typed_date};
    let typed = parse_typed_date(typed).ok()?;
    if typed.date >= today {
        return None;
    }
    let style = typed.written.style();
    Some(
        FieldProblem::new(field, "date.confirm.past")
            .with("date:ja", format_date(typed.date, style, Lang::Ja))
            .with("today:ja", format_date(today, style, Lang::Ja))
            .with("date:en", format_date(typed.date, style, Lang::En))
            .with("today:en", format_date(today, style, Lang::En)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 02);

    fn params(problem: &FieldProblem) -> Vec<(&str, &str)> {
        problem
            .params
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect()
    }

    #[test]
    fn a_past_date_is_repeated_in_the_era_it_was_typed_in() {
        let asked = past_date("disposal_due", "平成31年4月1日", TODAY).unwrap();
        assert_eq!(
            (asked.field, asked.key),
            ("disposal_due", "date.confirm.past")
        );
        assert_eq!(
            params(&asked),
            [
                ("date:ja", "平成31年4月1日"),
                ("today:ja", "令和8年12月2日"),
                ("date:en", "1 April 2019 (Heisei 31)"),
                ("today:en", "2 December 2026 (Reiwa 8)"),
            ]
        );
        let western = past_date("due_on", "2019-04-01", TODAY).unwrap();
        assert_eq!(
            params(&western),
            [
                ("date:ja", "2019年4月1日"),
                ("today:ja", "2026年12月2日"),
                ("date:en", "1 April 2019"),
                ("today:en", "2 December 2026"),
            ]
        );
    }

    #[test]
    fn today_and_later_and_non_dates_ask_nothing() {
        assert_eq!(past_date("due_on", "令和8年12月2日", TODAY), None);
        assert_eq!(past_date("due_on", "2027-01-01", TODAY), None);
        assert_eq!(past_date("due_on", "", TODAY), None);
        assert_eq!(past_date("due_on", "someday", TODAY), None);
        assert!(past_date("due_on", "R8.12.1", TODAY).is_some());
    }

    #[test]
    fn confirming_lets_the_input_through() {
        let mut asks = Confirmations::new();
        asks.past_date("due_on", "2026-12-01", TODAY);
        asks.past_date("on", "2030-01-01", TODAY);
        assert_eq!(asks.0.len(), 1);
        assert!(Confirmations::new().settle(false).is_ok());
        let mut again = Confirmations::new();
        again.past_date("due_on", "2026-12-01", TODAY);
        assert!(again.settle(true).is_ok());
        assert_eq!(asks.settle(false).unwrap_err()[0].field, "due_on");
    }
}
