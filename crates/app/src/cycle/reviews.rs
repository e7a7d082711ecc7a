//! Recurring reviews of any record: its schedule, the reviews recorded, the list of
//! reviews due, and what waits for a reviewer. Policy documents record their reviews
//! through `policies::add_review` (which adds the trigger and resulting version) on the
//! same records.

use mamori_domain::access::Act;
use mamori_domain::review::{Assignee, DUE_NOTICE_DAYS, ReviewInput, ScheduleInput};
use mamori_domain::user::Role;
use mamori_store::reviews as store;
use time::{Date, Duration};

use super::{RecordKind, RecordRef, Review, ScheduleRecord, readable};
use crate::{Acting, App, Failure, Outcome};

/// A record's schedule and its reviews, newest first.
#[derive(Debug, Clone)]
pub struct ReviewHistory {
    pub subject: RecordRef,
    pub schedule: Option<ScheduleRecord>,
    pub reviews: Vec<Review>,
    /// Whether the person may change the schedule and record reviews.
    pub may_edit: bool,
}

/// The schedule and reviews of `subject`, for those who may read it.
pub async fn history(app: &App, acting: &Acting, subject: RecordRef) -> Outcome<ReviewHistory> {
    readable(app, acting, subject).await?;
    Ok(ReviewHistory {
        subject,
        schedule: store::schedule(app.store(), subject).await?,
        reviews: store::reviews(app.store(), subject).await?,
        may_edit: acting.may(subject.kind.register(), Act::Edit),
    })
}

/// Sets (or replaces) the review schedule of `subject`; the next due date is the first
/// the rule names from today.
pub async fn set_schedule(
    app: &App,
    acting: &Acting,
    subject: RecordRef,
    input: &ScheduleInput,
) -> Outcome<ScheduleRecord> {
    let permit = app
        .permit(
            acting,
            subject.kind.register(),
            Act::Edit,
            "reviews.schedule",
        )
        .await?;
    readable(app, acting, subject).await?;
    let named = Assignee::parse(&input.reviewer).and_then(|a| match a {
        Assignee::User(id) => Some(id),
        Assignee::Post(_) => None,
    });
    let reviewer_active = crate::risks::register::is_active_user(app, named).await?;
    let schedule = input.check(reviewer_active)?;
    if let mamori_domain::review::ReviewRule::Once { .. } = schedule.rule {
        // A review planned once is ahead; a date already past is likely a slip.
        crate::confirm_future_dates(input.confirm_past_dates, &[("on", &input.on)])?;
    }
    let next_due = schedule.rule.first_due(crate::today());
    let mut tx = permit.write(app).await?;
    store::set_schedule(&mut tx, subject, &schedule, next_due).await?;
    tx.commit().await?;
    store::schedule(app.store(), subject)
        .await?
        .ok_or(Failure::NotFound)
}

/// Records a review of `subject` and moves its schedule on. A policy document's review
/// carries more (what prompted it, the version it led to): it is recorded through the
/// policy's own review form.
pub async fn record(
    app: &App,
    acting: &Acting,
    subject: RecordRef,
    input: &ReviewInput,
) -> Outcome<i64> {
    let permit = app
        .permit(acting, subject.kind.register(), Act::Edit, "reviews.record")
        .await?;
    readable(app, acting, subject).await?;
    if subject.kind == RecordKind::PolicyDocument {
        return Err(Failure::conflict(
            "policy_review_form",
            "review.error.policy_form",
        ));
    }
    let review = input.check(crate::today())?;
    let schedule = store::schedule(app.store(), subject).await?;
    let due_on = schedule.as_ref().and_then(|s| s.next_due_on);
    let next_due = match (&schedule, due_on) {
        (Some(s), Some(due)) => s.rule.next_due(due, review.reviewed_on),
        _ => None,
    };
    let mut tx = permit.write(app).await?;
    let id = store::record_review(&mut tx, subject, &review, due_on, next_due).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether the person is the one a schedule names as reviewer.
fn reviews_it(acting: &Acting, schedule: &ScheduleRecord) -> bool {
    acting
        .user_id()
        .is_some_and(|id| schedule.reviewer.is(id, &acting.posts))
}

/// The security officer follows every review; a reviewer their own.
fn follows_all(acting: &Acting) -> bool {
    acting.is_system() || acting.role() == Some(Role::SecurityOfficer)
}

/// Reviews due by `until` (or all still due, when None) of the records the person may
/// read, soonest first.
pub async fn due(app: &App, acting: &Acting, until: Option<Date>) -> Outcome<Vec<ScheduleRecord>> {
    let schedules = match until {
        Some(day) => store::due_until(app.store(), day).await?,
        None => store::all_pending(app.store()).await?,
    };
    let mut visible = Vec::new();
    for schedule in schedules {
        if readable(app, acting, schedule.subject).await.is_ok() {
            visible.push(schedule);
        }
    }
    Ok(visible)
}

/// Reviews overdue or due within [`DUE_NOTICE_DAYS`] that wait for this person: those
/// they review, and every one for the security officer.
// lead wires: notify — remind each reviewer (the person, or the post's holders) of a
// review coming due and of one overdue, from the same list as `waiting`.
pub async fn waiting(app: &App, acting: &Acting, today: Date) -> Outcome<Vec<ScheduleRecord>> {
    let until = today + Duration::days(DUE_NOTICE_DAYS);
    let mine = due(app, acting, Some(until))
        .await?
        .into_iter()
        .filter(|s| follows_all(acting) || reviews_it(acting, s))
        .collect();
    Ok(mine)
}

/// Active users, offered as reviewers to those who may set `subject`'s schedule.
pub async fn reviewer_choices(
    app: &App,
    acting: &Acting,
    subject: RecordRef,
) -> Outcome<Vec<mamori_store::users::User>> {
    app.permit(
        acting,
        subject.kind.register(),
        Act::Edit,
        "reviews.schedule",
    )
    .await?;
    crate::risks::register::active_users(app).await
}
