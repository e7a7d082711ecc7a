//! The built-in manual (issue 14): its contents at /help and one page per topic at
//! /help/{topic}, in the reader's language. Open to everyone, like the glossary: a person
//! who cannot sign in yet needs it most, and it holds nothing of the assembly's but the
//! published policy's numbering, which is public. The texts are `mamori_app::help`'s;
//! every clause is cited through the layout's one citation function.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::help::{self, TOPICS, Topic};
use mamori_app::i18n::Tr;
use mamori_domain::help::{Block, Inline};

use crate::http::auth::MaybeSignedIn;
use crate::http::cite::Cite;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::respond::escape;
use crate::http::{Layout, render};
use crate::state::AppState;

/// One line of the contents.
struct Entry {
    href: String,
    title: String,
    citation: String,
}

#[derive(Template)]
#[template(path = "system/help.html")]
struct ContentsPage {
    t: Tr,
    layout: Layout,
    entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "system/help_topic.html")]
struct TopicPage {
    t: Tr,
    layout: Layout,
    slug: &'static str,
    title: String,
    /// "この画面が担う条項：基本方針 2(3)、…" as HTML (escaped, clauses linked).
    carries: String,
    /// The page's blocks as HTML (escaped).
    body: String,
    /// The register the topic explains, when it has a navigation entry.
    opens: Option<(&'static str, &'static str)>,
}

pub async fn contents(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    let layout = Layout::load(&state, "", "/help", principal.as_ref()).await;
    let entries = TOPICS
        .iter()
        .map(|topic| Entry {
            href: format!("/help/{}", topic.slug),
            title: topic.title(ctx.tr.lang),
            citation: layout.cite.all(&ctx.tr, topic.clauses),
        })
        .collect();
    let page = ContentsPage {
        t: ctx.tr,
        layout,
        entries,
    };
    render(StatusCode::OK, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let topic = help::topic(&slug).ok_or_else(AppError::not_found)?;
    let path = format!("/help/{}", topic.slug);
    let layout = Layout::load(&state, "", &path, principal.as_ref()).await;
    let page = topic.page(ctx.tr.lang);
    let body = blocks_html(&page.blocks, &layout.cite, &ctx.tr);
    let carries = layout.cite.linked(&ctx.tr, "help.carries", topic.clauses);
    let page = TopicPage {
        slug: topic.slug,
        title: page.title,
        carries,
        body,
        opens: register_of(topic),
        t: ctx.tr,
        layout,
    };
    render(StatusCode::OK, &page)
}

/// The navigation entry (path, label key) of the register a topic explains.
fn register_of(topic: &Topic) -> Option<(&'static str, &'static str)> {
    crate::http::layout::NAV
        .iter()
        .find(|item| item.id == topic.slug)
        .map(|item| (item.path, item.key))
}

/// The manual's blocks as HTML: every text escaped, every citation through `cite`.
fn blocks_html(blocks: &[Block], cite: &Cite, t: &Tr) -> String {
    let line = |inlines: &[Inline]| -> String {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Text(text) => escape(text),
                Inline::Strong(text) => format!("<strong>{}</strong>", escape(text)),
                Inline::Link { text, href } => {
                    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
                }
                Inline::Cite(references) => {
                    let references: Vec<&str> = references.iter().map(String::as_str).collect();
                    format!(
                        "<span class=\"citation\">{}</span>",
                        cite.linked_citation(t, &references)
                    )
                }
            })
            .collect()
    };
    let items = |items: &[Vec<Inline>]| -> String {
        items
            .iter()
            .map(|item| format!("<li>{}</li>", line(item)))
            .collect()
    };
    let mut html = String::new();
    for block in blocks {
        match block {
            Block::Heading(inlines) => html.push_str(&format!("<h2>{}</h2>\n", line(inlines))),
            Block::Paragraph(inlines) => html.push_str(&format!("<p>{}</p>\n", line(inlines))),
            Block::Bullets(list) => html.push_str(&format!("<ul>{}</ul>\n", items(list))),
            Block::Steps(list) => {
                html.push_str(&format!("<ol class=\"steps\">{}</ol>\n", items(list)))
            }
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::wareki::Lang;

    #[test]
    fn blocks_are_escaped_and_citations_rendered_by_the_citation_function() {
        let page = mamori_domain::help::parse(
            "# T\n## <b>\n1. **<i>** [a&b](/x?a=1&b=\"2\") {cite:2(3) 4(2)}\n",
        )
        .unwrap();
        let html = blocks_html(&page.blocks, &Cite::default(), &Tr::new(Lang::Ja));
        assert_eq!(
            html,
            "<h2>&lt;b&gt;</h2>\n<ol class=\"steps\"><li><strong>&lt;i&gt;</strong> \
             <a href=\"/x?a=1&amp;b=&quot;2&quot;\">a&amp;b</a> \
             <span class=\"citation\">基本方針 2(3)、4(2)</span></li></ol>\n"
        );
    }
}
