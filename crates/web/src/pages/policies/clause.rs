//! `GET /policies/{id}/clauses/{reference}`: one clause, and what links to it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, ClauseLink};

use super::{ClauseRow, flatten};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/clause.html")]
struct ClausePage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    document_title: String,
    rows: Vec<ClauseRow>,
    reference: String,
    links: Vec<ClauseLink>,
    /// Information assets registered against this clause of the basic policy.
    assets: Vec<(i64, String)>,
}

pub async fn clause(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, reference)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let view = policies::clause(&state.app, &signed.0.acting, id, &reference).await?;
    let path = format!("/policies/{id}");
    let page = ClausePage {
        t: ctx.tr,
        layout: Layout::load(&state, "policies", &path, Some(&signed.0)).await,
        document_id: id,
        document_title: view.document.title,
        rows: flatten(&view.text),
        links: view.links,
        assets: view.assets,
        reference,
    };
    render(StatusCode::OK, &page)
}
