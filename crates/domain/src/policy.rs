//! Importing an information-security policy held as plain text in the numbering style of
//! Japanese regulations (第1章, 第3条, 1, (1), ア, (ア), 附則) into a clause tree, so that
//! measures, risks and findings can be linked to a clause by a stable reference such as
//! "6(8)" or "4(2)ア". Pure: no I/O.
//!
//! Choices made here:
//!
//! * Numbering is recognised after removing indentation (full-width spaces included) and
//!   one list marker ("- ", "* ", "• ", "・"); full-width digits, parentheses and spaces
//!   and half-width katakana are read as their usual forms. Labels and references are
//!   written with half-width digits and parentheses ("(1)", "第3条"), so a document typed
//!   with full-width numbering gives the same tree. Paragraph text is kept as printed,
//!   less the indentation.
//! * Every non-empty line that is not a numbering line is one paragraph of the clause it
//!   follows; a clause's `text` is its paragraphs joined with "\n". Blank lines only
//!   separate paragraphs (wrapped lines cannot be told from paragraphs, so lines are
//!   never joined).
//! * The words after a label: for 第N章 / 第N節 / 附則 they are the title; for 第N条 they
//!   are the first paragraph (the title is the caption "(目的)" on the line before); for
//!   "1", "(1)", "ア", "(ア)" they are the title when the clause has paragraphs or
//!   children of its own and they read as a heading (no closing "。", at most
//!   [`MAX_HEADING_CHARS`] characters), and otherwise the clause's first paragraph.
//! * Inside an article, a line "2 前項の…" is paragraph 第2項. It becomes a child of
//!   the article of kind [`ClauseKind::Numbered`] with label "2" and reference "3-2"
//!   (article 3, paragraph 2), so that (1), (2) … after it belong to that paragraph and
//!   numbering restarting in each paragraph does not look out of sequence. The article's
//!   own text is its first paragraph.
//! * References: article 第3条 → "3" (第3条の2 → "3の2"), whatever chapter it is in;
//!   top-level "1" → "1"; chapter → "第2章"; section → "第2章第1節"; anything else is
//!   its parent's reference followed by its own label ("2(1)", "4(2)ア", "6(1)(ア)",
//!   "附則1"), with "-" before a paragraph number (第2項 of 第3条 → "3-2") and between
//!   two digits. A second 附則 (an amendment's) is "附則#2" and its paragraphs
//!   "附則#2-1". A reference that would repeat gets "#2", "#3" … appended. Kanji
//!   numerals in 第N条 etc. are read (第十二条 → "12").
//! * Metadata: a line "令和8年3月18日 決裁" (also 決定, 制定, 施行, 改正, 承認, 議決,
//!   possibly after a short word such as 議長) is the approval line; a line such as
//!   "令和8年3月18日議会訓令第3号" gives the promulgation number as printed after the
//!   date with spaces removed and half-width digits ("議会訓令第3号"). `approved_on`
//!   is the approval line's date, else the promulgation line's. Before the first clause
//!   a bare date line also counts as the approval line.
//! * A table of contents (目次) is listed in `contents` and never becomes clauses: it
//!   starts at "目次" (alone, or with the first entry on the same line) or, without that
//!   word, at a chapter or section line before the first article that ends in an article
//!   range ("（第1条―第3条）", "(第12条・第13条)", "(第5条)"); it goes on over 第N章 /
//!   第N節 / 第N款 / 附則 entries (spaces, width and indentation as they come) and ends at
//!   the first other line or at the entry naming the contents' first unit again, where
//!   the body begins. So a "附則" entry is never the real 附則. A chapter, section or 款
//!   title may follow its label without a space ("第1章総則").
//! * Nothing is dropped silently: every non-blank line outside the clause tree (title,
//!   metadata, contents, preamble) is listed in `unplaced` with its line number and fate.
//! * Labels: `label` is read half-width for references; `printed` keeps the source's
//!   label when it differs ("（１）", "第３条"), for display. The title keeps the
//!   regulation marker ○ as printed.
//! * Warnings: text before the first clause (other than title, metadata and contents)
//!   is kept in `preamble` with one warning per line; a line that looks like broken
//!   numbering ("(x) …", "1. …", "1-1 …", "①", a bare number) is kept in the nearest
//!   clause's text with a warning; a number that does not follow its predecessor
//!   (or a first item that is not 1 / ア) is kept, with a warning.

