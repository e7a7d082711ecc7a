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
//! * A table of contents is skipped: the line "目次" and, before the first article,
//!   chapter and section lines that end in an article range "（第1条―第3条）" or that
//!   are repeated later, and a 附則 line inside the contents that is repeated later.
//! * Warnings: text before the first clause (other than title, metadata and contents)
//!   is kept in `preamble` with one warning per line; a line that looks like broken
//!   numbering ("(x) …", "1. …", "1-1 …", "①", a bare number) is kept in the nearest
//!   clause's text with a warning; a number that does not follow its predecessor
//!   (or a first item that is not 1 / ア) is kept, with a warning.

use std::collections::HashMap;

use time::Date;

use crate::wareki;

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
}

/// One numbered unit of a policy and the units nested in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Clause {
    /// Stable reference, unique within the document: "6(8)", "4(2)ア", "第2章", "附則1".
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: ClauseKind,
    /// As printed, with half-width digits and parentheses: "第3条", "1", "(1)", "ア".
    pub label: String,
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

impl PolicyText {
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
        let mut out = String::new();
        out.push_str(self.title.trim());
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
    let skipped = mark_table_of_contents(&mut classes);
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

    for (i, line) in lines.iter().enumerate() {
        if skipped[i] {
            continue;
        }
        let before_first = i < first_clause;
        match &classes[i] {
            Class::Blank => {}
            Class::Heading(heading) => builder.open(line, heading, caption.take()),
            Class::Supplementary(words) => builder.open_supplementary(words),
            Class::Contents | Class::Other => {
                if before_first && Some(i) == circle_title {
                    title = line.circle_title();
                    continue;
                }
                if meta.take(line, before_first) {
                    continue;
                }
                if let Some(words) = line.caption()
                    && next_is_article(&classes, &skipped, i)
                {
                    caption = Some(words);
                    continue;
                }
                if !before_first {
                    builder.paragraph(line);
                } else if title.is_none() && circle_title.is_none() {
                    title = Some(line.text.clone());
                } else {
                    preamble.push(line.text.clone());
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
    })
}

// ------------------------------------------------------------------ characters

/// ア to ワ in the order Japanese regulations number items with them.
const IROHA: [char; 44] = [
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ',
];

/// The same letters in half-width katakana, index for index.
const HALF_WIDTH_IROHA: [char; 44] = [
    'ｱ', 'ｲ', 'ｳ', 'ｴ', 'ｵ', 'ｶ', 'ｷ', 'ｸ', 'ｹ', 'ｺ', 'ｻ', 'ｼ', 'ｽ', 'ｾ', 'ｿ', 'ﾀ', 'ﾁ', 'ﾂ', 'ﾃ',
    'ﾄ', 'ﾅ', 'ﾆ', 'ﾇ', 'ﾈ', 'ﾉ', 'ﾊ', 'ﾋ', 'ﾌ', 'ﾍ', 'ﾎ', 'ﾏ', 'ﾐ', 'ﾑ', 'ﾒ', 'ﾓ', 'ﾔ', 'ﾕ', 'ﾖ',
    'ﾗ', 'ﾘ', 'ﾙ', 'ﾚ', 'ﾛ', 'ﾜ',
];

fn iroha_index(c: char) -> Option<usize> {
    IROHA.iter().position(|&k| k == c)
}

/// One character as numbering is read: full-width ASCII to ASCII, every kind of space
/// to ' ', half-width katakana to full-width. Always one character for one, so indices
/// into the normalised line are indices into the printed line.
fn normalise_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        c if c.is_whitespace() => ' ',
        c => HALF_WIDTH_IROHA
            .iter()
            .position(|&k| k == c)
            .map_or(c, |i| IROHA[i]),
    }
}

fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|k| k == c)
        .and_then(|i| u32::try_from(i).ok())
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// A number written in ASCII digits or kanji numerals (十二, 二十三, 百一, 一〇).
fn parse_number(chars: &[char]) -> Option<u32> {
    if chars.is_empty() || chars.len() > 6 {
        return None;
    }
    if chars.iter().all(char::is_ascii_digit) {
        return chars.iter().collect::<String>().parse().ok();
    }
    let mut total = 0;
    let mut current = 0;
    for &c in chars {
        if let Some(d) = kanji_digit(c) {
            current = current * 10 + d;
        } else {
            let unit = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => return None,
            };
            total += if current == 0 { 1 } else { current } * unit;
            current = 0;
        }
    }
    Some(total + current)
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{30FF}')
}

// ------------------------------------------------------------------ lines

struct Line {
    /// 1-based.
    no: usize,
    /// As printed, trimmed.
    text: String,
    /// After indentation and list marker, as printed.
    body: Vec<char>,
    /// `body` read by [`normalise_char`]; the same length as `body`.
    norm: Vec<char>,
}

impl Line {
    fn new(no: usize, raw: &str) -> Line {
        let text = raw.trim().to_owned();
        let body: Vec<char> = text.chars().collect();
        let norm: Vec<char> = body.iter().copied().map(normalise_char).collect();
        let start = marker_len(&norm);
        Line {
            no,
            body: body[start..].to_vec(),
            norm: norm[start..].to_vec(),
            text,
        }
    }

