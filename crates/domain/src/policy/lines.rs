//! Reading a policy text line by line: numbering characters (full-width digits, kanji
//! numerals, イロハ), list markers, and which numbering a line starts with.

use super::*;

// ------------------------------------------------------------------ characters

/// ア to ワ in the order Japanese regulations number items with them.
pub(super) const IROHA: [char; 44] = [
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ',
];

/// The same letters in half-width katakana, index for index.
pub(super) const HALF_WIDTH_IROHA: [char; 44] = [
    'ｱ', 'ｲ', 'ｳ', 'ｴ', 'ｵ', 'ｶ', 'ｷ', 'ｸ', 'ｹ', 'ｺ', 'ｻ', 'ｼ', 'ｽ', 'ｾ', 'ｿ', 'ﾀ', 'ﾁ', 'ﾂ', 'ﾃ',
    'ﾄ', 'ﾅ', 'ﾆ', 'ﾇ', 'ﾈ', 'ﾉ', 'ﾊ', 'ﾋ', 'ﾌ', 'ﾍ', 'ﾎ', 'ﾏ', 'ﾐ', 'ﾑ', 'ﾒ', 'ﾓ', 'ﾔ', 'ﾕ', 'ﾖ',
    'ﾗ', 'ﾘ', 'ﾙ', 'ﾚ', 'ﾛ', 'ﾜ',
];

pub(super) fn iroha_index(c: char) -> Option<usize> {
    IROHA.iter().position(|&k| k == c)
}

/// One character as numbering is read: full-width ASCII to ASCII, every kind of space
/// to ' ', half-width katakana to full-width. Always one character for one, so indices
/// into the normalised line are indices into the printed line.
pub(super) fn normalise_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        c if c.is_whitespace() => ' ',
        c => HALF_WIDTH_IROHA
            .iter()
            .position(|&k| k == c)
            .map_or(c, |i| IROHA[i]),
    }
}

pub(super) fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|k| k == c)
        .and_then(|i| u32::try_from(i).ok())
}

pub(super) fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// A number written in ASCII digits or kanji numerals (十二, 二十三, 百一, 一〇).
pub(super) fn parse_number(chars: &[char]) -> Option<u32> {
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

pub(super) fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{30FF}')
}

// ------------------------------------------------------------------ lines

pub(super) struct Line {
    /// 1-based.
    pub(super) no: usize,
    /// As printed, trimmed.
    pub(super) text: String,
    /// After indentation and list marker, as printed.
    pub(super) body: Vec<char>,
    /// `body` read by [`normalise_char`]; the same length as `body`.
    pub(super) norm: Vec<char>,
}

