//! The calendar page of the administrator: the closed days of a year (national holidays
//! and the assembly's own), one added or removed, the Cabinet Office list imported.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::cycle::calendar::{self as app_calendar, MAX_CSV_BYTES};
use mamori_app::cycle::{ClosedKind, FiscalYear, HolidayInput};
use mamori_domain::access::{Act, Register};
use serde::Deserialize;

use super::problems_of;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{Choice, FieldError, field_errors};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

pub struct DayRow {
    pub iso: String,
    pub date: String,
    pub weekday: &'static str,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "cycle/holidays.html")]
struct HolidaysPage {
    t: mamori_app::i18n::Tr,
    layout: Layout,
    year: i32,
    heading: String,
    /// "令和8年度は令和8年4月1日から…", or empty outside the supported range.
    fiscal_year: String,
    days: Vec<DayRow>,
    years: Vec<i32>,
    form: HolidayInput,
    kinds: Vec<Choice>,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

impl HolidaysPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<String>,
    /// After an import: what it changed.
    pub added: Option<usize>,
    pub renamed: Option<usize>,
    pub removed: Option<usize>,
    pub unchanged: Option<usize>,
}

fn field_key(field: &str) -> &'static str {
    match field {
        "on" => "calendar.field.on",
        "name" => "calendar.field.name",
        "kind" => "calendar.field.kind",
        _ => "calendar.field.file",
    }
}

const WEEKDAYS: [&str; 7] = [
    "calendar.weekday.mon",
    "calendar.weekday.tue",
    "calendar.weekday.wed",
    "calendar.weekday.thu",
    "calendar.weekday.fri",
    "calendar.weekday.sat",
    "calendar.weekday.sun",
];

struct Shown {
    form: HolidayInput,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    year: i32,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, AppError> {
    let listed = app_calendar::closed_days(&state.app, year).await?;
    let days = listed
        .days
        .iter()
        .map(|d| DayRow {
            iso: mamori_app::date_text(d.on),
            date: ctx.date(d.on),
            weekday: WEEKDAYS[usize::from(d.on.weekday().number_days_from_monday())],
            name: d.name.clone(),
            kind: match d.kind {
                ClosedKind::National => "calendar.kind.national",
                ClosedKind::Assembly => "calendar.kind.assembly",
            },
        })
        .collect();
    let kinds = [ClosedKind::Assembly, ClosedKind::National]
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: ctx
                .tr
                .t(&format!("calendar.kind.{}", k.as_str()))
                .to_owned(),
        })
        .collect();
    let fiscal_year = FiscalYear::new(year)
        .map(|fy| {
            ctx.tr.f(
                "calendar.fiscal_year_starts",
                &[
                    ("fy", ctx.fiscal_year(fy)),
                    ("start", ctx.date(fy.start())),
                    ("end", ctx.date(fy.end())),
                ],
            )
        })
        .unwrap_or_default();
    let view = HolidaysPage {
        t: ctx.tr,
        layout: Layout::load(state, "calendar", "/admin/calendar", Some(&signed.0)).await,
        year,
        heading: ctx.tr.f("calendar.days_of", &[("year", year.to_string())]),
        fiscal_year,
        days,
        years: listed.years,
        form: shown.form,
        kinds,
        errors: shown.errors,
        notice: shown.notice,
    };
    render(status, &view)
}

fn year_of(query: &YearQuery) -> Result<i32, AppError> {
    match query.year.as_deref().map(str::trim) {
        None | Some("") => Ok(mamori_app::today().year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1873..=9998).contains(y))
            .ok_or_else(AppError::not_found),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Security,
            Act::Read,
            "calendar.show",
        )
        .await?;
    let year = year_of(&query)?;
    let notice = match (query.added, query.renamed, query.removed, query.unchanged) {
        (Some(a), Some(r), Some(d), Some(u)) => Some(ctx.tr.f(
            "calendar.imported",
            &[
                ("added", a.to_string()),
                ("renamed", r.to_string()),
                ("removed", d.to_string()),
                ("unchanged", u.to_string()),
            ],
        )),
        _ => None,
    };
    let shown = Shown {
        form: HolidayInput::default(),
        errors: Vec::new(),
        notice,
    };
    page(&state, &ctx, &signed, year, shown, StatusCode::OK).await
}

pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<HolidayInput>,
) -> Result<Response, AppError> {
    match app_calendar::add_closed_day(&state.app, &signed.0.acting, &form).await {
        Ok(day) => Ok(see_other(&format!(
            "/admin/calendar?year={}#day-{}",
            day.on.year(),
            mamori_app::date_text(day.on)
        ))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure, "on")?, &ctx.tr, field_key);
            let year = mamori_app::today().year();
            let shown = Shown {
                form,
                errors,
                notice: None,
            };
            page(
                &state,
                &ctx,
                &signed,
                year,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(on): Path<String>,
) -> Result<Response, AppError> {
    let day = app_calendar::remove_closed_day(&state.app, &signed.0.acting, &on).await?;
    Ok(see_other(&format!(
        "/admin/calendar?year={}",
        day.on.year()
    )))
}

pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Security,
            Act::Edit,
            "calendar.import",
        )
        .await?;
    let bytes = crate::http::upload::small_file(request, MAX_CSV_BYTES).await?;
    match app_calendar::import_holidays(&state.app, &signed.0.acting, &bytes).await {
        Ok(c) => Ok(see_other(&format!(
            "/admin/calendar?added={}&renamed={}&removed={}&unchanged={}",
            c.added, c.renamed, c.removed, c.unchanged
        ))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure, "file")?, &ctx.tr, field_key);
            let shown = Shown {
                form: HolidayInput::default(),
                errors,
                notice: None,
            };
            page(
                &state,
                &ctx,
                &signed,
                mamori_app::today().year(),
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
