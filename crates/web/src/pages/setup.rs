//! First run: while no administrator exists, the one-time URL printed by `serve` opens a
//! form for the organisation's name and the first administrator.

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::user::{DISPLAY_NAME_MAX, LoginId, Role, UserType};
use mamori_domain::{password, text};
use mamori_store::{Actor, AuditEntry};
use serde::Deserialize;
use std::net::SocketAddr;

use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::i18n::Tr;

pub const ORGANISATION_NAME_MAX: usize = 100;

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

/// A message under one field of the form.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: Tr,
    layout: Layout,
    form: SetupForm,
    errors: Vec<FieldError>,
    password_hint: String,
}

impl SetupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "setup_done.html")]
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
    if mamori_store::users::active_admin_exists(&state.store).await? {
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
    let tr = ctx.tr;
    let mut errors = Vec::new();
    let mut refuse = |field: &'static str, key: &str, params: Vec<(&'static str, String)>| {
        errors.push(FieldError {
            field,
            message: tr.f(key, &params),
        })
    };
    let organisation = text::single_line(&form.organisation, ORGANISATION_NAME_MAX)
        .map_err(|p| refuse("organisation", p.message_key(), p.params()))
        .ok();
    let display_name = text::single_line(&form.display_name, DISPLAY_NAME_MAX)
        .map_err(|p| refuse("display_name", p.message_key(), p.params()))
        .ok();
    let login = LoginId::parse(&form.login)
        .map_err(|p| refuse("login", p.message_key(), p.params()))
        .ok();
    if let Err(p) = password::check(login.as_ref().map_or("", |l| l.as_str()), &form.password) {
        refuse("password", p.message_key(), p.params());
    } else if form.password != form.password_confirm {
        refuse("password_confirm", "password.error.mismatch", Vec::new());
    }
    let (Some(organisation), Some(display_name), Some(login), true) =
        (organisation, display_name, login, errors.is_empty())
    else {
        return render_form(&state, &ctx, form, errors).await;
    };

    let password_hash = mamori_store::password::hash(&form.password).await?;
    let actor = Actor {
        user_id: None,
        label: "setup".to_owned(),
        client_addr: Some(client.ip().to_string()),
    };
    let mut tx = state.store.write(actor).await?;
    // Checked again under the write lock: two setups racing create one administrator.
    if mamori_store::users::active_admin_exists_in(&mut tx).await? {
        return Err(AppError::new(
            StatusCode::GONE,
            "setup_complete",
            "setup.error.complete",
        ));
    }
    mamori_store::settings::set(
        &mut tx,
        mamori_store::settings::ORGANISATION_NAME,
        &organisation,
    )
    .await?;
    mamori_store::users::create(
        &mut tx,
        mamori_store::users::NewUser {
            login: &login,
            display_name: &display_name,
            role: Role::Admin,
            user_type: UserType::Staff,
            password_hash: &password_hash,
            must_change_password: false,
        },
    )
    .await?;
    tx.audit(AuditEntry::new("setup.complete", "organisation").change(
        "organisation",
        None::<&str>,
        &organisation,
    ))
    .await?;
    tx.commit().await?;
    state.close_setup();
    tracing::info!(login = login.as_str(), "first-run setup complete");

    let page = SetupDonePage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/", None).await,
        message: ctx.tr.f(
            "setup.done",
            &[
                ("organisation", organisation),
                ("login", login.as_str().to_owned()),
            ],
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
