//! Japanese full-text search without a dictionary. Text is NFKC-normalised (half-width
//! kana and full-width letters become one form) and lower-cased, cut into runs of
//! letters and digits, and each run into overlapping two-character grams. A query is
//! cut the same way: its grams must appear consecutively, so a search finds any
//! substring of two or more characters — 議事 included — through an index, on SQLite
//! (FTS5) and PostgreSQL (tsvector) alike. A one-character query matches as a prefix.

use unicode_normalization::UnicodeNormalization;

/// NFKC and lower case: the one form in which mamori compares words people type.
pub fn normalise(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn runs(normalised: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    normalised
        .split(|c: char| !c.is_alphanumeric())
        .filter(|run| !run.is_empty())
        .map(|run| run.chars().collect())
}

/// The grams of one run: every two consecutive characters, and the last character alone
/// so that a one-character prefix query can find it.
fn run_grams(run: &[char]) -> Vec<String> {
    let mut grams: Vec<String> = run.windows(2).map(|w| w.iter().collect()).collect();
    if let Some(last) = run.last() {
        grams.push(last.to_string());
    }
    grams
}

/// The indexed form of some text: grams separated by spaces.
pub fn grams(text: &str) -> String {
    let normalised = normalise(text);
    let mut out = String::with_capacity(normalised.len() * 3);
    for run in runs(&normalised) {
        for gram in run_grams(&run) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&gram);
        }
    }
    out
}

/// The normalised text as PostgreSQL's search matches it (migration 0019's
/// `mamori_search_text` of [`grams`]): each run of letters and digits followed by '|'.
pub fn search_text(text: &str) -> String {
    let normalised = normalise(text);
    let mut out = String::with_capacity(normalised.len() + 8);
    for run in runs(&normalised) {
        out.extend(run);
        out.push('|');
    }
    out
}

/// One part of a query: the grams that must follow each other, or a single character
/// that must start a gram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Phrase(Vec<String>),
    Prefix(String),
}

/// A parsed search: every term must match. Empty when the query has no letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// Longest query taken, in characters: a search is for words, not documents.
pub const MAX_QUERY: usize = 200;

impl Query {
    pub fn parse(input: &str) -> Query {
        let input: String = input.chars().take(MAX_QUERY).collect();
        let normalised = normalise(&input);
        let terms = runs(&normalised)
            .map(|run| {
                if run.len() == 1 {
                    Term::Prefix(run[0].to_string())
                } else {
                    Term::Phrase(run.windows(2).map(|w| w.iter().collect()).collect())
                }
            })
            .collect();
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The query in SQLite FTS5 syntax: each gram quoted, so no input is read as syntax.
    pub fn to_fts5(&self) -> String {
        let quote = |gram: &str| format!("\"{}\"", gram.replace('"', "\"\""));
        self.terms
            .iter()
            .map(|term| match term {
                Term::Phrase(grams) => {
                    let inner: Vec<String> = grams.iter().map(|g| g.replace('"', "\"\"")).collect();
                    format!("\"{}\"", inner.join(" "))
                }
                Term::Prefix(c) => format!("{} *", quote(c)),
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The grams every match must hold, in PostgreSQL tsquery syntax: all of them, each
    /// quoted, a one-character term as a prefix. That they follow each other is checked
    /// apart, by [`Query::like_patterns`]: PostgreSQL's index holds no positions.
    pub fn to_tsquery(&self) -> String {
        let quote = |gram: &str| format!("'{}'", gram.replace('\'', "''"));
        let mut parts: Vec<String> = Vec::new();
        for term in &self.terms {
            match term {
                Term::Phrase(grams) => {
                    for gram in grams {
                        let gram = quote(gram);
                        if !parts.contains(&gram) {
                            parts.push(gram);
                        }
                    }
                }
                Term::Prefix(c) => parts.push(format!("{}:*", quote(c))),
            }
        }
        parts.join(" & ")
    }

    /// A LIKE pattern for each term of three or more characters, which its grams alone do
    /// not pin down: the term's characters in a row. Terms hold only letters and digits,
    /// so nothing in them is read as a wildcard.
    pub fn like_patterns(&self) -> Vec<String> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                Term::Phrase(grams) if grams.len() > 1 => {
                    let mut run: String = grams.iter().filter_map(|g| g.chars().next()).collect();
                    run.extend(grams.last().and_then(|g| g.chars().nth(1)));
                    Some(format!("%{run}%"))
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_half_width_kana_and_full_width_letters() {
        assert_eq!(normalise("ｷﾞｼﾞﾛｸ"), "ギジロク");
        assert_eq!(normalise("ＡＢＣ１"), "abc1");
    }

    #[test]
    fn search_text_is_the_runs_each_closed() {
        assert_eq!(search_text("議事・録A"), "議事|録a|");
        assert_eq!(search_text("ＵＳＢメモリの紛失"), "usbメモリの紛失|");
        assert_eq!(search_text("・"), "");
    }

    #[test]
    fn grams_cover_two_character_words() {
        assert_eq!(grams("議事録"), "議事 事録 録");
        assert_eq!(grams("議事・録A"), "議事 事 録a a");
        assert_eq!(grams("<script>"), "sc cr ri ip pt t");
    }

    #[test]
    fn queries_become_consecutive_grams() {
        let q = Query::parse("議事録 ﾀﾌﾞﾚｯﾄ");
        assert_eq!(
            q.terms,
            vec![
                Term::Phrase(vec!["議事".into(), "事録".into()]),
                Term::Phrase(vec![
                    "タブ".into(),
                    "ブレ".into(),
                    "レッ".into(),
                    "ット".into()
                ]),
            ]
        );
        assert_eq!(q.to_fts5(), "\"議事 事録\" AND \"タブ ブレ レッ ット\"");
        assert_eq!(
            q.to_tsquery(),
            "'議事' & '事録' & 'タブ' & 'ブレ' & 'レッ' & 'ット'"
        );
        assert_eq!(q.like_patterns(), vec!["%議事録%", "%タブレット%"]);
        let short = Query::parse("議事 a 2026 ab");
        assert_eq!(
            short.to_tsquery(),
            "'議事' & 'a':* & '20' & '02' & '26' & 'ab'"
        );
        assert_eq!(short.like_patterns(), vec!["%2026%"]);
        assert_eq!(Query::parse("議").to_fts5(), "\"議\" *");
        assert!(Query::parse(" \"' OR 1=1 -- ").terms.len() == 3);
        assert!(Query::parse("「」・").is_empty());
    }
}
