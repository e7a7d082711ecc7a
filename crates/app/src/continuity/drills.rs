//! Drills (訓練): a training session of a course of kind drill (attendance is counted by
//! the organisation register) gains what it exercised — a scenario of the published
//! emergency response plan and the critical services — how it went, and findings, each
//! a corrective action of the shared register whose source is the session.

use mamori_domain::continuity::DrillForm;
use mamori_domain::corrective::ActionInput;
use mamori_domain::policy_lifecycle::PolicyKind;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::training::CourseKind;
use mamori_store::StoreError;
use mamori_store::continuity::{self as store, Drill, Service};
use mamori_store::corrective::{ActionFilter, CorrectiveAction};
use mamori_store::training::SessionRecord;

use super::{edit_gate, read_gate, reads};
use crate::{Acting, App, Failure};
use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::FiscalYear;

/// A scenario of a published response plan, to choose from.
#[derive(Debug, Clone)]
pub struct ScenarioChoice {
    pub id: i64,
    pub plan_title: String,
    pub title: String,
}

/// A drill session with its record, for its page.
#[derive(Debug, Clone)]
pub struct DrillView {
    pub session: SessionRecord,
    pub record: Option<Drill>,
    pub scenarios: Vec<ScenarioChoice>,
    /// The active services, and retired ones the record names.
    pub services: Vec<Service>,
    /// The findings the reader may see (corrective actions from the session).
    pub findings: Vec<CorrectiveAction>,
    pub may_edit: bool,
    /// The reader may turn a finding into a corrective action (the actions register's
    /// grant).
    pub may_add_finding: bool,
}

/// A drill of a 年度 in the continuity page's list.
#[derive(Debug, Clone)]
pub struct DrillLine {
    pub session: SessionRecord,
    pub record: Option<Drill>,
    pub findings: usize,
}

/// The scenarios of every published response plan.
async fn scenarios(app: &App) -> Result<Vec<ScenarioChoice>, Failure> {
    let mut choices = Vec::new();
    for document in mamori_store::policies::documents(app.store()).await? {
        if document.kind != PolicyKind::ResponsePlan {
            continue;
        }
        let Some(version) = mamori_store::policies::published(app.store(), document.id).await?
        else {
            continue;
        };
        for s in mamori_store::response_plan::scenarios(app.store(), version.summary.id).await? {
            choices.push(ScenarioChoice {
                id: s.id,
                plan_title: document.title.clone(),
                title: s.scenario.title,
            });
        }
    }
    Ok(choices)
}

async fn drill_session(app: &App, id: i64) -> Result<SessionRecord, Failure> {
    let session = mamori_store::training::session(app.store(), id).await?;
    if session.kind != CourseKind::Drill {
        return Err(Failure::NotFound);
    }
    Ok(session)
}

async fn findings(app: &App, acting: &Acting, id: i64) -> Result<Vec<CorrectiveAction>, Failure> {
    let filter = ActionFilter {
        source: Some(RecordRef::new(RecordKind::TrainingSession, id)),
        ..ActionFilter::default()
    };
    Ok(mamori_store::corrective::list(app.store(), &filter)
        .await?
        .into_iter()
        .filter(|a| crate::cycle::actions::may_see(acting, a))
        .collect())
}

/// Whether a session is a drill the acting person reads (the corrective actions of its
/// findings name it as their source).
pub(crate) async fn readable(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    drill_session(app, id).await?;
    if !reads(acting) {
        return Err(Failure::NotFound);
    }
    Ok(())
}

/// The drill section of session `id`: None when the session is not a drill or the
/// reader does not read the continuity plan (the session page is the training
/// register's).
pub async fn drill(app: &App, acting: &Acting, id: i64) -> Result<Option<DrillView>, Failure> {
    if !reads(acting) {
        return Ok(None);
    }
    let session = match drill_session(app, id).await {
        Ok(s) => s,
        Err(Failure::NotFound) | Err(Failure::Store(StoreError::NotFound)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let record = store::drill(app.store(), id).await?;
    let named = record
        .as_ref()
        .map(|r| r.services.clone())
        .unwrap_or_default();
    Ok(Some(DrillView {
        session,
        scenarios: scenarios(app).await?,
        services: store::services(app.store())
            .await?
            .into_iter()
            .filter(|s| !s.retired || named.contains(&s.id))
            .collect(),
        findings: findings(app, acting, id).await?,
        may_edit: acting.may(Register::Continuity, Act::Edit),
        may_add_finding: acting.may(Register::Continuity, Act::Edit)
            && acting.may(Register::Actions, Act::Edit),
        record,
    }))
}

/// The drills of `fy` (training sessions of kind drill, cancelled ones left out), with
/// their records.
pub async fn drills_of_year(
    app: &App,
    acting: &Acting,
    fy: FiscalYear,
) -> Result<Vec<DrillLine>, Failure> {
    read_gate(app, acting, "continuity.drills").await?;
    let records = store::drills(app.store()).await?;
    let mut lines = Vec::new();
    for session in mamori_store::training::sessions_of_year(app.store(), fy.year()).await? {
        if session.kind != CourseKind::Drill || session.cancelled_at.is_some() {
            continue;
        }
        lines.push(DrillLine {
            record: records.iter().find(|r| r.session_id == session.id).cloned(),
            findings: findings(app, acting, session.id).await?.len(),
            session,
        });
    }
    Ok(lines)
}

/// Records (again) what a drill exercised and how it went.
pub async fn save_drill(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &DrillForm,
) -> Result<(), Failure> {
    let permit = edit_gate(app, acting, "continuity.drill_save").await?;
    drill_session(app, id).await?;
    let scenarios: Vec<i64> = scenarios(app).await?.iter().map(|s| s.id).collect();
    let before = store::drill(app.store(), id).await?;
    // A scenario already recorded stays a valid choice after the plan's next version.
    let mut allowed = scenarios;
    if let Some(s) = before.as_ref().and_then(|b| b.scenario_id) {
        allowed.push(s);
    }
    let services: Vec<i64> = store::services(app.store())
        .await?
        .iter()
        .filter(|s| !s.retired || before.as_ref().is_some_and(|b| b.services.contains(&s.id)))
        .map(|s| s.id)
        .collect();
    let input = form.check(&allowed, &services)?;
    // Saved twice (a second click), the same record writes nothing more.
    if before.as_ref().is_some_and(|b| {
        b.scenario_id == input.scenario_id
            && b.services == input.services
            && b.went_well == input.went_well
            && b.went_badly == input.went_badly
    }) {
        return Ok(());
    }
    let mut tx = permit.write(app).await?;
    store::save_drill(&mut tx, id, before.as_ref(), &input).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns a finding of drill `id` into a corrective action of the shared register; its id.
pub async fn add_finding(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &ActionInput,
) -> Result<i64, Failure> {
    edit_gate(app, acting, "continuity.finding").await?;
    drill_session(app, id).await?;
    crate::cycle::actions::create(
        app,
        acting,
        input,
        Some(RecordRef::new(RecordKind::TrainingSession, id)),
    )
    .await
}
