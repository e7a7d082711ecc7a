//! The built-in manual (issue 14): one page per register of the navigation, a
//! getting-started chapter, in Japanese and English. The texts live in `crates/app/help/
//! {ja,en}/<topic>.md` (markup: `mamori_domain::help`) and are built into the binary, so
//! the manual works offline. Every clause a page names is cited through the one citation
//! function (`policies::Citations`), in the assembly's published numbering.

use mamori_domain::help::{self, Block, HelpPage, Inline};
use mamori_domain::wareki::Lang;

use crate::policies::Citations;

/// One page of the manual.
#[derive(Debug)]
pub struct Topic {
    /// The page's address (/help/{slug}); for a register, the id of its navigation entry
    /// (the layout's `active`), which is how a page finds its help.
    pub slug: &'static str,
    /// The clauses of the basic policy the register carries, as references ("6(2) 2(5)").
    pub clauses: &'static str,
    ja: &'static str,
    en: &'static str,
}

macro_rules! topic {
    ($slug:literal, $clauses:literal) => {
        Topic {
            slug: $slug,
            clauses: $clauses,
            ja: include_str!(concat!("../help/ja/", $slug, ".md")),
            en: include_str!(concat!("../help/en/", $slug, ".md")),
        }
    };
}

/// The manual's pages in reading order: getting started, the registers in the
/// navigation's order, then the notifications.
pub const TOPICS: &[Topic] = &[
    topic!("getting-started", "1 6(1) 6(2)"),
    topic!("home", "5 6(9)"),
    topic!("approvals", "6(1)"),
    topic!("policies", "1 5 8"),
    topic!("assets", "2(3) 4(2) 6(2) 6(4)"),
    topic!("classification", "2(5) 2(6) 2(7) 6(2)"),
    topic!("threats", "3"),
    topic!("risks", "3 8"),
    topic!("exceptions", "6(7)"),
    topic!("actions", "6(9) 7"),
    topic!("incidents", "3 6(7)"),
    topic!("continuity", "3 6(7)"),
    topic!("awareness", "6(5)"),
    topic!("training", "6(5)"),
    topic!("reviews", "6(9) 7 8"),
    topic!("audit", "6(7) 7"),
    topic!("retention", "6(2) 6(7)"),
    topic!("organisation", "6(1)"),
    topic!("term_changes", "6(1) 6(5)"),
    topic!("users", "4(1) 6(1) 6(6)"),
    topic!("security", "6(6)"),
    topic!("calendar", "6(9)"),
    topic!("account", "6(5) 6(6)"),
    topic!("preferences", "5"),
    // Reached from the header's link rather than the menu.
    topic!("notifications", "5 6(5)"),
];

/// The topic at `slug`, if the manual has one.
pub fn topic(slug: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.slug == slug)
}

impl Topic {
    /// The clause references, one by one.
    pub fn clause_references(&self) -> Vec<&'static str> {
        self.clauses.split_whitespace().collect()
    }

    /// The page's source text in `lang`.
    pub fn source(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }

    /// The page read into blocks. The sources are part of the binary and a unit test
    /// reads every one, so a page that does not parse is a build-time bug; should one
    /// slip through, the reader gets its text as one paragraph rather than an error.
    pub fn page(&self, lang: Lang) -> HelpPage {
        let source = self.source(lang);
        help::parse(source).unwrap_or_else(|_| HelpPage {
            title: self.slug.to_owned(),
            blocks: vec![Block::Paragraph(vec![Inline::Text(source.to_owned())])],
        })
    }

    /// The page's title in `lang`.
    pub fn title(&self, lang: Lang) -> String {
        self.page(lang).title
    }
}

