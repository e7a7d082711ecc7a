//! The organisation register (clause 6(1)): who holds which post on a day, each post's
//! history, recording and ending terms, the assembly's own posts, and people's contact
//! details with the contact list (緊急連絡網) in the order of calling. The rules of a term
//! are in `mamori_domain::organisation`; grants follow the posts held on the day.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::organisation::{
    ContactForm, NAME_MAX, TermForm, check_contact, check_end, check_term,
};
use mamori_domain::risk_input::line_field;
use mamori_store::organisation as store;
use time::Date;

pub use mamori_store::organisation::{Body, Person, Post, Term};

use crate::{Acting, App, Failure};

/// The organisation as it stood on one day.
#[derive(Debug, Clone)]
pub struct Roster {
    pub day: Date,
    pub bodies: Vec<Body>,
    /// Every post in the order of calling, with the terms in force on the day.
    pub posts: Vec<(Post, Vec<Term>)>,
    pub may_edit: bool,
}

/// Who held which post on `day`.
pub async fn roster(app: &App, acting: &Acting, day: Date) -> Result<Roster, Failure> {
    app.permit(
        acting,
        Register::Organisation,
        Act::Read,
        "organisation.show",
    )
    .await?;
    let terms = store::terms_on(app.store(), day).await?;
    let posts = store::posts(app.store())
        .await?
        .into_iter()
        .map(|post| {
            let held = terms
                .iter()
                .filter(|t| t.post_id == post.id)
                .cloned()
                .collect();
            (post, held)
        })
        .collect();
    Ok(Roster {
        day,
        bodies: store::bodies(app.store()).await?,
        posts,
        may_edit: acting.may(Register::Organisation, Act::Edit),
    })
}

/// One post and every term of it, earliest first.
#[derive(Debug, Clone)]
pub struct PostHistory {
    pub post: Post,
    pub body: Option<Body>,
    pub terms: Vec<Term>,
    pub may_edit: bool,
}

pub async fn post_history(app: &App, acting: &Acting, id: i64) -> Result<PostHistory, Failure> {
    app.permit(
        acting,
        Register::Organisation,
        Act::Read,
        "organisation.post",
    )
    .await?;
    let post = store::post(app.store(), id).await?;
    let body = store::bodies(app.store())
        .await?
        .into_iter()
        .find(|b| Some(b.id) == post.body_id);
    Ok(PostHistory {
        terms: store::terms_of_post(app.store(), id).await?,
        body,
        post,
        may_edit: acting.may(Register::Organisation, Act::Edit),
    })
}

/// The person named must have an account in use.
async fn active_person(app: &App, field: &'static str, id: Option<i64>) -> Result<(), Failure> {
    let Some(id) = id else { return Ok(()) };
    match mamori_store::users::get(app.store(), id).await {
        Ok(user) if user.active => Ok(()),
        Ok(_) | Err(mamori_store::StoreError::NotFound) => Err(Failure::invalid(
            FieldProblem::new(field, "organisation.error.unknown_person"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Records a term of a post: who holds it from when (until when, if known), and the
/// deputy. A post held by one person at a time refuses a second holder on any day.
pub async fn add_term(
    app: &App,
    acting: &Acting,
    post_id: i64,
    form: &TermForm,
) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Organisation,
            Act::Edit,
            "organisation.term_add",
        )
        .await?;
    let post = store::post(app.store(), post_id).await?;
    active_person(app, "post_holder", form.holder_id).await?;
    active_person(app, "post_deputy", form.deputy_id).await?;
    let mut tx = permit.write(app).await?;
    let others = store::held_terms(&mut tx, post_id).await?;
    let input = check_term(form, post.single_holder, &others)?;
    let id = store::add_term(&mut tx, post_id, &input).await?;
    tx.commit().await?;
    Ok(id)
}

/// A change to a term: its last day, its deputy (`Some(None)` removes the deputy).
#[derive(Debug, Clone, Default)]
pub struct TermChange {
    pub ends_on: Option<String>,
    pub deputy_id: Option<Option<i64>>,
}

/// Ends a term on its last day, or changes its deputy.
pub async fn change_term(
    app: &App,
    acting: &Acting,
    id: i64,
    change: &TermChange,
) -> Result<Term, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Organisation,
            Act::Edit,
            "organisation.term_change",
        )
        .await?;
    let term = store::term(app.store(), id).await?;
    let ends_on = match change.ends_on.as_deref() {
        Some(text) => Some(check_end(term.starts_on, text)?),
        None => None,
    };
    if let Some(deputy) = change.deputy_id {
        if deputy == Some(term.holder_id) {
            return Err(Failure::invalid(FieldProblem::new(
                "post_deputy",
                "organisation.error.deputy_is_holder",
            )));
        }
        active_person(app, "post_deputy", deputy).await?;
    }
    if ends_on.is_none() && change.deputy_id.is_none() {
        return Err(Failure::invalid(FieldProblem::new(
            "ends_on",
            "field.error.required",
        )));
    }
    let unchanged = ends_on.is_none_or(|end| term.ends_on == Some(end))
        && change
            .deputy_id
            .is_none_or(|deputy| deputy == term.deputy_id);
    if unchanged {
        return Ok(term);
    }
    let mut tx = permit.write(app).await?;
    if let Some(end) = ends_on {
        // The term with its new end must still fit beside the post's other terms.
        let others: Vec<_> = store::held_terms(&mut tx, term.post_id)
            .await?
            .into_iter()
            .filter(|t| t.id != term.id)
            .collect();
        let post = store::post(app.store(), term.post_id).await?;
        let form = TermForm {
            holder_id: Some(term.holder_id),
            deputy_id: None,
            starts_on: mamori_store::date_text(term.starts_on),
            ends_on: mamori_store::date_text(end),
            note: String::new(),
        };
        check_term(&form, post.single_holder, &others)?;
    }
    store::change_term(&mut tx, &term, ends_on, change.deputy_id).await?;
    tx.commit().await?;
    Ok(store::term(app.store(), id).await?)
}

/// Adds a post of the assembly's own (監査統括責任者 is built in; a 議会事務局 section's
/// 係長, say, is not); it names whom to call and carries no grants.
pub async fn add_post(
    app: &App,
    acting: &Acting,
    name: &str,
    body_id: Option<i64>,
    single_holder: bool,
) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Organisation,
            Act::Edit,
            "organisation.post_add",
        )
        .await?;
    let mut problems = Vec::new();
    let name = line_field("name", name, NAME_MAX, true, &mut problems);
    if !problems.is_empty() {
        return Err(Failure::Invalid(problems));
    }
    if let Some(id) = body_id
        && !store::bodies(app.store()).await?.iter().any(|b| b.id == id)
    {
        return Err(Failure::invalid(FieldProblem::new(
            "body",
            "organisation.error.unknown_body",
        )));
    }
    let mut tx = permit.write(app).await?;
    let id = store::add_post(&mut tx, &name, body_id, single_holder).await?;
    tx.commit().await?;
    Ok(id)
}

