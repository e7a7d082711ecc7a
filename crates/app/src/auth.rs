//! Who is asking, as each request is authenticated: an API token or a session cookie
//! resolved to an active user, sessions kept alive or discarded, and the refusals the
//! web's guards record (cross-site requests).

use mamori_domain::session::SessionPolicy;
use mamori_store::{AuditEntry, sessions, tokens, users};
use time::OffsetDateTime;

use crate::{Acting, App, Failure};

pub use mamori_store::sessions::{Session, Stage};
pub use mamori_store::users::User;

/// The active user a live (not revoked) API token belongs to, noting its use.
pub async fn user_by_token(app: &App, token: &str) -> Result<Option<User>, Failure> {
    match tokens::authenticate(app.store(), token).await? {
        Some(user) if user.active => Ok(Some(user)),
        _ => Ok(None),
    }
}

/// The live session a cookie token names, with its active user. An expired session, or
/// one of a deactivated user, is discarded; a live one is kept alive (once a minute is
/// precise enough for a 30-minute idle timeout). Bookkeeping, not changes of record:
/// no audit entry.
pub async fn live_session(
    app: &App,
    token: &str,
    policy: &SessionPolicy,
) -> Result<Option<(User, Session)>, Failure> {
    let store = app.store();
    let Some(session) = sessions::find_by_token(store, token).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let live = policy.is_live(session.created_at, session.last_seen_at, now);
    let user = users::get(store, session.user_id).await?;
    if !live || !user.active {
        sessions::discard(store, session.id).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > time::Duration::seconds(60) {
        sessions::touch(store, session.id).await?;
    }
    Ok(Some((user, session)))
}

/// Records a state-changing request refused as cross-site (`why`: which check refused).
pub async fn record_csrf_refusal(app: &App, acting: &Acting, why: &str) {
    let recorded = async {
        let mut tx = app.store().write(acting.actor()).await?;
        tx.audit(AuditEntry::new("access.csrf_refused", "request").target(why))
            .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "could not record a refused cross-site request");
    }
}

/// The answer to a login and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// A session at `stage`, with the cookie token.
    Session { stage: Stage, token: String },
    /// Wrong login, wrong password, locked or deactivated: deliberately indistinguishable.
    Refused,
}

/// Checks a login and password: every refusal is recorded, failures count towards a
/// lock (`lockout`), and success opens a session at the stage still missing (password
/// change, second factor, enrolment) or fully signed in.
pub async fn check_password(
    app: &App,
    client_addr: Option<String>,
    login_text: &str,
    password: &str,
    user_agent: Option<&str>,
    lockout: &mamori_domain::session::LockoutPolicy,
) -> Result<PasswordCheck, Failure> {
    let typed: String = login_text.trim().chars().take(64).collect();
    let credentials = match mamori_domain::user::LoginId::parse(login_text) {
        Ok(login) => users::credentials(app.store(), &login).await?,
        Err(_) => None,
    };
    let Some(credentials) = credentials else {
        // Spend the same time as a real check, so timing does not tell which logins exist.
        let _ = mamori_store::password::verify(password, dummy_hash().await).await;
        record_anonymous(app, client_addr, "auth.sign_in_failed", "login", typed).await?;
        return Ok(PasswordCheck::Refused);
    };
    let user = &credentials.user;
    let now = OffsetDateTime::now_utc();
    let locked = credentials.locked_until.is_some_and(|until| until > now);
    let password_ok = mamori_store::password::verify(password, &credentials.password_hash).await;
    let actor = mamori_store::Actor {
        user_id: Some(user.id),
        label: user.login.clone(),
        client_addr: client_addr.clone(),
    };
    if locked || !user.active {
        let action = if locked {
            "auth.sign_in_locked"
        } else {
            "auth.sign_in_inactive"
        };
        record_anonymous(app, client_addr, action, "user", user.id.to_string()).await?;
        return Ok(PasswordCheck::Refused);
    }
    if !password_ok {
        let failures = u32::try_from(credentials.failed_attempts).unwrap_or(u32::MAX);
        let lock_until = lockout.after_failure(failures, now);
        let mut tx = app.store().write(actor).await?;
        tx.audit(AuditEntry::new("auth.sign_in_failed", "user").target(user.id))
            .await?;
        users::record_failure(&mut tx, user.id, lock_until).await?;
        tx.commit().await?;
        return Ok(PasswordCheck::Refused);
    }
    let required = crate::users::security::mfa_required_roles(app)
        .await?
        .contains(&user.role);
    let stage = if user.must_change_password {
        Stage::PasswordChange
    } else if credentials.totp_secret.is_some() {
        Stage::Mfa
    } else if required {
        Stage::MfaEnrol
    } else {
        Stage::Active
    };
    let mut tx = app.store().write(actor).await?;
    users::clear_failures(&mut tx, user.id).await?;
    let (session_id, token) = sessions::create(&mut tx, user.id, stage, user_agent).await?;
    tx.audit(
        AuditEntry::new("auth.sign_in", "session")
            .target(session_id)
            .change("stage", None::<&str>, stage.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(PasswordCheck::Session { stage, token })
}

/// Records what someone not (yet) signed in did.
async fn record_anonymous(
    app: &App,
    client_addr: Option<String>,
    action: &'static str,
    target_type: &'static str,
    target: String,
) -> Result<(), Failure> {
    let actor = mamori_store::Actor {
        user_id: None,
        label: "anonymous".to_owned(),
        client_addr,
    };
    let mut tx = app.store().write(actor).await?;
    tx.audit(AuditEntry::new(action, target_type).target(target))
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            mamori_store::password::hash(&mamori_store::random_token())
                .await
                .unwrap_or_default()
        })
        .await
}

