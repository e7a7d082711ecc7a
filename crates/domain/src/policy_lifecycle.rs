//! The life of a policy document: its kinds, the states of a version, who may approve it
//! (決裁), and who must acknowledge it (clause 5: every user).

use serde::{Deserialize, Serialize};

use crate::user::{OrgRole, UserType};

/// What kind of document: the basic policy, the measure standards, procedures, other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// 基本方針 — the one the Local Autonomy Act requires to be published.
    BasicPolicy,
    /// 対策基準
    MeasureStandards,
    /// 実施手順
    Procedures,
    Other,
    /// 誓約書: the text a user signs (issue 17 item 6). Its acknowledgement is the
    /// signature, in mamori or on paper; see [`PledgeWay`].
    Pledge,
    /// 緊急時対応計画 (clause 6(7), issue 18 item 6): its versions also keep structured
    /// scenarios; see [`crate::response_plan`].
    ResponsePlan,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 6] = [
        PolicyKind::BasicPolicy,
        PolicyKind::MeasureStandards,
        PolicyKind::Procedures,
        PolicyKind::Other,
        PolicyKind::Pledge,
        PolicyKind::ResponsePlan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::BasicPolicy => "basic_policy",
            PolicyKind::MeasureStandards => "measure_standards",
            PolicyKind::Procedures => "procedures",
            PolicyKind::Other => "other",
            PolicyKind::Pledge => "pledge",
            PolicyKind::ResponsePlan => "response_plan",
        }
    }

    pub fn parse(value: &str) -> Option<PolicyKind> {
        PolicyKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// draft → approved (決裁) → published → superseded; a draft never approved may instead be
/// withdrawn (取下げ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Approved,
    Published,
    Superseded,
    /// A draft withdrawn before approval; kept, never approved or published.
    Withdrawn,
}

impl VersionStatus {
    /// Whether people without an editing role on policies see versions in this state:
    /// the published text and those it replaced, never drafts.
    pub fn is_public(self) -> bool {
        matches!(self, VersionStatus::Published | VersionStatus::Superseded)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Approved => "approved",
            VersionStatus::Published => "published",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<VersionStatus> {
        [
            VersionStatus::Draft,
            VersionStatus::Approved,
            VersionStatus::Published,
            VersionStatus::Superseded,
            VersionStatus::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// Why a step of the life cycle is refused. Each names a locale key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleProblem {
    #[error("only a draft can be approved")]
    NotDraft,
    #[error("only an approved version can be published")]
    NotApproved,
    #[error("the author of a draft cannot approve it")]
    OwnDraft,
    #[error("approval needs the CISO or the chief information security officer")]
    NotAnApprover,
    #[error("only a draft that was never approved can be withdrawn")]
    NotWithdrawable,
}

impl LifecycleProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            LifecycleProblem::NotDraft => "policy.error.not_draft",
            LifecycleProblem::NotApproved => "policy.error.not_approved",
            LifecycleProblem::OwnDraft => "policy.error.own_draft",
            LifecycleProblem::NotAnApprover => "policy.error.not_an_approver",
            LifecycleProblem::NotWithdrawable => "policy.error.not_withdrawable",
        }
    }
}

/// Checks a withdrawal (取下げ): only a draft, never approved, can be withdrawn; an
/// approved or published version keeps its record.
pub fn check_withdrawal(status: VersionStatus) -> Result<(), LifecycleProblem> {
    match status {
        VersionStatus::Draft => Ok(()),
        _ => Err(LifecycleProblem::NotWithdrawable),
    }
}

/// The organisational roles that may approve (決裁) a policy version.
pub const APPROVERS: &[OrgRole] = crate::access::POLICY_APPROVERS;

/// Checks an approval: the version is a draft, the approver holds an approving role, and
/// is not the draft's author (nobody approves their own request).
pub fn check_approval(
    status: VersionStatus,
    author_id: Option<i64>,
    approver_id: i64,
    approver_roles: &[OrgRole],
) -> Result<(), LifecycleProblem> {
    if status != VersionStatus::Draft {
        return Err(LifecycleProblem::NotDraft);
    }
    if !approver_roles.iter().any(|r| APPROVERS.contains(r)) {
        return Err(LifecycleProblem::NotAnApprover);
    }
    if author_id.is_some_and(|author| !crate::user::may_approve(author, approver_id)) {
        return Err(LifecycleProblem::OwnDraft);
    }
    Ok(())
}

