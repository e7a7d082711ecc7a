//! `GET /policies/{id}/compare`: two versions of a document, clause by clause.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies;
use mamori_domain::policy_diff::{Change, Piece};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::{Layout, render};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub struct DiffRow {
    pub label: String,
    pub reference: String,
    pub change: &'static str,
    pub title: Vec<(&'static str, String)>,
    pub text: Vec<(&'static str, String)>,
    pub depth: usize,
}

fn pieces(pieces: &[Piece]) -> Vec<(&'static str, String)> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Same(s) => ("same", s.clone()),
            Piece::Inserted(s) => ("ins", s.clone()),
            Piece::Deleted(s) => ("del", s.clone()),
        })
        .collect()
}

fn change_name(change: &Change) -> &'static str {
    match change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Changed => "changed",
        Change::Unchanged => "unchanged",
    }
}

#[derive(Template)]
#[template(path = "policies/compare.html")]
struct ComparePage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    versions: Vec<(i64, i64)>,
    from: i64,
    to: i64,
    rows: Vec<DiffRow>,
    added: usize,
    removed: usize,
    changed: usize,
}

pub async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let comparison = policies::compare(&state.app, acting, id, query.from, query.to).await?;
    let diff = comparison.diff;
    let rows = diff
        .clauses
        .iter()
        .map(|c| DiffRow {
            label: c.label.clone(),
            reference: c.reference.clone(),
            change: change_name(&c.change),
            title: pieces(&c.title),
            text: pieces(&c.text),
            depth: c.depth.min(4),
        })
        .collect();
    let path = format!("/policies/{id}/compare");
    let page = ComparePage {
        t: ctx.tr,
        layout: Layout::load(&state, "policies", &path, Some(&signed.0)).await,
        document_id: id,
        versions: comparison
            .versions
            .iter()
            .map(|v| (v.id, v.number))
            .collect(),
        from: comparison.from.id,
        to: comparison.to.id,
        rows,
        added: diff.added,
        removed: diff.removed,
        changed: diff.changed,
    };
    render(StatusCode::OK, &page)
}
