//! Routes for continuity: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::pages::continuity as pages;
use crate::pages::training::drill;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::continuity as api;
    vec![
        (Method::GET, "/continuity", get(pages::overview)),
        (Method::GET, "/continuity/print", get(pages::print)),
        (
            Method::GET,
            "/continuity/services/new",
            get(pages::new_service),
        ),
        (
            Method::POST,
            "/continuity/services/new",
            post(pages::create_service),
        ),
        (
            Method::GET,
            "/continuity/services/{id}",
            get(pages::service),
        ),
        (
            Method::POST,
            "/continuity/services/{id}",
            post(pages::update_service),
        ),
        (Method::GET, "/continuity/roster", get(pages::roster)),
        (Method::POST, "/continuity/roster", post(pages::add_cover)),
        (
            Method::POST,
            "/continuity/roster/{id}/remove",
            post(pages::remove_cover),
        ),
        (
            Method::POST,
            "/continuity/drills/{id}",
            post(drill::save_drill),
        ),
        (
            Method::POST,
            "/continuity/drills/{id}/findings",
            post(drill::add_finding),
        ),
        (Method::GET, "/api/v1/continuity", get(api::overview)),
        (
            Method::POST,
            "/api/v1/continuity/services",
            post(api::create_service),
        ),
        (
            Method::GET,
            "/api/v1/continuity/services/{id}",
            get(api::get_service),
        ),
        (
            Method::PUT,
            "/api/v1/continuity/services/{id}",
            put(api::update_service),
        ),
        (Method::GET, "/api/v1/continuity/roster", get(api::roster)),
        (
            Method::POST,
            "/api/v1/continuity/roster",
            post(api::add_cover),
        ),
        (
            Method::DELETE,
            "/api/v1/continuity/roster/{id}",
            delete(api::remove_cover),
        ),
        (
            Method::GET,
            "/api/v1/continuity/drills/{id}",
            get(api::get_drill),
        ),
        (
            Method::PUT,
            "/api/v1/continuity/drills/{id}",
            put(api::save_drill),
        ),
        (
            Method::POST,
            "/api/v1/continuity/drills/{id}/findings",
            post(api::add_finding),
        ),
    ]
}
