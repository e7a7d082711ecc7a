//! The cycle blocks over the API: the calendar (closed days, deadlines, 年度), recurring
//! reviews of any record, and the corrective-actions register — the same use cases as
//! the pages (`pages::cycle`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

mod actions;
mod calendar;
pub(crate) mod reviews;

pub use actions::*;
pub use calendar::*;
pub use reviews::*;

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_holidays,
        add_holiday,
        remove_holiday,
        import_holidays,
        count_deadline,
        fiscal_year,
        list_due_reviews,
        get_reviews,
        set_review_schedule,
        record_review,
        list_actions,
        get_action,
        create_action,
        change_action_status
    ),
    components(schemas(
        ClosedDayOut,
        HolidayYear,
        HolidayIn,
        HolidayImportOut,
        DeadlineOut,
        FiscalYearOut,
        ScheduleOut,
        ReviewRecordOut,
        ReviewHistoryOut,
        ScheduleIn,
        ReviewRecordIn,
        CorrectiveActionOut,
        CorrectiveActionIn,
        ActionStatusIn
    ))
)]
pub struct Doc;

/// 201 with the body and where the new record lives.
fn created(body: impl Serialize, location: &str) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
