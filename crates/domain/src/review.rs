//! Recurring reviews: a schedule attached to any record (every 年度 on a month and day,
//! every N months, or once on a date), who reviews it (a post or a person), and the
//! next due date, which recording a review moves on.

use time::{Date, Month};

use crate::calendar::FiscalYear;
use crate::field::{FieldProblem, Problems};
use crate::text::multi_line;
use crate::user::OrgRole;

/// The longest gap between reviews, in months.
pub const MAX_EVERY_MONTHS: u8 = 60;
/// The longest outcome or note kept.
pub const MAX_REVIEW_TEXT: usize = 10_000;
/// How far ahead a coming review is shown on home pages and the due list.
pub const DUE_NOTICE_DAYS: i64 = 30;

/// When a record is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ReviewRule {
    /// Once in every 年度, due on `month`/`day` (29 February falls back to the 28th).
    FiscalYearly { month: u8, day: u8 },
    /// Every `months` months after the last review.
    EveryMonths { months: u8 },
    /// Once, on a fixed date; nothing is due after it is reviewed.
    Once { on: Date },
}

impl ReviewRule {
    /// A policy is reviewed every 年度, by its end (31 March).
    pub const POLICY_DEFAULT: ReviewRule = ReviewRule::FiscalYearly { month: 3, day: 31 };

    pub fn code(&self) -> &'static str {
        match self {
            ReviewRule::FiscalYearly { .. } => "fiscal_yearly",
            ReviewRule::EveryMonths { .. } => "every_months",
            ReviewRule::Once { .. } => "once",
        }
    }

    /// The first due date of a schedule set up on `today`: the next day the rule names,
    /// `today` included.
    pub fn first_due(&self, today: Date) -> Date {
        match *self {
            ReviewRule::FiscalYearly { month, day } => {
                let this_year = occurrence(FiscalYear::of(today), month, day);
                if this_year >= today {
                    this_year
                } else {
                    occurrence(FiscalYear::of(today).next(), month, day)
                }
            }
            ReviewRule::EveryMonths { months } => add_months(today, months),
            ReviewRule::Once { on } => on,
        }
    }

    /// The due date after a review on `reviewed_on` of the review due on `due`. Every
    /// 年度: the next 年度's date (a late review does not skip a year; an early one does
    /// not count twice). Every N months: N months after the review. Once: none.
    pub fn next_due(&self, due: Date, reviewed_on: Date) -> Option<Date> {
        match *self {
            ReviewRule::FiscalYearly { month, day } => {
                let mut fy = FiscalYear::of(due).next();
                while occurrence(fy, month, day) <= reviewed_on {
                    fy = fy.next();
                }
                Some(occurrence(fy, month, day))
            }
            ReviewRule::EveryMonths { months } => Some(add_months(reviewed_on, months)),
            ReviewRule::Once { .. } => None,
        }
    }
}

/// The day `month`/`day` falls on within a 年度 (April–December in its first calendar
/// year, January–March in the next).
fn occurrence(fy: FiscalYear, month: u8, day: u8) -> Date {
    let month = Month::try_from(month).unwrap_or(Month::March);
    let year = if month >= Month::April {
        fy.year()
    } else {
        fy.year() + 1
    };
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.min(last)).expect("clamped day")
}

/// `date` plus `months`, the day clamped to the month's length (31 January + 1 = 28/29
/// February).
pub fn add_months(date: Date, months: u8) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + i32::from(months);
    let year = index.div_euclid(12);
    let month = Month::try_from((index.rem_euclid(12) + 1) as u8).expect("1..=12");
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// Who reviews: a post (whoever holds it on the day) or one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Assignee {
    Post(OrgRole),
    User(i64),
}

impl Assignee {
    /// Reads the form and API value: `post:ciso` or `user:12`.
    pub fn parse(text: &str) -> Option<Assignee> {
        let (kind, value) = text.trim().split_once(':')?;
        match kind {
            "post" => OrgRole::parse(value).map(Assignee::Post),
            "user" => value.parse().ok().filter(|id| *id > 0).map(Assignee::User),
            _ => None,
        }
    }

    /// The value [`Assignee::parse`] reads.
    pub fn code(&self) -> String {
        match self {
            Assignee::Post(post) => format!("post:{}", post.as_str()),
            Assignee::User(id) => format!("user:{id}"),
        }
    }

    /// Whether someone with `user_id` holding `posts` is this assignee.
    pub fn is(&self, user_id: i64, posts: &[OrgRole]) -> bool {
        match self {
            Assignee::Post(post) => posts.contains(post),
            Assignee::User(id) => *id == user_id,
        }
    }
}

