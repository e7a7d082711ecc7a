//! Approval requests (決裁): who is asked, the states a request goes through, the
//! decision as typed, and the rules of who may decide — in one place for every register
//! (policy versions, take-outs, risk acceptances, and the registers that follow).
//!
//! The rules: nobody decides their own request; the person asked, or a holder of the
//! post asked, decides; a deputy (代理決裁者) decides only while every holder asked is
//! marked absent, and the decision says on whose behalf; a committee's decision is
//! entered by its chair (委員長) and carries the minute's reference.

use serde::Serialize;
use time::Date;

use crate::access::{Act, Holder, Register};
use crate::field::{FieldProblem, Problems};
use crate::user::{OrgRole, may_approve};
use crate::{text, wareki};

mod sending;
pub use sending::{CheckedSend, SEND_NOTE_MAX, SendInput};

/// The longest reason or comment of a decision, or note of a request.
pub const REASON_MAX: usize = 2000;
/// The longest minute reference (議事録番号など).
pub const MINUTE_REF_MAX: usize = 200;
/// The longest note of an absence.
pub const ABSENCE_NOTE_MAX: usize = 500;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Approved,
    /// 差戻し: sent back to the requester with a reason.
    Returned,
    /// 却下.
    Rejected,
    /// 取下げ by the requester.
    Withdrawn,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Pending,
        State::Approved,
        State::Returned,
        State::Rejected,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Returned => "returned",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// What a decider decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    /// 差戻し: the requester may correct and ask again; a reason is required.
    Return,
    /// 却下: a reason is required.
    Reject,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Approve, Decision::Return, Decision::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Return => "return",
            Decision::Reject => "reject",
        }
    }

    pub fn parse(value: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// The state a pending request takes.
    pub fn state(self) -> State {
        match self {
            Decision::Approve => State::Approved,
            Decision::Return => State::Returned,
            Decision::Reject => State::Rejected,
        }
    }
}

/// Who is asked to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Whoever holds the decide grant of a register (`access::grant`): the posts in
    /// `POLICY_APPROVERS` for a policy, the CISO for a risk acceptance…
    Deciders(Register),
    /// The holders of one post.
    Post(OrgRole),
    /// One named person.
    Person(i64),
    /// 情報セキュリティ委員会: entered by its chair with the minute's reference.
    Committee,
}

impl Asked {
    /// How the asked is stored: a kind, a code (register or post) and a person.
    pub fn parts(self) -> (&'static str, &'static str, Option<i64>) {
        match self {
            Asked::Deciders(register) => ("deciders", register.as_str(), None),
            Asked::Post(post) => ("post", post.as_str(), None),
            Asked::Person(id) => ("person", "", Some(id)),
            Asked::Committee => ("committee", "", None),
        }
    }

    /// The asked from its stored parts; None when they do not read.
    pub fn from_parts(kind: &str, code: &str, person: Option<i64>) -> Option<Asked> {
        match kind {
            "deciders" => Register::ALL
                .into_iter()
                .find(|r| r.as_str() == code)
                .map(Asked::Deciders),
            "post" => OrgRole::parse(code).map(Asked::Post),
            "person" => person.map(Asked::Person),
            "committee" => Some(Asked::Committee),
            _ => None,
        }
    }

    /// Whether a person (their id, role and posts today) is among those asked.
    pub fn held_by(self, user_id: i64, holder: Holder<'_>) -> bool {
        match self {
            Asked::Deciders(register) => holder.may(register, Act::Decide),
            Asked::Post(post) => holder.posts.contains(&post),
            Asked::Person(id) => id == user_id,
            Asked::Committee => holder.posts.contains(&OrgRole::CommitteeChair),
        }
    }
}

/// A holder marked absent for a period, with the deputy who decides for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub holder: i64,
    pub deputy: i64,
    pub starts_on: Date,
    pub ends_on: Date,
}

