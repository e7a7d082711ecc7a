//! Citations of the basic policy on pages: every "基本方針 2(3)" a template or a page
//! writes goes through here, in the published policy's numbering
//! (`mamori_app::policies::Citations`). The layout carries one for each page, so a
//! template cites with `layout.cite.say(t, "key", "2(3) 4(2)")` where the locale string
//! holds `{cite}` (`linked` gives the same as HTML whose clauses link to their pages, for
//! running text outside the field macros), or `layout.cite.one(t, "3(1)")`.

use crate::http::respond::escape;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, Citations};

use crate::http::auth::Principal;
use crate::state::AppState;

#[derive(Debug, Clone, Default)]
pub struct Cite {
    citations: Citations,
}

impl Cite {
    /// The published policy's numbering for `principal` (clause links for those who may
    /// read policies). If the database does not answer, the seed's style: a page never
    /// fails for a citation.
    pub async fn load(state: &AppState, principal: Option<&Principal>) -> Cite {
        let acting = principal.map(|p| &p.acting);
        match policies::citations(&state.app, acting).await {
            Ok(citations) => Cite { citations },
            Err(error) => {
                tracing::warn!(?error, "citations fall back to the seed's numbering");
                Cite::default()
            }
        }
    }

    /// "基本方針 2(3)" in the published numbering.
    pub fn one(&self, t: &Tr, reference: &str) -> String {
        self.citations.cite(reference, t.lang)
    }

    /// Several clauses, given as one string of references separated by spaces.
    pub fn all(&self, t: &Tr, references: &str) -> String {
        let references: Vec<&str> = references.split_whitespace().collect();
        self.citations.cite_all(&references, t.lang)
    }

    /// The clause as numbered, without the policy's name: "3(1)", "第3条第1号".
    pub fn label(&self, t: &Tr, reference: &str) -> String {
        self.citations.label(reference, t.lang)
    }

    /// The locale string `key` with its `{cite}` filled in with the clauses `references`.
    pub fn say(&self, t: &Tr, key: &str, references: &str) -> String {
        t.f(key, &[("cite", self.all(t, references))])
    }

    /// [`Cite::say`] as HTML (escaped; to be written with `|safe`), each clause linked to
    /// its page where the reader may open one.
    pub fn linked(&self, t: &Tr, key: &str, references: &str) -> String {
        let references: Vec<&str> = references.split_whitespace().collect();
        let citation = self.linked_citation(t, &references);
        t.t(key)
            .split("{cite}")
            .map(escape)
            .collect::<Vec<_>>()
            .join(&citation)
    }

    /// The citation of `references` alone as HTML (escaped), each clause linked to its
    /// page where the reader may open one: for text that is not a locale string (the
    /// manual's pages).
    pub fn linked_citation(&self, t: &Tr, references: &[&str]) -> String {
        let parts = self.citations.parts(references, t.lang);
        let clauses: Vec<String> = parts
            .clauses
            .iter()
            .map(|(reference, label)| match self.href(reference) {
                Some(href) => format!("<a href=\"{}\">{}</a>", escape(&href), escape(label)),
                None => escape(label),
            })
            .collect();
        format!(
            "{}{}",
            escape(parts.prefix),
            clauses.join(&escape(parts.separator))
        )
    }

    /// The published policy's own words for the clause, when it has them.
    pub fn text(&self, reference: &str) -> Option<&str> {
        self.citations.text(reference)
    }

    /// The citations themselves, for use cases that cite outside a page.
    pub fn citations(&self) -> &Citations {
        &self.citations
    }

    /// Whether a basic policy is published.
    pub fn published(&self) -> bool {
        self.citations.published()
    }

    /// The clause's page in the published basic policy, when it exists and the reader
    /// may open it.
    pub fn href(&self, reference: &str) -> Option<String> {
        let document = self.citations.clause_page(reference)?;
        let encoded = crate::http::auth::percent_encode(reference.trim()).replace('/', "%2F");
        Some(format!("/policies/{document}/clauses/{encoded}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::wareki::Lang;

    #[test]
    fn linked_text_is_escaped_around_the_citation() {
        let cite = Cite::default();
        let ja = Tr::new(Lang::Ja);
        let html = cite.linked(&ja, "asset.lead", "2(3) 4(2) 6(2)");
        assert!(html.contains("（基本方針 2(3)、4(2)、6(2)）"), "{html}");
        assert!(
            !html.contains("<a"),
            "no published policy: nothing to link to"
        );
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
