//! Outside reports of incidents (issue 18 item 3): the facts that decide the report
//! duties, the duties themselves (kept by those who handle incidents), the clocks of an
//! incident (`mamori_domain::incident_report::clocks`, counted in the office calendar),
//! the reports made with the file sent, and the overdue ones for the home page and the
//! digest. Only those who see an incident in full see any of it: the reporter's own view
//! never shows clocks.

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::file::{self as file_rules, Attach, Purpose, RecordKind, RecordRef};
use mamori_domain::incident::{self as rules, EntryKind, Sight};
use mamori_domain::incident_report::{
    self as duties_rules, ClockState, DutyForm, FACT_COLUMNS, FactValues, Facts, FactsForm,
    SentForm,
};
use mamori_domain::user::OrgRole;
use mamori_store::StoreError;
use mamori_store::incident_reports as store;
use mamori_store::incidents::{self as incidents_store, Change, IncidentRecord, Severity};
use time::Date;

pub use mamori_store::incident_reports::{DutyRecord, ReportRecord};

use super::View;
use crate::files::{self, Spooled};
use crate::{Acting, App, Failure, japan_date, today};

/// One duty's clock on an incident.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub duty: DutyRecord,
    pub due: Option<Date>,
    pub state: ClockState,
}

/// The outside reports of one incident, for those who see it in full.
#[derive(Debug, Clone)]
pub struct Panel {
    pub incident_id: i64,
    pub clocks: Vec<ClockView>,
    pub reports: Vec<ReportRecord>,
    pub facts: FactValues,
    pub threshold: i64,
    /// The active duties (what a report may answer).
    pub duties: Vec<DutyRecord>,
    /// The acting person handles incidents (records reports, sets the facts).
    pub may_handle: bool,
}

/// An overdue report, for the home page and the digest.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub incident_id: i64,
    pub number: String,
    pub title: String,
    pub duty: DutyRecord,
    pub due: Date,
    pub days: i64,
}

/// What the clocks of many incidents share: read once.
struct Basis {
    duties: Vec<DutyRecord>,
    threshold: i64,
    ranks: HashMap<String, i64>,
}

impl Basis {
    async fn load(app: &App) -> Result<Basis, Failure> {
        let levels: Vec<Severity> = incidents_store::severities(app.store()).await?;
        Ok(Basis {
            duties: store::duties(app.store()).await?,
            threshold: store::threshold(app.store()).await?,
            ranks: levels.into_iter().map(|l| (l.code, l.rank)).collect(),
        })
    }

    fn clocks(
        &self,
        record: &IncidentRecord,
        facts: FactValues,
        sent: &[duties_rules::Sent],
        today: Date,
        calendar: &mamori_domain::calendar::WorkCalendar,
    ) -> Vec<ClockView> {
        let [sensitive, intentional, unauthorised, financial] = facts;
        let facts = Facts {
            personal: record.personal,
            people: record.people,
            threshold: self.threshold,
            sensitive,
            intentional,
            unauthorised,
            financial,
            severity_rank: record
                .severity
                .as_ref()
                .and_then(|s| self.ranks.get(s).copied()),
        };
        let rules: Vec<duties_rules::Duty> = self
            .duties
            .iter()
            .map(|d| duties_rules::Duty {
                id: d.id,
                triggers: d.triggers.clone(),
                unless: d.unless.clone(),
                min_rank: d
                    .min_severity
                    .as_ref()
                    .and_then(|s| self.ranks.get(s).copied()),
                days: d.days,
                count: d.count,
                active: d.active,
            })
            .collect();
        let noticed = japan_date(record.noticed_at);
        duties_rules::clocks(&rules, &facts, noticed, sent, today, calendar)
            .into_iter()
            .filter_map(|c| {
                let duty = self.duties.iter().find(|d| d.id == c.duty_id)?.clone();
                Some(ClockView {
                    duty,
                    due: c.due,
                    state: c.state,
                })
            })
            .collect()
    }
}

