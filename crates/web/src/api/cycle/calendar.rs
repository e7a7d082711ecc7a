//! `/api/v1/calendar/…`: the closed days (read by everyone signed in, kept by the
//! administrator), the Cabinet Office list imported, deadlines counted, 年度 named.

use axum::Json;
use axum::extract::{Path, Request, State};
use mamori_app::cycle::calendar as app_calendar;
use mamori_app::cycle::{ClosedDay, DeadlineInput, FiscalYear, HolidayInput};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::state::AppState;

/// A day the office is closed besides weekends and 年末年始 (29 Dec – 3 Jan, a rule).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedDayOut {
    /// ISO 8601 date.
    #[schema(example = "2026-05-06")]
    pub on: String,
    #[schema(example = "休日")]
    pub name: String,
    /// `national` (国民の祝日・休日) or `assembly` (the assembly's own closed day).
    #[schema(value_type = crate::api::codes::ClosedKind)]
    pub kind: String,
}

impl From<ClosedDay> for ClosedDayOut {
    fn from(d: ClosedDay) -> ClosedDayOut {
        ClosedDayOut {
            on: mamori_app::date_text(d.on),
            name: d.name,
            kind: d.kind.as_str().to_owned(),
        }
    }
}

/// The closed days of one calendar year.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayYear {
    pub year: i32,
    pub days: Vec<ClosedDayOut>,
    /// Every year that has closed days recorded, newest first.
    pub years: Vec<i32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearParams {
    pub year: Option<i32>,
}

/// The closed days of a year (this year when `year` is absent). Anyone signed in.
#[utoipa::path(get, path = "/api/v1/calendar/holidays", tag = "calendar",
    params(("year" = Option<i32>, Query)),
    responses((status = 200, body = HolidayYear), (status = 422, body = crate::api::ErrorBody)))]
pub async fn list_holidays(
    State(state): State<AppState>,
    _signed: SignedIn,
    ApiQuery(params): ApiQuery<YearParams>,
) -> Result<Json<HolidayYear>, AppError> {
    let year = params.year.unwrap_or_else(|| mamori_app::today().year());
    let listed = app_calendar::closed_days(&state.app, year).await?;
    Ok(Json(HolidayYear {
        year,
        days: listed.days.into_iter().map(Into::into).collect(),
        years: listed.years,
    }))
}

/// A closed day to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayIn {
    /// ISO 8601 or 和暦.
    #[schema(example = "2026-08-14")]
    pub on: String,
    #[schema(example = "夏季閉庁日")]
    pub name: String,
    /// `assembly` (default) or `national`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// Adds a closed day (the administrator). 422 when the date already has one.
#[utoipa::path(post, path = "/api/v1/calendar/holidays", tag = "calendar", request_body = HolidayIn,
    responses((status = 201, body = ClosedDayOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn add_holiday(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<axum::response::Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Security,
            Act::Edit,
            "calendar.add",
        )
        .await?;
    let body: HolidayIn = read_json(request).await?;
    let input = HolidayInput {
        on: body.on,
        name: body.name,
        kind: body.kind.unwrap_or_default(),
    };
    let day = app_calendar::add_closed_day(&state.app, &signed.0.acting, &input).await?;
    let location = format!("/api/v1/calendar/holidays?year={}", day.on.year());
    Ok(super::created(ClosedDayOut::from(day), &location))
}

/// Removes the closed day on a date (ISO 8601) (the administrator); the day removed.
#[utoipa::path(delete, path = "/api/v1/calendar/holidays/{date}", tag = "calendar",
    params(("date" = String, Path)),
    responses((status = 200, body = ClosedDayOut), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn remove_holiday(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(date): Path<String>,
) -> Result<Json<ClosedDayOut>, AppError> {
    let day = app_calendar::remove_closed_day(&state.app, &signed.0.acting, &date).await?;
    Ok(Json(day.into()))
}

/// What an import changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayImportOut {
    pub added: usize,
    pub renamed: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// Imports the Cabinet Office list (`syukujitsu.csv`, Shift_JIS or UTF-8) sent as the
/// body: the national holidays of the years it covers become the list's; the assembly's
/// own closed days stay. 422 names each unreadable line.
#[utoipa::path(post, path = "/api/v1/calendar/holidays/import", tag = "calendar",
    request_body(content_type = "text/csv", description = "the CSV file as sent by the Cabinet Office"),
    responses((status = 200, body = HolidayImportOut), (status = 422, body = crate::api::ErrorBody),
        (status = 413, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn import_holidays(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<HolidayImportOut>, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Security,
            Act::Edit,
            "calendar.import",
        )
        .await?;
    let bytes = axum::body::to_bytes(request.into_body(), app_calendar::MAX_CSV_BYTES)
        .await
        .map_err(|_| {
            AppError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "error.payload_too_large",
            )
        })?;
    let c = app_calendar::import_holidays(&state.app, &signed.0.acting, &bytes).await?;
    Ok(Json(HolidayImportOut {
        added: c.added,
        renamed: c.renamed,
        removed: c.removed,
        unchanged: c.unchanged,
    }))
}

/// A deadline counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    /// ISO 8601 date counted from (not itself counted).
    pub from: String,
    pub days: u32,
    /// `calendar` (暦日) or `working` (開庁日: no weekends, holidays, 年末年始 or closed days).
    #[schema(value_type = crate::api::codes::DayCount)]
    pub kind: String,
    /// ISO 8601 date the deadline falls on.
    #[schema(example = "2027-01-07")]
    pub due: String,
}

/// Counts a deadline: `days` calendar days (`kind=calendar`) or working days
/// (`kind=working`) after `from` (ISO 8601 or 和暦). Anyone signed in.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar",
    params(("from" = String, Query), ("days" = u32, Query),
        ("kind" = crate::api::codes::DayCount, Query)),
    responses((status = 200, body = DeadlineOut), (status = 422, body = crate::api::ErrorBody)))]
