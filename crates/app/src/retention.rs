//! Retention of personal information in mamori's own records: the periods (settings),
//! the closed records past them, proposing their redaction (an approval request the CISO
//! decides) and carrying it out once approved. The periods and fields are
//! `mamori_domain::retention`; the redaction of the audit trail is
//! `mamori_store::audit_redaction`.

use std::collections::BTreeMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::{Asked, CheckedDecision, Decision, State as ApprovalState};
use mamori_domain::field::{FieldProblem, Problems};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::retention::{self, ITEMS_MAX, RetainedKind};
use mamori_store::StoreError;
use mamori_store::retention::{self as store, Closed, ClosedRecord, RedactionItem};
use serde::Deserialize;
use time::Date;

pub use mamori_store::retention::Redaction;

use crate::approvals::{self, NewRequest, Request};
use crate::{Acting, App, Failure, japan_date, today};

/// The period of one kind of record, and whether the assembly set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: RetainedKind,
    pub years: u8,
    /// False while the default applies.
    pub set: bool,
}

/// A closed record with the day its period started and the day it ends.
#[derive(Debug, Clone)]
pub struct Retained {
    pub record: ClosedRecord,
    pub closed_on: Date,
    pub due_on: Date,
}

impl Retained {
    pub fn is_due(&self, day: Date) -> bool {
        day >= self.due_on
    }
}

/// What the retention page shows.
#[derive(Debug, Clone)]
pub struct Overview {
    pub periods: Vec<Period>,
    /// Closed records not redacted yet, those past their period first.
    pub records: Vec<Retained>,
    /// Every redaction proposed, newest first, with its number of records.
    pub redactions: Vec<(Redaction, i64)>,
    pub may_edit: bool,
}

/// One redaction as its page shows it.
#[derive(Debug, Clone)]
pub struct RedactionView {
    pub redaction: Redaction,
    /// Each record with whose it is (the name stays after a redaction).
    pub items: Vec<(RedactionItem, String)>,
    pub history: Vec<Request>,
    pub pending_request: Option<i64>,
}

fn closed_on(closed: Closed) -> Date {
    match closed {
        Closed::At(at) => japan_date(at),
        Closed::On(day) => day,
    }
}

/// The periods in force: the assembly's setting, else the default.
pub async fn periods(app: &App) -> Result<Vec<Period>, Failure> {
    let mut out = Vec::new();
    for kind in RetainedKind::ALL {
        let stored = mamori_store::settings::get(app.store(), kind.setting_key()).await?;
        let years = stored
            .as_deref()
            .and_then(|text| retention::parse_years("years", text).ok());
        out.push(Period {
            kind,
            years: years.unwrap_or_else(|| kind.default_years()),
            set: years.is_some(),
        });
    }
    Ok(out)
}

/// The periods as typed, by the kind's code (`account`, `absence`); a kind left out
/// keeps its period.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PeriodsForm {
    #[serde(flatten)]
    pub years: BTreeMap<String, String>,
}

/// Sets the periods (each change is a `setting.update` entry).
pub async fn set_periods(app: &App, acting: &Acting, form: &PeriodsForm) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Retention, Act::Edit, "retention.periods")
        .await?;
    let mut problems = Problems::new();
    let mut checked = Vec::new();
    for kind in RetainedKind::ALL {
        let Some(typed) = form.years.get(kind.as_str()) else {
            continue;
        };
        match retention::parse_years(kind.as_str(), typed) {
            Ok(years) => checked.push((kind, years)),
            Err(problem) => problems.push(problem),
        }
    }
    let checked = problems.or(checked)?;
    let mut tx = permit.write(app).await?;
    for (kind, years) in checked {
        mamori_store::settings::set(&mut tx, kind.setting_key(), &years.to_string()).await?;
    }
    tx.commit().await.or_else(|e| match e {
        // Nothing changed: nothing to record.
        StoreError::MissingAudit => Ok(()),
        other => Err(other.into()),
    })
}

async fn retained(app: &App, periods: &[Period]) -> Result<Vec<Retained>, Failure> {
    let mut out = Vec::new();
    for period in periods {
        for record in store::closed_records(app.store(), period.kind).await? {
            let closed_on = closed_on(record.closed);
            out.push(Retained {
                due_on: retention::due_on(closed_on, period.years),
                closed_on,
                record,
            });
        }
    }
    out.sort_by_key(|r| (r.due_on, r.record.kind, r.record.id));
    Ok(out)
}

pub async fn overview(app: &App, acting: &Acting) -> Result<Overview, Failure> {
    app.permit(acting, Register::Retention, Act::Read, "retention.show")
        .await?;
    let periods = periods(app).await?;
    Ok(Overview {
        records: retained(app, &periods).await?,
        redactions: store::all(app.store()).await?,
        may_edit: acting.may(Register::Retention, Act::Edit),
        periods,
    })
}

