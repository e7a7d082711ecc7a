//! Sign-in and sign-out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use mamori_app::auth::{self as auth_app, Stage};

use crate::http::sign_in::{SignInOutcome, sign_in, stage_home};
use mamori_domain::user::Role;
use serde::Deserialize;

use crate::http::auth::{self, MaybeSignedIn, Principal};
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, local_path, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

#[derive(Template)]
#[template(path = "account/login.html")]
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

pub async fn mfa_required_roles(state: &AppState) -> Result<Vec<Role>, AppError> {
    Ok(mamori_app::users::security::mfa_required_roles(&state.app).await?)
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
        auth_app::sign_out(&state.app, &principal.acting, session.id, "auth.sign_out").await?;
    }
    Ok(auth::clear_session_cookie(see_other("/login"), &state))
}
