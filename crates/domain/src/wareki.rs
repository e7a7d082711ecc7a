//! Japanese era dates (和暦): showing dates the way assembly staff write them, and
//! reading the many ways people type a date into a form.
//!
//! Choices made here:
//!
//! * Only dates from [`EARLIEST`] (1873-01-01 = 明治6年1月1日, when Japan adopted the
//!   Gregorian calendar) are converted to or from an era. Earlier Meiji dates were
//!   lunisolar, so they are not a fixed offset from the Gregorian calendar (the same
//!   choice as Java's `JapaneseDate`). Formatting falls back to the Gregorian form for
//!   earlier dates; parsing refuses them with [`DateInputError::TooEarly`].
//! * Meiji's `first_day` is the nominal 1868-01-01 (as in Java): it only anchors the
//!   year count (明治1年 = 1868) since nothing before 1873 is converted.
//! * A month outside 1–12 has its own error, [`DateInputError::NoSuchMonth`].
//! * Year 0 of an era (令和0年) is [`DateInputError::Unrecognised`]: it is not a date.
//! * Once the era and year of an era date are read, a year that lies wholly after the
//!   era (平成32年, 大正16年) is reported as [`DateInputError::AfterEra`] and a year
//!   wholly before [`EARLIEST`] (明治5年) as [`DateInputError::TooEarly`], even if the
//!   rest of the input is missing, since that is the more useful message.

use time::macros::{date, offset};
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// A Japanese era (元号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Era {
    /// Name in Japanese, e.g. "令和".
    pub name_ja: &'static str,
    /// Name in English (Hepburn, no macrons), e.g. "Reiwa".
    pub name_en: &'static str,
    /// The initial used in abbreviated dates such as "R8.3.18": M, T, S, H or R.
    pub initial: char,
    /// The first Gregorian day of the era.
    pub first_day: Date,
}

/// The eras since the Meiji restoration, oldest first.
pub const ERAS: [Era; 5] = [
    Era {
        name_ja: "明治",
        name_en: "Meiji",
        initial: 'M',
        first_day: date!(1868 - 01 - 01),
    },
    Era {
        name_ja: "大正",
        name_en: "Taisho",
        initial: 'T',
        first_day: date!(1912 - 07 - 30),
    },
    Era {
        name_ja: "昭和",
        name_en: "Showa",
        initial: 'S',
        first_day: date!(1926 - 12 - 25),
    },
    Era {
        name_ja: "平成",
        name_en: "Heisei",
        initial: 'H',
        first_day: date!(1989 - 01 - 08),
    },
    Era {
        name_ja: "令和",
        name_en: "Reiwa",
        initial: 'R',
        first_day: date!(2019 - 05 - 01),
    },
];

/// The earliest date mamori converts: 1873-01-01 = 明治6年1月1日, the day Japan adopted
/// the Gregorian calendar. Before that Meiji dates were lunisolar, so mapping them is
/// not a simple offset (the same choice as Java's `JapaneseDate`).
pub const EARLIEST: Date = date!(1873 - 01 - 01);

/// The longest input, in characters after trimming, that [`parse_date_input`] reads.
pub const MAX_INPUT_CHARS: usize = 64;

/// Japan Standard Time: fixed +09:00, no daylight saving.
pub const JST: UtcOffset = offset!(+9);

/// Square "era name" symbols (㍾ ㍽ ㍼ ㍻ ㋿), one per entry of [`ERAS`].
const ERA_SYMBOLS: [char; 5] = ['\u{337E}', '\u{337D}', '\u{337C}', '\u{337B}', '\u{32FF}'];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Era {
    /// The last day of the era, or `None` for the current era (or an era not in [`ERAS`]).
    pub fn last_day(&self) -> Option<Date> {
        let index = ERAS.iter().position(|e| e == self)?;
        last_day_of(index)
    }
}

fn last_day_of(index: usize) -> Option<Date> {
    ERAS.get(index + 1)
        .and_then(|next| next.first_day.previous_day())
}

/// The era of `date` and the year of that era (1 = 元年); `None` before [`EARLIEST`].
pub fn era_of(date: Date) -> Option<(Era, i32)> {
    if date < EARLIEST {
        return None;
    }
    let era = ERAS.iter().rev().find(|era| date >= era.first_day)?;
    Some((*era, date.year() - era.first_day.year() + 1))
}

/// How dates are shown to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    /// 令和8年3月18日
    #[default]
    Wareki,
    /// 2026年3月18日
    Gregorian,
}

/// The language dates are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

/// The year of an era as written in Japanese: "元" for the first year, else the number.
fn ja_era_year(year: i32) -> String {
    if year == 1 {
        "元".to_owned()
    } else {
        year.to_string()
    }
}

