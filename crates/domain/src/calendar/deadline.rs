//! A deadline counted from a date: N calendar days (暦日) or N working days (開庁日).
//! Every deadline says which, since "5日以内" means something else to a member than to
//! the office that counts only the days it is open.

use time::{Date, Duration};

use super::holidays::WorkCalendar;
use crate::field::{FieldProblem, Problems};

/// The longest deadline counted (ten years of calendar days).
pub const MAX_DEADLINE_DAYS: u32 = 3_650;

/// How the days of a deadline are counted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 暦日: every day counts.
    #[default]
    Calendar,
    /// 開庁日: only days the office is open count.
    Working,
}

impl DayCount {
    pub const ALL: [DayCount; 2] = [DayCount::Calendar, DayCount::Working];

    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar",
            DayCount::Working => "working",
        }
    }

    pub fn parse(code: &str) -> Option<DayCount> {
        match code {
            "calendar" => Some(DayCount::Calendar),
            "working" => Some(DayCount::Working),
            _ => None,
        }
    }

    /// Locale key of the unit, e.g. 暦日 / 開庁日.
    pub fn label_key(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar.count.calendar",
            DayCount::Working => "calendar.count.working",
        }
    }
}

/// N days of one kind from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Deadline {
    pub from: Date,
    pub days: u32,
    pub kind: DayCount,
}

impl Deadline {
    /// The day the deadline falls on. Calendar days: `from` + N. Working days: the Nth
    /// working day after `from` (`from` itself is not counted, as 初日不算入); 0 working
    /// days is `from` if it is a working day, else the next one.
    pub fn due(&self, calendar: &WorkCalendar) -> Date {
        match self.kind {
            DayCount::Calendar => self.from + Duration::days(i64::from(self.days)),
            DayCount::Working => {
                let mut day = self.from;
                if self.days == 0 {
                    while !calendar.is_working_day(day) {
                        day = day.next_day().expect("within range");
                    }
                    return day;
                }
                let mut counted = 0;
                while counted < self.days {
                    day = day.next_day().expect("within range");
                    if calendar.is_working_day(day) {
                        counted += 1;
                    }
                }
                day
            }
        }
    }
}

/// A deadline as typed (the API's query, a form).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeadlineInput {
    pub from: String,
    pub days: String,
    pub kind: String,
}

impl DeadlineInput {
    pub fn check(&self) -> Result<Deadline, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let from = match crate::wareki::parse_date_input(&self.from) {
            Ok(d) if d.year() < 9970 => Some(d),
            Ok(_) => {
                problems.push(FieldProblem::new("from", "calendar.error.date_range"));
                None
            }
            Err(e) => {
                problems.push(FieldProblem {
                    field: "from",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        };
        let days = match self.days.trim().parse::<u32>() {
            Ok(n) if n <= MAX_DEADLINE_DAYS => Some(n),
            _ => {
                problems.push(
                    FieldProblem::new("days", "calendar.error.days").with("max", MAX_DEADLINE_DAYS),
                );
                None
            }
        };
        let kind = DayCount::parse(self.kind.trim()).or_else(|| {
            problems.push(FieldProblem::new("kind", "error.invalid_choice"));
            None
        });
        match (from, days, kind) {
            (Some(from), Some(days), Some(kind)) if problems.is_empty() => {
                Ok(Deadline { from, days, kind })
            }
            _ => Err(problems.into_vec()),
        }
    }
}
