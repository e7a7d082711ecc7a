//! The days the assembly office is closed: Saturdays and Sundays, national holidays
//! (shipped as data, updated by the administrator from the Cabinet Office list),
//! 年末年始 (29 December to 3 January, a rule, not data) and the assembly's own closed
//! days.

use std::collections::BTreeMap;

use time::{Date, Month, Weekday};

use crate::field::{FieldProblem, Problems};
use crate::text::single_line;

/// The longest holiday name kept.
pub const MAX_HOLIDAY_NAME: usize = 60;
/// The most rows one holiday CSV may hold (the Cabinet Office file since 1955 has ~1,000).
const MAX_CSV_ROWS: usize = 5_000;

/// Why a day is closed (besides weekends and 年末年始).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedKind {
    /// 国民の祝日・休日, from the Cabinet Office list.
    National,
    /// A day the assembly itself closes its office.
    Assembly,
}

impl ClosedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedKind::National => "national",
            ClosedKind::Assembly => "assembly",
        }
    }

    pub fn parse(code: &str) -> Option<ClosedKind> {
        match code {
            "national" => Some(ClosedKind::National),
            "assembly" => Some(ClosedKind::Assembly),
            _ => None,
        }
    }
}

/// One closed day as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClosedDay {
    pub on: Date,
    pub name: String,
    pub kind: ClosedKind,
}

/// Whether `date` falls in 年末年始 (29 December to 3 January), when municipal offices
/// are closed by ordinance.
pub fn is_year_end_break(date: Date) -> bool {
    match date.month() {
        Month::December => date.day() >= 29,
        Month::January => date.day() <= 3,
        _ => false,
    }
}

/// The closed days known, for counting working days.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    closed: BTreeMap<Date, String>,
}

impl WorkCalendar {
    pub fn new(days: impl IntoIterator<Item = ClosedDay>) -> WorkCalendar {
        WorkCalendar {
            closed: days.into_iter().map(|d| (d.on, d.name)).collect(),
        }
    }

    /// The name of the holiday or closed day on `date`, if it is one.
    pub fn closed_day(&self, date: Date) -> Option<&str> {
        self.closed.get(&date).map(String::as_str)
    }

    /// Whether the office is open on `date`: not a weekend, not 年末年始, not a holiday
    /// or closed day.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !is_year_end_break(date)
            && !self.closed.contains_key(&date)
    }
}

/// A closed day as typed by the administrator.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct HolidayInput {
    pub on: String,
    pub name: String,
    /// "national" or "assembly"; empty means "assembly".
    pub kind: String,
}

impl HolidayInput {
    pub fn check(&self) -> Result<ClosedDay, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let on = if self.on.trim().is_empty() {
            problems.push(FieldProblem::new("on", "field.error.required"));
            None
        } else {
            match crate::wareki::parse_date_input(&self.on) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(FieldProblem {
                        field: "on",
                        key: e.message_key(),
                        params: e.params(),
                    });
                    None
                }
            }
        };
        let name = single_line(&self.name, MAX_HOLIDAY_NAME)
            .map_err(|p| problems.push(FieldProblem::text("name", p)))
            .ok();
        let kind = match self.kind.trim() {
            "" => Some(ClosedKind::Assembly),
            code => ClosedKind::parse(code).or_else(|| {
                problems.push(FieldProblem::new("kind", "error.invalid_choice"));
                None
            }),
        };
        match (on, name, kind) {
            (Some(on), Some(name), Some(kind)) if problems.is_empty() => {
                Ok(ClosedDay { on, name, kind })
            }
            _ => Err(problems.into_vec()),
        }
    }
}

/// One row of the Cabinet Office holiday list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHoliday {
    pub on: Date,
    pub name: String,
}

/// Reads the Cabinet Office `syukujitsu.csv` format: a header line
/// (国民の祝日・休日月日,国民の祝日・休日名称), then one `2026/1/1,元日` per line, in
/// Shift_JIS (as published) or UTF-8 with or without BOM. Every bad line is reported
/// with its line number (field `file`); nothing is returned unless all lines read.
pub fn parse_holiday_csv(bytes: &[u8]) -> Result<Vec<CsvHoliday>, Vec<FieldProblem>> {
    let text = decode(bytes);
    let mut problems = Problems::new();
    let mut days: BTreeMap<Date, String> = BTreeMap::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.contains("月日") && header.contains("名称") => {}
        _ => {
            problems.push(FieldProblem::new("file", "calendar.error.csv_header"));
            return Err(problems.into_vec());
        }
    }
    for (index, line) in lines {
        let number = index + 1;
        if days.len() >= MAX_CSV_ROWS {
            problems.push(
                FieldProblem::new("file", "calendar.error.csv_too_long").with("max", MAX_CSV_ROWS),
            );
            break;
        }
        let mut cells = line.split(',').map(|c| c.trim().trim_matches('"').trim());
        let (Some(date), Some(name), None) = (cells.next(), cells.next(), cells.next()) else {
            problems
                .push(FieldProblem::new("file", "calendar.error.csv_line").with("line", number));
            continue;
        };
        let Some(on) = slash_date(date) else {
            problems
                .push(FieldProblem::new("file", "calendar.error.csv_line").with("line", number));
            continue;
        };
        match single_line(name, MAX_HOLIDAY_NAME) {
            Ok(name) => {
                days.insert(on, name);
            }
            Err(_) => problems
                .push(FieldProblem::new("file", "calendar.error.csv_line").with("line", number)),
        }
    }
    if days.is_empty() && problems.is_empty() {
        problems.push(FieldProblem::new("file", "calendar.error.csv_empty"));
    }
    problems.or(days
        .into_iter()
        .map(|(on, name)| CsvHoliday { on, name })
        .collect())
}

/// UTF-8 (a BOM dropped) when the bytes are valid UTF-8, else Shift_JIS (CP932).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// `2026/1/1` or `2026-01-01`.
fn slash_date(text: &str) -> Option<Date> {
    let mut parts = text.split(['/', '-']);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    fn digits(s: &str, max: usize) -> Option<&str> {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
    }
    let year: i32 = digits(y, 4)?.parse().ok()?;
    let month: u8 = digits(m, 2)?.parse().ok()?;
    let day: u8 = digits(d, 2)?.parse().ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    (date >= crate::wareki::EARLIEST).then_some(date)
}
