//! Routes for incidents: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::incidents as pages;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::incidents as api;
    vec![
        (Method::GET, "/incidents", get(pages::list)),
        (Method::GET, "/incidents/new", get(pages::new_form)),
        (Method::POST, "/incidents/new", post(pages::create)),
        (Method::GET, "/incidents/{id}", get(pages::show)),
        (Method::POST, "/incidents/{id}/notes", post(pages::add_note)),
        (Method::POST, "/incidents/{id}/triage", post(pages::triage)),
        (
            Method::POST,
            "/incidents/{id}/stage",
            post(pages::set_stage),
        ),
        (Method::POST, "/incidents/{id}/close", post(pages::close)),
        (Method::POST, "/incidents/{id}/reopen", post(pages::reopen)),
        (Method::POST, "/incidents/{id}/shares", post(pages::share)),
        (Method::GET, "/api/v1/incidents", get(api::list_incidents)),
        (Method::POST, "/api/v1/incidents", post(api::report)),
        (
            Method::GET,
            "/api/v1/incidents/severities",
            get(api::severities),
        ),
        (
            Method::GET,
            "/api/v1/incidents/{id}",
            get(api::get_incident),
        ),
        (
            Method::PUT,
            "/api/v1/incidents/{id}/triage",
            put(api::triage),
        ),
        (
            Method::PUT,
            "/api/v1/incidents/{id}/stage",
            put(api::set_stage),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/notes",
            post(api::add_note),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/close",
            post(api::close),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/reopen",
            post(api::reopen),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/shares",
            post(api::share),
        ),
    ]
}
