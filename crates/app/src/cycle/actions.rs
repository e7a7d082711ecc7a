//! The corrective-actions register: listed (owners see their own, those who oversee
//! security all), created by the security officer (from a risk now; from an incident or
//! an audit finding later), moved on by its owner or the security officer.

use mamori_domain::access::{Act, Register};
use mamori_domain::corrective::{
    ActionInput, ActionStatus, StatusInput, StatusRefusal, check_transition, is_overdue,
};
use mamori_domain::review::Assignee;
use mamori_store::StoreError;
use mamori_store::corrective::{self as store, ActionFilter};
use mamori_store::users::User;
use time::Date;

use super::{CorrectiveAction, RecordKind, RecordRef, readable};
use crate::{Acting, App, Failure, Outcome};

/// Whether the person owns `action` (it names them, or a post they hold today).
pub fn owns(acting: &Acting, action: &CorrectiveAction) -> bool {
    match (acting.user_id(), action.owner) {
        (Some(id), Some(owner)) => owner.is(id, &acting.posts),
        _ => false,
    }
}

/// Need to know: the owner, and those who see every action.
pub fn may_see(acting: &Acting, action: &CorrectiveAction) -> bool {
    acting.may(Register::Actions, Act::SeeAll) || owns(acting, action)
}

/// Who may move an action on: its owner, or the security officer.
pub fn may_change(acting: &Acting, action: &CorrectiveAction) -> bool {
    acting.may(Register::Actions, Act::Edit) || owns(acting, action)
}

/// Which actions a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    pub status: Option<ActionStatus>,
    /// Only those past their due date and still to be done.
    pub overdue: bool,
    /// Only the person's own (those who see all may ask for theirs).
    pub mine: bool,
    /// Only those of one owner (a post or a person), for those who see all.
    pub owner: Option<Assignee>,
}

/// The actions the person may see that `query` selects, by due date.
pub async fn list(
    app: &App,
    acting: &Acting,
    query: &ActionQuery,
) -> Outcome<Vec<CorrectiveAction>> {
    app.permit(acting, Register::Actions, Act::Read, "actions.list")
        .await?;
    let owned_by = if query.mine || !acting.may(Register::Actions, Act::SeeAll) {
        Some((acting.user_id().unwrap_or(-1), acting.posts.clone()))
    } else {
        match query.owner {
            Some(Assignee::User(id)) => Some((id, Vec::new())),
            // No user has id -1: only the post's actions.
            Some(Assignee::Post(post)) => Some((-1, vec![post])),
            None => None,
        }
    };
    let filter = ActionFilter {
        status: query.status,
        overdue_on: query.overdue.then(crate::today),
        owned_by,
        source: None,
    };
    Ok(store::list(app.store(), &filter).await?)
}

/// One action and what the person may do with it.
#[derive(Debug, Clone)]
pub struct ActionDetail {
    pub action: CorrectiveAction,
    pub overdue: bool,
    pub may_change: bool,
    /// Whether the person may open the record it came from.
    pub source_readable: bool,
}

/// One action, for its owner and those who see all; `NotFound` for anyone else.
pub async fn show(app: &App, acting: &Acting, id: i64) -> Outcome<ActionDetail> {
    app.permit(acting, Register::Actions, Act::Read, "actions.show")
        .await?;
    let action = store::get(app.store(), id).await?;
    if !may_see(acting, &action) {
        return Err(Failure::NotFound);
    }
    // lead wires: files — the action's evidence (RecordKind::CorrectiveAction attachments).
    let source_readable = match action.source {
        Some(source) => readable(app, acting, source).await.is_ok(),
        None => false,
    };
    Ok(ActionDetail {
        overdue: is_overdue(action.status, action.due_on, crate::today()),
        may_change: may_change(acting, &action),
        source_readable,
        action,
    })
}

