//! `/api/v1/reviews…`: the reviews due, and one record's schedule and reviews, the
//! schedule set and a review recorded. Records are named `{kind}/{id}`, e.g.
//! `policy_document/3` or `risk/12`.

use axum::Json;
use axum::extract::{Path, Request, State};
use mamori_app::cycle::reviews::{self as app_reviews};
use mamori_app::cycle::{
    Review, ReviewInput, ReviewRule, ScheduleInput, ScheduleRecord, due_state,
};
use mamori_domain::access::Act;
use mamori_domain::review::{Assignee, DUE_NOTICE_DAYS, DueState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::params::cycle::parse_subject;
use crate::state::AppState;

/// A record's review schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleOut {
    /// `policy_document`, `risk` or `corrective_action`.
    #[schema(value_type = crate::api::codes::RecordKind)]
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_title: Option<String>,
    /// `fiscal_yearly`, `every_months` or `once`.
    #[schema(value_type = crate::api::codes::ReviewRule)]
    pub rule: String,
    /// fiscal_yearly: the month and day in every 年度.
    pub month: Option<u8>,
    pub day: Option<u8>,
    /// every_months: the months between reviews (counted from the last review).
    pub months: Option<u8>,
    /// once: the date (ISO 8601).
    pub on: Option<String>,
    /// `post:<post>` (whoever holds it) or `user:<id>`.
    #[schema(example = "post:chief_security_officer")]
    pub reviewer: String,
    pub reviewer_name: Option<String>,
    /// ISO 8601; absent once a one-off review is done.
    pub next_due_on: Option<String>,
    /// `overdue`, `due_soon` (within 30 days), `later`, or absent when nothing is due.
    #[schema(value_type = Option<crate::api::codes::ReviewDueState>)]
    pub state: Option<String>,
}

impl From<&ScheduleRecord> for ScheduleOut {
    fn from(s: &ScheduleRecord) -> ScheduleOut {
        let (month, day, months, on) = match s.rule {
            ReviewRule::FiscalYearly { month, day } => (Some(month), Some(day), None, None),
            ReviewRule::EveryMonths { months } => (None, None, Some(months), None),
            ReviewRule::Once { on } => (None, None, None, Some(mamori_app::date_text(on))),
        };
        ScheduleOut {
            subject_kind: s.subject.kind.as_str().to_owned(),
            subject_id: s.subject.id,
            subject_title: s.subject_title.clone(),
            rule: s.rule.code().to_owned(),
            month,
            day,
            months,
            on,
            reviewer: s.reviewer.code(),
            reviewer_name: match s.reviewer {
                Assignee::User(_) => s.reviewer_name.clone(),
                Assignee::Post(_) => None,
            },
            next_due_on: s.next_due_on.map(mamori_app::date_text),
            state: s
                .next_due_on
                .map(|d| due_state_code(due_state(d, mamori_app::today())).to_owned()),
        }
    }
}

/// One review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRecordOut {
    pub id: i64,
    /// ISO 8601.
    pub reviewed_on: String,
    /// The due date it answered (ISO 8601), if the record had a schedule.
    pub due_on: Option<String>,
    pub reviewer_id: Option<i64>,
    pub reviewer_name: Option<String>,
    pub outcome: String,
    pub note: String,
    /// RFC 3339, UTC.
    pub recorded_at: String,
}

impl From<Review> for ReviewRecordOut {
    fn from(r: Review) -> ReviewRecordOut {
        ReviewRecordOut {
            id: r.id,
            reviewed_on: mamori_app::date_text(r.reviewed_on),
            due_on: r.due_on.map(mamori_app::date_text),
            reviewer_id: r.reviewer_id,
            reviewer_name: r.reviewer_name,
            outcome: r.outcome,
            note: r.note,
            recorded_at: mamori_app::timestamp_text(r.recorded_at),
        }
    }
}

/// A record's schedule and reviews, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewHistoryOut {
    pub schedule: Option<ScheduleOut>,
    pub reviews: Vec<ReviewRecordOut>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DueParams {
    /// true: every schedule with a review still due, not only those due within 30 days.
    pub all: Option<bool>,
}

/// Reviews overdue or due within 30 days (all still due with `all=true`) of the records
/// the caller may read, soonest first.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", params(("all" = Option<bool>, Query)),
    responses((status = 200, body = [ScheduleOut])))]
