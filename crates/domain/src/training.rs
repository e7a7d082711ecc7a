//! Training and drills (研修・訓練, clause 6(5)): the courses of a 年度 by kind, their
//! sessions and who is invited, attendance per person, and the coverage rule — "everyone
//! at least once a 年度" and "new people within N days of their start" — kept as data
//! so an assembly can set it as its own 対策基準 says.
//!
//! Attendance counts towards the rule only when it is 出席 and, for a self-declared
//! outside course, once the organiser has confirmed it: an unconfirmed declaration is
//! shown as such and never met silently.

use serde::Serialize;
use time::{Date, Duration, Time};

use crate::awareness::Audience;
use crate::calendar::FiscalYear;
use crate::field::FieldProblem;
use crate::risk_input::{date_field, line_field, long_field};
use crate::text;
use crate::user::UserType;

/// Longest course or session title.
pub const TITLE_MAX: usize = 200;
/// Longest description, plan summary or note.
pub const TEXT_MAX: usize = 10_000;
/// Longest place.
pub const PLACE_MAX: usize = 200;
/// Longest "within N days" a rule may name (two 年度).
pub const WITHIN_DAYS_MAX: i64 = 730;

/// What kind of course: the guideline's kinds, and outside courses people declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    /// 全員研修
    Everyone,
    /// 新任研修
    NewStaff,
    /// 役割別研修
    RoleBased,
    /// 議員研修
    Members,
    /// 緊急時対応訓練
    Drill,
    /// e-ラーニング
    Elearning,
    /// 外部研修 (attendance self-declared, confirmed by the organiser)
    Outside,
}

impl CourseKind {
    pub const ALL: [CourseKind; 7] = [
        CourseKind::Everyone,
        CourseKind::NewStaff,
        CourseKind::RoleBased,
        CourseKind::Members,
        CourseKind::Drill,
        CourseKind::Elearning,
        CourseKind::Outside,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CourseKind::Everyone => "everyone",
            CourseKind::NewStaff => "new_staff",
            CourseKind::RoleBased => "role_based",
            CourseKind::Members => "members",
            CourseKind::Drill => "drill",
            CourseKind::Elearning => "elearning",
            CourseKind::Outside => "outside",
        }
    }

    pub fn parse(value: &str) -> Option<CourseKind> {
        CourseKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            CourseKind::Everyone => "training.kind.everyone",
            CourseKind::NewStaff => "training.kind.new_staff",
            CourseKind::RoleBased => "training.kind.role_based",
            CourseKind::Members => "training.kind.members",
            CourseKind::Drill => "training.kind.drill",
            CourseKind::Elearning => "training.kind.elearning",
            CourseKind::Outside => "training.kind.outside",
        }
    }

    /// Whether people declare their own attendance (an outside course happens
    /// elsewhere; the organiser confirms it with the proof).
    pub fn self_declared(self) -> bool {
        self == CourseKind::Outside
    }
}

/// One person's attendance at a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// 出席
    Present,
    /// 欠席
    Absent,
    /// 公欠 (excused: official business, leave)
    Excused,
}

impl Attendance {
    pub const ALL: [Attendance; 3] = [Attendance::Present, Attendance::Absent, Attendance::Excused];

    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Present => "present",
            Attendance::Absent => "absent",
            Attendance::Excused => "excused",
        }
    }

    pub fn parse(value: &str) -> Option<Attendance> {
        Attendance::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// Reads a sign-in sheet's mark as people write it: 出席/出/○/✓/済/present…,
    /// 欠席/欠/×/absent, 公欠/excused. `None` for anything else (asked, not guessed).
    pub fn from_sheet(value: &str) -> Option<Attendance> {
        let v = half_width(value.trim()).to_lowercase();
        match v.as_str() {
            "出席" | "出" | "○" | "〇" | "◯" | "o" | "✓" | "✔" | "レ" | "済" | "受講済"
            | "参加" | "present" | "attended" | "yes" | "y" | "1" => Some(Attendance::Present),
            "欠席" | "欠" | "×" | "x" | "不参加" | "absent" | "no" | "n" | "0" => {
                Some(Attendance::Absent)
            }
            "公欠" | "excused" => Some(Attendance::Excused),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Attendance::Present => "training.attendance.present",
            Attendance::Absent => "training.attendance.absent",
            Attendance::Excused => "training.attendance.excused",
        }
    }
}

