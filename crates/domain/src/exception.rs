//! Exceptions (例外措置): a rule of the policy set aside for a stated purpose, for a
//! limited time, with the CISO's permission. Following the national guideline's measure
//! standards (運用 › 例外措置): a responsible person who cannot keep a rule while carrying
//! on the assembly's work asks the CISO for permission first; when the work cannot wait,
//! the exception is taken at once and reported to the CISO afterwards (事後報告); the CISO
//! keeps the requests and their results and looks at them regularly.
//!
//! The permission is an approval request (`approval`); this module holds what is asked,
//! its checks, and where an exception stands on a day.

use serde::Serialize;
use time::Date;

use crate::approval::State as ApprovalState;
use crate::field::{FieldProblem, Problems};
use crate::risk_input::{date_field, line_field, long_field};

/// Longest rule, scope or title line.
pub const LINE_MAX: usize = 300;
/// Longest reason, measure or note.
pub const TEXT_MAX: usize = 4000;
/// Longest clause reference ("6(7)", "第137条").
pub const CLAUSE_MAX: usize = 40;
/// An exception is flagged as ending soon this many days before it expires.
pub const ENDING_NOTICE_DAYS: i64 = 30;
/// How long after the fact an emergency exception may still be reported.
pub const EMERGENCY_REPORT_DAYS: i64 = 90;

/// An exception as typed on a page, in the API or on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExceptionForm {
    /// The rule set aside (遵守事項), as the policy or its standards word it.
    pub rule: String,
    /// The clause of the policy the rule belongs to, if known ("6(4)").
    pub clause_ref: String,
    /// What the exception covers: systems, assets, people, places.
    pub scope: String,
    /// Why the rule cannot be kept (合理的な理由).
    pub reason: String,
    /// What is done instead to keep the risk down (代替措置).
    pub measure: String,
    pub starts_on: String,
    pub expires_on: String,
    /// Taken already because the work could not wait: reported after the fact.
    pub emergency: bool,
    /// Keep an expiry already past (an emergency exception reported after it ended):
    /// the form's box, the API's flag. See [`crate::field::Confirmations`].
    pub confirm_past_dates: bool,
}

/// An exception that reads, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionInput {
    pub rule: String,
    pub clause_ref: String,
    pub scope: String,
    pub reason: String,
    pub measure: String,
    pub starts_on: Date,
    pub expires_on: Date,
    pub emergency: bool,
}

impl ExceptionForm {
    /// Checks every field at once. An exception always ends: its expiry is required and
    /// on or after its start (one already past is asked about, not refused: see
    /// [`ExceptionForm::confirmations`]). Only an emergency exception, reported after the
    /// fact, may have started before `today` (and not long before).
    pub fn check(&self, today: Date) -> Result<ExceptionInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let rule = line_field("waived_rule", &self.rule, LINE_MAX, true, &mut problems);
        let clause_ref = line_field(
            "clause_ref",
            &self.clause_ref,
            CLAUSE_MAX,
            false,
            &mut problems,
        );
        let scope = line_field("scope", &self.scope, LINE_MAX, true, &mut problems);
        let reason = long_field("reason", &self.reason, TEXT_MAX, true, &mut problems);
        let measure = long_field("measure", &self.measure, TEXT_MAX, true, &mut problems);
        let starts_on = date_field("starts_on", &self.starts_on, true, &mut problems);
        let expires_on = date_field("expires_on", &self.expires_on, true, &mut problems);
        let mut more = Problems::new();
        if let Some(start) = starts_on {
            if start < today && !self.emergency {
                more.push(FieldProblem::new("starts_on", "exception.error.past_start"));
            } else if start < today - time::Duration::days(EMERGENCY_REPORT_DAYS) {
                more.push(
                    FieldProblem::new("starts_on", "exception.error.report_late")
                        .with("days", EMERGENCY_REPORT_DAYS),
                );
            }
        }
        if let Some(end) = expires_on
            && starts_on.is_some_and(|start| end < start)
        {
            more.push(FieldProblem::new(
                "expires_on",
                "exception.error.before_start",
            ));
        }
        problems.extend(more.into_vec());
        match (starts_on, expires_on) {
            (Some(starts_on), Some(expires_on)) if problems.is_empty() => Ok(ExceptionInput {
                rule,
                clause_ref,
                scope,
                reason,
                measure,
                starts_on,
                expires_on,
                emergency: self.emergency,
            }),
            _ => Err(problems),
        }
    }
}

