//! Routes for the retention of personal information: pages and API over the same use
//! cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::retention;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/retention", get(retention::list)),
        (
            Method::POST,
            "/retention/periods",
            post(retention::save_periods),
        ),
        (
            Method::POST,
            "/retention/redactions",
            post(retention::propose),
        ),
        (
            Method::GET,
            "/retention/redactions/{id}",
            get(retention::show),
        ),
        (
            Method::GET,
            "/api/v1/retention",
            get(api::retention::get_retention),
        ),
        (
            Method::PUT,
            "/api/v1/retention/periods",
            put(api::retention::set_periods),
        ),
        (
            Method::POST,
            "/api/v1/retention/redactions",
            post(api::retention::propose),
        ),
        (
            Method::GET,
            "/api/v1/retention/redactions/{id}",
            get(api::retention::get_redaction),
        ),
    ]
}
