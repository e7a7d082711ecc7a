//! 保存期間 as registers write it. The text is kept exactly as written; beside it, the
//! reading mamori recognises (永年, 5年, 契約終了後5年, 令和8年3月31日まで …), from
//! which a disposal date can be proposed. Text that is not recognised is still kept:
//! registers hold phrasings nobody listed, and refusing them would refuse the register.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::search::normalise;

/// Longest 保存期間 kept, in characters: a phrase, not a paragraph.
pub const MAX_RETENTION: usize = 100;

/// How long an asset is kept: the text as written, and what it was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub text: String,
    pub reading: Option<RetentionReading>,
}

impl Retention {
    /// Keeps `text` (trimmed) and reads it; `None` for blank text.
    pub fn new(text: &str) -> Option<Retention> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(Retention {
            text: text.to_owned(),
            reading: RetentionReading::parse(text),
        })
    }
}

/// A recognised 保存期間.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RetentionReading {
    /// 永年, 永久
    Permanent,
    /// 常用: in constant use, kept with no end set.
    Constant,
    /// N年, N年間 (1–99)
    Years { years: u8 },
    /// 1年未満
    UnderOneYear,
    /// 任期中
    TermOfOffice,
    /// 貸与期間中
    LoanPeriod,
    /// 契約期間中
    ContractPeriod,
    /// 契約終了まで
    UntilContractEnd,
    /// 契約終了後N年
    YearsAfterContract { years: u8 },
    /// 更新まで: until the next version replaces it.
    UntilRenewal,
    /// 廃棄まで: until it is disposed of (media, equipment).
    UntilDisposal,
    /// 随時: disposed of whenever no longer needed.
    AsNeeded,
    /// A date: 令和8年3月31日まで, R8.3.31, 2031-03-31まで, 令和13年度末まで.
    Until { date: Date },
}

/// Why no disposal date can be proposed for a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoProposal {
    /// 永年, 常用: there is no end.
    KeptWithoutEnd,
    /// The end is an event whose date mamori does not know (the end of a term, a loan,
    /// a contract, the next renewal, the disposal itself).
    EndsWithEvent,
    /// 1年未満, 随時: disposed of when no longer needed, not on a date.
    WhenNoLongerNeeded,
}

impl NoProposal {
    pub fn message_key(self) -> &'static str {
        match self {
            NoProposal::KeptWithoutEnd => "asset.retention.no_proposal.without_end",
            NoProposal::EndsWithEvent => "asset.retention.no_proposal.event",
            NoProposal::WhenNoLongerNeeded => "asset.retention.no_proposal.when_not_needed",
        }
    }
}

/// The year of the 年度 (April to March) a date falls in.
pub fn fiscal_year(date: Date) -> i32 {
    if date.month() >= Month::April {
        date.year()
    } else {
        date.year() - 1
    }
}

fn end_of_fiscal_year(fiscal_year: i32) -> Option<Date> {
    Date::from_calendar_date(fiscal_year + 1, Month::March, 31).ok()
}

impl RetentionReading {
    /// Reads a 保存期間. Full-width digits and spaces are read as ASCII, kanji numerals
    /// up to 九十九 as numbers, and the codes older versions stored ("5y", "permanent",
    /// "under_1y", "term", "contract") as what they meant.
    pub fn parse(input: &str) -> Option<RetentionReading> {
        use RetentionReading as R;
        let folded: String = normalise(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // "5年(法定)", "永年（条例）": a trailing note in brackets does not change the
        // period; "永年保存", "5年保管": neither does the word 保存 or 保管.
        let text = match folded.strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
            Some((period, _)) if !period.is_empty() => period,
            _ => &folded,
        };
        let text = text
            .strip_suffix("保存")
            .or_else(|| text.strip_suffix("保管"))
            .unwrap_or(text);
        let fixed = match text {
            "permanent" | "永年" | "永久" | "無期限" => Some(R::Permanent),
            "常用" => Some(R::Constant),
            "under_1y" | "1年未満" | "一年未満" => Some(R::UnderOneYear),
            "term" | "任期中" | "任期満了まで" | "任期終了まで" => {
                Some(R::TermOfOffice)
            }
            "貸与期間中" | "貸与期間" | "貸与終了まで" | "返却まで" => {
                Some(R::LoanPeriod)
            }
            "契約期間中" | "契約期間" => Some(R::ContractPeriod),
            "contract" | "契約終了まで" | "契約満了まで" => Some(R::UntilContractEnd),
            "更新まで" | "次回更新まで" | "改訂まで" | "改定まで" => {
                Some(R::UntilRenewal)
            }
            "廃棄まで" | "廃棄するまで" | "廃止まで" => Some(R::UntilDisposal),
            "随時" | "随時廃棄" => Some(R::AsNeeded),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        if let Some(years) = text
            .strip_prefix("契約終了後")
            .or_else(|| text.strip_prefix("契約満了後"))
            .and_then(years_of)
        {
            return Some(R::YearsAfterContract { years });
        }
        if let Some(years) = years_of(text) {
            return Some(R::Years { years });
        }
        let date_text = text
            .strip_suffix("まで")
            .or_else(|| text.strip_suffix('迄'))
            .unwrap_or(text);
        until_date(date_text).map(|date| R::Until { date })
    }

    /// The disposal date this reading gives for an asset whose keeping starts at
    /// `start`. N年 counts the way public records are counted: from 1 April of the 年度
    /// after the one `start` falls in, so it ends on 31 March N years later.
    pub fn proposed_disposal(self, start: Date) -> Result<Date, NoProposal> {
        use RetentionReading as R;
        match self {
            R::Years { years } => end_of_fiscal_year(fiscal_year(start) + i32::from(years))
                .ok_or(NoProposal::KeptWithoutEnd),
            R::Until { date } => Ok(date),
            R::Permanent | R::Constant => Err(NoProposal::KeptWithoutEnd),
            R::UnderOneYear | R::AsNeeded => Err(NoProposal::WhenNoLongerNeeded),
            R::TermOfOffice
            | R::LoanPeriod
            | R::ContractPeriod
            | R::UntilContractEnd
            | R::YearsAfterContract { .. }
            | R::UntilRenewal
            | R::UntilDisposal => Err(NoProposal::EndsWithEvent),
        }
    }

    /// The i18n key that names the reading and its parameters (`n`, or `date` as ISO
    /// for the caller to format).
    pub fn message_key(self) -> &'static str {
        use RetentionReading as R;
        match self {
            R::Permanent => "asset.retention.permanent",
            R::Constant => "asset.retention.constant",
            R::Years { .. } => "asset.retention.years",
            R::UnderOneYear => "asset.retention.under_one_year",
            R::TermOfOffice => "asset.retention.term",
            R::LoanPeriod => "asset.retention.loan",
            R::ContractPeriod => "asset.retention.contract_period",
            R::UntilContractEnd => "asset.retention.until_contract_end",
            R::YearsAfterContract { .. } => "asset.retention.after_contract",
            R::UntilRenewal => "asset.retention.until_renewal",
            R::UntilDisposal => "asset.retention.until_disposal",
            R::AsNeeded => "asset.retention.as_needed",
            R::Until { .. } => "asset.retention.until",
        }
    }