use std::collections::HashMap;

use time::Date;

mod lines;
mod meta;

use lines::*;
use meta::Meta;

/// Larger input is refused with [`PolicyProblem::TooLarge`] by [`decode`] and [`parse`].
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The words after an item's label are taken as its title only up to this length.
pub const MAX_HEADING_CHARS: usize = 60;

/// A policy document read from text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyText {
    pub title: String,
    #[serde(default)]
    pub approved_on: Option<Date>,
    #[serde(default)]
    pub approval_line: Option<String>,
    /// The promulgation number, e.g. "訓令第3号".
    #[serde(default)]
    pub promulgation: Option<String>,
    /// Text before the first clause that is not title, approval, promulgation or contents.
    #[serde(default)]
    pub preamble: String,
    pub clauses: Vec<Clause>,
    /// 附則
    #[serde(default)]
    pub supplementary: Vec<Clause>,
    #[serde(default)]
    pub warnings: Vec<ParseWarning>,
    /// The table of contents (目次) as printed, one entry a line, without the "目次" word.
    #[serde(default)]
    pub contents: Vec<String>,
    /// Every non-blank line that is not part of a clause, with what was done with it.
    #[serde(default)]
    pub unplaced: Vec<UnplacedLine>,
}

/// A line of the input that is not in the clause tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnplacedLine {
    /// 1-based line number.
    pub line: usize,
    /// The line as printed, trimmed.
    pub text: String,
    pub fate: LineFate,
}

/// What was done with a line that is not in the clause tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineFate {
    /// Taken as the document's title.
    Title,
    /// Taken as the approval or promulgation line (date, 訓令第N号).
    Metadata,
    /// Part of the table of contents (目次), listed in `contents`.
    Contents,
    /// Text before the first clause, kept in `preamble`.
    Preamble,
}

impl LineFate {
    /// The name the API gives it (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            LineFate::Title => "title",
            LineFate::Metadata => "metadata",
            LineFate::Contents => "contents",
            LineFate::Preamble => "preamble",
        }
    }

    /// A stable key for the UI's locale files.
    pub fn message_key(self) -> &'static str {
        match self {
            LineFate::Title => "policy.fate.title",
            LineFate::Metadata => "policy.fate.metadata",
            LineFate::Contents => "policy.fate.contents",
            LineFate::Preamble => "policy.fate.preamble",
        }
    }
}

/// One numbered unit of a policy and the units nested in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Clause {
    /// Stable reference, unique within the document: "6(8)", "4(2)ア", "第2章", "附則1".
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: ClauseKind,
    /// With half-width digits and parentheses: "第3条", "1", "(1)", "ア".
    pub label: String,
    /// The label as printed when it differs from `label` ("（１）", "第３条", "ｱ"):
    /// pages show this one, references are made from `label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The clause's own paragraphs, joined with "\n".
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub children: Vec<Clause>,
}

/// The kinds of numbering in Japanese regulations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ClauseKind {
    /// 第N章
    Chapter,
    /// 第N節
    Section,
    /// 第N款
    Subsection,
    /// 第N条
    Article,
    /// "1 目的" at the top level or in 附則; "2 …" inside an article (第2項).
    Numbered,
    /// (N)
    Item,
    /// ア, イ, ウ …
    Iroha,
    /// (ア), (イ) …
    ParenIroha,
    /// 附則
    Supplementary,
}

/// Something in the text that the parser kept but could not place with certainty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParseWarning {
    /// 1-based line number.
    pub line: usize,
    /// The line as printed, trimmed.
    pub text: String,
    /// The reference of the clause the line was kept with (or, for
    /// [`WarningReason::OutOfSequence`], the clause it created).
    pub attached_to: Option<String>,
    pub reason: WarningReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WarningReason {
    /// Looks like numbering but fits no pattern; kept with the nearest clause.
    Unrecognised,
    /// A number that does not follow the one before it, e.g. (3) after (1).
    OutOfSequence,
    /// Text before the first clause; kept in the preamble.
    BeforeFirstClause,
}

/// Why a text was refused. Each variant names a locale key for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    #[error("the text is empty")]
    Empty,
    #[error("the text is larger than {} bytes", MAX_BYTES)]
    TooLarge,
    #[error("the file is not text")]
    Binary,
    #[error("the text is neither UTF-8 nor Shift_JIS")]
    Undecodable,
    #[error("no clause numbering was found in the text")]
    NoClauses,
}