    /// The printed text from character `from` of the body on, trimmed.
    fn rest(&self, from: usize) -> String {
        self.body[from.min(self.body.len())..]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// "○佐久市議会…" → "佐久市議会…".
    fn circle_title(&self) -> Option<String> {
        matches!(self.norm.first(), Some('○' | '◯' | '〇')).then(|| self.rest(1))
    }

    /// "(目的)" → "目的": a whole line in parentheses.
    fn caption(&self) -> Option<String> {
        let n = &self.norm;
        if n.len() < 3 || n[0] != '(' || n[n.len() - 1] != ')' {
            return None;
        }
        let inner = &n[1..n.len() - 1];
        let plain = !inner.iter().any(|&c| c == '(' || c == ')');
        (plain && inner.len() <= 40).then(|| {
            self.body[1..self.body.len() - 1]
                .iter()
                .collect::<String>()
                .trim()
                .to_owned()
        })
    }

    /// Numbering that fits no pattern: "(x) …", "(1 …", "1. …", "1-1 …", "ア) …",
    /// circled and Roman numerals, a bare number such as a page number "- 3 -".
    fn looks_like_broken_numbering(&self) -> bool {
        let n = &self.norm;
        let Some(&first) = n.first() else {
            return false;
        };
        if first == '(' {
            let window = &n[1..n.len().min(6)];
            return match window.iter().position(|&c| c == ')') {
                Some(end) => {
                    let inner = &window[..end];
                    !inner.is_empty()
                        && inner.len() <= 3
                        && inner.iter().all(|&c| {
                            c.is_ascii_alphanumeric()
                                || is_kana(c)
                                || matches!(c, '\u{2160}'..='\u{217F}')
                        })
                }
                None => n
                    .get(1)
                    .is_some_and(|&c| c.is_ascii_digit() || iroha_index(c).is_some()),
            };
        }
        if first.is_ascii_digit() {
            if n.iter()
                .all(|&c| c.is_ascii_digit() || c == ' ' || c == '-')
            {
                return true;
            }
            let digits = n.iter().take_while(|c| c.is_ascii_digit()).count();
            return digits <= 3
                && matches!(
                    n.get(digits),
                    Some('.' | ')' | '、' | ',' | ':' | '-' | '．')
                );
        }
        if iroha_index(first).is_some() {
            return matches!(n.get(1), Some(')' | '.' | '、'));
        }
        matches!(first, '\u{2460}'..='\u{2473}' | '\u{2160}'..='\u{217F}')
    }
}

/// Length of a leading list marker ("- ", "* ", "• ", "・") and the spaces after it.
fn marker_len(norm: &[char]) -> usize {
    let marker = match norm {
        ['-' | '*' | '•', ' ', ..] => 1,
        ['・' | '･', next, ..] if *next != '・' => 1,
        _ => 0,
    };
    if marker == 0 {
        return 0;
    }
    marker + norm[marker..].iter().take_while(|&&c| c == ' ').count()
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Heading {
    kind: ClauseKind,
    number: u32,
    /// The branch of 第3条の2; 0 for all others.
    branch: u32,
    label: String,
    /// The printed words after the label.
    rest: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Class {
    Blank,
    /// "目次"
    Contents,
    Heading(Heading),
    /// 附則, with the words after it.
    Supplementary(String),
    Other,
}

fn classify(line: &Line) -> Class {
    let n = &line.norm;
    if n.is_empty() {
        return Class::Blank;
    }
    if n.iter().filter(|&&c| c != ' ').eq(['目', '次'].iter()) {
        return Class::Contents;
    }
    if let Some(words) = supplementary_heading(line) {
        return Class::Supplementary(words);
    }
    dai_heading(line)
        .or_else(|| paren_heading(line))
        .or_else(|| iroha_heading(line))
        .or_else(|| numbered_heading(line))
        .map_or(Class::Other, Class::Heading)
}

/// 第N章, 第N節, 第N条, 第N条のM, followed by a space or the end of the line.
fn dai_heading(line: &Line) -> Option<Heading> {
    let n = &line.norm;
    if n.first() != Some(&'第') {
        return None;
    }
    let digits_end = 1 + n[1..].iter().take_while(|&&c| is_number_char(c)).count();
    let number = parse_number(&n[1..digits_end])?;
    let kind = match n.get(digits_end)? {
        '章' => ClauseKind::Chapter,
        '節' => ClauseKind::Section,
        '条' => ClauseKind::Article,
        _ => return None,
    };
    let mut end = digits_end + 1;
    let mut branch = 0;
    if kind == ClauseKind::Article && n.get(end) == Some(&'の') {
        let branch_end = end
            + 1
            + n[end + 1..]
                .iter()
                .take_while(|&&c| is_number_char(c))
                .count();
        if branch_end > end + 1 {
            branch = parse_number(&n[end + 1..branch_end])?;
            end = branch_end;
        }
    }
    if number == 0 || !matches!(n.get(end), None | Some(' ')) {
        return None;
    }
    Some(Heading {
        kind,
        number,
        branch,
        label: n[..end].iter().collect(),
        rest: line.rest(end),
    })
}

/// (N) and (ア), with or without a space after them.
fn paren_heading(line: &Line) -> Option<Heading> {
    let n = &line.norm;
    if n.first() != Some(&'(') {
        return None;
    }
    let close = n.iter().take(6).position(|&c| c == ')')?;
    let inner = &n[1..close];
    let (kind, number) =
        if !inner.is_empty() && inner.len() <= 3 && inner.iter().all(char::is_ascii_digit) {
            (ClauseKind::Item, parse_number(inner)?)
        } else if let [c] = inner
            && let Some(index) = iroha_index(*c)
        {
            (ClauseKind::ParenIroha, u32::try_from(index + 1).ok()?)
        } else {
            return None;
        };
    if number == 0 {
        return None;
    }
    Some(Heading {
        kind,
        number,
        branch: 0,
        label: n[..=close].iter().collect(),
        rest: line.rest(close + 1),
    })
}

/// ア, イ … followed by a space or the end of the line.
fn iroha_heading(line: &Line) -> Option<Heading> {
    let n = &line.norm;
    let index = iroha_index(*n.first()?)?;
    if !matches!(n.get(1), None | Some(' ')) {
        return None;
    }
    Some(Heading {
        kind: ClauseKind::Iroha,
        number: u32::try_from(index + 1).ok()?,
        branch: 0,
        label: IROHA[index].to_string(),
        rest: line.rest(1),
    })
}

/// "1 目的": one to three digits, a space, and words.
fn numbered_heading(line: &Line) -> Option<Heading> {
    let n = &line.norm;
    let digits = n.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || n.get(digits) != Some(&' ') {
        return None;
    }
    let rest = line.rest(digits);
    if rest
        .chars()
        .all(|c| c == '-' || c == '－' || c.is_whitespace())
    {
        return None;
    }
    let number = parse_number(&n[..digits])?;
    (number > 0).then(|| Heading {
        kind: ClauseKind::Numbered,
        number,
        branch: 0,
        label: n[..digits].iter().collect(),
        rest,
    })
}

/// "附則", "附 則", "附則（令和7年訓令第5号）", "附則 令和7年4月1日": the words after it,
/// without surrounding parentheses.
fn supplementary_heading(line: &Line) -> Option<String> {
    let n = &line.norm;
    if n.first() != Some(&'附') {
        return None;
    }
    let soku = 1 + n[1..].iter().take_while(|&&c| c == ' ').count();
    if n.get(soku) != Some(&'則') || !matches!(n.get(soku + 1), None | Some(' ' | '(')) {
        return None;
    }
    let words = line.rest(soku + 1);
    let inner = words
        .strip_prefix(['(', '（'])
        .and_then(|w| w.strip_suffix([')', '）']))
        .filter(|w| !w.contains(['(', '（', ')', '）']));
    Some(inner.map_or(words.clone(), |w| w.trim().to_owned()))
}

/// Marks the table of contents (see the module documentation) as skipped; a "目次"
/// line after the contents' place becomes ordinary text.
fn mark_table_of_contents(classes: &mut [Class]) -> Vec<bool> {
    let count = classes.len();
    let first_article = classes
        .iter()
        .position(|c| matches!(c, Class::Heading(h) if h.kind == ClauseKind::Article))
        .unwrap_or(count);
    // Where each chapter or section label occurs last, and where the last 附則 is.
    let mut last_heading: HashMap<(ClauseKind, &str), usize> = HashMap::new();
    let mut last_supplementary = None;
    for (i, class) in classes.iter().enumerate() {
        match class {
            Class::Heading(h) if matches!(h.kind, ClauseKind::Chapter | ClauseKind::Section) => {
                last_heading.insert((h.kind, h.label.as_str()), i);
            }
            Class::Supplementary(_) => last_supplementary = Some(i),
            _ => {}
        }
    }
    let mut skip_at = vec![false; count];
    let mut in_contents = false;
    let mut seen_clause = false;
    for (i, class) in classes.iter().enumerate() {
        let skip = match class {
            Class::Blank => continue,
            Class::Contents => !seen_clause,
            Class::Heading(h) => {
                let repeated_later = || last_heading.get(&(h.kind, h.label.as_str())) > Some(&i);
                matches!(h.kind, ClauseKind::Chapter | ClauseKind::Section)
                    && i < first_article
                    && (ends_in_article_range(&h.rest) || (in_contents && repeated_later()))
            }
            Class::Supplementary(_) => in_contents && last_supplementary > Some(i),
            Class::Other => false,
        };
        skip_at[i] = skip;
        if skip {
            in_contents |= *class == Class::Contents;
            continue;
        }
        in_contents = false;
        seen_clause |= matches!(class, Class::Heading(_) | Class::Supplementary(_));
    }
    // A "目次" line among the clauses is ordinary text.
    for (class, &skip) in classes.iter_mut().zip(&skip_at) {
        if !skip && *class == Class::Contents {
            *class = Class::Other;
        }
    }
    skip_at
}

/// "総則（第1条―第3条）", "雑則(第20条)".
fn ends_in_article_range(words: &str) -> bool {
    let norm: Vec<char> = words.chars().map(normalise_char).collect();
    if norm.last() != Some(&')') {
        return false;
    }
    norm.iter()
        .rposition(|&c| c == '(')
        .is_some_and(|open| norm[open..].contains(&'条'))
}

fn next_is_article(classes: &[Class], skipped: &[bool], i: usize) -> bool {
    classes
        .iter()
        .zip(skipped)
        .skip(i + 1)
        .find(|(c, s)| !**s && **c != Class::Blank)
        .is_some_and(|(c, _)| matches!(c, Class::Heading(h) if h.kind == ClauseKind::Article))
}

// ------------------------------------------------------------------ metadata

#[derive(Default)]
struct Meta {
    approval_line: Option<String>,
    approval_date: Option<Date>,
    promulgation: Option<String>,
    promulgation_date: Option<Date>,
}

const APPROVAL_WORDS: [&str; 7] = ["決裁", "決定", "制定", "施行", "改正", "承認", "議決"];
const PROMULGATION_KINDS: [&str; 9] = [
    "訓令", "訓", "達", "規程", "規則", "告示", "要綱", "要領", "条例",
];

impl Meta {
    /// Takes the line as approval or promulgation line if it is one and none was seen
    /// yet. Without a date, only before the first clause.
    fn take(&mut self, line: &Line, before_first: bool) -> bool {
        let compact: Vec<char> = line.norm.iter().copied().filter(|&c| c != ' ').collect();
        let (date, rest) = match split_date(&compact) {
            Some((date, rest)) => (Some(date), rest),
            None => (None, &compact[..]),
        };
        let rest: String = rest.iter().collect();
        let parsed = date
            .as_deref()
            .and_then(|d| wareki::parse_date_input(d).ok());
        if self.promulgation.is_none() && (date.is_some() || before_first) && is_promulgation(&rest)
        {
            self.promulgation = Some(rest);
            self.promulgation_date = parsed;
            return true;
        }
        let approval = rest.chars().count() <= 20
            && !rest.contains('。')
            && APPROVAL_WORDS.iter().any(|w| rest.ends_with(w));
        if self.approval_line.is_none()
            && date.is_some()
            && (approval || (before_first && rest.is_empty()))
        {
            self.approval_line = Some(line.text.clone());
            self.approval_date = parsed;
            return true;
        }
        false
    }
}

/// "令和8年3月18日…" (spaces removed) → ("令和8年3月18日", "…"). Also 元年 and
/// Gregorian "2026年3月18日".
fn split_date(compact: &[char]) -> Option<(String, &[char])> {
    let era = ["令和", "平成", "昭和", "大正", "明治"]
        .iter()
        .any(|e| compact.iter().take(2).copied().eq(e.chars()));
    let start = if era { 2 } else { 0 };
    if !compact
        .get(start)
        .is_some_and(|&c| c.is_ascii_digit() || c == '元')
    {
        return None;
    }
    let day = compact.iter().take(16).position(|&c| c == '日')?;
    let date = &compact[..=day];
    let allowed = date[start..]
        .iter()
        .all(|&c| c.is_ascii_digit() || matches!(c, '元' | '年' | '月' | '日'));
    (allowed && date.contains(&'年') && date.contains(&'月'))
        .then(|| (date.iter().collect(), &compact[day + 1..]))
}

/// "訓令第5号", "議会訓令第3号", "規程第十二号".
fn is_promulgation(rest: &str) -> bool {
    let Some(before_go) = rest.strip_suffix('号') else {
        return false;
    };
    let Some((kind, number)) = before_go.rsplit_once('第') else {
        return false;
    };
    let number: Vec<char> = number.chars().collect();
    parse_number(&number).is_some_and(|n| n > 0)
        && kind.chars().count() <= 16
        && !kind.contains('。')
        && PROMULGATION_KINDS.iter().any(|k| kind.ends_with(k))
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
            ClauseKind::Chapter | ClauseKind::Section | ClauseKind::Supplementary => Head::Title,
            ClauseKind::Article => Head::Text,
            ClauseKind::Numbered if paragraph => Head::Text,
            _ => Head::Either,
        };
        let index = self.nodes.len();
        self.nodes.push(Node {
            kind: heading.kind,
            label: heading.label.clone(),
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
