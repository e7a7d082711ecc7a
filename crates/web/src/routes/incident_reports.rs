//! Routes for the outside reports of incidents: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::incident_reports as pages;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::incident_reports as api;
    vec![
        (Method::GET, "/incidents/duties", get(pages::duties)),
        (Method::POST, "/incidents/duties", post(pages::add_duty)),
        (
            Method::POST,
            "/incidents/duties/threshold",
            post(pages::set_threshold),
        ),
        (Method::GET, "/incidents/duties/{id}", get(pages::duty)),
        (
            Method::POST,
            "/incidents/duties/{id}",
            post(pages::edit_duty),
        ),
        (
            Method::POST,
            "/incidents/duties/{id}/retire",
            post(pages::retire_duty),
        ),
        (
            Method::GET,
            "/incidents/{id}/reports/new",
            get(pages::new_report),
        ),
        (Method::POST, "/incidents/{id}/reports", post(pages::record)),
        (
            Method::POST,
            "/incidents/{id}/facts",
            post(pages::set_facts),
        ),
        (
            Method::POST,
            "/incidents/reports/{id}/withdraw",
            post(pages::withdraw),
        ),
        (
            Method::GET,
            "/api/v1/incidents/{id}/reports",
            get(api::list_reports),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{id}/reports",
            post(api::record),
        ),
        (
            Method::POST,
            "/api/v1/incidents/reports/{id}/withdraw",
            post(api::withdraw),
        ),
        (
            Method::PUT,
            "/api/v1/incidents/{id}/facts",
            put(api::set_facts),
        ),
        (
            Method::GET,
            "/api/v1/incidents/duties",
            get(api::list_duties),
        ),
        (
            Method::POST,
            "/api/v1/incidents/duties",
            post(api::add_duty),
        ),
        (
            Method::PUT,
            "/api/v1/incidents/duties/{id}",
            put(api::edit_duty),
        ),
        (
            Method::POST,
            "/api/v1/incidents/duties/{id}/retire",
            post(api::retire_duty),
        ),
        (
            Method::GET,
            "/api/v1/incidents/report-settings",
            get(api::get_settings),
        ),
        (
            Method::PUT,
            "/api/v1/incidents/report-settings",
            put(api::set_settings),
        ),
    ]
}