/// A date as shown to users:
///
/// * (Ja, Wareki): 令和8年3月18日; the first year is always 元年 (令和元年5月1日)
/// * (Ja, Gregorian): 2026年3月18日
/// * (En, Wareki): 18 March 2026 (Reiwa 8); the first year is "Reiwa 1"
/// * (En, Gregorian): 18 March 2026
///
/// Dates before [`EARLIEST`] are shown in the Gregorian form in both styles.
pub fn format_date(date: Date, style: DateStyle, lang: Lang) -> String {
    let year = date.year();
    let month = u8::from(date.month());
    let day = date.day();
    let era = match style {
        DateStyle::Wareki => era_of(date),
        DateStyle::Gregorian => None,
    };
    match lang {
        Lang::Ja => match era {
            Some((era, n)) => format!("{}{}年{month}月{day}日", era.name_ja, ja_era_year(n)),
            None => format!("{year}年{month}月{day}日"),
        },
        Lang::En => {
            let month_name = MONTHS_EN[usize::from(month) - 1];
            match era {
                Some((era, n)) => format!("{day} {month_name} {year} ({} {n})", era.name_en),
                None => format!("{day} {month_name} {year}"),
            }
        }
    }
}

/// A timestamp as shown to users: the instant in Japan time (+09:00), its date as in
/// [`format_date`], then " HH:MM" (24-hour clock), e.g. "令和8年3月18日 14:05".
///
/// An instant whose Japan time would fall outside the range `time` can represent
/// (the very end of year 9999) is shown in its own offset instead.
pub fn format_datetime(at: OffsetDateTime, style: DateStyle, lang: Lang) -> String {
    let local = at.checked_to_offset(JST).unwrap_or(at);
    format!(
        "{} {:02}:{:02}",
        format_date(local.date(), style, lang),
        local.hour(),
        local.minute()
    )
}

/// Why a typed date was refused. Each variant names a locale key for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    /// Nothing but whitespace. Key `date.error.empty`.
    #[error("no date given")]
    Empty,
    /// Fits none of the accepted forms (also: era year 0, years after 9999, inputs
    /// longer than [`MAX_INPUT_CHARS`]). Key `date.error.unrecognised`.
    #[error("not a recognisable date")]
    Unrecognised,
    /// A month outside 1–12. Key `date.error.no_such_month`, params `month`.
    #[error("there is no month {month}")]
    NoSuchMonth { month: u32 },
    /// A day that the month does not have (2026-02-30). Key `date.error.no_such_day`,
    /// params `year` (as typed: "2026", or era and year such as "令和8" / "令和元"),
    /// `month`, `day`.
    #[error("month {month} of {year} has no day {day}")]
    NoSuchDay { year: String, month: u32, day: u32 },
    /// An era date before the era began (令和元年4月30日). Key `date.error.before_era`,
    /// params `era` (Japanese name) and `first` (ISO first day).
    #[error("the {era} era began on {first}")]
    BeforeEra { era: &'static str, first: Date },
    /// An era date after the era ended (平成31年5月1日). Key `date.error.after_era`,
    /// params `era` (Japanese name) and `last` (ISO last day).
    #[error("the {era} era ended on {last}")]
    AfterEra { era: &'static str, last: Date },
    /// A date before [`EARLIEST`]. Key `date.error.too_early`, params `earliest` (ISO).
    #[error("dates before {} are not supported", EARLIEST)]
    TooEarly,
}

impl DateInputError {
    /// A stable key for the UI's locale files.
    pub fn message_key(&self) -> &'static str {
        match self {
            DateInputError::Empty => "date.error.empty",
            DateInputError::Unrecognised => "date.error.unrecognised",
            DateInputError::NoSuchMonth { .. } => "date.error.no_such_month",
            DateInputError::NoSuchDay { .. } => "date.error.no_such_day",
            DateInputError::BeforeEra { .. } => "date.error.before_era",
            DateInputError::AfterEra { .. } => "date.error.after_era",
            DateInputError::TooEarly => "date.error.too_early",
        }
    }

    /// Named values for interpolation into the localised message.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            DateInputError::Empty | DateInputError::Unrecognised => Vec::new(),
            DateInputError::NoSuchMonth { month } => vec![("month", month.to_string())],
            DateInputError::NoSuchDay { year, month, day } => vec![
                ("year", year.clone()),
                ("month", month.to_string()),
                ("day", day.to_string()),
            ],
            DateInputError::BeforeEra { era, first } => {
                vec![("era", (*era).to_owned()), ("first", first.to_string())]
            }
            DateInputError::AfterEra { era, last } => {
                vec![("era", (*era).to_owned()), ("last", last.to_string())]
            }
            DateInputError::TooEarly => vec![("earliest", EARLIEST.to_string())],
        }
    }
}

