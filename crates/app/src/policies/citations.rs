//! Citations of the basic policy for every page, export and message: the published
//! policy's numbering (`mamori_domain::citation`), read once per published text and kept,
//! so that a page pays one small query for it. The published basic policy is public
//! (the Local Autonomy Act asks that it be published), so anyone may be told how it
//! numbers its clauses and what they say; only a link to the clause page depends on who
//! reads, since that page is the policy register's.

use std::sync::{Arc, Mutex};

use mamori_domain::access::{Act, Register};
use mamori_domain::citation::{self, Numbering};
use mamori_domain::wareki::Lang;
use mamori_store::policies;

use crate::{Acting, App, Failure};

/// How many published texts' numberings are kept (one per database served, in practice;
/// tests run many databases in one process).
const KEPT: usize = 16;

/// Numberings by published version id and content hash, newest last.
static KEPT_NUMBERINGS: Mutex<Vec<(String, Arc<Numbering>)>> = Mutex::new(Vec::new());

/// The published basic policy's numbering for one reader, ready to cite with.
#[derive(Debug, Clone, Default)]
pub struct Citations {
    numbering: Option<Arc<Numbering>>,
    /// The published basic policy's document, when the reader may open its clause pages.
    linked_document: Option<i64>,
}

impl Citations {
    /// Citations in the seed's style, for pages that must render without the database.
    pub fn seed_style() -> Citations {
        Citations::default()
    }

    /// Whether a basic policy is published (else every citation is in the seed's style).
    pub fn published(&self) -> bool {
        self.numbering.is_some()
    }

    fn numbering(&self) -> Option<&Numbering> {
        self.numbering.as_deref()
    }

    /// "基本方針 2(3)" / "基本方針第2条第3号" / "Basic policy 2(3)".
    pub fn cite(&self, reference: &str, lang: Lang) -> String {
        citation::cite(self.numbering(), reference, lang)
    }

    /// Several clauses in one citation: "基本方針 2(3)、4(2)".
    pub fn cite_all(&self, references: &[&str], lang: Lang) -> String {
        citation::cite_all(self.numbering(), references, lang)
    }

    /// The citation of `references` in its pieces, for a page that links each clause.
    pub fn parts(&self, references: &[&str], lang: Lang) -> citation::CitationParts {
        citation::cite_parts(self.numbering(), references, lang)
    }

    /// The clause as numbered, without the policy's name: "2(3)", "第2条第3号".
    pub fn label(&self, reference: &str, lang: Lang) -> String {
        citation::clause_label(self.numbering(), reference, lang)
    }

    /// The published policy's own words for the clause, when it has them.
    pub fn text(&self, reference: &str) -> Option<&str> {
        self.numbering()?.text(reference)
    }

    /// The basic policy document whose clause page shows `reference`, when the published
    /// policy has the clause and the reader may open it.
    pub fn clause_page(&self, reference: &str) -> Option<i64> {
        let document = self.linked_document?;
        self.numbering()?.has(reference).then_some(document)
    }
}

/// The published basic policy's numbering, as `acting` may use it (a signed-out reader
/// gets no clause links). No published policy: citations in the seed's style.
pub async fn citations(app: &App, acting: Option<&Acting>) -> Result<Citations, Failure> {
    let Some((version_id, document_id, hash)) =
        policies::published_basic_policy_key(app.store()).await?
    else {
        return Ok(Citations::default());
    };
    let key = format!("{version_id}:{hash}");
    let numbering = match kept(&key) {
        Some(numbering) => numbering,
        None => {
            let version = policies::version(app.store(), version_id).await?;
            let numbering = Arc::new(Numbering::of(&version.tree));
            keep(key, numbering.clone());
            numbering
        }
    };
    let may_open = acting.is_some_and(|a| a.may(Register::Policies, Act::Read));
    Ok(Citations {
        numbering: Some(numbering),
        linked_document: may_open.then_some(document_id),
    })
}

fn kept(key: &str) -> Option<Arc<Numbering>> {
    let kept = KEPT_NUMBERINGS.lock().unwrap_or_else(|e| e.into_inner());
    kept.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone())
}

fn keep(key: String, numbering: Arc<Numbering>) {
    let mut kept = KEPT_NUMBERINGS.lock().unwrap_or_else(|e| e.into_inner());
    if kept.iter().any(|(k, _)| *k == key) {
        return;
    }
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push((key, numbering));
}
