//! The built-in manual as data (issue 14): one page in the reader's language, its
//! citations written in the assembly's published numbering. The same text as /help/{topic}.

use axum::Json;
use axum::extract::{Path, State};
use mamori_app::help;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::MaybeSignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HelpClause {
    /// The clause's reference ("2(3)"), the same whatever the numbering style.
    pub reference: &'static str,
    /// How the published basic policy numbers it ("基本方針 2(3)", "基本方針第2条第3号").
    pub citation: String,
}

#[derive(Serialize, ToSchema)]
pub struct HelpTopic {
    pub topic: &'static str,
    pub title: String,
    /// The clauses of the basic policy the screen carries.
    pub clauses: Vec<HelpClause>,
    /// The page as plain text (links as "words (/path)").
    pub text: String,
}

/// One page of the manual, in the reader's language.
#[utoipa::path(get, path = "/api/v1/help/{topic}", tag = "reference",
    params(("topic" = String, Path, description = "getting-started, or a navigation entry: assets, risks, …")),
    responses((status = 200, body = HelpTopic), (status = 404, description = "no such page", body = crate::api::ErrorBody)))]
pub async fn get_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(slug): Path<String>,
) -> Result<Json<HelpTopic>, AppError> {
    let topic = help::topic(&slug).ok_or_else(AppError::not_found)?;
    let cite = crate::http::cite::Cite::load(&state, principal.as_ref()).await;
    let lang = ctx.tr.lang;
    let page = topic.page(lang);
    Ok(Json(HelpTopic {
        topic: topic.slug,
        clauses: topic
            .clause_references()
            .into_iter()
            .map(|reference| HelpClause {
                reference,
                citation: cite.citations().cite(reference, lang),
            })
            .collect(),
        text: help::plain_text(&page, cite.citations(), lang),
        title: page.title,
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_topic), components(schemas(HelpTopic, HelpClause)))]
pub struct Doc;