/// Signs out: ends the session the request came with (`action`: `auth.sign_out`, or
/// `auth.sign_out` through the API).
pub async fn sign_out(
    app: &App,
    acting: &Acting,
    session_id: i64,
    action: &'static str,
) -> Result<(), Failure> {
    let user_id = acting.user_id().ok_or(Failure::NotFound)?;
    let mut tx = app.store().write(acting.actor()).await?;
    sessions::end(&mut tx, user_id, session_id, action).await?;
    tx.commit().await?;
    Ok(())
}

/// The second sign-in step of a session at [`Stage::Mfa`]: an authenticator code (each
/// used once) or a recovery code. On success the session moves to [`Stage::Active`]
/// under a new id and its cookie token is returned; a wrong code is the locale key of
/// the refusal, counted towards a lock (a locked account loses its half-finished
/// sign-in too).
pub async fn second_factor(
    app: &App,
    acting: &Acting,
    session: &Session,
    typed: &str,
    lockout: &mamori_domain::session::LockoutPolicy,
) -> Result<Result<String, &'static str>, Failure> {
    use mamori_domain::mfa::{self, TotpSecret};
    let user_id = acting.user_id().ok_or(Failure::NotFound)?;
    let (secret, last_step) = users::totp_state(app.store(), user_id).await?;
    let Some(secret) = secret.as_deref().and_then(TotpSecret::from_base32) else {
        return Ok(Err("mfa.error.wrong"));
    };
    let mut tx = app.store().write(acting.actor()).await?;
    let outcome = if let Some(code) = mfa::normalise_recovery_code(typed) {
        let hash = mfa::hash_recovery_code(&code);
        if users::consume_recovery_code(&mut tx, user_id, &hash).await? {
            Ok(())
        } else {
            Err("mfa.error.wrong")
        }
    } else {
        let last = last_step.and_then(|s| u64::try_from(s).ok());
        let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
        match mfa::verify(&secret, typed, now, last) {
            Ok(step) => {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                if users::consume_totp_step(&mut tx, user_id, step).await? {
                    Ok(())
                } else {
                    Err("mfa.error.reused")
                }
            }
            Err(problem) => Err(problem.message_key()),
        }
    };
    if let Err(key) = outcome {
        let user = users::get(app.store(), user_id).await?;
        let login =
            mamori_domain::user::LoginId::parse(&user.login).map_err(|_| Failure::NotFound)?;
        let failures = users::credentials(app.store(), &login)
            .await?
            .map(|c| u32::try_from(c.failed_attempts).unwrap_or(u32::MAX))
            .unwrap_or(0);
        let lock_until = lockout.after_failure(failures, OffsetDateTime::now_utc());
        tx.audit(AuditEntry::new("auth.mfa_failed", "user").target(user_id))
            .await?;
        users::record_failure(&mut tx, user_id, lock_until).await?;
        if lock_until.is_some() {
            sessions::end_all_for_user(&mut tx, user_id).await?;
        }
        tx.commit().await?;
        return Ok(Err(key));
    }
    users::clear_failures(&mut tx, user_id).await?;
    tx.audit(AuditEntry::new("auth.mfa_passed", "user").target(user_id))
        .await?;
    let token = sessions::advance(&mut tx, session, Stage::Active, "auth.sign_in").await?;
    tx.commit().await?;
    Ok(Ok(token))
}

/// The session a cookie token names, whatever its stage or age.
pub async fn session_by_token(app: &App, token: &str) -> Result<Option<Session>, Failure> {
    Ok(sessions::find_by_token(app.store(), token).await?)
}

/// Forgets a half-made session an API client cannot use (bookkeeping: no audit entry).
pub async fn discard_session(app: &App, session_id: i64) -> Result<(), Failure> {
    Ok(sessions::discard(app.store(), session_id).await?)
}

/// The user a session belongs to.
pub async fn session_user(app: &App, session: &Session) -> Result<User, Failure> {
    Ok(users::get(app.store(), session.user_id).await?)
}
