//! Policy documents: import (preview before saving), versions with approval (決裁) and
//! publication, comparison, clause pages, the public page, review history and
//! acknowledgements. Each handler parses the request, calls the use case in
//! `mamori_app::policies` and renders a view-model; the helpers here lay a clause tree
//! out for the templates in `templates/policies/`.

pub mod acknowledgements;
pub mod clause;
pub mod compare;
pub mod document;
pub mod import;
pub mod list;
pub mod pledges;
pub mod public;
pub mod response_plan;
pub mod version;

use mamori_domain::access::{Act, Register, grant};
use mamori_domain::policy::{Clause, PolicyText};
use mamori_domain::user::Role;

use crate::http::error::AppError;

/// Who reads policies, for pages of other areas not yet on the access declarations
/// (derived from them, not a second list).
pub const READERS: &[Role] = grant(Register::Policies, Act::Read).roles;

/// A clause laid out flat for a page, with its depth for indentation.
pub struct ClauseRow {
    pub reference: String,
    pub anchor: String,
    pub label: String,
    pub title: Option<String>,
    /// The first paragraph of a clause without a title, printed on the label's line as
    /// the source does ("（１）　情報資産　…", "ア　…").
    pub inline: Option<String>,
    pub paragraphs: Vec<String>,
    pub depth: usize,
    /// The clause's own page, on pages inside mamori.
    pub link: Option<String>,
}

/// The rows with each clause linking to its page (what links to it, its reference).
pub fn flatten_linked(text: &PolicyText, document_id: i64) -> Vec<ClauseRow> {
    let mut rows = flatten(text);
    for row in &mut rows {
        row.link = Some(clause_path(document_id, &row.reference));
    }
    rows
}

pub fn flatten(text: &PolicyText) -> Vec<ClauseRow> {
    fn walk(clauses: &[Clause], depth: usize, out: &mut Vec<ClauseRow>) {
        for clause in clauses {
            let mut paragraphs: Vec<String> = clause
                .text
                .split('\n')
                .filter(|p| !p.trim().is_empty())
                .map(str::to_owned)
                .collect();
            let inline =
                (clause.title.is_none() && !paragraphs.is_empty()).then(|| paragraphs.remove(0));
            out.push(ClauseRow {
                reference: clause.reference.clone(),
                anchor: anchor(&clause.reference),
                label: clause.shown_label().to_owned(),
                title: clause.title.clone(),
                inline,
                paragraphs,
                depth: depth.min(4),
                link: None,
            });
            walk(&clause.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&text.clauses, 0, &mut out);
    walk(&text.supplementary, 0, &mut out);
    out
}

/// An id attribute for a clause reference ("6(8)" → "c-6-8").
pub fn anchor(reference: &str) -> String {
    let mut out = String::from("c-");
    for c in reference.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The clause reference as a URL path segment.
pub fn ref_path(reference: &str) -> String {
    crate::http::auth::percent_encode(reference).replace('/', "%2F")
}

/// The page of clause `reference` of document `document_id`.
pub fn clause_path(document_id: i64, reference: &str) -> String {
    format!("/policies/{document_id}/clauses/{}", ref_path(reference))
}

/// A version's clause tree (the store hands it back typed; kept for pages of other areas).
pub fn tree_of(version: &mamori_app::policies::Version) -> Result<PolicyText, AppError> {
    Ok(version.tree.clone())
}

pub use crate::http::params::policies::policy_error;
