//! Routes for accounts, sessions and tokens, users, security settings and the audit trail.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/login/mfa", get(account::second_step_form)),
        (Method::POST, "/login/mfa", post(account::second_step)),
        (Method::GET, "/account", get(account::show)),
        (
            Method::GET,
            "/account/password",
            get(account::password_form),
        ),
        (
            Method::POST,
            "/account/password",
            post(account::change_password),
        ),
        (Method::POST, "/account/reading", post(account::set_reading)),
        (Method::GET, "/account/mfa", get(account::mfa_page)),
        (Method::POST, "/account/mfa", post(account::enable_mfa)),
        (
            Method::POST,
            "/account/mfa/disable",
            post(account::disable_mfa),
        ),
        (
            Method::GET,
            "/account/sessions",
            get(account::sessions_page),
        ),
        (
            Method::POST,
            "/account/sessions/{id}/end",
            post(account::end_session),
        ),
        (Method::GET, "/account/tokens", get(account::tokens)),
        (Method::POST, "/account/tokens", post(account::create_token)),
        (
            Method::POST,
            "/account/tokens/{id}/revoke",
            post(account::revoke_token),
        ),
        (
            Method::GET,
            "/admin/security",
            get(users::security::security),
        ),
        (
            Method::POST,
            "/admin/security/mfa-roles",
            post(users::security::save_mfa_roles),
        ),
        (
            Method::POST,
            "/admin/security/lockouts/{id}/lift",
            post(users::security::lift_lockout),
        ),
        (Method::POST, "/api/v1/session", post(api::session::start)),
        (Method::DELETE, "/api/v1/session", delete(api::session::end)),
        (Method::GET, "/api/v1/me", get(api::session::me)),
        (
            Method::POST,
            "/api/v1/me/password",
            post(api::session::change_password),
        ),
        (
            Method::PUT,
            "/api/v1/me/reading",
            put(api::session::set_reading),
        ),
        (
            Method::GET,
            "/api/v1/me/sessions",
            get(api::session::list_sessions),
        ),
        (
            Method::DELETE,
            "/api/v1/me/sessions/{id}",
            delete(api::session::end_session),
        ),
        (
            Method::GET,
            "/api/v1/tokens",
            get(api::session::list_tokens),
        ),
        (
            Method::POST,
            "/api/v1/tokens",
            post(api::session::create_token),
        ),
        (
            Method::DELETE,
            "/api/v1/tokens/{id}",
            delete(api::session::revoke_token),
        ),
        (Method::GET, "/users", get(users::list)),
        (Method::GET, "/users/new", get(users::new_form)),
        (Method::POST, "/users/new", post(users::create)),
        (Method::GET, "/users/{id}", get(users::show)),
        (Method::POST, "/users/{id}", post(users::update)),
        (
            Method::POST,
            "/users/{id}/password",
            post(users::reset_password),
        ),
        (
            Method::POST,
            "/users/{id}/mfa-reset",
            post(users::reset_mfa),
        ),
        (Method::GET, "/api/v1/users", get(api::users::list_users)),
        (
            Method::POST,
            "/api/v1/users",
            post(api::users::create_user_api),
        ),
        (Method::GET, "/api/v1/users/{id}", get(api::users::get_user)),
        (
            Method::PATCH,
            "/api/v1/users/{id}",
            patch(api::users::update_user),
        ),
        (
            Method::PUT,
            "/api/v1/users/{id}/posts",
            put(api::users::set_posts),
        ),
        (
            Method::POST,
            "/api/v1/users/{id}/password-reset",
            post(api::users::reset_password),
        ),
        (
            Method::POST,
            "/api/v1/users/{id}/mfa-reset",
            post(api::users::reset_mfa),
        ),
        (Method::GET, "/api/v1/security", get(api::security::show)),
        (Method::PUT, "/api/v1/security", put(api::security::update)),
        (
            Method::POST,
            "/api/v1/security/lockouts/{id}/lift",
            post(api::security::lift_lockout),
        ),
        (Method::GET, "/audit", get(audit::show)),
        (Method::GET, "/audit.csv", get(audit::export_csv)),
        (Method::POST, "/audit/verify", post(audit::verify_now)),
        (Method::GET, "/audit/anchor", get(audit::anchor::show)),
        (
            Method::POST,
            "/audit/anchor/check",
            post(audit::anchor::check),
        ),
        (
            Method::POST,
            "/audit/anchor/recipients",
            post(audit::anchor::choose),
        ),
        (Method::GET, "/api/v1/audit", get(api::audit::list)),
        (
            Method::GET,
            "/api/v1/audit/checks",
            get(api::audit_checks::status),
        ),
        (
            Method::POST,
            "/api/v1/audit/checks",
            post(api::audit_checks::check_now),
        ),
        (
            Method::GET,
            "/api/v1/audit/anchor",
            get(api::audit_checks::anchor),
        ),
        (
            Method::GET,
            "/api/v1/audit/anchor/recipients",
            get(api::audit_anchor::recipients),
        ),
        (
            Method::PUT,
            "/api/v1/audit/anchor/recipients",
            put(api::audit_anchor::choose_recipients),
        ),
        (
            Method::POST,
            "/api/v1/audit/anchor/check",
            post(api::audit_anchor::check),
        ),
        (
            Method::GET,
            "/api/v1/audit/export.csv",
            get(api::audit::export_csv),
        ),
    ]
}
