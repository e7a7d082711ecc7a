//! Exceptions (例外措置): asking for one (the CISO's permission is an approval request
//! about it), correcting one sent back, ending one early or closing one that expired,
//! and the lists that show where each stands. The rules (checks, standing) are in
//! `mamori_domain::exception`; the permission follows the approval block's rules.

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::{Asked, State as ApprovalState};
use mamori_domain::exception::{self, ExceptionForm, Facts, Standing};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::text;
use mamori_store::StoreError;
use mamori_store::exceptions as store;
use time::Date;

pub use mamori_domain::exception::{ExceptionForm as Form, Standing as ExceptionStanding};
pub use mamori_store::exceptions::ExceptionRecord;

use crate::approvals::{self, NewRequest, Request};
use crate::{Acting, App, Failure, today};

/// Longest note when ending an exception.
pub const END_NOTE_MAX: usize = 2000;

/// An exception and where it stands today.
#[derive(Debug, Clone)]
pub struct Listed {
    pub record: ExceptionRecord,
    pub standing: Standing,
}

/// One exception as its page shows it.
#[derive(Debug, Clone)]
pub struct ExceptionView {
    pub record: ExceptionRecord,
    pub standing: Standing,
    /// Its approval requests, oldest first (the first ask, and any after a send-back).
    pub history: Vec<Request>,
    /// The request waiting for the CISO, if any.
    pub pending_request: Option<i64>,
    /// The acting person may correct it and ask again (it was sent back).
    pub may_revise: bool,
    /// The acting person may end it early, or close it once expired.
    pub may_end: bool,
}

fn standing_of(record: &ExceptionRecord, day: Date) -> Standing {
    exception::standing(
        Facts {
            approval: record.approval,
            emergency: record.emergency,
            starts_on: record.starts_on,
            expires_on: record.expires_on,
            ended_on: record.ended_on,
        },
        day,
    )
}

fn subject(id: i64) -> RecordRef {
    RecordRef::new(RecordKind::Exception, id)
}

/// Whether the acting person may read an exception: those granted the register, and
/// whoever asked for it.
pub(crate) fn may_read(acting: &Acting, created_by: Option<i64>) -> bool {
    acting.may(Register::Exceptions, Act::Read)
        || (created_by.is_some() && created_by == acting.user_id())
}

/// Every exception, those needing attention first, then by expiry.
pub async fn list(app: &App, acting: &Acting) -> Result<Vec<Listed>, Failure> {
    app.permit(acting, Register::Exceptions, Act::Read, "exceptions.list")
        .await?;
    let day = today();
    let mut listed: Vec<Listed> = store::all(app.store())
        .await?
        .into_iter()
        .map(|record| Listed {
            standing: standing_of(&record, day),
            record,
        })
        .collect();
    listed.sort_by_key(|l| !l.standing.needs_attention());
    Ok(listed)
}

/// The exceptions that need someone to act (a decision waits, one ends within
/// [`exception::ENDING_NOTICE_DAYS`], or one expired and is not closed), for the home
/// pages of those who keep the register; empty for everyone else.
pub async fn needing_attention(app: &App, acting: &Acting) -> Result<Vec<Listed>, Failure> {
    if !acting.may(Register::Exceptions, Act::Edit)
        && !acting.may(Register::Exceptions, Act::Decide)
    {
        return Ok(Vec::new());
    }
    let day = today();
    let until = day + time::Duration::days(exception::ENDING_NOTICE_DAYS);
    Ok(store::open_expiring_by(app.store(), until)
        .await?
        .into_iter()
        .map(|record| Listed {
            standing: standing_of(&record, day),
            record,
        })
        .filter(|l| matches!(l.standing, Standing::EndingSoon | Standing::Expired))
        .collect())
}

/// One exception with its approval history.
pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<ExceptionView, Failure> {
    // Those who may ask for nothing at all (contractors) are refused before the lookup;
    // everyone else may have asked for this one.
    if !acting.may(Register::Exceptions, Act::Read) {
        app.permit(acting, Register::Approvals, Act::Read, "exceptions.show")
            .await?;
    }
    let record = store::get(app.store(), id).await?;
    if !may_read(acting, record.created_by) {
        app.record_denial(acting, "exceptions.show").await;
        return Err(Failure::Denied {
            register: Register::Exceptions,
            act: Act::Read,
        });
    }
    let history = approvals::history(app, acting, subject(id)).await?;
    let standing = standing_of(&record, today());
    let pending_request = history
        .iter()
        .rev()
        .find(|r| r.state == ApprovalState::Pending)
        .map(|r| r.id);
    let may_edit = acting.may(Register::Exceptions, Act::Edit);
    let asked_it = record.created_by.is_some() && record.created_by == acting.user_id();
    Ok(ExceptionView {
        may_revise: standing == Standing::Returned && (asked_it || may_edit),
        may_end: standing.may_end() && may_edit,
        pending_request,
        history,
        standing,
        record,
    })
}

