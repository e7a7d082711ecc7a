//! `GET /policies/{id}/versions/{vid}`: one version with its clauses and what the reader
//! may do with it; `POST …/send` (決裁に回す, to a chosen person with a note),
//! `POST …/approve` (決裁), `POST …/publish` and `POST …/withdraw`
//! (取下げ of a draft, with a reason).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, ApprovalInput, VersionSummary};
use mamori_domain::pledge::PledgeWay;
use serde::Deserialize;

use super::{ClauseRow, flatten_linked};
use crate::http::approval_view::SendForm;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{FieldError, error_for, field_errors};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/version.html")]
struct VersionPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    version: VersionSummary,
    /// The title as the text prints it (with the regulation marker ○).
    heading: String,
    status_key: String,
    approved_on: String,
    approver: Option<String>,
    content_hash: String,
    rows: Vec<ClauseRow>,
    may_approve: bool,
    /// The draft may be sent for 決裁: the people who may be chosen, and the form.
    may_send: bool,
    deciders: Vec<crate::http::forms::Choice>,
    send: SendForm,
    may_publish: bool,
    may_withdraw: bool,
    /// The withdrawal reason as typed, after a refusal.
    reason: String,
    must_acknowledge: bool,
    acknowledged: Option<String>,
    /// The words of the acknowledgement: a pledge (誓約書) is signed (誓約), not
    /// acknowledged (確認).
    words: AckWords,
    /// The approval form as typed (else today, or the date the text names).
    approval: ApproveForm,
    /// A refusal of the approval or the publication.
    error: Option<String>,
    errors: Vec<FieldError>,
    /// The version's approval requests: (link, state and who decided, reason).
    approvals: Vec<(String, String, String)>,
    /// An emergency response plan: the link to its scenarios and print view.
    response_plan: bool,
}

impl VersionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// What the reader is told of their own acknowledgement: when they gave it, or, for a
/// pledge signed on paper, the day written on it.
fn acknowledged(ctx: &Ctx, pledge: bool, mine: &policies::AcknowledgementRow) -> Option<String> {
    let at = mine.acknowledged_at?;
    if let (Some(PledgeWay::Paper), Some(day)) = (mine.way, mine.signed_on) {
        return Some(
            ctx.tr
                .f("pledge.signed_on_paper", &[("date", ctx.date(day))]),
        );
    }
    let key = AckWords::of(pledge).done_at;
    Some(ctx.tr.f(key, &[("at", ctx.datetime(at))]))
}

/// The locale keys of the acknowledgement section.
struct AckWords {
    below: &'static str,
    done_at: &'static str,
    request: &'static str,
    explain: &'static str,
    button: &'static str,
}

impl AckWords {
    fn of(pledge: bool) -> AckWords {
        if pledge {
            AckWords {
                below: "pledge.sign_below",
                done_at: "pledge.signed_at",
                request: "pledge.sign_request",
                explain: "pledge.sign_explain",
                button: "pledge.sign_button",
            }
        } else {
            AckWords {
                below: "policy.ack_below",
                done_at: "policy.acknowledged_at",
                request: "policy.ack_request",
                explain: "policy.ack_explain",
                button: "policy.ack_button",
            }
        }
    }
}

/// What the version page shows again after a refused action.
#[derive(Default)]
struct Refused {
    approval: Option<ApproveForm>,
    send: SendForm,
    reason: String,
    error: Option<String>,
    errors: Vec<FieldError>,
}

