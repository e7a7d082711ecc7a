//! The one sign-in rule set, shared by the sign-in page and `POST /api/v1/session`: the
//! rate limit per client address, the password check, and where a session goes next.

use mamori_app::auth::{self as auth_app, PasswordCheck, Stage};

use crate::http::error::AppError;
use crate::http::local_path;
use crate::state::AppState;

/// What a password alone achieved.
pub enum SignInOutcome {
    /// A session at `stage`, with the cookie token.
    Session { stage: Stage, token: String },
    /// Wrong login, wrong password, locked or deactivated: deliberately indistinguishable.
    Refused,
    /// This client address has tried too often.
    RateLimited,
}

/// The one sign-in rule set, shared by the page and `POST /api/v1/session`.
pub async fn sign_in(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    login_text: &str,
    password: &str,
    user_agent: Option<&str>,
) -> Result<SignInOutcome, AppError> {
    if let Some(ip) = client
        && state.sign_in_blocked(ip)
    {
        return Ok(SignInOutcome::RateLimited);
    }
    let outcome = check_password(state, client, login_text, password, user_agent).await?;
    if let (Some(ip), SignInOutcome::Refused) = (client, &outcome) {
        state.record_sign_in_failure(ip);
    }
    Ok(outcome)
}

async fn check_password(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    login_text: &str,
    password: &str,
    user_agent: Option<&str>,
) -> Result<SignInOutcome, AppError> {
    let client_addr = client.map(|ip| ip.to_string());
    let lockout = &state.config.lockout;
    let checked = auth_app::check_password(
        &state.app,
        client_addr,
        login_text,
        password,
        user_agent,
        lockout,
    )
    .await?;
    Ok(match checked {
        PasswordCheck::Session { stage, token } => SignInOutcome::Session { stage, token },
        PasswordCheck::Refused => SignInOutcome::Refused,
    })
}

/// Where a session at `stage` goes next.
pub fn stage_home(stage: Stage, next: &str) -> String {
    match stage {
        Stage::Active => local_path(next).to_owned(),
        Stage::Mfa => "/login/mfa".to_owned(),
        Stage::MfaEnrol => "/account/mfa".to_owned(),
        Stage::PasswordChange => "/account/password".to_owned(),
    }
}
