//! The reviews due (`/reviews`), and one record's review schedule and history
//! (`/reviews/{kind}/{id}`) with the forms that set the schedule and record a review.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::cycle::reviews::{self as app_reviews, ReviewHistory};
use mamori_app::cycle::{
    Assignee, RecordKind, ReviewInput, ReviewRule, ScheduleInput, ScheduleRecord,
};
use mamori_app::i18n::Tr;
use mamori_domain::user::OrgRole;
use serde::Deserialize;

use super::{parse_subject, problems_of, record_label};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{Choice, FieldError, field_errors};
pub use crate::http::params::cycle::{ScheduleView, schedule_view};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "cycle/reviews.html")]
struct DuePage {
    t: Tr,
    layout: Layout,
    rows: Vec<ScheduleView>,
    all: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DueQuery {
    /// Every schedule still due, not only those due within 30 days.
    pub all: Option<String>,
}

pub async fn due(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<DueQuery>,
) -> Result<Response, AppError> {
    let all = query.all.is_some_and(|v| v == "1");
    let until = (!all).then(|| {
        mamori_app::today() + time::Duration::days(mamori_domain::review::DUE_NOTICE_DAYS)
    });
    let schedules = app_reviews::due(&state.app, &signed.0.acting, until).await?;
    let page = DuePage {
        t: ctx.tr,
        layout: Layout::load(&state, "reviews", "/reviews", Some(&signed.0)).await,
        rows: schedules.iter().map(|s| schedule_view(&ctx, s)).collect(),
        all,
    };
    render(StatusCode::OK, &page)
}

pub struct ReviewRow {
    pub reviewed_on: String,
    pub due_on: String,
    pub reviewer: String,
    pub outcome: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "cycle/review_record.html")]
struct RecordPage {
    t: Tr,
    layout: Layout,
    subject: String,
    subject_link: String,
    path: String,
    schedule: Option<ScheduleView>,
    reviews: Vec<ReviewRow>,
    may_edit: bool,
    /// A policy document records its reviews on its own page (trigger, version).
    policy: bool,
    rules: Vec<Choice>,
    reviewers: Vec<Choice>,
    schedule_form: ScheduleInput,
    review_form: ReviewInput,
    errors: Vec<FieldError>,
    asks_past: bool,
}

impl RecordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

fn field_key(field: &str) -> &'static str {
    match field {
        "rule" => "review.field.rule",
        "month_day" => "review.field.month_day",
        "months" => "review.field.months",
        "on" => "review.field.on",
        "reviewer" => "review.field.reviewer",
        "reviewed_on" => "review.field.reviewed_on",
        "outcome" => "review.field.outcome",
        _ => "review.field.note",
    }
}

/// The schedule form filled from the stored schedule (or the policy default).
fn schedule_form(schedule: Option<&ScheduleRecord>) -> ScheduleInput {
    let (rule, reviewer) = schedule.map_or(
        (
            ReviewRule::POLICY_DEFAULT,
            Assignee::Post(OrgRole::ChiefSecurityOfficer),
        ),
        |s| (s.rule, s.reviewer),
    );
    let mut form = ScheduleInput {
        rule: rule.code().to_owned(),
        reviewer: reviewer.code(),
        ..ScheduleInput::default()
    };
    match rule {
        ReviewRule::FiscalYearly { month, day } => form.month_day = format!("{month}/{day}"),
        ReviewRule::EveryMonths { months } => form.months = months.to_string(),
        ReviewRule::Once { on } => form.on = mamori_app::date_text(on),
    }
    form
}

struct Forms {
    schedule: Option<ScheduleInput>,
    review: ReviewInput,
    errors: Vec<FieldError>,
    /// A past once-only date was asked about: the box that keeps it is offered.
    asks_past: bool,
}

async fn record_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    history: ReviewHistory,
    forms: Forms,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = &ctx.tr;
    let subject = history.subject;
    let title = history
        .schedule
        .as_ref()
        .and_then(|s| s.subject_title.clone());
    let rules = ["fiscal_yearly", "every_months", "once"]
        .into_iter()
        .map(|r| Choice {
            value: r.to_owned(),
            label: tr.t(&format!("review.rule.{r}")).to_owned(),
        })
        .collect();
    let posts = OrgRole::ALL.into_iter().map(|p| Choice {
        value: Assignee::Post(p).code(),
        label: tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
    });
    let users = if history.may_edit {
        app_reviews::reviewer_choices(&state.app, &signed.0.acting, subject).await?
    } else {
        Vec::new()
    };
    let users = users.into_iter().map(|u| Choice {
        value: Assignee::User(u.id).code(),
        label: u.display_name,
    });
    let path = format!("/reviews/{}/{}", subject.kind.as_str(), subject.id);
    let page = RecordPage {
        t: ctx.tr,
        layout: Layout::load(state, "reviews", &path, Some(&signed.0)).await,
        subject: record_label(tr, subject, title.as_deref()),
        subject_link: subject.kind.path(subject.id),
        path,
        schedule: history.schedule.as_ref().map(|s| schedule_view(ctx, s)),
        reviews: history
            .reviews
            .iter()
            .map(|r| ReviewRow {
                reviewed_on: ctx.date(r.reviewed_on),
                due_on: r.due_on.map(|d| ctx.date(d)).unwrap_or_default(),
                reviewer: r.reviewer_name.clone().unwrap_or_default(),
                outcome: r.outcome.clone(),
                note: r.note.clone(),
            })
            .collect(),
        may_edit: history.may_edit,
        policy: subject.kind == RecordKind::PolicyDocument,
        rules,
        reviewers: posts.chain(users).collect(),
        schedule_form: forms
            .schedule
            .unwrap_or_else(|| schedule_form(history.schedule.as_ref())),
        review_form: forms.review,
        errors: forms.errors,
        asks_past: forms.asks_past,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let history = app_reviews::history(&state.app, &signed.0.acting, subject).await?;
    let forms = Forms {
        schedule: None,
        review: ReviewInput::default(),
        errors: Vec::new(),
        asks_past: false,
    };
    record_page(&state, &ctx, &signed, history, forms, StatusCode::OK).await
}

pub async fn set_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
    WebForm(form): WebForm<ScheduleInput>,
) -> Result<Response, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let acting = &signed.0.acting;
    match app_reviews::set_schedule(&state.app, acting, subject, &form).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{kind}/{}", subject.id))),
        Err(failure) => {
            let problems = problems_of(failure, "rule")?;
            let errors = field_errors(&problems, &ctx.tr, field_key);
            let history = app_reviews::history(&state.app, acting, subject).await?;
            let forms = Forms {
                schedule: Some(form),
                review: ReviewInput::default(),
                errors,
                asks_past: crate::http::forms::asks_confirmation(&problems),
            };
            record_page(
                &state,
                &ctx,
                &signed,
                history,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((kind, id)): Path<(String, String)>,
    WebForm(form): WebForm<ReviewInput>,
) -> Result<Response, AppError> {
    let subject = parse_subject(&kind, &id)?;
    let acting = &signed.0.acting;
    match app_reviews::record(&state.app, acting, subject, &form).await {
        Ok(_) => Ok(see_other(&format!(
            "/reviews/{kind}/{}#history",
            subject.id
        ))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure, "reviewed_on")?, &ctx.tr, field_key);
            let history = app_reviews::history(&state.app, acting, subject).await?;
            let forms = Forms {
                schedule: None,
                review: form,
                errors,
                asks_past: false,
            };
            record_page(
                &state,
                &ctx,
                &signed,
                history,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
