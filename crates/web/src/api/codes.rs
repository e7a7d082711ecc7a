//! The coded values of the API as OpenAPI enums. Fields carry codes as text (what the
//! domain's `as_str` gives); these schemas list the allowed codes, taken from the same
//! `as_str`, so that the document and the answers cannot drift apart. A field names its
//! code with `#[schema(value_type = codes::Role)]`.

use mamori_domain as domain;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// Declares a schema type whose values are the given codes.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $name:ident => $codes:expr;)+) => {
        $(
            $(#[doc = $doc])+
            pub struct $name;

            impl $name {
                /// The allowed codes, in the domain's order.
                pub fn codes() -> Vec<&'static str> {
                    $codes
                }
            }

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(concat!($($doc, "\n"),+).trim()))
                        .enum_values(Some($name::codes()))
                        .into()
                }
            }

            impl utoipa::ToSchema for $name {}
        )+

        /// Every code schema by name, for the document's components.
        pub fn all() -> Vec<(String, RefOr<Schema>)> {
            vec![$((
                stringify!($name).to_owned(),
                <$name as utoipa::PartialSchema>::schema(),
            )),+]
        }
    };
}

fn of<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

codes! {
    /// A user's role: `admin`, `security_officer`, `user`, `auditor` or `contractor`.
    Role => of(&domain::user::Role::ALL, domain::user::Role::as_str);
    /// Whom an account belongs to (議員, 職員, …).
    UserType => of(&domain::user::UserType::ALL, domain::user::UserType::as_str);
    /// A post in the organisation (最高情報セキュリティ責任者 `ciso`, …).
    OrgRole => of(&domain::user::OrgRole::ALL, domain::user::OrgRole::as_str);
    /// How far signing in has got: `active`, or the step still missing.
    SessionStage => {
        use mamori_app::auth::Stage;
        vec![
            Stage::Active.as_str(),
            Stage::Mfa.as_str(),
            Stage::MfaEnrol.as_str(),
            Stage::PasswordChange.as_str(),
        ]
    };
    /// The kind of an information asset (clause 4(2)): ア, イ or ウ.
    AssetCategory => of(domain::asset::Category::ALL, domain::asset::Category::as_str);
    /// On paper, electronic or both.
    AssetForm => of(domain::asset::Form::ALL, domain::asset::Form::as_str);
    /// Who holds an asset: a member (議員) or the assembly office (議会事務局).
    AssetHolderType => of(domain::asset::HolderType::ALL, domain::asset::HolderType::as_str);
    /// The network segment an asset lives on.
    AssetSegment => of(domain::asset::Segment::ALL, domain::asset::Segment::as_str);
    /// Where an asset stands in its life.
    AssetStatus => of(domain::asset::Status::ALL, domain::asset::Status::as_str);
    /// Whether an asset's contents are published.
    AssetPublication => of(domain::asset::Publication::ALL, domain::asset::Publication::as_str);
    /// A record in an asset's life (take-out, return, lending, …).
    AssetEventKind => of(&domain::asset::EventKind::ALL, domain::asset::EventKind::as_str);
    /// Where an asset event's approval stands.
    AssetEventApproval => {
        use domain::asset::Approval;
        vec![
            Approval::NotRequired.as_str(),
            Approval::Pending.as_str(),
            Approval::Approved.as_str(),
            Approval::Rejected.as_str(),
            Approval::Returned.as_str(),
            Approval::Withdrawn.as_str(),
        ]
    };
    /// A decision on a take-out or a risk acceptance: `approve` or `reject`.
    ApproveOrReject => vec!["approve", "reject"];
    /// A decision on an approval request.
    ApprovalDecision => of(&domain::approval::Decision::ALL, domain::approval::Decision::as_str);
    /// Where an approval request stands.
    ApprovalState => of(&domain::approval::State::ALL, domain::approval::State::as_str);
    /// The kind of record something is about (an approval's or review's subject, a
    /// file's record).
    RecordKind => of(&domain::record::RecordKind::ALL, domain::record::RecordKind::as_str);
    /// What a file is kept for.
    FilePurpose => of(&domain::file::Purpose::ALL, domain::file::Purpose::as_str);
    /// A kind of policy document (基本方針, 対策基準, …).
    PolicyKind => of(&domain::policy_lifecycle::PolicyKind::ALL, domain::policy_lifecycle::PolicyKind::as_str);
    /// Where a policy version stands.
    PolicyVersionStatus => {
        use domain::policy_lifecycle::VersionStatus;
        vec![
            VersionStatus::Draft.as_str(),
            VersionStatus::Approved.as_str(),
            VersionStatus::Published.as_str(),
            VersionStatus::Superseded.as_str(),
            VersionStatus::Withdrawn.as_str(),
        ]
    };
    /// What led to a policy review.
    ReviewTrigger => of(&domain::policy_lifecycle::ReviewTrigger::ALL, domain::policy_lifecycle::ReviewTrigger::as_str);
    /// What a notice is about.
    NoticeKind => of(&domain::notice::NoticeKind::ALL, domain::notice::NoticeKind::as_str);
    /// Where an outgoing mail stands.
    MailState => {
        use mamori_app::notifications::MailState;
        vec![MailState::Queued.as_str(), MailState::Sent.as_str(), MailState::Failed.as_str()]
    };
    /// A family of threats (the guideline's threat list).
    ThreatFamily => of(&domain::risk::ThreatFamily::ALL, domain::risk::ThreatFamily::as_str);
    /// Whether a threat comes from the policy or was added by the assembly.
    ThreatOrigin => {
        use domain::threat::ThreatOrigin;
        vec![ThreatOrigin::Policy.as_str(), ThreatOrigin::Addition.as_str()]
    };
    /// How a risk is treated (低減, 回避, 移転, 受容).
    RiskTreatment => of(&domain::risk::Treatment::ALL, domain::risk::Treatment::as_str);
    /// A band of the risk matrix.
    RiskBand => of(&domain::risk::Band::ALL, domain::risk::Band::as_str);
    /// Where a proposed risk acceptance stands.
    AcceptanceStatus => {
        use mamori_app::home::AcceptanceStatus;
        vec![
            AcceptanceStatus::Pending.as_str(),
            AcceptanceStatus::Accepted.as_str(),
            AcceptanceStatus::Rejected.as_str(),
            AcceptanceStatus::Returned.as_str(),
            AcceptanceStatus::Withdrawn.as_str(),
        ]
    };
    /// An axis of classification: confidentiality, integrity or availability.
    ClassificationAxis => of(&domain::classification::Axis::ALL, domain::classification::Axis::as_str);
    /// Where an exception stands today.
    ExceptionStanding => of(&domain::exception::Standing::ALL, domain::exception::Standing::as_str);
    /// A kind of closed record holding personal information: `account` (a user account
    /// no longer in use) or `absence` (an ended absence with a note).
    RetainedKind => of(&domain::retention::RetainedKind::ALL, domain::retention::RetainedKind::as_str);
    /// Where a redaction of personal information stands.
    RedactionState => crate::http::params::retention::STATES.to_vec();
    /// A kind of body in the organisation register.
    BodyKind => of(&domain::organisation::BodyKind::ALL, domain::organisation::BodyKind::as_str);
    /// Who an awareness notice (注意喚起) is addressed to.
    AwarenessAudience => of(&domain::awareness::AudienceKind::ALL, domain::awareness::AudienceKind::as_str);
    /// Where a reader stands with an awareness notice.
    AwarenessReadStanding => of(&domain::awareness::ReadStanding::ALL, domain::awareness::ReadStanding::as_str);
    /// A kind of training course.
    CourseKind => of(&domain::training::CourseKind::ALL, domain::training::CourseKind::as_str);
    /// One person's attendance at a training session.
    AttendanceStatus => of(&domain::training::Attendance::ALL, domain::training::Attendance::as_str);
    /// Where a 年度's training plan stands.
    TrainingPlanStatus => vec!["draft", "asked", "approved"];
    /// How an attendance was recorded.
    AttendanceWay => of(&domain::training::Way::ALL, domain::training::Way::as_str);
    /// Where a person stands with the training rule.
    TrainingCoverage => of(&domain::training::Coverage::ALL, domain::training::Coverage::as_str);
    /// The family of threats of clause 3 an emergency response plan's scenario answers.
    ResponsePlanFamily => of(&domain::response_plan::Family::ALL, domain::response_plan::Family::as_str);
    /// How a pledge (誓約書) was signed: in mamori or on paper.
    PledgeWay => of(&domain::pledge::PledgeWay::ALL, domain::pledge::PledgeWay::as_str);
    /// The stage of an incident's handling.
    IncidentStage => domain::incident::Stage::ALL.iter().map(|s| s.as_str()).collect();
    /// Whether personal information may be involved in an incident.
    IncidentPersonal => domain::incident::Personal::ALL.iter().map(|s| s.as_str()).collect();
    /// What an incident's timeline entry records.
    IncidentEntryKind => domain::incident::EntryKind::ALL.iter().map(|s| s.as_str()).collect();
    /// What an incident can be linked to.
    IncidentLinkKind => domain::incident::LinkKind::ALL.iter().map(|s| s.as_str()).collect();
    /// Which report an outside-report duty asks for (速報, 確報, other).
    IncidentReportStage => domain::incident_report::ReportStage::ALL.iter().map(|s| s.as_str()).collect();
    /// A fact of an incident that makes an outside-report duty apply.
    IncidentReportTrigger => domain::incident_report::Trigger::ALL.iter().map(|s| s.as_str()).collect();
    /// Where the report of one duty stands.
    IncidentReportClock => domain::incident_report::ClockState::CODES.to_vec();
    /// Why members change (改選): a general election, a by-election, a resignation.
    TermChangeKind => of(&domain::term_change::ChangeKind::ALL, domain::term_change::ChangeKind::as_str);
    /// Whether a person of a term change leaves or joins.
    TermChangeDirection => of(&domain::term_change::Direction::ALL, domain::term_change::Direction::as_str);
    /// An item of a term change's checklist (`line`: one the secretariat wrote).
    TermChangeItem => of(&domain::term_change::Item::ALL, domain::term_change::Item::as_str);
    /// Where an item of a term change's checklist stands.
    TermChangeItemState => of(&domain::term_change::ItemState::ALL, domain::term_change::ItemState::as_str);
    /// Where a corrective action stands.
    ActionStatus => of(&domain::corrective::ActionStatus::ALL, domain::corrective::ActionStatus::as_str);
    /// Whether a deadline counts calendar days (暦日) or working days (開庁日).
    DayCount => of(&domain::calendar::DayCount::ALL, domain::calendar::DayCount::as_str);
    /// How near a review is due: `overdue`, `due_soon` (within 30 days) or `later`.
    ReviewDueState => {
        use crate::api::cycle::reviews::due_state_code;
        use domain::review::DueState;
        [DueState::Overdue, DueState::DueSoon, DueState::Later]
            .into_iter()
            .map(due_state_code)
            .collect()
    };
    /// How a review schedule repeats.
    ReviewRule => vec!["fiscal_yearly", "every_months", "once"];
    /// A step of getting started.
    GettingStartedStep => vec!["settings", "people", "basic_policy", "assets", "classification", "risks"];
    /// What an import did to one asset.
    ImportRowAction => vec!["created", "updated"];
    /// What a row of a staged import would do.
    ImportRowKind => vec!["new", "update", "unchanged", "duplicate", "skipped", "error"];
    /// A field whose values an import maps.
    ImportCodedField => vec![
        "category", "form", "holder_type", "segment", "confidentiality", "integrity",
        "availability", "status",
    ];
    /// How a retention period (保存期間) was read.
    RetentionKind => vec![
        "permanent", "constant", "years", "under_one_year", "term_of_office", "loan_period",
        "contract_period", "until_contract_end", "years_after_contract", "until_renewal",
        "until_disposal", "as_needed", "until",
    ];
    /// Why no disposal date is proposed for a retention period.
    NoDisposalProposal => vec![
        "blank", "not_recognised", "kept_without_end", "ends_with_event", "when_no_longer_needed",
    ];
    /// What became of a line of an imported policy text outside its clauses.
    PolicyLineFate => {
        use domain::policy::LineFate;
        [LineFate::Title, LineFate::Metadata, LineFate::Contents, LineFate::Preamble]
            .into_iter()
            .map(LineFate::as_str)
            .collect()
    };
    /// Why a line of an imported policy text was flagged.
    PolicyWarningReason => {
        use domain::policy::WarningReason;
        [WarningReason::Unrecognised, WarningReason::OutOfSequence, WarningReason::BeforeFirstClause]
            .into_iter()
            .map(crate::api::policies::reason_code)
            .collect()
    };
    /// Why a day is closed: a national holiday or the assembly's own closed day.
    ClosedKind => {
        use domain::calendar::ClosedKind;
        vec![ClosedKind::National.as_str(), ClosedKind::Assembly.as_str()]
    };
}
