//! Sending a record for 決裁: the sender's choice of who decides (one holder of the
//! register's deciding grant, or any of them) and their note, checked in one place for
//! policy drafts, take-outs and risk acceptances.

use super::{Asked, optional_text};
use crate::access::Register;
use crate::field::{FieldProblem, Problems};

/// The longest note the sender writes to the person who is to decide.
pub const SEND_NOTE_MAX: usize = 1000;

/// A record sent for 決裁 as typed: who is to decide and a note for them. The decider
/// is a user's id among those who hold the deciding grant of the record's register, or
/// empty for "any of them".
#[derive(Debug, Clone, Default)]
pub struct SendInput {
    pub decider: String,
    pub request_note: String,
}

/// A choice of decider that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSend {
    pub asked: Asked,
    pub note: String,
}

impl SendInput {
    /// Checks the choice: `deciders` are the active holders of `register`'s deciding
    /// grant; nobody is asked to decide what they sent themselves (`author`).
    pub fn check(
        &self,
        register: Register,
        deciders: &[i64],
        author: Option<i64>,
    ) -> Result<CheckedSend, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let asked = match self.decider.trim() {
            "" | "any" => Some(Asked::Deciders(register)),
            typed => match typed.parse::<i64>() {
                Ok(id) if Some(id) == author => {
                    problems.push(FieldProblem::new("decider", "approval.error.decider_self"));
                    None
                }
                Ok(id) if deciders.contains(&id) => Some(Asked::Person(id)),
                _ => {
                    problems.push(FieldProblem::new("decider", "approval.error.not_a_decider"));
                    None
                }
            },
        };
        let note = optional_text(
            &mut problems,
            "request_note",
            &self.request_note,
            SEND_NOTE_MAX,
            true,
        );
        match (asked, note) {
            (Some(asked), Some(note)) => problems.or(CheckedSend { asked, note }),
            _ => Err(problems.into_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decider_is_chosen_among_the_holders_and_never_the_sender() {
        let send = |decider: &str, note: &str| SendInput {
            decider: decider.into(),
            request_note: note.into(),
        };
        let any = send("", "")
            .check(Register::Policies, &[3, 4], Some(2))
            .unwrap();
        assert_eq!(any.asked, Asked::Deciders(Register::Policies));
        let chosen = send(" 4 ", "第3条を改めました。\r\nご確認ください。")
            .check(Register::Policies, &[3, 4], Some(2))
            .unwrap();
        assert_eq!(chosen.asked, Asked::Person(4));
        assert_eq!(chosen.note, "第3条を改めました。\nご確認ください。");
        let own = send("2", "").check(Register::Policies, &[2, 3], Some(2));
        assert_eq!(own.unwrap_err()[0].key, "approval.error.decider_self");
        for stranger in ["5", "abc", "-1"] {
            let refused = send(stranger, "").check(Register::Assets, &[3, 4], Some(2));
            assert_eq!(refused.unwrap_err()[0].field, "decider", "{stranger}");
        }
        let long = send("3", &"あ".repeat(SEND_NOTE_MAX + 1))
            .check(Register::Risks, &[3], Some(2))
            .unwrap_err();
        assert_eq!(long[0].field, "request_note");
        assert!(
            send("3", &"あ".repeat(SEND_NOTE_MAX))
                .check(Register::Risks, &[3], Some(2))
                .is_ok()
        );
    }
}
