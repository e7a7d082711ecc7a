//! Term change (改選) pages: the list of changes with their progress, registering one,
//! and its checklist (those leaving and joining, each item as the registers show it,
//! the secretariat's lines and settings-aside, carrying out the leaving). Thin shells
//! over `mamori_app::term_changes`.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::term_changes::{
    self as app_changes, ChangeKind, Checklist, Detail, Form, Item, ItemLine, PersonChecklist,
    Summary,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::asset::EventKind;
use mamori_domain::field::FieldProblem;
use mamori_domain::term_change::{Direction, ItemState, MarkForm, PersonForm};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, error_for, field_errors, form_problems, parse_id,
};
use crate::http::labels::org_role_label;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const PATH: &str = "/term-changes";
const NAV: &str = "term_changes";
/// Longest text kept from a refused field to show it again.
const KEEP_CHARS: usize = 4_000;

fn label_key(field: &str) -> &'static str {
    match field {
        "kind" => "term_change.field.kind",
        "title" => "term_change.field.title",
        "effective_on" => "term_change.field.effective_on",
        "note" => "term_change.field.note",
        "direction" => "term_change.field.direction",
        "login" => "term_change.field.login",
        "name" => "term_change.field.name",
        "reading" => "term_change.field.reading",
        "label" => "term_change.field.label",
        "item" => "term_change.field.item",
        "state" => "term_change.field.state",
        _ => "term_change.field.people",
    }
}

/// One change in the list.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub day: String,
    pub progress: String,
    pub finished: bool,
    pub carried_out: bool,
}

fn progress(tr: &Tr, done: usize, all: usize) -> String {
    tr.f(
        "term_change.progress_value",
        &[("done", done.to_string()), ("all", all.to_string())],
    )
}

fn row(ctx: &Ctx, s: &Summary) -> Row {
    Row {
        id: s.change.id,
        title: s.change.title.clone(),
        kind: s.change.kind.label_key(),
        day: ctx.date(s.change.effective_on),
        progress: progress(&ctx.tr, s.people_done, s.people),
        finished: s.finished(),
        carried_out: s.change.carried_out_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "term_changes/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    may_edit: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let summaries = app_changes::list(&state.app, acting).await?;
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, NAV, PATH, Some(&signed.0)).await,
        rows: summaries.iter().map(|s| row(&ctx, s)).collect(),
        may_edit: acting.may(Register::TermChanges, Act::Edit),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "term_changes/form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    form: Form,
    errors: Vec<FieldError>,
    kinds: Vec<Choice>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: Form,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let errors = field_errors(problems, &ctx.tr, label_key);
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, "/term-changes/new", Some(&signed.0)).await,
        kinds: ChangeKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: ctx.tr.t(k.label_key()).to_owned(),
            })
            .collect(),
        form,
        errors,
    };
    render(crate::http::forms::form_status(&page.errors), &page)
}

/// The keepers' gate, passed before a form is read or an id parsed.
async fn edit_gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::TermChanges, Act::Edit, what)
        .await?;
    Ok(())
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.create").await?;
    let form = Form {
        kind: ChangeKind::GeneralElection.as_str().to_owned(),
        ..Form::default()
    };
    render_form(&state, &ctx, &signed, form, &[]).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.create").await?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = Form {
        kind: get("kind"),
        title: get("title"),
        effective_on: get("effective_on"),
        note: get("note"),
    };
    match app_changes::create(&state.app, &signed.0.acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}/{id}?saved=created"))),
        Err(f) => render_form(&state, &ctx, &signed, form, &form_problems(f)?).await,
    }
}

/// One detail of an item, in the reader's words, with a link when there is a record.
pub struct DetailView {
    pub text: String,
    pub link: Option<String>,
}

fn detail(ctx: &Ctx, d: &Detail) -> DetailView {
    let tr = &ctx.tr;
    match d {
        Detail::Post(p) => {
            let name = match (p.role, &p.post_name) {
                (Some(role), _) => tr.t(org_role_label(role)).to_owned(),
                (None, Some(name)) => name.clone(),
                (None, None) => String::new(),
            };
            let key = if p.as_deputy {
                "term_change.detail.deputy"
            } else {
                "term_change.detail.post"
            };
            DetailView {
                text: tr.f(
                    key,
                    &[
                        ("post", name),
                        ("from", ctx.date(p.starts_on)),
                        (
                            "to",
                            p.ends_on.map(|d| ctx.date(d)).unwrap_or_else(|| {
                                tr.t("term_change.detail.open_ended").to_owned()
                            }),
                        ),
                    ],
                ),
                link: Some(format!("/organisation/terms/{}", p.term_id)),
            }
        }
        Detail::Asset(a) => DetailView {
            text: a.name.clone(),
            link: Some(format!("/assets/{}", a.asset_id)),
        },
        Detail::TakeOut(t) => {
            let key = if t.kind == EventKind::Lending {
                "term_change.detail.lending"
            } else {
                "term_change.detail.take_out"
            };
            DetailView {
                text: tr.f(
                    key,
                    &[
                        ("asset", t.asset_name.clone()),
                        ("on", ctx.date(t.occurred_on)),
                        (
                            "due",
                            t.due_back
                                .map(|d| ctx.date(d))
                                .unwrap_or_else(|| "—".to_owned()),
                        ),
                    ],
                ),
                link: Some(format!("/assets/{}", t.asset_id)),
            }
        }
        Detail::Unacknowledged(n) => DetailView {
            text: tr.f(
                "term_change.detail.unacknowledged",
                &[("count", n.to_string())],
            ),
            link: None,
        },
        Detail::NoPledgePublished => DetailView {
            text: tr.t("term_change.detail.no_pledge").to_owned(),
            link: Some("/policies".to_owned()),
        },
        Detail::TrainedOn(on) => DetailView {
            text: tr.f("term_change.detail.trained_on", &[("date", ctx.date(*on))]),
            link: None,
        },
        Detail::NoAccount => DetailView {
            text: tr.t("term_change.detail.no_account").to_owned(),
            link: None,
        },
    }
}

