//! Routes for awareness notices (注意喚起): pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::awareness;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/awareness", get(awareness::list)),
        (Method::GET, "/awareness/new", get(awareness::new_form)),
        (Method::POST, "/awareness/new", post(awareness::create)),
        (Method::GET, "/awareness/{id}", get(awareness::show)),
        (
            Method::POST,
            "/awareness/{id}/read",
            post(awareness::mark_read),
        ),
        (
            Method::POST,
            "/awareness/{id}/remind",
            post(awareness::remind),
        ),
        (
            Method::POST,
            "/awareness/{id}/withdraw",
            post(awareness::withdraw),
        ),
        (
            Method::GET,
            "/awareness/{id}/readers.csv",
            get(awareness::export_csv),
        ),
        (
            Method::GET,
            "/awareness/{id}/readers.xlsx",
            get(awareness::export_xlsx),
        ),
        (
            Method::GET,
            "/api/v1/awareness",
            get(api::awareness::list_notices),
        ),
        (
            Method::POST,
            "/api/v1/awareness",
            post(api::awareness::post_notice),
        ),
        (
            Method::GET,
            "/api/v1/awareness/{id}",
            get(api::awareness::get_notice),
        ),
        (
            Method::POST,
            "/api/v1/awareness/{id}/read",
            post(api::awareness::mark_read),
        ),
        (
            Method::POST,
            "/api/v1/awareness/{id}/remind",
            post(api::awareness::remind),
        ),
        (
            Method::POST,
            "/api/v1/awareness/{id}/withdraw",
            post(api::awareness::withdraw),
        ),
        (
            Method::GET,
            "/api/v1/awareness/{id}/readers",
            get(api::awareness::export_readers),
        ),
    ]
}
