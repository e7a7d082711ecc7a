//! Routes for incidents: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::incidents as pages;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use crate::api::incident_links as links;
    use api::incidents as api;
    vec![
        (Method::GET, "/incidents", get(pages::list)),
        (Method::GET, "/incidents/new", get(pages::new_form)),
        (Method::GET, "/incidents/figures", get(pages::figures_page)),
        (
            Method::GET,
            "/incidents/figures.xlsx",
            get(pages::export_figures),
        ),
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
        (Method::POST, "/incidents/{id}/links", post(pages::link)),
        (
            Method::POST,
            "/incidents/{id}/links/remove",
            post(pages::unlink),
        ),
        (
            Method::POST,
            "/incidents/{id}/reassessments",
            post(pages::ask_reassessment),
        ),
        (
            Method::POST,
            "/incidents/{id}/lessons",
            post(pages::add_lesson),
        ),
        (Method::GET, "/api/v1/incidents", get(api::list_incidents)),
        (Method::POST, "/api/v1/incidents", post(api::report)),
        (
            Method::GET,
            "/api/v1/incidents/severities",
            get(api::severities),
        ),
        (
            Method::GET,
            "/api/v1/incidents/figures",
            get(links::figures),
        ),
        (Method::GET, "/api/v1/incidents/export", get(links::export)),
        (
            Method::GET,
            "/api/v1/incidents/{id}",
            get(api::get_incident),
        ),
        (
            Method::GET,
            "/api/v1/incidents/{id}/links",
            get(links::list_links),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/links",
            post(links::add_link),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/links/remove",
            post(links::remove_link),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/reassessments",
            post(links::ask_reassessment),
        ),
        (
            Method::GET,
            "/api/v1/incidents/{id}/lessons",
            get(links::list_lessons),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/lessons",
            post(links::add_lesson),
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
