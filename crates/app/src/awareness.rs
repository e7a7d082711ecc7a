//! Awareness notices (注意喚起): posting one to an audience (resolved that day and kept),
//! each reader marking it read once, the secretariat's figures (read rate, who has not
//! read it), a reminder (督促) to those who have not, the list of readers as a file, and
//! withdrawal with a reason. The rules are in `mamori_domain::awareness`; who may do
//! what is the `Awareness` register's grant: Read to be addressed and read, Edit to post,
//! remind and withdraw, SeeAll for every notice and its figures.
//!
//! A posted notice is never edited: what people read and marked read must stay what
//! they read. A correction is posted as a new notice and the wrong one withdrawn, both
//! in the audit trail.

use mamori_domain::access::{Act, Register};
use mamori_domain::awareness::{self as rules, NoticeForm, ReadStanding};
use mamori_domain::field::FieldProblem;
use mamori_domain::text;
use mamori_domain::wareki::{JST, Lang};
use mamori_store::StoreError;
use mamori_store::awareness as store;
use time::{Date, OffsetDateTime};

pub use mamori_domain::awareness::{AudienceKind, NoticeForm as Form};
pub use mamori_store::awareness::{NoticeRecord, Recipient};

use crate::i18n::Tr;
use crate::notifications::{self, Notice, NoticeKind};
use crate::sheets::Format;
use crate::{Acting, App, Failure, today};

/// A notice in a list, with where the acting person stands with it when addressed.
#[derive(Debug, Clone)]
pub struct Listed {
    pub record: NoticeRecord,
    /// `None` when the notice is not addressed to the acting person.
    pub mine: Option<ReadStanding>,
}

impl Listed {
    pub fn percent(&self) -> i64 {
        rules::read_percent(self.record.read_count, self.record.audience_size)
    }
}

/// One reader on the notice's page, as the secretariat sees them.
#[derive(Debug, Clone)]
pub struct Reader {
    pub recipient: Recipient,
    pub standing: ReadStanding,
}

/// One notice as its page shows it.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub record: NoticeRecord,
    /// The acting person's standing, when addressed.
    pub mine: Option<ReadStanding>,
    pub my_read_at: Option<OffsetDateTime>,
    /// The figures and readers are shown (SeeAll).
    pub sees_figures: bool,
    /// Everyone addressed, unread first (empty without SeeAll).
    pub readers: Vec<Reader>,
    /// The acting person may remind and withdraw (Edit, and not withdrawn).
    pub may_manage: bool,
}

impl NoticeView {
    pub fn percent(&self) -> i64 {
        rules::read_percent(self.record.read_count, self.record.audience_size)
    }

    pub fn unread(&self) -> impl Iterator<Item = &Reader> {
        self.readers
            .iter()
            .filter(|r| r.standing != ReadStanding::Read)
    }
}

fn standing_of(record: &NoticeRecord, read: bool, day: Date) -> ReadStanding {
    rules::read_standing(read, record.due_on, day)
}

/// Every notice (for those who see all), or those addressed to the acting person,
/// newest first.
pub async fn list(app: &App, acting: &Acting) -> Result<Vec<Listed>, Failure> {
    app.permit(acting, Register::Awareness, Act::Read, "awareness.list")
        .await?;
    let day = today();
    let user_id = acting.user_id().unwrap_or(0);
    let records = if acting.may(Register::Awareness, Act::SeeAll) {
        store::all(app.store()).await?
    } else {
        store::addressed_to(app.store(), user_id).await?
    };
    let readings = store::readings_of(app.store(), user_id).await?;
    Ok(records
        .into_iter()
        .map(|record| {
            let mine = readings
                .iter()
                .find(|(id, _)| *id == record.id)
                .map(|(_, read)| standing_of(&record, *read, day));
            Listed { record, mine }
        })
        .collect())
}

