//! Routes for the cycle blocks: the calendar, recurring reviews, corrective actions.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::pages::cycle::{actions, calendar, reviews};
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/admin/calendar", get(calendar::show)),
        (Method::POST, "/admin/calendar", post(calendar::add)),
        (
            Method::POST,
            "/admin/calendar/import",
            post(calendar::import),
        ),
        (
            Method::POST,
            "/admin/calendar/{date}/remove",
            post(calendar::remove),
        ),
        (Method::GET, "/reviews", get(reviews::due)),
        (Method::GET, "/reviews/{kind}/{id}", get(reviews::show)),
        (Method::POST, "/reviews/{kind}/{id}", post(reviews::record)),
        (
            Method::POST,
            "/reviews/{kind}/{id}/schedule",
            post(reviews::set_schedule),
        ),
        (Method::GET, "/actions", get(actions::list)),
        (Method::POST, "/actions", post(actions::create)),
        (Method::GET, "/actions/new", get(actions::new_form)),
        (Method::GET, "/actions/{id}", get(actions::show)),
        (
            Method::POST,
            "/actions/{id}/status",
            post(actions::change_status),
        ),
        (
            Method::GET,
            "/api/v1/calendar/holidays",
            get(api::cycle::list_holidays),
        ),
        (
            Method::POST,
            "/api/v1/calendar/holidays",
            post(api::cycle::add_holiday),
        ),
        (
            Method::POST,
            "/api/v1/calendar/holidays/import",
            post(api::cycle::import_holidays),
        ),
        (
            Method::DELETE,
            "/api/v1/calendar/holidays/{date}",
            delete(api::cycle::remove_holiday),
        ),
        (
            Method::GET,
            "/api/v1/calendar/deadline",
            get(api::cycle::count_deadline),
        ),
        (
            Method::GET,
            "/api/v1/calendar/fiscal-year",
            get(api::cycle::fiscal_year),
        ),
        (
            Method::GET,
            "/api/v1/reviews",
            get(api::cycle::list_due_reviews),
        ),
        (
            Method::GET,
            "/api/v1/reviews/{kind}/{id}",
            get(api::cycle::get_reviews),
        ),
        (
            Method::POST,
            "/api/v1/reviews/{kind}/{id}",
            post(api::cycle::record_review),
        ),
        (
            Method::PUT,
            "/api/v1/reviews/{kind}/{id}/schedule",
            put(api::cycle::set_review_schedule),
        ),
        (
            Method::GET,
            "/api/v1/actions",
            get(api::cycle::list_actions),
        ),
        (
            Method::POST,
            "/api/v1/actions",
            post(api::cycle::create_action),
        ),
        (
            Method::GET,
            "/api/v1/actions/{id}",
            get(api::cycle::get_action),
        ),
        (
            Method::POST,
            "/api/v1/actions/{id}/status",
            post(api::cycle::change_action_status),
        ),
    ]
}