/// How an attendance came to be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Way {
    /// By the organiser on the session's page or the API.
    Recorded,
    /// From a sign-in sheet (CSV/xlsx).
    Imported,
    /// By the person, for an outside course; counts once confirmed.
    Declared,
}

impl Way {
    pub const ALL: [Way; 3] = [Way::Recorded, Way::Imported, Way::Declared];

    pub fn as_str(self) -> &'static str {
        match self {
            Way::Recorded => "recorded",
            Way::Imported => "imported",
            Way::Declared => "declared",
        }
    }

    pub fn parse(value: &str) -> Option<Way> {
        Way::ALL.into_iter().find(|w| w.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Way::Recorded => "training.way.recorded",
            Way::Imported => "training.way.imported",
            Way::Declared => "training.way.declared",
        }
    }
}

/// A course as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseForm {
    /// The 年度 as people write it (令和8年度, 2026, FY2026).
    pub fiscal_year: String,
    /// A [`CourseKind`] code.
    pub kind: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseInput {
    pub fiscal_year: FiscalYear,
    pub kind: CourseKind,
    pub title: String,
    pub description: String,
}

/// A 年度 as people write it (令和8年度, FY2026), or a bare four-digit year as a form's
/// hidden field and the API send it.
pub fn fiscal_year(text: &str) -> Result<FiscalYear, crate::calendar::FiscalYearError> {
    let folded = half_width(text.trim());
    if folded.len() == 4 && folded.bytes().all(|b| b.is_ascii_digit()) {
        return folded
            .parse()
            .ok()
            .and_then(FiscalYear::new)
            .ok_or(crate::calendar::FiscalYearError::OutOfRange);
    }
    FiscalYear::parse(text)
}

impl CourseForm {
    pub fn check(&self) -> Result<CourseInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let fiscal_year = match fiscal_year(&self.fiscal_year) {
            Ok(fy) => Some(fy),
            Err(e) => {
                problems.push(FieldProblem::new("fiscal_year", e.message_key()));
                None
            }
        };
        let kind = CourseKind::parse(self.kind.trim());
        if kind.is_none() {
            problems.push(FieldProblem::new("kind", "training.error.kind"));
        }
        let title = line_field("title", &self.title, TITLE_MAX, true, &mut problems);
        let description = long_field(
            "description",
            &self.description,
            TEXT_MAX,
            false,
            &mut problems,
        );
        match (fiscal_year, kind) {
            (Some(fiscal_year), Some(kind)) if problems.is_empty() => Ok(CourseInput {
                fiscal_year,
                kind,
                title,
                description,
            }),
            _ => Err(problems),
        }
    }
}

/// A session as typed: the audience fields are those of an awareness notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionForm {
    /// The day, ISO or 和暦.
    pub held_on: String,
    /// "13:30", "13時30分", full-width digits.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    /// Held online (the place then names the meeting tool or the e-learning site).
    pub online: bool,
    pub note: String,
    pub audience: crate::awareness::NoticeForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub held_on: Date,
    pub starts_at: Time,
    pub ends_at: Time,
    pub place: String,
    pub online: bool,
    pub note: String,
    pub audience: Audience,
}