pub async fn list_due_reviews(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<DueParams>,
) -> Result<Json<Vec<ScheduleOut>>, AppError> {
    let until = (!params.all.unwrap_or(false))
        .then(|| mamori_app::today() + time::Duration::days(DUE_NOTICE_DAYS));
    let due = app_reviews::due(&state.app, &signed.0.acting, until).await?;
    Ok(Json(due.iter().map(ScheduleOut::from).collect()))
}

/// A record's review schedule and reviews. 404 for a record the caller may not read.
#[utoipa::path(get, path = "/api/v1/reviews/{kind}/{id}", tag = "reviews",
    params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ReviewHistoryOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_reviews(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<ReviewHistoryOut>, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let history = app_reviews::history(&state.app, &signed.0.acting, subject).await?;
    Ok(Json(ReviewHistoryOut {
        schedule: history.schedule.as_ref().map(ScheduleOut::from),
        reviews: history.reviews.into_iter().map(Into::into).collect(),
    }))
}

/// A schedule to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    /// `fiscal_yearly`, `every_months` or `once`.
    #[schema(example = "fiscal_yearly")]
    #[schema(value_type = crate::api::codes::ReviewRule)]
    pub rule: String,
    /// fiscal_yearly: "3/31".
    #[serde(default)]
    pub month_day: Option<String>,
    /// every_months: 1 to 60.
    #[serde(default)]
    pub months: Option<u8>,
    /// once: ISO 8601 or 和暦.
    #[serde(default)]
    pub on: Option<String>,
    /// `post:<post>` or `user:<id>`.
    #[schema(example = "post:chief_security_officer")]
    pub reviewer: String,
    /// Keep an `on` already past; without it such a date is answered with 422
    /// `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

/// Sets (or replaces) a record's review schedule; the next due date is the first the
/// rule names from today. Those who edit the record's register.
#[utoipa::path(put, path = "/api/v1/reviews/{kind}/{id}/schedule", tag = "reviews", request_body = ScheduleIn,
    params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ScheduleOut), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn set_review_schedule(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
    request: Request,
) -> Result<Json<ScheduleOut>, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let register = subject.kind.register();
    state
        .app
        .permit(&signed.0.acting, register, Act::Edit, "reviews.schedule")
        .await?;
    let body: ScheduleIn = read_json(request).await?;
    let input = ScheduleInput {
        rule: body.rule,
        month_day: body.month_day.unwrap_or_default(),
        months: body.months.map(|m| m.to_string()).unwrap_or_default(),
        on: body.on.unwrap_or_default(),
        reviewer: body.reviewer,
        confirm_past_dates: body.confirm_past_dates,
    };
    let schedule = app_reviews::set_schedule(&state.app, &signed.0.acting, subject, &input).await?;
    Ok(Json(ScheduleOut::from(&schedule)))
}

/// A review to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecordIn {
    /// ISO 8601 or 和暦; not after today.
    #[schema(example = "2026-11-30")]
    pub reviewed_on: String,
    #[schema(example = "対策は有効。変更不要")]
    pub outcome: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Records a review and moves the schedule on. A policy document's reviews go through
/// `POST /api/v1/policies/{id}/reviews` (409 `policy_review_form` here).
#[utoipa::path(post, path = "/api/v1/reviews/{kind}/{id}", tag = "reviews", request_body = ReviewRecordIn,
    params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 201, body = ReviewHistoryOut), (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn record_review(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
    request: Request,
) -> Result<axum::response::Response, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let register = subject.kind.register();
    state
        .app
        .permit(&signed.0.acting, register, Act::Edit, "reviews.record")
        .await?;
    let body: ReviewRecordIn = read_json(request).await?;
    let input = ReviewInput {
        reviewed_on: body.reviewed_on,
        outcome: body.outcome,
        note: body.note.unwrap_or_default(),
    };
    app_reviews::record(&state.app, &signed.0.acting, subject, &input).await?;
    let history = app_reviews::history(&state.app, &signed.0.acting, subject).await?;
    let out = ReviewHistoryOut {
        schedule: history.schedule.as_ref().map(ScheduleOut::from),
        reviews: history.reviews.into_iter().map(Into::into).collect(),
    };
    Ok(super::created(out, &format!("/api/v1/reviews/{kind}/{id}")))
}

/// The code of how near a review is due.
pub fn due_state_code(state: DueState) -> &'static str {
    match state {
        DueState::Overdue => "overdue",
        DueState::DueSoon => "due_soon",
        DueState::Later => "later",
    }
}
