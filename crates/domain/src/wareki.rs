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

/// How a typed date was written: with an era (令和8年…, R8.3.18) or in the Western
/// calendar (2026-03-18, 2026年3月18日). A message about the date repeats it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Era,
    Western,
}

impl Written {
    /// The date style that shows a date as it was written.
    pub fn style(self) -> DateStyle {
        match self {
            Written::Era => DateStyle::Wareki,
            Written::Western => DateStyle::Gregorian,
        }
    }
}

/// A typed date, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedDate {
    pub date: Date,
    pub written: Written,
}

/// [`parse_date_input`], keeping whether the date was written with an era.
pub fn parse_typed_date(input: &str) -> Result<TypedDate, DateInputError> {
    let date = parse_date_input(input)?;
    // An era is written by name, initial or square symbol, and always first: the only
    // Western forms start with a digit.
    let first = input.trim().chars().map(normalise_char).next();
    let written = match first {
        Some(c) if c.is_ascii_digit() => Written::Western,
        _ => Written::Era,
    };
    Ok(TypedDate { date, written })
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
mod tests;
