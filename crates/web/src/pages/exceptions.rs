//! Exceptions (例外措置) pages: the list with where each stands, asking for one, its page
//! with the approval history, correcting one sent back, and ending one. Thin shells over
//! `mamori_app::exceptions`; the CISO decides on the approval request's own page.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::exceptions::{self as app_exceptions, ExceptionView, Form, Listed};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::exception::EMERGENCY_REPORT_DAYS;
use mamori_domain::field::FieldProblem;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{FieldError, FormFields, error_for, field_errors, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const PATH: &str = "/exceptions";
/// Longest text kept from a refused field to show it again.
const KEEP_CHARS: usize = 5_000;

/// One row of the list, in the reader's words.
pub struct Row {
    pub id: i64,
    pub rule: String,
    pub scope: String,
    pub period: String,
    pub standing: &'static str,
    pub attention: bool,
    pub emergency: bool,
}

fn row(ctx: &Ctx, l: &Listed) -> Row {
    Row {
        id: l.record.id,
        rule: l.record.rule.clone(),
        scope: l.record.scope.clone(),
        period: format!(
            "{} – {}",
            ctx.date(l.record.starts_on),
            ctx.date(l.record.expires_on)
        ),
        standing: l.standing.label_key(),
        attention: l.standing.needs_attention(),
        emergency: l.record.emergency,
    }
}

#[derive(Template)]
#[template(path = "exceptions/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    may_ask: bool,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let listed = app_exceptions::list(&state.app, acting).await?;
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "exceptions", PATH, Some(&signed.0)).await,
        rows: listed.iter().map(|l| row(&ctx, l)).collect(),
        may_ask: acting.may(Register::Exceptions, Act::Edit),
        notice: (query.saved.as_deref() == Some("ended")).then_some("exception.closed"),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "exceptions/form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// `Some(id)` when correcting one sent back.
    id: Option<i64>,
    form: Form,
    errors: Vec<FieldError>,
    /// A past expiry was asked about: the box that keeps it is offered.
    asks_past: bool,
    emergency_hint: String,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn label_key(field: &str) -> &'static str {
    match field {
        "waived_rule" => "field.label.waived_rule",
        "clause_ref" => "field.label.clause_ref",
        "scope" => "field.label.scope",
        "reason" => "field.label.reason",
        "measure" => "field.label.measure",
        "starts_on" => "field.label.starts_on",
        "expires_on" => "field.label.expires_on",
        "note" => "exception.end_note",
        _ => "field.label.emergency",
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    form: Form,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let path = match id {
        Some(id) => format!("{PATH}/{id}/revise"),
        None => format!("{PATH}/new"),
    };
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, "exceptions", &path, Some(&signed.0)).await,
        id,
        form,
        errors: field_errors(problems, &ctx.tr, label_key),
        asks_past: crate::http::forms::asks_confirmation(problems),
        emergency_hint: ctx.tr.f(
            "exception.emergency_hint",
            &[("days", EMERGENCY_REPORT_DAYS.to_string())],
        ),
    };
    render(status, &page)
}

fn form_of(fields: &FormFields) -> Form {
    let get = |name: &str| {
        fields
            .get(name)
            .chars()
            .take(KEEP_CHARS)
            .collect::<String>()
    };
    Form {
        rule: get("waived_rule"),
        clause_ref: get("clause_ref"),
        scope: get("scope"),
        reason: get("reason"),
        measure: get("measure"),
        starts_on: get("starts_on"),
        expires_on: get("expires_on"),
        emergency: !fields.get("emergency").is_empty(),
        confirm_past_dates: crate::http::forms::past_dates_confirmed(
            fields.get("confirm_past_dates"),
        ),
    }
}

use crate::http::forms::form_problems as problems_of;

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Exceptions,
            Act::Edit,
            "exceptions.request",
        )
        .await?;
    let form = Form {
        starts_on: mamori_app::date_text(mamori_app::today()),
        ..Form::default()
    };
    render_form(&state, &ctx, &signed, None, form, &[]).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Exceptions,
            Act::Edit,
            "exceptions.request",
        )
        .await?;
    let form = form_of(&FormFields::read(request).await?);
    match app_exceptions::request(&state.app, acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/{id}?saved=asked"))),
        Err(f) => render_form(&state, &ctx, &signed, None, form, &problems_of(f)?).await,
    }
}

