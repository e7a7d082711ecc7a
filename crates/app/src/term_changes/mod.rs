//! Term changes (改選, issue 17 item 7): after an election or a resignation, one
//! checklist per change. Those leaving: their posts end the day before the change and
//! their accounts close on the day (carried out by the secretariat, or by the daily sweep
//! once the day has come), and what they hold or borrowed is listed until handed over.
//! Those joining: an account (linked when made), posts, the pledge, the policy's
//! acknowledgement and a first training. Each item is read from its register (see
//! [`checklist`]); the secretariat adds its own lines and sets aside what does not apply.
//! Who may: the `TermChanges` grant; closing accounts also takes the `Users` grant.

pub mod checklist;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::term_change::{
    self as rules, ChangeForm, Direction, ItemState, MarkForm, MarkInput, PersonForm, PersonInput,
};
use mamori_domain::user::Role;
use mamori_domain::user_input;
use mamori_store::term_changes::{self as store, ChangeRecord, MarkRow, PersonRow};
use mamori_store::{StoreError, WriteTx};
use time::Date;

pub use checklist::{Detail, ItemLine, PersonChecklist};
pub use mamori_domain::term_change::{ChangeForm as Form, ChangeKind, Item};

use crate::{Acting, App, Failure, today};

/// A change in the list, with its progress.
#[derive(Debug, Clone)]
pub struct Summary {
    pub change: ChangeRecord,
    pub people: usize,
    /// People every item of whose checklist is done or set aside.
    pub people_done: usize,
}

impl Summary {
    pub fn finished(&self) -> bool {
        self.people > 0 && self.people == self.people_done
    }
}

/// One change's page.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub change: ChangeRecord,
    pub people: Vec<PersonChecklist>,
    pub may_edit: bool,
    /// The leaving may be carried out now by the acting person.
    pub may_carry_out: bool,
}

impl Checklist {
    pub fn leaving(&self) -> Vec<&PersonChecklist> {
        checklist::of(&self.people, Direction::Leaving)
    }

    pub fn joining(&self) -> Vec<&PersonChecklist> {
        checklist::of(&self.people, Direction::Joining)
    }

    pub fn people_done(&self) -> usize {
        self.people.iter().filter(|p| p.done()).count()
    }
}

async fn summary(app: &App, change: ChangeRecord) -> Result<Summary, Failure> {
    let people = checklist::build(app, &change).await?;
    Ok(Summary {
        people: people.len(),
        people_done: people.iter().filter(|p| p.done()).count(),
        change,
    })
}

/// Every change, the latest first, with its progress.
pub async fn list(app: &App, acting: &Acting) -> Result<Vec<Summary>, Failure> {
    app.permit(acting, Register::TermChanges, Act::Read, "term_change.list")
        .await?;
    let mut out = Vec::new();
    for change in store::all(app.store()).await? {
        out.push(summary(app, change).await?);
    }
    Ok(out)
}

/// The changes not finished yet, for the home page of those who keep them.
pub async fn unfinished(app: &App, acting: &Acting) -> Result<Vec<Summary>, Failure> {
    if !acting.may(Register::TermChanges, Act::Edit) {
        return Ok(Vec::new());
    }
    Ok(list(app, acting)
        .await?
        .into_iter()
        .filter(|s| !s.finished())
        .collect())
}

pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<Checklist, Failure> {
    app.permit(acting, Register::TermChanges, Act::Read, "term_change.show")
        .await?;
    let change = store::get(app.store(), id).await?;
    let people = checklist::build(app, &change).await?;
    Ok(Checklist {
        may_edit: acting.may(Register::TermChanges, Act::Edit),
        may_carry_out: acting.may(Register::TermChanges, Act::Edit)
            && acting.may(Register::Users, Act::Edit)
            && rules::may_carry_out(
                change.effective_on,
                today(),
                change.carried_out_at.is_some(),
            ),
        people,
        change,
    })
}

pub async fn create(app: &App, acting: &Acting, form: &ChangeForm) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.create",
        )
        .await?;
    let input = form.check()?;
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &input).await?;
    tx.commit().await?;
    Ok(id)
}

fn already_on_change() -> Failure {
    Failure::invalid(FieldProblem::new("login", "term_change.error.already_on"))
}

/// The active account with `login`, or the field's problem.
async fn account(app: &App, login: &str) -> Result<mamori_store::users::User, Failure> {
    let unknown = || {
        Failure::invalid(FieldProblem::new(
            "login",
            "term_change.error.unknown_login",
        ))
    };
    let login = user_input::login(login).map_err(|_| unknown())?;
    mamori_store::users::find_by_login(app.store(), &login)
        .await?
        .ok_or_else(unknown)
}