/// One item of a person's checklist.
pub struct ItemView {
    pub label: String,
    pub state: &'static str,
    pub open: bool,
    pub set_aside: bool,
    pub is_line: bool,
    pub code: &'static str,
    pub mark_id: Option<i64>,
    /// The reason an item was set aside, or a line's note, with who and when.
    pub note: String,
    pub marked: String,
    pub details: Vec<DetailView>,
    /// The item may be set aside (open, and of a kind that may).
    pub may_set_aside: bool,
}

fn item_view(ctx: &Ctx, line: &ItemLine) -> ItemView {
    let mark = line.mark.as_ref();
    ItemView {
        label: match (line.item, mark) {
            (Item::Line, Some(m)) => m.label.clone(),
            _ => ctx.tr.t(line.item.label_key()).to_owned(),
        },
        state: line.state.label_key(),
        open: line.state == ItemState::Open,
        set_aside: line.state == ItemState::SetAside,
        is_line: line.item == Item::Line,
        code: line.item.as_str(),
        mark_id: mark.map(|m| m.id),
        note: mark.map(|m| m.note.clone()).unwrap_or_default(),
        marked: mark
            .map(|m| {
                crate::http::labels::bracketed(
                    &ctx.tr,
                    &ctx.datetime(m.marked_at),
                    &m.marked_by_name.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default(),
        details: line.details.iter().map(|d| detail(ctx, d)).collect(),
        may_set_aside: line.state == ItemState::Open && line.item.may_set_aside(),
    }
}

/// One person's card.
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub login: String,
    pub has_account: bool,
    pub progress: String,
    pub done: bool,
    pub items: Vec<ItemView>,
    /// May be taken off the change.
    pub removable: bool,
}

fn person_view(ctx: &Ctx, p: &PersonChecklist, carried_out: bool) -> PersonView {
    PersonView {
        id: p.person.id,
        name: p.person.name.clone(),
        login: p.person.login.clone().unwrap_or_default(),
        has_account: p.person.user_id.is_some(),
        progress: progress(&ctx.tr, p.settled(), p.items.len()),
        done: p.done(),
        items: p.items.iter().map(|i| item_view(ctx, i)).collect(),
        removable: !(carried_out && p.person.direction == Direction::Leaving),
    }
}

#[derive(Template)]
#[template(path = "term_changes/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    title: String,
    kind: &'static str,
    day: String,
    last_day: String,
    note: String,
    created: String,
    carried_out: String,
    progress: String,
    leaving: Vec<PersonView>,
    joining: Vec<PersonView>,
    may_edit: bool,
    may_carry_out: bool,
    /// The day has come but the leaving waits for someone who may close accounts.
    waits_for_admin: bool,
    accounts: Vec<Choice>,
    directions: Vec<Choice>,
    typed: PersonForm,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    list: Checklist,
    notice: Option<&'static str>,
    problems: &[FieldProblem],
    typed: PersonForm,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let c = &list.change;
    let carried = c.carried_out_at.is_some();
    let accounts = app_changes::accounts(&state.app, acting)
        .await?
        .into_iter()
        .map(|u| Choice {
            label: crate::http::labels::bracketed(&ctx.tr, &u.display_name, &u.login),
            value: u.login,
        })
        .collect();
    let errors = field_errors(problems, &ctx.tr, label_key);
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &format!("{PATH}/{}", c.id), Some(&signed.0)).await,
        id: c.id,
        title: c.title.clone(),
        kind: c.kind.label_key(),
        day: ctx.date(c.effective_on),
        last_day: ctx.date(mamori_domain::term_change::last_day(c.effective_on)),
        note: c.note.clone(),
        created: crate::http::labels::bracketed(
            &ctx.tr,
            &ctx.datetime(c.created_at),
            &c.created_by_name.clone().unwrap_or_default(),
        ),
        carried_out: c
            .carried_out_at
            .map(|at| {
                crate::http::labels::bracketed(
                    &ctx.tr,
                    &ctx.datetime(at),
                    &c.carried_out_by_name
                        .clone()
                        .unwrap_or_else(|| ctx.tr.t("term_change.by_mamori").to_owned()),
                )
            })
            .unwrap_or_default(),
        progress: progress(&ctx.tr, list.people_done(), list.people.len()),
        leaving: list
            .leaving()
            .into_iter()
            .map(|p| person_view(ctx, p, carried))
            .collect(),
        joining: list
            .joining()
            .into_iter()
            .map(|p| person_view(ctx, p, carried))
            .collect(),
        may_edit: list.may_edit,
        may_carry_out: list.may_carry_out,
        waits_for_admin: !carried && !list.may_carry_out && c.effective_on <= mamori_app::today(),
        accounts,
        directions: Direction::ALL
            .iter()
            .map(|d| Choice {
                value: d.as_str().to_owned(),
                label: ctx
                    .tr
                    .t(&format!("term_change.direction.{}", d.as_str()))
                    .to_owned(),
            })
            .collect(),
        typed,
        notice,
        errors,
    };
    render(crate::http::forms::form_status(&page.errors), &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let list = app_changes::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let notice = match query.saved.as_deref() {
        Some("created") => Some("term_change.saved.created"),
        Some("person") => Some("term_change.saved.person"),
        Some("removed") => Some("term_change.saved.removed"),
        Some("linked") => Some("term_change.saved.linked"),
        Some("mark") => Some("term_change.saved.mark"),
        Some("carried_out") => Some("term_change.saved.carried_out"),
        _ => None,
    };
    let typed = PersonForm {
        direction: Direction::Leaving.as_str().to_owned(),
        ..PersonForm::default()
    };
    render_show(&state, &ctx, &signed, list, notice, &[], typed).await
}

