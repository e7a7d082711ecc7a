//! The numbers Word generates for numbered paragraphs, from word/numbering.xml: each
//! list instance (`w:num`) points to an abstract definition whose levels give a start,
//! a number format (`w:numFmt`) and a pattern (`w:lvlText`, "第%1条", "（%2）"). The
//! text of a .docx holds none of these numbers, so without them a regulation typed with
//! automatic numbering would have no clause numbers at all.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::SheetError;

/// Word has nine list levels (0–8).
const LEVELS: usize = 9;

#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    pattern: String,
    /// What Word puts between the number and the text: "tab" (default), "space", "nothing".
    suffix: String,
}

/// The list definitions of a document and the running counters.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    /// abstractNumId → its levels.
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → (abstractNumId, start overrides by level).
    instances: HashMap<String, (String, HashMap<usize, u32>)>,
    /// Counters per abstract definition (instances of one definition continue each
    /// other's numbering unless they restart with a start override).
    counters: HashMap<String, [Option<u32>; LEVELS]>,
    /// Instances already used (a start override applies when one is first used).
    started: std::collections::HashSet<String>,
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

impl Numbering {
    /// Reads word/numbering.xml.
    pub(super) fn read(xml: &str) -> Result<Numbering, SheetError> {
        let mut numbering = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(usize, Level)> = None;
        let mut instance: Option<(String, String, HashMap<usize, u32>)> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| SheetError::BrokenDocument(format!("numbering.xml: {e}")))?;
            let (element, closes) = match &event {
                Event::Start(e) => (e.clone(), false),
                Event::Empty(e) => (e.clone(), true),
                Event::End(e) => {
                    match e.name().as_ref() {
                        "w:abstractNum" => abstract_id = None,
                        "w:lvl" => {
                            if let (Some(id), Some((index, done))) = (&abstract_id, level.take()) {
                                let levels = numbering.abstracts.entry(id.clone()).or_default();
                                if levels.len() <= index {
                                    levels.resize(index + 1, Level::default());
                                }
                                levels[index] = done;
                            }
                        }
                        "w:num" => {
                            if let Some((num, abstract_num, overrides)) = instance.take() {
                                numbering.instances.insert(num, (abstract_num, overrides));
                            }
                        }
                        "w:lvlOverride" => override_level = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let value = || attribute(&element, "w:val");
            match element.name().as_ref() {
                "w:abstractNum" if !closes => {
                    abstract_id = attribute(&element, "w:abstractNumId");
                }
                "w:lvl" if !closes && abstract_id.is_some() => {
                    let index = attribute(&element, "w:ilvl")
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|&i| i < LEVELS);
                    level = index.map(|i| {
                        (
                            i,
                            Level {
                                start: 1,
                                format: "decimal".to_owned(),
                                pattern: String::new(),
                                suffix: "tab".to_owned(),
                            },
                        )
                    });
                }
                "w:start" => {
                    if let (Some((_, l)), Some(v)) = (&mut level, value()) {
                        l.start = v.parse().unwrap_or(1);
                    }
                }
                "w:numFmt" => {
                    if let (Some((_, l)), Some(v)) = (&mut level, value()) {
                        l.format = v;
                    }
                }
                "w:lvlText" => {
                    if let (Some((_, l)), Some(v)) = (&mut level, value()) {
                        l.pattern = v;
                    }
                }
                "w:suff" => {
                    if let (Some((_, l)), Some(v)) = (&mut level, value()) {
                        l.suffix = v;
                    }
                }
                "w:num" if !closes => {
                    if let Some(id) = attribute(&element, "w:numId") {
                        instance = Some((id, String::new(), HashMap::new()));
                    }
                }
                "w:abstractNumId" => {
                    if let (Some((_, abstract_num, _)), Some(v)) = (&mut instance, value()) {
                        *abstract_num = v;
                    }
                }
                "w:lvlOverride" if !closes => {
                    override_level = attribute(&element, "w:ilvl")
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|&i| i < LEVELS);
                }
                "w:startOverride" => {
                    if let (Some((_, _, overrides)), Some(index), Some(v)) =
                        (&mut instance, override_level, value())
                    {
                        overrides.insert(index, v.parse().unwrap_or(1));
                    }
                }
                _ => {}
            }
        }
        Ok(numbering)
    }

    /// The label of the next paragraph of list `num_id` at level `ilvl`, with what
    /// follows it ("第１条　", "（1）\u{3000}"), counting it; `None` for a list or level
    /// the definitions do not have (numId 0 means "no numbering").
    pub(super) fn next_label(&mut self, num_id: &str, ilvl: usize) -> Option<String> {
        let (abstract_id, overrides) = self.instances.get(num_id)?.clone();
        let levels = self.abstracts.get(&abstract_id)?.clone();
        let level = levels.get(ilvl)?;
        let counters = self.counters.entry(abstract_id).or_default();
        if self.started.insert(num_id.to_owned()) {
            for (&index, &start) in &overrides {
                // The first paragraph at that level starts at the override.
                counters[index] = Some(start.saturating_sub(1));
            }
        }
        let next = counters[ilvl].map_or(level.start, |n| n + 1);
        counters[ilvl] = Some(next);
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        let mut label = String::new();
        let mut chars = level.pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(digit) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let index = (digit as usize).saturating_sub(1);
                let format = levels.get(index).map_or("decimal", |l| l.format.as_str());
                let value = counters
                    .get(index)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| levels.get(index).map_or(1, |l| l.start));
                label.push_str(&format_number(value, format));
            } else {
                label.push(c);
            }
        }
        if level.format == "none" && label.is_empty() {
            return Some(String::new());
        }
        match level.suffix.as_str() {
            "nothing" => {}
            // A tab or a space after a Japanese number is printed as a full-width space.
            _ => label.push('\u{3000}'),
        }
        Some(label)
    }
}