pub fn check_publication(status: VersionStatus) -> Result<(), LifecycleProblem> {
    match status {
        VersionStatus::Approved => Ok(()),
        _ => Err(LifecycleProblem::NotApproved),
    }
}

/// Clause 4(1) and 5: the policy binds members and secretariat staff ("利用者"); they are
/// the ones asked to acknowledge it.
pub fn must_acknowledge(user_type: UserType) -> bool {
    matches!(user_type, UserType::Member | UserType::Staff)
}

/// What set off a review of the policy (clause 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTrigger {
    AuditResult,
    SelfInspectionResult,
    ChangeOfSituation,
    Other,
}

impl ReviewTrigger {
    pub const ALL: [ReviewTrigger; 4] = [
        ReviewTrigger::AuditResult,
        ReviewTrigger::SelfInspectionResult,
        ReviewTrigger::ChangeOfSituation,
        ReviewTrigger::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewTrigger::AuditResult => "audit_result",
            ReviewTrigger::SelfInspectionResult => "self_inspection_result",
            ReviewTrigger::ChangeOfSituation => "change_of_situation",
            ReviewTrigger::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<ReviewTrigger> {
        ReviewTrigger::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

#[cfg(test)]
mod withdrawal_tests {
    use super::*;

    #[test]
    fn only_a_draft_can_be_withdrawn() {
        assert_eq!(check_withdrawal(VersionStatus::Draft), Ok(()));
        for status in [
            VersionStatus::Approved,
            VersionStatus::Published,
            VersionStatus::Superseded,
            VersionStatus::Withdrawn,
        ] {
            assert_eq!(
                check_withdrawal(status),
                Err(LifecycleProblem::NotWithdrawable)
            );
        }
        assert_eq!(
            VersionStatus::parse("withdrawn"),
            Some(VersionStatus::Withdrawn)
        );
        assert!(VersionStatus::Superseded.is_public() && !VersionStatus::Withdrawn.is_public());
        assert!(!VersionStatus::Draft.is_public() && !VersionStatus::Approved.is_public());
    }

    #[test]
    fn a_withdrawal_needs_a_reason() {
        use crate::policy_input::withdrawal_reason;
        assert_eq!(
            withdrawal_reason("  誤って取り込んだため\n").unwrap(),
            "誤って取り込んだため"
        );
        assert_eq!(withdrawal_reason(" 　").unwrap_err()[0].field, "reason");
        assert!(withdrawal_reason(&"長".repeat(2001)).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_rules() {
        let ciso = [OrgRole::Ciso];
        assert_eq!(
            check_approval(VersionStatus::Draft, Some(1), 2, &ciso),
            Ok(())
        );
        assert_eq!(
            check_approval(VersionStatus::Draft, Some(2), 2, &ciso),
            Err(LifecycleProblem::OwnDraft)
        );
        assert_eq!(
            check_approval(VersionStatus::Draft, Some(1), 2, &[OrgRole::SystemStaff]),
            Err(LifecycleProblem::NotAnApprover)
        );
        assert_eq!(
            check_approval(VersionStatus::Published, Some(1), 2, &ciso),
            Err(LifecycleProblem::NotDraft)
        );
        assert_eq!(check_publication(VersionStatus::Approved), Ok(()));
        assert_eq!(
            check_publication(VersionStatus::Draft),
            Err(LifecycleProblem::NotApproved)
        );
    }

    #[test]
    fn members_and_staff_acknowledge() {
        assert!(must_acknowledge(UserType::Member));
        assert!(must_acknowledge(UserType::Staff));
        assert!(!must_acknowledge(UserType::Contractor));
        assert!(!must_acknowledge(UserType::Other));
    }

    #[test]
    fn names_round_trip() {
        for kind in PolicyKind::ALL {
            assert_eq!(PolicyKind::parse(kind.as_str()), Some(kind));
        }
        for trigger in ReviewTrigger::ALL {
            assert_eq!(ReviewTrigger::parse(trigger.as_str()), Some(trigger));
        }
        assert_eq!(
            VersionStatus::parse("published"),
            Some(VersionStatus::Published)
        );
    }
}
