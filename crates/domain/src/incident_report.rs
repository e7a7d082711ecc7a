//! Reports of an incident to outside bodies (外部への報告, issue 18 item 3): the duties as
//! data (to whom, which facts trigger them, how many days and counted how), the facts of
//! an incident that decide them, and the clocks — for each duty that applies, the due
//! date counted from the day the incident was noticed (day 0, in Japan) and where the
//! report stands. The 個人情報保護法 (art. 68, 施行規則 art. 43–44) is the default: a
//! preliminary report (速報) promptly, a final one (確報) within 30 days, 60 where the
//! leak may have had an unlawful purpose; each assembly edits them to its own 条例.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{DayCount, Deadline, MAX_DEADLINE_DAYS, WorkCalendar};
use crate::field::FieldProblem;
use crate::incident::Personal;
use crate::risk_input::{line_field, long_field};

/// The people threshold of the public-sector rules (施行規則 art. 43 (iv): more than 100).
pub const DEFAULT_PEOPLE_THRESHOLD: i64 = 100;
pub const RECIPIENT_MAX: usize = 200;
pub const REFERENCE_MAX: usize = 100;
pub const NOTE_MAX: usize = 2_000;

/// Declares a coded enum: its codes, `ALL`, `as_str`, `parse` and a locale key prefix.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident, $prefix:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == code)
            }

            pub fn label_key(self) -> String {
                format!("{}.{}", $prefix, self.as_str())
            }
        }
    };
}

coded! {
    /// A fact of an incident that makes a duty apply.
    Trigger, "incident_report.trigger" {
        /// Personal information is involved (はい).
        Personal = "personal",
        /// More people than the threshold setting.
        PeopleOver = "people_over",
        /// 要配慮個人情報 is included.
        Sensitive = "sensitive",
        /// The leak may have had an unlawful purpose (不正の目的のおそれ).
        Intentional = "intentional",
        /// Unauthorised access (不正アクセス).
        Unauthorised = "unauthorised",
        /// Risk of financial damage (財産的被害のおそれ).
        Financial = "financial",
        /// The severity is at least the duty's level.
        Severity = "severity",
    }
}

coded! {
    /// Which report a duty asks for.
    ReportStage, "incident_report.stage" {
        /// 速報
        Preliminary = "preliminary",
        /// 確報
        Final = "final",
        /// その他の報告
        Other = "other",
    }
}

/// The facts of an incident that decide its duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub personal: Personal,
    pub people: Option<i64>,
    /// More than this many people triggers [`Trigger::PeopleOver`].
    pub threshold: i64,
    pub sensitive: Personal,
    pub intentional: Personal,
    pub unauthorised: Personal,
    pub financial: Personal,
    /// The rank of the incident's severity (1 lowest), once set.
    pub severity_rank: Option<i64>,
}

impl Facts {
    /// Whether `trigger` holds. The facts about personal information (how many people,
    /// sensitive, unlawful purpose, financial damage) count only once personal
    /// information is known to be involved: the law's duty is about a leak of it.
    pub fn holds(&self, trigger: Trigger, min_rank: Option<i64>) -> bool {
        let personal = self.personal == Personal::Yes;
        match trigger {
            Trigger::Personal => personal,
            Trigger::PeopleOver => personal && self.people.is_some_and(|n| n > self.threshold),
            Trigger::Sensitive => personal && self.sensitive == Personal::Yes,
            Trigger::Intentional => personal && self.intentional == Personal::Yes,
            Trigger::Financial => personal && self.financial == Personal::Yes,
            Trigger::Unauthorised => self.unauthorised == Personal::Yes,
            Trigger::Severity => match (self.severity_rank, min_rank) {
                (Some(rank), Some(min)) => rank >= min,
                _ => false,
            },
        }
    }
}

/// A duty as the clock reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub id: i64,
    /// Any of these makes it apply…
    pub triggers: Vec<Trigger>,
    /// …unless any of these holds (the 30-day 確報 gives way to the 60-day one).
    pub unless: Vec<Trigger>,
    /// The rank the severity trigger asks for at least.
    pub min_rank: Option<i64>,
    pub days: u32,
    pub count: DayCount,
    pub active: bool,
}

impl Duty {
    pub fn applies(&self, facts: &Facts) -> bool {
        let hit = |t: &Trigger| facts.holds(*t, self.min_rank);
        self.triggers.iter().any(hit) && !self.unless.iter().any(hit)
    }
}

/// A report made (not withdrawn), as the clock reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub duty_id: Option<i64>,
    pub sent_on: Date,
}

/// Where the report of one duty stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ClockState {
    OnTime { sent_on: Date },
    Late { sent_on: Date, days: i64 },
    DueIn { days: i64 },
    Overdue { days: i64 },
    NotApplicable,
}

