//! The 年度's training plan (研修計画): drafted by the secretariat, decided by the
//! information-security committee through an approval request that its chair records
//! (with the minute's reference), sent back to a draft to be corrected and asked again.

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::{Asked, CheckedDecision, Decision, State as ApprovalState};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::training as rules;
use mamori_store::StoreError;
use mamori_store::approvals::Request;
use mamori_store::training as store;

use super::{FiscalYear, PlanRecord};
use crate::approvals::{self, NewRequest};
use crate::{Acting, App, Failure};

fn subject(id: i64) -> RecordRef {
    RecordRef::new(RecordKind::TrainingPlan, id)
}

/// A plan with its approval history.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub fiscal_year: FiscalYear,
    pub record: Option<PlanRecord>,
    pub history: Vec<Request>,
    pub pending_request: Option<i64>,
    /// The acting person may write the draft and ask for the decision.
    pub may_edit: bool,
}

pub async fn plan(app: &App, acting: &Acting, fy: FiscalYear) -> Result<PlanView, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.plan")
        .await?;
    let record = store::plan_of_year(app.store(), fy.year()).await?;
    let history = match &record {
        Some(r) => approvals::history(app, acting, subject(r.id)).await?,
        None => Vec::new(),
    };
    let pending_request = history
        .iter()
        .rev()
        .find(|r| r.state == ApprovalState::Pending)
        .map(|r| r.id);
    Ok(PlanView {
        fiscal_year: fy,
        may_edit: acting.may(Register::Training, Act::Edit)
            && record.as_ref().is_none_or(|r| r.status == "draft"),
        record,
        history,
        pending_request,
    })
}

/// Writes the draft of a 年度's plan (new, or corrected while a draft).
pub async fn save_plan(
    app: &App,
    acting: &Acting,
    fy: FiscalYear,
    summary: &str,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.plan_save")
        .await?;
    let summary = rules::check_plan(summary).map_err(Failure::invalid)?;
    let mut tx = permit.write(app).await?;
    let id = store::save_plan(&mut tx, fy.year(), &summary)
        .await
        .map_err(not_a_draft)?;
    tx.commit().await?;
    Ok(id)
}

fn not_a_draft(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict(_) => {
            Failure::conflict("invalid_state", "training.error.plan_not_draft")
        }
        other => other.into(),
    }
}

/// Asks the committee to decide the draft plan of a 年度; the chair records it.
pub async fn ask_plan(app: &App, acting: &Acting, fy: FiscalYear) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.plan_ask")
        .await?;
    let Some(plan) = store::plan_of_year(app.store(), fy.year()).await? else {
        return Err(Failure::invalid(FieldProblem::new(
            "summary",
            "training.error.no_plan",
        )));
    };
    let mut tx = permit.write(app).await?;
    store::set_plan_status(&mut tx, plan.id, "draft", "asked")
        .await
        .map_err(not_a_draft)?;
    // Stored once, in the default language, as other requests' titles are.
    let title = crate::i18n::JA
        .get("training.plan_request_title")
        .map(|t| t.replace("{year}", &fy.year().to_string()))
        .unwrap_or_default();
    approvals::open_in(
        app,
        &mut tx,
        NewRequest {
            subject: subject(plan.id),
            parent_id: None,
            title: &title,
            asked: Asked::Committee,
            note: "",
            due_on: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(plan.id)
}

/// The plan as the subject of its approval request: approved, it is the 年度's plan;
/// sent back, rejected or withdrawn, it is a draft again.
pub struct PlanSubject;

impl approvals::Subject for PlanSubject {
    fn may_read<'a>(
        &'a self,
        _app: &'a App,
        acting: &'a Acting,
        _request: &'a Request,
    ) -> approvals::Step<'a, bool> {
        Box::pin(async move { Ok(acting.may(Register::Training, Act::Read)) })
    }

    fn still_open<'a>(
        &'a self,
        app: &'a App,
        request: &'a Request,
    ) -> approvals::Step<'a, Option<bool>> {
        Box::pin(async move {
            let plan = store::plan(app.store(), request.subject.id).await?;
            Ok(Some(plan.status == "draft"))
        })
    }

    fn decided<'a>(
        &'a self,
        tx: &'a mut mamori_store::WriteTx,
        request: &'a Request,
        decision: &'a CheckedDecision,
    ) -> approvals::Step<'a, ()> {
        Box::pin(async move {
            let to = if decision.decision == Decision::Approve {
                "approved"
            } else {
                "draft"
            };
            store::set_plan_status(tx, request.subject.id, "asked", to)
                .await
                .map_err(not_a_draft)
        })
    }

    fn withdrawn<'a>(
        &'a self,
        tx: &'a mut mamori_store::WriteTx,
        request: &'a Request,
    ) -> approvals::Step<'a, ()> {
        Box::pin(async move {
            store::set_plan_status(tx, request.subject.id, "asked", "draft")
                .await
                .map_err(not_a_draft)
        })
    }
}

/// The 年度 of a plan record (its page is by 年度; an approval request names the record).
pub async fn plan_year(app: &App, acting: &Acting, id: i64) -> Result<i32, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.plan")
        .await?;
    Ok(store::plan(app.store(), id).await?.fiscal_year)
}