/// Reads a time of day as people write it: 9:00, 09:00, 13時30分, 13時, full-width.
pub fn parse_time(value: &str) -> Option<Time> {
    let v = half_width(value.trim());
    let v = v.replace('時', ":").replace('分', "").replace('：', ":");
    let (h, m) = match v.split_once(':') {
        Some((h, m)) => (h.trim(), if m.trim().is_empty() { "0" } else { m.trim() }),
        None => (v.trim(), "0"),
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// Full-width digits and letters as their half-width forms.
fn half_width(value: &str) -> String {
    value.chars().map(crate::user::fold_full_width).collect()
}

/// A time of day as stored and shown: "13:30".
pub fn time_text(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

fn time_field(field: &'static str, value: &str, problems: &mut Vec<FieldProblem>) -> Option<Time> {
    if value.trim().is_empty() {
        problems.push(FieldProblem::new(field, "field.error.required"));
        return None;
    }
    let time = parse_time(value);
    if time.is_none() {
        problems.push(FieldProblem::new(field, "training.error.time"));
    }
    time
}

impl SessionForm {
    /// Checks every field at once. The audience reuses the notice's rule, without its
    /// title and text; a session may be recorded afterwards (a past day is allowed).
    pub fn check(&self) -> Result<SessionInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let held_on = date_field("held_on", &self.held_on, true, &mut problems);
        let starts_at = time_field("starts_at", &self.starts_at, &mut problems);
        let ends_at = time_field("ends_at", &self.ends_at, &mut problems);
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            problems.push(FieldProblem::new("ends_at", "training.error.ends_before"));
        }
        let place = line_field("place", &self.place, PLACE_MAX, true, &mut problems);
        let note = long_field("note", &self.note, TEXT_MAX, false, &mut problems);
        let audience = crate::awareness::audience_of(&self.audience, &mut problems);
        match (held_on, starts_at, ends_at, audience) {
            (Some(held_on), Some(starts_at), Some(ends_at), Some(audience))
                if problems.is_empty() =>
            {
                Ok(SessionInput {
                    held_on,
                    starts_at,
                    ends_at,
                    place,
                    online: self.online,
                    note,
                    audience,
                })
            }
            _ => Err(problems),
        }
    }
}

/// The coverage rule: which people must be trained, by which kinds of course, and (for
/// new people) within how many days of their start date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The user types the rule binds (議員, 事務局職員…).
    pub user_types: Vec<UserType>,
    /// The kinds of course whose attendance counts.
    pub course_kinds: Vec<CourseKind>,
}

/// The two rules of the guideline, as the assembly sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// Everyone bound, at least once in each 年度.
    pub yearly: Rule,
    /// People who start, within `within_days` of their start date.
    pub new_people: Rule,
    pub within_days: i64,
}

/// The rules as typed on the page or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesForm {
    pub yearly_user_types: Vec<String>,
    pub yearly_kinds: Vec<String>,
    pub new_user_types: Vec<String>,
    pub new_kinds: Vec<String>,
    pub within_days: String,
}

fn codes<T: Copy + PartialEq>(
    field: &'static str,
    values: &[String],
    parse: impl Fn(&str) -> Option<T>,
    problems: &mut Vec<FieldProblem>,
) -> Vec<T> {
    let mut out = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match parse(value) {
            Some(v) if !out.contains(&v) => out.push(v),
            Some(_) => {}
            None => problems
                .push(FieldProblem::new(field, "training.error.unknown_code").with("code", value)),
        }
    }
    if out.is_empty() {
        problems.push(FieldProblem::new(field, "training.error.none_chosen"));
    }
    out
}

/// The user types a rule may bind: contractors are trained under their contract.
pub const RULE_USER_TYPES: [UserType; 3] = crate::awareness::AUDIENCE_USER_TYPES;

impl RulesForm {
    pub fn check(&self) -> Result<Rules, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let user_type = |v: &str| UserType::parse(v).filter(|t| RULE_USER_TYPES.contains(t));
        let yearly = Rule {
            user_types: codes(
                "yearly_user_types",
                &self.yearly_user_types,
                user_type,
                &mut problems,
            ),
            course_kinds: codes(
                "yearly_kinds",
                &self.yearly_kinds,
                CourseKind::parse,
                &mut problems,
            ),
        };
        let new_people = Rule {
            user_types: codes(
                "new_user_types",
                &self.new_user_types,
                user_type,
                &mut problems,
            ),
            course_kinds: codes(
                "new_kinds",
                &self.new_kinds,
                CourseKind::parse,
                &mut problems,
            ),
        };
        let days = half_width(self.within_days.trim());
        let days = days.trim_end_matches('日').trim();
        let within_days = match days.parse::<i64>() {
            Ok(d) if (1..=WITHIN_DAYS_MAX).contains(&d) => d,
            _ => {
                problems.push(
                    FieldProblem::new("within_days", "training.error.within_days")
                        .with("max", WITHIN_DAYS_MAX),
                );
                0
            }
        };
        if problems.is_empty() {
            Ok(Rules {
                yearly,
                new_people,
                within_days,
            })
        } else {
            Err(problems)
        }
    }
}

