//! First run: while no administrator exists, the one-time URL printed by `serve` opens a
//! form for the organisation's name and the first administrator.

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::setup::{self, SetupInput};
use mamori_domain::password;
use serde::Deserialize;
use std::net::SocketAddr;

use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::FieldError;
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::i18n::Tr;

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

#[derive(Template)]
#[template(path = "system/setup.html")]
struct SetupPage {
    t: Tr,
    layout: Layout,
    form: SetupForm,
    errors: Vec<FieldError>,
    password_hint: String,
}

impl SetupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "system/setup_done.html")]
struct SetupDonePage {
    t: Tr,
    layout: Layout,
    message: String,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// Refuses unless setup is open and the token is the live one.
async fn check_open(state: &AppState, token: &str) -> Result<(), AppError> {
    if !setup::is_open(&state.app).await? {
        state.close_setup();
        return Err(AppError::new(
            StatusCode::GONE,
            "setup_complete",
            "setup.error.complete",
        ));
    }
    if !state.setup_token_matches(token) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "setup_token_invalid",
            "setup.error.token",
        ));
    }
    Ok(())
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> Result<Response, AppError> {
    check_open(&state, &query.token).await?;
    let page = SetupPage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/setup", None).await,
        form: SetupForm {
            token: query.token,
            ..SetupForm::default()
        },
        errors: Vec::new(),
        password_hint: ctx.tr.f(
            "setup.password_hint",
            &[("min", password::MIN_CHARS.to_string())],
        ),
    };
    render(StatusCode::OK, &page)
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    WebForm(form): WebForm<SetupForm>,
) -> Result<Response, AppError> {
    check_open(&state, &form.token).await?;
    let input = SetupInput {
        organisation: form.organisation.clone(),
        display_name: form.display_name.clone(),
        login: form.login.clone(),
        password: form.password.clone(),
        password_confirm: form.password_confirm.clone(),
    };
    let client_addr = Some(client.ip().to_string());
    let (organisation, login) = match setup::complete_setup(&state.app, client_addr, input).await {
        Ok(done) => done,
        Err(Failure::Invalid(problems)) => {
            let errors = crate::http::forms::named_errors(&problems, &ctx.tr);
            return render_form(&state, &ctx, form, errors).await;
        }
        Err(Failure::Conflict(refusal)) => {
            return Err(AppError::new(StatusCode::GONE, refusal.code, refusal.key));
        }
        Err(other) => return Err(other.into()),
    };
    state.close_setup();
    tracing::info!(login = login.as_str(), "first-run setup complete");

    let page = SetupDonePage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/", None).await,
        message: ctx.tr.f(
            "setup.done",
            &[("organisation", organisation), ("login", login)],
        ),
    };
    render(StatusCode::OK, &page)
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    mut form: SetupForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    // Passwords are never sent back to the browser.
    form.password.clear();
    form.password_confirm.clear();
    let page = SetupPage {
        t: ctx.tr,
        layout: Layout::load(state, "", "/setup", None).await,
        form,
        errors,
        password_hint: ctx.tr.f(
            "setup.password_hint",
            &[("min", password::MIN_CHARS.to_string())],
        ),
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