async fn version_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    (id, vid): (i64, i64),
    refused: Refused,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = policies::show_version(&state.app, &signed.0.acting, id, vid).await?;
    let summary = view.version.summary;
    let tree = view.version.tree;
    let suggested = tree.approved_on.unwrap_or_else(mamori_app::today);
    let deciders = if view.may_send {
        policies::version_deciders(&state.app, &signed.0.acting, id, vid).await?
    } else {
        Vec::new()
    };
    let page = VersionPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "policies",
            &format!("/policies/{id}/versions/{vid}"),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        heading: if tree.title.trim().is_empty() {
            summary.title.clone()
        } else {
            tree.title.clone()
        },
        status_key: format!("policy.status.{}", summary.status.as_str()),
        approved_on: summary.approved_on.map(|d| ctx.date(d)).unwrap_or_default(),
        approver: view.approver,
        content_hash: summary.content_hash.clone(),
        rows: flatten_linked(&tree, id),
        may_approve: view.may_approve,
        may_send: view.may_send,
        deciders: crate::http::approval_view::decider_choices(&ctx.tr, &deciders),
        send: refused.send,
        may_publish: view.may_publish,
        may_withdraw: view.may_withdraw,
        reason: refused.reason,
        words: AckWords::of(view.pledge),
        response_plan: view.response_plan,
        must_acknowledge: view
            .mine
            .as_ref()
            .is_some_and(|a| a.acknowledged_at.is_none()),
        acknowledged: view
            .mine
            .as_ref()
            .and_then(|a| acknowledged(ctx, view.pledge, a)),
        approval: refused.approval.unwrap_or_else(|| ApproveForm {
            approved_on: ctx.date(suggested),
            note: String::new(),
        }),
        approvals: view
            .approvals
            .iter()
            .map(|r| {
                let state = ctx.tr.t(crate::http::approval_view::state_key(r.state));
                let by = r.decided_by_name.as_deref().unwrap_or_default();
                (
                    format!("/approvals/{}", r.id),
                    format!("{state} {by}"),
                    r.reason.clone(),
                )
            })
            .collect(),
        version: summary,
        error: refused.error,
        errors: refused.errors,
    };
    render(status, &page)
}

pub async fn show_version(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(ids): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    version_page(
        &state,
        &ctx,
        &signed,
        ids,
        Refused::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApproveForm {
    pub approved_on: String,
    pub note: String,
}

fn label(field: &str) -> &'static str {
    match field {
        "decider" => "approval.send.decider",
        "request_note" => "approval.send.note",
        "approved_on" => "policy.approved_on",
        "reason" => "policy.withdrawal_reason",
        _ => "policy.approval_note",
    }
}

/// A refusal shown on the version page: the rule's words, or the fields' problems.
fn refused_page(
    ctx: &Ctx,
    failure: Failure,
    form: Option<ApproveForm>,
) -> Result<(Refused, StatusCode), AppError> {
    match failure {
        Failure::Invalid(problems) => Ok((
            Refused {
                errors: field_errors(&problems, &ctx.tr, label),
                approval: form,
                reason: String::new(),
                error: None,
                send: SendForm::default(),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Failure::Conflict(refusal) => Ok((
            Refused {
                error: Some(ctx.tr.f(refusal.key, &refusal.params)),
                approval: form,
                reason: String::new(),
                errors: Vec::new(),
                send: SendForm::default(),
            },
            StatusCode::CONFLICT,
        )),
        other => Err(other.into()),
    }
}

/// Sends the draft for 決裁 (決裁に回す) to the person chosen, with a note.
pub async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
    WebForm(form): WebForm<SendForm>,
) -> Result<Response, AppError> {
    let input = form.input();
    match policies::send_version(&state.app, &signed.0.acting, id, vid, &input).await {
        Ok(_) => Ok(see_other(&format!("/policies/{id}/versions/{vid}"))),
        Err(failure) => {
            let (mut refused, status) = refused_page(&ctx, failure, None)?;
            refused.send = form;
            version_page(&state, &ctx, &signed, (id, vid), refused, status).await
        }
    }
}

pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
    WebForm(form): WebForm<ApproveForm>,
) -> Result<Response, AppError> {
    let input = ApprovalInput {
        approved_on: form.approved_on.clone(),
        note: form.note.clone(),
    };
    match policies::approve_version(&state.app, &signed.0.acting, id, vid, input).await {
        Ok(_) => Ok(see_other(&format!("/policies/{id}/versions/{vid}"))),
        Err(failure) => {
            let (refused, status) = refused_page(&ctx, failure, Some(form))?;
            version_page(&state, &ctx, &signed, (id, vid), refused, status).await
        }
    }
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    match policies::publish_version(&state.app, &signed.0.acting, id, vid).await {
        Ok(_) => Ok(see_other(&format!("/policies/{id}/versions/{vid}"))),
        Err(failure) => {
            let (refused, status) = refused_page(&ctx, failure, None)?;
            version_page(&state, &ctx, &signed, (id, vid), refused, status).await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    pub reason: String,
}

/// Withdraws (取下げ) a draft with a reason; refused for a version already approved.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
    WebForm(form): WebForm<WithdrawForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    match policies::withdraw_version(&state.app, acting, id, vid, &form.reason).await {
        Ok(_) => Ok(see_other(&format!("/policies/{id}/versions/{vid}"))),
        Err(failure) => {
            let (mut refused, status) = refused_page(&ctx, failure, None)?;
            refused.reason = form.reason;
            version_page(&state, &ctx, &signed, (id, vid), refused, status).await
        }
    }
}