impl Line {
    pub(super) fn new(no: usize, raw: &str) -> Line {
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
    pub(super) fn rest(&self, from: usize) -> String {
        self.body[from.min(self.body.len())..]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// "○佐久市議会…" → "佐久市議会…".
    pub(super) fn circle_title(&self) -> Option<String> {
        matches!(self.norm.first(), Some('○' | '◯' | '〇')).then(|| self.rest(1))
    }

    /// "(目的)" → "目的": a whole line in parentheses.
    pub(super) fn caption(&self) -> Option<String> {
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
    pub(super) fn looks_like_broken_numbering(&self) -> bool {
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
pub(super) fn marker_len(norm: &[char]) -> usize {
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
pub(super) struct Heading {
    pub(super) kind: ClauseKind,
    pub(super) number: u32,
    /// The branch of 第3条の2; 0 for all others.
    pub(super) branch: u32,
    pub(super) label: String,
    /// The label as printed (full-width digits and parentheses kept).
    pub(super) printed: String,
    /// The printed words after the label.
    pub(super) rest: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Class {
    Blank,
    /// "目次"
    Contents,
    Heading(Heading),
    /// 附則, with the words after it.
    Supplementary(String),
    Other,
}

pub(super) fn classify(line: &Line) -> Class {
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
pub(super) fn dai_heading(line: &Line) -> Option<Heading> {
    let n = &line.norm;
    if n.first() != Some(&'第') {
        return None;
    }
    let digits_end = 1 + n[1..].iter().take_while(|&&c| is_number_char(c)).count();
    let number = parse_number(&n[1..digits_end])?;
    let kind = match n.get(digits_end)? {
        '章' => ClauseKind::Chapter,
        '節' => ClauseKind::Section,
        '款' => ClauseKind::Subsection,
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
    if number == 0 || !(matches!(n.get(end), None | Some(' ')) || glued_title(kind, n.get(end))) {
        return None;
    }
    Some(Heading {
        kind,
        number,
        branch,
        label: n[..end].iter().collect(),
        printed: line.body[..end].iter().collect(),
        rest: line.rest(end),
    })
}

/// "第1章総則": a chapter, section or 款 title printed without a space after the label
/// (as 例規集 pages often do), but not a sentence such as "第2章に定める…".
fn glued_title(kind: ClauseKind, next: Option<&char>) -> bool {
    matches!(
        kind,
        ClauseKind::Chapter | ClauseKind::Section | ClauseKind::Subsection
    ) && next.is_some_and(|&c| {
        !matches!(
            c,
            '\u{3041}'..='\u{309F}' | '及' | '又' | '並' | '中' | '以' | '(' | ')' | '、' | '。'
        )
    })
}

/// (N) and (ア), with or without a space after them.
pub(super) fn paren_heading(line: &Line) -> Option<Heading> {
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
        printed: line.body[..=close].iter().collect(),
        rest: line.rest(close + 1),
    })
}

/// ア, イ … followed by a space or the end of the line.
pub(super) fn iroha_heading(line: &Line) -> Option<Heading> {
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
        printed: line.body[0].to_string(),
        rest: line.rest(1),
    })
}

/// "1 目的": one to three digits, a space, and words.
pub(super) fn numbered_heading(line: &Line) -> Option<Heading> {
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
        printed: line.body[..digits].iter().collect(),
        rest,
    })
}

/// "附則", "附 則", "附則（令和7年訓令第5号）", "附則 令和7年4月1日": the words after it,
/// without surrounding parentheses.
pub(super) fn supplementary_heading(line: &Line) -> Option<String> {
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

/// The table of contents found by [`mark_table_of_contents`]: which lines it covers and
/// its entries as printed.
pub(super) struct Contents {
    pub(super) skipped: Vec<bool>,
    pub(super) entries: Vec<String>,
}

/// What a contents entry names: 第N章 / 第N節 / 第N款 (kind and number) or 附則.
type EntryKey = (ClauseKind, u32);

/// A line of a table of contents: "第1章 総則（第1条―第10条）", "第1章総則", "第2節　組織
/// (第5条)", "附則", with or without spaces. Returns what it names and the entry text.
pub(super) fn contents_entry(norm: &[char]) -> Option<EntryKey> {
    let compact: Vec<char> = norm.iter().copied().filter(|&c| c != ' ').collect();
    if compact.starts_with(&['附', '則']) {
        return matches!(compact.get(2), None | Some('('))
            .then_some((ClauseKind::Supplementary, 0));
    }
    if compact.first() != Some(&'第') {
        return None;
    }
    let digits_end = 1 + compact[1..]
        .iter()
        .take_while(|&&c| is_number_char(c))
        .count();
    let number = parse_number(&compact[1..digits_end]).filter(|&n| n > 0)?;
    let kind = match compact.get(digits_end)? {
        '章' => ClauseKind::Chapter,
        '節' => ClauseKind::Section,
        '款' => ClauseKind::Subsection,
        _ => return None,
    };
    Some((kind, number))
}

/// "目次" alone, or "目次" followed by the first entry on the same line: the entry's
/// position in the normalised line, or the line's length when there is none.
fn contents_heading(norm: &[char]) -> Option<usize> {
    let start = norm.iter().take_while(|&&c| c == ' ').count();
    let mut at = start;
    for wanted in ['目', '次'] {
        at += norm[at..].iter().take_while(|&&c| c == ' ').count();
        if norm.get(at) != Some(&wanted) {
            return None;
        }
        at += 1;
    }
    let entry = at + norm[at..].iter().take_while(|&&c| c == ' ').count();
    (entry == norm.len() || contents_entry(&norm[entry..]).is_some()).then_some(entry)
}

/// Finds the table of contents before the body. It starts at a line "目次" (alone or
/// with the first entry after it) or, without such a line, at a chapter or section line
/// that ends in an article range ("総則（第1条―第3条）") before the first article. It goes
/// on over entry lines (第N章, 第N節, 第N款, 附則, with or without spaces and ranges)
/// and ends at the first line that is not an entry, or at an entry naming the same unit
/// as the contents' first entry: there the body begins (contents without ranges repeat
/// the chapters that follow). A "目次" line after the first clause is ordinary text.
pub(super) fn mark_table_of_contents(lines: &[Line], classes: &mut [Class]) -> Contents {
    let count = classes.len();
    let first_article = classes
        .iter()
        .position(|c| matches!(c, Class::Heading(h) if h.kind == ClauseKind::Article))
        .unwrap_or(count);
    let mut contents = Contents {
        skipped: vec![false; count],
        entries: Vec::new(),
    };
    let mut first_key: Option<EntryKey> = None;
    let mut in_contents = false;
    let mut seen_clause = false;
    for (i, line) in lines.iter().enumerate() {
        if classes[i] == Class::Blank {
            continue;
        }
        if !seen_clause && let Some(entry_at) = contents_heading(&line.norm) {
            contents.skipped[i] = true;
            in_contents = true;
            first_key = contents_entry(&line.norm[entry_at..]);
            if first_key.is_some() {
                contents.entries.push(line.rest(entry_at));
            }
            continue;
        }
        let entry = contents_entry(&line.norm);
        if in_contents {
            match entry {
                Some(key) if first_key != Some(key) => {
                    contents.skipped[i] = true;
                    contents.entries.push(line.text.clone());
                    first_key.get_or_insert(key);
                    continue;
                }
                _ => in_contents = false,
            }
        } else if !seen_clause
            && i < first_article
            && let Some(
                key @ (ClauseKind::Chapter | ClauseKind::Section | ClauseKind::Subsection, _),
            ) = entry
            && ends_in_article_range(&line.text)
        {
            contents.skipped[i] = true;
            contents.entries.push(line.text.clone());
            in_contents = true;
            first_key = Some(key);
            continue;
        }
        seen_clause |= matches!(classes[i], Class::Heading(_) | Class::Supplementary(_));
    }
    // A "目次" line among the clauses is ordinary text.
    for (class, &skip) in classes.iter_mut().zip(&contents.skipped) {
        if !skip && *class == Class::Contents {
            *class = Class::Other;
        }
    }
    contents
}

/// "総則（第1条―第3条）", "雑則(第20条)".
pub(super) fn ends_in_article_range(words: &str) -> bool {
    let norm: Vec<char> = words.chars().map(normalise_char).collect();
    if norm.last() != Some(&')') {
        return false;
    }
    norm.iter()
        .rposition(|&c| c == '(')
        .is_some_and(|open| norm[open..].contains(&'条'))
}

pub(super) fn next_is_article(classes: &[Class], skipped: &[bool], i: usize) -> bool {
    classes
        .iter()
        .zip(skipped)
        .skip(i + 1)
        .find(|(c, s)| !**s && **c != Class::Blank)
        .is_some_and(|(c, _)| matches!(c, Class::Heading(h) if h.kind == ClauseKind::Article))
}