impl PolicyProblem {
    /// A stable key for the UI's locale files.
    pub fn message_key(&self) -> &'static str {
        match self {
            PolicyProblem::Empty => "policy.error.empty",
            PolicyProblem::TooLarge => "policy.error.too_large",
            PolicyProblem::Binary => "policy.error.binary",
            PolicyProblem::Undecodable => "policy.error.undecodable",
            PolicyProblem::NoClauses => "policy.error.no_clauses",
        }
    }
}

impl Clause {
    /// The label as the source printed it (full-width numbering stays full-width).
    pub fn shown_label(&self) -> &str {
        self.printed.as_deref().unwrap_or(&self.label)
    }
}

/// The marks 例規集 print before a regulation's title.
const REGULATION_MARKS: [char; 3] = ['○', '◯', '〇'];

impl PolicyText {
    /// The title without the regulation marker ○: the document's name in lists.
    pub fn name(&self) -> &str {
        self.title
            .trim()
            .trim_start_matches(REGULATION_MARKS)
            .trim_start()
    }

    /// Depth-first over all clauses (supplementary included).
    pub fn all_clauses(&self) -> Vec<&Clause> {
        fn walk<'a>(clauses: &'a [Clause], out: &mut Vec<&'a Clause>) {
            for clause in clauses {
                out.push(clause);
                walk(&clause.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.clauses, &mut out);
        walk(&self.supplementary, &mut out);
        out
    }

    /// The clause with this reference; full-width digits and parentheses in `reference`
    /// are read as half-width.
    pub fn find(&self, reference: &str) -> Option<&Clause> {
        let wanted: String = reference.trim().chars().map(normalise_char).collect();
        self.all_clauses()
            .into_iter()
            .find(|clause| clause.reference == wanted)
    }

    /// The canonical text of the whole document, used for content hashing
    /// (deterministic: title, clauses in order with labels, titles and text).
    pub fn canonical_text(&self) -> String {
        fn write(clause: &Clause, depth: usize, out: &mut String) {
            let indent = "  ".repeat(depth);
            out.push_str(&indent);
            out.push('[');
            out.push_str(&clause.label);
            out.push(']');
            if let Some(title) = &clause.title {
                out.push(' ');
                out.push_str(title);
            }
            out.push('\n');
            for paragraph in clause.text.split('\n').filter(|p| !p.trim().is_empty()) {
                out.push_str(&indent);
                out.push_str("  ");
                out.push_str(paragraph.trim());
                out.push('\n');
            }
            for child in &clause.children {
                write(child, depth + 1, out);
            }
        }
        // Without the marker ○, so a text hashes as it did before the marker was kept.
        let mut out = String::new();
        out.push_str(self.name());
        out.push('\n');
        for clause in self.clauses.iter().chain(&self.supplementary) {
            write(clause, 0, &mut out);
        }
        out
    }
}

/// Decodes uploaded bytes: UTF-8 (with or without BOM), else Shift_JIS/CP932
/// (`encoding_rs::SHIFT_JIS`); UTF-16 is read only with its BOM. Refuses binary (NUL
/// bytes or more than 1% control characters) and text that decodes with replacement
/// characters. The BOM is not part of the result.
pub fn decode(bytes: &[u8]) -> Result<String, PolicyProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(PolicyProblem::TooLarge);
    }
    if bytes.is_empty() {
        return Err(PolicyProblem::Empty);
    }
    let utf16 = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        Some((encoding_rs::UTF_16LE, rest))
    } else {
        bytes
            .strip_prefix(&[0xFE, 0xFF])
            .map(|rest| (encoding_rs::UTF_16BE, rest))
    };
    let text = if let Some((encoding, rest)) = utf16 {
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(rest)
            .ok_or(PolicyProblem::Undecodable)?
            .into_owned();
        let controls = text.chars().filter(|&c| is_binary_control(c)).count();
        if text.contains('\0') || controls * 100 > text.chars().count() {
            return Err(PolicyProblem::Binary);
        }
        text
    } else {
        if bytes.contains(&0) {
            return Err(PolicyProblem::Binary);
        }
        let controls = bytes
            .iter()
            .filter(|&&b| is_binary_control(char::from(b)))
            .count();
        if controls * 100 > bytes.len() {
            return Err(PolicyProblem::Binary);
        }
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            std::str::from_utf8(rest)
                .map_err(|_| PolicyProblem::Undecodable)?
                .to_owned()
        } else if let Ok(text) = std::str::from_utf8(bytes) {
            text.to_owned()
        } else {
            encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or(PolicyProblem::Undecodable)?
                .into_owned()
        }
    };
    if text.contains('\u{FFFD}') {
        return Err(PolicyProblem::Undecodable);
    }
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    if text.trim().is_empty() {
        return Err(PolicyProblem::Empty);
    }
    Ok(text)
}

