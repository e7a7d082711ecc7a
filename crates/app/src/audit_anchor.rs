//! The anchor: the head of the audit trail (sequence number, hash, time) as a short text
//! to keep outside the database — on paper, or in a mail to chosen people. Checking the
//! trail against it later shows whether entries up to that head were cut off or altered.

use mamori_domain::wareki::{self, DateStyle};
use mamori_store::audit_checks;
use time::Date;

use crate::audit::{ChainCheck, ChainHead};
use crate::i18n::Tr;
use crate::{App, Failure};

/// The hash in groups of eight, easier to read aloud and copy from paper.
pub fn grouped_hash(hash: &str) -> String {
    let chars: Vec<char> = hash.chars().collect();
    chars
        .chunks(8)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a person types back: `<sequence>:<hash>`.
pub fn typed_form(head: &ChainHead) -> String {
    format!("{}:{}", head.id, head.hash)
}

/// The anchor text, a few lines in the reader's language.
pub fn anchor_text(tr: &Tr, assembly: Option<&str>, head: &ChainHead) -> String {
    let at = mamori_store::parse_timestamp(&head.at);
    let local = at
        .map(|at| wareki::format_datetime(at, DateStyle::Wareki, tr.lang))
        .unwrap_or_default();
    let mut lines = vec![tr.t("audit_anchor.title").to_owned()];
    if let Some(assembly) = assembly.filter(|a| !a.trim().is_empty()) {
        lines.push(tr.f("audit_anchor.assembly", &[("name", assembly.to_owned())]));
    }
    lines.push(tr.f("audit_anchor.sequence", &[("id", head.id.to_string())]));
    lines.push(tr.f("audit_anchor.hash", &[("hash", grouped_hash(&head.hash))]));
    lines.push(tr.f(
        "audit_anchor.time",
        &[("local", local), ("iso", head.at.clone())],
    ));
    lines.push(tr.f("audit_anchor.check", &[("anchor", typed_form(head))]));
    lines.join("\n")
}

/// Why a typed anchor cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorInputError {
    /// Not `<sequence>:<hash>` with a positive number and 64 hexadecimal digits.
    Malformed,
}

/// Reads `<sequence>:<hash>`; spaces and hyphens in the hash (as grouped on paper) and
/// full-width digits typed by a Japanese input method are accepted.
pub fn parse_anchor(input: &str) -> Result<(i64, String), AnchorInputError> {
    let normalised: String = input
        .chars()
        .map(|c| match c {
            '０'..='９' | 'ａ'..='ｆ' | 'Ａ'..='Ｆ' | '：' => {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .collect();
    let (sequence, hash) = normalised
        .split_once(':')
        .ok_or(AnchorInputError::Malformed)?;
    let sequence: i64 = sequence
        .trim()
        .parse()
        .map_err(|_| AnchorInputError::Malformed)?;
    let hash: String = hash
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if sequence < 1 || hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AnchorInputError::Malformed);
    }
    Ok((sequence, hash))
}

/// The daily full check of the chain, once a day (the daily job calls this every quarter
/// hour): skipped when a full check was made today in Japan. The result goes to the log,
/// with the head of the chain as the anchor line to keep.
pub async fn daily_check(app: &App, today: Date) -> Result<Option<ChainCheck>, Failure> {
    let store = app.store();
    if let Some(last) = audit_checks::latest_full(store).await? {
        let checked_on = mamori_store::parse_timestamp(&last.checked_at)
            .map(|at| at.to_offset(wareki::JST).date());
        if checked_on == Some(today) {
            return Ok(None);
        }
    }
    let check = audit_checks::run(store, true, DAILY_JOB).await?;
    match &check.first_break {
        None => tracing::info!(
            entries = check.entries,
            elapsed_ms = check.elapsed_ms,
            anchor = %format!("{}:{}", check.up_to_id, check.up_to_hash),
            "audit trail checked: intact; anchor"
        ),
        Some(found) => tracing::error!(
            kind = found.kind(),
            id = found.id(),
            "audit trail checked: BROKEN"
        ),
    }
    Ok(Some(check))
}

/// How the checks made by the daily job name who asked.
pub const DAILY_JOB: &str = "mamori (daily job)";

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_anchor_is_read_back_as_printed_or_grouped() {
        assert_eq!(
            parse_anchor(&format!("42:{HASH}")),
            Ok((42, HASH.to_owned()))
        );
        assert_eq!(
            parse_anchor(&format!("４２：{}", grouped_hash(&HASH.to_uppercase()))),
            Ok((42, HASH.to_owned()))
        );
        assert_eq!(parse_anchor("42"), Err(AnchorInputError::Malformed));
        assert_eq!(parse_anchor("0:{HASH}"), Err(AnchorInputError::Malformed));
        assert_eq!(
            parse_anchor(&format!("42:{}", &HASH[1..])),
            Err(AnchorInputError::Malformed)
        );
    }
}
