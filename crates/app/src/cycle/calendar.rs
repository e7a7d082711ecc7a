//! The calendar: the closed days of the office (read by everyone signed in, kept by the
//! administrator), the Cabinet Office list imported, and deadlines counted.

use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::{
    ClosedDay, Deadline, DeadlineInput, HolidayInput, WorkCalendar, parse_holiday_csv,
};
use mamori_domain::field::FieldProblem;
use mamori_store::StoreError;
use mamori_store::calendar as store;
use time::{Date, Duration, Month};

use super::ImportCounts;
use crate::{Acting, App, Failure, Outcome};

/// The most bytes a holiday list upload may have (the Cabinet Office file is ~20 KB).
pub const MAX_CSV_BYTES: usize = 512 * 1024;

/// Who keeps the calendar: the administrator, like the installation's other settings.
const KEEPER: Register = Register::Security;

/// The closed days of `year` and the years that have any (for the year picker).
#[derive(Debug, Clone)]
pub struct YearDays {
    pub year: i32,
    pub days: Vec<ClosedDay>,
    pub years: Vec<i32>,
}

/// The closed days of one calendar year. Holidays are no secret: anyone signed in.
pub async fn closed_days(app: &App, year: i32) -> Outcome<YearDays> {
    let (Ok(from), Ok(until)) = (
        Date::from_calendar_date(year, Month::January, 1),
        Date::from_calendar_date(year, Month::December, 31),
    ) else {
        return Err(Failure::invalid(FieldProblem::new(
            "year",
            "calendar.error.year",
        )));
    };
    Ok(YearDays {
        year,
        days: store::closed_days(app.store(), from, until).await?,
        years: store::years(app.store()).await?,
    })
}

/// The closed days that can matter to deadlines from `from` (ten years and a margin).
pub async fn work_calendar(app: &App, from: Date) -> Outcome<WorkCalendar> {
    let until = from
        .checked_add(Duration::days(
            i64::from(mamori_domain::calendar::MAX_DEADLINE_DAYS) * 2,
        ))
        .unwrap_or(Date::MAX);
    Ok(WorkCalendar::new(
        store::closed_days(app.store(), from, until).await?,
    ))
}

/// Adds a closed day (a holiday the list lacks, or the assembly's own).
pub async fn add_closed_day(
    app: &App,
    acting: &Acting,
    input: &HolidayInput,
) -> Outcome<ClosedDay> {
    let permit = app
        .permit(acting, KEEPER, Act::Edit, "calendar.add")
        .await?;
    let day = input.check()?;
    let mut tx = permit.write(app).await?;
    match store::add(&mut tx, &day).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::invalid(FieldProblem::new(
                "on",
                "calendar.error.taken",
            )));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(day)
}

/// Removes the closed day on `on` as typed (ISO, e.g. 2026-08-14).
pub async fn remove_closed_day(app: &App, acting: &Acting, on: &str) -> Outcome<ClosedDay> {
    let permit = app
        .permit(acting, KEEPER, Act::Edit, "calendar.remove")
        .await?;
    let on = mamori_store::parse_date(on).ok_or(Failure::NotFound)?;
    let mut tx = permit.write(app).await?;
    let day = store::remove(&mut tx, on).await?;
    tx.commit().await?;
    Ok(day)
}

/// Imports the Cabinet Office holiday list (`syukujitsu.csv`): the national holidays of
/// the years it covers become those of the list; the assembly's own days stay.
pub async fn import_holidays(app: &App, acting: &Acting, bytes: &[u8]) -> Outcome<ImportCounts> {
    let permit = app
        .permit(acting, KEEPER, Act::Edit, "calendar.import")
        .await?;
    if bytes.len() > MAX_CSV_BYTES {
        return Err(Failure::invalid(
            FieldProblem::new("file", "calendar.error.csv_size")
                .with("max_kb", MAX_CSV_BYTES / 1024),
        ));
    }
    let list = parse_holiday_csv(bytes)?;
    let mut tx = permit.write(app).await?;
    let counts = store::import_national(&mut tx, &list, &crate::sha256_hex(bytes)).await?;
    tx.commit().await?;
    Ok(counts)
}

/// A deadline counted: the input as read and the day it falls on.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CountedDeadline {
    pub deadline: Deadline,
    pub due: Date,
}

/// Counts a deadline from the closed days recorded. Anyone signed in.
pub async fn count_deadline(app: &App, input: &DeadlineInput) -> Outcome<CountedDeadline> {
    let deadline = input.check()?;
    let calendar = work_calendar(app, deadline.from).await?;
    Ok(CountedDeadline {
        deadline,
        due: deadline.due(&calendar),
    })
}