/// Control characters that do not occur in text files (tab, line feed, form feed and
/// carriage return do).
fn is_binary_control(c: char) -> bool {
    matches!(c, '\u{1}'..='\u{8}' | '\u{B}' | '\u{E}'..='\u{1F}' | '\u{7F}')
}

/// Reads a policy text into a clause tree. See the module documentation for the rules.
pub fn parse(text: &str) -> Result<PolicyText, PolicyProblem> {
    if text.len() > MAX_BYTES {
        return Err(PolicyProblem::TooLarge);
    }
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(PolicyProblem::Empty);
    }
    let raw_lines: Vec<&str> = if text.contains('\n') {
        text.split('\n').collect()
    } else {
        text.split('\r').collect()
    };
    let lines: Vec<Line> = raw_lines
        .iter()
        .enumerate()
        .map(|(index, raw)| Line::new(index + 1, raw))
        .collect();
    let mut classes: Vec<Class> = lines.iter().map(classify).collect();
    let contents = mark_table_of_contents(&lines, &mut classes);
    let skipped = &contents.skipped;
    let is_clause =
        |i: usize| !skipped[i] && matches!(classes[i], Class::Heading(_) | Class::Supplementary(_));
    let first_clause = (0..lines.len())
        .find(|&i| is_clause(i))
        .ok_or(PolicyProblem::NoClauses)?;
    let circle_title =
        (0..first_clause).find(|&i| !skipped[i] && lines[i].circle_title().is_some());

    let mut builder = Builder::default();
    let mut meta = Meta::default();
    let mut title: Option<String> = None;
    let mut preamble: Vec<String> = Vec::new();
    let mut caption: Option<String> = None;
    let mut unplaced: Vec<UnplacedLine> = Vec::new();
    let mut leave = |line: &Line, fate: LineFate| {
        unplaced.push(UnplacedLine {
            line: line.no,
            text: line.text.clone(),
            fate,
        })
    };

    for (i, line) in lines.iter().enumerate() {
        if skipped[i] {
            leave(line, LineFate::Contents);
            continue;
        }
        let before_first = i < first_clause;
        match &classes[i] {
            Class::Blank => {}
            Class::Heading(heading) => builder.open(line, heading, caption.take()),
            Class::Supplementary(words) => builder.open_supplementary(words),
            Class::Contents | Class::Other => {
                if before_first && Some(i) == circle_title {
                    // The regulation marker ○ is part of the title as printed.
                    title = Some(line.text.clone());
                    leave(line, LineFate::Title);
                    continue;
                }
                if meta.take(line, before_first) {
                    leave(line, LineFate::Metadata);
                    continue;
                }
                if let Some(words) = line.caption()
                    && next_is_article(&classes, skipped, i)
                {
                    caption = Some(words);
                    continue;
                }
                if !before_first {
                    builder.paragraph(line);
                } else if title.is_none() && circle_title.is_none() {
                    title = Some(line.text.clone());
                    leave(line, LineFate::Title);
                } else {
                    preamble.push(line.text.clone());
                    leave(line, LineFate::Preamble);
                    builder.warnings.push(ParseWarning {
                        line: line.no,
                        text: line.text.clone(),
                        attached_to: None,
                        reason: WarningReason::BeforeFirstClause,
                    });
                }
            }
        }
    }

    let (clauses, supplementary, mut warnings) = builder.finish();
    warnings.sort_by_key(|w| w.line);
    Ok(PolicyText {
        title: title.unwrap_or_default(),
        approved_on: meta.approval_date.or(meta.promulgation_date),
        approval_line: meta.approval_line,
        promulgation: meta.promulgation,
        preamble: preamble.join("\n"),
        clauses,
        supplementary,
        warnings,
        contents: contents.entries,
        unplaced,
    })
}

