//! A reference to one record of any register, for the blocks every register shares
//! (approval requests, reviews, corrective actions, attachments, record views): a kind
//! and an id, stored as a code and a number. A register that starts using a block adds
//! its kind here; the blocks themselves do not change.

use serde::Serialize;

use crate::access::Register;

/// The kinds of record a shared block can point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A policy document (its reviews).
    PolicyDocument,
    /// A version of a policy document (its 決裁).
    PolicyVersion,
    /// An information asset (its files and views).
    Asset,
    /// A take-out (持ち出し) of an information asset.
    AssetTakeout,
    /// A risk of the risk register.
    Risk,
    /// A proposal to accept a risk (リスク受容).
    RiskAcceptance,
    /// A corrective action (改善措置).
    CorrectiveAction,
    /// An exception (例外措置) to a rule of the policy.
    Exception,
    /// A redaction of personal information past its retention period.
    Redaction,
    /// An awareness notice (注意喚起), whose file is its material.
    AwarenessNotice,
    /// A 年度's training plan (研修計画), decided by the committee.
    TrainingPlan,
    /// A training session, whose files are its materials.
    TrainingSession,
    /// One person's attendance, whose files are the proof of an outside course.
    TrainingAttendance,
    /// A signature of a pledge (誓約書), whose file is the scan of a paper pledge.
    Pledge,
    /// An incident, whose files are its evidence and whose lessons are corrective actions.
    Incident,
}

impl RecordKind {
    pub const ALL: [RecordKind; 15] = [
        RecordKind::PolicyDocument,
        RecordKind::PolicyVersion,
        RecordKind::Asset,
        RecordKind::AssetTakeout,
        RecordKind::Risk,
        RecordKind::RiskAcceptance,
        RecordKind::CorrectiveAction,
        RecordKind::Exception,
        RecordKind::Redaction,
        RecordKind::AwarenessNotice,
        RecordKind::TrainingPlan,
        RecordKind::TrainingSession,
        RecordKind::TrainingAttendance,
        RecordKind::Pledge,
        RecordKind::Incident,
    ];

    /// The code stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::PolicyDocument => "policy_document",
            RecordKind::PolicyVersion => "policy_version",
            RecordKind::Asset => "asset",
            RecordKind::AssetTakeout => "asset_takeout",
            RecordKind::Risk => "risk",
            RecordKind::RiskAcceptance => "risk_acceptance",
            RecordKind::CorrectiveAction => "corrective_action",
            RecordKind::Exception => "exception",
            RecordKind::Redaction => "redaction",
            RecordKind::AwarenessNotice => "awareness_notice",
            RecordKind::TrainingPlan => "training_plan",
            RecordKind::TrainingSession => "training_session",
            RecordKind::TrainingAttendance => "training_attendance",
            RecordKind::Pledge => "pledge",
            RecordKind::Incident => "incident",
        }
    }

    pub fn parse(value: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The register whose grants decide who may see and change such a record.
    pub fn register(self) -> Register {
        match self {
            RecordKind::PolicyDocument | RecordKind::PolicyVersion => Register::Policies,
            RecordKind::Asset | RecordKind::AssetTakeout => Register::Assets,
            RecordKind::Risk | RecordKind::RiskAcceptance => Register::Risks,
            RecordKind::CorrectiveAction => Register::Actions,
            RecordKind::Exception => Register::Exceptions,
            RecordKind::Redaction => Register::Retention,
            RecordKind::AwarenessNotice => Register::Awareness,
            RecordKind::TrainingPlan
            | RecordKind::TrainingSession
            | RecordKind::TrainingAttendance => Register::Training,
            // A person's signature is seen by those who follow acknowledgements.
            RecordKind::Pledge => Register::Acknowledgements,
            RecordKind::Incident => Register::Incidents,
        }
    }

    /// Where a record of this kind is shown, for links from lists and home pages; the
    /// parts of a record (a version, a take-out, an acceptance) link through their
    /// parent, which only the block that holds them knows.
    pub fn path(self, id: i64) -> String {
        match self {
            RecordKind::PolicyDocument => format!("/policies/{id}"),
            RecordKind::PolicyVersion => "/approvals".to_owned(),
            RecordKind::Asset => format!("/assets/{id}"),
            RecordKind::AssetTakeout => "/approvals".to_owned(),
            RecordKind::Risk => format!("/risks/{id}"),
            RecordKind::RiskAcceptance => "/approvals".to_owned(),
            RecordKind::CorrectiveAction => format!("/actions/{id}"),
            RecordKind::Exception => format!("/exceptions/{id}"),
            RecordKind::Redaction => format!("/retention/redactions/{id}"),
            RecordKind::AwarenessNotice => format!("/awareness/{id}"),
            RecordKind::TrainingPlan => format!("/training/plans/{id}"),
            RecordKind::TrainingSession => format!("/training/sessions/{id}"),
            RecordKind::TrainingAttendance => format!("/training/attendance/{id}"),
            RecordKind::Pledge => format!("/pledges/{id}"),
            RecordKind::Incident => format!("/incidents/{id}"),
        }
    }

    /// Locale key naming the kind (方針文書, リスク…).
    pub fn label_key(self) -> &'static str {
        match self {
            RecordKind::PolicyDocument => "record_kind.policy_document",
            RecordKind::PolicyVersion => "record_kind.policy_version",
            RecordKind::Asset => "record_kind.asset",
            RecordKind::AssetTakeout => "record_kind.asset_takeout",
            RecordKind::Risk => "record_kind.risk",
            RecordKind::RiskAcceptance => "record_kind.risk_acceptance",
            RecordKind::CorrectiveAction => "record_kind.corrective_action",
            RecordKind::Exception => "record_kind.exception",
            RecordKind::Redaction => "record_kind.redaction",
            RecordKind::AwarenessNotice => "record_kind.awareness_notice",
            RecordKind::TrainingPlan => "record_kind.training_plan",
            RecordKind::TrainingSession => "record_kind.training_session",
            RecordKind::TrainingAttendance => "record_kind.training_attendance",
            RecordKind::Pledge => "record_kind.pledge",
            RecordKind::Incident => "record_kind.incident",
        }
    }
}

/// One record: its kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: i64,
}

impl RecordRef {
    pub fn new(kind: RecordKind, id: i64) -> RecordRef {
        RecordRef { kind, id }
    }

    pub fn asset(id: i64) -> RecordRef {
        RecordRef::new(RecordKind::Asset, id)
    }

    pub fn risk(id: i64) -> RecordRef {
        RecordRef::new(RecordKind::Risk, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_code_and_name_their_register() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("policy"), None);
        assert_eq!(RecordKind::Risk.register(), Register::Risks);
        assert_eq!(RecordKind::CorrectiveAction.path(4), "/actions/4");
        assert_eq!(RecordKind::Exception.register(), Register::Exceptions);
    }
}
