//! Routes for term changes (改選): pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::pages::term_changes as pages;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::term_changes as api;
    vec![
        (Method::GET, "/term-changes", get(pages::list)),
        (Method::GET, "/term-changes/new", get(pages::new_form)),
        (Method::POST, "/term-changes/new", post(pages::create)),
        (Method::GET, "/term-changes/{id}", get(pages::show)),
        (
            Method::POST,
            "/term-changes/{id}/people",
            post(pages::add_person),
        ),
        (
            Method::POST,
            "/term-changes/{id}/people/{pid}/remove",
            post(pages::remove_person),
        ),
        (
            Method::POST,
            "/term-changes/{id}/people/{pid}/account",
            post(pages::link_account),
        ),
        (
            Method::POST,
            "/term-changes/{id}/people/{pid}/marks",
            post(pages::add_mark),
        ),
        (
            Method::POST,
            "/term-changes/{id}/marks/{mid}",
            post(pages::set_mark),
        ),
        (
            Method::POST,
            "/term-changes/{id}/carry-out",
            post(pages::carry_out),
        ),
        (Method::GET, "/api/v1/term-changes", get(api::list_changes)),
        (
            Method::POST,
            "/api/v1/term-changes",
            post(api::create_change),
        ),
        (
            Method::GET,
            "/api/v1/term-changes/{id}",
            get(api::get_change),
        ),
        (
            Method::POST,
            "/api/v1/term-changes/{id}/people",
            post(api::add_person),
        ),
        (
            Method::DELETE,
            "/api/v1/term-changes/{id}/people/{pid}",
            delete(api::remove_person),
        ),
        (
            Method::PUT,
            "/api/v1/term-changes/{id}/people/{pid}/account",
            put(api::link_account),
        ),
        (
            Method::POST,
            "/api/v1/term-changes/{id}/people/{pid}/marks",
            post(api::add_mark),
        ),
        (
            Method::PUT,
            "/api/v1/term-changes/{id}/marks/{mid}",
            put(api::set_mark),
        ),
        (
            Method::POST,
            "/api/v1/term-changes/{id}/carry-out",
            post(api::carry_out),
        ),
    ]
}
