//! Approval requests (決裁), the one block every register uses to have something decided:
//! a register opens a request in its own transaction ([`open_in`]); the person asked
//! (or a holder of the post asked, or their deputy while every holder is absent, or the
//! committee's chair with the minutes) decides it; the requester may withdraw it. What a
//! decision does to the subject is the subject kind's business (`subjects`), so a new
//! register adds a kind without changing this module. Absences with a deputy are in
//! `absences`.

mod absences;
mod sending;
mod subjects;
pub(crate) use sending::check_send;
pub use sending::{Decider, deciders};
pub(crate) use subjects::{Step, Subject};

use mamori_domain::access::{Act, Holder, Register, grant};
use mamori_domain::approval::{
    self, Absence, Asked, Capacity, CheckedDecision, DecideCase, DecideRefusal, DecisionInput,
    State,
};
use mamori_domain::record::RecordRef;
use mamori_store::approvals as store;
use mamori_store::{StoreError, WriteTx};
use time::Date;

pub use absences::{AbsenceForm, absences, add_absence, all_absences, cancel_absence};
pub use mamori_domain::approval::{
    CheckedSend, Decision, DecisionInput as DecisionForm, SendInput,
};
pub use mamori_domain::record::RecordKind;
pub use mamori_store::approvals::{AbsenceRecord, Request};

use crate::notifications::{self, Notice, NoticeKind};
use crate::{Acting, App, Failure, Permit, today};

/// How many of the requests a person made the lists show.
pub const MINE_LIMIT: i64 = 50;

/// What a register asks to have decided (see [`open_in`]).
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub subject: RecordRef,
    /// The record holding the subject (document, asset, risk), for links.
    pub parent_id: Option<i64>,
    /// What the decider sees in their list.
    pub title: &'a str,
    pub asked: Asked,
    pub note: &'a str,
    pub due_on: Option<Date>,
}

/// Opens a pending request inside the register's own write (its audit entry included).
pub(crate) async fn open_in(
    app: &App,
    tx: &mut WriteTx,
    new: NewRequest<'_>,
) -> Result<i64, Failure> {
    let id = store::open(
        tx,
        store::NewRequest {
            subject: new.subject,
            subject_parent_id: new.parent_id,
            title: new.title,
            asked: new.asked,
            note: new.note,
            due_on: new.due_on,
        },
    )
    .await?;
    // Those asked are told, and the deputies of those absent today: they decide then.
    let mut told = holders(app, new.asked).await?;
    let absent = store::absences_on(app.store(), today()).await?;
    let deputies: Vec<i64> = absent
        .iter()
        .filter(|a| told.contains(&a.holder))
        .map(|a| a.deputy)
        .collect();
    told.extend(deputies);
    told.retain(|person| Some(*person) != tx.actor().user_id);
    notifications::notify(
        tx,
        Notice {
            recipients: told,
            kind: NoticeKind::ApprovalRequested,
            title: notice_title(new.subject.kind, new.title, id),
            link: format!("/approvals/{id}"),
            urgent: false,
        },
    )
    .await?;
    Ok(id)
}

/// What a notice (and its mail) says of a request: a policy's title, which everyone
/// bound by the policy reads; for anything else only its number, since an asset's name,
/// a risk or an exception may be more than a mail leaving mamori should carry.
fn notice_title(kind: RecordKind, title: &str, id: i64) -> String {
    match kind {
        RecordKind::PolicyVersion => title.to_owned(),
        _ => format!("No.{id}"),
    }
}

/// The pending request about `subject`, if one waits.
pub(crate) async fn pending_for(app: &App, subject: RecordRef) -> Result<Option<Request>, Failure> {
    Ok(store::for_subject(app.store(), subject)
        .await?
        .into_iter()
        .rev()
        .find(|r| r.state == State::Pending))
}

/// The active users who hold what `asked` names today.
async fn holders(app: &App, asked: Asked) -> Result<Vec<i64>, Failure> {
    let (roles, posts, person): (Vec<&str>, Vec<&str>, Option<i64>) = match asked {
        Asked::Deciders(register) => {
            let g = grant(register, Act::Decide);
            (
                g.roles.iter().map(|r| r.as_str()).collect(),
                g.posts.iter().map(|p| p.as_str()).collect(),
                None,
            )
        }
        Asked::Post(post) => (Vec::new(), vec![post.as_str()], None),
        Asked::Person(id) => (Vec::new(), Vec::new(), Some(id)),
        Asked::Committee => (
            Vec::new(),
            vec![mamori_domain::user::OrgRole::CommitteeChair.as_str()],
            None,
        ),
    };
    Ok(store::holders(app.store(), &roles, &posts, person).await?)
}

