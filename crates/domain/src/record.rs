//! A reference to one record of any register, for the blocks every register shares
//! (approval requests first): a kind and an id, stored as a code and a number.

use serde::Serialize;

/// The kinds of record a shared block can point to. A register that starts using a
/// block adds its kind here; the block itself does not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A version of a policy document (its 決裁).
    PolicyVersion,
    /// A take-out (持ち出し) of an information asset.
    AssetTakeout,
    /// A proposal to accept a risk (リスク受容).
    RiskAcceptance,
    /// An exception (例外措置) to a rule of the policy.
    Exception,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::PolicyVersion,
        RecordKind::AssetTakeout,
        RecordKind::RiskAcceptance,
        RecordKind::Exception,
    ];

    /// The code stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::PolicyVersion => "policy_version",
            RecordKind::AssetTakeout => "asset_takeout",
            RecordKind::RiskAcceptance => "risk_acceptance",
            RecordKind::Exception => "exception",
        }
    }

    pub fn parse(value: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == value)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_code() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("policy"), None);
    }
}
