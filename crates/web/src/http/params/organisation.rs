//! The day the organisation register is read on, as a page and its API take it.

use mamori_domain::field::FieldProblem;
use time::Date;

/// The day asked for in `?on=` (ISO or 和暦), today when absent; a day that does not
/// read is the field's problem.
pub fn day_asked(on: Option<&str>) -> Result<Date, FieldProblem> {
    match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(mamori_app::today()),
        Some(text) => mamori_domain::wareki::parse_date_input(text).map_err(|e| FieldProblem {
            field: "on",
            key: e.message_key(),
            params: e.params(),
        }),
    }
}
