//! What each kind of subject does with a decision: the small dispatch that lets a
//! register use the approval block without the block knowing the register. A new
//! register adds its kind (`mamori_domain::record::RecordKind`), a `Subject` here and an
//! arm in [`subject`].

use std::future::Future;
use std::pin::Pin;

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::{CheckedDecision, Decision};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::RecordKind;
use mamori_domain::risk::{AcceptanceRefusal, check_acceptance};
use mamori_store::approvals::Request;
use mamori_store::{AuditEntry, StoreError, WriteTx};

use crate::{Acting, App, Failure, today};

pub(crate) type Step<'a, T> = Pin<Box<dyn Future<Output = Result<T, Failure>> + Send + 'a>>;

/// The register's side of a request about one of its records.
pub(crate) trait Subject: Sync {
    /// Whether `acting` may read the subject in its register (they then see its
    /// approval history).
    fn may_read<'a>(
        &'a self,
        app: &'a App,
        acting: &'a Acting,
        request: &'a Request,
    ) -> Step<'a, bool>;

    /// The register's own conditions on a decision, checked before anything is written.
    fn check<'a>(
        &'a self,
        _app: &'a App,
        _request: &'a Request,
        _decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    /// What the decision does to the subject, in the decision's transaction.
    fn decided<'a>(
        &'a self,
        tx: &'a mut WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> Step<'a, ()>;

    /// Whether a request sent back or rejected still waits for its requester to send
    /// the subject again (a policy draft); `None` when the subject is never sent again
    /// (a take-out or a proposal is made anew), so the requester is told for a while.
    fn still_open<'a>(&'a self, _app: &'a App, _request: &'a Request) -> Step<'a, Option<bool>> {
        Box::pin(async { Ok(None) })
    }

    /// What withdrawing the request does to the subject.
    fn withdrawn<'a>(&'a self, _tx: &'a mut WriteTx, _request: &'a Request) -> Step<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

/// The handler of a kind of subject.
pub(crate) fn subject(kind: RecordKind) -> &'static dyn Subject {
    match kind {
        RecordKind::PolicyVersion => &PolicyVersion,
        RecordKind::AssetTakeout => &AssetTakeout,
        RecordKind::RiskAcceptance => &RiskAcceptance,
        RecordKind::Exception => &crate::exceptions::ExceptionSubject,
        RecordKind::Redaction => &crate::retention::RedactionSubject,
        RecordKind::TrainingPlan => &crate::training::PlanSubject,
        RecordKind::PolicyDocument
        | RecordKind::Asset
        | RecordKind::Risk
        | RecordKind::CorrectiveAction
        | RecordKind::AwarenessNotice
        | RecordKind::TrainingSession
        | RecordKind::TrainingAttendance
        | RecordKind::Pledge
        | RecordKind::Incident => &NotDecided,
    }
}

/// A kind of record nothing asks to have decided: no request can name it, and one that
/// did (a hand-edited database) is seen by oversight only and decides nothing.
struct NotDecided;

impl Subject for NotDecided {
    fn may_read<'a>(
        &'a self,
        _app: &'a App,
        _acting: &'a Acting,
        _request: &'a Request,
    ) -> Step<'a, bool> {
        Box::pin(async { Ok(false) })
    }

    fn decided<'a>(
        &'a self,
        _tx: &'a mut WriteTx,
        _request: &'a Request,
        _decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async {
            Err(Failure::conflict(
                "invalid_state",
                "approval.error.already_decided",
            ))
        })
    }
}

/// A policy version's 決裁: approving it makes the draft approved (ready to publish); a
/// draft sent back or rejected stays a draft, which its author withdraws or replaces.
struct PolicyVersion;

