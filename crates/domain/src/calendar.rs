//! The calendar mamori counts in: the 年度 (fiscal year, April to March), the days the
//! assembly office is closed (national holidays, 年末年始, the assembly's own closed
//! days), and deadlines that say whether they count calendar days (暦日) or working
//! days (開庁日). Pure functions: the holiday set is passed in, never looked up.

mod deadline;
mod fiscal;
mod holidays;
#[cfg(test)]
mod tests;

pub use deadline::{DayCount, Deadline, DeadlineInput, MAX_DEADLINE_DAYS};
pub use fiscal::{FiscalYear, FiscalYearError};
pub use holidays::{
    ClosedDay, ClosedKind, CsvHoliday, HolidayInput, MAX_HOLIDAY_NAME, WorkCalendar,
    is_year_end_break, parse_holiday_csv,
};