/// The outside reports of the incident `view` shows, when the acting person sees it in
/// full (`None` for the reporter's own view).
pub async fn panel(app: &App, view: &View) -> Result<Option<Panel>, Failure> {
    if view.sight != Sight::Full {
        return Ok(None);
    }
    let record = &view.record;
    let basis = Basis::load(app).await?;
    let facts = store::facts(app.store(), record.id).await?;
    let reports = store::reports(app.store(), record.id).await?;
    let sent: Vec<duties_rules::Sent> = reports
        .iter()
        .filter(|r| r.withdrawn_at.is_none())
        .map(|r| duties_rules::Sent {
            duty_id: r.duty_id,
            sent_on: r.sent_on,
        })
        .collect();
    let calendar =
        crate::cycle::calendar::work_calendar(app, japan_date(record.noticed_at)).await?;
    let clocks = basis.clocks(record, facts, &sent, today(), &calendar);
    Ok(Some(Panel {
        incident_id: record.id,
        clocks,
        reports,
        facts,
        threshold: basis.threshold,
        duties: basis.duties.into_iter().filter(|d| d.active).collect(),
        may_handle: view.may_handle,
    }))
}

/// The outside reports of incident `id` (the API's read): as the incident page shows
/// them; `NotFound` for anyone who does not see the incident in full.
pub async fn of(app: &App, acting: &Acting, id: i64) -> Result<Panel, Failure> {
    let view = super::show(app, acting, id).await?;
    panel(app, &view).await?.ok_or(Failure::NotFound)
}

/// The incident, for a handler: the Edit grant, then the incident seen in full.
async fn handled<'a>(
    app: &App,
    acting: &'a Acting,
    id: i64,
    what: &str,
) -> Result<(crate::Permit<'a>, IncidentRecord), Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Edit, what)
        .await?;
    super::fully_seen(app, acting, id).await?;
    Ok((permit, incidents_store::get(app.store(), id).await?))
}

/// Sets the facts that decide the duties; each change is a timeline entry, all in one
/// audit entry. Returns whether anything changed. A closed incident's facts may still
/// be corrected: its clocks stay.
pub async fn set_facts(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &FactsForm,
) -> Result<bool, Failure> {
    let (permit, _) = handled(app, acting, id, "incident.facts").await?;
    let values = form.check()?;
    let before = store::facts(app.store(), id).await?;
    let kinds = [
        EntryKind::Sensitive,
        EntryKind::Intentional,
        EntryKind::Unauthorised,
        EntryKind::Financial,
    ];
    let changes: Vec<Change> = FACT_COLUMNS
        .iter()
        .zip(kinds)
        .zip(before.iter().zip(values.iter()))
        .filter(|(_, (b, a))| b != a)
        .map(|((column, kind), (b, a))| Change {
            column,
            numeric: false,
            kind,
            before: Some(b.as_str().to_owned()),
            after: Some(a.as_str().to_owned()),
        })
        .collect();
    if changes.is_empty() {
        return Ok(false);
    }
    let mut tx = permit.write(app).await?;
    incidents_store::apply(&mut tx, id, "incident.facts", &changes, "").await?;
    tx.commit().await?;
    Ok(true)
}

/// A file sent with a report: its name as sent and its spooled content.
pub type SentFile = (String, Spooled);

