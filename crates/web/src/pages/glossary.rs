//! The glossary page: the words mamori uses, in both languages, with a one-line
//! definition in the reader's language. Open to everyone, signed in or not (a new
//! account reads it before its first task). The terms live in `mamori_domain::glossary`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::glossary::{TERMS, Term};

use crate::http::auth::MaybeSignedIn;
use crate::http::cite::Cite;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// One row of the glossary as the page shows it.
struct Row {
    code: &'static str,
    ja: &'static str,
    en: &'static str,
    definition: &'static str,
    clause: Option<String>,
}

#[derive(Template)]
#[template(path = "system/glossary.html")]
struct GlossaryPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
}

fn row(term: &Term, tr: &Tr, cite: &Cite) -> Row {
    Row {
        code: term.code,
        ja: term.ja,
        en: term.en,
        definition: if tr.code() == "en" {
            term.definition_en
        } else {
            term.definition_ja
        },
        clause: term
            .clause
            .map(|c| tr.f("glossary.clause", &[("clause", cite.label(tr, c))])),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    // The clause column in the published policy's numbering, as every citation.
    let layout = Layout::load(&state, "", "/help/glossary", principal.as_ref()).await;
    let page = GlossaryPage {
        rows: TERMS
            .iter()
            .map(|term| row(term, &ctx.tr, &layout.cite))
            .collect(),
        t: ctx.tr,
        layout,
    };
    render(StatusCode::OK, &page)
}
