//! The metadata lines of a policy text: the approval line ("令和8年3月18日 決裁") and the
//! promulgation number ("議会訓令第3号"), read once each.

use time::Date;

use super::lines::{Line, parse_number};
use crate::wareki;

#[derive(Default)]
pub(super) struct Meta {
    pub(super) approval_line: Option<String>,
    pub(super) approval_date: Option<Date>,
    pub(super) promulgation: Option<String>,
    pub(super) promulgation_date: Option<Date>,
}

const APPROVAL_WORDS: [&str; 7] = ["決裁", "決定", "制定", "施行", "改正", "承認", "議決"];
const PROMULGATION_KINDS: [&str; 9] = [
    "訓令", "訓", "達", "規程", "規則", "告示", "要綱", "要領", "条例",
];

impl Meta {
    /// Takes the line as approval or promulgation line if it is one and none was seen
    /// yet. Without a date, only before the first clause.
    pub(super) fn take(&mut self, line: &Line, before_first: bool) -> bool {
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