/// Adds someone leaving (an account) or joining (an account, or a name until one is
/// made). Someone joining with an account starts service on the change's day.
pub async fn add_person(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &PersonForm,
) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.person_add",
        )
        .await?;
    let change = store::get(app.store(), id).await?;
    let input = form.check()?;
    let (direction, user, name, reading) = match input {
        PersonInput::Account { direction, login } => {
            let user = account(app, &login).await?;
            if direction == Direction::Leaving && change.carried_out_at.is_some() {
                return Err(Failure::conflict(
                    "invalid_state",
                    "term_change.error.carried_out",
                ));
            }
            (direction, Some(user), String::new(), String::new())
        }
        PersonInput::Named { name, reading } => (Direction::Joining, None, name, reading),
    };
    let mut tx = permit.write(app).await?;
    let person = store::add_person(
        &mut tx,
        id,
        direction,
        user.as_ref().map(|u| u.id),
        &name,
        &reading,
    )
    .await;
    let person = match person {
        Err(StoreError::Conflict(_)) => return Err(already_on_change()),
        other => other?,
    };
    if let (Direction::Joining, Some(user)) = (direction, &user) {
        start_service(app, &mut tx, user.id, change.effective_on).await?;
    }
    tx.commit().await?;
    Ok(person)
}

/// A new member's service begins on the change's day (their start date decides when
/// their first training is due).
async fn start_service(
    app: &App,
    tx: &mut WriteTx,
    user_id: i64,
    day: Date,
) -> Result<(), Failure> {
    let people = mamori_store::organisation::people(app.store()).await?;
    if let Some(before) = people.into_iter().find(|p| p.id == user_id)
        && before.starts_on != Some(day)
    {
        mamori_store::organisation::set_contact(tx, &before, &before.contact, day).await?;
    }
    Ok(())
}

async fn person_of(app: &App, id: i64, person_id: i64) -> Result<PersonRow, Failure> {
    store::people(app.store(), id)
        .await?
        .into_iter()
        .find(|p| p.id == person_id)
        .ok_or(Failure::NotFound)
}

/// Takes someone off a change (added by mistake). Someone leaving cannot be taken off
/// once the leaving is carried out: their account was closed as part of it.
pub async fn remove_person(
    app: &App,
    acting: &Acting,
    id: i64,
    person_id: i64,
) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.person_remove",
        )
        .await?;
    let change = store::get(app.store(), id).await?;
    let person = person_of(app, id, person_id).await?;
    if person.direction == Direction::Leaving && change.carried_out_at.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "term_change.error.carried_out",
        ));
    }
    let mut tx = permit.write(app).await?;
    store::remove_person(&mut tx, id, &person).await?;
    tx.commit().await?;
    Ok(())
}

/// Links the account made for someone joining, who starts service on the change's day.
pub async fn link_account(
    app: &App,
    acting: &Acting,
    id: i64,
    person_id: i64,
    login: &str,
) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.account_link",
        )
        .await?;
    let change = store::get(app.store(), id).await?;
    let person = person_of(app, id, person_id).await?;
    if person.direction != Direction::Joining || person.user_id.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "term_change.error.has_account",
        ));
    }
    let user = account(app, login).await?;
    let mut tx = permit.write(app).await?;
    match store::link_account(&mut tx, id, person_id, user.id).await {
        Err(StoreError::Conflict(_)) => return Err(already_on_change()),
        other => other?,
    }
    start_service(app, &mut tx, user.id, change.effective_on).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a line of the secretariat's own to a person's checklist, or sets one of their
/// items aside as not applicable, with the reason.
pub async fn add_mark(
    app: &App,
    acting: &Acting,
    id: i64,
    person_id: i64,
    form: &MarkForm,
) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.mark_add",
        )
        .await?;
    let person = person_of(app, id, person_id).await?;
    let input = form.check(person.direction)?;
    let mut tx = permit.write(app).await?;
    let mark = match &input {
        MarkInput::Line { label, note } => {
            store::add_mark(
                &mut tx,
                id,
                person_id,
                Item::Line,
                label,
                ItemState::Open,
                note,
            )
            .await?
        }
        MarkInput::SetAside { item, reason } => {
            store::add_mark(
                &mut tx,
                id,
                person_id,
                *item,
                "",
                ItemState::SetAside,
                reason,
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(mark)
}

/// A mark's new state: a line done or open again; a setting-aside withdrawn (`open`).
pub async fn set_mark(
    app: &App,
    acting: &Acting,
    id: i64,
    mark_id: i64,
    state: &str,
    note: Option<&str>,
) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.mark_change",
        )
        .await?;
    let before: MarkRow = store::marks(app.store(), id)
        .await?
        .into_iter()
        .find(|m| m.id == mark_id)
        .ok_or(Failure::NotFound)?;
    let (state, note) = rules::check_mark_state(before.item, state, note.unwrap_or(&before.note))?;
    if state == before.state && note == before.note {
        return Ok(());
    }
    let mut tx = permit.write(app).await?;
    store::set_mark(&mut tx, id, &before, state, &note).await?;
    tx.commit().await?;
    Ok(())
}