/// Records a new action, from `source` if given (a record the person may read); its id.
pub async fn create(
    app: &App,
    acting: &Acting,
    input: &ActionInput,
    source: Option<RecordRef>,
) -> Outcome<i64> {
    let permit = app
        .permit(acting, Register::Actions, Act::Edit, "actions.create")
        .await?;
    if let Some(source) = source {
        if source.kind == RecordKind::CorrectiveAction {
            return Err(Failure::invalid(mamori_domain::field::FieldProblem::new(
                "source",
                "error.invalid_choice",
            )));
        }
        readable(app, acting, source).await.map_err(|_| {
            Failure::invalid(mamori_domain::field::FieldProblem::new(
                "source",
                "action.error.source",
            ))
        })?;
    }
    let action = checked(app, input).await?;
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &action, source).await?;
    // lead wires: notify — tell the owner (a person, or each holder of the post).
    tx.commit().await?;
    Ok(id)
}

/// An action as typed, checked: its owner active, its due date counted with the office's
/// calendar. For the registers that record actions of their own (an incident's lessons).
pub(crate) async fn checked(
    app: &App,
    input: &ActionInput,
) -> Outcome<mamori_domain::corrective::NewAction> {
    let named = match Assignee::parse(&input.owner) {
        Some(Assignee::User(id)) => Some(id),
        _ => None,
    };
    let owner_active = crate::risks::register::is_active_user(app, named).await?;
    let today = crate::today();
    let calendar = super::calendar::work_calendar(app, today).await?;
    let action = input.check(owner_active, today, &calendar)?;
    // A due date already past is taken only when the person says so (recording a late
    // action after the fact); one counted in days is never past.
    crate::confirm_future_dates(input.confirm_past_dates, &[("due_on", &input.due_on)])?;
    Ok(action)
}

fn refusal(refusal: StatusRefusal) -> Failure {
    match refusal {
        StatusRefusal::Closed => Failure::conflict("action_closed", "action.error.closed"),
        StatusRefusal::AlreadyStarted => {
            Failure::conflict("action_started", "action.error.started")
        }
    }
}

/// Moves an action on (in progress, done, cancelled): its owner or the security officer.
pub async fn change_status(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &StatusInput,
) -> Outcome<()> {
    let permit = app
        .permit(acting, Register::Actions, Act::Read, "actions.status")
        .await?;
    let action = store::get(app.store(), id).await?;
    if !may_see(acting, &action) {
        return Err(Failure::NotFound);
    }
    if !may_change(acting, &action) {
        app.record_denial(acting, "actions.status").await;
        return Err(Failure::Denied {
            register: Register::Actions,
            act: Act::Edit,
        });
    }
    let change = input.check(crate::today())?;
    check_transition(action.status, &change).map_err(refusal)?;
    let mut tx = permit.write(app).await?;
    match store::change_status(&mut tx, id, action.status, &change).await {
        Ok(()) => {}
        // Someone moved it on meanwhile.
        Err(StoreError::NotFound) => return Err(refusal(StatusRefusal::Closed)),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}

/// Active users, offered as owners to those who create actions.
pub async fn owner_choices(app: &App, acting: &Acting) -> Outcome<Vec<User>> {
    app.permit(acting, Register::Actions, Act::Edit, "actions.create")
        .await?;
    crate::risks::register::active_users(app).await
}

/// The person's own actions still to be done and past due, and — for the security
/// officer — everyone's (for the home page).
pub async fn overdue_for(
    app: &App,
    acting: &Acting,
    today: Date,
) -> Outcome<Vec<CorrectiveAction>> {
    if !acting.may(Register::Actions, Act::Read) {
        return Ok(Vec::new());
    }
    let all = acting.role() == Some(mamori_domain::user::Role::SecurityOfficer);
    let filter = ActionFilter {
        overdue_on: Some(today),
        owned_by: (!all).then(|| (acting.user_id().unwrap_or(-1), acting.posts.clone())),
        ..Default::default()
    };
    Ok(store::list(app.store(), &filter).await?)
}
