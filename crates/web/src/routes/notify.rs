//! Routes for notifications: the person's notices, their mail settings, the printed
//! list, and the mail queue.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::notifications as a;
    vec![
        (Method::GET, "/notifications", get(notifications::list)),
        (
            Method::POST,
            "/notifications/{id}/read",
            post(notifications::mark_read),
        ),
        (
            Method::POST,
            "/notifications/read-all",
            post(notifications::mark_all_read),
        ),
        (
            Method::GET,
            "/notifications/print",
            get(notifications::print),
        ),
        (Method::GET, "/notifications/mail", get(notifications::mail)),
        (
            Method::POST,
            "/notifications/mail/{id}/retry",
            post(notifications::retry_mail),
        ),
        (
            Method::GET,
            "/account/notifications",
            get(notifications::settings_page),
        ),
        (
            Method::POST,
            "/account/notifications",
            post(notifications::save_settings),
        ),
        (Method::POST, "/users/{id}/mail", post(users::set_mail)),
        (Method::GET, "/api/v1/notifications", get(a::list)),
        (
            Method::GET,
            "/api/v1/notifications/unread-count",
            get(a::unread_count),
        ),
        (
            Method::POST,
            "/api/v1/notifications/{id}/read",
            post(a::mark_read),
        ),
        (
            Method::POST,
            "/api/v1/notifications/read-all",
            post(a::mark_all_read),
        ),
        (
            Method::GET,
            "/api/v1/notifications/mail",
            get(a::mail_queue),
        ),
        (
            Method::POST,
            "/api/v1/notifications/mail/{id}/retry",
            post(a::retry_mail),
        ),
        (
            Method::GET,
            "/api/v1/me/notification-settings",
            get(a::my_settings),
        ),
        (
            Method::PUT,
            "/api/v1/me/notification-settings",
            put(a::save_my_settings),
        ),
        (
            Method::PUT,
            "/api/v1/users/{id}/mail",
            put(a::set_user_mail),
        ),
    ]
}