    /// The kind as the API names it.
    pub fn kind(self) -> &'static str {
        use RetentionReading as R;
        match self {
            R::Permanent => "permanent",
            R::Constant => "constant",
            R::Years { .. } => "years",
            R::UnderOneYear => "under_one_year",
            R::TermOfOffice => "term_of_office",
            R::LoanPeriod => "loan_period",
            R::ContractPeriod => "contract_period",
            R::UntilContractEnd => "until_contract_end",
            R::YearsAfterContract { .. } => "years_after_contract",
            R::UntilRenewal => "until_renewal",
            R::UntilDisposal => "until_disposal",
            R::AsNeeded => "as_needed",
            R::Until { .. } => "until",
        }
    }

    pub fn years(self) -> Option<u8> {
        match self {
            RetentionReading::Years { years } | RetentionReading::YearsAfterContract { years } => {
                Some(years)
            }
            _ => None,
        }
    }

    pub fn date(self) -> Option<Date> {
        match self {
            RetentionReading::Until { date } => Some(date),
            _ => None,
        }
    }
}

/// "5年", "5年間", "30年", "十年", "二十五年間", "5y", "5 years": 1 to 99 years.
fn years_of(text: &str) -> Option<u8> {
    let number = text
        .strip_suffix("年間")
        .or_else(|| text.strip_suffix('年'))
        .or_else(|| text.strip_suffix("years"))
        .or_else(|| text.strip_suffix("year"))
        .or_else(|| text.strip_suffix('y'))?;
    let n = if number.chars().all(|c| c.is_ascii_digit()) && !number.is_empty() {
        if number.len() > 2 {
            return None;
        }
        number.parse::<u8>().ok()?
    } else {
        kanji_number(number)?
    };
    (1..=99).contains(&n).then_some(n)
}

/// 一 … 九十九 (十, 十五, 二十, 三十五); `None` for anything else.
fn kanji_number(text: &str) -> Option<u8> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    let chars: Vec<char> = text.chars().collect();
    let value = match chars.as_slice() {
        ['十'] => 10,
        [d] => digit(*d)?,
        ['十', d] => 10 + digit(*d)?,
        [t, '十'] => digit(*t)? * 10,
        [t, '十', d] => digit(*t)? * 10 + digit(*d)?,
        _ => return None,
    };
    u8::try_from(value).ok().filter(|n| *n > 0)
}

/// A date as a date field takes it (ISO, 2031年3月31日, 令和13年3月31日, R13.3.31), the
/// end of a month ("令和9年3月末"), or the end of a 年度: "令和13年度末", "2031年度末" →
/// 31 March of the year after.
fn until_date(text: &str) -> Option<Date> {
    if let Some(year) = text
        .strip_suffix("年度末")
        .or_else(|| text.strip_suffix("年度"))
    {
        let first_day = crate::wareki::parse_date_input(&format!("{year}年4月1日")).ok()?;
        return end_of_fiscal_year(first_day.year());
    }
    // "令和9年3月末", "2027年3月末": the last day of that month.
    if let Some(month) = text.strip_suffix("月末") {
        let first = crate::wareki::parse_date_input(&format!("{month}月1日")).ok()?;
        let next = if first.month() == Month::December {
            Date::from_calendar_date(first.year() + 1, Month::January, 1)
        } else {
            Date::from_calendar_date(first.year(), first.month().next(), 1)
        };
        return next.ok()?.previous_day();
    }
    if !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    crate::wareki::parse_date_input(text).ok()
}
