//! Security settings for administrators: locked logins, and the roles that must use a
//! second factor.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::user::Role;
use mamori_store::{AuditEntry, users};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::login::mfa_required_roles;
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// One login with failed attempts: (user id, login, name, failures, locked until).
pub struct LockoutRow {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub failures: i64,
    pub locked_until: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_security.html")]
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
    signed
        .require(&state, &[Role::Admin], "admin.security")
        .await?;
    let now = time::OffsetDateTime::now_utc();
    let lockouts = users::with_failures(&state.store)
        .await?
        .into_iter()
        .map(|(user, failures, until)| LockoutRow {
            id: user.id,
            login: user.login,
            name: user.display_name,
            failures,
            locked_until: until
                .as_deref()
                .and_then(mamori_store::parse_timestamp)
                .filter(|t| *t > now)
                .map(|t| ctx.datetime(t)),
        })
        .collect();
    let required = mfa_required_roles(&state).await?;
    let page = SecurityPage {
        t: ctx.tr,
        layout: Layout::load(&state, "security", "/admin/security", Some(&signed.0)).await,
        lockouts,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), required.contains(r)))
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
    signed
        .require(&state, &[Role::Admin], "admin.security")
        .await?;
    let mut roles = Vec::new();
    for name in pairs.iter().filter(|(k, _)| k == "roles").map(|(_, v)| v) {
        let role = Role::parse(name).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_choice",
                "error.invalid_choice",
            )
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let value = Role::ALL
        .iter()
        .filter(|r| roles.contains(r))
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let mut tx = state.store.write(signed.0.actor()).await?;
    mamori_store::settings::set(&mut tx, mamori_store::settings::MFA_REQUIRED_ROLES, &value)
        .await?;
    // `set` writes no entry when nothing changed; a save is still a deliberate act.
    tx.audit(
        AuditEntry::new("setting.update", "setting")
            .target(mamori_store::settings::MFA_REQUIRED_ROLES)
            .change("saved", None::<&str>, &value),
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/security?saved=1"))
}

pub async fn lift_lockout(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    signed
        .require(&state, &[Role::Admin], "admin.security")
        .await?;
    users::get(&state.store, id).await?;
    let mut tx = state.store.write(signed.0.actor()).await?;
    users::clear_failures(&mut tx, id).await?;
    tx.audit(AuditEntry::new("auth.lockout_lifted", "user").target(id))
        .await?;
    tx.commit().await?;
    Ok(see_other("/admin/security?saved=1"))
}