/// Where an exception stands on a day, from its permission and its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Waiting for the CISO's permission; nothing is set aside yet.
    Requested,
    /// Taken in an emergency and waiting for the CISO's after-the-fact decision.
    EmergencyUnconfirmed,
    /// Permitted, starting later.
    Permitted,
    /// Permitted and in effect.
    InEffect,
    /// In effect and expiring within [`ENDING_NOTICE_DAYS`].
    EndingSoon,
    /// Past its expiry: the rule applies again. Flagged until closed.
    Expired,
    /// Ended early by the one who asked or the security officer.
    Ended,
    /// Sent back to be corrected and asked again.
    Returned,
    /// Refused; an emergency exception refused must be undone at once.
    Refused,
    /// Withdrawn by the one who asked before a decision.
    Withdrawn,
}

impl Standing {
    pub const ALL: [Standing; 10] = [
        Standing::Requested,
        Standing::EmergencyUnconfirmed,
        Standing::Permitted,
        Standing::InEffect,
        Standing::EndingSoon,
        Standing::Expired,
        Standing::Ended,
        Standing::Returned,
        Standing::Refused,
        Standing::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Requested => "requested",
            Standing::EmergencyUnconfirmed => "emergency_unconfirmed",
            Standing::Permitted => "permitted",
            Standing::InEffect => "in_effect",
            Standing::EndingSoon => "ending_soon",
            Standing::Expired => "expired",
            Standing::Ended => "ended",
            Standing::Returned => "returned",
            Standing::Refused => "refused",
            Standing::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Standing::Requested => "exception.standing.requested",
            Standing::EmergencyUnconfirmed => "exception.standing.emergency_unconfirmed",
            Standing::Permitted => "exception.standing.permitted",
            Standing::InEffect => "exception.standing.in_effect",
            Standing::EndingSoon => "exception.standing.ending_soon",
            Standing::Expired => "exception.standing.expired",
            Standing::Ended => "exception.standing.ended",
            Standing::Returned => "exception.standing.returned",
            Standing::Refused => "exception.standing.refused",
            Standing::Withdrawn => "exception.standing.withdrawn",
        }
    }

    /// Whether someone must act: a decision waits, or a rule is set aside past its time,
    /// or an emergency exception was refused and may still be in place.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Standing::Requested
                | Standing::EmergencyUnconfirmed
                | Standing::EndingSoon
                | Standing::Expired
        )
    }

    /// Whether the rule is set aside on the day (permitted or taken in an emergency).
    pub fn sets_rule_aside(self) -> bool {
        matches!(
            self,
            Standing::EmergencyUnconfirmed | Standing::InEffect | Standing::EndingSoon
        )
    }

    /// Whether the exception may still be ended early (or closed once expired).
    pub fn may_end(self) -> bool {
        matches!(
            self,
            Standing::EmergencyUnconfirmed
                | Standing::Permitted
                | Standing::InEffect
                | Standing::EndingSoon
                | Standing::Expired
        )
    }
}

/// The facts an exception's standing is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub approval: ApprovalState,
    pub emergency: bool,
    pub starts_on: Date,
    pub expires_on: Date,
    /// When it was ended early or closed after expiry.
    pub ended_on: Option<Date>,
}

