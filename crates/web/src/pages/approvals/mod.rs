//! Approval request pages (決裁): what waits for my decision and what I asked for
//! (`/approvals`), one request with its subject, history and the decision form
//! (`/approvals/{id}`), and absences with a deputy (`/approvals/absences`).

pub mod absences;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::approvals::{self, DecisionForm, Seen};
use mamori_app::i18n::Tr;
use mamori_domain::approval::Asked;
use serde::Deserialize;

use crate::http::approval_view::{Row, subject_path};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{Choice, FieldError, field_errors, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "approvals/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    waiting: Vec<Row>,
    mine: Vec<Row>,
}

/// My inbox (due date first, overdue marked) and the requests I made.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let lists = approvals::lists(&state.app, &signed.0.acting).await?;
    let page = ListPage {
        waiting: lists.waiting.iter().map(|s| Row::of(&ctx, s)).collect(),
        mine: lists.mine.iter().map(|s| Row::of(&ctx, s)).collect(),
        t: ctx.tr,
        layout: Layout::load(&state, "approvals", "/approvals", Some(&signed.0)).await,
    };
    render(StatusCode::OK, &page)
}

/// The decision form as typed (kept when refused).
#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    minute_ref: String,
    #[serde(default)]
    decided_on: String,
}

impl DecideForm {
    fn input(&self) -> DecisionForm {
        DecisionForm {
            decision: self.decision.clone(),
            reason: self.reason.clone(),
            minute_ref: self.minute_ref.clone(),
            decided_on: self.decided_on.clone(),
        }
    }
}

/// One request as its page shows it.
struct Detail {
    row: Row,
    link: String,
    note: String,
    decided_by: String,
    on_behalf_of: String,
    decided_on: String,
    reason: String,
    minute_ref: String,
}

impl Detail {
    fn of(ctx: &Ctx, seen: &Seen) -> Detail {
        let r = &seen.request;
        Detail {
            row: Row::of(ctx, seen),
            link: subject_path(r),
            note: r.note.clone(),
            decided_by: r.decided_by_name.clone().unwrap_or_default(),
            on_behalf_of: r.on_behalf_of_name.clone().unwrap_or_default(),
            decided_on: r.decided_on.map(|d| ctx.date(d)).unwrap_or_default(),
            reason: r.reason.clone(),
            minute_ref: r.minute_ref.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "approvals/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    r: Detail,
    history: Vec<Row>,
    may_decide: bool,
    deputy_for: Option<String>,
    committee: bool,
    may_withdraw: bool,
    decisions: Vec<Choice>,
    form: DecideForm,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

pub fn field_key(field: &str) -> &'static str {
    match field {
        "decision" => "approval.field.decision",
        "reason" => "approval.field.reason",
        "minute_ref" => "approval.field.minute_ref",
        "decided_on" => "approval.field.decided_on",
        "expires_on" => "risk.acceptance_expires",
        _ => "approval.field.other",
    }
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    seen: Seen,
    form: DecideForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let r = &seen.request;
    let history = approvals::history(&state.app, acting, r.subject)
        .await?
        .into_iter()
        .filter(|h| h.id != r.id)
        .map(|request| Row::of(ctx, &Seen::plain(request)))
        .collect();
    let tr = ctx.tr;
    let decisions = ["approve", "return", "reject"]
        .into_iter()
        .map(|v| Choice {
            value: v.to_owned(),
            label: tr.t(&format!("approval.decision.{v}")).to_owned(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        t: tr,
        layout: Layout::load(
            state,
            "approvals",
            &format!("/approvals/{}", r.id),
            Some(&signed.0),
        )
        .await,
        history,
        may_decide: seen.capacity.is_some(),
        deputy_for: seen.deputy_for.clone(),
        committee: r.asked == Asked::Committee,
        may_withdraw: seen.may_withdraw,
        decisions,
        form,
        errors,
        r: Detail::of(ctx, &seen),
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let seen = approvals::show(&state.app, &signed.0.acting, id).await?;
    render_show(
        &state,
        &ctx,
        &signed,
        seen,
        DecideForm::default(),
        Vec::new(),
    )
    .await
}

/// Approve, send back or reject; a refused input shows the form again as typed.
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(form): WebForm<DecideForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    match approvals::decide(&state.app, acting, id, &form.input()).await {
        Ok(_) => Ok(see_other(&format!("/approvals/{id}"))),
        Err(Failure::Invalid(problems)) => {
            let errors = field_errors(&problems, &ctx.tr, field_key);
            let seen = approvals::show(&state.app, acting, id).await?;
            render_show(&state, &ctx, &signed, seen, form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The requester withdraws (取下げ) a request that still waits.
pub async fn withdraw(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    approvals::withdraw(&state.app, &signed.0.acting, id).await?;
    Ok(see_other(&format!("/approvals/{id}")))
}