impl Absence {
    pub fn covers(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// In what capacity a person decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// As the person asked or a holder of the post asked.
    Own,
    /// As the deputy of this absent holder (代理決裁).
    OnBehalfOf(i64),
}

/// Why a person may not decide a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecideRefusal {
    #[error("the request is no longer pending")]
    NotPending,
    #[error("nobody decides their own request")]
    OwnRequest,
    #[error("the person is not asked, nor the deputy of every absent holder")]
    NotAsked,
}

/// The facts about one request and one would-be decider that the rule needs.
#[derive(Debug, Clone, Copy)]
pub struct DecideCase<'a> {
    pub state: State,
    pub requested_by: Option<i64>,
    pub asked: Asked,
    /// Who would decide: their id, role and posts today.
    pub me: i64,
    pub holder: Holder<'a>,
    /// Everyone who holds what is asked today (for a deputy's decision).
    pub holders: &'a [i64],
    /// Absences recorded for those holders.
    pub absences: &'a [Absence],
    pub day: Date,
}

/// The rule of who decides a request (see the module's header).
pub fn may_decide(case: DecideCase<'_>) -> Result<Capacity, DecideRefusal> {
    if case.state != State::Pending {
        return Err(DecideRefusal::NotPending);
    }
    if let Some(requester) = case.requested_by
        && !may_approve(requester, case.me)
    {
        return Err(DecideRefusal::OwnRequest);
    }
    if case.asked.held_by(case.me, case.holder) {
        return Ok(Capacity::Own);
    }
    // The requester cannot decide anyway: the holders who could are the others.
    let deciders: Vec<i64> = case
        .holders
        .iter()
        .copied()
        .filter(|h| Some(*h) != case.requested_by)
        .collect();
    let absent_for = |holder: i64| {
        case.absences
            .iter()
            .find(|a| a.holder == holder && a.covers(case.day))
    };
    if deciders.is_empty() || !deciders.iter().all(|h| absent_for(*h).is_some()) {
        return Err(DecideRefusal::NotAsked);
    }
    // An absent holder may have more than one deputy: the absence's and their post's.
    case.absences
        .iter()
        .find(|a| deciders.contains(&a.holder) && a.covers(case.day) && a.deputy == case.me)
        .map(|a| Capacity::OnBehalfOf(a.holder))
        .ok_or(DecideRefusal::NotAsked)
}

/// Why a request cannot be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawRefusal {
    #[error("the request is no longer pending")]
    NotPending,
    #[error("only the requester withdraws a request")]
    NotRequester,
}

/// Only the requester withdraws (取下げ), and only while the request waits.
pub fn may_withdraw(
    state: State,
    requested_by: Option<i64>,
    me: i64,
) -> Result<(), WithdrawRefusal> {
    if requested_by != Some(me) {
        return Err(WithdrawRefusal::NotRequester);
    }
    if state != State::Pending {
        return Err(WithdrawRefusal::NotPending);
    }
    Ok(())
}

/// A decision as typed on a page, in the API or on the command line.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    /// `approve`, `return` or `reject`.
    pub decision: String,
    /// Required to send back or reject; a comment when approving.
    pub reason: String,
    /// Required for a committee's decision (議事録番号など).
    pub minute_ref: String,
    /// The day decided (和暦 or ISO); empty is today. A paper 決裁 gives its own day.
    pub decided_on: String,
}

/// A decision that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDecision {
    pub decision: Decision,
    pub reason: String,
    pub minute_ref: String,
    pub decided_on: Date,
}

