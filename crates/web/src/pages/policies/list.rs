//! `GET /policies`: every policy document, its version in force and its newest one.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies;
use mamori_domain::access::{Act, Register};
use mamori_domain::policy_lifecycle::PolicyKind;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;

pub struct DocumentRow {
    pub id: i64,
    pub kind_key: String,
    pub title: String,
    /// The approval date of the version in force, when one is published.
    pub published: Option<String>,
    pub latest_status_key: String,
    pub latest_number: i64,
}

#[derive(Template)]
#[template(path = "policies/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    documents: Vec<DocumentRow>,
    can_edit: bool,
    /// The public page is linked only once it has a basic policy to show.
    basic_policy_published: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let listings = policies::list_documents(&state.app, acting).await?;
    let basic_policy_published = listings
        .iter()
        .any(|l| l.document.kind == PolicyKind::BasicPolicy && l.published.is_some());
    let documents = listings
        .into_iter()
        .filter_map(|l| {
            let latest = l.latest?;
            Some(DocumentRow {
                id: l.document.id,
                kind_key: format!("policy.kind.{}", l.document.kind.as_str()),
                title: l.document.title,
                published: l
                    .published
                    .map(|v| v.approved_on.map(|d| ctx.date(d)).unwrap_or_default()),
                latest_status_key: format!("policy.status.{}", latest.status.as_str()),
                latest_number: latest.number,
            })
        })
        .collect();
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "policies", "/policies", Some(&signed.0)).await,
        documents,
        can_edit: acting.may(Register::Policies, Act::Edit),
        basic_policy_published,
    };
    render(StatusCode::OK, &page)
}
