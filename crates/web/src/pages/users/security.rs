//! Security settings for administrators: locked logins, and the roles that must use a
//! second factor.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::users::security;
use mamori_domain::user::Role;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::parse_id;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// One login with failed attempts.
pub struct LockoutRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub failures: i64,
    /// Shown only while the lock holds.
    pub locked_until: Option<String>,
}

#[derive(Template)]
#[template(path = "users/security.html")]
struct SecurityPage {
    t: Tr,
    layout: Layout,
    lockouts: Vec<LockoutRow>,
    roles: Vec<(&'static str, bool)>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn security(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let settings = security::security_settings(&state.app, &signed.0.acting).await?;
    let page = SecurityPage {
        t: ctx.tr,
        layout: Layout::load(&state, "security", "/admin/security", Some(&signed.0)).await,
        lockouts: settings
            .lockouts
            .into_iter()
            .map(|l| LockoutRow {
                id: l.user.id,
                login: l.user.login,
                name: l.user.display_name,
                failures: l.failures,
                locked_until: l.locked_until.map(|t| ctx.datetime(t)),
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), settings.mfa_required.contains(r)))
            .collect(),
        saved: query.saved.is_some(),
    };
    render(StatusCode::OK, &page)
}

pub async fn save_mfa_roles(
    State(state): State<AppState>,
    signed: SignedIn,
    // Checkboxes repeat the field name, which a struct cannot hold: read the pairs.
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let codes: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.as_str())
        .collect();
    match security::set_mfa_required_roles(&state.app, &signed.0.acting, &codes).await {
        Ok(_) => Ok(see_other("/admin/security?saved=1")),
        // Only a forged form sends a role that is not a checkbox of the page.
        Err(Failure::Invalid(_)) => Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_choice",
            "error.invalid_choice",
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn lift_lockout(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    security::lift_lockout(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(see_other("/admin/security?saved=1"))
}
