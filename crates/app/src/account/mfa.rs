//! One's own second factor (TOTP): its state, enrolment with fresh recovery codes, and
//! turning it off where the role does not require it.

use mamori_domain::field::FieldProblem;
use mamori_domain::mfa::{self, TotpSecret};
use mamori_store::sessions::{self, Session, Stage};
use mamori_store::users;
use time::OffsetDateTime;

use super::{own_id, own_write};
use crate::{Acting, App, Failure, Refusal};

/// What the second-factor page shows.
#[derive(Debug, Clone)]
pub struct MfaState {
    pub enrolled: bool,
    /// The role must use a second factor (it cannot be turned off).
    pub required: bool,
    pub unused_recovery_codes: i64,
    /// How an authenticator app names the account's issuer (`mamori 佐久市議会`).
    pub issuer: String,
}

pub async fn state(app: &App, acting: &Acting) -> Result<MfaState, Failure> {
    let id = own_id(acting)?;
    let (secret, _) = users::totp_state(app.store(), id).await?;
    let role = acting.role().ok_or(Failure::NotFound)?;
    let required = crate::users::security::mfa_required_roles(app)
        .await?
        .contains(&role);
    let issuer = crate::settings::organisation_name(app)
        .await
        .map(|org| format!("mamori {org}"))
        .unwrap_or_else(|| "mamori".to_owned());
    Ok(MfaState {
        enrolled: secret.is_some(),
        required,
        unused_recovery_codes: users::unused_recovery_codes(app.store(), id).await?,
        issuer,
    })
}

/// An enrolment done: the recovery codes to show once, and the new cookie token when
/// the session was waiting for this enrolment to become fully signed in.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub codes: Vec<String>,
    pub token: Option<String>,
}

/// Confirms enrolment with a first code from the authenticator.
pub async fn enable(
    app: &App,
    acting: &Acting,
    session: &Session,
    secret: &TotpSecret,
    code: &str,
) -> Result<Enrolled, Failure> {
    let id = own_id(acting)?;
    let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let step = mfa::verify(secret, code, now, None)
        .map_err(|p| Failure::invalid(FieldProblem::new("code", p.message_key())))?;
    let random: [u8; mfa::RECOVERY_RANDOM_BYTES] = std::array::from_fn(|_| rand::random());
    let codes = mfa::recovery_codes_from(&random);
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| mfa::normalise_recovery_code(c))
        .map(|c| mfa::hash_recovery_code(&c))
        .collect();
    let mut tx = own_write(app, acting).await?;
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    users::enable_totp(&mut tx, id, &secret.to_base32(), step, &hashes).await?;
    let token = if session.stage == Stage::MfaEnrol {
        Some(sessions::advance(&mut tx, session, Stage::Active, "auth.sign_in").await?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(Enrolled { codes, token })
}

/// Turns one's second factor off, with the password; refused where the role requires it.
pub async fn disable(app: &App, acting: &Acting, password: &str) -> Result<(), Failure> {
    let id = own_id(acting)?;
    if state(app, acting).await?.required {
        return Err(Failure::Conflict(Refusal::new(
            "mfa_required",
            "mfa.error.required",
        )));
    }
    let stored = users::password_hash(app.store(), id)
        .await?
        .unwrap_or_default();
    if !mamori_store::password::verify(password, &stored).await {
        return Err(Failure::invalid(FieldProblem::new(
            "password",
            "account.error.current_wrong",
        )));
    }
    let mut tx = own_write(app, acting).await?;
    users::disable_totp(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}