/// One piece of a typed date; whitespace between pieces is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A run of ASCII digits.
    Number(String),
    /// An era, by name (令和), square symbol (㋿) or initial (R / r); index into [`ERAS`].
    Era(usize),
    /// 元, the first year of an era.
    Gan,
    /// A separator: '-', '/' or '.'.
    Sep(char),
    /// 年
    Year,
    /// 月
    Month,
    /// 日
    Day,
}

/// Full-width ASCII (digits, Latin letters, ／ － ． …) to ASCII; dash-like characters
/// that Japanese input methods produce to '-'.
fn normalise_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}' => '-',
        _ => c,
    }
}

fn tokenize(chars: &[char]) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
            continue;
        }
        if let Some((index, len)) = era_name_at(&chars[i..]) {
            tokens.push(Token::Era(index));
            i += len;
            continue;
        }
        let token = match c {
            '-' | '/' | '.' => Token::Sep(c),
            '年' => Token::Year,
            '月' => Token::Month,
            '日' => Token::Day,
            '元' => Token::Gan,
            _ => {
                let upper = c.to_ascii_uppercase();
                let index = ERAS
                    .iter()
                    .position(|era| era.initial == upper)
                    .or_else(|| ERA_SYMBOLS.iter().position(|&s| s == c))?;
                Token::Era(index)
            }
        };
        tokens.push(token);
        i += 1;
    }
    Some(tokens)
}

/// The era whose Japanese name starts `chars`, with the name's length in characters.
fn era_name_at(chars: &[char]) -> Option<(usize, usize)> {
    ERAS.iter().enumerate().find_map(|(index, era)| {
        let len = era.name_ja.chars().count();
        let matches = chars.len() >= len && era.name_ja.chars().eq(chars[..len].iter().copied());
        matches.then_some((index, len))
    })
}

/// Parse what a person types in a date field. Accepted, after trimming whitespace
/// (full-width spaces included) and reading full-width digits, letters and ／ － ． as
/// ASCII:
///
/// * 2026-03-18, 2026/3/18, 2026.3.18 (one kind of separator, four-digit year)
/// * 2026年3月18日, spaces allowed between the parts
/// * 20260318 (exactly eight digits)
/// * 令和8年3月18日, 令和元年5月1日, 令和 8年 3月18日, 令和8.3.18, for all five eras
/// * R8.3.18, r8/3/18, H31-4-30, R元.5.1 (initials M T S H R in either case), and the
///   square era symbols such as ㋿8年3月18日
pub fn parse_date_input(input: &str) -> Result<Date, DateInputError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DateInputError::Empty);
    }
    if trimmed.chars().count() > MAX_INPUT_CHARS {
        return Err(DateInputError::Unrecognised);
    }
    let chars: Vec<char> = trimmed.chars().map(normalise_char).collect();
    let tokens = tokenize(&chars).ok_or(DateInputError::Unrecognised)?;
    match tokens.as_slice() {
        [
            Token::Number(y),
            Token::Sep(a),
            Token::Number(m),
            Token::Sep(b),
            Token::Number(d),
        ] if a == b => gregorian(y, m, d),
        [
            Token::Number(y),
            Token::Year,
            Token::Number(m),
            Token::Month,
            Token::Number(d),
            Token::Day,
        ] => gregorian(y, m, d),
        [Token::Number(digits)] if digits.len() == 8 => {
            gregorian(&digits[..4], &digits[4..6], &digits[6..])
        }
        [Token::Era(index), year, rest @ ..] => era_date(*index, year, rest),
        _ => Err(DateInputError::Unrecognised),
    }
}

fn is_month_or_day(digits: &str) -> bool {
    (1..=2).contains(&digits.len())
}

fn gregorian(year: &str, month: &str, day: &str) -> Result<Date, DateInputError> {
    if year.len() != 4 || !is_month_or_day(month) || !is_month_or_day(day) {
        return Err(DateInputError::Unrecognised);
    }
    let number: i32 = year.parse().map_err(|_| DateInputError::Unrecognised)?;
    let date = calendar_date(number, month, day, || year.to_owned())?;
    if date < EARLIEST {
        return Err(DateInputError::TooEarly);
    }
    Ok(date)
}

