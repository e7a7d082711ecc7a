//! Citations of the basic policy's clauses, in the numbering the assembly's published
//! policy uses: one function renders every "基本方針 2(3)" of the pages, exports and
//! messages. Pure: the published policy's clause tree is handed in (or none).
//!
//! References are the parser's ("2(3)", "4(2)ア", "3"), which are the same whatever the
//! numbering style: an article-style policy's 第2条第3号 is "2(3)" too. So a citation
//! looks the reference up in the published policy and writes it as that policy numbers
//! it:
//!
//! * the seed's style (1, 2, (1), ア at the top level) as the reference itself:
//!   "基本方針 2(3)", "基本方針 4(2)ア"; English "Basic policy 2(3)";
//! * articles (第N条) as a regulation cites them: "基本方針第2条第3号", with 第N項 for a
//!   paragraph and イロハ as printed; English "Basic policy Article 2(3)".
//!
//! A reference the published policy does not have, or no published policy, is cited in
//! the seed's style (the reference as written), never with invented words.

use std::collections::HashMap;

use crate::policy::{Clause, ClauseKind, PolicyText};
use crate::wareki::Lang;

/// How one clause of the published policy is cited, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cited {
    ja: String,
    en: String,
    text: String,
}

/// The published basic policy's numbering: every clause's citation by reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbering {
    clauses: HashMap<String, Cited>,
}

impl Numbering {
    /// Reads the citations of every clause of `policy` (its 附則 are not cited).
    pub fn of(policy: &PolicyText) -> Numbering {
        let mut clauses = HashMap::new();
        for clause in &policy.clauses {
            collect(clause, &Path::default(), &mut clauses);
        }
        Numbering { clauses }
    }

    /// Whether the published policy has a clause with this reference.
    pub fn has(&self, reference: &str) -> bool {
        self.clauses.contains_key(reference.trim())
    }

    /// The clause's own text as the published policy words it (its paragraphs, without
    /// the label), when it has the clause.
    pub fn text(&self, reference: &str) -> Option<&str> {
        self.clauses
            .get(reference.trim())
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }
}

/// The labels above a clause, as far as citing needs them.
#[derive(Debug, Clone, Default)]
struct Path {
    /// 第N条 when inside an article.
    article: Option<String>,
    /// What is cited so far: "第2条第3号" or "2(3)"; English beside it.
    ja: String,
    en: String,
}

fn collect(clause: &Clause, above: &Path, out: &mut HashMap<String, Cited>) {
    let label = clause.label.as_str();
    let mut path = above.clone();
    match clause.kind {
        // Chapters and sections group articles; a citation names the article alone.
        ClauseKind::Chapter | ClauseKind::Section | ClauseKind::Subsection => {}
        ClauseKind::Article => {
            path.article = Some(label.to_owned());
            path.ja = label.to_owned();
            path.en = format!("Article {}", article_number(label));
        }
        ClauseKind::Numbered if path.article.is_some() => {
            path.ja.push_str(&format!("第{label}項"));
            path.en.push_str(&format!("-{label}"));
        }
        ClauseKind::Item if path.article.is_some() => {
            path.ja
                .push_str(&format!("第{}号", label.trim_matches(['(', ')'])));
            path.en.push_str(label);
        }
        ClauseKind::Supplementary => return,
        _ => {
            path.ja.push_str(label);
            path.en.push_str(label);
        }
    }
    if !matches!(
        clause.kind,
        ClauseKind::Chapter | ClauseKind::Section | ClauseKind::Subsection
    ) {
        out.entry(clause.reference.clone())
            .or_insert_with(|| Cited {
                ja: path.ja.clone(),
                en: path.en.clone(),
                text: clause.text.clone(),
            });
    }
    for child in &clause.children {
        collect(child, &path, out);
    }
}

/// "第3条" → "3", "第3条の2" → "3-2" (as English translations of Japanese law write it).
fn article_number(label: &str) -> String {
    label
        .trim_start_matches('第')
        .replacen("条の", "-", 1)
        .trim_end_matches('条')
        .to_owned()
}

/// How `reference` is written in the published policy's numbering (or as the reference
/// itself), without the policy's name: "2(3)", "第2条第3号", "Article 2(3)".
pub fn clause_label(numbering: Option<&Numbering>, reference: &str, lang: Lang) -> String {
    let reference = reference.trim();
    match numbering.and_then(|n| n.clauses.get(reference)) {
        Some(cited) => match lang {
            Lang::Ja => cited.ja.clone(),
            Lang::En => cited.en.clone(),
        },
        None => reference.to_owned(),
    }
}

/// A citation of one clause of the basic policy: "基本方針 2(3)", "基本方針第2条第3号",
/// "Basic policy 2(3)".
pub fn cite(numbering: Option<&Numbering>, reference: &str, lang: Lang) -> String {
    cite_all(numbering, &[reference], lang)
}

/// A citation in its pieces, for a page that links each clause: the policy's name as it
/// precedes the labels ("基本方針 ", "基本方針", "Basic policy "), each reference with its
/// label, and what separates the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationParts {
    pub prefix: &'static str,
    pub clauses: Vec<(String, String)>,
    pub separator: &'static str,
}

impl CitationParts {
    /// The citation as one text.
    pub fn text(&self) -> String {
        let labels: Vec<&str> = self.clauses.iter().map(|(_, l)| l.as_str()).collect();
        format!("{}{}", self.prefix, labels.join(self.separator))
    }
}