impl ClockState {
    pub fn code(&self) -> &'static str {
        match self {
            ClockState::OnTime { .. } => "on_time",
            ClockState::Late { .. } => "late",
            ClockState::DueIn { .. } => "due",
            ClockState::Overdue { .. } => "overdue",
            ClockState::NotApplicable => "not_applicable",
        }
    }

    pub const CODES: [&'static str; 5] = ["on_time", "late", "due", "overdue", "not_applicable"];
}

/// One duty's clock on an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub duty_id: i64,
    /// `None` when the duty does not apply and nothing was sent for it.
    pub due: Option<Date>,
    pub state: ClockState,
}

/// The clocks of an incident noticed on `noticed` (its date in Japan), as of `today`:
/// one per active duty (not applicable when its triggers do not hold), and one per
/// retired duty a report was made for. A report counts for its duty from the first one
/// sent; a closed incident keeps its clocks, so a missing report stays overdue.
pub fn clocks(
    duties: &[Duty],
    facts: &Facts,
    noticed: Date,
    sent: &[Sent],
    today: Date,
    calendar: &WorkCalendar,
) -> Vec<Clock> {
    duties
        .iter()
        .filter_map(|duty| {
            let first = sent
                .iter()
                .filter(|s| s.duty_id == Some(duty.id))
                .map(|s| s.sent_on)
                .min();
            let applies = duty.active && duty.applies(facts);
            if !applies && first.is_none() {
                return duty.active.then_some(Clock {
                    duty_id: duty.id,
                    due: None,
                    state: ClockState::NotApplicable,
                });
            }
            let due = Deadline {
                from: noticed,
                days: duty.days.min(MAX_DEADLINE_DAYS),
                kind: duty.count,
            }
            .due(calendar);
            let state = match first {
                Some(sent_on) if sent_on <= due => ClockState::OnTime { sent_on },
                Some(sent_on) => ClockState::Late {
                    sent_on,
                    days: (sent_on - due).whole_days(),
                },
                None if today <= due => ClockState::DueIn {
                    days: (due - today).whole_days(),
                },
                None => ClockState::Overdue {
                    days: (today - due).whole_days(),
                },
            };
            Some(Clock {
                duty_id: duty.id,
                due: Some(due),
                state,
            })
        })
        .collect()
}

/// The facts form: each yes / no / unknown (はい / いいえ / 不明 read too).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FactsForm {
    #[serde(default)]
    pub sensitive: String,
    #[serde(default)]
    pub intentional: String,
    #[serde(default)]
    pub unauthorised: String,
    #[serde(default)]
    pub financial: String,
}

/// The four facts as checked, in the order of [`FACT_COLUMNS`].
pub type FactValues = [Personal; 4];

/// The incident columns of the facts, in the order of [`FactValues`].
pub const FACT_COLUMNS: [&str; 4] = ["sensitive", "intentional", "unauthorised", "financial"];

impl FactsForm {
    pub fn check(&self) -> Result<FactValues, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut values = [Personal::Unknown; 4];
        let typed = [
            &self.sensitive,
            &self.intentional,
            &self.unauthorised,
            &self.financial,
        ];
        for ((value, typed), field) in values.iter_mut().zip(typed).zip(FACT_COLUMNS) {
            let text = if typed.trim().is_empty() {
                "unknown"
            } else {
                typed
            };
            match Personal::read(text) {
                Some(p) => *value = p,
                None => problems.push(FieldProblem::new(field, "incident.error.personal")),
            }
        }
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(problems)
        }
    }
}

/// A duty as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DutyForm {
    pub recipient_ja: String,
    #[serde(default)]
    pub recipient_en: String,
    pub stage: String,
    /// Trigger codes, any of which makes the duty apply.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// Trigger codes, any of which makes it not apply.
    #[serde(default)]
    pub unless: Vec<String>,
    /// The severity code the severity trigger asks for at least.
    #[serde(default)]
    pub min_severity: String,
    pub days: String,
    pub day_count: String,
    #[serde(default)]
    pub position: String,
}

/// A duty as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyInput {
    pub recipient_ja: String,
    pub recipient_en: String,
    pub stage: ReportStage,
    pub triggers: Vec<Trigger>,
    pub unless: Vec<Trigger>,
    pub min_severity: Option<String>,
    pub days: u32,
    pub count: DayCount,
    pub position: i64,
}

fn triggers(
    field: &'static str,
    codes: &[String],
    problems: &mut Vec<FieldProblem>,
) -> Vec<Trigger> {
    let mut out = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Trigger::parse(code) {
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
            None => {
                problems.push(FieldProblem::new(field, "error.invalid_choice"));
                return Vec::new();
            }
        }
    }
    out.sort();
    out
}

