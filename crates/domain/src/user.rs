//! Who uses mamori: login ids, system roles and user types.

use serde::{Deserialize, Serialize};

/// System permission of an account. Organisational roles (CISO, committee member…) are
/// data held beside it, not a role here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    SecurityOfficer,
    User,
    Auditor,
    Contractor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::SecurityOfficer,
        Role::User,
        Role::Auditor,
        Role::Contractor,
    ];

    /// The name used on the command line, in the database and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SecurityOfficer => "security_officer",
            Role::User => "user",
            Role::Auditor => "auditor",
            Role::Contractor => "contractor",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// What kind of person holds the account (clause 4(1): members and secretariat staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Staff,
    Contractor,
    Other,
}

impl UserType {
    pub const ALL: [UserType; 4] = [
        UserType::Member,
        UserType::Staff,
        UserType::Contractor,
        UserType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Member => "member",
            UserType::Staff => "staff",
            UserType::Contractor => "contractor",
            UserType::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<UserType> {
        UserType::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// Organisational roles held as data beside the system role, used for approvals and
/// routing (the guideline's typical mapping: 議長 as CISO, 事務局長 as 統括…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// 最高情報セキュリティ責任者
    Ciso,
    /// 統括情報セキュリティ責任者
    ChiefSecurityOfficer,
    /// 情報セキュリティ管理者
    SecurityManager,
    /// 情報システム担当者
    SystemStaff,
    /// 情報セキュリティ委員会委員
    CommitteeMember,
    /// CSIRT要員
    CsirtMember,
    /// 情報セキュリティ委員会委員長: enters the committee's decisions (決裁) with the minutes.
    CommitteeChair,
    /// 情報セキュリティ責任者 (between the 統括 and the managers, in the guideline).
    SecurityResponsible,
    /// CSIRT責任者
    CsirtLead,
    /// 監査統括責任者: appoints and oversees the audits (clause 7).
    ChiefAuditor,
}

impl OrgRole {
    pub const ALL: [OrgRole; 10] = [
        OrgRole::Ciso,
        OrgRole::ChiefSecurityOfficer,
        OrgRole::SecurityResponsible,
        OrgRole::SecurityManager,
        OrgRole::SystemStaff,
        OrgRole::CommitteeChair,
        OrgRole::CommitteeMember,
        OrgRole::CsirtLead,
        OrgRole::CsirtMember,
        OrgRole::ChiefAuditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Ciso => "ciso",
            OrgRole::ChiefSecurityOfficer => "chief_security_officer",
            OrgRole::SecurityManager => "security_manager",
            OrgRole::SystemStaff => "system_staff",
            OrgRole::CommitteeMember => "committee_member",
            OrgRole::CsirtMember => "csirt_member",
            OrgRole::CommitteeChair => "committee_chair",
            OrgRole::SecurityResponsible => "security_responsible",
            OrgRole::CsirtLead => "csirt_lead",
            OrgRole::ChiefAuditor => "chief_auditor",
        }
    }

    pub fn parse(value: &str) -> Option<OrgRole> {
        OrgRole::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// Nobody approves their own request: the one rule every approval in mamori checks.
pub fn may_approve(requester_id: i64, approver_id: i64) -> bool {
    requester_id != approver_id
}

/// Why a login id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginProblem {
    #[error("login id is required")]
    Empty,
    #[error("login id is longer than {max} characters")]
    TooLong { max: usize },
    #[error("login id may contain only letters, digits and . _ @ -")]
    BadCharacters,
}

impl LoginProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            LoginProblem::Empty => "field.error.required",
            LoginProblem::TooLong { .. } => "field.error.too_long",
            LoginProblem::BadCharacters => "login.error.characters",
        }
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            LoginProblem::TooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

pub const LOGIN_MAX: usize = 64;
pub const DISPLAY_NAME_MAX: usize = 100;

/// A login id: ASCII letters, digits and `. _ @ -`, compared case-insensitively, so it is
/// stored lower-cased. Full-width letters typed on a Japanese keyboard are folded first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginId(String);

impl LoginId {
    pub fn parse(input: &str) -> Result<LoginId, LoginProblem> {
        let folded: String = input
            .trim_matches(|c: char| c.is_whitespace())
            .chars()
            .map(fold_full_width)
            .collect();
        if folded.is_empty() {
            return Err(LoginProblem::Empty);
        }
        if folded.chars().count() > LOGIN_MAX {
            return Err(LoginProblem::TooLong { max: LOGIN_MAX });
        }
        if !folded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
        {
            return Err(LoginProblem::BadCharacters);
        }
        Ok(LoginId(folded.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) to its half-width form.
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        for t in UserType::ALL {
            assert_eq!(UserType::parse(t.as_str()), Some(t));
        }
        for r in OrgRole::ALL {
            assert_eq!(OrgRole::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn nobody_approves_their_own_request() {
        assert!(!may_approve(7, 7));
        assert!(may_approve(7, 8));
    }

    #[test]
    fn login_ids_are_folded_and_checked() {
        assert_eq!(
            LoginId::parse(" Ｓａｋｕ.Admin ").unwrap().as_str(),
            "saku.admin"
        );
        assert_eq!(LoginId::parse(""), Err(LoginProblem::Empty));
        assert_eq!(LoginId::parse("山田"), Err(LoginProblem::BadCharacters));
        assert_eq!(LoginId::parse("a b"), Err(LoginProblem::BadCharacters));
        assert_eq!(
            LoginId::parse(&"a".repeat(65)),
            Err(LoginProblem::TooLong { max: 64 })
        );
        assert!(LoginId::parse(&"a".repeat(64)).is_ok());
    }
}
