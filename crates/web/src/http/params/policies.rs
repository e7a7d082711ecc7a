//! What the policy pages and the policy API both say when a use case refuses: an
//! unreadable policy text, and an acknowledgement by someone the policy does not bind.

use axum::http::StatusCode;
use mamori_app::{Failure, Permit};
use mamori_domain::access::{Act, Register};
use mamori_domain::policy_lifecycle;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

/// A use case's failure, with a text that cannot be read named `invalid_policy_text`
/// (413 when too large), as pages and the API have always said.
pub fn policy_error(failure: Failure) -> AppError {
    match failure {
        Failure::Invalid(problems) if problems.len() == 1 && problems[0].field == "text" => {
            let key = problems[0].key;
            let status = if key == mamori_app::policies::too_large_key() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            AppError {
                params: problems[0].params.clone(),
                ..AppError::new(status, "invalid_policy_text", key)
            }
        }
        other => other.into(),
    }
}

/// Refuses (403, recorded in the audit trail) anyone who may not read policies or whom
/// the policy does not bind (contractors and others are not asked to acknowledge), before
/// the body is read.
pub async fn refuse_unbound<'a>(
    state: &AppState,
    signed: &'a SignedIn,
) -> Result<Permit<'a>, AppError> {
    let acting = &signed.0.acting;
    let what = "policies.acknowledge";
    let permit = (state.app)
        .permit(acting, Register::Policies, Act::Read, what)
        .await?;
    if !policy_lifecycle::must_acknowledge(signed.user().user_type) {
        state.app.record_denial(acting, what).await;
        return Err(not_bound());
    }
    Ok(permit)
}

fn not_bound() -> AppError {
    AppError {
        message_key: "policy.ack.error.not_bound",
        ..AppError::forbidden()
    }
}

/// The use case's failure, a refusal to someone not bound saying so.
pub fn ack_error(failure: Failure) -> AppError {
    match failure {
        Failure::Denied { .. } => not_bound(),
        other => other.into(),
    }
}
