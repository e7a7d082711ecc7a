//! Security settings over the API, for administrators, on the same use cases as the
//! security page: the roles that must use a second factor, and locked logins.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use mamori_app::users::security::{self, SecuritySettings};
use mamori_domain::access::{Act, Register};
use mamori_domain::user::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A login with failed sign-in attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct LockoutOut {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    /// Failed attempts since the last successful sign-in.
    pub failures: i64,
    /// RFC 3339, UTC; present only while the login is locked.
    pub locked_until: Option<String>,
}

/// The installation's security settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityOut {
    /// The system roles that must use a second factor.
    #[schema(example = json!(["admin", "security_officer"]))]
    #[schema(value_type = Vec<crate::api::codes::Role>)]
    pub mfa_required_roles: Vec<String>,
    pub lockouts: Vec<LockoutOut>,
}

/// The settings to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mfa_required_roles": ["admin", "security_officer"]}))]
pub struct SecurityIn {
    /// Any of `admin`, `security_officer`, `user`, `auditor`, `contractor`; replaces the set.
    #[schema(value_type = Vec<crate::api::codes::Role>)]
    pub mfa_required_roles: Vec<String>,
}

fn codes(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_owned()).collect()
}

impl From<SecuritySettings> for SecurityOut {
    fn from(s: SecuritySettings) -> SecurityOut {
        SecurityOut {
            mfa_required_roles: codes(&s.mfa_required),
            lockouts: s
                .lockouts
                .into_iter()
                .map(|l| LockoutOut {
                    user_id: l.user.id,
                    login: l.user.login,
                    display_name: l.user.display_name,
                    failures: l.failures,
                    locked_until: l.locked_until.map(crate::api::dates::timestamp),
                })
                .collect(),
        }
    }
}

/// The roles that must use a second factor, and logins with failed attempts.
#[utoipa::path(get, path = "/api/v1/security", tag = "security",
    responses(
        (status = 200, body = SecurityOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<SecurityOut>, AppError> {
    let settings = security::security_settings(&state.app, &signed.0.acting).await?;
    Ok(Json(SecurityOut::from(settings)))
}

/// Sets the roles that must use a second factor (recorded even when unchanged).
#[utoipa::path(put, path = "/api/v1/security", tag = "security", request_body = SecurityIn,
    responses(
        (status = 200, body = SecurityOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "An unknown role"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<SecurityOut>, AppError> {
    let acting = &signed.0.acting;
    // The body is read after the access check.
    state
        .app
        .permit(acting, Register::Security, Act::Edit, "admin.security")
        .await?;
    let input: SecurityIn = read_json(request).await?;
    security::set_mfa_required_roles(&state.app, acting, &input.mfa_required_roles).await?;
    let settings = security::security_settings(&state.app, acting).await?;
    Ok(Json(SecurityOut::from(settings)))
}

/// Lifts the lock of a login and forgets its failed attempts.
#[utoipa::path(post, path = "/api/v1/security/lockouts/{id}/lift", tag = "security",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Lifted"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn lift_lockout(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    security::lift_lockout(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(show, update, lift_lockout),
    components(schemas(SecurityOut, SecurityIn, LockoutOut))
)]
pub struct Doc;
