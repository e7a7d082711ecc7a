//! `GET /audit/anchor`: the head of the audit trail to keep on paper, a check against an
//! anchor kept earlier, and who is sent the anchor each day.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::audit_anchor::{self, AnchorRecipient, anchor_text};
use mamori_app::i18n::Tr;
use mamori_app::{Failure, audit};
use mamori_domain::access::{Act, Register};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::{FieldError, FormFields, error_for, field_errors};
use crate::http::respond::see_other;
use crate::http::{Layout, render};
use crate::state::AppState;

/// What checking against an anchor found, shown above the form.
struct Finding {
    holds: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "audit/anchor.html")]
struct AnchorPage {
    t: Tr,
    layout: Layout,
    /// The anchor text to print, or empty while the trail is empty.
    text: String,
    typed: String,
    finding: Option<Finding>,
    people: Vec<AnchorRecipient>,
    may_choose: bool,
    saved: bool,
    errors: Vec<FieldError>,
}

impl AnchorPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn nobody_chosen(&self) -> bool {
        !self.people.iter().any(|p| p.chosen)
    }
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

struct Shown {
    typed: String,
    finding: Option<Finding>,
    errors: Vec<FieldError>,
    saved: bool,
}

async fn view(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    shown: Shown,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let head = audit::head(&state.app, acting).await?;
    let assembly = mamori_app::settings::organisation_name(&state.app).await;
    let status = if shown.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AnchorPage {
        t: ctx.tr,
        layout: Layout::load(state, "audit", "/audit/anchor", Some(&signed.0)).await,
        text: head
            .map(|h| anchor_text(&ctx.tr, assembly.as_deref(), &h))
            .unwrap_or_default(),
        typed: shown.typed,
        finding: shown.finding,
        people: audit_anchor::recipients(&state.app, acting).await?,
        may_choose: acting.may(Register::AuditTrail, Act::Edit),
        saved: shown.saved,
        errors: shown.errors,
    };
    render(status, &page)
}

fn label_key(field: &str) -> &'static str {
    match field {
        "anchor" => "audit_anchor.page.typed",
        _ => "audit_anchor.page.recipients",
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let shown = Shown {
        typed: String::new(),
        finding: None,
        errors: Vec::new(),
        saved: query.saved.is_some(),
    };
    view(&state, &ctx, &signed, shown).await
}

/// `POST /audit/anchor/check`: the finding shows on the page; a malformed anchor keeps
/// what was typed (422).
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let fields = FormFields::read(request).await?;
    let typed: String = fields.get("anchor").chars().take(300).collect();
    let mut shown = Shown {
        typed: typed.clone(),
        finding: None,
        errors: Vec::new(),
        saved: false,
    };
    match audit_anchor::check_typed(&state.app, &signed.0.acting, &typed).await {
        Ok((id, found)) => {
            let (holds, message) = audit_anchor::anchor_finding(&ctx.tr, id, &found);
            shown.finding = Some(Finding { holds, message });
        }
        Err(Failure::Invalid(problems)) => {
            shown.errors = field_errors(&problems, &ctx.tr, label_key);
        }
        Err(other) => return Err(other.into()),
    }
    view(&state, &ctx, &signed, shown).await
}

/// `POST /audit/anchor/recipients`: the ticked people are sent the anchor each day.
pub async fn choose(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let fields = FormFields::read(request).await?;
    let ids: Vec<i64> = fields
        .all("recipients")
        .iter()
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    match audit_anchor::set_recipients(&state.app, &signed.0.acting, &ids).await {
        Ok(_) => Ok(see_other("/audit/anchor?saved=1#recipients")),
        Err(Failure::Invalid(problems)) => {
            let shown = Shown {
                typed: String::new(),
                finding: None,
                errors: field_errors(&problems, &ctx.tr, label_key),
                saved: false,
            };
            view(&state, &ctx, &signed, shown).await
        }
        Err(other) => Err(other.into()),
    }
}
