//! How a use case fails. The web layer turns each kind into one status and one stable
//! code; the command line into one message and exit code.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_store::StoreError;

/// A rule of the domain refuses the action in the record's present state (a draft
/// approved by its own author, a decision already taken…). `key` is a locale key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Stable, machine-readable, e.g. `own_draft`.
    pub code: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Refusal {
    pub fn new(code: &'static str, key: &'static str) -> Refusal {
        Refusal {
            code,
            key,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Refusal {
        self.params.push((name, value.to_string()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input breaks the domain's rules; every problem is named.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldProblem>),
    /// Nothing is wrong, but the input looks like a slip (a past date where the future
    /// is meant): kept only when sent again confirmed. Each question is named.
    #[error("to be confirmed: {0:?}")]
    Unconfirmed(Vec<FieldProblem>),
    /// The person may not do this; the refusal is already in the audit trail.
    #[error("denied: {act:?} on {register:?}")]
    Denied { register: Register, act: Act },
    #[error("not found")]
    NotFound,
    /// The record's state does not allow it (409).
    #[error("refused: {}", .0.code)]
    Conflict(Refusal),
    #[error(transparent)]
    Store(StoreError),
    /// Too many uploaded files are being read at once; the caller may try again after
    /// the given time (503 with `Retry-After`).
    #[error("busy: try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
}

impl Failure {
    pub fn invalid(problem: FieldProblem) -> Failure {
        Failure::Invalid(vec![problem])
    }

    pub fn conflict(code: &'static str, key: &'static str) -> Failure {
        Failure::Conflict(Refusal::new(code, key))
    }
}

/// The past dates among `typed` (field and text as typed, each already checked as a
/// date) where the future is expected, to be confirmed: nothing to ask, or `confirmed`,
/// goes on; else [`Failure::Unconfirmed`] with one question a date, in the way it was
/// written (era or Western) and against today's date in Japan.
pub fn confirm_future_dates(
    confirmed: bool,
    typed: &[(&'static str, &str)],
) -> Result<(), Failure> {
    let today = crate::today();
    let mut asks = mamori_domain::field::Confirmations::new();
    for (field, text) in typed {
        asks.past_date(field, text, today);
    }
    asks.settle(confirmed).map_err(Failure::Unconfirmed)
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        match error {
            StoreError::NotFound => Failure::NotFound,
            other => Failure::Store(other),
        }
    }
}

impl From<Vec<FieldProblem>> for Failure {
    fn from(problems: Vec<FieldProblem>) -> Failure {
        Failure::Invalid(problems)
    }
}