// ------------------------------------------------------------------ tree

/// How the words after a label are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    /// Chapter, section, 附則.
    Title,
    /// Article, 第2項: the first paragraph.
    Text,
    /// Numbered clause and items: a title if the clause has content of its own.
    Either,
}

struct Node {
    kind: ClauseKind,
    label: String,
    printed: String,
    reference: String,
    head_words: String,
    head: Head,
    caption: Option<String>,
    paragraphs: Vec<String>,
    children: Vec<usize>,
    /// Nesting rank: a clause closes every open clause of the same or a higher rank.
    level: u8,
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    roots: Vec<usize>,
    supplementary: Vec<usize>,
    /// The open clauses, outermost first.
    stack: Vec<usize>,
    /// How often each reference (without suffix) was given out.
    used: HashMap<String, u32>,
    /// The last number seen per (scope, kind); scope 0 is the document, else node + 1.
    last: HashMap<(usize, ClauseKind), (u32, u32)>,
    warnings: Vec<ParseWarning>,
}

impl Builder {
    fn open(&mut self, line: &Line, heading: &Heading, caption: Option<String>) {
        let in_article = self
            .stack
            .iter()
            .any(|&i| self.nodes[i].kind == ClauseKind::Article);
        let paragraph = heading.kind == ClauseKind::Numbered && in_article;
        let level = match heading.kind {
            ClauseKind::Supplementary => 0,
            ClauseKind::Chapter => 10,
            ClauseKind::Section => 20,
            ClauseKind::Subsection => 25,
            ClauseKind::Article => 30,
            ClauseKind::Numbered if paragraph => 35,
            ClauseKind::Numbered => 30,
            ClauseKind::Item => 40,
            ClauseKind::Iroha => 50,
            ClauseKind::ParenIroha => 60,
        };
        while let Some(&top) = self.stack.last()
            && self.nodes[top].level >= level
        {
            self.stack.pop();
        }
        let parent = self.stack.last().copied();
        let in_supplementary = self
            .stack
            .iter()
            .copied()
            .find(|&i| self.nodes[i].kind == ClauseKind::Supplementary);

        let (number, branch) = (heading.number, heading.branch);
        let segment = match heading.kind {
            ClauseKind::Chapter => format!("第{number}章"),
            ClauseKind::Section => format!("第{number}節"),
            ClauseKind::Subsection => format!("第{number}款"),
            ClauseKind::Article => {
                let mut segment = match in_supplementary {
                    Some(_) => format!("第{number}条"),
                    None => number.to_string(),
                };
                if branch > 0 {
                    segment.push_str(&format!("の{branch}"));
                }
                segment
            }
            ClauseKind::Numbered => number.to_string(),
            ClauseKind::Item => format!("({number})"),
            ClauseKind::Iroha => heading.label.clone(),
            ClauseKind::ParenIroha => heading.label.clone(),
            ClauseKind::Supplementary => "附則".to_owned(),
        };
        let prefix_from = match heading.kind {
            ClauseKind::Article => in_supplementary,
            _ => parent,
        };
        let reference = match prefix_from {
            Some(p) if paragraph => format!("{}-{segment}", self.nodes[p].reference),
            Some(p) => join_reference(&self.nodes[p].reference, &segment),
            None => segment,
        };
        let reference = self.unique(reference);

        let scope = match heading.kind {
            ClauseKind::Chapter => 0,
            ClauseKind::Article => in_supplementary.map_or(0, |s| s + 1),
            _ => parent.map_or(0, |p| p + 1),
        };
        let previous = self.last.insert((scope, heading.kind), (number, branch));
        let in_sequence = match (heading.kind, previous) {
            (ClauseKind::Article, None) => (number, branch) == (1, 0),
            (ClauseKind::Article, Some((n, b))) => {
                (branch == 0 && number == n + 1) || (number == n && branch > b)
            }
            (ClauseKind::Numbered, None) if paragraph => number == 2 || number == 1,
            (_, None) => number == 1,
            (_, Some((n, _))) => number == n + 1,
        };
        if !in_sequence {
            self.warnings.push(ParseWarning {
                line: line.no,
                text: line.text.clone(),
                attached_to: Some(reference.clone()),
                reason: WarningReason::OutOfSequence,
            });
        }

        let head = match heading.kind {
            ClauseKind::Chapter
            | ClauseKind::Section
            | ClauseKind::Subsection
            | ClauseKind::Supplementary => Head::Title,
            ClauseKind::Article => Head::Text,
            ClauseKind::Numbered if paragraph => Head::Text,
            _ => Head::Either,
        };
        let index = self.nodes.len();
        self.nodes.push(Node {
            kind: heading.kind,
            label: heading.label.clone(),
            printed: heading.printed.clone(),
            reference,
            head_words: heading.rest.clone(),
            head,
            caption,
            paragraphs: Vec::new(),
            children: Vec::new(),
            level,
        });
        match parent {
            Some(p) => self.nodes[p].children.push(index),
            None => self.roots.push(index),
        }
        self.stack.push(index);
    }

