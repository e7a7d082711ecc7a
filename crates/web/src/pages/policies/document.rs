//! `GET /policies/{id}`: a document's versions and review history (clause 8), and
//! `POST /policies/{id}/reviews`, recording a review.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, DocumentView, ReviewInput};
use mamori_domain::access::{Act, Register};
use mamori_domain::policy_lifecycle::ReviewTrigger;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{Choice, FieldError, error_for, field_errors};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

pub struct VersionRow {
    pub id: i64,
    pub number: i64,
    pub status_key: String,
    pub created: String,
    pub approved_on: String,
    pub published: String,
    pub change_note: String,
}

pub struct ReviewRow {
    pub reviewed_on: String,
    pub trigger_key: String,
    pub analysis: String,
    pub decision: String,
    pub result_version: Option<i64>,
}

#[derive(Template)]
#[template(path = "policies/document.html")]
struct DocumentPage {
    t: Tr,
    layout: Layout,
    id: i64,
    title: String,
    kind_key: String,
    versions: Vec<VersionRow>,
    reviews: Vec<ReviewRow>,
    triggers: Vec<Choice>,
    result_versions: Vec<Choice>,
    can_edit: bool,
    /// Security officers and auditors follow the acknowledgements.
    can_follow_acks: bool,
    /// The link to who acknowledged (signed, for a pledge).
    ack_status_key: &'static str,
    /// The review form as typed, and what was wrong with it.
    review: ReviewForm,
    errors: Vec<FieldError>,
    /// When the next review is due, who does it and by what rule (the review block).
    schedule: Option<crate::http::params::cycle::ScheduleView>,
}

impl DocumentPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

fn rows(ctx: &Ctx, view: DocumentView) -> (Vec<VersionRow>, Vec<ReviewRow>) {
    let versions = view
        .versions
        .into_iter()
        .map(|v| VersionRow {
            id: v.id,
            number: v.number,
            status_key: format!("policy.status.{}", v.status.as_str()),
            created: ctx.datetime(v.created_at),
            approved_on: v.approved_on.map(|d| ctx.date(d)).unwrap_or_default(),
            published: v.published_at.map(|t| ctx.datetime(t)).unwrap_or_default(),
            change_note: v.change_note,
        })
        .collect();
    let reviews = view
        .reviews
        .into_iter()
        .map(|r| ReviewRow {
            reviewed_on: ctx.date(r.reviewed_on),
            trigger_key: format!("policy.trigger.{}", r.trigger.as_str()),
            analysis: r.analysis,
            decision: r.decision,
            result_version: r.result_version_id,
        })
        .collect();
    (versions, reviews)
}

/// The label of a review field, for the error summary.
fn label(field: &str) -> &'static str {
    match field {
        "reviewed_on" => "policy.reviewed_on",
        "trigger" => "policy.trigger_label",
        "analysis" => "policy.analysis",
        "decision" => "policy.decision",
        _ => "policy.result_version",
    }
}

/// The triggers of a review (clause 8), as a select offers them.
fn triggers(ctx: &Ctx) -> Vec<Choice> {
    ReviewTrigger::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str().to_owned(),
            label: ctx
                .tr
                .t(&format!("policy.trigger.{}", t.as_str()))
                .to_owned(),
        })
        .collect()
}

/// The versions a review may have led to, or none.
fn result_versions(ctx: &Ctx, view: &DocumentView) -> Vec<Choice> {
    let none = Choice {
        value: String::new(),
        label: ctx.tr.t("policy.no_new_version").to_owned(),
    };
    let versions = view.versions.iter().map(|v| Choice {
        value: v.id.to_string(),
        label: ctx
            .tr
            .f("policy.version_number", &[("n", v.number.to_string())]),
    });
    std::iter::once(none).chain(versions).collect()
}

async fn document_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    review: ReviewForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let view = policies::show_document(&state.app, acting, id).await?;
    let document = view.document.clone();
    let result_versions = result_versions(ctx, &view);
    let (versions, reviews) = rows(ctx, view);
    let subject =
        mamori_app::cycle::RecordRef::new(mamori_app::cycle::RecordKind::PolicyDocument, id);
    let schedule = mamori_app::cycle::reviews::history(&state.app, acting, subject)
        .await?
        .schedule
        .map(|s| crate::http::params::cycle::schedule_view(ctx, &s));
    let page = DocumentPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "policies",
            &format!("/policies/{id}"),
            Some(&signed.0),
        )
        .await,
        id,
        title: document.title,
        ack_status_key: if document.kind == mamori_domain::policy_lifecycle::PolicyKind::Pledge {
            "pledge.status.title"
        } else {
            "policy.ack_status"
        },
        kind_key: format!("policy.kind.{}", document.kind.as_str()),
        versions,
        reviews,
        triggers: triggers(ctx),
        result_versions,
        can_edit: acting.may(Register::Policies, Act::Edit),
        can_follow_acks: acting.may(Register::Acknowledgements, Act::Read),
        review,
        errors,
        schedule,
    };
    render(status, &page)
}

pub async fn show_document(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let review = ReviewForm::default();
    document_page(
        &state,
        &ctx,
        &signed,
        id,
        review,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub reviewed_on: String,
    pub trigger: String,
    pub analysis: String,
    pub decision: String,
    pub result_version: String,
}

impl ReviewForm {
    fn input(&self) -> ReviewInput {
        ReviewInput {
            reviewed_on: self.reviewed_on.clone(),
            trigger: self.trigger.clone(),
            analysis: self.analysis.clone(),
            decision: self.decision.clone(),
            result_version: self.result_version.clone(),
        }
    }
}

pub async fn add_review(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReviewForm>,
) -> Result<Response, AppError> {
    match policies::add_review(&state.app, &signed.0.acting, id, form.input()).await {
        Ok(_) => Ok(see_other(&format!("/policies/{id}#reviews"))),
        Err(Failure::Invalid(problems)) => {
            let errors = field_errors(&problems, &ctx.tr, label);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            document_page(&state, &ctx, &signed, id, form, errors, status).await
        }
        Err(other) => Err(other.into()),
    }
}