/// The records past their period on `day` and not yet proposed, as `{kind}:{id}`: for
/// the home pages and digests of those who propose redactions (none for everyone else).
pub async fn due_records(app: &App, acting: &Acting, day: Date) -> Result<Vec<String>, Failure> {
    if !acting.may(Register::Retention, Act::Edit) {
        return Ok(Vec::new());
    }
    let periods = periods(app).await?;
    Ok(retained(app, &periods)
        .await?
        .iter()
        .filter(|r| r.is_due(day) && r.record.pending.is_none())
        .map(|r| format!("{}:{}", r.record.kind.as_str(), r.record.id))
        .collect())
}

/// One record named in a proposal: its kind's code and id.
#[derive(Debug, Clone, Deserialize)]
pub struct ProposedRecord {
    pub kind: String,
    pub id: i64,
}

fn subject(id: i64) -> RecordRef {
    RecordRef::new(RecordKind::Redaction, id)
}

/// Proposes the redaction of records past their period, and asks the CISO to decide it,
/// in one write. Each record must be past its period and in no other open proposal.
pub async fn propose(
    app: &App,
    acting: &Acting,
    records: &[ProposedRecord],
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Retention, Act::Edit, "retention.propose")
        .await?;
    if records.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "records",
            "retention.error.none_chosen",
        )));
    }
    if records.len() > ITEMS_MAX {
        return Err(Failure::invalid(
            FieldProblem::new("records", "retention.error.too_many").with("max", ITEMS_MAX),
        ));
    }
    let day = today();
    let periods = periods(app).await?;
    let known = retained(app, &periods).await?;
    let mut items: Vec<RedactionItem> = Vec::new();
    for asked in records {
        let found = RetainedKind::parse(&asked.kind).and_then(|kind| {
            known
                .iter()
                .find(|r| r.record.kind == kind && r.record.id == asked.id)
        });
        let Some(found) = found else {
            return Err(Failure::invalid(
                FieldProblem::new("records", "retention.error.unknown_record")
                    .with("record", format!("{} {}", asked.kind, asked.id)),
            ));
        };
        if !found.is_due(day) {
            return Err(Failure::invalid(
                FieldProblem::new("records", "retention.error.not_due")
                    .with("record", &found.record.name)
                    .with("date", crate::date_text(found.due_on)),
            ));
        }
        if found.record.pending.is_some() {
            return Err(Failure::conflict(
                "already_proposed",
                "retention.error.already_proposed",
            ));
        }
        let item = RedactionItem {
            kind: found.record.kind,
            record_id: found.record.id,
            closed_on: found.closed_on,
        };
        if !items.contains(&item) {
            items.push(item);
        }
    }
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &items).await.map_err(|e| match e {
        StoreError::Conflict(_) => {
            Failure::conflict("already_proposed", "retention.error.already_proposed")
        }
        other => other.into(),
    })?;
    // Stored once, in the default language; the list shows no personal information.
    let title = crate::i18n::JA
        .get("retention.request_title")
        .map(|t| t.replace("{count}", &items.len().to_string()))
        .unwrap_or_default();
    approvals::open_in(
        app,
        &mut tx,
        NewRequest {
            subject: subject(id),
            parent_id: None,
            title: &title,
            asked: Asked::Deciders(Register::Retention),
            note: "",
            due_on: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<RedactionView, Failure> {
    app.permit(
        acting,
        Register::Retention,
        Act::Read,
        "retention.redaction",
    )
    .await?;
    let redaction = store::get(app.store(), id).await?;
    let mut items = Vec::new();
    for item in &redaction.items {
        items.push((item.clone(), store::whose(app.store(), item).await?));
    }
    let history = approvals::history(app, acting, subject(id)).await?;
    let pending_request = history
        .iter()
        .rev()
        .find(|r| r.state == ApprovalState::Pending)
        .map(|r| r.id);
    Ok(RedactionView {
        redaction,
        items,
        history,
        pending_request,
    })
}

/// A redaction as the subject of its approval request: approving it carries it out.
pub(crate) struct RedactionSubject;

impl approvals::Subject for RedactionSubject {
    fn may_read<'a>(
        &'a self,
        _app: &'a App,
        acting: &'a Acting,
        _request: &'a Request,
    ) -> approvals::Step<'a, bool> {
        Box::pin(async move { Ok(acting.may(Register::Retention, Act::Read)) })
    }

    fn decided<'a>(
        &'a self,
        tx: &'a mut mamori_store::WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> approvals::Step<'a, ()> {
        Box::pin(async move {
            if decision.decision != Decision::Approve {
                // A redaction sent back is proposed anew, with the records then due.
                store::drop_proposal(tx, request.subject.id).await?;
                return Ok(());
            }
            store::apply(tx, request.subject.id, request.id)
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    StoreError::Conflict(_) => {
                        Failure::conflict("invalid_state", "retention.error.reopened")
                    }
                    other => other.into(),
                })
        })
    }

    fn withdrawn<'a>(
        &'a self,
        tx: &'a mut mamori_store::WriteTx,
        request: &'a Request,
    ) -> approvals::Step<'a, ()> {
        Box::pin(async move {
            store::drop_proposal(tx, request.subject.id).await?;
            Ok(())
        })
    }
}