/// アイウエオ order, as Word's aiueo formats count.
const AIUEO: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
const AIUEO_HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ";
/// イロハ order.
const IROHA: &str = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン";
const IROHA_HALF: &str = "ｲﾛﾊﾆﾎﾍﾄﾁﾘﾇﾙｦﾜｶﾖﾀﾚｿﾂﾈﾅﾗﾑｳｲﾉｵｸﾔﾏｹﾌｺｴﾃｱｻｷﾕﾒﾐｼｴﾋﾓｾｽﾝ";
const STEMS: &str = "甲乙丙丁戊己庚辛壬癸";

/// A counter value in one of Word's number formats (`w:numFmt`); an unknown format is
/// written in decimal rather than dropped.
pub(super) fn format_number(n: u32, format: &str) -> String {
    let nth = |letters: &str| {
        let letters: Vec<char> = letters.chars().collect();
        let index = (n.max(1) as usize - 1) % letters.len();
        letters[index].to_string()
    };
    match format {
        "decimalFullWidth" | "decimalFullWidth2" => n.to_string().chars().map(full_width).collect(),
        "decimalZero" => format!("{n:02}"),
        "decimalHalfWidth" | "decimal" => n.to_string(),
        "decimalEnclosedParen" => format!("({n})"),
        "decimalEnclosedFullstop" => format!("{n}."),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "aiueoFullWidth" => nth(AIUEO),
        "aiueo" => nth(AIUEO_HALF),
        "irohaFullWidth" => nth(IROHA),
        "iroha" => nth(IROHA_HALF),
        "ideographTraditional" => nth(STEMS),
        "japaneseCounting" | "japaneseLegal" | "chineseCounting" | "ideographDigital" => {
            kanji_number(n)
        }
        "upperLetter" | "lowerLetter" => {
            let letter = char::from(b'A' + ((n.max(1) - 1) % 26) as u8);
            let letter = if format == "lowerLetter" {
                letter.to_ascii_lowercase()
            } else {
                letter
            };
            letter
                .to_string()
                .repeat(((n.max(1) - 1) / 26 + 1) as usize)
        }
        "upperRoman" | "lowerRoman" => {
            let roman = roman(n);
            if format == "lowerRoman" {
                roman.to_lowercase()
            } else {
                roman
            }
        }
        "none" | "bullet" => String::new(),
        _ => n.to_string(),
    }
}

fn full_width(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
        c => c,
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 百五.
fn kanji_number(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "〇".to_owned();
    }
    let mut out = String::new();
    // Lists in regulations never reach 万; larger numbers are written modulo 10,000.
    let mut rest = n % 10_000;
    for (unit, mark) in [(1000, '千'), (100, '百'), (10, '十')] {
        let digit = rest / unit;
        rest %= unit;
        if digit > 0 {
            if digit > 1 {
                out.push(DIGITS[digit as usize]);
            }
            out.push(mark);
        }
    }
    if rest > 0 {
        out.push(DIGITS[rest as usize]);
    }
    out
}

fn roman(mut n: u32) -> String {
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, letters) in table {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_japanese_regulations_use_them() {
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(3, "decimal"), "3");
        assert_eq!(format_number(2, "aiueoFullWidth"), "イ");
        assert_eq!(format_number(3, "irohaFullWidth"), "ハ");
        assert_eq!(format_number(1, "decimalEnclosedParen"), "(1)");
        assert_eq!(format_number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_number(12, "japaneseCounting"), "十二");
        assert_eq!(format_number(20, "japaneseCounting"), "二十");
        assert_eq!(format_number(105, "japaneseCounting"), "百五");
        assert_eq!(format_number(4, "lowerRoman"), "iv");
        assert_eq!(format_number(2, "ideographTraditional"), "乙");
        assert_eq!(format_number(7, "someFutureFormat"), "7");
    }
}
