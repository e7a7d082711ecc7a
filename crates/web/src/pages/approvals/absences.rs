//! Absences (不在) with a deputy (代理決裁者): the signed-in person's own, and where they
//! stand in for someone, with the form to add one and a button to call one off.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::approvals::{self, AbsenceForm};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::approval::AbsenceInput;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::forms::{FieldError, field_errors, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

pub use crate::http::approval_view::AbsenceRow;

#[derive(Debug, Default, Deserialize)]
pub struct AbsenceFields {
    /// Whose absence (the administrator's form only); empty: one's own.
    #[serde(default)]
    user: String,
    #[serde(default)]
    deputy: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "approvals/absences.html")]
struct AbsencesPage {
    t: Tr,
    layout: Layout,
    absences: Vec<AbsenceRow>,
    /// The administrator marks others absent (and sees and calls off every absence).
    for_others: bool,
    form: AbsenceFields,
    errors: Vec<FieldError>,
}

impl AbsencesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

pub fn field_key(field: &str) -> &'static str {
    match field {
        "user" => "approval.absence.user",
        "deputy" => "approval.absence.deputy",
        "starts_on" => "approval.absence.starts_on",
        "ends_on" => "approval.absence.ends_on",
        "note" => "approval.absence.note",
        _ => "approval.field.other",
    }
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: AbsenceFields,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let me = signed.user().id;
    let for_others = acting.may(Register::Users, Act::Edit);
    let absences = if for_others {
        approvals::all_absences(&state.app, acting).await?
    } else {
        approvals::absences(&state.app, acting, None).await?
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AbsencesPage {
        t: ctx.tr,
        layout: Layout::load(state, "approvals", "/approvals/absences", Some(&signed.0)).await,
        absences: absences
            .iter()
            .map(|a| AbsenceRow::of(ctx, me, a))
            .collect(),
        for_others,
        form,
        errors,
    };
    render(status, &page)
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    render_page(&state, &ctx, &signed, AbsenceFields::default(), Vec::new()).await
}

/// Marks the signed-in person absent with a deputy.
pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<AbsenceFields>,
) -> Result<Response, AppError> {
    let input = AbsenceForm {
        user_id: None,
        user_login: form.user.clone(),
        deputy: form.deputy.clone(),
        input: AbsenceInput {
            starts_on: form.starts_on.clone(),
            ends_on: form.ends_on.clone(),
            note: form.note.clone(),
        },
    };
    match approvals::add_absence(&state.app, &signed.0.acting, &input).await {
        Ok(_) => Ok(see_other("/approvals/absences")),
        Err(Failure::Invalid(problems)) => {
            let errors = field_errors(&problems, &ctx.tr, field_key);
            render_page(&state, &ctx, &signed, form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Calls off one of the signed-in person's absences.
pub async fn cancel(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    approvals::cancel_absence(&state.app, &signed.0.acting, id).await?;
    Ok(see_other("/approvals/absences"))
}
