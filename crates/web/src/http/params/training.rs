//! The 年度 and filters the training pages and API read from a query.

use mamori_app::training::{Coverage, FiscalYear};
use mamori_domain::field::FieldProblem;
use mamori_domain::user::UserType;

/// The 年度 asked for in `?year=` (2026, 令和8年度, FY2026), this 年度 when absent.
pub fn year_asked(year: Option<&str>) -> Result<FiscalYear, FieldProblem> {
    match year.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(FiscalYear::of(mamori_app::today())),
        Some(text) => mamori_domain::training::fiscal_year(text)
            .map_err(|e| FieldProblem::new("year", e.message_key())),
    }
}

/// A user type filter (`?user_type=member`), none when absent or "all".
pub fn user_type_asked(code: Option<&str>) -> Result<Option<UserType>, FieldProblem> {
    match code.map(str::trim).filter(|s| !s.is_empty() && *s != "all") {
        None => Ok(None),
        Some(code) => UserType::parse(code)
            .filter(|t| mamori_domain::training::RULE_USER_TYPES.contains(t))
            .map(Some)
            .ok_or_else(|| {
                FieldProblem::new("user_type", "training.error.unknown_code").with("code", code)
            }),
    }
}

/// A standing filter (`?standing=overdue`), none when absent or "all".
pub fn standing_asked(code: Option<&str>) -> Result<Option<Coverage>, FieldProblem> {
    match code.map(str::trim).filter(|s| !s.is_empty() && *s != "all") {
        None => Ok(None),
        Some(code) => Coverage::parse(code).map(Some).ok_or_else(|| {
            FieldProblem::new("standing", "training.error.unknown_code").with("code", code)
        }),
    }
}
