//! What people type about a policy — a change note, an approval (決裁) date and note, a
//! review record — checked once, for the pages, the API and the command line.

use time::Date;

use crate::field::{FieldProblem, Problems};
use crate::policy_lifecycle::ReviewTrigger;
use crate::{text, wareki};

/// The longest title kept from a text's first line (a longer one is cut, not refused:
/// the text is the record, the title only names it in lists).
pub const TITLE_MAX: usize = 200;
/// The longest change note (改定の概要) or approval note.
pub const NOTE_MAX: usize = 2000;
/// The longest analysis or decision of a review record.
pub const REVIEW_TEXT_MAX: usize = 10_000;

/// The title a document takes from its text.
pub fn title(text_title: &str) -> String {
    text_title.chars().take(TITLE_MAX).collect()
}

/// An optional one-line note (empty is no note).
fn note(field: &'static str, input: &str) -> Result<String, FieldProblem> {
    if input.trim().is_empty() {
        return Ok(String::new());
    }
    text::single_line(input, NOTE_MAX).map_err(|p| FieldProblem::text(field, p))
}

/// The change note of a new version (改定の概要), possibly empty.
pub fn change_note(input: &str) -> Result<String, Vec<FieldProblem>> {
    note("change_note", input).map_err(|p| vec![p])
}

/// A date as typed (和暦 or ISO), or the problem named for `field`.
fn date(field: &'static str, input: &str) -> Result<Date, FieldProblem> {
    wareki::parse_date_input(input).map_err(|p| FieldProblem {
        field,
        key: p.message_key(),
        params: p.params(),
    })
}

/// An approval (決裁) as typed: its date and an optional note.
#[derive(Debug, Clone, Default)]
pub struct ApprovalInput {
    pub approved_on: String,
    pub note: String,
}

/// An approval that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub approved_on: Date,
    pub note: String,
}

impl ApprovalInput {
    pub fn check(&self) -> Result<Approval, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let approved_on = keep(&mut problems, date("approved_on", &self.approved_on));
        let note = keep(&mut problems, note("note", &self.note));
        match (approved_on, note) {
            (Some(approved_on), Some(note)) => problems.or(Approval { approved_on, note }),
            _ => Err(problems.into_vec()),
        }
    }
}

/// A review record (clause 8) as typed.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub reviewed_on: String,
    pub trigger: String,
    pub analysis: String,
    pub decision: String,
    /// The id of the version the review led to, or empty.
    pub result_version: String,
}

/// A review record that reads. Whether the result version belongs to the document is
/// the caller's check (it needs the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewed_on: Date,
    pub trigger: ReviewTrigger,
    pub analysis: String,
    pub decision: String,
    pub result_version: Option<i64>,
}

/// Why a draft is withdrawn (取下げ): required, several lines allowed.
pub fn withdrawal_reason(input: &str) -> Result<String, Vec<FieldProblem>> {
    let problem = |p| vec![FieldProblem::text("reason", p)];
    let value = text::multi_line(input, NOTE_MAX).map_err(problem)?;
    if value.is_empty() {
        return Err(problem(text::TextProblem::Empty));
    }
    Ok(value)
}

/// The value, or `None` with its problem collected.
fn keep<T>(problems: &mut Problems, result: Result<T, FieldProblem>) -> Option<T> {
    result.map_err(|p| problems.push(p)).ok()
}

fn long_text(field: &'static str, input: &str) -> Result<String, FieldProblem> {
    let value =
        text::multi_line(input, REVIEW_TEXT_MAX).map_err(|p| FieldProblem::text(field, p))?;
    if value.is_empty() {
        return Err(FieldProblem::text(field, text::TextProblem::Empty));
    }
    Ok(value)
}

impl ReviewInput {
    pub fn check(&self) -> Result<Review, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let reviewed_on = keep(&mut problems, date("reviewed_on", &self.reviewed_on));
        let trigger = keep(
            &mut problems,
            ReviewTrigger::parse(self.trigger.trim())
                .ok_or_else(|| FieldProblem::new("trigger", "error.invalid_choice")),
        );
        let analysis = keep(&mut problems, long_text("analysis", &self.analysis));
        let decision = keep(&mut problems, long_text("decision", &self.decision));
        let result_version = keep(
            &mut problems,
            match self.result_version.trim() {
                "" => Ok(None),
                text => text
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| FieldProblem::new("result_version", "error.invalid_choice")),
            },
        );
        match (reviewed_on, trigger, analysis, decision, result_version) {
            (Some(reviewed_on), Some(trigger), Some(analysis), Some(decision), Some(result)) => {
                problems.or(Review {
                    reviewed_on,
                    trigger,
                    analysis,
                    decision,
                    result_version: result,
                })
            }
            _ => Err(problems.into_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approval_needs_a_real_date_and_a_short_note() {
        let ok = ApprovalInput {
            approved_on: "令和8年3月18日".into(),
            note: String::new(),
        }
        .check()
        .unwrap();
        assert_eq!(ok.approved_on.to_string(), "2026-03-18");
        let bad = ApprovalInput {
            approved_on: "令和8年2月30日".into(),
            note: "x".repeat(NOTE_MAX + 1),
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["approved_on", "note"]);
    }

    #[test]
    fn a_review_names_every_problem() {
        let problems = ReviewInput {
            reviewed_on: "2026-02-30".into(),
            trigger: "whim".into(),
            analysis: "  ".into(),
            decision: "改定しない".into(),
            result_version: "x".into(),
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["reviewed_on", "trigger", "analysis", "result_version"]
        );
        let review = ReviewInput {
            reviewed_on: "令和8年11月25日".into(),
            trigger: "audit_result".into(),
            analysis: "監査の指摘".into(),
            decision: "改定する".into(),
            result_version: "3".into(),
        }
        .check()
        .unwrap();
        assert_eq!(review.result_version, Some(3));
    }

    #[test]
    fn notes_are_optional_and_titles_are_cut() {
        assert_eq!(change_note("  ").unwrap(), "");
        assert!(change_note("a\u{7}b").is_err());
        assert_eq!(title(&"字".repeat(300)).chars().count(), TITLE_MAX);
    }
}
