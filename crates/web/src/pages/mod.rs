//! Server-rendered pages.

pub mod account;
pub mod assets;
pub mod audit;
pub mod classification;
pub mod home;
pub mod login;
pub mod policies;
pub mod preferences;
pub mod risks;
pub mod setup;
pub mod threats;
pub mod users;

use axum::http::StatusCode;

use crate::http::error::AppError;

/// An approve-or-reject form: a take-out request, a risk acceptance.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub note: String,
}

impl DecisionForm {
    /// The decision (true to approve) and its optional one-line note, or a 4xx saying
    /// what is wrong.
    pub fn read(&self) -> Result<(bool, String), AppError> {
        let approve = match self.decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => {
                return Err(AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_decision",
                    "decision.error.choose",
                ));
            }
        };
        let note = match mamori_domain::text::single_line(&self.note, 500) {
            Ok(note) => note,
            Err(mamori_domain::text::TextProblem::Empty) => String::new(),
            Err(_) => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_note",
                    "decision.error.note",
                ));
            }
        };
        Ok((approve, note))
    }
}
