//! Routes every visitor uses: home, setup, sign-in, preferences, health, the API index and dates.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/", get(home::show)),
        (
            Method::POST,
            "/getting-started/dismiss",
            post(home::dismiss_getting_started),
        ),
        (
            Method::POST,
            "/getting-started/reopen",
            post(home::reopen_getting_started),
        ),
        (
            Method::GET,
            "/api/v1/me/waiting",
            get(api::home::my_waiting),
        ),
        (
            Method::GET,
            "/api/v1/getting-started",
            get(api::home::get_getting_started),
        ),
        (
            Method::POST,
            "/api/v1/getting-started/dismiss",
            post(api::home::dismiss_getting_started),
        ),
        (
            Method::POST,
            "/api/v1/getting-started/reopen",
            post(api::home::reopen_getting_started),
        ),
        (Method::GET, "/setup", get(setup::show)),
        (Method::POST, "/setup", post(setup::submit)),
        (Method::GET, "/login", get(login::show)),
        (Method::POST, "/login", post(login::submit)),
        (Method::POST, "/logout", post(login::sign_out)),
        (Method::GET, "/preferences", get(preferences::show)),
        (Method::POST, "/preferences", post(preferences::save)),
        (Method::GET, "/help/glossary", get(glossary::show)),
        (Method::GET, "/help", get(help::contents)),
        (Method::GET, "/help/{topic}", get(help::show)),
        (Method::GET, "/static/mamori.css", get(crate::stylesheet)),
        (
            Method::GET,
            "/static/choices.js",
            get(crate::choices_script),
        ),
        (
            Method::GET,
            "/static/print.css",
            get(crate::print_stylesheet),
        ),
        (Method::GET, "/static/print.js", get(crate::print_script)),
        (Method::GET, "/healthz", get(api::health)),
        (Method::GET, "/metrics", get(crate::http::metrics::metrics)),
        (
            Method::GET,
            "/api/v1/backups/status",
            get(api::backups::status),
        ),
        (Method::GET, "/api/openapi.json", get(api::openapi)),
        (Method::GET, "/api/v1", get(api::api_index)),
        (Method::GET, "/api/v1/eras", get(api::dates::list_eras)),
        (
            Method::GET,
            "/api/v1/glossary",
            get(api::glossary::list_terms),
        ),
        (
            Method::GET,
            "/api/v1/help/{topic}",
            get(api::help::get_topic),
        ),
        (
            Method::GET,
            "/api/v1/dates/parse",
            get(api::dates::parse_date),
        ),
    ]
}
