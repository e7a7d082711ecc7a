//! Organisation pages (組織体制): who held which post on a day, one post's history with
//! the forms that record and end terms, the printable contact list (緊急連絡網), and a
//! person's contact details. Thin shells over `mamori_app::organisation`.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::organisation::{self as app_org, Body, ContactList, Person, Post, TermChange};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::organisation::{ContactForm, TermForm};
use serde::Deserialize;
use time::Date;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, error_for, form_problems, form_status, named_errors, parse_id,
};
use crate::http::labels::org_role_label;
use crate::http::params::organisation::day_asked;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const PATH: &str = "/organisation";

/// A post's name in the reader's language: a built-in post's from the locale, the
/// assembly's own as written.
pub fn post_name(tr: &Tr, post: &Post) -> String {
    match (post.role, &post.name) {
        (Some(role), _) => tr.t(org_role_label(role)).to_owned(),
        (None, Some(name)) => name.clone(),
        (None, None) => format!("#{}", post.id),
    }
}

pub fn body_name(tr: &Tr, body: &Body) -> String {
    match (&body.code, &body.name) {
        (Some(code), _) => tr.t(&format!("organisation.body.{code}")).to_owned(),
        (None, Some(name)) => name.clone(),
        (None, None) => format!("#{}", body.id),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DayQuery {
    on: Option<String>,
    saved: Option<String>,
}

/// One holder of a post on the day, as the roster shows them.
pub struct HolderRow {
    pub name: String,
    pub deputy: Option<String>,
    pub term: String,
}

pub struct PostRow {
    pub id: i64,
    pub name: String,
    pub holders: Vec<HolderRow>,
}

pub struct BodyGroup {
    pub name: String,
    pub posts: Vec<PostRow>,
}

fn term_text(ctx: &Ctx, starts_on: Date, ends_on: Option<Date>) -> String {
    ctx.tr.f(
        "organisation.term_span",
        &[
            ("from", ctx.date(starts_on)),
            (
                "until",
                ends_on
                    .map(|d| ctx.date(d))
                    .unwrap_or_else(|| ctx.tr.t("organisation.in_office").to_owned()),
            ),
        ],
    )
}

/// The posts grouped under their bodies, in the order of calling; posts in no body last.
fn groups(ctx: &Ctx, roster: &app_org::Roster) -> Vec<BodyGroup> {
    let mut groups: Vec<(Option<i64>, BodyGroup)> = vec![(
        None,
        BodyGroup {
            name: ctx.tr.t("organisation.body.none").to_owned(),
            posts: Vec::new(),
        },
    )];
    for body in &roster.bodies {
        groups.push((
            Some(body.id),
            BodyGroup {
                name: body_name(&ctx.tr, body),
                posts: Vec::new(),
            },
        ));
    }
    for (post, terms) in &roster.posts {
        let row = PostRow {
            id: post.id,
            name: post_name(&ctx.tr, post),
            holders: terms
                .iter()
                .map(|t| HolderRow {
                    name: t.holder_name.clone(),
                    deputy: t.deputy_name.clone(),
                    term: term_text(ctx, t.starts_on, t.ends_on),
                })
                .collect(),
        };
        let index = groups
            .iter()
            .position(|(id, _)| *id == post.body_id)
            .unwrap_or(0);
        groups[index].1.posts.push(row);
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.posts.is_empty())
        .collect()
}

fn body_choices(ctx: &Ctx, bodies: &[Body]) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: ctx.tr.t("organisation.body.none").to_owned(),
    })
    .chain(bodies.iter().map(|b| Choice {
        value: b.id.to_string(),
        label: body_name(&ctx.tr, b),
    }))
    .collect()
}

#[derive(Template)]
#[template(path = "organisation/roster.html")]
struct RosterPage {
    t: Tr,
    layout: Layout,
    on: String,
    day: String,
    day_iso: String,
    is_today: bool,
    groups: Vec<BodyGroup>,
    may_edit: bool,
    bodies: Vec<Choice>,
    post_name: String,
    post_body: String,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

impl RosterPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_roster(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    on: Option<String>,
    typed: (String, String),
    mut problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let day = match day_asked(on.as_deref()) {
        Ok(day) => day,
        Err(problem) => {
            problems.push(problem);
            mamori_app::today()
        }
    };
    let roster = app_org::roster(&state.app, &signed.0.acting, day).await?;
    let page = RosterPage {
        t: ctx.tr,
        layout: Layout::load(state, "organisation", PATH, Some(&signed.0)).await,
        on: on.unwrap_or_default(),
        day: ctx.date(day),
        day_iso: mamori_app::date_text(day),
        is_today: day == mamori_app::today(),
        groups: groups(ctx, &roster),
        may_edit: roster.may_edit,
        bodies: body_choices(ctx, &roster.bodies),
        post_name: typed.0,
        post_body: typed.1,
        notice,
        errors: named_errors(&problems, &ctx.tr),
    };
    render(form_status(&page.errors), &page)
}

pub async fn roster(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let notice = (query.saved.as_deref() == Some("post")).then_some("organisation.post_added");
    render_roster(
        &state,
        &ctx,
        &signed,
        query.on,
        Default::default(),
        Vec::new(),
        notice,
    )
    .await
}

/// Refuses those who may not keep the register before their form is read, so that they
/// learn nothing from its checks.
async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Organisation, Act::Edit, what)
        .await?;
    Ok(())
}