/// One counted attendance: the day and the kind of course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attended {
    pub on: Date,
    pub kind: CourseKind,
}

/// A person as the rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trainee {
    pub user_type: UserType,
    pub starts_on: Date,
}

/// Where a person stands with the rule in a 年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Met.
    Met,
    /// Not met yet; the 年度 (or the new-person window) is still running.
    Due,
    /// Not met and the time is over (the 年度 ended, or the window after the start date).
    Overdue,
    /// The rule does not bind this person (user type, or started after the 年度).
    NotBound,
}

impl Coverage {
    pub const ALL: [Coverage; 4] = [
        Coverage::Met,
        Coverage::Due,
        Coverage::Overdue,
        Coverage::NotBound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Met => "met",
            Coverage::Due => "due",
            Coverage::Overdue => "overdue",
            Coverage::NotBound => "not_bound",
        }
    }

    pub fn parse(value: &str) -> Option<Coverage> {
        Coverage::ALL.into_iter().find(|c| c.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Coverage::Met => "training.coverage.met",
            Coverage::Due => "training.coverage.due",
            Coverage::Overdue => "training.coverage.overdue",
            Coverage::NotBound => "training.coverage.not_bound",
        }
    }
}

/// A person's standing in a 年度 under both rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub yearly: Coverage,
    /// The new-person rule, for those whose start date falls in the 年度.
    pub new_person: Coverage,
    /// The last day of the new-person window, when it applies.
    pub new_person_due: Option<Date>,
}

impl Standing {
    /// The worse of the two, for a one-word summary and the "not trained" filter.
    pub fn overall(&self) -> Coverage {
        let rank = |c: Coverage| match c {
            Coverage::Overdue => 0,
            Coverage::Due => 1,
            Coverage::Met => 2,
            Coverage::NotBound => 3,
        };
        if rank(self.new_person) < rank(self.yearly) {
            self.new_person
        } else {
            self.yearly
        }
    }
}

/// Where `person` stands in `fy` on `today`, given what they attended (counted
/// attendances only: present, and confirmed when declared).
pub fn standing(
    rules: &Rules,
    fy: FiscalYear,
    person: Trainee,
    attended: &[Attended],
    today: Date,
) -> Standing {
    let counts = |rule: &Rule, from: Date, to: Date| {
        attended
            .iter()
            .any(|a| rule.course_kinds.contains(&a.kind) && a.on >= from && a.on <= to)
    };
    let yearly =
        if !rules.yearly.user_types.contains(&person.user_type) || person.starts_on > fy.end() {
            Coverage::NotBound
        } else if counts(&rules.yearly, fy.start(), fy.end()) {
            Coverage::Met
        } else if today > fy.end() {
            Coverage::Overdue
        } else {
            Coverage::Due
        };
    let binds_new =
        rules.new_people.user_types.contains(&person.user_type) && fy.contains(person.starts_on);
    let due = person.starts_on + Duration::days(rules.within_days);
    let new_person = if !binds_new {
        Coverage::NotBound
    } else if counts(&rules.new_people, person.starts_on, due) {
        Coverage::Met
    } else if today > due {
        Coverage::Overdue
    } else {
        Coverage::Due
    };
    Standing {
        yearly,
        new_person,
        new_person_due: binds_new.then_some(due),
    }
}

/// Whether an attendance counts: present, and confirmed when the person declared it.
pub fn counts(attendance: Attendance, way: Way, confirmed: bool) -> bool {
    attendance == Attendance::Present && (way != Way::Declared || confirmed)
}

/// A plan (研修計画) as typed: the 年度's aims and schedule in words.
pub fn check_plan(summary: &str) -> Result<String, FieldProblem> {
    match text::multi_line(summary, TEXT_MAX) {
        Ok(s) if s.is_empty() => Err(FieldProblem::text("summary", text::TextProblem::Empty)),
        Ok(s) => Ok(s),
        Err(p) => Err(FieldProblem::text("summary", p)),
    }
}

#[cfg(test)]
mod tests;