/// Shows the checklist again with the refused form's problems, or the refusal itself.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    failure: mamori_app::Failure,
    typed: PersonForm,
) -> Result<Response, AppError> {
    let problems = form_problems(failure)?;
    let list = app_changes::show(&state.app, &signed.0.acting, id).await?;
    render_show(state, ctx, signed, list, None, &problems, typed).await
}

fn back(id: i64, saved: &str, anchor: &str) -> Response {
    see_other(&format!("{PATH}/{id}?saved={saved}{anchor}"))
}

pub async fn add_person(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.person_add").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = PersonForm {
        direction: get("direction"),
        login: get("login"),
        name: get("name"),
        reading: get("reading"),
    };
    match app_changes::add_person(&state.app, &signed.0.acting, id, &form).await {
        Ok(pid) => Ok(back(id, "person", &format!("#person-{pid}"))),
        Err(f) => refused(&state, &ctx, &signed, id, f, form).await,
    }
}

pub async fn remove_person(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.person_remove").await?;
    let id = parse_id(&id)?;
    app_changes::remove_person(&state.app, &signed.0.acting, id, parse_id(&pid)?).await?;
    Ok(back(id, "removed", ""))
}

pub async fn link_account(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.account_link").await?;
    let (id, pid) = (parse_id(&id)?, parse_id(&pid)?);
    let fields = FormFields::read(request).await?;
    let login: String = fields.get("login").chars().take(KEEP_CHARS).collect();
    match app_changes::link_account(&state.app, &signed.0.acting, id, pid, &login).await {
        Ok(()) => Ok(back(id, "linked", &format!("#person-{pid}"))),
        Err(f) => refused(&state, &ctx, &signed, id, f, PersonForm::default()).await,
    }
}

pub async fn add_mark(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.mark_add").await?;
    let (id, pid) = (parse_id(&id)?, parse_id(&pid)?);
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let form = MarkForm {
        item: get("item"),
        label: get("label"),
        note: get("note"),
    };
    match app_changes::add_mark(&state.app, &signed.0.acting, id, pid, &form).await {
        Ok(_) => Ok(back(id, "mark", &format!("#person-{pid}"))),
        Err(f) => refused(&state, &ctx, &signed, id, f, PersonForm::default()).await,
    }
}

pub async fn set_mark(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, mid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.mark_change").await?;
    let (id, mid) = (parse_id(&id)?, parse_id(&mid)?);
    let fields = FormFields::read(request).await?;
    let state_code = fields.get("state").to_owned();
    match app_changes::set_mark(&state.app, &signed.0.acting, id, mid, &state_code, None).await {
        Ok(()) => Ok(back(id, "mark", "")),
        Err(f) => refused(&state, &ctx, &signed, id, f, PersonForm::default()).await,
    }
}

pub async fn carry_out(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    edit_gate(&state, &signed, "term_change.carry_out").await?;
    let id = parse_id(&id)?;
    match app_changes::carry_out(&state.app, &signed.0.acting, id).await {
        Ok(_) => Ok(back(id, "carried_out", "")),
        Err(f) => refused(&state, &ctx, &signed, id, f, PersonForm::default()).await,
    }
}