pub async fn count_deadline(
    State(state): State<AppState>,
    _signed: SignedIn,
    ApiQuery(input): ApiQuery<DeadlineInput>,
) -> Result<Json<DeadlineOut>, AppError> {
    let counted = app_calendar::count_deadline(&state.app, &input).await?;
    Ok(Json(DeadlineOut {
        from: mamori_app::date_text(counted.deadline.from),
        days: counted.deadline.days,
        kind: counted.deadline.kind.as_str().to_owned(),
        due: mamori_app::date_text(counted.due),
    }))
}

/// A 年度.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiscalYearOut {
    /// The calendar year it starts in.
    #[schema(example = 2026)]
    pub year: i32,
    /// ISO 8601: 1 April.
    pub start: String,
    /// ISO 8601: 31 March of the next year.
    pub end: String,
    /// In the caller's language and date style: 令和8年度, 2026年度, FY2026.
    #[schema(example = "令和8年度")]
    pub label: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FiscalYearParams {
    /// A date (ISO 8601 or 和暦) in the 年度.
    pub date: Option<String>,
    /// A 年度 as written: 令和8年度, R8年度, 2026年度, FY2026.
    pub name: Option<String>,
}

/// The 年度 of a date, or read from its name; this 年度 when neither is given.
#[utoipa::path(get, path = "/api/v1/calendar/fiscal-year", tag = "calendar",
    params(("date" = Option<String>, Query), ("name" = Option<String>, Query)),
    responses((status = 200, body = FiscalYearOut), (status = 422, body = crate::api::ErrorBody)))]
pub async fn fiscal_year(
    ctx: Ctx,
    _signed: SignedIn,
    ApiQuery(params): ApiQuery<FiscalYearParams>,
) -> Result<Json<FiscalYearOut>, AppError> {
    let fy = match (params.date.as_deref(), params.name.as_deref()) {
        (Some(date), _) => {
            FiscalYear::of(mamori_domain::wareki::parse_date_input(date).map_err(|e| {
                AppError::from(mamori_app::Failure::invalid(FieldProblem {
                    field: "date",
                    key: e.message_key(),
                    params: e.params(),
                }))
            })?)
        }
        (None, Some(name)) => FiscalYear::parse(name).map_err(|e| {
            AppError::from(mamori_app::Failure::invalid(FieldProblem::new(
                "name",
                e.message_key(),
            )))
        })?,
        (None, None) => FiscalYear::of(mamori_app::today()),
    };
    Ok(Json(FiscalYearOut {
        year: fy.year(),
        start: mamori_app::date_text(fy.start()),
        end: mamori_app::date_text(fy.end()),
        label: ctx.fiscal_year(fy),
    }))
}