/// The facts a decision rule needs beyond the request: absences in force today, and the
/// holders of each `asked` (looked up once per list).
struct Context {
    day: Date,
    absences: Vec<Absence>,
    holders: Vec<(Asked, Vec<i64>)>,
}

impl Context {
    async fn load(app: &App) -> Result<Context, Failure> {
        let day = today();
        Ok(Context {
            day,
            absences: store::absences_on(app.store(), day).await?,
            holders: Vec::new(),
        })
    }

    /// In what capacity the acting person may decide `request` (the domain's rule).
    async fn capacity(
        &mut self,
        app: &App,
        acting: &Acting,
        request: &Request,
    ) -> Result<Result<Capacity, DecideRefusal>, Failure> {
        let Some(user) = &acting.user else {
            return Ok(Err(DecideRefusal::NotAsked));
        };
        let index = match self.holders.iter().position(|(a, _)| *a == request.asked) {
            Some(i) => i,
            None => {
                let found = holders(app, request.asked).await?;
                self.holders.push((request.asked, found));
                self.holders.len() - 1
            }
        };
        Ok(approval::may_decide(DecideCase {
            state: request.state,
            requested_by: request.requested_by,
            asked: request.asked,
            me: user.id,
            holder: Holder {
                role: user.role,
                posts: &acting.posts,
            },
            holders: &self.holders[index].1,
            absences: &self.absences,
            day: self.day,
        }))
    }
}

/// A request as one person sees it: whether they may decide it, and in what capacity.
#[derive(Debug, Clone)]
pub struct Seen {
    pub request: Request,
    /// `Some` when the person may decide it now (as asked, or as whose deputy).
    pub capacity: Option<Capacity>,
    pub may_withdraw: bool,
    pub overdue: bool,
    /// The absent holder's name when the person decides as their deputy.
    pub deputy_for: Option<String>,
}

impl Seen {
    /// A request listed in a history, with nothing said of the reader's part in it.
    pub fn plain(request: Request) -> Seen {
        Seen {
            request,
            capacity: None,
            may_withdraw: false,
            overdue: false,
            deputy_for: None,
        }
    }
}

fn seen(request: Request, capacity: Option<Capacity>, acting: &Acting, day: Date) -> Seen {
    let may_withdraw = acting
        .user_id()
        .is_some_and(|me| approval::may_withdraw(request.state, request.requested_by, me).is_ok());
    let overdue = approval::is_overdue(request.state, request.due_on, day);
    Seen {
        request,
        capacity,
        may_withdraw,
        overdue,
        deputy_for: None,
    }
}

/// What waits for the acting person's decision (due date first, overdue marked), and the
/// requests they made (newest first).
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub waiting: Vec<Seen>,
    pub mine: Vec<Seen>,
}

/// The acting person's inbox, empty for those who decide nothing.
pub async fn inbox(app: &App, acting: &Acting) -> Result<Vec<Seen>, Failure> {
    app.permit(acting, Register::Approvals, Act::Read, "approvals.list")
        .await?;
    let mut context = Context::load(app).await?;
    let mut waiting = Vec::new();
    for request in store::pending(app.store()).await? {
        if let Ok(capacity) = context.capacity(app, acting, &request).await? {
            waiting.push(seen(request, Some(capacity), acting, context.day));
        }
    }
    Ok(waiting)
}

/// The inbox and the person's own requests.
pub async fn lists(app: &App, acting: &Acting) -> Result<Lists, Failure> {
    let waiting = inbox(app, acting).await?;
    let day = today();
    let mine = match acting.user_id() {
        Some(me) => store::requested_by(app.store(), me, MINE_LIMIT)
            .await?
            .into_iter()
            .map(|r| seen(r, None, acting, day))
            .collect(),
        None => Vec::new(),
    };
    Ok(Lists { waiting, mine })
}

/// How long a request sent back or rejected that is never sent again (a take-out, a
/// proposal) stays on its requester's home page.
pub const RETURNED_NOTICE_DAYS: i64 = 30;