/// The pieces of a citation of `references` (see [`cite_all`]).
pub fn cite_parts(numbering: Option<&Numbering>, references: &[&str], lang: Lang) -> CitationParts {
    let clauses: Vec<(String, String)> = references
        .iter()
        .map(|r| (r.trim().to_owned(), clause_label(numbering, r, lang)))
        .collect();
    let (prefix, separator) = match lang {
        // 第… follows the name directly, as a regulation writes it; a bare number would
        // run into the name, so it gets a space.
        Lang::Ja if clauses.first().is_some_and(|(_, l)| l.starts_with('第')) => {
            ("基本方針", "、")
        }
        Lang::Ja => ("基本方針 ", "、"),
        Lang::En => ("Basic policy ", ", "),
    };
    CitationParts {
        prefix,
        clauses,
        separator,
    }
}

/// A citation of several clauses at once: "基本方針 2(3)、4(2)", "基本方針第2条第3号、
/// 第4条第2号", "Basic policy 2(3), 4(2)".
pub fn cite_all(numbering: Option<&Numbering>, references: &[&str], lang: Lang) -> String {
    cite_parts(numbering, references, lang).text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse;

    const SEED_STYLE: &str = "○議会情報セキュリティ基本方針\n\
        1 目的\n本基本方針は目的を定める。\n\
        2 定義\n(1) ネットワーク\n通信網をいう。\n(3) 情報資産\n全ての文書をいう。\n\
        3 対象とする脅威\n(1) 意図的な要因による漏えい等\n(2) 非意図的要因による消去等\n\
        4 適用範囲\n(1) 対象範囲\n議員に適用する。\n(2) 情報資産の範囲\n次のとおり。\n\
        ア ネットワーク及び情報システム\nイ 情報\n";

    const ARTICLE_STYLE: &str = "○議会情報セキュリティ基本方針\n\
        第1章 総則\n(目的)\n第1条 この方針は目的を定める。\n\
        (定義)\n第2条 この方針において、次の用語の意義は次のとおりとする。\n\
        (1) ネットワーク 通信網をいう。\n(2) 情報システム 仕組みをいう。\n\
        (3) 情報資産 全ての文書をいう。\n\
        (範囲)\n第4条 この方針は議員に適用する。\n\
        2 情報資産の範囲は、次のとおりとする。\n(1) 電磁的なもの\nア 記録媒体\n\
        第4条の2 補則を定める。\n";

    #[test]
    fn the_seed_style_is_cited_as_its_references() {
        let numbering = Numbering::of(&parse(SEED_STYLE).unwrap());
        let n = Some(&numbering);
        assert_eq!(cite(n, "2(3)", Lang::Ja), "基本方針 2(3)");
        assert_eq!(cite(n, "4(2)ア", Lang::Ja), "基本方針 4(2)ア");
        assert_eq!(
            cite_all(n, &["2(3)", "4(2)"], Lang::En),
            "Basic policy 2(3), 4(2)"
        );
        assert_eq!(numbering.text("2(3)"), Some("全ての文書をいう。"));
        assert_eq!(numbering.text("3(1)"), Some("意図的な要因による漏えい等"));
        assert!(numbering.has("4(2)イ") && !numbering.has("6(2)"));
    }

    #[test]
    fn an_article_style_policy_is_cited_as_a_regulation_is() {
        let policy = parse(ARTICLE_STYLE).unwrap();
        let numbering = Numbering::of(&policy);
        let n = Some(&numbering);
        assert_eq!(cite(n, "2(3)", Lang::Ja), "基本方針第2条第3号");
        assert_eq!(cite(n, "2", Lang::Ja), "基本方針第2条");
        assert_eq!(cite(n, "4-2(1)ア", Lang::Ja), "基本方針第4条第2項第1号ア");
        assert_eq!(cite(n, "4の2", Lang::Ja), "基本方針第4条の2");
        assert_eq!(
            cite_all(n, &["2(3)", "4-2"], Lang::Ja),
            "基本方針第2条第3号、第4条第2項"
        );
        assert_eq!(cite(n, "2(3)", Lang::En), "Basic policy Article 2(3)");
        assert_eq!(cite(n, "4の2", Lang::En), "Basic policy Article 4-2");
        assert_eq!(numbering.text("2(3)"), Some("情報資産 全ての文書をいう。"));
        // Chapters are not cited; a clause the policy lacks keeps the seed's style.
        assert!(!numbering.has("第1章"));
        assert_eq!(cite(n, "6(2)", Lang::Ja), "基本方針 6(2)");
        assert_eq!(
            cite_all(n, &["2(3)", "6(2)"], Lang::Ja),
            "基本方針第2条第3号、6(2)"
        );
    }

    #[test]
    fn the_parts_of_a_citation_make_its_text() {
        let numbering = Numbering::of(&parse(ARTICLE_STYLE).unwrap());
        let parts = cite_parts(Some(&numbering), &["2(3)", " 6(2)"], Lang::Ja);
        assert_eq!(parts.prefix, "基本方針");
        assert_eq!(
            parts.clauses,
            vec![
                ("2(3)".to_owned(), "第2条第3号".to_owned()),
                ("6(2)".to_owned(), "6(2)".to_owned())
            ]
        );
        assert_eq!(parts.text(), "基本方針第2条第3号、6(2)");
    }

    #[test]
    fn without_a_published_policy_the_seed_style_is_used() {
        assert_eq!(cite(None, " 6(2) ", Lang::Ja), "基本方針 6(2)");
        assert_eq!(cite(None, "3", Lang::En), "Basic policy 3");
        assert_eq!(clause_label(None, "4(2)ア", Lang::Ja), "4(2)ア");
    }
}
