//! The 年度: 2026年度 runs from 2026-04-01 to 2027-03-31. Shown as 令和8年度 or FY2026.

use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;

use crate::wareki::{DateStyle, ERAS, Era, Lang};

/// A fiscal year (年度), named by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct FiscalYear(i32);

/// Why a typed 年度 was refused; each names a locale key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FiscalYearError {
    #[error("no fiscal year given")]
    Empty,
    #[error("not a fiscal year")]
    Unrecognised,
    #[error("the era had ended by then")]
    AfterEra,
    #[error("out of range")]
    OutOfRange,
}

impl FiscalYearError {
    pub fn message_key(self) -> &'static str {
        match self {
            FiscalYearError::Empty => "field.error.required",
            FiscalYearError::Unrecognised => "calendar.error.fiscal_year",
            FiscalYearError::AfterEra => "calendar.error.fiscal_year_after_era",
            FiscalYearError::OutOfRange => "calendar.error.fiscal_year_range",
        }
    }
}

/// The range of years mamori names a 年度 for (its dates stay inside `time`'s range and
/// after the Gregorian calendar was adopted).
const FIRST: i32 = 1873;
const LAST: i32 = 9998;

impl FiscalYear {
    /// The 年度 starting in April of `year`, if within 1873–9998.
    pub fn new(year: i32) -> Option<FiscalYear> {
        (FIRST..=LAST).contains(&year).then_some(FiscalYear(year))
    }

    /// The 年度 `date` falls in: January to March belong to the year before.
    pub fn of(date: Date) -> FiscalYear {
        if date.month() >= Month::April {
            FiscalYear(date.year())
        } else {
            FiscalYear(date.year() - 1)
        }
    }

    /// The calendar year it starts in (FY2026 → 2026).
    pub fn year(self) -> i32 {
        self.0
    }

    /// 1 April.
    pub fn start(self) -> Date {
        Date::from_calendar_date(self.0, Month::April, 1).expect("year within range")
    }

    /// 31 March of the following calendar year (for FY9999, whose end lies beyond the
    /// dates `time` represents, the last representable day).
    pub fn end(self) -> Date {
        Date::from_calendar_date(self.0 + 1, Month::March, 31).unwrap_or(Date::MAX)
    }

    pub fn next(self) -> FiscalYear {
        FiscalYear(self.0 + 1)
    }

    pub fn previous(self) -> FiscalYear {
        FiscalYear(self.0 - 1)
    }

    pub fn contains(self, date: Date) -> bool {
        (self.start()..=self.end()).contains(&date)
    }

    /// The era the 年度 is named in and its year of that era. The newest era that began
    /// by the 年度's last day and whose year count is at least 1: FY2019 is 令和元年度
    /// (not 平成31年度: the name the government used from May 2019), FY1988 stays
    /// 昭和63年度 (平成 began in January 1989, in the calendar year after).
    pub fn era(self) -> Option<(Era, i32)> {
        ERAS.iter()
            .rev()
            .filter(|era| era.first_day <= self.end() && self.start() >= crate::wareki::EARLIEST)
            .map(|era| (*era, self.0 - era.first_day.year() + 1))
            .find(|(_, n)| *n >= 1)
    }

    /// As shown to a user: 令和8年度 / 2026年度 (Japanese), FY2026 (Reiwa 8) / FY2026
    /// (English).
    pub fn label(self, style: DateStyle, lang: Lang) -> String {
        let era = match style {
            DateStyle::Wareki => self.era(),
            DateStyle::Gregorian => None,
        };
        match (lang, era) {
            (Lang::Ja, Some((era, 1))) => format!("{}元年度", era.name_ja),
            (Lang::Ja, Some((era, n))) => format!("{}{n}年度", era.name_ja),
            (Lang::Ja, None) => format!("{}年度", self.0),
            (Lang::En, Some((era, n))) => format!("FY{} ({} {n})", self.0, era.name_en),
            (Lang::En, None) => format!("FY{}", self.0),
        }
    }

    /// Reads 令和8年度, R8年度, 令和元年度, 平成31年度, 2026年度, FY2026 (any case, full-width
    /// or half-width, spaces ignored).
    pub fn parse(input: &str) -> Result<FiscalYear, FiscalYearError> {
        let text: String = input
            .nfkc()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if text.is_empty() {
            return Err(FiscalYearError::Empty);
        }
        if let Some(rest) = text.strip_prefix("FY") {
            return gregorian(rest);
        }
        let body = text
            .strip_suffix("年度")
            .ok_or(FiscalYearError::Unrecognised)?;
        if body.starts_with(|c: char| c.is_ascii_digit()) {
            return gregorian(body);
        }
        let (era, rest) = ERAS
            .iter()
            .find_map(|era| {
                body.strip_prefix(era.name_ja)
                    .or_else(|| body.strip_prefix(era.initial))
                    .map(|rest| (era, rest))
            })
            .ok_or(FiscalYearError::Unrecognised)?;
        let n: i32 = if rest == "元" {
            1
        } else if !rest.is_empty() && rest.len() <= 4 && rest.chars().all(|c| c.is_ascii_digit()) {
            rest.parse().map_err(|_| FiscalYearError::Unrecognised)?
        } else {
            return Err(FiscalYearError::Unrecognised);
        };
        if n == 0 {
            return Err(FiscalYearError::Unrecognised);
        }
        let year = era.first_day.year() + n - 1;
        // A 年度 starts in April: 平成31年度 (April 2019) is within 平成, 平成32年度 is not.
        if let Some(last) = era.last_day()
            && Date::from_calendar_date(year, Month::April, 1).is_ok_and(|d| d > last)
        {
            return Err(FiscalYearError::AfterEra);
        }
        FiscalYear::new(year).ok_or(FiscalYearError::OutOfRange)
    }
}

fn gregorian(digits: &str) -> Result<FiscalYear, FiscalYearError> {
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(FiscalYearError::Unrecognised);
    }
    let year: i32 = digits.parse().map_err(|_| FiscalYearError::Unrecognised)?;
    FiscalYear::new(year).ok_or(FiscalYearError::OutOfRange)
}

impl std::fmt::Display for FiscalYear {
    /// The stable form used in URLs and the API: FY2026.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FY{}", self.0)
    }
}
