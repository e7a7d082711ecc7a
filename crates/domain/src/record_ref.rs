//! A reference to any record of any register, so shared blocks (reviews, corrective
//! actions, and later attachments and approvals) attach to a record without knowing its
//! register. Stored as two columns: a kind code and the record's id.

use crate::access::Register;

/// The kinds of record a shared block can attach to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    PolicyDocument,
    Risk,
    CorrectiveAction,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [
        RecordKind::PolicyDocument,
        RecordKind::Risk,
        RecordKind::CorrectiveAction,
    ];

    /// The stable code stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::PolicyDocument => "policy_document",
            RecordKind::Risk => "risk",
            RecordKind::CorrectiveAction => "corrective_action",
        }
    }

    pub fn parse(code: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    /// The register whose grants decide who may see and change such a record.
    pub fn register(self) -> Register {
        match self {
            RecordKind::PolicyDocument => Register::Policies,
            RecordKind::Risk => Register::Risks,
            RecordKind::CorrectiveAction => Register::Actions,
        }
    }

    /// Where the record is shown, for links from lists and home pages.
    pub fn path(self, id: i64) -> String {
        match self {
            RecordKind::PolicyDocument => format!("/policies/{id}"),
            RecordKind::Risk => format!("/risks/{id}"),
            RecordKind::CorrectiveAction => format!("/actions/{id}"),
        }
    }

    /// Locale key naming the kind (方針文書, リスク…).
    pub fn label_key(self) -> &'static str {
        match self {
            RecordKind::PolicyDocument => "record_kind.policy_document",
            RecordKind::Risk => "record_kind.risk",
            RecordKind::CorrectiveAction => "record_kind.corrective_action",
        }
    }
}

/// One record of one register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: i64,
}

impl RecordRef {
    pub fn new(kind: RecordKind, id: i64) -> RecordRef {
        RecordRef { kind, id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_name_their_register() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("asset"), None);
        assert_eq!(RecordKind::Risk.register(), Register::Risks);
        assert_eq!(RecordKind::CorrectiveAction.path(4), "/actions/4");
    }
}
