//! The web application: HTML pages and the `/api/v1` JSON API side by side.

pub mod api;
pub mod http;
pub mod pages;
pub mod routes;
pub mod state;
pub mod tls;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

pub use state::{AppState, WebConfig};

use http::error::AppError;

/// Largest request body accepted (forms and JSON). Imports that need more get their own limit.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Every route: method, path and handler. The router is built from this list, and the
/// access test walks it for every role (see `tests/access.rs` and `tests/access.toml`).
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    [
        routes::system::routes(),
        routes::people::routes(),
        routes::policies::routes(),
        routes::assets::routes(),
        routes::risks::routes(),
        routes::notify::routes(),
        routes::approvals::routes(),
        routes::exceptions::routes(),
        routes::retention::routes(),
        routes::organisation::routes(),
        routes::awareness::routes(),
        routes::training::routes(),
        routes::term_changes::routes(),
        routes::incidents::routes(),
        routes::incident_reports::routes(),
        routes::continuity::routes(),
        routes::cycle::routes(),
        routes::files::routes(),
    ]
    .concat()
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
        // Inside the CSRF guard: a refused cross-site request claims no key.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::once::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(http::error::localise_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::auth::authenticate,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                let ctx = http::context::Ctx::from_headers(&axum::http::HeaderMap::new());
                http::error::render_error(&AppError::internal(), &ctx, false)
            },
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        // Outermost, so that every response carries the headers, errors included.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::headers::security_headers,
        ))
        // Around everything, so that refusals and timeouts are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::metrics::count_requests,
        ))
        // Before anything reads the client's address.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::forwarded::forwarded_client,
        ))
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::not_found()
}

async fn method_not_allowed() -> AppError {
    AppError::method_not_allowed()
}

pub(crate) async fn stylesheet() -> Response {
    embedded(
        "text/css; charset=utf-8",
        include_str!("../static/mamori.css"),
    )
}

/// The print rules of every page (A4, the header on each sheet, page numbers).
pub(crate) async fn print_stylesheet() -> Response {
    embedded(
        "text/css; charset=utf-8",
        include_str!("../static/print.css"),
    )
}

/// The print buttons' script: the CSP allows scripts from this site only, not inline.
pub(crate) async fn print_script() -> Response {
    embedded(
        "text/javascript; charset=utf-8",
        include_str!("../static/print.js"),
    )
}

/// A file built into the binary, cached for an hour.
fn embedded(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// The filter box of long check-box lists (a risk's assets): scripts may not be inline.
pub async fn choices_script() -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/choices.js"),
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
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    // Registered now, not when first polled: a signal sent right after the server says
    // it is listening must find the handler in place instead of killing the process.
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let interrupt = async {
                match interrupt.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            let terminate = async {
                match terminate.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = interrupt => {},
                _ = terminate => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    }
}
