//! Notifications, the block every register uses to tell people something: a notice is
//! stored per recipient (the in-app list and the unread count in the header) and, when
//! the recipient has a mail address and wants that kind (urgent ones always), a mail is
//! queued in the same transaction. Nothing is sent inside a transaction: the background
//! sender ([`sender`]) delivers the queue and retries with backoff.
//!
//! A register calls [`notify`] inside its own write:
//! ```ignore
//! notifications::notify(&mut tx, Notice {
//!     recipients: vec![approver_id],
//!     kind: NoticeKind::ApprovalRequested,
//!     title: document_title,          // a safe title, see Notice::title
//!     link: format!("/policies/{id}"),
//!     urgent: false,
//! }).await?;
//! ```

pub mod mail;
pub mod queue;
pub mod sender;
pub mod settings;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::notice;
use mamori_domain::wareki::Lang;
use mamori_store::notifications::{self as store, NewMail, NewNotification};
use mamori_store::{AuditEntry, WriteTx};

use crate::i18n::Tr;
use crate::{Acting, App, Failure};

pub use mamori_domain::notice::{Backoff, NoticeKind};
pub use mamori_store::notifications::{MailState, Notification, OpenNotice, QueuedMail};

/// The longest title a notice keeps (a longer one is shortened with an ellipsis).
pub const TITLE_MAX: usize = 200;

/// Notices per page of the list, unless asked otherwise.
pub const PER_PAGE: i64 = 50;

/// Something to tell `recipients`.
#[derive(Debug, Clone)]
pub struct Notice {
    /// User ids; unknown and deactivated users are left out, repeats counted once.
    pub recipients: Vec<i64>,
    pub kind: NoticeKind,
    /// What the notice is about, shown in the list and put into the mail's subject and
    /// body. It MUST come from a safe source: the title of a record every recipient may
    /// read (a policy's title, a request's subject as its register names it), never
    /// personal information nor the content of a restricted record — mail leaves
    /// mamori unencrypted.
    pub title: String,
    /// A path on this site (`/policies/3`); the mail adds the public address.
    pub link: String,
    /// Urgent notices are mailed whatever the person chose.
    pub urgent: bool,
}

/// What [`notify`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Notified {
    /// Notices stored (one per recipient).
    pub notices: usize,
    /// Mails queued.
    pub mails: usize,
}

/// Stores `notice` for each recipient and queues their mails, inside the caller's write
/// transaction (it commits or rolls back with the caller's change), with one audit entry
/// `notify.send`. A link that is not a path on this site is refused.
pub async fn notify(tx: &mut WriteTx, notice: Notice) -> Result<Notified, Failure> {
    if !notice::is_local_link(&notice.link) {
        return Err(Failure::invalid(FieldProblem::new(
            "link",
            "notify.error.link",
        )));
    }
    let title = clean_title(&notice.title);
    let mut ids = notice.recipients.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut notified = Notified::default();
    for recipient in store::recipients(tx, &ids, notice.kind).await? {
        if !recipient.active {
            continue;
        }
        let notification_id = store::insert(
            tx,
            NewNotification {
                user_id: recipient.user_id,
                kind: notice.kind,
                title: &title,
                link: &notice.link,
                urgent: notice.urgent,
            },
        )
        .await?;
        notified.notices += 1;
        let Some(address) = recipient.mail.as_deref() else {
            continue;
        };
        if !(notice.urgent || recipient.wants_mail) {
            continue;
        }
        let lang = recipient.lang.unwrap_or(Lang::Ja);
        let (subject, body) = mail_text(lang, notice.kind, &title, notice.urgent);
        store::queue_mail(
            tx,
            NewMail {
                notification_id: Some(notification_id),
                user_id: recipient.user_id,
                address,
                lang,
                subject: &subject,
                body: &body,
                link: &notice.link,
            },
        )
        .await?;
        notified.mails += 1;
    }
    // Nobody to tell (the only holder asked is the one acting): nothing to record.
    if notified.notices == 0 {
        return Ok(notified);
    }
    tx.audit(
        AuditEntry::new("notify.send", "notice")
            .change("kind", None::<&str>, notice.kind.as_str())
            .change("link", None::<&str>, &notice.link)
            .change("recipients", None::<i64>, notified.notices as i64)
            .change("mails", None::<i64>, notified.mails as i64),
    )
    .await?;
    Ok(notified)
}

