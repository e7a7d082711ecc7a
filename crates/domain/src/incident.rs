//! Incidents (情報セキュリティインシデント, clause 6(7), issue 18): what a report holds,
//! the stages of handling (発見・報告 → 初動対応 → 影響調査 → 復旧 → 再発防止 → 報告・公表 →
//! 完了), what closing and reopening ask for, and who sees what of an incident. The
//! form, the API and the command line read a report through [`ReportForm::check`].

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::field::FieldProblem;
use crate::risk_input::{line_field, long_field};
use crate::wareki::JST;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;
pub const LINE_MAX: usize = 200;
/// People whose personal information may be involved, at most (a number typed wrongly
/// by orders of magnitude is refused rather than kept).
pub const PEOPLE_MAX: i64 = 100_000_000;

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
    /// The stages of handling, in order.
    Stage, "incident.stage" {
        /// 発見・報告
        Reported = "reported",
        /// 初動対応
        FirstResponse = "first_response",
        /// 影響調査
        Investigation = "investigation",
        /// 復旧
        Recovery = "recovery",
        /// 再発防止
        Prevention = "prevention",
        /// 報告・公表
        Reporting = "reporting",
        /// 完了
        Closed = "closed",
    }
}

coded! {
    /// Whether personal information may be involved, as the reporter knows it.
    Personal, "incident.personal" {
        Yes = "yes",
        No = "no",
        Unknown = "unknown",
    }
}

coded! {
    /// What a timeline entry records.
    EntryKind, "incident.entry" {
        /// The report itself.
        Reported = "reported",
        /// A note of what was done or learnt.
        Note = "note",
        Stage = "stage",
        Severity = "severity",
        Category = "category",
        Personal = "personal",
        Owner = "owner",
        Closed = "closed",
        Reopened = "reopened",
        Shared = "shared",
        /// An asset, threat or risk linked (after: "kind:id").
        Linked = "linked",
        Unlinked = "unlinked",
        /// A linked risk asked to be reassessed, with the reason.
        Reassessment = "reassessment",
        /// A lesson recorded as a corrective action (after: the action's id).
        Lesson = "lesson",
        /// The facts that decide outside reports (see `incident_report`).
        Sensitive = "sensitive",
        Intentional = "intentional",
        Unauthorised = "unauthorised",
        Financial = "financial",
        /// A report made to an outside body.
        OutsideReport = "outside_report",
        /// A report recorded by mistake, withdrawn with a reason.
        ReportWithdrawn = "report_withdrawn",
    }
}

coded! {
    /// What an incident can be linked to: the registers its handling learns about.
    LinkKind, "incident.link" {
        Asset = "asset",
        Threat = "threat",
        Risk = "risk",
    }
}

/// Reads what a link points to as typed: its kind's code and a record number ("12",
/// "１２", "#12", "No.12").
pub fn link_target(kind: &str, target: &str) -> Result<(LinkKind, i64), FieldProblem> {
    use unicode_normalization::UnicodeNormalization;
    let kind = LinkKind::parse(kind.trim())
        .ok_or_else(|| FieldProblem::new("kind", "incident.error.link_kind"))?;
    let text: String = target.nfkc().collect::<String>().to_lowercase();
    let digits = text
        .trim()
        .trim_start_matches('#')
        .trim_start_matches("no.")
        .trim();
    match digits.parse::<i64>() {
        Ok(id) if id > 0 => Ok((kind, id)),
        _ => Err(FieldProblem::new("target", "incident.error.link_target")),
    }
}

impl Stage {
    /// The stages a person moves an open incident to (closing has its own form).
    pub fn open_stages() -> &'static [Stage] {
        &Stage::ALL[..Stage::ALL.len() - 1]
    }
}

impl Personal {
    /// Reads the answer as people write it (はい / いいえ / 不明) or its code.
    pub fn read(input: &str) -> Option<Personal> {
        match input.trim() {
            "はい" | "あり" | "有" | "yes" => Some(Personal::Yes),
            "いいえ" | "なし" | "無" | "no" => Some(Personal::No),
            "不明" | "わからない" | "分からない" | "unknown" => Some(Personal::Unknown),
            _ => None,
        }
    }
}

/// A report as typed: one screen, for a member on a tablet.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    pub title: String,
    pub description: String,
    /// When it was noticed: a date, or a date and time (JST).
    pub noticed_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub personal: String,
    /// How to reach the reporter (a phone number, "議員控室").
    #[serde(default)]
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub title: String,
    pub description: String,
    pub noticed_at: OffsetDateTime,
    pub place: String,
    pub personal: Personal,
    pub contact: String,
}

impl ReportForm {
    /// `now`: a report cannot be noticed in the future.
    pub fn check(&self, now: OffsetDateTime) -> Result<ReportInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let title = line_field("title", &self.title, TITLE_MAX, true, &mut problems);
        let description = long_field(
            "description",
            &self.description,
            TEXT_MAX,
            true,
            &mut problems,
        );
        let noticed_at = match noticed_at(&self.noticed_at) {
            Ok(at) if at > now + time::Duration::minutes(5) => {
                problems.push(FieldProblem::new("noticed_at", "incident.error.future"));
                None
            }
            Ok(at) => Some(at),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let place = line_field("place", &self.place, LINE_MAX, false, &mut problems);
        let contact = line_field("contact", &self.contact, LINE_MAX, false, &mut problems);
        let personal = if self.personal.trim().is_empty() {
            Some(Personal::Unknown)
        } else {
            Personal::read(&self.personal)
        };
        if personal.is_none() {
            problems.push(FieldProblem::new("personal", "incident.error.personal"));
        }
        match (noticed_at, personal) {
            (Some(noticed_at), Some(personal)) if problems.is_empty() => Ok(ReportInput {
                title,
                description,
                noticed_at,
                place,
                personal,
                contact,
            }),
            _ => Err(problems),
        }
    }
}