/// A schedule as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ScheduleInput {
    /// fiscal_yearly, every_months or once.
    pub rule: String,
    /// For fiscal_yearly: the month and day, e.g. "3/31" or "3月31日".
    pub month_day: String,
    /// For every_months.
    pub months: String,
    /// For once: the date.
    pub on: String,
    /// `post:<post>` or `user:<id>`.
    pub reviewer: String,
    /// Keep a once-only date already past (the form's box; the API's flag).
    #[serde(deserialize_with = "crate::field::flag")]
    pub confirm_past_dates: bool,
}

/// A schedule as checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub rule: ReviewRule,
    pub reviewer: Assignee,
}

impl ScheduleInput {
    /// `reviewer_active`: whether a person named as reviewer is an active user.
    pub fn check(&self, reviewer_active: bool) -> Result<Schedule, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let rule = match self.rule.trim() {
            "fiscal_yearly" => match month_day(&self.month_day) {
                Some((month, day)) => Some(ReviewRule::FiscalYearly { month, day }),
                None => {
                    problems.push(FieldProblem::new("month_day", "review.error.month_day"));
                    None
                }
            },
            "every_months" => match self.months.trim().parse::<u8>() {
                Ok(m) if (1..=MAX_EVERY_MONTHS).contains(&m) => {
                    Some(ReviewRule::EveryMonths { months: m })
                }
                _ => {
                    problems.push(
                        FieldProblem::new("months", "review.error.months")
                            .with("max", MAX_EVERY_MONTHS),
                    );
                    None
                }
            },
            "once" => match crate::wareki::parse_date_input(&self.on) {
                Ok(on) => Some(ReviewRule::Once { on }),
                Err(e) => {
                    problems.push(FieldProblem {
                        field: "on",
                        key: e.message_key(),
                        params: e.params(),
                    });
                    None
                }
            },
            _ => {
                problems.push(FieldProblem::new("rule", "error.invalid_choice"));
                None
            }
        };
        let reviewer = match Assignee::parse(&self.reviewer) {
            Some(Assignee::User(_)) if !reviewer_active => {
                problems.push(FieldProblem::new("reviewer", "review.error.reviewer"));
                None
            }
            Some(a) => Some(a),
            None => {
                problems.push(FieldProblem::new("reviewer", "review.error.reviewer"));
                None
            }
        };
        match (rule, reviewer) {
            (Some(rule), Some(reviewer)) if problems.is_empty() => Ok(Schedule { rule, reviewer }),
            _ => Err(problems.into_vec()),
        }
    }
}

/// "3/31", "03-31", "3月31日" (full-width digits read too); 29 February is accepted.
fn month_day(text: &str) -> Option<(u8, u8)> {
    let text: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '／' => '/',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    let text = text.strip_suffix('日').unwrap_or(&text);
    let (m, d) = text.split_once(['/', '-', '月'])?;
    let month: u8 = m.parse().ok()?;
    let day: u8 = d.parse().ok()?;
    let month_enum = Month::try_from(month).ok()?;
    // A leap year, so 29 February is a day some years have.
    (day >= 1 && day <= time::util::days_in_month(month_enum, 2028)).then_some((month, day))
}

/// A review as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    pub reviewed_on: String,
    pub outcome: String,
    pub note: String,
}

/// A review as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub reviewed_on: Date,
    pub outcome: String,
    pub note: String,
}

