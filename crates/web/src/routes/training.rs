//! Routes for training and drills: pages and API over the same use cases.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};

use crate::pages::training::{self as pages, report, sessions};
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::training as a;
    vec![
        (Method::GET, "/training", get(pages::overview)),
        (Method::GET, "/training/courses/new", get(pages::new_course)),
        (
            Method::POST,
            "/training/courses/new",
            post(pages::create_course),
        ),
        (Method::GET, "/training/courses/{id}", get(pages::course)),
        (
            Method::GET,
            "/training/courses/{id}/sessions/new",
            get(sessions::new_session),
        ),
        (
            Method::POST,
            "/training/courses/{id}/sessions/new",
            post(sessions::create_session),
        ),
        (
            Method::GET,
            "/training/sessions/{id}",
            get(sessions::session),
        ),
        (
            Method::POST,
            "/training/sessions/{id}/attendance",
            post(sessions::record_attendance),
        ),
        (
            Method::POST,
            "/training/sessions/{id}/import",
            post(sessions::import_attendance),
        ),
        (
            Method::POST,
            "/training/sessions/{id}/declare",
            post(sessions::declare),
        ),
        (
            Method::POST,
            "/training/sessions/{id}/cancel",
            post(sessions::cancel),
        ),
        (
            Method::GET,
            "/training/attendance/{id}",
            get(sessions::attendance),
        ),
        (
            Method::POST,
            "/training/attendance/{id}/confirm",
            post(sessions::confirm),
        ),
        (Method::GET, "/training/plan", get(pages::plan)),
        (Method::POST, "/training/plan", post(pages::save_plan)),
        (Method::POST, "/training/plan/ask", post(pages::ask_plan)),
        (Method::GET, "/training/plans/{id}", get(pages::plan_by_id)),
        (Method::GET, "/training/rules", get(pages::rules)),
        (Method::POST, "/training/rules", post(pages::save_rules)),
        (Method::GET, "/training/coverage", get(pages::coverage)),
        (Method::GET, "/training/report", get(report::report)),
        (
            Method::GET,
            "/training/report.xlsx",
            get(report::report_xlsx),
        ),
        (Method::GET, "/api/v1/training", get(a::overview)),
        (
            Method::POST,
            "/api/v1/training/courses",
            post(a::create_course),
        ),
        (
            Method::GET,
            "/api/v1/training/courses/{id}",
            get(a::get_course),
        ),
        (
            Method::POST,
            "/api/v1/training/courses/{id}/sessions",
            post(a::create_session),
        ),
        (
            Method::GET,
            "/api/v1/training/sessions/{id}",
            get(a::get_session),
        ),
        (
            Method::POST,
            "/api/v1/training/sessions/{id}/attendance",
            post(a::record_attendance),
        ),
        (
            Method::POST,
            "/api/v1/training/sessions/{id}/attendance/import",
            post(a::import_attendance),
        ),
        (
            Method::POST,
            "/api/v1/training/sessions/{id}/declare",
            post(a::declare),
        ),
        (
            Method::POST,
            "/api/v1/training/sessions/{id}/cancel",
            post(a::cancel),
        ),
        (
            Method::GET,
            "/api/v1/training/attendance/{id}",
            get(a::get_attendance),
        ),
        (
            Method::POST,
            "/api/v1/training/attendance/{id}/confirm",
            post(a::confirm),
        ),
        (Method::GET, "/api/v1/training/rules", get(a::get_rules)),
        (Method::PUT, "/api/v1/training/rules", put(a::set_rules)),
        (Method::GET, "/api/v1/training/coverage", get(a::coverage)),
        (
            Method::GET,
            "/api/v1/training/report",
            get(api::training_report::report),
        ),
        (Method::GET, "/api/v1/training/plan", get(a::get_plan)),
        (Method::PUT, "/api/v1/training/plan", put(a::save_plan)),
        (Method::POST, "/api/v1/training/plan/ask", post(a::ask_plan)),
    ]
}