impl DutyForm {
    /// `severities`: the codes of the levels in use.
    pub fn check(&self, severities: &[String]) -> Result<DutyInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let recipient_ja = line_field(
            "recipient_ja",
            &self.recipient_ja,
            RECIPIENT_MAX,
            true,
            &mut problems,
        );
        let recipient_en = line_field(
            "recipient_en",
            &self.recipient_en,
            RECIPIENT_MAX,
            false,
            &mut problems,
        );
        let stage = ReportStage::parse(self.stage.trim());
        if stage.is_none() {
            problems.push(FieldProblem::new("stage", "error.invalid_choice"));
        }
        let triggers_in = triggers("triggers", &self.triggers, &mut problems);
        if triggers_in.is_empty() && !problems.iter().any(|p| p.field == "triggers") {
            problems.push(FieldProblem::new(
                "triggers",
                "incident_report.error.no_trigger",
            ));
        }
        let unless = triggers("unless", &self.unless, &mut problems);
        if unless.iter().any(|t| triggers_in.contains(t)) {
            problems.push(FieldProblem::new("unless", "incident_report.error.both"));
        }
        let min_severity = Some(self.min_severity.trim().to_owned()).filter(|s| !s.is_empty());
        match &min_severity {
            Some(code) if !severities.iter().any(|s| s == code) => {
                problems.push(FieldProblem::new("min_severity", "error.invalid_choice"));
            }
            None if triggers_in.contains(&Trigger::Severity)
                || unless.contains(&Trigger::Severity) =>
            {
                problems.push(FieldProblem::new(
                    "min_severity",
                    "incident_report.error.min_severity",
                ));
            }
            _ => {}
        }
        let days = match self.days.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_DEADLINE_DAYS).contains(&n) => Some(n),
            _ => {
                problems.push(
                    FieldProblem::new("days", "calendar.error.days").with("max", MAX_DEADLINE_DAYS),
                );
                None
            }
        };
        let count = DayCount::parse(self.day_count.trim());
        if count.is_none() {
            problems.push(FieldProblem::new("day_count", "error.invalid_choice"));
        }
        let position = match self.position.trim() {
            "" => Some(0),
            n => n.parse::<i64>().ok().filter(|n| (0..=9999).contains(n)),
        };
        if position.is_none() {
            problems.push(FieldProblem::new(
                "position",
                "incident_report.error.position",
            ));
        }
        match (stage, days, count, position) {
            (Some(stage), Some(days), Some(count), Some(position)) if problems.is_empty() => {
                Ok(DutyInput {
                    recipient_en: if recipient_en.is_empty() {
                        recipient_ja.clone()
                    } else {
                        recipient_en
                    },
                    recipient_ja,
                    stage,
                    triggers: triggers_in,
                    unless,
                    min_severity,
                    days,
                    count,
                    position,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Trigger codes as stored (comma-separated).
pub fn triggers_text(triggers: &[Trigger]) -> String {
    triggers
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Trigger codes as stored, read back; `None` when one is unknown.
pub fn parse_triggers(text: &str) -> Option<Vec<Trigger>> {
    text.split(',')
        .filter(|c| !c.is_empty())
        .map(Trigger::parse)
        .collect()
}

/// A report made, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SentForm {
    /// The duty's id, or empty for a report no duty asked for.
    #[serde(default)]
    pub duty: String,
    /// Whom it went to; empty takes the duty's recipient.
    #[serde(default)]
    pub recipient: String,
    /// ISO 8601 or 和暦.
    pub sent_on: String,
    /// 受付番号
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

/// A report made, as checked (the duty's existence is the use case's to check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentInput {
    pub duty_id: Option<i64>,
    pub recipient: String,
    pub sent_on: Date,
    pub reference: String,
    pub note: String,
}

impl SentForm {
    /// `noticed`: a report is not sent before the incident was noticed; `today`: nor in
    /// the future.
    pub fn check(&self, noticed: Date, today: Date) -> Result<SentInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let duty_id = match self.duty.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    problems.push(FieldProblem::new("duty", "error.invalid_choice"));
                    None
                }
            },
        };
        let recipient = line_field(
            "recipient",
            &self.recipient,
            RECIPIENT_MAX,
            duty_id.is_none(),
            &mut problems,
        );
        let sent_on = match crate::wareki::parse_date_input(&self.sent_on) {
            Ok(d) if d > today => {
                problems.push(FieldProblem::new("sent_on", "incident_report.error.future"));
                None
            }
            Ok(d) if d < noticed => {
                problems.push(FieldProblem::new(
                    "sent_on",
                    "incident_report.error.before_noticed",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(FieldProblem {
                    field: "sent_on",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        };
        let reference = line_field(
            "reference",
            &self.reference,
            REFERENCE_MAX,
            false,
            &mut problems,
        );
        let note = long_field("note", &self.note, NOTE_MAX, false, &mut problems);
        match sent_on {
            Some(sent_on) if problems.is_empty() => Ok(SentInput {
                duty_id,
                recipient,
                sent_on,
                reference,
                note,
            }),
            _ => Err(problems),
        }
    }
}

/// The people threshold as typed: a whole number from 1.
pub fn check_threshold(text: &str) -> Result<i64, Vec<FieldProblem>> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=crate::incident::PEOPLE_MAX).contains(&n) => Ok(n),
        _ => Err(vec![FieldProblem::new(
            "people_threshold",
            "incident_report.error.threshold",
        )]),
    }
}

#[cfg(test)]
mod tests;