/// What the CISO sees in their list: the rule set aside and what it covers. Exceptions
/// hold no personal information, so their rule and scope may be shown and mailed.
fn request_title(input: &exception::ExceptionInput) -> String {
    let title = format!("{}({})", input.rule, input.scope);
    title.chars().take(exception::LINE_MAX).collect()
}

fn ask(input: &exception::ExceptionInput) -> (String, Option<Date>) {
    // An emergency exception is already in effect: the CISO's after-the-fact decision
    // is due at once; an ordinary one before it starts.
    let due = if input.emergency {
        today()
    } else {
        input.starts_on
    };
    (request_title(input), Some(due))
}

/// Asks for an exception: stores it and opens the request for the CISO's permission,
/// in one write.
pub async fn request(app: &App, acting: &Acting, form: &ExceptionForm) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Exceptions,
            Act::Edit,
            "exceptions.request",
        )
        .await?;
    let input = form.check(today())?;
    // An expiry is ahead; one already past (an emergency over before it was reported) is
    // kept only when the person says so.
    crate::confirm_future_dates(form.confirm_past_dates, &[("expires_on", &form.expires_on)])?;
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &input).await?;
    let (title, due_on) = ask(&input);
    approvals::open_in(
        app,
        &mut tx,
        NewRequest {
            subject: subject(id),
            parent_id: None,
            title: &title,
            asked: Asked::Deciders(Register::Exceptions),
            note: &input.reason,
            due_on,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects an exception sent back (差戻し) and asks again.
pub async fn revise(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &ExceptionForm,
) -> Result<(), Failure> {
    let view = show(app, acting, id).await?;
    if !view.may_revise {
        if view.standing != Standing::Returned {
            return Err(Failure::conflict(
                "invalid_state",
                "exception.error.not_returned",
            ));
        }
        app.record_denial(acting, "exceptions.revise").await;
        return Err(Failure::Denied {
            register: Register::Exceptions,
            act: Act::Edit,
        });
    }
    // Whoever asked may correct it even without the register's edit grant (a manager
    // whose post changed keeps their own request).
    let permit = if acting.may(Register::Exceptions, Act::Edit) {
        app.permit(acting, Register::Exceptions, Act::Edit, "exceptions.revise")
            .await?
    } else {
        app.permit(acting, Register::Approvals, Act::Edit, "exceptions.revise")
            .await?
    };
    let input = form.check(today())?;
    // An expiry is ahead; one already past (an emergency over before it was reported) is
    // kept only when the person says so.
    crate::confirm_future_dates(form.confirm_past_dates, &[("expires_on", &form.expires_on)])?;
    let mut tx = permit.write(app).await?;
    store::revise(&mut tx, &view.record, &input)
        .await
        .map_err(ended)?;
    let (title, due_on) = ask(&input);
    approvals::open_in(
        app,
        &mut tx,
        NewRequest {
            subject: subject(id),
            parent_id: None,
            title: &title,
            asked: Asked::Deciders(Register::Exceptions),
            note: &input.reason,
            due_on,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn ended(error: StoreError) -> Failure {
    match error {
        StoreError::Conflict(_) => Failure::conflict("invalid_state", "exception.error.ended"),
        other => other.into(),
    }
}

/// Ends an exception early, or closes one that expired, with a note saying how the rule
/// is kept again. One still waiting for permission is withdrawn through its request
/// instead; one taken in an emergency may be ended while the CISO's decision on what was
/// done still waits.
pub async fn end(app: &App, acting: &Acting, id: i64, note: &str) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Exceptions, Act::Edit, "exceptions.end")
        .await?;
    let view = show(app, acting, id).await?;
    if !view.standing.may_end() {
        return Err(Failure::conflict(
            "invalid_state",
            "exception.error.not_open",
        ));
    }
    let note = match text::multi_line(note, END_NOTE_MAX) {
        Ok(note) if note.is_empty() => Err(text::TextProblem::Empty),
        other => other,
    }
    .map_err(|p| Failure::invalid(FieldProblem::text("note", p)))?;
    let mut tx = permit.write(app).await?;
    store::end(&mut tx, id, today(), &note)
        .await
        .map_err(ended)?;
    tx.commit().await?;
    Ok(())
}

/// An exception as the subject of its approval request: the decision itself is its
/// permission (its standing is read from the request), so nothing else changes.
pub(crate) struct ExceptionSubject;

impl approvals::Subject for ExceptionSubject {
    fn may_read<'a>(
        &'a self,
        app: &'a App,
        acting: &'a Acting,
        request: &'a Request,
    ) -> approvals::Step<'a, bool> {
        Box::pin(async move {
            match store::get(app.store(), request.subject.id).await {
                Ok(record) => Ok(may_read(acting, record.created_by)),
                Err(StoreError::NotFound) => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn decided<'a>(
        &'a self,
        _tx: &'a mut mamori_store::WriteTx,
        _request: &'a Request,
        _decision: &'a mamori_domain::approval::CheckedDecision,
    ) -> approvals::Step<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}