/// The acting person's requests sent back (差戻し) or rejected that still concern them:
/// no newer request about the same record, and the record still open to be sent again
/// (a policy draft not withdrawn) — or, for what is never sent again, decided within
/// [`RETURNED_NOTICE_DAYS`]. Newest first, with the decider's reason.
pub async fn returned_to_me(app: &App, acting: &Acting) -> Result<Vec<Request>, Failure> {
    let Some(me) = acting.user_id() else {
        return Ok(Vec::new());
    };
    let since = today() - time::Duration::days(RETURNED_NOTICE_DAYS);
    let mut returned = Vec::new();
    for request in store::returned_to(app.store(), me, MINE_LIMIT).await? {
        let later = store::for_subject(app.store(), request.subject)
            .await?
            .iter()
            .any(|r| r.id > request.id);
        if later {
            continue;
        }
        let open = subjects::subject(request.subject.kind)
            .still_open(app, &request)
            .await?
            .unwrap_or_else(|| request.decided_on.is_some_and(|d| d >= since));
        if open {
            returned.push(request);
        }
    }
    Ok(returned)
}

/// Whether the acting person may see `request`: its requester, who decided it or may
/// decide it, the absent holder it was decided for, oversight, or who may read the
/// subject in its register.
async fn may_see(
    app: &App,
    acting: &Acting,
    request: &Request,
    capacity: &Result<Capacity, DecideRefusal>,
) -> Result<bool, Failure> {
    if acting.may(Register::Approvals, Act::SeeAll)
        || [
            request.requested_by,
            request.decided_by,
            request.on_behalf_of,
        ]
        .into_iter()
        .any(|who| who.is_some() && who == acting.user_id())
        || capacity.is_ok()
        || request.asked.held_by(
            acting.user_id().unwrap_or(0),
            Holder {
                role: acting
                    .role()
                    .unwrap_or(mamori_domain::user::Role::Contractor),
                posts: &acting.posts,
            },
        )
    {
        return Ok(true);
    }
    subjects::subject(request.subject.kind)
        .may_read(app, acting, request)
        .await
}

/// One request, if the acting person may see it (else not found).
pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<Seen, Failure> {
    app.permit(acting, Register::Approvals, Act::Read, "approvals.show")
        .await?;
    let request = store::get(app.store(), id).await?;
    let mut context = Context::load(app).await?;
    let capacity = context.capacity(app, acting, &request).await?;
    if !may_see(app, acting, &request, &capacity).await? {
        return Err(Failure::NotFound);
    }
    let mut shown = seen(request, capacity.ok(), acting, context.day);
    if let Some(Capacity::OnBehalfOf(holder)) = shown.capacity {
        shown.deputy_for = Some(
            mamori_store::users::get(app.store(), holder)
                .await?
                .display_name,
        );
    }
    Ok(shown)
}

/// The approval history of one record (oldest first), for those who may read it.
pub async fn history(
    app: &App,
    acting: &Acting,
    subject: RecordRef,
) -> Result<Vec<Request>, Failure> {
    app.permit(acting, Register::Approvals, Act::Read, "approvals.history")
        .await?;
    let mut context = Context::load(app).await?;
    let mut shown = Vec::new();
    for request in store::for_subject(app.store(), subject).await? {
        let capacity = context.capacity(app, acting, &request).await?;
        if may_see(app, acting, &request, &capacity).await? {
            shown.push(request);
        }
    }
    Ok(shown)
}

/// Decides request `id` (approve, send back with a reason, reject with a reason) and
/// lets its subject's register act on the decision, in one transaction.
pub async fn decide(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &DecisionInput,
) -> Result<Seen, Failure> {
    let permit = app
        .permit(acting, Register::Approvals, Act::Decide, "approvals.decide")
        .await?;
    let request = store::get(app.store(), id).await?;
    let mut context = Context::load(app).await?;
    let capacity = context.capacity(app, acting, &request).await?;
    if !may_see(app, acting, &request, &capacity).await? {
        return Err(Failure::NotFound);
    }
    decide_request(app, acting, &permit, request, input).await?;
    show(app, acting, id).await
}

fn already_decided() -> Failure {
    Failure::conflict("already_decided", "approval.error.already_decided")
}