/// One line, without control characters, at most [`TITLE_MAX`] characters.
fn clean_title(title: &str) -> String {
    let line: String = title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if line.chars().count() <= TITLE_MAX {
        line
    } else {
        let mut short: String = line.chars().take(TITLE_MAX - 1).collect();
        short.push('…');
        short
    }
}

/// The subject and the text of a notice's mail in `lang` (the link and the closing lines
/// are added when it is sent: see [`mail::compose`]).
pub fn mail_text(lang: Lang, kind: NoticeKind, title: &str, urgent: bool) -> (String, String) {
    let tr = Tr::new(lang);
    let title = [("title", title.to_owned())];
    let subject = tr.f(kind.subject_key(), &title);
    let subject = if urgent {
        tr.f("notify.mail.subject_urgent", &[("subject", subject)])
    } else {
        tr.f("notify.mail.subject", &[("subject", subject)])
    };
    (subject, tr.f(kind.text_key(), &title))
}

/// The sentence a notice shows in the list, in the reader's language.
pub fn notice_text(tr: &Tr, notice: &Notification) -> String {
    tr.f(notice.kind.text_key(), &[("title", notice.title.clone())])
}

fn me(acting: &Acting) -> Result<i64, Failure> {
    acting.user_id().ok_or(Failure::NotFound)
}

/// A page of the person's own notices, newest first, and the total.
pub async fn my_notices(
    app: &App,
    acting: &Acting,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Notification>, i64), Failure> {
    let user_id = me(acting)?;
    Ok(store::list(
        app.store(),
        user_id,
        unread_only,
        limit.clamp(1, 500),
        offset.max(0),
    )
    .await?)
}

/// How many of the person's notices are unread (0 for the command line).
pub async fn unread_count(app: &App, acting: &Acting) -> Result<i64, Failure> {
    match acting.user_id() {
        Some(user_id) => Ok(store::unread_count(app.store(), user_id).await?),
        None => Ok(0),
    }
}

/// Marks one of the person's notices read (another person's is not found); returns the
/// notice. Reading is the person's own state and is not audited.
pub async fn mark_read(app: &App, acting: &Acting, id: i64) -> Result<Notification, Failure> {
    let user_id = me(acting)?;
    store::mark_read(app.store(), user_id, id).await?;
    Ok(store::get(app.store(), user_id, id).await?)
}

/// Marks all the person's notices read; returns how many were unread.
pub async fn mark_all_read(app: &App, acting: &Acting) -> Result<u64, Failure> {
    let user_id = me(acting)?;
    Ok(store::mark_all_read(app.store(), user_id).await?)
}

/// One person's open notices, for a printed list.
#[derive(Debug, Clone)]
pub struct PersonNotices {
    pub login: String,
    pub display_name: String,
    pub notices: Vec<Notification>,
}

/// What the printable reminder list holds: the person's own unread notices, and for
/// those who follow notices up (the security officer) every active person's.
#[derive(Debug, Clone)]
pub struct PrintList {
    pub mine: Vec<Notification>,
    pub by_person: Option<Vec<PersonNotices>>,
}

pub async fn print_list(app: &App, acting: &Acting) -> Result<PrintList, Failure> {
    let user_id = me(acting)?;
    let (mine, _) = store::list(app.store(), user_id, true, 500, 0).await?;
    let by_person = if acting.may(Register::Notices, Act::Read) {
        let mut people: Vec<PersonNotices> = Vec::new();
        for open in store::open_by_person(app.store()).await? {
            match people.last_mut() {
                Some(last) if last.login == open.login => last.notices.push(open.notice),
                _ => people.push(PersonNotices {
                    login: open.login,
                    display_name: open.display_name,
                    notices: vec![open.notice],
                }),
            }
        }
        Some(people)
    } else {
        None
    };
    Ok(PrintList { mine, by_person })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_short_line() {
        assert_eq!(
            clean_title("  情報セキュリティ\n基本方針\t"),
            "情報セキュリティ 基本方針"
        );
        let long = "あ".repeat(300);
        let short = clean_title(&long);
        assert_eq!(short.chars().count(), TITLE_MAX);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn mail_text_is_in_the_recipients_language() {
        let (subject, body) = mail_text(Lang::Ja, NoticeKind::PolicyReminder, "基本方針", false);
        assert!(subject.contains("基本方針"), "{subject}");
        assert!(body.contains("「基本方針」"), "{body}");
        let (subject, _) = mail_text(Lang::En, NoticeKind::PolicyReminder, "Basic policy", true);
        assert!(subject.contains("Basic policy"), "{subject}");
        assert!(subject.contains("Urgent"), "{subject}");
    }
}
