//! Lifecycle records of an asset (clause 6(2), 6(4)): what may be recorded, by whom,
//! and the approval a take-out starts with. The form, the API and the command line read
//! a record through [`EventInput::check`].

use serde::{Deserialize, Serialize};
use time::Date;

use super::{MAX_LONG_TEXT, Status};
use crate::classification::Scheme;
use crate::field::{FieldProblem, Problems};
use crate::text::{TextProblem, multi_line, single_line};

/// Kinds of lifecycle record (clause 6(2), 6(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 持ち出し
    TakeOut,
    /// 持ち出しからの返却
    Return,
    /// 貸与
    Lending,
    /// 貸与の返却
    LendingReturn,
    /// 移管
    Transfer,
    /// 提供
    Provision,
    /// 公表
    Publication,
    /// 廃棄
    Disposal,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::TakeOut,
        EventKind::Return,
        EventKind::Lending,
        EventKind::LendingReturn,
        EventKind::Transfer,
        EventKind::Provision,
        EventKind::Publication,
        EventKind::Disposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TakeOut => "take_out",
            EventKind::Return => "return",
            EventKind::Lending => "lending",
            EventKind::LendingReturn => "lending_return",
            EventKind::Transfer => "transfer",
            EventKind::Provision => "provision",
            EventKind::Publication => "publication",
            EventKind::Disposal => "disposal",
        }
    }

    pub fn parse(value: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Where an approval of a lifecycle record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    NotRequired,
    Pending,
    Approved,
    Rejected,
    /// 差戻し: sent back with a reason; the holder records a corrected take-out.
    Returned,
    /// 取下げ by the holder who asked.
    Withdrawn,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::NotRequired => "not_required",
            Approval::Pending => "pending",
            Approval::Approved => "approved",
            Approval::Rejected => "rejected",
            Approval::Returned => "returned",
            Approval::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<Approval> {
        [
            Approval::NotRequired,
            Approval::Pending,
            Approval::Approved,
            Approval::Rejected,
            Approval::Returned,
            Approval::Withdrawn,
        ]
        .into_iter()
        .find(|a| a.as_str() == value)
    }
}

/// Why a lifecycle record cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EventRefusal {
    #[error("the asset is disposed")]
    AlreadyDisposed,
    #[error("only the lowest confidentiality level may be published")]
    NotPublishable,
    #[error("disposal needs a method")]
    DisposalNeedsMethod,
}

impl EventRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            EventRefusal::AlreadyDisposed => "asset.error.disposed",
            EventRefusal::NotPublishable => "asset.error.not_publishable",
            EventRefusal::DisposalNeedsMethod => "asset.error.disposal_method",
        }
    }
}

/// The rules a new lifecycle record must satisfy, and the approval it starts with.
/// `confidentiality` is the asset's level id in `scheme`.
pub fn check_event(
    kind: EventKind,
    status: Status,
    confidentiality: i64,
    scheme: &Scheme,
    method: &str,
) -> Result<Approval, EventRefusal> {
    if status == Status::Disposed {
        return Err(EventRefusal::AlreadyDisposed);
    }
    let level = scheme.level(confidentiality);
    match kind {
        EventKind::Publication if !level.is_some_and(|l| scheme.may_publish(l)) => {
            Err(EventRefusal::NotPublishable)
        }
        EventKind::Disposal if method.trim().is_empty() => Err(EventRefusal::DisposalNeedsMethod),
        EventKind::TakeOut if level.is_some_and(|l| l.takeout_requires_approval) => {
            Ok(Approval::Pending)
        }
        _ => Ok(Approval::NotRequired),
    }
}

/// Whether someone may record lifecycle events on an asset: the register's keepers on
/// any asset, a holder on what they hold (take-outs and returns only, see
/// [`EventInput::check`]).
pub fn may_record(keeper: bool, user_id: Option<i64>, holder_id: Option<i64>) -> bool {
    keeper || (user_id.is_some() && user_id == holder_id)
}

/// The kinds a person may record: every kind for the register's keepers, take-outs and
/// returns for a holder.
pub fn recordable_kinds(keeper: bool) -> &'static [EventKind] {
    if keeper {
        &EventKind::ALL
    } else {
        &[EventKind::TakeOut, EventKind::Return]
    }
}