fn era_date(index: usize, year: &Token, rest: &[Token]) -> Result<Date, DateInputError> {
    let era = ERAS[index];
    let era_year: i32 = match year {
        Token::Gan => 1,
        Token::Number(digits) if (1..=4).contains(&digits.len()) => {
            digits.parse().map_err(|_| DateInputError::Unrecognised)?
        }
        _ => return Err(DateInputError::Unrecognised),
    };
    if era_year == 0 {
        return Err(DateInputError::Unrecognised);
    }
    let last = last_day_of(index);
    let year = era.first_day.year() + era_year - 1;
    if let Some(last) = last
        && year > last.year()
    {
        return Err(DateInputError::AfterEra {
            era: era.name_ja,
            last,
        });
    }
    if year < EARLIEST.year() {
        return Err(DateInputError::TooEarly);
    }
    if year > 9999 {
        return Err(DateInputError::Unrecognised);
    }
    let (month, day) = match rest {
        [
            Token::Sep(a),
            Token::Number(m),
            Token::Sep(b),
            Token::Number(d),
        ] if a == b => (m, d),
        [
            Token::Year,
            Token::Number(m),
            Token::Month,
            Token::Number(d),
            Token::Day,
        ] => (m, d),
        _ => return Err(DateInputError::Unrecognised),
    };
    if !is_month_or_day(month) || !is_month_or_day(day) {
        return Err(DateInputError::Unrecognised);
    }
    let date = calendar_date(year, month, day, || {
        format!("{}{}", era.name_ja, ja_era_year(era_year))
    })?;
    if date < era.first_day {
        return Err(DateInputError::BeforeEra {
            era: era.name_ja,
            first: era.first_day,
        });
    }
    if let Some(last) = last
        && date > last
    {
        return Err(DateInputError::AfterEra {
            era: era.name_ja,
            last,
        });
    }
    if date < EARLIEST {
        return Err(DateInputError::TooEarly);
    }
    Ok(date)
}