impl Subject for PolicyVersion {
    fn still_open<'a>(&'a self, app: &'a App, request: &'a Request) -> Step<'a, Option<bool>> {
        Box::pin(async move {
            let version = mamori_store::policies::version(app.store(), request.subject.id).await?;
            Ok(Some(
                version.summary.status == mamori_domain::policy_lifecycle::VersionStatus::Draft,
            ))
        })
    }

    fn may_read<'a>(
        &'a self,
        _app: &'a App,
        acting: &'a Acting,
        _request: &'a Request,
    ) -> Step<'a, bool> {
        Box::pin(async move { Ok(acting.may(Register::Policies, Act::Read)) })
    }

    fn decided<'a>(
        &'a self,
        tx: &'a mut WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async move {
            if decision.decision != Decision::Approve {
                return Ok(());
            }
            mamori_store::policies::mark_approved(
                tx,
                request.subject.id,
                decision.decided_on,
                &decision.reason,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    Failure::conflict("invalid_state", "policy.error.not_draft")
                }
                other => other.into(),
            })
        })
    }
}

/// A take-out: the request is its approval; the asset's history records the decision.
struct AssetTakeout;

impl Subject for AssetTakeout {
    fn may_read<'a>(
        &'a self,
        app: &'a App,
        acting: &'a Acting,
        request: &'a Request,
    ) -> Step<'a, bool> {
        Box::pin(async move {
            let Some(asset_id) = request.subject_parent_id else {
                return Ok(false);
            };
            if !acting.may(Register::Assets, Act::Read) {
                return Ok(false);
            }
            match mamori_store::assets::get(app.store(), acting.viewer(), asset_id).await {
                Ok(_) => Ok(true),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn decided<'a>(
        &'a self,
        tx: &'a mut WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async move {
            let asset_id = request.subject_parent_id.unwrap_or_default();
            tx.audit(
                AuditEntry::new("asset.event_decide", "asset")
                    .target(asset_id)
                    .change("event_id", None::<i64>, request.subject.id)
                    .change("approval", "pending", decision.decision.state().as_str())
                    .change("approval_request", None::<i64>, request.id)
                    .change("note", None::<&str>, decision.reason.as_str()),
            )
            .await?;
            Ok(())
        })
    }
}

/// A risk acceptance: accepting needs a reason on record and an expiry still ahead.
struct RiskAcceptance;

impl Subject for RiskAcceptance {
    fn may_read<'a>(
        &'a self,
        _app: &'a App,
        acting: &'a Acting,
        _request: &'a Request,
    ) -> Step<'a, bool> {
        Box::pin(async move { Ok(acting.may(Register::Risks, Act::Read)) })
    }

    fn check<'a>(
        &'a self,
        app: &'a App,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async move {
            if decision.decision != Decision::Approve {
                return Ok(());
            }
            let acceptance =
                mamori_store::risks::acceptance(app.store(), request.subject.id).await?;
            // Who decides was checked by the block; here only the record's own conditions.
            match check_acceptance(
                true,
                None,
                0,
                &acceptance.reason,
                acceptance.expires_on,
                crate::japan_date(acceptance.created_at),
                today(),
            ) {
                Ok(()) | Err(AcceptanceRefusal::NotCiso | AcceptanceRefusal::OwnProposal) => Ok(()),
                Err(AcceptanceRefusal::Lapsed) => Err(Failure::invalid(
                    FieldProblem::new("expires_on", "risk.register_error.expiry_lapsed")
                        .with("date", acceptance.expires_on),
                )),
                Err(AcceptanceRefusal::NoReason) => Err(Failure::invalid(FieldProblem::new(
                    "reason",
                    "risk.register_error.no_reason",
                ))),
            }
        })
    }

    fn decided<'a>(
        &'a self,
        tx: &'a mut WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> Step<'a, ()> {
        Box::pin(async move {
            let status = match decision.decision {
                Decision::Approve => "accepted",
                Decision::Return => "returned",
                Decision::Reject => "rejected",
            };
            tx.audit(
                AuditEntry::new("risk.accept_decide", "risk")
                    .target(request.subject_parent_id.unwrap_or_default())
                    .change("acceptance_id", None::<i64>, request.subject.id)
                    .change("status", "pending", status)
                    .change("approval_request", None::<i64>, request.id)
                    .change("note", None::<&str>, decision.reason.as_str()),
            )
            .await?;
            Ok(())
        })
    }
}
