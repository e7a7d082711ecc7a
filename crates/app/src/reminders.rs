//! The due-work digest (see `mamori_domain::reminder`): what waits for each person is
//! what their home page lists ([`home::waiting`]); once a day, from 08:00 in Japan, each
//! person with something new waiting (or the same work a week later) is told how many
//! things wait, in the app and by mail. The mail names only a count, never a record.

use std::collections::BTreeSet;
use std::time::Duration;

use mamori_domain::access::{Act, Register};
use mamori_domain::reminder::{self, ItemKey, LastDigest};
use mamori_store::{AuditEntry, reminders as store};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::home::{self, Waiting};
use crate::notifications::{self, Notice, NoticeKind};
use crate::{Acting, App, Failure};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Active people looked at.
    pub checked: usize,
    /// People sent a digest.
    pub told: usize,
}

/// How many days ahead a training session the person is invited to is in their digest.
pub const TRAINING_SOON_DAYS: i64 = 7;

/// How many days before the 年度 ends yearly training not yet done is in the digest: a
/// whole year of weekly mails to everyone untrained would teach people to ignore them.
pub const TRAINING_YEAR_END_DAYS: i64 = 30;

/// Whether yearly training that is `coverage` on `today` is told in the digest: once
/// overdue, or due within [`TRAINING_YEAR_END_DAYS`] of the 年度's end.
pub fn yearly_training_told(coverage: mamori_domain::training::Coverage, today: Date) -> bool {
    use mamori_domain::training::Coverage;
    let end = mamori_domain::calendar::FiscalYear::of(today).end();
    match coverage {
        Coverage::Overdue => true,
        Coverage::Due => today + time::Duration::days(TRAINING_YEAR_END_DAYS) >= end,
        Coverage::Met | Coverage::NotBound => false,
    }
}

/// The things on a person's home page that call for them to act, as digest keys: not
/// their unread notices (each was told already) nor the assets they hold.
pub fn items_of(waiting: &Waiting, today: Date) -> BTreeSet<ItemKey> {
    let keys = |kind: &str, ids: Vec<i64>| -> Vec<ItemKey> {
        ids.into_iter().map(|id| format!("{kind}:{id}")).collect()
    };
    let mut items = BTreeSet::new();
    items.extend(keys(
        "ack",
        waiting
            .acknowledgements
            .iter()
            .map(|a| a.version_id)
            .collect(),
    ));
    items.extend(keys(
        "risk_action",
        waiting.overdue_actions.iter().map(|a| a.id).collect(),
    ));
    items.extend(keys(
        "acceptance",
        waiting.acceptances.iter().map(|a| a.id).collect(),
    ));
    items.extend(keys(
        "approval",
        waiting.approvals.iter().map(|a| a.request.id).collect(),
    ));
    items.extend(keys(
        "review",
        waiting.cycle.reviews.iter().map(|r| r.id).collect(),
    ));
    items.extend(keys(
        "action",
        waiting.cycle.overdue_actions.iter().map(|a| a.id).collect(),
    ));
    items.extend(keys(
        "exception",
        waiting.exceptions.iter().map(|e| e.record.id).collect(),
    ));
    items.extend(keys(
        "awareness",
        waiting.awareness.iter().map(|n| n.record.id).collect(),
    ));
    items.extend(keys(
        "file",
        waiting.expired_files.iter().map(|(f, _)| f.id).collect(),
    ));
    items.extend(
        waiting
            .retention_due
            .iter()
            .map(|record| format!("retention:{record}")),
    );
    // Those who handle incidents are told of each open one; a reporter follows theirs
    // on the home page and is told of nothing to do.
    items.extend(keys(
        "incident",
        waiting
            .incidents
            .iter()
            .filter(|l| l.sight == mamori_domain::incident::Sight::Full)
            .map(|l| l.record.id)
            .collect(),
    ));
    // An overdue outside report, by incident and duty: told once, and again a week on.
    items.extend(
        waiting
            .incident_reports_overdue
            .iter()
            .map(|o| format!("incident_report:{}:{}", o.incident_id, o.duty.id)),
    );
    items.extend(keys(
        "term_change",
        waiting.term_changes.iter().map(|s| s.change.id).collect(),
    ));
    items.extend(training_items(waiting, today));
    items
}