/// The optional id of a select ("" is none); anything else that is not a number is a
/// problem of `field`.
fn chosen_id(field: &'static str, value: &str) -> Result<Option<i64>, FieldProblem> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| FieldProblem::new(field, "organisation.error.unknown_person")),
    }
}

pub async fn add_post(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    permit_edit(&state, &signed, "organisation.post_add").await?;
    let fields = FormFields::read(request).await?;
    let name = fields.get("name").to_owned();
    let body = fields.get("body").to_owned();
    let body_id = match body.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| FieldProblem::new("body", "organisation.error.unknown_body")),
    };
    let outcome = match body_id {
        Ok(body_id) => {
            let single = fields.get("single_holder") == "1";
            app_org::add_post(&state.app, acting, &name, body_id, single)
                .await
                .map_err(form_problems)
        }
        Err(problem) => Err(Ok(vec![problem])),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("{PATH}?saved=post"))),
        Err(problems) => {
            render_roster(&state, &ctx, &signed, None, (name, body), problems?, None).await
        }
    }
}

/// One term in a post's history.
pub struct TermRow {
    pub id: i64,
    pub holder: String,
    pub holder_active: bool,
    pub deputy: Option<String>,
    pub deputy_id: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub note: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "organisation/post.html")]
struct PostPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    body: Option<String>,
    single_holder: bool,
    terms: Vec<TermRow>,
    may_edit: bool,
    people: Vec<Choice>,
    deputies: Vec<Choice>,
    form: TermTyped,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

impl PostPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The add-term form as typed.
#[derive(Default)]
pub struct TermTyped {
    pub holder: String,
    pub deputy: String,
    pub starts_on: String,
    pub ends_on: String,
    pub note: String,
}

fn person_choices(people: &[Person], none_label: &str) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: none_label.to_owned(),
    })
    .chain(people.iter().filter(|p| p.active).map(|p| Choice {
        value: p.id.to_string(),
        label: p.name.clone(),
    }))
    .collect()
}

async fn render_post(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    form: TermTyped,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let history = app_org::post_history(&state.app, acting, id).await?;
    let people = if history.may_edit {
        app_org::people(&state.app, acting).await?
    } else {
        Vec::new()
    };
    let page = PostPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "organisation",
            &format!("{PATH}/posts/{id}"),
            Some(&signed.0),
        )
        .await,
        id,
        name: post_name(&ctx.tr, &history.post),
        body: history.body.as_ref().map(|b| body_name(&ctx.tr, b)),
        single_holder: history.post.single_holder,
        terms: history
            .terms
            .iter()
            .rev()
            .map(|t| TermRow {
                id: t.id,
                holder: t.holder_name.clone(),
                holder_active: t.holder_active,
                deputy: t.deputy_name.clone(),
                deputy_id: t.deputy_id.map(|d| d.to_string()).unwrap_or_default(),
                starts_on: ctx.date(t.starts_on),
                ends_on: t.ends_on.map(|d| ctx.date(d)),
                note: t.note.clone(),
                open: t.ends_on.is_none_or(|end| end >= mamori_app::today()),
            })
            .collect(),
        may_edit: history.may_edit,
        people: person_choices(&people, ctx.tr.t("organisation.choose_person")),
        deputies: person_choices(&people, ctx.tr.t("organisation.no_deputy")),
        form,
        notice,
        errors: named_errors(&problems, &ctx.tr),
    };
    render(form_status(&page.errors), &page)
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let notice = match query.saved.as_deref() {
        Some("term") => Some("organisation.term_added"),
        Some("changed") => Some("organisation.term_changed"),
        _ => None,
    };
    let id = parse_id(&id)?;
    render_post(
        &state,
        &ctx,
        &signed,
        id,
        TermTyped::default(),
        Vec::new(),
        notice,
    )
    .await
}

pub async fn add_term(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    permit_edit(&state, &signed, "organisation.term_add").await?;
    let fields = FormFields::read(request).await?;
    let typed = TermTyped {
        holder: fields.get("post_holder").to_owned(),
        deputy: fields.get("post_deputy").to_owned(),
        starts_on: fields.get("starts_on").to_owned(),
        ends_on: fields.get("ends_on").to_owned(),
        note: fields.get("note").to_owned(),
    };
    let ids = chosen_id("post_holder", &typed.holder)
        .and_then(|h| chosen_id("post_deputy", &typed.deputy).map(|d| (h, d)));
    let outcome = match ids {
        Ok((holder_id, deputy_id)) => {
            let form = TermForm {
                holder_id,
                deputy_id,
                starts_on: typed.starts_on.clone(),
                ends_on: typed.ends_on.clone(),
                note: typed.note.clone(),
            };
            app_org::add_term(&state.app, &signed.0.acting, id, &form)
                .await
                .map_err(form_problems)
        }
        Err(problem) => Err(Ok(vec![problem])),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("{PATH}/posts/{id}?saved=term"))),
        Err(problems) => render_post(&state, &ctx, &signed, id, typed, problems?, None).await,
    }
}

