//! Retention of personal information in mamori's own records: how long it is kept after
//! a record is closed, and which fields go when that time has passed. The removal
//! itself (a redaction) is decided through an approval request; the audit trail keeps
//! a digest of what was removed so that the chain still verifies.

use serde::Serialize;
use time::{Date, Month};

use crate::field::FieldProblem;

/// Longest retention period that can be set, in years (the 30年 of 文書管理規程).
pub const YEARS_MAX: u8 = 30;

/// Most records one redaction covers: a proposal stays reviewable by one person.
pub const ITEMS_MAX: usize = 500;

/// The kinds of closed record that hold personal information past their use. A register
/// holding personal information adds its kind here (incident reports and contacts will).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetainedKind {
    /// A user account no longer in use (a member after the end of the term, staff who
    /// moved): its mail address and the reading of the name go. The name and login
    /// stay, because records of official acts must still say who did them.
    Account,
    /// An absence with a deputy that has ended: its note, which often gives a reason
    /// such as illness, goes; the dates and the deputy stay.
    Absence,
}

impl RetainedKind {
    pub const ALL: [RetainedKind; 2] = [RetainedKind::Account, RetainedKind::Absence];

    pub fn as_str(self) -> &'static str {
        match self {
            RetainedKind::Account => "account",
            RetainedKind::Absence => "absence",
        }
    }

    pub fn parse(value: &str) -> Option<RetainedKind> {
        RetainedKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RetainedKind::Account => "retention.kind.account",
            RetainedKind::Absence => "retention.kind.absence",
        }
    }

    /// The settings key holding the period in years.
    pub fn setting_key(self) -> &'static str {
        match self {
            RetainedKind::Account => "retention.account_years",
            RetainedKind::Absence => "retention.absence_years",
        }
    }

    /// The period when none is set: three years for an account (the usual period of
    /// personnel-related documents), one year for the note of an absence, which may be
    /// sensitive (要配慮個人情報). An assembly sets its own under its 文書管理規程.
    pub fn default_years(self) -> u8 {
        match self {
            RetainedKind::Account => 3,
            RetainedKind::Absence => 1,
        }
    }

    /// The fields removed, as named in the record and in its audit entries.
    pub fn personal_fields(self) -> &'static [&'static str] {
        match self {
            RetainedKind::Account => &["mail", "reading", "phone", "extension", "mobile"],
            RetainedKind::Absence => &["note"],
        }
    }
}

/// Reads a period typed as a number of years (1–30; full-width digits and a trailing
/// 年 accepted).
pub fn parse_years(field: &'static str, typed: &str) -> Result<u8, FieldProblem> {
    let normalised: String = typed
        .trim()
        .trim_end_matches('年')
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    match normalised.trim().parse::<u8>() {
        Ok(years) if (1..=YEARS_MAX).contains(&years) => Ok(years),
        _ => Err(FieldProblem::new(field, "retention.error.years").with("max", YEARS_MAX)),
    }
}

/// The day a record closed on `closed_on` passes a period of `years`: the same date
/// that many years later (29 February becomes 28 February in a common year).
pub fn due_on(closed_on: Date, years: u8) -> Date {
    let year = closed_on.year() + i32::from(years);
    Date::from_calendar_date(year, closed_on.month(), closed_on.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(closed_on)
}

/// Whether a record closed on `closed_on` has passed its period on `today`.
pub fn is_due(closed_on: Date, years: u8, today: Date) -> bool {
    today >= due_on(closed_on, years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_are_whole_years_as_people_type_them() {
        assert_eq!(parse_years("years", "3"), Ok(3));
        assert_eq!(parse_years("years", " ５年 "), Ok(5));
        assert_eq!(parse_years("years", "30"), Ok(30));
        for bad in ["0", "31", "", "三", "-1", "1.5"] {
            assert!(parse_years("years", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_period_ends_on_the_same_date_years_later() {
        assert_eq!(due_on(date!(2023 - 03 - 31), 3), date!(2026 - 03 - 31));
        assert_eq!(due_on(date!(2024 - 02 - 29), 1), date!(2025 - 02 - 28));
        assert!(!is_due(date!(2023 - 04 - 01), 3, date!(2026 - 03 - 31)));
        assert!(is_due(date!(2023 - 03 - 31), 3, date!(2026 - 03 - 31)));
    }

    #[test]
    fn kinds_round_trip_and_have_their_own_settings() {
        for kind in RetainedKind::ALL {
            assert_eq!(RetainedKind::parse(kind.as_str()), Some(kind));
            assert!(kind.setting_key().starts_with("retention."));
            assert!(!kind.personal_fields().is_empty());
            assert!((1..=YEARS_MAX).contains(&kind.default_years()));
        }
        assert_eq!(RetainedKind::parse("incident"), None);
    }
}
