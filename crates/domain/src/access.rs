//! Who may read, edit or decide what, declared once per register. The use cases check
//! these grants before they read or write, and the navigation shows a register to those
//! who may read it. `crates/web/tests/access.toml`, written by hand, is what the running
//! server is checked against for every route and role.
//!
//! A grant names system roles and organisational posts (CISO, 統括情報セキュリティ責任者…).
//! Posts are those held on the day of the action, so a grant follows a post when it
//! changes hands.

use crate::user::{OrgRole, Role};

/// A register or area of mamori that access is declared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Register {
    /// Policy documents, their versions, clauses and reviews.
    Policies,
    /// Who has acknowledged a published policy, and reminders.
    Acknowledgements,
    /// The information asset register (情報資産台帳) and its lifecycle records.
    Assets,
    /// The classification scheme (分類基準) and its handling rules.
    Classification,
    /// The threat catalogue (脅威).
    Threats,
    /// The risk register, the risk matrix and frozen analyses.
    Risks,
    /// Corrective actions (改善措置): what must be done about a risk, a finding…
    Actions,
    /// The audit trail of every change.
    AuditTrail,
    /// User accounts and organisational posts.
    Users,
    /// Installation-wide security settings (MFA, lockouts).
    Security,
    /// Notices to people as a whole: the mail queue (waiting and failed deliveries) and
    /// the per-person lists printed for handing out. Everyone reads their own notices.
    Notices,
    /// Approval requests (決裁) of every register, and absences with a deputy. Who decides
    /// one request is its own rule (`approval::may_decide`); the grant is the door.
    Approvals,
    /// Exceptions (例外措置) to the policy's rules, permitted by the CISO.
    Exceptions,
    /// Retention periods of personal information in mamori's own records, and its
    /// redaction once they have passed.
    Retention,
    /// The organisation register: bodies, posts, who held them when, and contacts.
    Organisation,
    /// Awareness notices (注意喚起) and who has read them.
    Awareness,
    /// Training and drills: the plan, courses, sessions, attendance and coverage.
    Training,
    /// Term changes (改選): who leaves and joins, and each one's checklist.
    TermChanges,
    /// Incidents (インシデント): reports, their handling and timeline.
    Incidents,
    /// Continuity (業務継続): critical services, workarounds, alternates and drills.
    Continuity,
}

impl Register {
    pub const ALL: [Register; 20] = [
        Register::Policies,
        Register::Acknowledgements,
        Register::Assets,
        Register::Classification,
        Register::Threats,
        Register::Risks,
        Register::Actions,
        Register::AuditTrail,
        Register::Users,
        Register::Security,
        Register::Notices,
        Register::Approvals,
        Register::Exceptions,
        Register::Retention,
        Register::Organisation,
        Register::Awareness,
        Register::Training,
        Register::TermChanges,
        Register::Incidents,
        Register::Continuity,
    ];

    /// A stable name for the audit trail (`access.denied` targets) and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Register::Policies => "policies",
            Register::Acknowledgements => "acknowledgements",
            Register::Assets => "assets",
            Register::Classification => "classification",
            Register::Threats => "threats",
            Register::Risks => "risks",
            Register::Actions => "actions",
            Register::AuditTrail => "audit",
            Register::Users => "users",
            Register::Security => "security",
            Register::Notices => "notices",
            Register::Approvals => "approvals",
            Register::Exceptions => "exceptions",
            Register::Retention => "retention",
            Register::Organisation => "organisation",
            Register::Awareness => "awareness",
            Register::Training => "training",
            Register::TermChanges => "term_changes",
            Register::Incidents => "incidents",
            Register::Continuity => "continuity",
        }
    }
}

/// What someone does with a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    /// Read what one is allowed to see.
    Read,
    /// Add and change records.
    Edit,
    /// Approve or reject what others ask for (決裁, take-outs, risk acceptance).
    Decide,
    /// See every record, the most confidential included (oversight and audit).
    SeeAll,
}

impl Act {
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Read => "read",
            Act::Edit => "edit",
            Act::Decide => "decide",
            Act::SeeAll => "see_all",
        }
    }
}

/// Who is granted an act: anyone holding one of `roles`, or one of `posts` on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub roles: &'static [Role],
    pub posts: &'static [OrgRole],
}