/// Ends a term (`ends_on`) or changes its deputy (`post_deputy`, "" for none).
pub async fn change_term(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    permit_edit(&state, &signed, "organisation.term_change").await?;
    let term = app_org::term(&state.app, acting, id).await?;
    let fields = FormFields::read(request).await?;
    let has = |name: &str| fields.0.iter().any(|(k, _)| k == name);
    let deputy = if has("post_deputy") {
        chosen_id("post_deputy", fields.get("post_deputy")).map(Some)
    } else {
        Ok(None)
    };
    let outcome = match deputy {
        Ok(deputy_id) => {
            let change = TermChange {
                ends_on: has("ends_on").then(|| fields.get("ends_on").to_owned()),
                deputy_id,
            };
            app_org::change_term(&state.app, acting, id, &change)
                .await
                .map_err(form_problems)
        }
        Err(problem) => Err(Ok(vec![problem])),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "{PATH}/posts/{}?saved=changed",
            term.post_id
        ))),
        Err(problems) => {
            render_post(
                &state,
                &ctx,
                &signed,
                term.post_id,
                TermTyped::default(),
                problems?,
                None,
            )
            .await
        }
    }
}

/// One line of the printed contact list.
pub struct ContactRow {
    pub post: String,
    pub name: String,
    pub phone: String,
    pub extension: String,
    pub mobile: String,
    pub mail: String,
    pub deputy: Option<String>,
    pub person_id: i64,
}

fn contact_row(tr: &Tr, post: String, person: &Person, deputy: Option<&Person>) -> ContactRow {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ContactRow {
        post,
        name: person.name.clone(),
        phone: text(&person.contact.phone),
        extension: text(&person.contact.extension),
        mobile: text(&person.contact.mobile),
        mail: text(&person.mail),
        deputy: deputy.map(|d| {
            let mobile = d.contact.mobile.clone().unwrap_or_default();
            if mobile.is_empty() {
                d.name.clone()
            } else {
                crate::http::labels::bracketed(tr, &d.name, &mobile)
            }
        }),
        person_id: person.id,
    }
}

#[derive(Template)]
#[template(path = "organisation/contacts.html")]
struct ContactsPage {
    t: Tr,
    layout: Layout,
    day: String,
    day_iso: String,
    lines: Vec<ContactRow>,
    others: Vec<ContactRow>,
    may_edit: bool,
    me: i64,
}

pub async fn contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let day = day_asked(query.on.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let list: ContactList = app_org::contact_list(&state.app, &signed.0.acting, day).await?;
    let page = ContactsPage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "organisation",
            &format!("{PATH}/contacts"),
            Some(&signed.0),
        )
        .await,
        day: ctx.date(day),
        day_iso: mamori_app::date_text(day),
        lines: list
            .lines
            .iter()
            .map(|l| {
                contact_row(
                    &ctx.tr,
                    post_name(&ctx.tr, &l.post),
                    &l.holder,
                    l.deputy.as_ref(),
                )
            })
            .collect(),
        others: list
            .others
            .iter()
            .map(|p| contact_row(&ctx.tr, String::new(), p, None))
            .collect(),
        may_edit: list.may_edit,
        me: signed.0.acting.user_id().unwrap_or_default(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "organisation/person.html")]
struct PersonPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    form: ContactForm,
    may_change: bool,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

impl PersonPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_person(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    typed: Option<ContactForm>,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let person = app_org::person(&state.app, acting, id).await?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let form = typed.unwrap_or_else(|| ContactForm {
        phone: text(&person.contact.phone),
        extension: text(&person.contact.extension),
        mobile: text(&person.contact.mobile),
        starts_on: person
            .starts_on
            .map(mamori_app::date_text)
            .unwrap_or_default(),
    });
    let page = PersonPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "organisation",
            &format!("{PATH}/people/{id}"),
            Some(&signed.0),
        )
        .await,
        id,
        name: person.name,
        form,
        may_change: app_org::may_change_contact(acting, id),
        notice,
        errors: named_errors(&problems, &ctx.tr),
    };
    render(form_status(&page.errors), &page)
}

pub async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let notice =
        (query.saved.as_deref() == Some("contact")).then_some("organisation.contact_saved");
    render_person(
        &state,
        &ctx,
        &signed,
        parse_id(&id)?,
        None,
        Vec::new(),
        notice,
    )
    .await
}

pub async fn set_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let form = ContactForm {
        phone: fields.get("phone").to_owned(),
        extension: fields.get("extension").to_owned(),
        mobile: fields.get("mobile").to_owned(),
        starts_on: fields.get("starts_on").to_owned(),
    };
    match app_org::set_contact(&state.app, &signed.0.acting, id, &form).await {
        Ok(_) => Ok(see_other(&format!("{PATH}/people/{id}?saved=contact"))),
        Err(failure) => {
            let problems = form_problems(failure)?;
            render_person(&state, &ctx, &signed, id, Some(form), problems, None).await
        }
    }
}