/// One approval request of the exception's history, in the reader's words.
pub struct Step {
    pub id: i64,
    pub state: String,
    pub requested: String,
    pub decided: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "exceptions/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    view: ExceptionView,
    standing: &'static str,
    period: String,
    ended: Option<String>,
    steps: Vec<Step>,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    note: String,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: ExceptionView,
    notice: Option<&'static str>,
    problems: &[FieldProblem],
    note: String,
) -> Result<Response, AppError> {
    let r = &view.record;
    let steps = view
        .history
        .iter()
        .map(|q| Step {
            id: q.id,
            state: ctx
                .tr
                .t(&format!("approval.state.{}", q.state.as_str()))
                .to_owned(),
            requested: crate::http::labels::bracketed(
                &ctx.tr,
                &ctx.datetime(q.created_at),
                &q.requested_by_name.clone().unwrap_or_default(),
            ),
            decided: q.decided_on.map(|d| {
                crate::http::labels::bracketed(
                    &ctx.tr,
                    &ctx.date(d),
                    &q.decided_by_name.clone().unwrap_or_default(),
                )
            }),
            reason: q.reason.clone(),
        })
        .collect();
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "exceptions",
            &format!("{PATH}/{}", r.id),
            Some(&signed.0),
        )
        .await,
        standing: view.standing.label_key(),
        period: format!("{} – {}", ctx.date(r.starts_on), ctx.date(r.expires_on)),
        ended: r.ended_on.map(|d| {
            ctx.tr.f(
                "exception.ended",
                &[
                    ("date", ctx.date(d)),
                    ("name", r.ended_by_name.clone().unwrap_or_default()),
                ],
            )
        }),
        steps,
        notice,
        errors: field_errors(problems, &ctx.tr, label_key),
        note,
        view,
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let view = app_exceptions::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let notice = match query.saved.as_deref() {
        Some("asked") => Some("exception.saved"),
        Some("revised") => Some("exception.revised"),
        _ => None,
    };
    render_show(&state, &ctx, &signed, view, notice, &[], String::new()).await
}

pub async fn revise_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = app_exceptions::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    if !view.may_revise {
        return Err(
            mamori_app::Failure::conflict("invalid_state", "exception.error.not_returned").into(),
        );
    }
    let r = view.record;
    let form = Form {
        rule: r.rule,
        clause_ref: r.clause_ref,
        scope: r.scope,
        reason: r.reason,
        measure: r.measure,
        starts_on: mamori_app::date_text(r.starts_on),
        expires_on: mamori_app::date_text(r.expires_on),
        emergency: r.emergency,
        confirm_past_dates: false,
    };
    render_form(&state, &ctx, &signed, Some(r.id), form, &[]).await
}

pub async fn revise(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    app_exceptions::show(&state.app, acting, id).await?;
    let form = form_of(&FormFields::read(request).await?);
    match app_exceptions::revise(&state.app, acting, id, &form).await {
        Ok(()) => Ok(see_other(&format!("{PATH}/{id}?saved=revised"))),
        Err(f) => render_form(&state, &ctx, &signed, Some(id), form, &problems_of(f)?).await,
    }
}

pub async fn end(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    app_exceptions::show(&state.app, acting, id).await?;
    let fields = FormFields::read(request).await?;
    let note: String = fields.get("note").chars().take(KEEP_CHARS).collect();
    match app_exceptions::end(&state.app, acting, id, &note).await {
        Ok(()) => Ok(see_other(&format!("{PATH}?saved=ended"))),
        Err(f) => {
            let problems = problems_of(f)?;
            let view = app_exceptions::show(&state.app, acting, id).await?;
            render_show(&state, &ctx, &signed, view, None, &problems, note).await
        }
    }
}