impl DecisionInput {
    /// Checks every field at once. `asked` tells whether a minute reference is needed;
    /// a decision cannot be dated after `today`.
    pub fn check(&self, asked: Asked, today: Date) -> Result<CheckedDecision, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let decision = Decision::parse(self.decision.trim());
        if decision.is_none() {
            problems.push(FieldProblem::new("decision", "decision.error.choose"));
        }
        let reason = optional_text(&mut problems, "reason", &self.reason, REASON_MAX, true);
        if let (Some(d), Some(r)) = (decision, reason.as_deref())
            && d != Decision::Approve
            && r.is_empty()
        {
            problems.push(FieldProblem::new(
                "reason",
                "approval.error.reason_required",
            ));
        }
        let minute_ref = optional_text(
            &mut problems,
            "minute_ref",
            &self.minute_ref,
            MINUTE_REF_MAX,
            false,
        );
        if asked == Asked::Committee && minute_ref.as_deref() == Some("") {
            problems.push(FieldProblem::new(
                "minute_ref",
                "approval.error.minute_required",
            ));
        }
        let decided_on = if self.decided_on.trim().is_empty() {
            Some(today)
        } else {
            match wareki::parse_date_input(&self.decided_on) {
                Ok(d) if d > today => {
                    problems.push(FieldProblem::new("decided_on", "approval.error.future"));
                    None
                }
                Ok(d) => Some(d),
                Err(p) => {
                    problems.push(FieldProblem {
                        field: "decided_on",
                        key: p.message_key(),
                        params: p.params(),
                    });
                    None
                }
            }
        };
        match (decision, reason, minute_ref, decided_on) {
            (Some(decision), Some(reason), Some(minute_ref), Some(decided_on)) => {
                problems.or(CheckedDecision {
                    decision,
                    reason,
                    minute_ref,
                    decided_on,
                })
            }
            _ => Err(problems.into_vec()),
        }
    }
}

/// An optional text: empty is none, else within `max` and free of controls (line
/// breaks allowed where `lines`).
fn optional_text(
    problems: &mut Problems,
    field: &'static str,
    input: &str,
    max: usize,
    lines: bool,
) -> Option<String> {
    if input.trim().is_empty() {
        return Some(String::new());
    }
    let read = if lines {
        text::multi_line(input, max)
    } else {
        text::single_line(input, max)
    };
    match read {
        Ok(value) => Some(value),
        Err(p) => {
            problems.push(FieldProblem::text(field, p));
            None
        }
    }
}

/// An absence as typed: the period and a note; the deputy is named by the caller.
#[derive(Debug, Clone, Default)]
pub struct AbsenceInput {
    pub starts_on: String,
    pub ends_on: String,
    pub note: String,
}

/// An absence that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAbsence {
    pub starts_on: Date,
    pub ends_on: Date,
    pub note: String,
}

impl AbsenceInput {
    /// Checks the period (not ended before `today`, ends on or after it starts) and the
    /// deputy (`None`: no active user by that name; never the absent person).
    pub fn check(
        &self,
        holder: i64,
        deputy: Option<i64>,
        today: Date,
    ) -> Result<CheckedAbsence, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        match deputy {
            None => problems.push(FieldProblem::new("deputy", "approval.error.deputy_unknown")),
            Some(d) if d == holder => {
                problems.push(FieldProblem::new("deputy", "approval.error.deputy_self"))
            }
            Some(_) => {}
        }
        let mut date = |field: &'static str, input: &str| match wareki::parse_date_input(input) {
            Ok(d) => Some(d),
            Err(p) => {
                problems.push(FieldProblem {
                    field,
                    key: p.message_key(),
                    params: p.params(),
                });
                None
            }
        };
        let starts_on = date("starts_on", &self.starts_on);
        let ends_on = date("ends_on", &self.ends_on);
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                problems.push(FieldProblem::new("ends_on", "approval.error.ends_before"));
            } else if e < today {
                problems.push(FieldProblem::new("ends_on", "approval.error.ended"));
            }
        }
        let note = optional_text(&mut problems, "note", &self.note, ABSENCE_NOTE_MAX, false);
        match (starts_on, ends_on, note) {
            (Some(starts_on), Some(ends_on), Some(note)) => problems.or(CheckedAbsence {
                starts_on,
                ends_on,
                note,
            }),
            _ => Err(problems.into_vec()),
        }
    }
}