/// The page as plain text, citations written in the published numbering and links as
/// "words (/path)": for the API and for scripts that print help.
pub fn plain_text(page: &HelpPage, citations: &Citations, lang: Lang) -> String {
    let line = |inlines: &[Inline]| -> String {
        inlines
            .iter()
            .map(|inline| match inline {
                Inline::Text(text) | Inline::Strong(text) => text.clone(),
                Inline::Link { text, href } => format!("{text} ({href})"),
                Inline::Cite(references) => {
                    let references: Vec<&str> = references.iter().map(String::as_str).collect();
                    citations.cite_all(&references, lang)
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    for block in &page.blocks {
        match block {
            Block::Heading(inlines) | Block::Paragraph(inlines) => out.push(line(inlines)),
            Block::Bullets(items) => out.push(
                items
                    .iter()
                    .map(|i| format!("- {}", line(i)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Block::Steps(items) => out.push(
                items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| format!("{}. {}", n + 1, line(i)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        }
    }
    out.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every clause reference the seed policy has (佐久市議会情報セキュリティ基本方針), which
    /// the manual's model follows.
    const SEED_REFERENCES: &[&str] = &[
        "1", "2", "2(1)", "2(2)", "2(3)", "2(4)", "2(5)", "2(6)", "2(7)", "2(8)", "3", "3(1)",
        "3(2)", "3(3)", "3(4)", "3(5)", "4", "4(1)", "4(2)", "4(2)ア", "4(2)イ", "4(2)ウ", "5",
        "6", "6(1)", "6(2)", "6(3)", "6(4)", "6(5)", "6(6)", "6(7)", "6(8)", "6(9)", "7", "8",
    ];

    #[test]
    fn every_page_reads_in_both_languages_and_cites_only_clauses_the_policy_has() {
        for topic in TOPICS {
            for lang in [Lang::Ja, Lang::En] {
                let page = help::parse(topic.source(lang))
                    .unwrap_or_else(|e| panic!("{} ({lang:?}): {e}", topic.slug));
                assert!(
                    !page.blocks.is_empty(),
                    "{} ({lang:?}) is empty",
                    topic.slug
                );
                for reference in page.cited().into_iter().chain(topic.clause_references()) {
                    assert!(
                        SEED_REFERENCES.contains(&reference),
                        "{} ({lang:?}) cites {reference}, which the policy does not have",
                        topic.slug
                    );
                }
                for href in page.links() {
                    let target = href.trim_start_matches("/help/");
                    if href.starts_with("/help/") && target != "glossary" {
                        assert!(topic_exists(target), "{} links to {href}", topic.slug);
                    }
                }
            }
        }
    }

    fn topic_exists(slug: &str) -> bool {
        topic(slug).is_some()
    }

    #[test]
    fn both_languages_have_the_same_sections_steps_and_citations() {
        for topic in TOPICS {
            let ja = topic.page(Lang::Ja);
            let en = topic.page(Lang::En);
            let shape = |page: &HelpPage| -> Vec<String> {
                page.blocks
                    .iter()
                    .map(|b| match b {
                        Block::Heading(_) => "heading".to_owned(),
                        Block::Paragraph(_) => "paragraph".to_owned(),
                        Block::Bullets(items) => format!("bullets {}", items.len()),
                        Block::Steps(items) => format!("steps {}", items.len()),
                    })
                    .collect()
            };
            assert_eq!(
                shape(&ja),
                shape(&en),
                "{}: the two languages differ",
                topic.slug
            );
            assert_eq!(ja.cited(), en.cited(), "{}: citations differ", topic.slug);
            assert_eq!(ja.links(), en.links(), "{}: links differ", topic.slug);
        }
    }

    #[test]
    fn english_pages_hold_no_full_width_punctuation() {
        for topic in TOPICS {
            let source = topic.source(Lang::En);
            let wide = source
                .chars()
                .find(|c| matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}'));
            assert_eq!(wide, None, "{}", topic.slug);
        }
    }

    #[test]
    fn plain_text_cites_in_the_seeds_style_without_a_published_policy() {
        let page = help::parse("# T\n- {cite:2(3) 4(2)} and [list](/assets)\n").unwrap();
        let text = plain_text(&page, &Citations::seed_style(), Lang::En);
        assert_eq!(text, "- Basic policy 2(3), 4(2) and list (/assets)");
    }
}
