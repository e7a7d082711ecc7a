//! Pages of the cycle blocks: the calendar the administrator keeps, the reviews due,
//! and the corrective-actions register.

pub mod actions;
pub mod calendar;
pub mod reviews;

use mamori_domain::field::FieldProblem;

use crate::http::error::AppError;
pub use crate::http::params::cycle::{assignee_label, due_label, parse_subject, record_label};

/// The problems of a refused form, or the failure as an error page.
pub fn problems_of(
    failure: mamori_app::Failure,
    conflict_field: &'static str,
) -> Result<Vec<FieldProblem>, AppError> {
    match failure {
        mamori_app::Failure::Invalid(problems) | mamori_app::Failure::Unconfirmed(problems) => {
            Ok(problems)
        }
        mamori_app::Failure::Conflict(refusal) => Ok(vec![FieldProblem {
            field: conflict_field,
            key: refusal.key,
            params: refusal.params,
        }]),
        other => Err(other.into()),
    }
}