/// Where the exception stands on `day`.
pub fn standing(facts: Facts, day: Date) -> Standing {
    if facts.ended_on.is_some() {
        return Standing::Ended;
    }
    match facts.approval {
        ApprovalState::Withdrawn => Standing::Withdrawn,
        ApprovalState::Returned => Standing::Returned,
        ApprovalState::Rejected => Standing::Refused,
        ApprovalState::Pending if day > facts.expires_on => Standing::Expired,
        ApprovalState::Pending if facts.emergency => Standing::EmergencyUnconfirmed,
        ApprovalState::Pending => Standing::Requested,
        ApprovalState::Approved if day > facts.expires_on => Standing::Expired,
        ApprovalState::Approved if day < facts.starts_on => Standing::Permitted,
        ApprovalState::Approved if (facts.expires_on - day).whole_days() < ENDING_NOTICE_DAYS => {
            Standing::EndingSoon
        }
        ApprovalState::Approved => Standing::InEffect,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form() -> ExceptionForm {
        ExceptionForm {
            rule: "USBメモリ等の外部記録媒体は使用しない".into(),
            clause_ref: "6(4)".into(),
            scope: "議会中継システムの録画データ移送".into(),
            reason: "中継業者の機器がネットワーク接続に対応していないため".into(),
            measure: "暗号化USBを事務局で管理し、使用後に消去を確認する".into(),
            starts_on: "2026-12-10".into(),
            expires_on: "令和9年3月31日".into(),
            emergency: false,
            confirm_past_dates: false,
        }
    }

    const TODAY: Date = date!(2026 - 12 - 02);

    #[test]
    fn a_complete_request_reads_with_japanese_dates() {
        let input = form().check(TODAY).unwrap();
        assert_eq!(input.expires_on, date!(2027 - 03 - 31));
        assert_eq!(input.clause_ref, "6(4)");
        assert!(!input.emergency);
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let problems = ExceptionForm::default().check(TODAY).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        for field in [
            "waived_rule",
            "scope",
            "reason",
            "measure",
            "starts_on",
            "expires_on",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        assert!(!fields.contains(&"clause_ref"));
    }

    #[test]
    fn an_exception_always_ends_and_ends_after_it_starts() {
        let mut f = form();
        f.expires_on = "2026-12-01".into();
        let p = f.check(TODAY).unwrap_err();
        assert_eq!(p[0].key, "exception.error.before_start");
        // An emergency that has already ended reads: its past expiry is asked about.
        f.starts_on = "2026-11-20".into();
        f.emergency = true;
        assert_eq!(f.check(TODAY).unwrap().expires_on, date!(2026 - 12 - 01));
        let mut f = form();
        f.expires_on = "2026-12-09".into();
        let p = f.check(TODAY).unwrap_err();
        assert_eq!(p[0].key, "exception.error.before_start");
    }

    #[test]
    fn only_an_emergency_is_reported_after_it_started_and_not_long_after() {
        let mut f = form();
        f.starts_on = "2026-11-20".into();
        assert_eq!(
            f.check(TODAY).unwrap_err()[0].key,
            "exception.error.past_start"
        );
        f.emergency = true;
        assert!(f.check(TODAY).is_ok());
        f.starts_on = "2026-08-01".into();
        assert_eq!(
            f.check(TODAY).unwrap_err()[0].key,
            "exception.error.report_late"
        );
    }

    fn facts(approval: ApprovalState) -> Facts {
        Facts {
            approval,
            emergency: false,
            starts_on: date!(2026 - 12 - 10),
            expires_on: date!(2027 - 03 - 31),
            ended_on: None,
        }
    }

    #[test]
    fn standing_follows_the_permission_and_the_dates() {
        let pending = facts(ApprovalState::Pending);
        assert_eq!(standing(pending, TODAY), Standing::Requested);
        let emergency = Facts {
            emergency: true,
            ..pending
        };
        assert_eq!(standing(emergency, TODAY), Standing::EmergencyUnconfirmed);
        assert!(Standing::EmergencyUnconfirmed.sets_rule_aside());
        let approved = facts(ApprovalState::Approved);
        assert_eq!(standing(approved, TODAY), Standing::Permitted);
        assert_eq!(
            standing(approved, date!(2026 - 12 - 10)),
            Standing::InEffect
        );
        assert_eq!(
            standing(approved, date!(2027 - 03 - 02)),
            Standing::EndingSoon
        );
        assert_eq!(
            standing(approved, date!(2027 - 03 - 31)),
            Standing::EndingSoon
        );
        assert_eq!(standing(approved, date!(2027 - 04 - 01)), Standing::Expired);
        assert!(Standing::Expired.needs_attention());
        let ended = Facts {
            ended_on: Some(date!(2027 - 01 - 15)),
            ..approved
        };
        assert_eq!(standing(ended, date!(2027 - 04 - 01)), Standing::Ended);
        assert!(!Standing::Ended.may_end());
        assert_eq!(
            standing(facts(ApprovalState::Rejected), TODAY),
            Standing::Refused
        );
        assert_eq!(
            standing(facts(ApprovalState::Returned), TODAY),
            Standing::Returned
        );
    }

    #[test]
    fn standings_round_trip_by_code() {
        for s in Standing::ALL {
            assert_eq!(Standing::parse(s.as_str()), Some(s));
        }
    }
}
