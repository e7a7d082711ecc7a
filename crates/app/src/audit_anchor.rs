//! The anchor: the head of the audit trail (sequence number, hash, time) as a short text
//! to keep outside the database — on paper, or in a mail to chosen people. Checking the
//! trail against it later shows whether entries up to that head were cut off or altered.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::notice::NoticeKind;
use mamori_domain::user::Role;
use mamori_domain::wareki::{self, DateStyle};
use mamori_store::settings::AUDIT_ANCHOR_RECIPIENTS;
use mamori_store::{AuditEntry, audit_checks};
use time::Date;

use crate::audit::{AnchorCheck, ChainBreak, ChainCheck, ChainHead};
use crate::i18n::Tr;
use crate::notifications::{self, Notice};
use crate::{Acting, App, Failure};

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

/// What checking against an anchor found, as one sentence in the reader's language, and
/// whether the trail holds up to it.
pub fn anchor_finding(tr: &Tr, id: i64, found: &AnchorCheck) -> (bool, String) {
    let id_param = ("id", id.to_string());
    match found {
        AnchorCheck::Holds { entries } => (
            true,
            tr.f(
                "audit_anchor.holds",
                &[id_param, ("entries", entries.to_string())],
            ),
        ),
        AnchorCheck::Missing {
            newest: Some(newest),
        } => (
            false,
            tr.f(
                "audit_anchor.missing",
                &[id_param, ("newest", newest.to_string())],
            ),
        ),
        AnchorCheck::Missing { newest: None } => {
            (false, tr.f("audit_anchor.missing_all", &[id_param]))
        }
        AnchorCheck::Differs { .. } => (false, tr.f("audit_anchor.differs", &[id_param])),
        AnchorCheck::Broken(found) => (false, break_finding(tr, found)),
    }
}

/// Checks the trail against an anchor as a person typed it (`<number>:<hash>`, grouped
/// or not): the number and what was found.
pub async fn check_typed(
    app: &App,
    acting: &Acting,
    typed: &str,
) -> Result<(i64, AnchorCheck), Failure> {
    let (id, hash) = parse_anchor(typed)
        .map_err(|_| Failure::invalid(FieldProblem::new("anchor", "audit_anchor.malformed")))?;
    Ok((
        id,
        crate::audit::check_anchor(app, acting, id, &hash).await?,
    ))
}

/// Where the chain breaks, as one sentence.
pub fn break_finding(tr: &Tr, found: &ChainBreak) -> String {
    match found {
        ChainBreak::Edited { id } => tr.f("cli.audit_edited", &[("id", id.to_string())]),
        ChainBreak::Unlinked { id } => tr.f("cli.audit_unlinked", &[("id", id.to_string())]),
    }
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
    send_daily_notice(app, &check).await?;
    Ok(Some(check))
}

/// Tells the chosen people the day's anchor, or — when the check found a break — tells
/// them and every security officer at once, urgently.
async fn send_daily_notice(app: &App, check: &ChainCheck) -> Result<(), Failure> {
    let mut recipients = chosen_ids(app).await?;
    let notice = match &check.first_break {
        None if check.entries == 0 || recipients.is_empty() => return Ok(()),
        None => Notice {
            recipients,
            kind: NoticeKind::AuditAnchor,
            title: format!("{}:{}", check.up_to_id, check.up_to_hash),
            link: "/audit".to_owned(),
            urgent: false,
        },
        Some(found) => {
            let (people, _) = mamori_store::users::list(app.store(), i64::MAX, 0).await?;
            recipients.extend(
                people
                    .iter()
                    .filter(|u| u.active && u.role == Role::SecurityOfficer)
                    .map(|u| u.id),
            );
            Notice {
                recipients,
                kind: NoticeKind::AuditBroken,
                title: found.id().to_string(),
                link: "/audit".to_owned(),
                urgent: true,
            }
        }
    };
    let system = Acting::system(DAILY_JOB);
    let permit = app
        .permit(&system, Register::Notices, Act::Edit, "audit.anchor_notice")
        .await?;
    let mut tx = permit.write(app).await?;
    let kind = notice.kind.as_str();
    let told = notifications::notify(&mut tx, notice).await?;
    tx.audit(
        AuditEntry::new("audit.anchor_notice", "audit")
            .target(check.up_to_id)
            .change("kind", None::<&str>, kind)
            .change("people", None::<usize>, told.notices),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A person who may be chosen to receive the anchor, and whether they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRecipient {
    pub id: i64,
    pub name: String,
    pub chosen: bool,
}

pub(crate) async fn chosen_ids(app: &App) -> Result<Vec<i64>, Failure> {
    let kept = mamori_store::settings::get(app.store(), AUDIT_ANCHOR_RECIPIENTS).await?;
    Ok(kept
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect())
}

/// Every active person, in the order of person choices, marked when chosen. Anyone may
/// be chosen: the anchor tells nothing of the records, and the point is that people
/// outside the secretariat (the chair, an auditor) keep it.
pub async fn recipients(app: &App, acting: &Acting) -> Result<Vec<AnchorRecipient>, Failure> {
    app.permit(
        acting,
        Register::AuditTrail,
        Act::Read,
        "audit.anchor_recipients",
    )
    .await?;
    let chosen = chosen_ids(app).await?;
    let (people, _) = mamori_store::users::list(app.store(), i64::MAX, 0).await?;
    Ok(people
        .into_iter()
        .filter(|u| u.active)
        .map(|u| AnchorRecipient {
            chosen: chosen.contains(&u.id),
            id: u.id,
            name: u.display_name,
        })
        .collect())
}

/// Refuses, before a request body is read, someone who may not check an anchor.
pub async fn may_check(app: &App, acting: &Acting) -> Result<(), Failure> {
    crate::audit::may_read(app, acting, "audit.verify").await
}

/// Refuses, before a request body is read, someone who may not choose the recipients.
pub async fn may_choose(app: &App, acting: &Acting) -> Result<(), Failure> {
    app.permit(
        acting,
        Register::AuditTrail,
        Act::Edit,
        "audit.anchor_recipients",
    )
    .await?;
    Ok(())
}

/// Chooses who is sent the daily anchor (the setting's change is audited). Every id must
/// be an active person.
pub async fn set_recipients(
    app: &App,
    acting: &Acting,
    ids: &[i64],
) -> Result<Vec<AnchorRecipient>, Failure> {
    let permit = app
        .permit(
            acting,
            Register::AuditTrail,
            Act::Edit,
            "audit.anchor_recipients",
        )
        .await?;
    let (people, _) = mamori_store::users::list(app.store(), i64::MAX, 0).await?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if let Some(unknown) = ids
        .iter()
        .find(|id| !people.iter().any(|u| u.id == **id && u.active))
    {
        return Err(Failure::invalid(
            FieldProblem::new("recipients", "audit_anchor.unknown_recipient").with("id", unknown),
        ));
    }
    let value = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut tx = permit.write(app).await?;
    mamori_store::settings::set(&mut tx, AUDIT_ANCHOR_RECIPIENTS, &value).await?;
    // The same choice sent again (a form sent twice) changes nothing and writes nothing.
    match tx.commit().await {
        Ok(()) | Err(mamori_store::StoreError::MissingAudit) => {}
        Err(e) => return Err(e.into()),
    }
    recipients(app, acting).await
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
