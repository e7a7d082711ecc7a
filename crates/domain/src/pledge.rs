//! Pledges (誓約書, issue 17 item 6; clause 5 of the basic policy: every user complies).
//! A pledge text is a policy document of kind [`PolicyKind::Pledge`], drafted, approved
//! and published like any other; its acknowledgement is the signature. A person signs
//! the published version in mamori, or the security officer records that they signed it
//! on paper: the day signed and, optionally, a scan kept in the file store.
//!
//! Who is asked to sign is who is asked to acknowledge the policy
//! ([`crate::policy_lifecycle::must_acknowledge`]): the national guideline asks the staff
//! bound by the policy to sign a written consent to comply with it; contractors are
//! bound by the security clauses of their contract instead.
//!
//! [`PolicyKind::Pledge`]: crate::policy_lifecycle::PolicyKind::Pledge

use time::Date;

use crate::field::{FieldProblem, Problems};
use crate::wareki;

/// How a signature was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeWay {
    /// Signed in mamori (the acknowledgement button), recorded with the content hash.
    SignedInApp,
    /// Signed on paper and recorded by the security officer.
    Paper,
}

impl PledgeWay {
    pub const ALL: [PledgeWay; 2] = [PledgeWay::SignedInApp, PledgeWay::Paper];

    pub fn as_str(self) -> &'static str {
        match self {
            PledgeWay::SignedInApp => "signed_in_app",
            PledgeWay::Paper => "paper",
        }
    }

    pub fn parse(code: &str) -> Option<PledgeWay> {
        PledgeWay::ALL.into_iter().find(|w| w.as_str() == code)
    }

    /// The locale key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            PledgeWay::SignedInApp => "pledge.way.signed_in_app",
            PledgeWay::Paper => "pledge.way.paper",
        }
    }
}

/// A paper pledge as typed: whose (a login id) and the day it was signed (ISO or 和暦).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct PaperPledgeInput {
    pub user: String,
    pub signed_on: String,
}

/// A paper pledge that reads: the login to look up and the day signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperPledge {
    pub login: String,
    pub signed_on: Date,
}

/// The longest login id looked up.
const LOGIN_MAX: usize = 100;

impl PaperPledgeInput {
    /// Checks the form on `today`: a person is named, and the day signed is a date that
    /// has come (a pledge is recorded after it was signed, never before).
    pub fn check(&self, today: Date) -> Result<PaperPledge, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let login = self.user.trim();
        if login.is_empty() {
            problems.push(FieldProblem::new("user", "pledge.error.no_user"));
        } else if login.chars().count() > LOGIN_MAX {
            problems.push(FieldProblem::new("user", "pledge.error.unknown_user"));
        }
        let signed_on = match wareki::parse_date_input(&self.signed_on) {
            Ok(day) if day > today => {
                problems.push(FieldProblem::new("signed_on", "pledge.error.future"));
                None
            }
            Ok(day) => Some(day),
            Err(e) => {
                problems.push(FieldProblem {
                    field: "signed_on",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        };
        match signed_on {
            Some(signed_on) => problems.or(PaperPledge {
                login: login.to_owned(),
                signed_on,
            }),
            None => Err(problems.into_vec()),
        }
    }
}

/// Whether a file (by the media type read from its first bytes) can be the scan of a
/// paper pledge: a PDF or an image.
pub fn is_scan(media_type: &str) -> bool {
    media_type == "application/pdf" || media_type.starts_with("image/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(user: &str, signed_on: &str) -> PaperPledgeInput {
        PaperPledgeInput {
            user: user.to_owned(),
            signed_on: signed_on.to_owned(),
        }
    }

    #[test]
    fn a_paper_pledge_reads_iso_and_wareki() {
        let today = date!(2026 - 12 - 04);
        let pledge = input(" giin.ichiro ", "令和8年4月1日")
            .check(today)
            .unwrap();
        assert_eq!(pledge.login, "giin.ichiro");
        assert_eq!(pledge.signed_on, date!(2026 - 04 - 01));
        let iso = input("a", "2026-12-04").check(today).unwrap();
        assert_eq!(iso.signed_on, today);
    }

    #[test]
    fn bad_input_is_named() {
        let today = date!(2026 - 12 - 04);
        let problems = input("", "いつか").check(today).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["user", "signed_on"]);
        assert_eq!(problems[0].key, "pledge.error.no_user");
        let future = input("a", "2026-12-05").check(today).unwrap_err();
        assert_eq!(future[0].key, "pledge.error.future");
    }

    #[test]
    fn ways_and_scans() {
        for way in PledgeWay::ALL {
            assert_eq!(PledgeWay::parse(way.as_str()), Some(way));
        }
        assert!(is_scan("application/pdf") && is_scan("image/jpeg"));
        assert!(!is_scan("text/plain") && !is_scan("application/octet-stream"));
    }
}