impl ReviewInput {
    /// A review cannot be dated after `today`.
    pub fn check(&self, today: Date) -> Result<ReviewRecord, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let reviewed_on = match crate::wareki::parse_date_input(&self.reviewed_on) {
            Ok(d) if d > today => {
                problems.push(FieldProblem::new("reviewed_on", "review.error.future"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(FieldProblem {
                    field: "reviewed_on",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        };
        let outcome = match multi_line(&self.outcome, MAX_REVIEW_TEXT) {
            Ok(v) if v.is_empty() => {
                problems.push(FieldProblem::new("outcome", "field.error.required"));
                None
            }
            Ok(v) => Some(v),
            Err(p) => {
                problems.push(FieldProblem::text("outcome", p));
                None
            }
        };
        let note = multi_line(&self.note, MAX_REVIEW_TEXT)
            .map_err(|p| problems.push(FieldProblem::text("note", p)))
            .ok();
        match (reviewed_on, outcome, note) {
            (Some(reviewed_on), Some(outcome), Some(note)) if problems.is_empty() => {
                Ok(ReviewRecord {
                    reviewed_on,
                    outcome,
                    note,
                })
            }
            _ => Err(problems.into_vec()),
        }
    }
}

/// Where a scheduled review stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    Overdue,
    /// Due within [`DUE_NOTICE_DAYS`].
    DueSoon,
    Later,
}

pub fn due_state(next_due: Date, today: Date) -> DueState {
    if next_due < today {
        DueState::Overdue
    } else if next_due <= today + time::Duration::days(DUE_NOTICE_DAYS) {
        DueState::DueSoon
    } else {
        DueState::Later
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_yearly_review_is_due_once_per_fiscal_year() {
        let rule = ReviewRule::POLICY_DEFAULT;
        assert_eq!(rule.first_due(date!(2026 - 04 - 01)), date!(2027 - 03 - 31));
        assert_eq!(rule.first_due(date!(2027 - 03 - 31)), date!(2027 - 03 - 31));
        // Reviewed early: the next is the following 年度's, not this one again.
        assert_eq!(
            rule.next_due(date!(2027 - 03 - 31), date!(2026 - 06 - 01)),
            Some(date!(2028 - 03 - 31))
        );
        // Reviewed late, in the next 年度: that 年度 still has its own review.
        assert_eq!(
            rule.next_due(date!(2027 - 03 - 31), date!(2027 - 04 - 10)),
            Some(date!(2028 - 03 - 31))
        );
        let june = ReviewRule::FiscalYearly { month: 6, day: 30 };
        assert_eq!(june.first_due(date!(2026 - 07 - 01)), date!(2027 - 06 - 30));
        assert_eq!(
            june.next_due(date!(2026 - 06 - 30), date!(2027 - 07 - 05)),
            Some(date!(2028 - 06 - 30)),
            "a review a year late does not leave the new date already past"
        );
        let leap = ReviewRule::FiscalYearly { month: 2, day: 29 };
        assert_eq!(leap.first_due(date!(2026 - 04 - 01)), date!(2027 - 02 - 28));
        assert_eq!(
            leap.next_due(date!(2027 - 02 - 28), date!(2027 - 02 - 01)),
            Some(date!(2028 - 02 - 29))
        );
    }

    #[test]
    fn monthly_and_one_off_reviews() {
        let rule = ReviewRule::EveryMonths { months: 6 };
        assert_eq!(rule.first_due(date!(2026 - 08 - 31)), date!(2027 - 02 - 28));
        assert_eq!(
            rule.next_due(date!(2026 - 10 - 01), date!(2026 - 09 - 15)),
            Some(date!(2027 - 03 - 15))
        );
        let once = ReviewRule::Once {
            on: date!(2026 - 12 - 01),
        };
        assert_eq!(once.first_due(date!(2026 - 04 - 01)), date!(2026 - 12 - 01));
        assert_eq!(
            once.next_due(date!(2026 - 12 - 01), date!(2026 - 12 - 01)),
            None
        );
        assert_eq!(add_months(date!(2026 - 12 - 15), 13), date!(2028 - 01 - 15));
    }

    #[test]
    fn schedules_as_typed() {
        let input = ScheduleInput {
            rule: "fiscal_yearly".into(),
            month_day: "３月３１日".into(),
            reviewer: "post:chief_security_officer".into(),
            ..Default::default()
        };
        assert_eq!(
            input.check(true).unwrap(),
            Schedule {
                rule: ReviewRule::POLICY_DEFAULT,
                reviewer: Assignee::Post(OrgRole::ChiefSecurityOfficer)
            }
        );
        let bad = ScheduleInput {
            rule: "every_months".into(),
            months: "0".into(),
            reviewer: "user:7".into(),
            ..Default::default()
        };
        let fields: Vec<_> = bad
            .check(false)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["months", "reviewer"]);
        let no_day = ScheduleInput {
            rule: "fiscal_yearly".into(),
            month_day: "2/30".into(),
            reviewer: "post:ciso".into(),
            ..Default::default()
        };
        assert_eq!(no_day.check(true).unwrap_err()[0].field, "month_day");
    }

    #[test]
    fn reviews_as_typed() {
        let today = date!(2026 - 05 - 01);
        let ok = ReviewInput {
            reviewed_on: "令和8年4月20日".into(),
            outcome: "改定不要".into(),
            note: String::new(),
        };
        assert_eq!(ok.check(today).unwrap().reviewed_on, date!(2026 - 04 - 20));
        let future = ReviewInput {
            reviewed_on: "2026-05-02".into(),
            ..ok.clone()
        };
        assert_eq!(
            future.check(today).unwrap_err()[0].key,
            "review.error.future"
        );
        let empty = ReviewInput::default().check(today).unwrap_err();
        assert_eq!(
            empty.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["reviewed_on", "outcome"]
        );
    }

    #[test]
    fn due_states_around_today() {
        let today = date!(2026 - 05 - 01);
        assert_eq!(due_state(date!(2026 - 04 - 30), today), DueState::Overdue);
        assert_eq!(due_state(today, today), DueState::DueSoon);
        assert_eq!(due_state(date!(2026 - 05 - 31), today), DueState::DueSoon);
        assert_eq!(due_state(date!(2026 - 06 - 01), today), DueState::Later);
    }
}
