//! What an incident's handling learns, carried into the other registers: links to the
//! assets (devices included), threats and risks involved; a new risk opened from the
//! incident, or a linked risk asked to be reassessed; lessons recorded as corrective
//! actions of the shared register. Each is written with its timeline entry in one
//! transaction; only those who see the whole incident see or change its links.

use mamori_domain::access::{Act, Register};
use mamori_domain::corrective::ActionInput;
use mamori_domain::field::FieldProblem;
use mamori_domain::incident::{self as rules, EntryKind, LinkKind, Stage};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::risk_input::RiskForm;
use mamori_store::StoreError;
use mamori_store::corrective::{ActionFilter, CorrectiveAction};
use mamori_store::incidents::{self as store, Link};

use super::{closed, handled};
use crate::{Acting, App, Failure};

/// A link as the incident's page shows it.
#[derive(Debug, Clone)]
pub struct Linked {
    pub link: Link,
    /// The person may open what it points to (an asset they may see, a risk when they
    /// read the risk register); otherwise only the kind and number are shown.
    pub visible: bool,
}

fn invalid(field: &'static str, key: &'static str) -> Failure {
    Failure::invalid(FieldProblem::new(field, key))
}

/// Whether the acting person may see what a link points to.
async fn may_see_target(
    app: &App,
    acting: &Acting,
    kind: LinkKind,
    id: i64,
) -> Result<bool, Failure> {
    let found = match kind {
        LinkKind::Asset => mamori_store::assets::get(app.store(), acting.viewer(), id)
            .await
            .map(|_| ()),
        LinkKind::Threat => mamori_store::risks::threat(app.store(), id)
            .await
            .map(|_| ()),
        LinkKind::Risk if acting.may(Register::Risks, Act::Read) => {
            mamori_store::risks::risk(app.store(), acting.viewer(), id)
                .await
                .map(|_| ())
        }
        LinkKind::Risk => return Ok(false),
    };
    match found {
        Ok(()) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The incident's links, for those who see all of it (`NotFound` for anyone else).
pub async fn links(app: &App, acting: &Acting, id: i64) -> Result<Vec<Linked>, Failure> {
    super::fully_seen(app, acting, id).await?;
    let mut out = Vec::new();
    for link in store::links(app.store(), id).await? {
        let visible = may_see_target(app, acting, link.kind, link.target_id).await?;
        out.push(Linked { link, visible });
    }
    Ok(out)
}

fn target(kind: &str, target: &str) -> Result<(LinkKind, i64), Failure> {
    rules::link_target(kind, target).map_err(Failure::invalid)
}

/// The name to record on the timeline for a target the person may see.
async fn target_name(
    app: &App,
    acting: &Acting,
    kind: LinkKind,
    id: i64,
) -> Result<String, Failure> {
    let missing = || invalid("target", "incident.error.link_target");
    let name = match kind {
        LinkKind::Asset => mamori_store::assets::get(app.store(), acting.viewer(), id)
            .await
            .map(|a| a.name),
        LinkKind::Threat => mamori_store::risks::threat(app.store(), id)
            .await
            .map(|t| t.name),
        LinkKind::Risk => {
            if !acting.may(Register::Risks, Act::Read) {
                return Err(invalid("target", "incident.error.risk_register"));
            }
            mamori_store::risks::risk(app.store(), acting.viewer(), id)
                .await
                .map(|r| r.title)
        }
    };
    match name {
        Ok(name) => Ok(name),
        Err(StoreError::NotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

/// Links the incident to an asset, a threat or a risk the handler may see.
pub async fn link(
    app: &App,
    acting: &Acting,
    id: i64,
    kind: &str,
    to: &str,
) -> Result<(), Failure> {
    let (permit, _) = handled(app, acting, id, "incident.link").await?;
    let (kind, target) = target(kind, to)?;
    let name = target_name(app, acting, kind, target).await?;
    let mut tx = permit.write(app).await?;
    match store::add_link(&mut tx, id, kind, target, &name).await {
        Err(StoreError::Conflict(_)) => {
            return Err(invalid("target", "incident.error.already_linked"));
        }
        other => other?,
    }
    tx.commit().await?;
    Ok(())
}

/// Removes a link.
pub async fn unlink(
    app: &App,
    acting: &Acting,
    id: i64,
    kind: &str,
    to: &str,
) -> Result<(), Failure> {
    let (permit, _) = handled(app, acting, id, "incident.unlink").await?;
    let (kind, target) = target(kind, to)?;
    let name = store::links(app.store(), id)
        .await?
        .into_iter()
        .find(|l| l.kind == kind && l.target_id == target)
        .ok_or_else(|| invalid("target", "incident.error.not_linked"))?
        .name
        .unwrap_or_default();
    let mut tx = permit.write(app).await?;
    store::remove_link(&mut tx, id, kind, target, &name).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks that a linked risk be reassessed in the light of the incident; the security
/// officers (who reassess risks) are told.
pub async fn ask_reassessment(
    app: &App,
    acting: &Acting,
    id: i64,
    risk: &str,
    reason: &str,
) -> Result<(), Failure> {
    let (permit, record) = handled(app, acting, id, "incident.reassessment").await?;
    let (_, risk) = target(LinkKind::Risk.as_str(), risk)?;
    let reason = rules::check_text("reason", reason)?;
    let linked = store::links(app.store(), id)
        .await?
        .into_iter()
        .find(|l| l.kind == LinkKind::Risk && l.target_id == risk)
        .ok_or_else(|| invalid("target", "incident.error.not_linked"))?;
    // One request at a time: asking again while the first waits would add nothing.
    if linked.reassess_asked_at.is_some() && !linked.reassessed {
        return Err(invalid("reason", "incident.error.already_asked"));
    }
    let officers = mamori_store::approvals::holders(
        app.store(),
        &[mamori_domain::user::Role::SecurityOfficer.as_str()],
        &[],
        None,
    )
    .await?;
    let mut tx = permit.write(app).await?;
    store::ask_reassessment(&mut tx, id, risk, &reason).await?;
    if !officers.is_empty() {
        crate::notifications::notify(
            &mut tx,
            crate::notifications::Notice {
                recipients: officers,
                kind: crate::notifications::NoticeKind::RiskReassessment,
                title: format!(
                    "{} {}",
                    record.number,
                    linked.name.unwrap_or_else(|| format!("#{risk}"))
                ),
                link: format!("/risks/{risk}"),
                urgent: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A new risk's form filled from the incident: its title, category and linked assets.
pub async fn risk_draft(app: &App, acting: &Acting, id: i64) -> Result<RiskForm, Failure> {
    let (_, record) = handled(app, acting, id, "incident.open_risk").await?;
    let assets = store::links(app.store(), id)
        .await?
        .into_iter()
        .filter(|l| l.kind == LinkKind::Asset)
        .map(|l| l.target_id.to_string())
        .collect();
    Ok(RiskForm {
        title: record.title,
        threat: record.threat_id.map(|t| t.to_string()).unwrap_or_default(),
        asset_ids: assets,
        ..RiskForm::default()
    })
}

/// Registers a risk the incident revealed, linked to it, in one transaction. The
/// handler must also be one who registers risks (the security officer).
pub async fn open_risk(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &RiskForm,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "incident.open_risk")
        .await?;
    handled(app, acting, id, "incident.open_risk").await?;
    let (input, matrix) = crate::risks::register::checked_new(app, acting, form).await?;
    let mut tx = permit.write(app).await?;
    let risk = mamori_store::risks::create_risk(&mut tx, &input, &matrix).await?;
    store::add_link(&mut tx, id, LinkKind::Risk, risk, &input.title).await?;
    tx.commit().await?;
    Ok(risk)
}

/// Records a lesson of the incident as a corrective action of the shared register,
/// its source the incident, with a timeline entry; the action's id.
pub async fn add_lesson(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &ActionInput,
) -> Result<i64, Failure> {
    let (permit, record) = handled(app, acting, id, "incident.lesson").await?;
    if record.stage == Stage::Closed {
        return Err(closed());
    }
    let action = crate::cycle::actions::checked(app, input).await?;
    let mut tx = permit.write(app).await?;
    let source = RecordRef::new(RecordKind::Incident, id);
    let action_id = mamori_store::corrective::create(&mut tx, &action, Some(source)).await?;
    store::add_entry(
        &mut tx,
        id,
        EntryKind::Lesson,
        &action.title,
        None,
        Some(&action_id.to_string()),
    )
    .await?;
    tx.audit(
        mamori_store::AuditEntry::new("incident.lesson", "incident")
            .target(id)
            .change("action_id", None::<i64>, action_id),
    )
    .await?;
    tx.commit().await?;
    Ok(action_id)
}

/// The corrective actions recorded from the incident (for those who see all of it).
pub async fn lessons(
    app: &App,
    acting: &Acting,
    id: i64,
) -> Result<Vec<CorrectiveAction>, Failure> {
    super::fully_seen(app, acting, id).await?;
    Ok(mamori_store::corrective::list(
        app.store(),
        &ActionFilter {
            source: Some(RecordRef::new(RecordKind::Incident, id)),
            ..ActionFilter::default()
        },
    )
    .await?)
}

/// The incidents linked to an asset, threat or risk, for the page of that record: only
/// for those who see every incident (anyone else learns of none).
pub async fn linked_to(
    app: &App,
    acting: &Acting,
    kind: LinkKind,
    target: i64,
) -> Result<Vec<Link>, Failure> {
    if !acting.may(Register::Incidents, Act::SeeAll) {
        return Ok(Vec::new());
    }
    Ok(store::linked_to(app.store(), kind, target).await?)
}

/// The threats of the catalogue not retired, offered to handlers as a category or a
/// link (handlers need not read the threat register itself).
pub async fn categories(
    app: &App,
    acting: &Acting,
) -> Result<Vec<mamori_store::risks::Threat>, Failure> {
    app.permit(
        acting,
        Register::Incidents,
        Act::Edit,
        "incident.categories",
    )
    .await?;
    let mut threats = mamori_store::risks::threats(app.store()).await?;
    threats.retain(|t| t.retired_at.is_none());
    Ok(threats)
}

/// The risks a handler who reads the risk register may link (none for anyone else).
pub async fn linkable_risks(
    app: &App,
    acting: &Acting,
) -> Result<Vec<mamori_store::risks::RiskRecord>, Failure> {
    if !acting.may(Register::Risks, Act::Read) {
        return Ok(Vec::new());
    }
    Ok(mamori_store::risks::risks(app.store(), acting.viewer()).await?)
}

/// Active people who may own a lesson's action, for a handler.
pub async fn lesson_owners(
    app: &App,
    acting: &Acting,
) -> Result<Vec<mamori_store::users::User>, Failure> {
    app.permit(acting, Register::Incidents, Act::Edit, "incident.lesson")
        .await?;
    crate::users::active_accounts(app).await
}

/// "2026-003 title" of an incident the acting person handles (for the risk form).
pub async fn incident_name(app: &App, acting: &Acting, id: i64) -> Result<String, Failure> {
    let (_, record) = handled(app, acting, id, "incident.open_risk").await?;
    Ok(format!("{} {}", record.number, record.title))
}
