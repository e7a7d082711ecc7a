//! Sign-in and sign-out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use mamori_domain::user::{LoginId, Role};
use mamori_store::sessions::{self, Stage};
use mamori_store::{Actor, AuditEntry};
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::http::auth::{self, MaybeSignedIn, Principal};
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, local_path, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    layout: Layout,
    login: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
    ApiQuery(query): ApiQuery<NextQuery>,
) -> Result<Response, AppError> {
    if principal.is_some_and(|p| p.session.is_some_and(|s| s.stage == Stage::Active)) {
        return Ok(see_other("/"));
    }
    let page = LoginPage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/login", None).await,
        login: String::new(),
        next: local_path(query.next.as_deref().unwrap_or("/")).to_owned(),
        error: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// What a password alone achieved.
pub enum SignInOutcome {
    /// A session at `stage`, with the cookie token.
    Session { stage: Stage, token: String },
    /// Wrong login, wrong password, locked or deactivated: deliberately indistinguishable.
    Refused,
    /// This client address has tried too often.
    RateLimited,
}

pub async fn mfa_required_roles(state: &AppState) -> Result<Vec<Role>, AppError> {
    Ok(mamori_app::users::security::mfa_required_roles(&state.app).await?)
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
    let typed: String = login_text.trim().chars().take(64).collect();
    let credentials = match LoginId::parse(login_text) {
        Ok(login) => mamori_store::users::credentials(&state.store, &login).await?,
        Err(_) => None,
    };
    let Some(credentials) = credentials else {
        // Spend the same time as a real check, so timing does not tell which logins exist.
        let _ = mamori_store::password::verify(password, dummy_hash().await).await;
        record(state, client_addr, "auth.sign_in_failed", "login", typed).await?;
        return Ok(SignInOutcome::Refused);
    };
    let user = &credentials.user;
    let now = time::OffsetDateTime::now_utc();
    let locked = credentials.locked_until.is_some_and(|until| until > now);
    let password_ok = mamori_store::password::verify(password, &credentials.password_hash).await;
    let actor = Actor {
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
        record(state, client_addr, action, "user", user.id.to_string()).await?;
        return Ok(SignInOutcome::Refused);
    }
    if !password_ok {
        let failures = u32::try_from(credentials.failed_attempts).unwrap_or(u32::MAX);
        let lock_until = state.config.lockout.after_failure(failures, now);
        let mut tx = state.store.write(actor).await?;
        tx.audit(AuditEntry::new("auth.sign_in_failed", "user").target(user.id))
            .await?;
        mamori_store::users::record_failure(&mut tx, user.id, lock_until).await?;
        tx.commit().await?;
        return Ok(SignInOutcome::Refused);
    }
    let required = mfa_required_roles(state).await?.contains(&user.role);
    let stage = if user.must_change_password {
        Stage::PasswordChange
    } else if credentials.totp_secret.is_some() {
        Stage::Mfa
    } else if required {
        Stage::MfaEnrol
    } else {
        Stage::Active
    };
    let mut tx = state.store.write(actor).await?;
    mamori_store::users::clear_failures(&mut tx, user.id).await?;
    let (session_id, token) = sessions::create(&mut tx, user.id, stage, user_agent).await?;
    tx.audit(
        AuditEntry::new("auth.sign_in", "session")
            .target(session_id)
            .change("stage", None::<&str>, stage.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(SignInOutcome::Session { stage, token })
}

async fn record(
    state: &AppState,
    client_addr: Option<String>,
    action: &'static str,
    target_type: &'static str,
    target: String,
) -> Result<(), AppError> {
    let actor = Actor {
        user_id: None,
        label: "anonymous".to_owned(),
        client_addr,
    };
    let mut tx = state.store.write(actor).await?;
    tx.audit(AuditEntry::new(action, target_type).target(target))
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn dummy_hash() -> &'static str {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            mamori_store::password::hash(&mamori_store::random_token())
                .await
                .unwrap_or_default()
        })
        .await
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

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    request_client: axum::extract::ConnectInfo<std::net::SocketAddr>,
    WebForm(form): WebForm<LoginForm>,
) -> Result<Response, AppError> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let outcome = sign_in(
        &state,
        Some(request_client.0.ip()),
        &form.login,
        &form.password,
        user_agent,
    )
    .await?;
    let (status, key) = match outcome {
        SignInOutcome::Session { stage, token } => {
            return Ok(auth::set_session_cookie(
                see_other(&stage_home(stage, &form.next)),
                &state,
                &token,
            ));
        }
        SignInOutcome::Refused => (StatusCode::UNAUTHORIZED, "auth.error.failed"),
        SignInOutcome::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "auth.error.rate_limited"),
    };
    let page = LoginPage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/login", None).await,
        login: form.login.chars().take(64).collect(),
        next: local_path(&form.next).to_owned(),
        error: Some(ctx.tr.t(key).to_owned()),
    };
    render(status, &page)
}

/// Ends this session on the server and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    if let Some(
        principal @ Principal {
            session: Some(_), ..
        },
    ) = principal
    {
        let session = principal.session.as_ref().expect("matched above");
        let mut tx = state.store.write(principal.actor()).await?;
        sessions::end(&mut tx, principal.user.id, session.id, "auth.sign_out").await?;
        tx.commit().await?;
    }
    Ok(auth::clear_session_cookie(see_other("/login"), &state))
}
