//! Lifecycle records of an asset and their decisions: a holder records take-outs and
//! returns of what they hold, the register's keepers any kind; a take-out of a level
//! that needs approval waits for someone who may decide — never the one who asked.

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{Approval, EventInput, check_event_for, recordable_kinds};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_store::assets as store;
use mamori_store::assets::EventRecord;

use super::{is_keeper, may_record};
use crate::{Acting, App, Failure, Refusal, approvals};

/// The lifecycle records of an asset the acting person may see, newest first.
pub async fn events(
    app: &App,
    acting: &Acting,
    asset_id: i64,
) -> Result<Vec<EventRecord>, Failure> {
    super::get(app, acting, asset_id).await?;
    Ok(store::events(app.store(), asset_id).await?)
}

/// Records a lifecycle event (take-out, return, lending, transfer, provision,
/// publication, disposal) on an asset and returns it. A take-out that needs approval is
/// sent to the decider chosen in `send` (any who decides take-outs when none), with its
/// note; `send` is not read for anything else.
pub async fn record_event(
    app: &App,
    acting: &Acting,
    asset_id: i64,
    input: &EventInput,
    send: &approvals::SendInput,
) -> Result<EventRecord, Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Read, "assets.record_event")
        .await?;
    let asset = store::get(app.store(), acting.viewer(), asset_id).await?;
    if !may_record(acting, &asset) {
        app.record_denial(acting, "assets.record_event").await;
        return Err(Failure::Denied {
            register: Register::Assets,
            act: Act::Edit,
        });
    }
    let scheme = mamori_store::classification::active(app.store()).await?;
    let event = input.check(recordable_kinds(is_keeper(acting)))?;
    // The day an item is to come back is ahead; one already past is likely a slip.
    crate::confirm_future_dates(input.confirm_past_dates, &[("due_back", &input.due_back)])?;
    let approval = check_event_for(&event, asset.status, asset.confidentiality_id, &scheme)?;
    let send = if approval == Approval::Pending {
        Some(approvals::check_send(app, acting, Register::Assets, send).await?)
    } else {
        None
    };
    let mut tx = permit.write(app).await?;
    let id = store::record_event(&mut tx, asset_id, &event, approval).await?;
    if let Some(send) = send {
        // The take-out waits for the one chosen (or whoever decides take-outs), before
        // the day it happens.
        let note = if send.note.is_empty() {
            &event.notes
        } else {
            &send.note
        };
        approvals::open_in(
            app,
            &mut tx,
            approvals::NewRequest {
                subject: RecordRef::new(RecordKind::AssetTakeout, id),
                parent_id: Some(asset_id),
                title: &asset.name,
                asked: send.asked,
                note,
                due_on: Some(event.occurred_on),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(store::event(app.store(), id).await?)
}

/// A decision on a pending take-out, as typed.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// `approve` or `reject`.
    pub decision: String,
    pub note: String,
}

impl Decision {
    fn read(&self) -> Result<(bool, String), Failure> {
        let approve = match self.decision.trim() {
            "approve" => true,
            "reject" => false,
            _ => {
                return Err(Failure::invalid(FieldProblem::new(
                    "decision",
                    "decision.error.choose",
                )));
            }
        };
        let note = match mamori_domain::text::single_line(&self.note, 500) {
            Ok(note) => note,
            Err(mamori_domain::text::TextProblem::Empty) => String::new(),
            Err(p) => return Err(Failure::invalid(FieldProblem::text("note", p))),
        };
        Ok((approve, note))
    }
}

/// Approves or rejects a pending take-out on an asset. Nobody decides their own request
/// (403, recorded); a record already decided is a conflict.
pub async fn decide_event(
    app: &App,
    acting: &Acting,
    asset_id: i64,
    event_id: i64,
    decision: &Decision,
) -> Result<EventRecord, Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Decide, "assets.decide_event")
        .await?;
    store::get(app.store(), acting.viewer(), asset_id).await?;
    let event = store::event(app.store(), event_id).await?;
    if event.asset_id != asset_id {
        return Err(Failure::NotFound);
    }
    if let (Some(by), Some(me)) = (event.recorded_by_id, acting.user_id())
        && !mamori_domain::user::may_approve(by, me)
    {
        app.record_denial(acting, "assets.decide_own").await;
        return Err(Failure::Denied {
            register: Register::Assets,
            act: Act::Decide,
        });
    }
    let (approve, note) = decision.read()?;
    // The decision is the take-out's approval request's, decided through the block.
    let subject = RecordRef::new(RecordKind::AssetTakeout, event_id);
    let Some(request) = approvals::pending_for(app, subject).await? else {
        return Err(Failure::Conflict(Refusal::new(
            "already_decided",
            "asset.error.already_decided",
        )));
    };
    let input = approvals::legacy_decision(approve, &note, "");
    approvals::decide_request(app, acting, &permit, request, &input)
        .await
        .map_err(approvals::reason_as_note)?;
    Ok(store::event(app.store(), event_id).await?)
}