const NOBODY: Grant = Grant {
    roles: &[],
    posts: &[],
};

const fn roles(roles: &'static [Role]) -> Grant {
    Grant { roles, posts: &[] }
}

/// Everyone but contractors: members and staff hold assets and are bound by the policy.
const STAFF_AND_MEMBERS: &[Role] = &[
    Role::Admin,
    Role::SecurityOfficer,
    Role::User,
    Role::Auditor,
];
/// Those who oversee security: the security officer and the auditor.
const OVERSIGHT: &[Role] = &[Role::SecurityOfficer, Role::Auditor];
/// The posts that approve (決裁) a policy: the CISO and the 統括情報セキュリティ責任者.
pub const POLICY_APPROVERS: &[OrgRole] = &[OrgRole::Ciso, OrgRole::ChiefSecurityOfficer];

/// The posts that ask for an exception (例外措置): the managers responsible for an area.
const EXCEPTION_ASKERS: &[OrgRole] = &[
    OrgRole::ChiefSecurityOfficer,
    OrgRole::SecurityManager,
    OrgRole::SystemStaff,
];
const EXCEPTION_ASKERS_AND_CISO: &[OrgRole] = &[
    OrgRole::Ciso,
    OrgRole::ChiefSecurityOfficer,
    OrgRole::SecurityManager,
    OrgRole::SystemStaff,
];

/// The CSIRT, who handle incidents.
const INCIDENT_HANDLERS: &[OrgRole] = &[OrgRole::CsirtLead, OrgRole::CsirtMember];
/// Who sees every incident: the CSIRT and the CISO.
const INCIDENT_OVERSIGHT: &[OrgRole] = &[OrgRole::CsirtLead, OrgRole::CsirtMember, OrgRole::Ciso];

