//! `GET /public/policy`: the published basic policy, readable without signing in, laid
//! out for A4.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies;

use super::{ClauseRow, flatten};
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/public.html")]
struct PublicPage {
    t: Tr,
    organisation: Option<String>,
    title: String,
    approved_on: String,
    /// Today, for the header of every printed sheet.
    printed_on: String,
    rows: Vec<ClauseRow>,
}

pub async fn public_policy(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let public = policies::public_policy(&state.app).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_published",
            "policy.error.not_published",
        )
    })?;
    let version = public.version;
    let page = PublicPage {
        t: ctx.tr,
        organisation: public.organisation,
        title: version.tree.title.clone(),
        approved_on: version
            .summary
            .approved_on
            .map(|d| ctx.date(d))
            .unwrap_or_default(),
        printed_on: ctx.date(mamori_app::today()),
        rows: flatten(&version.tree),
    };
    render(StatusCode::OK, &page)
}