/// One notice: to those it is addressed to, and to those who see all (with the
/// figures). Anyone else is told it does not exist, as for any record out of reach.
pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<NoticeView, Failure> {
    app.permit(acting, Register::Awareness, Act::Read, "awareness.show")
        .await?;
    let record = store::get(app.store(), id).await?;
    let reading = match acting.user_id() {
        Some(user_id) => store::reading(app.store(), id, user_id).await?,
        None => None,
    };
    let sees_figures = acting.may(Register::Awareness, Act::SeeAll);
    if reading.is_none() && !sees_figures {
        return Err(Failure::NotFound);
    }
    let day = today();
    let mut readers = Vec::new();
    if sees_figures {
        readers = store::recipients(app.store(), id)
            .await?
            .into_iter()
            .map(|recipient| Reader {
                standing: standing_of(&record, recipient.read_at.is_some(), day),
                recipient,
            })
            .collect();
        readers.sort_by_key(|r| r.standing == ReadStanding::Read);
    }
    Ok(NoticeView {
        mine: reading.map(|read_at| standing_of(&record, read_at.is_some(), day)),
        my_read_at: reading.flatten(),
        may_manage: acting.may(Register::Awareness, Act::Edit) && record.withdrawn_at.is_none(),
        sees_figures,
        readers,
        record,
    })
}

/// Posts a notice: checks it, resolves its audience among today's accounts (kept as
/// the notice's readers from now on), and tells each of them, in one write.
pub async fn post(app: &App, acting: &Acting, form: &NoticeForm) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Awareness, Act::Edit, "awareness.post")
        .await?;
    let input = form.check(today())?;
    let people = store::people(app.store()).await?;
    let unknown = rules::unknown_logins(&input.audience, &people);
    if !unknown.is_empty() {
        return Err(Failure::invalid(
            FieldProblem::new("users", "awareness.error.unknown_users")
                .with("logins", unknown.join(", ")),
        ));
    }
    let recipients = rules::resolve(&input.audience, &people);
    if recipients.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "audience",
            "awareness.error.nobody",
        )));
    }
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &input, &recipients).await?;
    notifications::notify(
        &mut tx,
        Notice {
            recipients,
            kind: NoticeKind::Awareness,
            title: input.title.clone(),
            link: format!("/awareness/{id}"),
            urgent: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks the notice read by the acting person, once: a second time changes nothing and
/// keeps the first time. True when this call recorded the reading.
pub async fn mark_read(app: &App, acting: &Acting, id: i64) -> Result<bool, Failure> {
    let permit = app
        .permit(acting, Register::Awareness, Act::Read, "awareness.read")
        .await?;
    let record = store::get(app.store(), id).await?;
    let user_id = acting.user_id().ok_or(Failure::NotFound)?;
    let Some(read_at) = store::reading(app.store(), id, user_id).await? else {
        return Err(Failure::NotFound);
    };
    if read_at.is_some() {
        return Ok(false);
    }
    if record.withdrawn_at.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "awareness.error.withdrawn",
        ));
    }
    let mut tx = permit.write(app).await?;
    let recorded = store::mark_read(&mut tx, id).await?;
    if recorded {
        tx.commit().await?;
    }
    Ok(recorded)
}

/// Reminds (督促) everyone addressed who has not read the notice yet, in the app and by
/// mail; those who read it are not told again. Answers how many were reminded.
pub async fn remind(app: &App, acting: &Acting, id: i64) -> Result<usize, Failure> {
    let permit = app
        .permit(acting, Register::Awareness, Act::Edit, "awareness.remind")
        .await?;
    let record = store::get(app.store(), id).await?;
    if record.withdrawn_at.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "awareness.error.withdrawn",
        ));
    }
    let unread: Vec<i64> = store::recipients(app.store(), id)
        .await?
        .into_iter()
        .filter(|r| r.read_at.is_none())
        .map(|r| r.user_id)
        .collect();
    if unread.is_empty() {
        return Err(Failure::conflict(
            "invalid_state",
            "awareness.error.all_read",
        ));
    }
    let mut tx = permit.write(app).await?;
    store::record_reminder(&mut tx, id, &unread).await?;
    notifications::notify(
        &mut tx,
        Notice {
            recipients: unread.clone(),
            kind: NoticeKind::Awareness,
            title: record.title.clone(),
            link: format!("/awareness/{id}"),
            urgent: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(unread.len())
}

/// Withdraws (取り下げ) a notice with a reason. It stays, marked withdrawn, with its
/// readings; it leaves the readers' home pages.
pub async fn withdraw(app: &App, acting: &Acting, id: i64, reason: &str) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Awareness, Act::Edit, "awareness.withdraw")
        .await?;
    store::get(app.store(), id).await?;
    let reason = match text::multi_line(reason, rules::REASON_MAX) {
        Ok(reason) if reason.is_empty() => Err(text::TextProblem::Empty),
        other => other,
    }
    .map_err(|p| Failure::invalid(FieldProblem::text("reason", p)))?;
    let mut tx = permit.write(app).await?;
    store::withdraw(&mut tx, id, &reason)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Failure::conflict("invalid_state", "awareness.error.withdrawn")
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(())
}