/// The declaration: every register and act, and who is granted it.
pub const fn grant(register: Register, act: Act) -> Grant {
    use Act::*;
    use Register::*;
    match (register, act) {
        (Policies, Read) => roles(STAFF_AND_MEMBERS),
        (Policies, Edit) => roles(&[Role::SecurityOfficer]),
        (Policies, Decide) => Grant {
            roles: &[],
            posts: POLICY_APPROVERS,
        },
        (Policies, SeeAll) => NOBODY,
        (Acknowledgements, Read) => roles(OVERSIGHT),
        (Acknowledgements, Edit) => roles(&[Role::SecurityOfficer]),
        (Acknowledgements, Decide | SeeAll) => NOBODY,
        (Assets | Classification, Read) => roles(STAFF_AND_MEMBERS),
        (Assets | Classification, Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (Assets, Decide) => roles(&[Role::SecurityOfficer]),
        (Assets, SeeAll) => roles(OVERSIGHT),
        (Classification, Decide | SeeAll) => NOBODY,
        // Risks name weaknesses: read by those who manage and audit security, and by the
        // CISO whatever their role; the CISO alone accepts a risk.
        (Threats | Risks, Read) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer, Role::Auditor],
            posts: &[OrgRole::Ciso],
        },
        (Threats | Risks, Edit) => roles(&[Role::SecurityOfficer]),
        (Risks, Decide) => Grant {
            roles: &[],
            posts: &[OrgRole::Ciso],
        },
        (Threats, Decide) | (Threats | Risks, SeeAll) => NOBODY,
        // Everyone bound by the policy may own an action and sees their own (need to
        // know); those who oversee security see all; the security officer assigns them.
        (Actions, Read) => roles(STAFF_AND_MEMBERS),
        (Actions, Edit) => roles(&[Role::SecurityOfficer]),
        (Actions, SeeAll) => roles(OVERSIGHT),
        (Actions, Decide) => NOBODY,
        (AuditTrail, Read) => roles(OVERSIGHT),
        // Entries are never edited: Edit is choosing who is sent the daily anchor, the
        // security officer's, not the administrator's, whose access it guards against.
        (AuditTrail, Edit) => roles(&[Role::SecurityOfficer]),
        (AuditTrail, Decide | SeeAll) => NOBODY,
        (Users | Security, Read | Edit) => roles(&[Role::Admin]),
        (Users | Security, Decide | SeeAll) => NOBODY,
        // Failed mail is the security officer's to follow up; the administrator, who
        // runs the mail settings of the server, sees it too.
        (Notices, Read | Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (Notices, Decide | SeeAll) => NOBODY,
        // Everyone bound by the policy may be asked, ask, or stand in as a deputy; each
        // request is then checked on its own (requester, asked, deputy, oversight).
        (Approvals, Read | Edit | Decide) => roles(STAFF_AND_MEMBERS),
        (Approvals, SeeAll) => roles(OVERSIGHT),
        // The guideline: the responsible managers ask, the CISO permits, and the
        // requests and their results are kept where oversight can look at them.
        (Exceptions, Read) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer, Role::Auditor],
            posts: EXCEPTION_ASKERS_AND_CISO,
        },
        (Exceptions, Edit) => Grant {
            roles: &[Role::SecurityOfficer],
            posts: EXCEPTION_ASKERS,
        },
        (Exceptions, Decide) => Grant {
            roles: &[],
            posts: &[OrgRole::Ciso],
        },
        (Exceptions, SeeAll) => NOBODY,
        // The secretariat keeps the periods and proposes what is past them; the CISO
        // decides a redaction, since it removes information for good; the auditor looks.
        (Retention, Read) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer, Role::Auditor],
            posts: &[OrgRole::Ciso],
        },
        (Retention, Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (Retention, Decide) => Grant {
            roles: &[],
            posts: &[OrgRole::Ciso],
        },
        (Retention, SeeAll) => NOBODY,
        // Who holds which post, and how to reach them, is for everyone bound by the
        // policy (an incident is reported up the line); contractors are told whom to call
        // by their contract. The secretariat keeps it.
        (Organisation, Read) => roles(STAFF_AND_MEMBERS),
        (Organisation, Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (Organisation, Decide | SeeAll) => NOBODY,
        // Awareness notices: everyone bound by the policy reads those addressed to them
        // (the use case checks the audience); the secretariat (the administrator, the
        // security officer, the 情報セキュリティ管理者) posts, reminds and withdraws;
        // they and the auditor see every notice and its read figures.
        (Awareness, Read) => roles(STAFF_AND_MEMBERS),
        (Awareness, Edit) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer],
            posts: &[OrgRole::SecurityManager],
        },
        (Awareness, SeeAll) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer, Role::Auditor],
            posts: &[OrgRole::SecurityManager],
        },
        (Awareness, Decide) => NOBODY,
        // Training: everyone bound by the policy sees the sessions they are invited to,
        // their own coverage, and declares an outside course; the secretariat organises
        // (courses, sessions, attendance, the rule, the plan's draft); it and the auditor
        // see everyone's coverage. The plan is decided by the committee, whose chair
        // records the decision (Asked::Committee).
        (Training, Read) => roles(STAFF_AND_MEMBERS),
        (Training, Edit) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer],
            posts: &[OrgRole::SecurityManager],
        },
        (Training, SeeAll) => Grant {
            roles: &[Role::Admin, Role::SecurityOfficer, Role::Auditor],
            posts: &[OrgRole::SecurityManager],
        },
        (Training, Decide) => Grant {
            roles: &[],
            posts: &[OrgRole::CommitteeChair],
        },
        // Term changes (改選): the secretariat keeps the checklist and the auditor looks;
        // carrying out the leaving (accounts closed) also takes the Users grant.
        (TermChanges, Read) => roles(&[Role::Admin, Role::SecurityOfficer, Role::Auditor]),
        (TermChanges, Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (TermChanges, Decide | SeeAll) => NOBODY,
        // Incidents: everyone bound by the policy reports one and follows their own (the
        // use case shows the reporter their report, not the internal timeline); the
        // security officer and the CSIRT handle them; they, the CISO and the auditor see
        // every incident. Anyone else sees one only when the CSIRT shares it with them.
        (Incidents, Read) => roles(STAFF_AND_MEMBERS),
        (Incidents, Edit) => Grant {
            roles: &[Role::SecurityOfficer],
            posts: INCIDENT_HANDLERS,
        },
        (Incidents, SeeAll) => Grant {
            roles: &[Role::SecurityOfficer, Role::Auditor],
            posts: INCIDENT_OVERSIGHT,
        },
        (Incidents, Decide) => NOBODY,
        // Continuity: the secretariat's staff must know the workarounds and who stands
        // in for whom, the auditor and the CISO look (a member reads only through a post,
        // `continuity::may_read`). The security officer keeps the plan; so does the
        // administrator, who in a small secretariat is often the one who knows the
        // systems a service runs on and keeps the roster when people change.
        (Continuity, Read) => Grant {
            roles: STAFF_AND_MEMBERS,
            posts: &[OrgRole::Ciso],
        },
        (Continuity, Edit) => roles(&[Role::Admin, Role::SecurityOfficer]),
        (Continuity, Decide | SeeAll) => NOBODY,
    }
}