/// Records a report made to an outside body, with the file sent (kept on the incident
/// through the file store) in the same write. Returns the report's id.
pub async fn record(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &SentForm,
    file: Option<SentFile>,
) -> Result<i64, Failure> {
    let (permit, record) = handled(app, acting, id, "incident.report_sent").await?;
    let input = form.check(japan_date(record.noticed_at), today())?;
    let recipient = match input.duty_id {
        None => input.recipient.clone(),
        Some(duty) => match store::duty(app.store(), duty).await {
            Ok(d) if d.active => {
                if input.recipient.is_empty() {
                    d.recipient_ja
                } else {
                    input.recipient.clone()
                }
            }
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(Failure::invalid(FieldProblem::new(
                    "duty",
                    "error.invalid_choice",
                )));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let mut tx = permit.write(app).await?;
    let mut attachment_id = None;
    if let Some((name, upload)) = file {
        let file_name = file_rules::file_name(&name);
        let attach = Attach {
            title: format!("{recipient} {}", mamori_store::date_text(input.sent_on))
                .chars()
                .take(200)
                .collect(),
            purpose: Purpose::Other,
            expires_on: None,
        };
        let target = RecordRef::new(RecordKind::Incident, id);
        let attached = files::attach_in(&mut tx, target, &attach, &file_name, &upload).await?;
        attachment_id = Some(attached.attachment_id);
    }
    let report = store::record(&mut tx, id, &input, &recipient, attachment_id).await?;
    tx.commit().await?;
    Ok(report)
}

/// Withdraws a report recorded by mistake, with the reason (it stays, struck through).
/// Returns the incident's id.
pub async fn withdraw(
    app: &App,
    acting: &Acting,
    report: i64,
    reason: &str,
) -> Result<i64, Failure> {
    app.permit(
        acting,
        Register::Incidents,
        Act::Edit,
        "incident.report_withdraw",
    )
    .await?;
    let found = store::report(app.store(), report).await?;
    let (permit, _) = handled(app, acting, found.incident_id, "incident.report_withdraw").await?;
    let reason = rules::check_text("reason", reason)?;
    let mut tx = permit.write(app).await?;
    match store::withdraw(&mut tx, &found, &reason).await {
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "invalid_state",
                "incident_report.error.withdrawn",
            ));
        }
        other => other?,
    }
    tx.commit().await?;
    Ok(found.incident_id)
}

/// The duties, for those who keep them (who handle incidents).
pub async fn duties(app: &App, acting: &Acting) -> Result<Vec<DutyRecord>, Failure> {
    app.permit(acting, Register::Incidents, Act::Edit, "incident.duties")
        .await?;
    Ok(store::duties(app.store()).await?)
}

pub async fn duty(app: &App, acting: &Acting, id: i64) -> Result<DutyRecord, Failure> {
    app.permit(acting, Register::Incidents, Act::Edit, "incident.duties")
        .await?;
    Ok(store::duty(app.store(), id).await?)
}

async fn severity_codes(app: &App) -> Result<Vec<String>, Failure> {
    Ok(incidents_store::severities(app.store())
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect())
}

pub async fn add_duty(app: &App, acting: &Acting, form: &DutyForm) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Edit, "incident.duty_add")
        .await?;
    let input = form.check(&severity_codes(app).await?)?;
    let mut tx = permit.write(app).await?;
    let id = store::add_duty(&mut tx, &input).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a duty (a retired one too: its wording stays readable where it applied).
pub async fn edit_duty(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &DutyForm,
) -> Result<bool, Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Edit, "incident.duty_edit")
        .await?;
    let before = store::duty(app.store(), id).await?;
    let input = form.check(&severity_codes(app).await?)?;
    let mut tx = permit.write(app).await?;
    let changed = store::edit_duty(&mut tx, &before, &input).await?;
    tx.commit().await?;
    Ok(changed)
}

pub async fn retire_duty(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::Incidents,
            Act::Edit,
            "incident.duty_retire",
        )
        .await?;
    store::duty(app.store(), id).await?;
    let mut tx = permit.write(app).await?;
    match store::retire_duty(&mut tx, id).await {
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "invalid_state",
                "incident_report.error.retired",
            ));
        }
        other => other?,
    }
    tx.commit().await?;
    Ok(())
}

/// The people threshold, for those who keep the duties.
pub async fn threshold(app: &App, acting: &Acting) -> Result<i64, Failure> {
    app.permit(acting, Register::Incidents, Act::Edit, "incident.duties")
        .await?;
    Ok(store::threshold(app.store()).await?)
}

