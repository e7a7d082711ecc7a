//! Notifications: the kinds of notice mamori sends, the check of a mail address, the
//! local link a notice carries, and how long a failed mail waits before it is tried
//! again. The use cases store and send; the rules live here.

use std::time::Duration;

use crate::field::FieldProblem;

/// What a notice is about. Each kind has locale keys `notify.kind.<code>.label` (the
/// preferences page), `.subject` and `.text` (both take `{title}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// A published policy the person has not acknowledged (督促).
    PolicyReminder,
    /// A decision (決裁) is asked of the person or a post they hold.
    ApprovalRequested,
    /// A request the person made was decided.
    ApprovalDecided,
    /// The due-work digest: how many things wait for the person (see `reminder`).
    DueDigest,
    /// The day's anchor of the audit trail, for the chosen people to keep.
    AuditAnchor,
    /// The daily check found the audit trail broken (always urgent).
    AuditBroken,
    /// An awareness notice (注意喚起) addressed to the person, or a reminder to read it.
    Awareness,
    /// A training session the person is invited to.
    Training,
    /// A published pledge (誓約書) the person has not signed (督促).
    PledgeReminder,
    /// An incident was reported (always urgent, and no choice: the first minutes count).
    Incident,
    /// An incident's handlers ask that a risk be reassessed.
    RiskReassessment,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 11] = [
        NoticeKind::PolicyReminder,
        NoticeKind::ApprovalRequested,
        NoticeKind::ApprovalDecided,
        NoticeKind::DueDigest,
        NoticeKind::AuditAnchor,
        NoticeKind::AuditBroken,
        NoticeKind::Awareness,
        NoticeKind::Training,
        NoticeKind::PledgeReminder,
        NoticeKind::Incident,
        NoticeKind::RiskReassessment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::PolicyReminder => "policy_reminder",
            NoticeKind::ApprovalRequested => "approval_requested",
            NoticeKind::ApprovalDecided => "approval_decided",
            NoticeKind::DueDigest => "due_digest",
            NoticeKind::AuditAnchor => "audit_anchor",
            NoticeKind::AuditBroken => "audit_broken",
            NoticeKind::Awareness => "awareness",
            NoticeKind::Training => "training",
            NoticeKind::PledgeReminder => "pledge_reminder",
            NoticeKind::Incident => "incident",
            NoticeKind::RiskReassessment => "risk_reassessment",
        }
    }

    pub fn parse(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    /// Whether a person chooses whether to get this kind by mail. A broken audit trail is
    /// always mailed, so it is no choice; the day's anchor only concerns the people chosen
    /// to keep it (`keeps_anchor`).
    pub fn is_choice_for(self, keeps_anchor: bool) -> bool {
        match self {
            NoticeKind::AuditBroken | NoticeKind::Incident => false,
            NoticeKind::AuditAnchor => keeps_anchor,
            _ => true,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            NoticeKind::PolicyReminder => "notify.kind.policy_reminder.label",
            NoticeKind::ApprovalRequested => "notify.kind.approval_requested.label",
            NoticeKind::ApprovalDecided => "notify.kind.approval_decided.label",
            NoticeKind::DueDigest => "notify.kind.due_digest.label",
            NoticeKind::AuditAnchor => "notify.kind.audit_anchor.label",
            NoticeKind::AuditBroken => "notify.kind.audit_broken.label",
            NoticeKind::Awareness => "notify.kind.awareness.label",
            NoticeKind::Training => "notify.kind.training.label",
            NoticeKind::PledgeReminder => "notify.kind.pledge_reminder.label",
            NoticeKind::Incident => "notify.kind.incident.label",
            NoticeKind::RiskReassessment => "notify.kind.risk_reassessment.label",
        }
    }

    pub fn subject_key(self) -> &'static str {
        match self {
            NoticeKind::PolicyReminder => "notify.kind.policy_reminder.subject",
            NoticeKind::ApprovalRequested => "notify.kind.approval_requested.subject",
            NoticeKind::ApprovalDecided => "notify.kind.approval_decided.subject",
            NoticeKind::DueDigest => "notify.kind.due_digest.subject",
            NoticeKind::AuditAnchor => "notify.kind.audit_anchor.subject",
            NoticeKind::AuditBroken => "notify.kind.audit_broken.subject",
            NoticeKind::Awareness => "notify.kind.awareness.subject",
            NoticeKind::Training => "notify.kind.training.subject",
            NoticeKind::PledgeReminder => "notify.kind.pledge_reminder.subject",
            NoticeKind::Incident => "notify.kind.incident.subject",
            NoticeKind::RiskReassessment => "notify.kind.risk_reassessment.subject",
        }
    }

    pub fn text_key(self) -> &'static str {
        match self {
            NoticeKind::PolicyReminder => "notify.kind.policy_reminder.text",
            NoticeKind::ApprovalRequested => "notify.kind.approval_requested.text",
            NoticeKind::ApprovalDecided => "notify.kind.approval_decided.text",
            NoticeKind::DueDigest => "notify.kind.due_digest.text",
            NoticeKind::AuditAnchor => "notify.kind.audit_anchor.text",
            NoticeKind::AuditBroken => "notify.kind.audit_broken.text",
            NoticeKind::Awareness => "notify.kind.awareness.text",
            NoticeKind::Training => "notify.kind.training.text",
            NoticeKind::PledgeReminder => "notify.kind.pledge_reminder.text",
            NoticeKind::Incident => "notify.kind.incident.text",
            NoticeKind::RiskReassessment => "notify.kind.risk_reassessment.text",
        }
    }
}