/// A person as access sees them: their system role and the posts they hold today.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub role: Role,
    pub posts: &'a [OrgRole],
}

impl Holder<'_> {
    pub fn may(&self, register: Register, act: Act) -> bool {
        let grant = grant(register, act);
        grant.roles.contains(&self.role) || self.posts.iter().any(|p| grant.posts.contains(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(role: Role, posts: &[OrgRole]) -> Holder<'_> {
        Holder { role, posts }
    }

    #[test]
    fn a_member_holding_the_ciso_post_reads_and_decides_risks() {
        let ciso = holder(Role::User, &[OrgRole::Ciso]);
        assert!(ciso.may(Register::Risks, Act::Read));
        assert!(ciso.may(Register::Risks, Act::Decide));
        assert!(!ciso.may(Register::Risks, Act::Edit));
        let member = holder(Role::User, &[]);
        assert!(!member.may(Register::Risks, Act::Read));
        assert!(member.may(Register::Assets, Act::Read));
    }

    #[test]
    fn contractors_see_no_register_inside_mamori() {
        let contractor = holder(Role::Contractor, &[]);
        for register in Register::ALL {
            for act in [Act::Read, Act::Edit, Act::Decide, Act::SeeAll] {
                assert!(!contractor.may(register, act), "{register:?} {act:?}");
            }
        }
    }

    #[test]
    fn policy_approval_follows_the_posts_not_the_role() {
        let officer = holder(Role::SecurityOfficer, &[]);
        assert!(officer.may(Register::Policies, Act::Edit));
        assert!(!officer.may(Register::Policies, Act::Decide));
        let chief = holder(Role::User, &[OrgRole::ChiefSecurityOfficer]);
        assert!(chief.may(Register::Policies, Act::Decide));
    }

    #[test]
    fn approvals_open_to_all_but_contractors_and_oversight_sees_every_request() {
        for role in [
            Role::Admin,
            Role::SecurityOfficer,
            Role::User,
            Role::Auditor,
        ] {
            let h = holder(role, &[]);
            assert!(h.may(Register::Approvals, Act::Read));
            assert!(h.may(Register::Approvals, Act::Decide));
        }
        assert!(!holder(Role::User, &[]).may(Register::Approvals, Act::SeeAll));
        assert!(holder(Role::Auditor, &[]).may(Register::Approvals, Act::SeeAll));
    }

    #[test]
    fn everyone_but_contractors_reads_notices_and_the_secretariat_posts_them() {
        for role in [
            Role::Admin,
            Role::SecurityOfficer,
            Role::User,
            Role::Auditor,
        ] {
            assert!(holder(role, &[]).may(Register::Awareness, Act::Read));
        }
        assert!(!holder(Role::User, &[]).may(Register::Awareness, Act::Edit));
        assert!(!holder(Role::User, &[]).may(Register::Awareness, Act::SeeAll));
        let manager = holder(Role::User, &[OrgRole::SecurityManager]);
        assert!(manager.may(Register::Awareness, Act::Edit));
        assert!(manager.may(Register::Awareness, Act::SeeAll));
        let auditor = holder(Role::Auditor, &[]);
        assert!(auditor.may(Register::Awareness, Act::SeeAll));
        assert!(!auditor.may(Register::Awareness, Act::Edit));
    }

    #[test]
    fn oversight_sees_every_asset_and_the_audit_trail() {
        for role in [Role::SecurityOfficer, Role::Auditor] {
            let h = holder(role, &[]);
            assert!(h.may(Register::Assets, Act::SeeAll));
            assert!(h.may(Register::AuditTrail, Act::Read));
        }
        let admin = holder(Role::Admin, &[]);
        assert!(!admin.may(Register::AuditTrail, Act::Read));
        assert!(admin.may(Register::Users, Act::Edit));
    }
}