/// A time as the file gives it: Japan time, to the minute, the same in both languages.
fn japan_time(at: OffsetDateTime) -> String {
    let local = at.checked_to_offset(JST).unwrap_or(at);
    format!(
        "{} {:02}:{:02}",
        crate::date_text(local.date()),
        local.hour(),
        local.minute()
    )
}

/// The readers and non-readers of a notice as a file (CSV for Excel, or .xlsx), headed
/// in `lang`. The export is in the audit trail: the list names people.
pub async fn export(
    app: &App,
    acting: &Acting,
    id: i64,
    format: Format,
    lang: Lang,
) -> Result<Vec<u8>, Failure> {
    let permit = app
        .permit(acting, Register::Awareness, Act::SeeAll, "awareness.export")
        .await?;
    let view = show(app, acting, id).await?;
    let tr = Tr::new(lang);
    let headers: Vec<String> = [
        "awareness.column.login",
        "awareness.column.name",
        "awareness.column.user_type",
        "awareness.column.standing",
        "awareness.column.read_at",
        "awareness.column.reminders",
        "awareness.column.reminded_at",
    ]
    .iter()
    .map(|k| tr.t(k).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = view
        .readers
        .iter()
        .map(|r| {
            let p = &r.recipient;
            vec![
                p.login.clone(),
                p.display_name.clone(),
                tr.t(&format!("user_type.{}", p.user_type.as_str()))
                    .to_owned(),
                tr.t(r.standing.label_key()).to_owned(),
                p.read_at.map(japan_time).unwrap_or_default(),
                p.reminders.to_string(),
                p.reminded_at.map(japan_time).unwrap_or_default(),
            ]
        })
        .collect();
    let mut tx = permit.write(app).await?;
    tx.audit(
        mamori_store::AuditEntry::new("awareness.export", "awareness_notice")
            .target(id)
            .change("rows", None::<usize>, rows.len()),
    )
    .await?;
    tx.commit().await?;
    crate::sheets::write_table(format, "readers", headers, rows)
        .await
        .map_err(|e| Failure::Store(StoreError::Io(std::io::Error::other(e.to_string()))))
}

/// The notices in force the acting person has not read, nearest deadline first (those
/// without one last), for their home page and the daily digest.
pub async fn unread_for(app: &App, acting: &Acting) -> Result<Vec<Listed>, Failure> {
    let Some(user_id) = acting.user_id() else {
        return Ok(Vec::new());
    };
    if !acting.may(Register::Awareness, Act::Read) {
        return Ok(Vec::new());
    }
    let day = today();
    let mut records = store::unread_by(app.store(), user_id).await?;
    records.sort_by(|a, b| rules::reading_order((a.due_on, a.id), (b.due_on, b.id)));
    Ok(records
        .into_iter()
        .map(|record| Listed {
            mine: Some(standing_of(&record, false, day)),
            record,
        })
        .collect())
}

/// Whether the acting person may see a notice's file: as they may see the notice.
pub(crate) async fn may_see(app: &App, acting: &Acting, id: i64) -> Result<String, Failure> {
    Ok(show(app, acting, id).await?.record.title)
}