/// What carrying out a change's leaving did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CarriedOut {
    pub terms_ended: usize,
    pub accounts_closed: usize,
}

/// Carries out the leaving, from the change's day on and once: every term of those
/// leaving that began before the day ends the day before, and their accounts close
/// (their sessions end). A deputyship or a term beginning later stays on the
/// checklist for the secretariat to settle in the organisation register. All in one
/// write: if one account cannot close (the last administrator), nothing changes.
pub async fn carry_out(app: &App, acting: &Acting, id: i64) -> Result<CarriedOut, Failure> {
    let permit = app
        .permit(
            acting,
            Register::TermChanges,
            Act::Edit,
            "term_change.carry_out",
        )
        .await?;
    app.permit(acting, Register::Users, Act::Edit, "term_change.carry_out")
        .await?;
    let change = store::get(app.store(), id).await?;
    if change.carried_out_at.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "term_change.error.carried_out",
        ));
    }
    if !rules::may_carry_out(change.effective_on, today(), false) {
        return Err(Failure::conflict(
            "invalid_state",
            "term_change.error.not_yet",
        ));
    }
    let leaving: Vec<PersonRow> = store::people(app.store(), id)
        .await?
        .into_iter()
        .filter(|p| p.direction == Direction::Leaving)
        .collect();
    let posts = store::posts_from(app.store(), id, change.effective_on).await?;
    let last_day = rules::last_day(change.effective_on);
    let mut done = CarriedOut::default();
    let mut tx = permit.write(app).await?;
    for person in &leaving {
        let Some(user_id) = person.user_id else {
            continue;
        };
        for post in posts
            .iter()
            .filter(|p| p.user_id == user_id && !p.as_deputy && p.starts_on < change.effective_on)
        {
            let term = mamori_store::organisation::term(app.store(), post.term_id).await?;
            mamori_store::organisation::change_term(&mut tx, &term, Some(last_day), None).await?;
            done.terms_ended += 1;
        }
        if person.active {
            close_account(app, &mut tx, user_id, &person.name).await?;
            done.accounts_closed += 1;
        }
    }
    store::mark_carried_out(&mut tx, id, leaving.len()).await?;
    tx.commit().await?;
    Ok(done)
}

async fn close_account(
    app: &App,
    tx: &mut WriteTx,
    user_id: i64,
    name: &str,
) -> Result<(), Failure> {
    let user = mamori_store::users::get(app.store(), user_id).await?;
    if user.role == Role::Admin
        && mamori_store::users::active_admins_except(tx, user_id).await? == 0
    {
        return Err(Failure::invalid(
            FieldProblem::new("people", "term_change.error.last_admin").with("name", name),
        ));
    }
    mamori_store::users::update(
        app.store(),
        tx,
        user_id,
        mamori_store::users::UserChanges {
            active: Some(false),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// The daily sweep: carries out every change whose day has come, as mamori itself.
/// A change that cannot be carried out (the last administrator leaving) stays for the
/// secretariat, whose checklist shows it.
pub async fn carry_out_due(app: &App, day: Date) -> Result<usize, Failure> {
    let system = Acting::system("mamori term changes");
    let mut carried = 0;
    for id in store::due_to_carry_out(app.store(), day).await? {
        match carry_out(app, &system, id).await {
            Ok(_) => carried += 1,
            Err(e) => tracing::warn!(change = id, error = %e, "term change not carried out"),
        }
    }
    Ok(carried)
}

/// The active accounts, for choosing who leaves or which account a new member was
/// given (empty for those who do not keep changes).
pub async fn accounts(
    app: &App,
    acting: &Acting,
) -> Result<Vec<mamori_store::users::User>, Failure> {
    if !acting.may(Register::TermChanges, Act::Edit) {
        return Ok(Vec::new());
    }
    crate::users::active_accounts(app).await
}