/// Training as digest keys. A key names the situation, not the day: the person's own
/// rule by 年度 (or new-person deadline) and standing (yearly training only near the
/// 年度's end, see [`yearly_training_told`]), so that turning from due to
/// overdue, or a new 年度, tells them again; each overdue person for the organisers, so
/// that one more overdue tells them again while the same people do not every day; each
/// session the person is invited to within [`TRAINING_SOON_DAYS`].
fn training_items(waiting: &Waiting, today: Date) -> Vec<ItemKey> {
    use mamori_domain::training::Coverage;
    let open = |c: Coverage| matches!(c, Coverage::Due | Coverage::Overdue);
    let mut keys = Vec::new();
    if let Some(s) = &waiting.training_standing {
        if yearly_training_told(s.yearly, today) {
            let fy = mamori_domain::calendar::FiscalYear::of(today).year();
            keys.push(format!("training_yearly:{fy}:{}", s.yearly.as_str()));
        }
        if let (true, Some(due)) = (open(s.new_person), s.new_person_due) {
            keys.push(format!(
                "training_new:{}:{}",
                mamori_store::date_text(due),
                s.new_person.as_str()
            ));
        }
    }
    if let Some(o) = &waiting.training_outstanding {
        keys.extend(o.overdue.iter().map(|id| format!("training_overdue:{id}")));
    }
    let soon = today + time::Duration::days(TRAINING_SOON_DAYS);
    keys.extend(
        waiting
            .training_upcoming
            .iter()
            .filter(|s| s.held_on >= today && s.held_on <= soon)
            .map(|s| format!("training_session:{}", s.id)),
    );
    keys
}

/// Sends today's digests to everyone due one (see `reminder::digest_due`), in one write
/// with their notices, mails and an audit entry. Running it again the same day sends
/// nothing more.
pub async fn send_digests(app: &App, today: Date) -> Result<Sweep, Failure> {
    let store = app.store();
    let last = store::last_digests(store).await?;
    let people = store::active_people(store).await?;
    let mut due = Vec::new();
    for &id in &people {
        // Told today already: nothing to compute (the sweep runs every quarter hour).
        if last.get(&id).is_some_and(|(sent_on, _)| *sent_on >= today) {
            continue;
        }
        let user = mamori_store::users::get(store, id).await?;
        let acting = Acting::user(app, user, None, today).await?;
        let items = items_of(&home::waiting(app, &acting, today).await?, today);
        let last = last.get(&id).map(|(sent_on, items)| LastDigest {
            sent_on: *sent_on,
            items: reminder::decode_items(items),
        });
        if reminder::digest_due(last.as_ref(), &items, today) {
            due.push((id, items));
        }
    }
    let sweep = Sweep {
        checked: people.len(),
        told: due.len(),
    };
    if due.is_empty() {
        return Ok(sweep);
    }
    let system = Acting::system("mamori reminders");
    let permit = app
        .permit(&system, Register::Notices, Act::Edit, "reminders.digest")
        .await?;
    let mut tx = permit.write(app).await?;
    for (id, items) in &due {
        notifications::notify(
            &mut tx,
            Notice {
                recipients: vec![*id],
                kind: NoticeKind::DueDigest,
                title: items.len().to_string(),
                link: "/".to_owned(),
                urgent: false,
            },
        )
        .await?;
        store::record(&mut tx, *id, today, &reminder::encode_items(items)).await?;
    }
    tx.audit(
        AuditEntry::new("reminder.digests", "reminder")
            .target(mamori_store::date_text(today))
            .change("people", None::<usize>, sweep.told),
    )
    .await?;
    tx.commit().await?;
    Ok(sweep)
}

/// The hour of the day in Japan now.
fn hour_in_japan() -> u8 {
    let japan = UtcOffset::from_hms(9, 0, 0).expect("UTC+9 is a valid offset");
    OffsetDateTime::now_utc().to_offset(japan).hour()
}

/// Checks every quarter of an hour whether today's digests are due and sends them (the
/// first check waits until 08:00 in Japan), and checks the whole audit chain once a day.
pub fn spawn_daily(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(900));
        loop {
            tick.tick().await;
            if hour_in_japan() < reminder::SEND_FROM_HOUR {
                continue;
            }
            if let Err(e) = crate::audit_anchor::daily_check(&app, crate::today()).await {
                tracing::error!(error = %e, "daily audit trail check failed");
            }
            // Before the digests, so that nobody leaving is told of work that ended.
            if let Err(e) = crate::term_changes::carry_out_due(&app, crate::today()).await {
                tracing::error!(error = %e, "term changes due today not carried out");
            }
            match send_digests(&app, crate::today()).await {
                Ok(sweep) if sweep.told > 0 => {
                    tracing::info!(
                        told = sweep.told,
                        checked = sweep.checked,
                        "due-work digests"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "due-work digests failed"),
            }
        }
    })
}