/// The longest mail address SMTP carries (RFC 5321: 254 characters in a path).
pub const MAIL_MAX: usize = 254;
/// The longest local part (before `@`).
const LOCAL_MAX: usize = 64;

/// A mail address as typed on the account or user page: blank means none. Accepts the
/// plain `local@domain` form (ASCII, a dotted domain), which every mail server of a
/// municipality takes; display names, comments and quoted local parts are refused.
pub fn mail_address(field: &'static str, input: &str) -> Result<Option<String>, FieldProblem> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = || FieldProblem::new(field, "notify.error.mail_invalid");
    if value.chars().count() > MAIL_MAX {
        return Err(FieldProblem::new(field, "notify.error.mail_too_long").with("max", MAIL_MAX));
    }
    let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= LOCAL_MAX
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(Some(format!("{local}@{}", domain.to_ascii_lowercase())))
    } else {
        Err(invalid())
    }
}

/// Whether `link` is a path on this site (`/policies/3`), which is all a notice may point
/// to: the mail adds the server's public address in front of it.
pub fn is_local_link(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && !link.starts_with("/\\")
        && !link.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// When a mail that failed is tried again: `first` after the first failure, doubling
/// each time up to `max`; after `attempts` failed tries it is given up (listed as failed
/// for the security officer, who can send it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub attempts: u32,
}

impl Default for Backoff {
    /// 1, 2, 4 … minutes up to an hour: sixteen tries cover about ten hours, a mail
    /// server down overnight included.
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(60),
            max: Duration::from_secs(3600),
            attempts: 16,
        }
    }
}

impl Backoff {
    /// The wait after `failures` failed tries (1 for the first failure), or `None` when
    /// the mail is to be given up.
    pub fn delay_after(&self, failures: u32) -> Option<Duration> {
        if failures >= self.attempts {
            return None;
        }
        let doublings = failures.saturating_sub(1).min(31);
        let delay = self
            .first
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max);
        Some(delay.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
            assert!(kind.label_key().contains(kind.as_str()));
            assert!(kind.text_key().contains(kind.as_str()));
            assert!(kind.subject_key().contains(kind.as_str()));
        }
        assert_eq!(NoticeKind::parse("policy"), None);
    }

    #[test]
    fn mail_addresses_are_checked_and_the_domain_lower_cased() {
        assert_eq!(mail_address("mail", "  "), Ok(None));
        assert_eq!(
            mail_address("mail", " Giin.Taro+isms@Gikai.City.Example.LG.JP "),
            Ok(Some("Giin.Taro+isms@gikai.city.example.lg.jp".to_owned()))
        );
        for bad in [
            "taro",
            "taro@",
            "@gikai.lg.jp",
            "taro@localhost",
            "ta ro@gikai.lg.jp",
            "taro@@gikai.lg.jp",
            "taro@gikai..lg.jp",
            ".taro@gikai.lg.jp",
            "taro.@gikai.lg.jp",
            "Taro <taro@gikai.lg.jp>",
            "議員@gikai.lg.jp",
            "taro@-gikai.lg.jp",
            "taro@gikai.lg.jp\r\nBcc: x@y.jp",
        ] {
            let problem = mail_address("mail", bad).expect_err(bad);
            assert_eq!(problem.key, "notify.error.mail_invalid", "{bad}");
            assert_eq!(problem.field, "mail");
        }
        let long = format!("{}@gikai.lg.jp", "a".repeat(250));
        assert_eq!(
            mail_address("mail", &long).unwrap_err().key,
            "notify.error.mail_too_long"
        );
        let long_local = format!("{}@gikai.lg.jp", "a".repeat(65));
        assert!(mail_address("mail", &long_local).is_err());
    }

    #[test]
    fn only_paths_on_this_site_are_links() {
        assert!(is_local_link("/policies/3"));
        assert!(!is_local_link("https://evil.example/"));
        assert!(!is_local_link("//evil.example"));
        assert!(!is_local_link("/a b"));
        assert!(!is_local_link("/a\r\nBcc: x"));
        assert!(!is_local_link(""));
    }

    #[test]
    fn backoff_doubles_up_to_the_ceiling_and_gives_up() {
        let backoff = Backoff::default();
        let minutes = |n: u32| backoff.delay_after(n).map(|d| d.as_secs() / 60);
        assert_eq!(minutes(1), Some(1));
        assert_eq!(minutes(2), Some(2));
        assert_eq!(minutes(3), Some(4));
        assert_eq!(minutes(7), Some(60));
        assert_eq!(minutes(15), Some(60));
        assert_eq!(minutes(16), None);
        let quick = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(250),
            attempts: 3,
        };
        assert_eq!(quick.delay_after(1), Some(Duration::from_millis(100)));
        assert_eq!(quick.delay_after(2), Some(Duration::from_millis(200)));
        assert_eq!(quick.delay_after(3), None);
        let huge = Backoff {
            attempts: u32::MAX,
            ..Backoff::default()
        };
        assert_eq!(huge.delay_after(100), Some(Duration::from_secs(3600)));
    }
}
