//! The classification settings page: every scheme with its levels, and switching the
//! scheme in use.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::classification::Saved;
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use serde::Deserialize;

use super::{PATH, SchemeView, scheme_view};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::FormFields;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "classification/settings.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    active: Option<SchemeView>,
    others: Vec<SchemeView>,
    can_edit: bool,
    notice: Option<&'static str>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn render_settings(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    status: StatusCode,
    notice: Option<&'static str>,
    refusal: Option<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let mut active = None;
    let mut others = Vec::new();
    for (scheme, is_active) in mamori_app::classification::schemes(&state.app, acting).await? {
        let scheme = mamori_domain::classification_presets_en::for_reader(scheme, ctx.lang());
        if is_active && active.is_none() {
            active = Some(scheme_view(&scheme));
        } else {
            others.push(scheme_view(&scheme));
        }
    }
    let page = SettingsPage {
        t: ctx.tr,
        layout: Layout::load(state, "classification", PATH, Some(&signed.0)).await,
        active,
        others,
        can_edit: acting.may(Register::Classification, Act::Edit),
        notice,
        refusal,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let notice = match query.saved.as_deref() {
        Some("level") => Some("classification.saved.level"),
        Some("activated") => Some("classification.saved.activated"),
        Some("unchanged") => Some("classification.saved.unchanged"),
        _ => None,
    };
    render_settings(&state, &ctx, &signed, StatusCode::OK, notice, None).await
}

/// The scheme asked for: a positive number, or a 400.
pub fn scheme_id(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scheme",
                "classification.error.scheme",
            )
        })
}

pub async fn activate(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let what = "classification.activate";
    state
        .app
        .permit(acting, Register::Classification, Act::Edit, what)
        .await?;
    let fields = FormFields::read(request).await?;
    let scheme_id = scheme_id(fields.get("scheme_id"))?;
    match mamori_app::classification::activate(&state.app, acting, scheme_id).await {
        Ok(Saved::Changed) => Ok(see_other(&format!("{PATH}?saved=activated"))),
        Ok(Saved::Unchanged) => Ok(see_other(&format!("{PATH}?saved=unchanged"))),
        Err(Failure::Conflict(refusal)) => {
            let message = ctx.tr.f(refusal.key, &refusal.params);
            let status = StatusCode::CONFLICT;
            render_settings(&state, &ctx, &signed, status, None, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}