/// One line of the contact list: a post, its holder on the day and the deputy, with
/// how to reach each.
#[derive(Debug, Clone)]
pub struct ContactLine {
    pub post: Post,
    pub holder: Person,
    pub deputy: Option<Person>,
}

/// The contact list (緊急連絡網) on `day`: the posts in the order of calling with their
/// holders and deputies, then everyone else in use, so that the list also works on paper
/// when the network is down.
#[derive(Debug, Clone)]
pub struct ContactList {
    pub day: Date,
    pub lines: Vec<ContactLine>,
    pub others: Vec<Person>,
    pub may_edit: bool,
}

pub async fn contact_list(app: &App, acting: &Acting, day: Date) -> Result<ContactList, Failure> {
    let roster = roster(app, acting, day).await?;
    let people = store::people(app.store()).await?;
    let find = |id: i64| people.iter().find(|p| p.id == id).cloned();
    let mut lines = Vec::new();
    for (post, terms) in &roster.posts {
        for term in terms {
            let Some(holder) = find(term.holder_id) else {
                continue;
            };
            lines.push(ContactLine {
                post: post.clone(),
                holder,
                deputy: term.deputy_id.and_then(find),
            });
        }
    }
    let others = people
        .iter()
        .filter(|p| p.active && !lines.iter().any(|l| l.holder.id == p.id))
        .cloned()
        .collect();
    Ok(ContactList {
        day,
        lines,
        others,
        may_edit: roster.may_edit,
    })
}

/// One person's contact details and start date, for their form.
pub async fn person(app: &App, acting: &Acting, id: i64) -> Result<Person, Failure> {
    app.permit(
        acting,
        Register::Organisation,
        Act::Read,
        "organisation.person",
    )
    .await?;
    store::people(app.store())
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Failure::NotFound)
}

/// What changing the contact details of `user_id` asks of `acting` on the register: one's
/// own details are kept by anyone who reads it, anyone else's by its keepers.
pub fn contact_act(acting: &Acting, user_id: i64) -> Act {
    if acting.user_id() == Some(user_id) {
        Act::Read
    } else {
        Act::Edit
    }
}

/// Whether `acting` may change the contact details of `user_id`.
pub fn may_change_contact(acting: &Acting, user_id: i64) -> bool {
    acting.may(Register::Organisation, contact_act(acting, user_id))
}

/// Sets a person's contact details and the day their service began.
pub async fn set_contact(
    app: &App,
    acting: &Acting,
    user_id: i64,
    form: &ContactForm,
) -> Result<Person, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Organisation,
            contact_act(acting, user_id),
            "organisation.contact",
        )
        .await?;
    let before = person(app, acting, user_id).await?;
    let (contact, starts_on) = check_contact(form)?;
    let mut tx = permit.write(app).await?;
    store::set_contact(&mut tx, &before, &contact, starts_on).await?;
    tx.commit().await?;
    person(app, acting, user_id).await
}

/// The users page gives posts from today (a shortcut for the register's terms): a post
/// held by one person at a time that someone else holds today is refused there too, and
/// the message says to end that term in the register first.
pub async fn check_posts_given_today(
    app: &App,
    user_id: Option<i64>,
    roles: &[mamori_domain::user::OrgRole],
) -> Result<(), Failure> {
    let terms = store::terms_on(app.store(), crate::today()).await?;
    for post in store::posts(app.store()).await? {
        let Some(role) = post.role else { continue };
        if !post.single_holder || !roles.contains(&role) {
            continue;
        }
        if let Some(other) = terms
            .iter()
            .find(|t| t.post_id == post.id && Some(t.holder_id) != user_id)
        {
            return Err(Failure::invalid(
                FieldProblem::new("org_roles", "organisation.error.held_by_other")
                    .with("holder", other.holder_name.clone()),
            ));
        }
    }
    Ok(())
}

/// One term.
pub async fn term(app: &App, acting: &Acting, id: i64) -> Result<Term, Failure> {
    app.permit(
        acting,
        Register::Organisation,
        Act::Read,
        "organisation.term",
    )
    .await?;
    Ok(store::term(app.store(), id).await?)
}

/// Everyone with their contact details (active first, in 五十音順): the choices of
/// holder and deputy.
pub async fn people(app: &App, acting: &Acting) -> Result<Vec<Person>, Failure> {
    app.permit(
        acting,
        Register::Organisation,
        Act::Read,
        "organisation.people",
    )
    .await?;
    Ok(store::people(app.store()).await?)
}
