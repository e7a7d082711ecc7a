//! Routes of the organisation register: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post, put};

use crate::pages::organisation;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::organisation as a;
    vec![
        (Method::GET, "/organisation", get(organisation::roster)),
        (
            Method::POST,
            "/organisation/posts",
            post(organisation::add_post),
        ),
        (
            Method::GET,
            "/organisation/posts/{id}",
            get(organisation::post),
        ),
        (
            Method::POST,
            "/organisation/posts/{id}/terms",
            post(organisation::add_term),
        ),
        (
            Method::POST,
            "/organisation/terms/{id}",
            post(organisation::change_term),
        ),
        (
            Method::GET,
            "/organisation/contacts",
            get(organisation::contacts),
        ),
        (
            Method::GET,
            "/organisation/people/{id}",
            get(organisation::person),
        ),
        (
            Method::POST,
            "/organisation/people/{id}",
            post(organisation::set_contact),
        ),
        (Method::GET, "/api/v1/organisation", get(a::get_roster)),
        (
            Method::POST,
            "/api/v1/organisation/posts",
            post(a::add_post),
        ),
        (
            Method::GET,
            "/api/v1/organisation/posts/{id}",
            get(a::get_post),
        ),
        (
            Method::POST,
            "/api/v1/organisation/posts/{id}/terms",
            post(a::add_term),
        ),
        (
            Method::PATCH,
            "/api/v1/organisation/terms/{id}",
            patch(a::change_term),
        ),
        (
            Method::GET,
            "/api/v1/organisation/contacts",
            get(a::get_contacts),
        ),
        (
            Method::PUT,
            "/api/v1/organisation/people/{id}",
            put(a::set_contact),
        ),
    ]
}