/// Decides `request` under a permit the caller holds (the block's own, or a register's
/// for its legacy route): the rule of who decides, the input, the subject's checks, then
/// the decision and the subject's consequence in one write.
pub(crate) async fn decide_request(
    app: &App,
    acting: &Acting,
    permit: &Permit<'_>,
    request: Request,
    input: &DecisionInput,
) -> Result<CheckedDecision, Failure> {
    let denied = Failure::Denied {
        register: permit.register,
        act: Act::Decide,
    };
    let mut context = Context::load(app).await?;
    let capacity = match context.capacity(app, acting, &request).await? {
        Ok(capacity) => capacity,
        Err(DecideRefusal::NotPending) => return Err(already_decided()),
        Err(DecideRefusal::OwnRequest) => {
            app.record_denial(acting, "approvals.decide_own").await;
            return Err(denied);
        }
        Err(DecideRefusal::NotAsked) => {
            app.record_denial(acting, "approvals.decide").await;
            return Err(denied);
        }
    };
    let checked = input.check(request.asked, context.day)?;
    let subject = subjects::subject(request.subject.kind);
    subject.check(app, &request, &checked).await?;
    let mut tx = permit.write(app).await?;
    let decided = store::Decided {
        state: checked.decision.state(),
        decided_by: acting.user_id(),
        on_behalf_of: match capacity {
            Capacity::Own => None,
            Capacity::OnBehalfOf(holder) => Some(holder),
        },
        decided_on: checked.decided_on,
        reason: &checked.reason,
        minute_ref: &checked.minute_ref,
    };
    match store::decide(&mut tx, request.id, decided).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(already_decided()),
        Err(e) => return Err(e.into()),
    }
    subject.decided(&mut tx, &request, &checked).await?;
    if let Some(requester) = request.requested_by {
        notifications::notify(
            &mut tx,
            Notice {
                recipients: vec![requester],
                kind: NoticeKind::ApprovalDecided,
                title: notice_title(request.subject.kind, &request.title, request.id),
                link: format!("/approvals/{}", request.id),
                urgent: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(checked)
}

/// Withdraws (取下げ) the acting person's own pending request.
pub async fn withdraw(app: &App, acting: &Acting, id: i64) -> Result<Seen, Failure> {
    let permit = app
        .permit(acting, Register::Approvals, Act::Edit, "approvals.withdraw")
        .await?;
    let request = show(app, acting, id).await?.request;
    let me = acting.user_id().unwrap_or(0);
    match approval::may_withdraw(request.state, request.requested_by, me) {
        Ok(()) => {}
        Err(approval::WithdrawRefusal::NotPending) => return Err(already_decided()),
        Err(approval::WithdrawRefusal::NotRequester) => {
            app.record_denial(acting, "approvals.withdraw").await;
            return Err(Failure::Denied {
                register: Register::Approvals,
                act: Act::Edit,
            });
        }
    }
    let mut tx = permit.write(app).await?;
    withdraw_in(&mut tx, &request).await?;
    tx.commit().await?;
    show(app, acting, id).await
}

/// Withdraws `request` inside a write the caller holds (a register withdrawing its
/// subject withdraws what waits on it), with the subject's consequence.
pub(crate) async fn withdraw_in(tx: &mut WriteTx, request: &Request) -> Result<(), Failure> {
    match store::withdraw(tx, request.id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(already_decided()),
        Err(e) => return Err(e.into()),
    }
    subjects::subject(request.subject.kind)
        .withdrawn(tx, request)
        .await
}

/// A decision the way the registers' own forms carry it (approve or reject, a note).
pub(crate) fn legacy_decision(approve: bool, note: &str, decided_on: &str) -> DecisionInput {
    DecisionInput {
        decision: if approve { "approve" } else { "reject" }.to_owned(),
        reason: note.to_owned(),
        minute_ref: String::new(),
        decided_on: decided_on.to_owned(),
    }
}

/// The problems of a legacy form name its own field for the reason (`note`).
pub(crate) fn reason_as_note(failure: Failure) -> Failure {
    match failure {
        Failure::Invalid(problems) => Failure::Invalid(
            problems
                .into_iter()
                .map(|mut p| {
                    if p.field == "reason" {
                        p.field = "note";
                    }
                    p
                })
                .collect(),
        ),
        other => other,
    }
}