/// The Gregorian date, given month and day as one or two digits; `year_label` names
/// the year as typed for the error message.
fn calendar_date(
    year: i32,
    month: &str,
    day: &str,
    year_label: impl FnOnce() -> String,
) -> Result<Date, DateInputError> {
    let month: u32 = month.parse().map_err(|_| DateInputError::Unrecognised)?;
    let day: u32 = day.parse().map_err(|_| DateInputError::Unrecognised)?;
    let month_value = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(DateInputError::NoSuchMonth { month })?;
    u8::try_from(day)
        .ok()
        .and_then(|d| Date::from_calendar_date(year, month_value, d).ok())
        .ok_or_else(|| DateInputError::NoSuchDay {
            year: year_label(),
            month,
            day,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn parse(input: &str) -> Date {
        match parse_date_input(input) {
            Ok(date) => date,
            Err(e) => panic!("{input:?} should parse, got {e:?}"),
        }
    }

    fn ja(date: Date) -> String {
        format_date(date, DateStyle::Wareki, Lang::Ja)
    }

    fn en(date: Date) -> String {
        format_date(date, DateStyle::Wareki, Lang::En)
    }

    fn after(era: &'static str, last: Date) -> DateInputError {
        DateInputError::AfterEra { era, last }
    }

    fn before(era: &'static str, first: Date) -> DateInputError {
        DateInputError::BeforeEra { era, first }
    }

    fn no_such_day(year: &str, month: u32, day: u32) -> DateInputError {
        DateInputError::NoSuchDay {
            year: year.to_owned(),
            month,
            day,
        }
    }

    /// (date, Japanese era form, English era form, initial form) around every boundary.
    const BOUNDARIES: [(Date, &str, &str, &str); 9] = [
        (
            date!(1873 - 01 - 01),
            "明治6年1月1日",
            "1 January 1873 (Meiji 6)",
            "M6.1.1",
        ),
        (
            date!(1912 - 07 - 29),
            "明治45年7月29日",
            "29 July 1912 (Meiji 45)",
            "M45.7.29",
        ),
        (
            date!(1912 - 07 - 30),
            "大正元年7月30日",
            "30 July 1912 (Taisho 1)",
            "T1.7.30",
        ),
        (
            date!(1926 - 12 - 24),
            "大正15年12月24日",
            "24 December 1926 (Taisho 15)",
            "T15.12.24",
        ),
        (
            date!(1926 - 12 - 25),
            "昭和元年12月25日",
            "25 December 1926 (Showa 1)",
            "S1.12.25",
        ),
        (
            date!(1989 - 01 - 07),
            "昭和64年1月7日",
            "7 January 1989 (Showa 64)",
            "S64.1.7",
        ),
        (
            date!(1989 - 01 - 08),
            "平成元年1月8日",
            "8 January 1989 (Heisei 1)",
            "H1.1.8",
        ),
        (
            date!(2019 - 04 - 30),
            "平成31年4月30日",
            "30 April 2019 (Heisei 31)",
            "H31.4.30",
        ),
        (
            date!(2019 - 05 - 01),
            "令和元年5月1日",
            "1 May 2019 (Reiwa 1)",
            "R1.5.1",
        ),
    ];

    #[test]
    fn eras_are_in_order_and_end_where_the_next_begins() {
        let initials: String = ERAS.iter().map(|e| e.initial).collect();
        assert_eq!(initials, "MTSHR");
        for pair in ERAS.windows(2) {
            assert!(pair[0].first_day < pair[1].first_day);
            assert_eq!(
                pair[0].last_day().and_then(Date::next_day),
                Some(pair[1].first_day)
            );
        }
        assert_eq!(ERAS[4].last_day(), None);
        assert_eq!(ERAS[3].last_day(), Some(date!(2019 - 04 - 30)));
    }

    #[test]
    fn era_of_every_boundary() {
        let expected = [
            (date!(1873 - 01 - 01), "明治", 6),
            (date!(1912 - 07 - 29), "明治", 45),
            (date!(1912 - 07 - 30), "大正", 1),
            (date!(1926 - 12 - 24), "大正", 15),
            (date!(1926 - 12 - 25), "昭和", 1),
            (date!(1989 - 01 - 07), "昭和", 64),
            (date!(1989 - 01 - 08), "平成", 1),
            (date!(2019 - 04 - 30), "平成", 31),
            (date!(2019 - 05 - 01), "令和", 1),
            (date!(2026 - 03 - 18), "令和", 8),
        ];
        for (date, name, year) in expected {
            let (era, n) = era_of(date).unwrap();
            assert_eq!((era.name_ja, n), (name, year), "{date}");
        }
        assert_eq!(era_of(date!(1872 - 12 - 31)), None);
    }

    #[test]
    fn formats_every_boundary_in_japanese_and_english() {
        for (date, ja_form, en_form, _) in BOUNDARIES {
            assert_eq!(ja(date), ja_form);
            assert_eq!(en(date), en_form);
        }
    }

    #[test]
    fn parses_every_boundary_in_name_and_initial_forms() {
        for (date, ja_form, _, initial_form) in BOUNDARIES {
            assert_eq!(parse(ja_form), date, "{ja_form}");
            assert_eq!(parse(initial_form), date, "{initial_form}");
            assert_eq!(parse(&initial_form.to_lowercase()), date, "{initial_form}");
        }
    }

    #[test]
    fn first_year_is_gannen_in_japanese_and_1_in_english() {
        assert_eq!(ja(date!(2019 - 12 - 31)), "令和元年12月31日");
        assert_eq!(ja(date!(2020 - 01 - 01)), "令和2年1月1日");
        assert_eq!(en(date!(2019 - 12 - 31)), "31 December 2019 (Reiwa 1)");
        assert_eq!(ja(date!(1989 - 12 - 31)), "平成元年12月31日");
    }

    #[test]
    fn formats_all_four_combinations() {
        let d = date!(2026 - 03 - 18);
        assert_eq!(
            format_date(d, DateStyle::Wareki, Lang::Ja),
            "令和8年3月18日"
        );
        assert_eq!(
            format_date(d, DateStyle::Gregorian, Lang::Ja),
            "2026年3月18日"
        );
        assert_eq!(
            format_date(d, DateStyle::Wareki, Lang::En),
            "18 March 2026 (Reiwa 8)"
        );
        assert_eq!(
            format_date(d, DateStyle::Gregorian, Lang::En),
            "18 March 2026"
        );
        assert_eq!(DateStyle::default(), DateStyle::Wareki);
    }

    #[test]
    fn english_month_names() {
        let names: Vec<String> = (1..=12)
            .map(|m| {
                let month = Month::try_from(m).unwrap();
                let date = Date::from_calendar_date(2026, month, 1).unwrap();
                format_date(date, DateStyle::Gregorian, Lang::En)
            })
            .collect();
        assert_eq!(names[0], "1 January 2026");
        assert_eq!(names[4], "1 May 2026");
        assert_eq!(names[8], "1 September 2026");
        assert_eq!(names[11], "1 December 2026");
    }

    #[test]
    fn dates_before_earliest_fall_back_to_gregorian() {
        let d = date!(1872 - 12 - 31);
        assert_eq!(
            format_date(d, DateStyle::Wareki, Lang::Ja),
            "1872年12月31日"
        );
        assert_eq!(
            format_date(d, DateStyle::Wareki, Lang::En),
            "31 December 1872"
        );
        assert_eq!(
            format_date(d, DateStyle::Gregorian, Lang::Ja),
            "1872年12月31日"
        );
    }

    #[test]
    fn datetime_is_shown_in_japan_time() {
        let at = datetime!(2026-03-17 15:30 UTC);
        assert_eq!(
            format_datetime(at, DateStyle::Wareki, Lang::Ja),
            "令和8年3月18日 00:30"
        );
        assert_eq!(
            format_datetime(at, DateStyle::Gregorian, Lang::Ja),
            "2026年3月18日 00:30"
        );
        assert_eq!(
            format_datetime(at, DateStyle::Wareki, Lang::En),
            "18 March 2026 (Reiwa 8) 00:30"
        );
        let afternoon = datetime!(2026-03-18 05:05 UTC);
        assert_eq!(
            format_datetime(afternoon, DateStyle::Wareki, Lang::Ja),
            "令和8年3月18日 14:05"
        );
        // The same instant given in another offset is shown the same way.
        let in_new_york = datetime!(2026-03-17 11:30 -4);
        assert_eq!(
            format_datetime(in_new_york, DateStyle::Gregorian, Lang::En),
            "18 March 2026 00:30"
        );
        // Crossing an era boundary in Japan time: 2019-04-30 15:00 UTC is 令和 in Japan.
        let new_era = datetime!(2019-04-30 15:00 UTC);
        assert_eq!(
            format_datetime(new_era, DateStyle::Wareki, Lang::Ja),
            "令和元年5月1日 00:00"
        );
    }

    #[test]
    fn datetime_at_the_end_of_time_does_not_panic() {
        let at = datetime!(9999-12-31 23:59 UTC);
        assert_eq!(
            format_datetime(at, DateStyle::Gregorian, Lang::Ja),
            "9999年12月31日 23:59"
        );
    }

    #[test]
    fn parses_gregorian_forms() {
        let d = date!(2026 - 03 - 18);
        for input in [
            "2026-03-18",
            "2026/3/18",
            "2026.3.18",
            "2026/03/18",
            "2026年3月18日",
            "2026年 3月18日",
            "2026 年 3 月 18 日",
            "20260318",
            "  2026-03-18  ",
            "\u{3000}2026-03-18\u{3000}",
        ] {
            assert_eq!(parse(input), d, "{input:?}");
        }
        assert_eq!(parse("2026-3-8"), date!(2026 - 03 - 08));
    }

    #[test]
    fn parses_era_name_forms() {
        let d = date!(2026 - 03 - 18);
        for input in [
            "令和8年3月18日",
            "令和 8年 3月18日",
            "令和08年03月18日",
            "令和8.3.18",
        ] {
            assert_eq!(parse(input), d, "{input:?}");
        }
        assert_eq!(parse("令和元年5月1日"), date!(2019 - 05 - 01));
        assert_eq!(parse("平成元年1月8日"), date!(1989 - 01 - 08));
        assert_eq!(parse("昭和50年10月10日"), date!(1975 - 10 - 10));
        assert_eq!(parse("大正10年4月1日"), date!(1921 - 04 - 01));
        assert_eq!(parse("明治30年2月3日"), date!(1897 - 02 - 03));
    }

    #[test]
    fn parses_era_initial_forms() {
        let d = date!(2026 - 03 - 18);
        for input in ["R8.3.18", "r8/3/18", "R8-3-18", "R08.03.18", "R 8.3.18"] {
            assert_eq!(parse(input), d, "{input:?}");
        }
        assert_eq!(parse("H31.4.30"), date!(2019 - 04 - 30));
        assert_eq!(parse("S64.1.7"), date!(1989 - 01 - 07));
        assert_eq!(parse("R元.5.1"), date!(2019 - 05 - 01));
        assert_eq!(parse("t2.1.1"), date!(1913 - 01 - 01));
        assert_eq!(parse("m6.1.1"), date!(1873 - 01 - 01));
    }

    #[test]
    fn parses_full_width_forms() {
        let d = date!(2026 - 03 - 18);
        for input in [
            "２０２６／３／１８",
            "２０２６－０３－１８",
            "２０２６．３．１８",
            "２０２６０３１８",
            "２０２６年３月１８日",
            "令和８年３月１８日",
            "Ｒ８．３．１８",
            "ｒ８／３／１８",
            "\u{3000}令和８年\u{3000}３月１８日\u{3000}",
            "２０２６ー３ー１８",
        ] {
            assert_eq!(parse(input), d, "{input:?}");
        }
    }

    #[test]
    fn parses_square_era_symbols() {
        assert_eq!(parse("㋿8年3月18日"), date!(2026 - 03 - 18));
        assert_eq!(parse("㍻31年4月30日"), date!(2019 - 04 - 30));
        assert_eq!(parse("㍼64年1月7日"), date!(1989 - 01 - 07));
    }

    #[test]
    fn refuses_empty_input() {
        for input in ["", "   ", "\u{3000}", " \t\u{3000} "] {
            assert_eq!(
                parse_date_input(input),
                Err(DateInputError::Empty),
                "{input:?}"
            );
        }
    }

    #[test]
    fn refuses_unrecognised_input() {
        for input in [
            "tomorrow",
            "2026-13",
            "R8.3",
            "2026-03",
            "2026/03-18",
            "R8.3/18",
            "26/3/18",
            "2026-003-18",
            "2026 03 18",
            "2026031",
            "202603180",
            "令和8年3月",
            "令和8年3月18",
            "令和元年",
            "令8.3.18",
            "X8.3.18",
            "2026-03-18T10:00",
            "18 March 2026",
            "元.5.1",
            "2026年3月18日です",
            "令和令和8年3月18日",
        ] {
            assert_eq!(
                parse_date_input(input),
                Err(DateInputError::Unrecognised),
                "{input:?}"
            );
        }
    }

    #[test]
    fn refuses_era_year_zero() {
        for input in ["令和0年5月1日", "R0.5.1", "平成00年1月8日"] {
            assert_eq!(
                parse_date_input(input),
                Err(DateInputError::Unrecognised),
                "{input:?}"
            );
        }
    }

    #[test]
    fn refuses_years_after_9999_and_long_input() {
        assert_eq!(parse("9999-12-31"), date!(9999 - 12 - 31));
        assert_eq!(parse("R7981.12.31"), date!(9999 - 12 - 31));
        for input in ["10000-01-01", "100000101", "10000年1月1日", "R7982.1.1"] {
            assert_eq!(
                parse_date_input(input),
                Err(DateInputError::Unrecognised),
                "{input:?}"
            );
        }
        // 64 characters after trimming are read; 65 are not.
        let fits = format!("2026{}-03-18", " ".repeat(MAX_INPUT_CHARS - 10));
        assert_eq!(fits.chars().count(), MAX_INPUT_CHARS);
        assert_eq!(parse(&fits), date!(2026 - 03 - 18));
        let too_long = format!("2026{}-03-18", " ".repeat(MAX_INPUT_CHARS - 9));
        assert_eq!(
            parse_date_input(&too_long),
            Err(DateInputError::Unrecognised)
        );
        assert_eq!(
            parse_date_input(&"1".repeat(10_000)),
            Err(DateInputError::Unrecognised)
        );
    }

    #[test]
    fn refuses_days_the_month_does_not_have() {
        assert_eq!(
            parse_date_input("2026-02-30"),
            Err(no_such_day("2026", 2, 30))
        );
        assert_eq!(
            parse_date_input("2026-04-31"),
            Err(no_such_day("2026", 4, 31))
        );
        assert_eq!(
            parse_date_input("2025-02-29"),
            Err(no_such_day("2025", 2, 29))
        );
        assert_eq!(
            parse_date_input("2026-03-00"),
            Err(no_such_day("2026", 3, 0))
        );
        assert_eq!(
            parse_date_input("2026年1月32日"),
            Err(no_such_day("2026", 1, 32))
        );
        assert_eq!(
            parse_date_input("20260230"),
            Err(no_such_day("2026", 2, 30))
        );
        assert_eq!(
            parse_date_input("令和8年2月30日"),
            Err(no_such_day("令和8", 2, 30))
        );
        assert_eq!(
            parse_date_input("R元.2.30"),
            Err(no_such_day("令和元", 2, 30))
        );
    }

    #[test]
    fn refuses_months_outside_1_to_12() {
        assert_eq!(
            parse_date_input("2026-13-01"),
            Err(DateInputError::NoSuchMonth { month: 13 })
        );
        assert_eq!(
            parse_date_input("2026-00-01"),
            Err(DateInputError::NoSuchMonth { month: 0 })
        );
        assert_eq!(
            parse_date_input("令和8年13月1日"),
            Err(DateInputError::NoSuchMonth { month: 13 })
        );
    }

    #[test]
    fn leap_years() {
        assert_eq!(parse("2024-02-29"), date!(2024 - 02 - 29));
        assert_eq!(parse("2000-02-29"), date!(2000 - 02 - 29));
        assert_eq!(parse("令和6年2月29日"), date!(2024 - 02 - 29));
        assert_eq!(parse("H12.2.29"), date!(2000 - 02 - 29));
        assert_eq!(
            parse_date_input("2100-02-29"),
            Err(no_such_day("2100", 2, 29))
        );
        assert_eq!(
            parse_date_input("1900-02-29"),
            Err(no_such_day("1900", 2, 29))
        );
        assert_eq!(
            parse_date_input("令和7年2月29日"),
            Err(no_such_day("令和7", 2, 29))
        );
    }

    #[test]
    fn refuses_era_dates_before_the_era_began() {
        let reiwa = before("令和", date!(2019 - 05 - 01));
        assert_eq!(parse_date_input("令和元年4月30日"), Err(reiwa.clone()));
        assert_eq!(parse_date_input("R1.4.30"), Err(reiwa.clone()));
        assert_eq!(parse_date_input("R元.1.1"), Err(reiwa));
        let heisei = before("平成", date!(1989 - 01 - 08));
        assert_eq!(parse_date_input("平成元年1月7日"), Err(heisei.clone()));
        assert_eq!(parse_date_input("H1.1.7"), Err(heisei));
        assert_eq!(
            parse_date_input("昭和元年12月24日"),
            Err(before("昭和", date!(1926 - 12 - 25)))
        );
        assert_eq!(
            parse_date_input("大正元年7月29日"),
            Err(before("大正", date!(1912 - 07 - 30)))
        );
    }

    #[test]
    fn refuses_era_dates_after_the_era_ended() {
        let heisei = after("平成", date!(2019 - 04 - 30));
        assert_eq!(parse_date_input("平成31年5月1日"), Err(heisei.clone()));
        assert_eq!(parse_date_input("H31.5.1"), Err(heisei.clone()));
        assert_eq!(parse_date_input("平成32年1月1日"), Err(heisei.clone()));
        assert_eq!(parse_date_input("平成100年1月1日"), Err(heisei));
        let showa = after("昭和", date!(1989 - 01 - 07));
        assert_eq!(parse_date_input("昭和64年1月8日"), Err(showa.clone()));
        assert_eq!(parse_date_input("S65.1.1"), Err(showa));
        let taisho = after("大正", date!(1926 - 12 - 24));
        assert_eq!(parse_date_input("大正16年"), Err(taisho.clone()));
        assert_eq!(parse_date_input("大正16年1月1日"), Err(taisho.clone()));
        assert_eq!(parse_date_input("大正15年12月25日"), Err(taisho));
        assert_eq!(
            parse_date_input("明治45年7月30日"),
            Err(after("明治", date!(1912 - 07 - 29)))
        );
    }

    #[test]
    fn refuses_dates_before_earliest() {
        for input in [
            "1872-12-31",
            "18721231",
            "1000年1月1日",
            "0000-01-01",
            "明治5年12月2日",
            "明治5年12月31日",
            "M5.12.31",
            "明治元年10月23日",
            "明治5年",
        ] {
            assert_eq!(
                parse_date_input(input),
                Err(DateInputError::TooEarly),
                "{input:?}"
            );
        }
        assert_eq!(parse("1873-01-01"), EARLIEST);
        assert_eq!(parse("明治6年1月1日"), EARLIEST);
    }

    #[test]
    fn message_keys_are_distinct_and_params_are_named() {
        let errors = [
            DateInputError::Empty,
            DateInputError::Unrecognised,
            DateInputError::NoSuchMonth { month: 13 },
            no_such_day("2026", 2, 30),
            before("令和", date!(2019 - 05 - 01)),
            after("平成", date!(2019 - 04 - 30)),
            DateInputError::TooEarly,
        ];
        let keys: Vec<&str> = errors.iter().map(DateInputError::message_key).collect();
        assert_eq!(
            keys,
            [
                "date.error.empty",
                "date.error.unrecognised",
                "date.error.no_such_month",
                "date.error.no_such_day",
                "date.error.before_era",
                "date.error.after_era",
                "date.error.too_early",
            ]
        );
        assert!(errors[0].params().is_empty());
        assert!(errors[1].params().is_empty());
        assert_eq!(errors[2].params(), [("month", "13".to_owned())]);
        assert_eq!(
            errors[3].params(),
            [
                ("year", "2026".to_owned()),
                ("month", "2".to_owned()),
                ("day", "30".to_owned()),
            ]
        );
        assert_eq!(
            errors[4].params(),
            [
                ("era", "令和".to_owned()),
                ("first", "2019-05-01".to_owned())
            ]
        );
        assert_eq!(
            errors[5].params(),
            [
                ("era", "平成".to_owned()),
                ("last", "2019-04-30".to_owned())
            ]
        );
        assert_eq!(errors[6].params(), [("earliest", "1873-01-01".to_owned())]);
        assert_eq!(errors[4].to_string(), "the 令和 era began on 2019-05-01");
        assert_eq!(
            errors[6].to_string(),
            "dates before 1873-01-01 are not supported"
        );
    }

    #[test]
    fn every_day_round_trips_through_both_japanese_styles() {
        let mut date = EARLIEST;
        let last = date!(2100 - 12 - 31);
        let mut days = 0;
        while date <= last {
            let wareki = format_date(date, DateStyle::Wareki, Lang::Ja);
            assert_eq!(parse_date_input(&wareki), Ok(date), "{wareki}");
            let gregorian = format_date(date, DateStyle::Gregorian, Lang::Ja);
            assert_eq!(parse_date_input(&gregorian), Ok(date), "{gregorian}");
            days += 1;
            date = date.next_day().unwrap();
        }
        assert_eq!(days, 83_275);
    }
}
