//! Routes for exceptions (例外措置): pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::exceptions;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/exceptions", get(exceptions::list)),
        (Method::GET, "/exceptions/new", get(exceptions::new_form)),
        (Method::POST, "/exceptions/new", post(exceptions::create)),
        (Method::GET, "/exceptions/{id}", get(exceptions::show)),
        (
            Method::GET,
            "/exceptions/{id}/revise",
            get(exceptions::revise_form),
        ),
        (
            Method::POST,
            "/exceptions/{id}/revise",
            post(exceptions::revise),
        ),
        (Method::POST, "/exceptions/{id}/end", post(exceptions::end)),
        (
            Method::GET,
            "/api/v1/exceptions",
            get(api::exceptions::list_exceptions),
        ),
        (
            Method::POST,
            "/api/v1/exceptions",
            post(api::exceptions::request_exception),
        ),
        (
            Method::GET,
            "/api/v1/exceptions/{id}",
            get(api::exceptions::get_exception),
        ),
        (
            Method::POST,
            "/api/v1/exceptions/{id}/revise",
            post(api::exceptions::revise_exception),
        ),
        (
            Method::POST,
            "/api/v1/exceptions/{id}/end",
            post(api::exceptions::end_exception),
        ),
    ]
}