/// A lifecycle record as typed on the form or sent to the API.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct EventInput {
    pub kind: String,
    pub occurred_on: String,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: String,
    pub notes: String,
    /// Keep a due-back date already past (the form's box; the API's flag).
    #[serde(deserialize_with = "crate::field::flag")]
    pub confirm_past_dates: bool,
}

/// A checked lifecycle record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub occurred_on: Date,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: Option<Date>,
    pub notes: String,
}

const MAX_EVENT_TEXT: usize = 200;

fn optional_text(field: &'static str, text: &str, problems: &mut Problems) -> String {
    match single_line(text, MAX_EVENT_TEXT) {
        Ok(v) => v,
        Err(TextProblem::Empty) => String::new(),
        Err(p) => {
            problems.push(FieldProblem::text(field, p));
            String::new()
        }
    }
}

fn date_field(field: &'static str, text: &str, problems: &mut Problems) -> Option<Date> {
    if text.trim().is_empty() {
        return None;
    }
    match crate::wareki::parse_date_input(text) {
        Ok(d) => Some(d),
        Err(e) => {
            let mut problem = FieldProblem::new(field, e.message_key());
            problem.params = e.params();
            problems.push(problem);
            None
        }
    }
}

impl EventInput {
    /// Reads the record; `kinds` are those the person may record.
    pub fn check(&self, kinds: &[EventKind]) -> Result<NewEvent, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let kind = EventKind::parse(self.kind.trim()).filter(|k| kinds.contains(k));
        if kind.is_none() {
            problems.push(FieldProblem::new("kind", "asset.error.unknown_value"));
        }
        let occurred_on = date_field("occurred_on", &self.occurred_on, &mut problems);
        if self.occurred_on.trim().is_empty() {
            problems.push(FieldProblem::new("occurred_on", "field.error.required"));
        }
        let person = optional_text("person", &self.person, &mut problems);
        if self.person.trim().is_empty() {
            problems.push(FieldProblem::new("person", "field.error.required"));
        }
        let counterparty = optional_text("counterparty", &self.counterparty, &mut problems);
        let method = optional_text("method", &self.method, &mut problems);
        let witness = optional_text("witness", &self.witness, &mut problems);
        let due_back = date_field("due_back", &self.due_back, &mut problems);
        let notes = multi_line(&self.notes, MAX_LONG_TEXT).unwrap_or_else(|p| {
            problems.push(FieldProblem::text("notes", p));
            String::new()
        });
        match (kind, occurred_on) {
            (Some(kind), Some(occurred_on)) => problems.or(NewEvent {
                kind,
                occurred_on,
                person,
                counterparty,
                method,
                witness,
                due_back,
                notes,
            }),
            _ => Err(problems.into_vec()),
        }
    }
}

/// Checks a record against the asset it is for: the rules of [`check_event`], given as
/// a problem with the kind. Returns the approval the record starts with.
pub fn check_event_for(
    event: &NewEvent,
    status: Status,
    confidentiality: i64,
    scheme: &Scheme,
) -> Result<Approval, Vec<FieldProblem>> {
    check_event(event.kind, status, confidentiality, scheme, &event.method)
        .map_err(|refusal| vec![FieldProblem::new("kind", refusal.message_key())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_take_out_and_names_every_problem() {
        let input = EventInput {
            kind: "take_out".into(),
            occurred_on: "令和8年11月26日".into(),
            person: "議員 一郎".into(),
            due_back: "2026-11-27".into(),
            ..EventInput::default()
        };
        let event = input.check(&EventKind::ALL).unwrap();
        assert_eq!(event.kind, EventKind::TakeOut);
        assert_eq!(event.occurred_on.to_string(), "2026-11-26");
        let refused = EventInput {
            kind: "disposal".into(),
            witness: "棚\u{7}".into(),
            ..EventInput::default()
        }
        .check(recordable_kinds(false))
        .unwrap_err();
        let fields: Vec<_> = refused.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["kind", "occurred_on", "person", "witness"]);
    }

    #[test]
    fn a_holder_records_on_what_they_hold() {
        assert!(may_record(true, Some(1), None));
        assert!(may_record(false, Some(2), Some(2)));
        assert!(!may_record(false, Some(2), Some(3)));
        assert!(!may_record(false, None, None));
    }
}
