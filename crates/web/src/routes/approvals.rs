//! Routes for approval requests (決裁) and absences with a deputy: pages and API.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::approvals;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::approvals as a;
    vec![
        (Method::GET, "/approvals", get(approvals::list)),
        (
            Method::GET,
            "/approvals/absences",
            get(approvals::absences::page),
        ),
        (
            Method::POST,
            "/approvals/absences",
            post(approvals::absences::add),
        ),
        (
            Method::POST,
            "/approvals/absences/{id}/cancel",
            post(approvals::absences::cancel),
        ),
        (Method::GET, "/approvals/{id}", get(approvals::show)),
        (
            Method::POST,
            "/approvals/{id}/decide",
            post(approvals::decide),
        ),
        (
            Method::POST,
            "/approvals/{id}/withdraw",
            post(approvals::withdraw),
        ),
        (Method::GET, "/api/v1/approvals", get(a::list_approvals)),
        (
            Method::GET,
            "/api/v1/approvals/history",
            get(a::approval_history),
        ),
        (
            Method::GET,
            "/api/v1/approvals/deciders",
            get(a::list_deciders),
        ),
        (Method::GET, "/api/v1/approvals/{id}", get(a::get_approval)),
        (
            Method::POST,
            "/api/v1/approvals/{id}/decision",
            post(a::decide_approval),
        ),
        (
            Method::POST,
            "/api/v1/approvals/{id}/withdrawal",
            post(a::withdraw_approval),
        ),
        (Method::GET, "/api/v1/absences", get(a::list_absences)),
        (Method::POST, "/api/v1/absences", post(a::add_absence)),
        (
            Method::POST,
            "/api/v1/absences/{id}/cancellation",
            post(a::cancel_absence),
        ),
    ]
}
