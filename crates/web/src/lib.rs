//! The web application: HTML pages and the `/api/v1` JSON API side by side.

pub mod api;
pub mod asset_files;
pub mod auth;
pub mod backups;
pub mod context;
pub mod error;
pub mod extract;
pub mod headers;
pub mod i18n;
pub mod pages;
pub mod state;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};

pub use state::{AppState, WebConfig};

use error::AppError;

/// Largest request body accepted (forms and JSON). Imports that need more get their own limit.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Every route: method, path and handler. The router is built from this list, and the
/// access test walks it for every role (see `tests/access.rs` and `tests/access.toml`).
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use pages::*;
    vec![
        (Method::GET, "/", get(home::show)),
        (Method::GET, "/setup", get(setup::show)),
        (Method::POST, "/setup", post(setup::submit)),
        (Method::GET, "/login", get(login::show)),
        (Method::POST, "/login", post(login::submit)),
        (Method::POST, "/logout", post(login::sign_out)),
        (Method::GET, "/preferences", get(preferences::show)),
        (Method::POST, "/preferences", post(preferences::save)),
        (Method::GET, "/static/mamori.css", get(stylesheet)),
        (Method::GET, "/healthz", get(api::health)),
        (Method::GET, "/api/openapi.json", get(api::openapi)),
        (Method::GET, "/api/v1", get(api::api_index)),
        (Method::GET, "/api/v1/eras", get(api::dates::list_eras)),
        (
            Method::GET,
            "/api/v1/dates/parse",
            get(api::dates::parse_date),
        ),
        // -- account routes --
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
        (Method::GET, "/admin/security", get(admin::security)),
        (
            Method::POST,
            "/admin/security/mfa-roles",
            post(admin::save_mfa_roles),
        ),
        (
            Method::POST,
            "/admin/security/lockouts/{id}/lift",
            post(admin::lift_lockout),
        ),
        (Method::POST, "/api/v1/session", post(api::session::start)),
        (Method::DELETE, "/api/v1/session", delete(api::session::end)),
        (Method::GET, "/api/v1/me", get(api::session::me)),
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
        // -- policy routes --
        (Method::GET, "/policies", get(policies::list)),
        (Method::GET, "/policies/import", get(policies::import_form)),
        (Method::POST, "/policies/import", post(policies::preview)),
        (Method::POST, "/policies/import/save", post(policies::save)),
        (Method::GET, "/policies/{id}", get(policies::show_document)),
        (
            Method::GET,
            "/policies/{id}/versions/{vid}",
            get(policies::show_version),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/approve",
            post(policies::approve),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/publish",
            post(policies::publish),
        ),
        (
            Method::GET,
            "/policies/{id}/compare",
            get(policies::compare),
        ),
        (
            Method::GET,
            "/policies/{id}/clauses/{reference}",
            get(policies::clause),
        ),
        (
            Method::POST,
            "/policies/{id}/reviews",
            post(policies::add_review),
        ),
        (Method::GET, "/public/policy", get(policies::public_policy)),
        // -- acknowledgement routes --
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/acknowledge",
            post(policy_acks::acknowledge),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements",
            get(policy_acks::show),
        ),
        (
            Method::POST,
            "/policies/{id}/acknowledgements/remind",
            post(policy_acks::remind),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements.csv",
            get(policy_acks::export_csv),
        ),
        (
            Method::GET,
            "/api/v1/policies",
            get(api::policies::list_policies),
        ),
        (
            Method::POST,
            "/api/v1/policies/import",
            post(api::policies::import_policy),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}",
            get(api::policies::get_policy),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/publish",
            post(api::policies::publish_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/acknowledge",
            post(api::policies::acknowledge),
        ),
        // -- users routes --
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
        // -- audit routes --
        (Method::GET, "/audit", get(audit::show)),
        (Method::GET, "/audit.csv", get(audit::export_csv)),
        (Method::GET, "/api/v1/audit", get(api::audit::list)),
        // -- asset routes --
        (Method::GET, "/assets", get(assets::list)),
        (Method::GET, "/assets/new", get(assets::new_form)),
        (Method::POST, "/assets/new", post(assets::create)),
        (Method::GET, "/assets/{id}", get(assets::show)),
        (Method::GET, "/assets/{id}/edit", get(assets::edit_form)),
        (Method::POST, "/assets/{id}", post(assets::update)),
        (
            Method::POST,
            "/assets/{id}/events",
            post(assets::record_event),
        ),
        (
            Method::POST,
            "/assets/{id}/events/{eid}/decide",
            post(assets::decide_event),
        ),
        (Method::GET, "/api/v1/assets", get(api::assets::list_assets)),
        (
            Method::POST,
            "/api/v1/assets",
            post(api::assets::create_asset),
        ),
        (
            Method::GET,
            "/api/v1/assets/{id}",
            get(api::assets::get_asset),
        ),
        // -- asset file routes --
        (
            Method::GET,
            "/assets/import",
            get(asset_import::import_form),
        ),
        (
            Method::POST,
            "/assets/import",
            post(asset_import::upload).layer(DefaultBodyLimit::max(asset_import::BODY_LIMIT)),
        ),
        (
            Method::POST,
            "/assets/import/preview",
            post(asset_import::preview),
        ),
        (
            Method::POST,
            "/assets/import/confirm",
            post(asset_import::confirm),
        ),
        (
            Method::GET,
            "/assets/export.xlsx",
            get(asset_export::export_xlsx),
        ),
        (
            Method::GET,
            "/assets/export.csv",
            get(asset_export::export_csv),
        ),
        // -- classification routes --
        (
            Method::GET,
            "/settings/classification",
            get(classification::show),
        ),
        (
            Method::POST,
            "/settings/classification/activate",
            post(classification::activate),
        ),
        (
            Method::GET,
            "/settings/classification/levels/{id}",
            get(classification::edit_level),
        ),
        (
            Method::POST,
            "/settings/classification/levels/{id}",
            post(classification::save_level),
        ),
        (
            Method::GET,
            "/api/v1/classification",
            get(api::classification::get_classification),
        ),
        (Method::GET, "/assets/labels", get(asset_labels::show)),
        (
            Method::GET,
            "/static/labels.css",
            get(asset_labels::stylesheet),
        ),
        (Method::GET, "/static/labels.js", get(asset_labels::script)),
        // -- threat and matrix routes --
        (Method::GET, "/threats", get(threats::list)),
        (Method::POST, "/threats", post(threats::create_threat)),
        (Method::GET, "/threats/{id}", get(threats::edit)),
        (Method::POST, "/threats/{id}", post(threats::save)),
        (Method::POST, "/threats/{id}/retire", post(threats::retire)),
        (
            Method::POST,
            "/threats/{id}/restore",
            post(threats::restore),
        ),
        (Method::GET, "/risks/matrix", get(risk_matrix::show)),
        (Method::POST, "/risks/matrix", post(risk_matrix::save)),
        (Method::GET, "/risks/matrix/edit", get(risk_matrix::edit)),
        (
            Method::GET,
            "/risks/matrix/colours.css",
            get(risk_matrix::stylesheet),
        ),
        (
            Method::GET,
            "/api/v1/threats",
            get(api::threats::list_threats),
        ),
        (
            Method::POST,
            "/api/v1/threats",
            post(api::threats::create_threat),
        ),
        (
            Method::GET,
            "/api/v1/threats/{id}",
            get(api::threats::get_threat),
        ),
        (
            Method::PATCH,
            "/api/v1/threats/{id}",
            patch(api::threats::update_threat),
        ),
        (
            Method::GET,
            "/api/v1/risk-matrix",
            get(api::threats::get_risk_matrix),
        ),
        // -- risk routes --
        (Method::GET, "/risks", get(risks::list)),
        (Method::POST, "/risks", post(risks::create)),
        (Method::GET, "/risks/new", get(risks::new_form)),
        (Method::GET, "/risks/export.xlsx", get(risks::export_xlsx)),
        (Method::GET, "/risks/export.csv", get(risks::export_csv)),
        (Method::GET, "/risks/analyses", get(risk_analyses::list)),
        (Method::POST, "/risks/analyses", post(risk_analyses::freeze)),
        (
            Method::GET,
            "/risks/analyses/compare",
            get(risk_analyses::compare),
        ),
        (
            Method::GET,
            "/risks/analyses/{id}",
            get(risk_analyses::show),
        ),
        (Method::GET, "/risks/{id}", get(risks::show)),
        (Method::POST, "/risks/{id}", post(risks::update)),
        (Method::GET, "/risks/{id}/edit", get(risks::edit_form)),
        (Method::POST, "/risks/{id}/actions", post(risks::add_action)),
        (
            Method::POST,
            "/risks/{id}/actions/{aid}/complete",
            post(risks::complete_action),
        ),
        (
            Method::POST,
            "/risks/{id}/acceptances",
            post(risks::propose_acceptance),
        ),
        (
            Method::POST,
            "/risks/{id}/acceptances/{aid}/decide",
            post(risks::decide_acceptance),
        ),
        (Method::GET, "/api/v1/risks", get(api::risks::list_risks)),
        (Method::POST, "/api/v1/risks", post(api::risks::create_risk)),
        (Method::GET, "/api/v1/risks/{id}", get(api::risks::get_risk)),
        (
            Method::GET,
            "/api/v1/risk-analyses",
            get(api::risks::list_analyses),
        ),
        (
            Method::GET,
            "/api/v1/risk-analyses/{id}",
            get(api::risks::get_analysis),
        ),
    ]
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(error::localise_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                let ctx = context::Ctx::from_headers(&axum::http::HeaderMap::new());
                error::render_error(&AppError::internal(), &ctx, false)
            },
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        // Outermost, so that every response carries the headers, errors included.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::not_found()
}

async fn method_not_allowed() -> AppError {
    AppError::method_not_allowed()
}

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/mamori.css"),
    )
        .into_response()
}

/// Serves until `shutdown` completes; requests in flight finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