/// Whether a pending request is past its due date.
pub fn is_overdue(state: State, due_on: Option<Date>, today: Date) -> bool {
    state == State::Pending && due_on.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::Role;
    use time::macros::date;

    const DAY: Date = date!(2026 - 06 - 10);

    fn case<'a>(
        asked: Asked,
        me: i64,
        holder: Holder<'a>,
        holders: &'a [i64],
        absences: &'a [Absence],
    ) -> DecideCase<'a> {
        DecideCase {
            state: State::Pending,
            requested_by: Some(1),
            asked,
            me,
            holder,
            holders,
            absences,
            day: DAY,
        }
    }

    fn member(posts: &[OrgRole]) -> Holder<'_> {
        Holder {
            role: Role::User,
            posts,
        }
    }

    fn away(holder: i64, deputy: i64) -> Absence {
        Absence {
            holder,
            deputy,
            starts_on: date!(2026 - 06 - 01),
            ends_on: date!(2026 - 06 - 30),
        }
    }

    #[test]
    fn states_decisions_and_asked_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        for asked in [
            Asked::Deciders(Register::Policies),
            Asked::Post(OrgRole::Ciso),
            Asked::Person(9),
            Asked::Committee,
        ] {
            let (kind, code, person) = asked.parts();
            assert_eq!(Asked::from_parts(kind, code, person), Some(asked));
        }
        assert_eq!(Asked::from_parts("post", "mayor", None), None);
        assert_eq!(Asked::from_parts("person", "", None), None);
    }

    #[test]
    fn the_holder_of_the_post_asked_decides_but_nobody_their_own_request() {
        let ciso = [OrgRole::Ciso];
        let asked = Asked::Post(OrgRole::Ciso);
        assert_eq!(
            may_decide(case(asked, 2, member(&ciso), &[2], &[])),
            Ok(Capacity::Own)
        );
        let mut own = case(asked, 1, member(&ciso), &[1], &[]);
        own.requested_by = Some(1);
        assert_eq!(may_decide(own), Err(DecideRefusal::OwnRequest));
        assert_eq!(
            may_decide(case(asked, 3, member(&[]), &[2], &[])),
            Err(DecideRefusal::NotAsked)
        );
    }

    #[test]
    fn deciders_of_a_register_follow_the_access_grant() {
        let asked = Asked::Deciders(Register::Policies);
        let chief = [OrgRole::ChiefSecurityOfficer];
        assert_eq!(
            may_decide(case(asked, 2, member(&chief), &[2], &[])),
            Ok(Capacity::Own)
        );
        let officer = Holder {
            role: Role::SecurityOfficer,
            posts: &[],
        };
        assert_eq!(
            may_decide(case(asked, 3, officer, &[2], &[])),
            Err(DecideRefusal::NotAsked)
        );
        let takeouts = Asked::Deciders(Register::Assets);
        assert_eq!(
            may_decide(case(takeouts, 3, officer, &[3], &[])),
            Ok(Capacity::Own)
        );
    }

    #[test]
    fn a_named_person_decides_and_nobody_else() {
        let asked = Asked::Person(5);
        assert_eq!(
            may_decide(case(asked, 5, member(&[]), &[5], &[])),
            Ok(Capacity::Own)
        );
        let ciso = [OrgRole::Ciso];
        assert_eq!(
            may_decide(case(asked, 6, member(&ciso), &[5], &[])),
            Err(DecideRefusal::NotAsked)
        );
    }

    #[test]
    fn a_deputy_decides_only_while_every_holder_is_absent() {
        let asked = Asked::Post(OrgRole::Ciso);
        let nobody = member(&[]);
        // The only holder is away with 7 as deputy: 7 decides on their behalf.
        let absences = [away(2, 7)];
        assert_eq!(
            may_decide(case(asked, 7, nobody, &[2], &absences)),
            Ok(Capacity::OnBehalfOf(2))
        );
        // Someone else is not the deputy.
        assert_eq!(
            may_decide(case(asked, 8, nobody, &[2], &absences)),
            Err(DecideRefusal::NotAsked)
        );
        // A second holder is present: the deputy waits.
        assert_eq!(
            may_decide(case(asked, 7, nobody, &[2, 3], &absences)),
            Err(DecideRefusal::NotAsked)
        );
        // Both away: the deputy of either decides.
        let both = [away(2, 7), away(3, 8)];
        assert_eq!(
            may_decide(case(asked, 8, nobody, &[2, 3], &both)),
            Ok(Capacity::OnBehalfOf(3))
        );
        // Outside the period the absence does not count.
        let mut later = case(asked, 7, nobody, &[2], &absences);
        later.day = date!(2026 - 07 - 01);
        assert_eq!(may_decide(later), Err(DecideRefusal::NotAsked));
        // A deputy never decides their own request.
        let mut own = case(asked, 7, nobody, &[2], &absences);
        own.requested_by = Some(7);
        assert_eq!(may_decide(own), Err(DecideRefusal::OwnRequest));
        // Nobody holds the post: there is nobody to stand in for.
        assert_eq!(
            may_decide(case(asked, 7, nobody, &[], &absences)),
            Err(DecideRefusal::NotAsked)
        );
    }

    #[test]
    fn the_requester_holding_the_post_does_not_block_a_deputy() {
        // The CISO asked; the other holder is away: their deputy decides.
        let asked = Asked::Post(OrgRole::Ciso);
        let absences = [away(2, 7)];
        assert_eq!(
            may_decide(case(asked, 7, member(&[]), &[1, 2], &absences)),
            Ok(Capacity::OnBehalfOf(2))
        );
    }

    #[test]
    fn a_decided_request_is_decided_once() {
        let ciso = [OrgRole::Ciso];
        for state in [
            State::Approved,
            State::Returned,
            State::Rejected,
            State::Withdrawn,
        ] {
            let mut c = case(Asked::Post(OrgRole::Ciso), 2, member(&ciso), &[2], &[]);
            c.state = state;
            assert_eq!(may_decide(c), Err(DecideRefusal::NotPending));
        }
    }

    #[test]
    fn the_committee_is_entered_by_its_chair_with_the_minutes() {
        let chair = [OrgRole::CommitteeChair];
        let members = [OrgRole::CommitteeMember];
        let asked = Asked::Committee;
        assert_eq!(
            may_decide(case(asked, 4, member(&chair), &[4], &[])),
            Ok(Capacity::Own)
        );
        assert_eq!(
            may_decide(case(asked, 5, member(&members), &[4], &[])),
            Err(DecideRefusal::NotAsked)
        );
        let input = DecisionInput {
            decision: "approve".into(),
            ..Default::default()
        };
        let problems = input.check(asked, DAY).unwrap_err();
        assert_eq!(problems[0].field, "minute_ref");
        let with_minutes = DecisionInput {
            minute_ref: "令和8年度第2回委員会 議事録3".into(),
            ..input
        };
        let checked = with_minutes.check(asked, DAY).unwrap();
        assert_eq!(checked.minute_ref, "令和8年度第2回委員会 議事録3");
        assert_eq!(checked.decided_on, DAY);
    }

    #[test]
    fn sending_back_or_rejecting_needs_a_reason() {
        let asked = Asked::Post(OrgRole::Ciso);
        for decision in ["return", "reject"] {
            let input = DecisionInput {
                decision: decision.into(),
                reason: "  ".into(),
                ..Default::default()
            };
            let problems = input.check(asked, DAY).unwrap_err();
            assert_eq!(problems[0].key, "approval.error.reason_required");
        }
        let returned = DecisionInput {
            decision: "return".into(),
            reason: "別表の番号を直してください".into(),
            ..Default::default()
        };
        assert_eq!(
            returned.check(asked, DAY).unwrap().decision,
            Decision::Return
        );
        let approved = DecisionInput {
            decision: "approve".into(),
            decided_on: "令和8年6月1日".into(),
            ..Default::default()
        };
        let checked = approved.check(asked, DAY).unwrap();
        assert_eq!(checked.decided_on, date!(2026 - 06 - 01));
        assert_eq!(checked.reason, "");
    }

    #[test]
    fn a_decision_reads_every_field_at_once() {
        let input = DecisionInput {
            decision: "maybe".into(),
            reason: "a\u{7}b".into(),
            minute_ref: String::new(),
            decided_on: "令和8年6月11日".into(),
        };
        let problems = input.check(Asked::Committee, DAY).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["decision", "reason", "minute_ref", "decided_on"]);
        assert_eq!(problems[3].key, "approval.error.future");
    }

    #[test]
    fn a_reason_may_run_over_lines_a_minute_reference_may_not() {
        let input = DecisionInput {
            decision: "return".into(),
            reason: "第3条を修正\r\n別表を追加".into(),
            minute_ref: "第2回\n議事録".into(),
            decided_on: String::new(),
        };
        let problems = input.check(Asked::Committee, DAY).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "minute_ref");
        let fixed = DecisionInput {
            minute_ref: "第2回委員会議事録".into(),
            ..input
        };
        let checked = fixed.check(Asked::Committee, DAY).unwrap();
        assert_eq!(checked.reason, "第3条を修正\n別表を追加");
    }

    #[test]
    fn only_the_requester_withdraws_a_waiting_request() {
        assert_eq!(may_withdraw(State::Pending, Some(1), 1), Ok(()));
        assert_eq!(
            may_withdraw(State::Pending, Some(1), 2),
            Err(WithdrawRefusal::NotRequester)
        );
        assert_eq!(
            may_withdraw(State::Approved, Some(1), 1),
            Err(WithdrawRefusal::NotPending)
        );
        assert_eq!(
            may_withdraw(State::Pending, None, 1),
            Err(WithdrawRefusal::NotRequester)
        );
    }

    #[test]
    fn an_absence_names_another_person_and_a_period_still_ahead() {
        let input = AbsenceInput {
            starts_on: "2026-06-08".into(),
            ends_on: "令和8年6月12日".into(),
            note: "海外視察".into(),
        };
        let checked = input.check(1, Some(2), DAY).unwrap();
        assert_eq!(checked.ends_on, date!(2026 - 06 - 12));
        let self_deputy = input.check(1, Some(1), DAY).unwrap_err();
        assert_eq!(self_deputy[0].key, "approval.error.deputy_self");
        let unknown = input.check(1, None, DAY).unwrap_err();
        assert_eq!(unknown[0].key, "approval.error.deputy_unknown");
        let backwards = AbsenceInput {
            starts_on: "2026-06-12".into(),
            ends_on: "2026-06-11".into(),
            note: String::new(),
        };
        assert_eq!(
            backwards.check(1, Some(2), DAY).unwrap_err()[0].key,
            "approval.error.ends_before"
        );
        let past = AbsenceInput {
            starts_on: "2026-05-01".into(),
            ends_on: "2026-05-02".into(),
            note: String::new(),
        };
        assert_eq!(
            past.check(1, Some(2), DAY).unwrap_err()[0].key,
            "approval.error.ended"
        );
    }

    #[test]
    fn overdue_is_a_waiting_request_past_its_day() {
        assert!(is_overdue(State::Pending, Some(date!(2026 - 06 - 09)), DAY));
        assert!(!is_overdue(State::Pending, Some(DAY), DAY));
        assert!(!is_overdue(
            State::Approved,
            Some(date!(2026 - 06 - 01)),
            DAY
        ));
        assert!(!is_overdue(State::Pending, None, DAY));
    }
}