/// Sets the people threshold (the setting's change is audited as every setting is).
pub async fn set_threshold(app: &App, acting: &Acting, text: &str) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Edit, "incident.threshold")
        .await?;
    let value = duties_rules::check_threshold(text)?;
    let mut tx = permit.write(app).await?;
    mamori_store::settings::set(&mut tx, store::PEOPLE_THRESHOLD, &value.to_string()).await?;
    tx.commit().await?;
    Ok(value)
}

/// Whether the acting person is shown overdue reports: those who handle incidents and
/// the CISO, who answers for the reports.
fn follows_reports(acting: &Acting) -> bool {
    acting.may(Register::Incidents, Act::Edit) || acting.posts.contains(&OrgRole::Ciso)
}

/// The clocks of `incidents` on `today`, each with its incident.
async fn clocks_of(
    app: &App,
    incidents: &[IncidentRecord],
    today: Date,
) -> Result<Vec<(usize, ClockView)>, Failure> {
    let Some(earliest) = incidents.iter().map(|r| japan_date(r.noticed_at)).min() else {
        return Ok(Vec::new());
    };
    let basis = Basis::load(app).await?;
    if basis.duties.is_empty() {
        return Ok(Vec::new());
    }
    let facts = store::all_facts(app.store()).await?;
    let mut sent: HashMap<i64, Vec<duties_rules::Sent>> = HashMap::new();
    for (incident, duty, sent_on) in store::all_sent(app.store()).await? {
        sent.entry(incident).or_default().push(duties_rules::Sent {
            duty_id: Some(duty),
            sent_on,
        });
    }
    let calendar = crate::cycle::calendar::work_calendar(app, earliest).await?;
    let none = Vec::new();
    let mut out = Vec::new();
    for (at, record) in incidents.iter().enumerate() {
        let Some(f) = facts.get(&record.id) else {
            continue;
        };
        let made = sent.get(&record.id).unwrap_or(&none);
        out.extend(
            basis
                .clocks(record, *f, made, today, &calendar)
                .into_iter()
                .map(|clock| (at, clock)),
        );
    }
    Ok(out)
}

/// How the outside reports of some incidents stand, for the year's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportTally {
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    /// Not yet made, and not yet due.
    pub due: usize,
}

/// The outside reports the duties asked of `incidents`, counted by how they stand today.
pub(crate) async fn tally(app: &App, incidents: &[IncidentRecord]) -> Result<ReportTally, Failure> {
    let mut tally = ReportTally::default();
    for (_, clock) in clocks_of(app, incidents, today()).await? {
        match clock.state {
            ClockState::OnTime { .. } => tally.on_time += 1,
            ClockState::Late { .. } => tally.late += 1,
            ClockState::Overdue { .. } => tally.overdue += 1,
            ClockState::DueIn { .. } => tally.due += 1,
            ClockState::NotApplicable => {}
        }
    }
    Ok(tally)
}

/// Every overdue report of every incident (closed ones too), the longest overdue first,
/// for those who follow reports; empty for everyone else.
pub async fn overdue_for(app: &App, acting: &Acting, today: Date) -> Result<Vec<Overdue>, Failure> {
    if !follows_reports(acting) {
        return Ok(Vec::new());
    }
    let incidents = incidents_store::list(
        app.store(),
        &incidents_store::Filter::all(incidents_store::Reach::All),
    )
    .await?
    .rows;
    let incidents: Vec<IncidentRecord> = incidents.into_iter().map(|(r, _)| r).collect();
    let mut overdue = Vec::new();
    for (at, clock) in clocks_of(app, &incidents, today).await? {
        if let (ClockState::Overdue { days }, Some(due)) = (clock.state, clock.due) {
            let record = &incidents[at];
            overdue.push(Overdue {
                incident_id: record.id,
                number: record.number.clone(),
                title: record.title.clone(),
                duty: clock.duty,
                due,
                days,
            });
        }
    }
    overdue.sort_by(|a, b| b.days.cmp(&a.days).then(a.incident_id.cmp(&b.incident_id)));
    Ok(overdue)
}
