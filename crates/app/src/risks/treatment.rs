//! Treating a risk: actions (added, completed) and acceptances (proposed by the
//! security officer, decided by the CISO — never by the person who proposed it).

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::risk::{AcceptanceRefusal, check_acceptance};
use mamori_domain::risk_input::{AcceptanceForm, ActionForm, check_done_on};
use mamori_store::StoreError;
use mamori_store::risks as store;

use super::register::is_active_user;
use mamori_domain::record::{RecordKind, RecordRef};

use crate::{Acting, App, Failure, Outcome, approvals, japan_date, today};

/// Adds a treatment action to a risk; the action's id.
pub async fn add_action(
    app: &App,
    acting: &Acting,
    risk_id: i64,
    form: &ActionForm,
) -> Outcome<i64> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risks.add_action")
        .await?;
    store::risk(app.store(), acting.viewer(), risk_id).await?;
    let owner_active =
        is_active_user(app, mamori_domain::risk_input::named_owner(&form.owner)).await?;
    let input = form.check(owner_active)?;
    // A due date is ahead; one already past is kept only when the person says so.
    crate::confirm_future_dates(form.confirm_past_dates, &[("due_on", &form.due_on)])?;
    let mut tx = permit.write(app).await?;
    let id = store::add_action(
        &mut tx,
        risk_id,
        &input.description,
        input.owner_id,
        input.due_on,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn already_done() -> Failure {
    Failure::conflict("already_done", "risk.register_error.action_done")
}

/// Marks an action of `risk_id` done on `done_on` as typed (today when empty).
pub async fn complete_action(
    app: &App,
    acting: &Acting,
    risk_id: i64,
    action_id: i64,
    done_on: &str,
) -> Outcome<()> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risks.complete_action")
        .await?;
    let actions = store::actions(app.store(), risk_id).await?;
    let Some(action) = actions.iter().find(|a| a.id == action_id) else {
        return Err(Failure::NotFound);
    };
    if action.done_on.is_some() {
        return Err(already_done());
    }
    let done_on = check_done_on(done_on, today())?;
    let mut tx = permit.write(app).await?;
    match store::complete_action(&mut tx, action_id, done_on).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(already_done()),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}

/// Proposes to accept a risk, with a reason and an expiry, sent to the CISO chosen in
/// `send` (any CISO when none) with its note; the acceptance's id.
pub async fn propose_acceptance(
    app: &App,
    acting: &Acting,
    risk_id: i64,
    form: &AcceptanceForm,
    send: &approvals::SendInput,
) -> Outcome<i64> {
    let permit = app
        .permit(
            acting,
            Register::Risks,
            Act::Edit,
            "risks.propose_acceptance",
        )
        .await?;
    let risk = store::risk(app.store(), acting.viewer(), risk_id).await?;
    let input = form.check()?;
    // An expiry is ahead; one already past is kept only when the person says so.
    crate::confirm_future_dates(form.confirm_past_dates, &[("expires_on", &form.expires_on)])?;
    let send = approvals::check_send(app, acting, Register::Risks, send).await?;
    let mut tx = permit.write(app).await?;
    let id = store::propose_acceptance(&mut tx, risk_id, &input.reason, input.expires_on).await?;
    // The CISO chosen is asked, through the approval block.
    let note = if send.note.is_empty() {
        &input.reason
    } else {
        &send.note
    };
    approvals::open_in(
        app,
        &mut tx,
        approvals::NewRequest {
            subject: RecordRef::new(RecordKind::RiskAcceptance, id),
            parent_id: Some(risk_id),
            title: &risk.title,
            asked: send.asked,
            note,
            due_on: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Why a decision was refused to someone who holds the grant to decide.
pub const OWN_PROPOSAL: &str = "risks.decide_own";

/// The CISO's decision on a pending acceptance of `risk_id`. Someone without the grant
/// is refused (recorded); so is the CISO who proposed it ([`OWN_PROPOSAL`] in the audit
/// trail). Accepting needs a reason on record and an expiry still ahead; a rejection
/// needs neither.
pub async fn decide_acceptance(
    app: &App,
    acting: &Acting,
    risk_id: i64,
    acceptance_id: i64,
    accept: bool,
    note: &str,
) -> Outcome<()> {
    let permit = app
        .permit(
            acting,
            Register::Risks,
            Act::Decide,
            "risks.decide_acceptance",
        )
        .await?;
    let acceptance = store::acceptance(app.store(), acceptance_id).await?;
    if acceptance.risk_id != risk_id {
        return Err(Failure::NotFound);
    }
    let expires_on = acceptance.expires_on;
    // The system (command line) decides as nobody in particular: never its own proposal.
    let me = acting.user_id().unwrap_or(0);
    let checked = check_acceptance(
        true,
        acceptance.proposed_by,
        me,
        &acceptance.reason,
        expires_on,
        japan_date(acceptance.created_at),
        today(),
    );
    match checked {
        Ok(()) => {}
        Err(AcceptanceRefusal::NotCiso | AcceptanceRefusal::OwnProposal) => {
            app.record_denial(acting, OWN_PROPOSAL).await;
            return Err(Failure::Denied {
                register: Register::Risks,
                act: Act::Decide,
            });
        }
        Err(_) if !accept => {}
        Err(AcceptanceRefusal::Lapsed) => {
            return Err(Failure::invalid(
                FieldProblem::new("expires_on", "risk.register_error.expiry_lapsed")
                    .with("date", expires_on),
            ));
        }
        Err(AcceptanceRefusal::NoReason) => {
            return Err(Failure::invalid(FieldProblem::new(
                "reason",
                "risk.register_error.no_reason",
            )));
        }
    }
    // The decision is the acceptance's approval request's, decided through the block.
    let subject = RecordRef::new(RecordKind::RiskAcceptance, acceptance_id);
    let Some(request) = approvals::pending_for(app, subject).await? else {
        return Err(Failure::conflict(
            "already_decided",
            "risk.register_error.already_decided",
        ));
    };
    let input = approvals::legacy_decision(accept, note, "");
    approvals::decide_request(app, acting, &permit, request, &input)
        .await
        .map_err(approvals::reason_as_note)?;
    Ok(())
}