/// When something was noticed, as typed: a date (its start in Japan) or a date and a
/// time ("2026-12-06 14:30", "令和8年12月6日 14時30分", the browser's "2026-12-06T14:30").
pub fn noticed_at(input: &str) -> Result<OffsetDateTime, FieldProblem> {
    let text = input.trim().replace('T', " ");
    if text.is_empty() {
        return Err(FieldProblem::new("noticed_at", "field.error.required"));
    }
    let (date_part, time_part) = match text.rsplit_once(' ') {
        Some((d, t)) if crate::training::parse_time(t).is_some() => (d.trim(), Some(t)),
        _ => (text.as_str(), None),
    };
    let date: Date = crate::wareki::parse_date_input(date_part).map_err(|e| FieldProblem {
        field: "noticed_at",
        key: e.message_key(),
        params: e.params(),
    })?;
    let time = time_part
        .and_then(crate::training::parse_time)
        .unwrap_or(Time::MIDNIGHT);
    Ok(PrimitiveDateTime::new(date, time).assume_offset(JST))
}

/// What triage sets: severity (a code of the levels kept as data), the category (a
/// threat of the catalogue), personal information and how many people, the owner.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub threat_id: String,
    #[serde(default)]
    pub personal: String,
    #[serde(default)]
    pub people: String,
    /// The owner's login (a CSIRT member).
    #[serde(default)]
    pub owner: String,
}

/// Triage as checked: `None` leaves a field unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageInput {
    pub severity: Option<String>,
    pub threat_id: Option<i64>,
    pub personal: Personal,
    pub people: Option<i64>,
    pub owner: Option<String>,
}

impl TriageForm {
    /// `severities`: the codes of the levels in use.
    pub fn check(&self, severities: &[String]) -> Result<TriageInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let severity = Some(self.severity.trim().to_owned()).filter(|s| !s.is_empty());
        if severity
            .as_ref()
            .is_some_and(|s| !severities.iter().any(|k| k == s))
        {
            problems.push(FieldProblem::new("severity", "incident.error.severity"));
        }
        let threat_id = match self.threat_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    problems.push(FieldProblem::new("threat_id", "incident.error.threat"));
                    None
                }
            },
        };
        let personal = Personal::read(if self.personal.trim().is_empty() {
            "unknown"
        } else {
            &self.personal
        });
        if personal.is_none() {
            problems.push(FieldProblem::new("personal", "incident.error.personal"));
        }
        let digits: String = self
            .people
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .filter(|c| !matches!(c, ',' | '，' | '人' | '名'))
            .collect();
        let people = match digits.as_str() {
            "" => None,
            n => match n.parse::<i64>() {
                Ok(n) if (0..=PEOPLE_MAX).contains(&n) => Some(n),
                _ => {
                    problems.push(FieldProblem::new("people", "incident.error.people"));
                    None
                }
            },
        };
        if people.is_some_and(|n| n > 0) && personal == Some(Personal::No) {
            problems.push(FieldProblem::new("people", "incident.error.people_without"));
        }
        let owner = Some(self.owner.trim().to_owned()).filter(|s| !s.is_empty());
        match personal {
            Some(personal) if problems.is_empty() => Ok(TriageInput {
                severity,
                threat_id,
                personal,
                people,
                owner,
            }),
            _ => Err(problems),
        }
    }
}

/// Closing: the summary and the cause, both required.
pub fn check_closing(summary: &str, cause: &str) -> Result<(String, String), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let summary = long_field("summary", summary, TEXT_MAX, true, &mut problems);
    let cause = long_field("cause", cause, TEXT_MAX, true, &mut problems);
    if problems.is_empty() {
        Ok((summary, cause))
    } else {
        Err(problems)
    }
}

/// A reason (reopening) or a note (the timeline): required text.
pub fn check_text(field: &'static str, text: &str) -> Result<String, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let text = long_field(field, text, TEXT_MAX, true, &mut problems);
    if problems.is_empty() {
        Ok(text)
    } else {
        Err(problems)
    }
}

/// What of an incident a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Everything, the internal timeline included.
    Full,
    /// The reporter: their report and its stage, not the internal timeline.
    Own,
}

/// Who sees an incident: those who see every incident (the security officer, the CSIRT,
/// the CISO, the auditor) and those it is shared with, fully; its reporter, their own
/// report; nobody else.
pub fn sight(sees_all: bool, shared: bool, reporter: bool) -> Option<Sight> {
    if sees_all || shared {
        Some(Sight::Full)
    } else if reporter {
        Some(Sight::Own)
    } else {
        None
    }
}

/// An incident's number: the 年度 and its order in it ("2026-003").
pub fn number(fiscal_year: i32, order: i64) -> String {
    format!("{fiscal_year}-{order:03}")
}

#[cfg(test)]
mod tests;