    fn open_supplementary(&mut self, words: &str) {
        self.stack.clear();
        let reference = self.unique("附則".to_owned());
        let index = self.nodes.len();
        self.nodes.push(Node {
            kind: ClauseKind::Supplementary,
            label: "附則".to_owned(),
            printed: "附則".to_owned(),
            reference,
            head_words: words.to_owned(),
            head: Head::Title,
            caption: None,
            paragraphs: Vec::new(),
            children: Vec::new(),
            level: 0,
        });
        self.supplementary.push(index);
        self.stack.push(index);
    }

    /// A line of text for the innermost open clause.
    fn paragraph(&mut self, line: &Line) {
        let Some(&top) = self.stack.last() else {
            // Unreachable: paragraphs are only read after the first clause opened,
            // and the stack is never emptied after that.
            return;
        };
        self.nodes[top].paragraphs.push(line.text.clone());
        if line.looks_like_broken_numbering() {
            self.warnings.push(ParseWarning {
                line: line.no,
                text: line.text.clone(),
                attached_to: Some(self.nodes[top].reference.clone()),
                reason: WarningReason::Unrecognised,
            });
        }
    }

    /// The reference, or with "#2", "#3" … appended if it was given out before. Joining
    /// a parent's reference and a label never puts '#' right after the parent's, so a
    /// suffixed reference cannot collide with one made from labels.
    fn unique(&mut self, reference: String) -> String {
        let seen = self.used.entry(reference.clone()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => reference,
            n => format!("{reference}#{n}"),
        }
    }

    fn finish(self) -> (Vec<Clause>, Vec<Clause>, Vec<ParseWarning>) {
        let clauses = self.roots.iter().map(|&i| self.build(i)).collect();
        let supplementary = self.supplementary.iter().map(|&i| self.build(i)).collect();
        (clauses, supplementary, self.warnings)
    }

    fn build(&self, index: usize) -> Clause {
        let node = &self.nodes[index];
        let children: Vec<Clause> = node.children.iter().map(|&i| self.build(i)).collect();
        let words = node.head_words.trim();
        let mut paragraphs: Vec<&str> = Vec::new();
        let title = match node.head {
            Head::Title => non_empty(words),
            Head::Text => {
                paragraphs.push(words);
                node.caption.clone()
            }
            Head::Either => {
                let has_content = !node.paragraphs.is_empty() || !children.is_empty();
                let heading_like =
                    !words.ends_with('。') && words.chars().count() <= MAX_HEADING_CHARS;
                if has_content && heading_like {
                    non_empty(words)
                } else {
                    paragraphs.push(words);
                    None
                }
            }
        };
        paragraphs.extend(node.paragraphs.iter().map(String::as_str));
        let text = paragraphs
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Clause {
            reference: node.reference.clone(),
            kind: node.kind,
            label: node.label.clone(),
            printed: (node.printed != node.label).then(|| node.printed.clone()),
            title,
            text,
            children,
        }
    }
}

fn non_empty(words: &str) -> Option<String> {
    (!words.is_empty()).then(|| words.to_owned())
}

/// Parent reference and a child's own part; "-" between two digits ("3" + "2" → "3-2").
fn join_reference(parent: &str, segment: &str) -> String {
    let digit_meets_digit = parent.ends_with(|c: char| c.is_ascii_digit())
        && segment.starts_with(|c: char| c.is_ascii_digit());
    if digit_meets_digit {
        format!("{parent}-{segment}")
    } else {
        format!("{parent}{segment}")
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_contents;
