//! Term changes (改選) over the API, on the same use cases as the pages
//! (`mamori_app::term_changes`): the list, registering one, its checklist, adding and
//! removing people, linking a new member's account, the secretariat's lines and
//! settings-aside, and carrying out the leaving.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::term_changes::{
    self as app_changes, CarriedOut, Checklist, Detail, ItemLine, PersonChecklist, Summary,
};
use mamori_app::{date_text, timestamp_text};
use mamori_domain::access::{Act, Register};
use mamori_domain::term_change::{ChangeForm, MarkForm, PersonForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A change with its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangeOut {
    pub id: i64,
    #[schema(value_type = crate::api::codes::TermChangeKind)]
    pub kind: String,
    #[schema(example = "令和9年4月 一般選挙")]
    pub title: String,
    /// The first day of the new term, ISO 8601.
    pub effective_on: String,
    pub note: String,
    /// When the leaving was carried out (RFC 3339, UTC).
    pub carried_out_at: Option<String>,
    /// Who carried it out; none when mamori did on the day.
    pub carried_out_by: Option<String>,
    pub people: usize,
    /// People every item of whose checklist is done or set aside.
    pub people_done: usize,
}

fn out(s: &Summary) -> TermChangeOut {
    let c = &s.change;
    TermChangeOut {
        id: c.id,
        kind: c.kind.as_str().to_owned(),
        title: c.title.clone(),
        effective_on: date_text(c.effective_on),
        note: c.note.clone(),
        carried_out_at: c.carried_out_at.map(timestamp_text),
        carried_out_by: c.carried_out_by_name.clone(),
        people: s.people,
        people_done: s.people_done,
    }
}

/// One detail of an item: what the register shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangeDetailOut {
    /// `post`, `deputy`, `asset`, `take_out`, `lending`, `unacknowledged`,
    /// `no_pledge_published`, `trained_on` or `no_account`.
    pub kind: String,
    /// The term, asset or count it names.
    pub id: Option<i64>,
    pub text: Option<String>,
    pub date: Option<String>,
}

fn detail_out(d: &Detail) -> TermChangeDetailOut {
    let of = |kind: &str, id: Option<i64>, text: Option<String>, date| TermChangeDetailOut {
        kind: kind.to_owned(),
        id,
        text,
        date,
    };
    match d {
        Detail::Post(p) => of(
            if p.as_deputy { "deputy" } else { "post" },
            Some(p.term_id),
            p.role
                .map(|r| r.as_str().to_owned())
                .or(p.post_name.clone()),
            Some(date_text(p.starts_on)),
        ),
        Detail::Asset(a) => of("asset", Some(a.asset_id), Some(a.name.clone()), None),
        Detail::TakeOut(t) => of(
            t.kind.as_str(),
            Some(t.asset_id),
            Some(t.asset_name.clone()),
            Some(date_text(t.occurred_on)),
        ),
        Detail::Unacknowledged(n) => of("unacknowledged", Some(*n), None, None),
        Detail::NoPledgePublished => of("no_pledge_published", None, None, None),
        Detail::TrainedOn(on) => of("trained_on", None, None, Some(date_text(*on))),
        Detail::NoAccount => of("no_account", None, None, None),
    }
}

/// One item of a person's checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangeItemOut {
    #[schema(value_type = crate::api::codes::TermChangeItem)]
    pub item: String,
    #[schema(value_type = crate::api::codes::TermChangeItemState)]
    pub state: String,
    /// The secretariat's line or setting-aside, changed through `/marks/{mid}`.
    pub mark_id: Option<i64>,
    /// A line's text.
    pub label: Option<String>,
    /// The reason an item was set aside, or a line's note.
    pub note: Option<String>,
    pub details: Vec<TermChangeDetailOut>,
}

fn item_out(i: &ItemLine) -> TermChangeItemOut {
    TermChangeItemOut {
        item: i.item.as_str().to_owned(),
        state: i.state.as_str().to_owned(),
        mark_id: i.mark.as_ref().map(|m| m.id),
        label: i
            .mark
            .as_ref()
            .filter(|m| !m.label.is_empty())
            .map(|m| m.label.clone()),
        note: i.mark.as_ref().map(|m| m.note.clone()),
        details: i.details.iter().map(detail_out).collect(),
    }
}

/// A person of a change and their checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangePersonOut {
    pub id: i64,
    #[schema(value_type = crate::api::codes::TermChangeDirection)]
    pub direction: String,
    pub name: String,
    /// The account, once there is one.
    pub login: Option<String>,
    pub done: bool,
    pub items: Vec<TermChangeItemOut>,
}

fn person_out(p: &PersonChecklist) -> TermChangePersonOut {
    TermChangePersonOut {
        id: p.person.id,
        direction: p.person.direction.as_str().to_owned(),
        name: p.person.name.clone(),
        login: p.person.login.clone(),
        done: p.done(),
        items: p.items.iter().map(item_out).collect(),
    }
}

/// A change's checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangeDetail {
    #[serde(flatten)]
    pub change: TermChangeOut,
    pub checklists: Vec<TermChangePersonOut>,
}

fn checklist_out(c: Checklist) -> TermChangeDetail {
    let summary = Summary {
        people: c.people.len(),
        people_done: c.people_done(),
        change: c.change.clone(),
    };
    TermChangeDetail {
        change: out(&summary),
        checklists: c.people.iter().map(person_out).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TermChangeList {
    pub items: Vec<TermChangeOut>,
    pub total: u64,
}

/// A change to register. The day in ISO 8601 or 和暦.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "general_election", "title": "令和9年4月 一般選挙",
    "effective_on": "令和9年5月1日", "note": ""}))]
pub struct TermChangeIn {
    #[schema(value_type = crate::api::codes::TermChangeKind)]
    pub kind: String,
    pub title: String,
    pub effective_on: String,
    #[serde(default)]
    pub note: String,
}

/// Someone leaving (by login) or joining (by login, or by name until an account is made).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"direction": "joining", "name": "新井 一郎", "reading": "あらい いちろう"}))]
pub struct TermChangePersonIn {
    #[schema(value_type = crate::api::codes::TermChangeDirection)]
    pub direction: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub reading: String,
}

/// The account made for someone joining.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"login": "giin.arai"}))]
pub struct TermChangeAccountIn {
    pub login: String,
}

/// A line of one's own (`item` empty or `line`, with `label`), or an item set aside
/// (`item` its code, `note` the reason).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"item": "posts_given", "note": "役職に就かない議員のため"}))]
pub struct TermChangeMarkIn {
    #[serde(default)]
    #[schema(value_type = crate::api::codes::TermChangeItem)]
    pub item: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub note: String,
}

/// A mark's new state: a line `done` or `open`; a setting-aside withdrawn with `open`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "done", "note": "議会タブレットを返却済み"}))]
pub struct TermChangeMarkStateIn {
    #[schema(value_type = crate::api::codes::TermChangeItemState)]
    pub state: String,
    pub note: Option<String>,
}

/// What carrying out the leaving did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermChangeCarriedOut {
    pub terms_ended: usize,
    pub accounts_closed: usize,
}

async fn gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::TermChanges, Act::Edit, what)
        .await?;
    Ok(())
}

async fn detail(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<TermChangeDetail, AppError> {
    Ok(checklist_out(
        app_changes::show(&state.app, &signed.0.acting, id).await?,
    ))
}

/// Every change, the latest day first.
#[utoipa::path(get, path = "/api/v1/term-changes", tag = "term_changes",
    responses(
        (status = 200, body = TermChangeList),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_changes(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<TermChangeList>, AppError> {
    let items: Vec<TermChangeOut> = app_changes::list(&state.app, &signed.0.acting)
        .await?
        .iter()
        .map(out)
        .collect();
    Ok(Json(TermChangeList {
        total: u64::try_from(items.len()).unwrap_or(0),
        items,
    }))
}

/// One change and everyone's checklist.
#[utoipa::path(get, path = "/api/v1/term-changes/{id}", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id")),
    responses(
        (status = 200, body = TermChangeDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_change(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TermChangeDetail>, AppError> {
    Ok(Json(detail(&state, &signed, parse_id(&id)?).await?))
}

/// Registers a change.
#[utoipa::path(post, path = "/api/v1/term-changes", tag = "term_changes",
    request_body = TermChangeIn,
    responses(
        (status = 201, body = TermChangeDetail, description = "Registered; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (unknown kind, no title, a bad date)"),
    ))]
pub async fn create_change(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "term_change.create").await?;
    let input: TermChangeIn = read_json(request).await?;
    let form = ChangeForm {
        kind: input.kind,
        title: input.title,
        effective_on: input.effective_on,
        note: input.note,
    };
    let id = app_changes::create(&state.app, &signed.0.acting, &form).await?;
    Ok(crate::api::created(
        detail(&state, &signed, id).await?,
        &format!("/api/v1/term-changes/{id}"),
    ))
}

/// Adds someone leaving or joining.
#[utoipa::path(post, path = "/api/v1/term-changes/{id}/people", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id")),
    request_body = TermChangePersonIn,
    responses(
        (status = 201, body = TermChangeDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: someone leaving added after the leaving was carried out"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: an unknown login, someone already on the change, \
                           someone leaving without an account"),
    ))]
pub async fn add_person(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "term_change.person_add").await?;
    let id = parse_id(&id)?;
    let input: TermChangePersonIn = read_json(request).await?;
    let form = PersonForm {
        direction: input.direction,
        login: input.login,
        name: input.name,
        reading: input.reading,
    };
    app_changes::add_person(&state.app, &signed.0.acting, id, &form).await?;
    Ok(crate::api::created(
        detail(&state, &signed, id).await?,
        &format!("/api/v1/term-changes/{id}"),
    ))
}

/// Takes someone off the change (added by mistake).
#[utoipa::path(delete, path = "/api/v1/term-changes/{id}/people/{pid}", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id"),
           ("pid" = i64, Path, description = "The person's id on the change")),
    responses(
        (status = 200, body = TermChangeDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: someone leaving, once the leaving was carried out"),
    ))]
pub async fn remove_person(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Json<TermChangeDetail>, AppError> {
    gate(&state, &signed, "term_change.person_remove").await?;
    let id = parse_id(&id)?;
    app_changes::remove_person(&state.app, &signed.0.acting, id, parse_id(&pid)?).await?;
    Ok(Json(detail(&state, &signed, id).await?))
}

/// Links the account made for someone joining.
#[utoipa::path(put, path = "/api/v1/term-changes/{id}/people/{pid}/account", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id"),
           ("pid" = i64, Path, description = "The person's id on the change")),
    request_body = TermChangeAccountIn,
    responses(
        (status = 200, body = TermChangeDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: someone leaving, or an account already linked"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: an unknown login or one already on the change"),
    ))]
pub async fn link_account(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<TermChangeDetail>, AppError> {
    gate(&state, &signed, "term_change.account_link").await?;
    let (id, pid) = (parse_id(&id)?, parse_id(&pid)?);
    let input: TermChangeAccountIn = read_json(request).await?;
    app_changes::link_account(&state.app, &signed.0.acting, id, pid, &input.login).await?;
    Ok(Json(detail(&state, &signed, id).await?))
}

/// Adds a line of one's own to a person's checklist, or sets one of their items aside.
#[utoipa::path(post, path = "/api/v1/term-changes/{id}/people/{pid}/marks", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id"),
           ("pid" = i64, Path, description = "The person's id on the change")),
    request_body = TermChangeMarkIn,
    responses(
        (status = 201, body = TermChangeDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: no text, no reason, an item that cannot be set aside"),
    ))]
pub async fn add_mark(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, pid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "term_change.mark_add").await?;
    let (id, pid) = (parse_id(&id)?, parse_id(&pid)?);
    let input: TermChangeMarkIn = read_json(request).await?;
    let form = MarkForm {
        item: input.item,
        label: input.label,
        note: input.note,
    };
    app_changes::add_mark(&state.app, &signed.0.acting, id, pid, &form).await?;
    Ok(crate::api::created(
        detail(&state, &signed, id).await?,
        &format!("/api/v1/term-changes/{id}"),
    ))
}

/// Changes a mark: a line done or open again; a setting-aside withdrawn.
#[utoipa::path(put, path = "/api/v1/term-changes/{id}/marks/{mid}", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id"),
           ("mid" = i64, Path, description = "The mark's id")),
    request_body = TermChangeMarkStateIn,
    responses(
        (status = 200, body = TermChangeDetail),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: a state the mark cannot take"),
    ))]
pub async fn set_mark(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, mid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<TermChangeDetail>, AppError> {
    gate(&state, &signed, "term_change.mark_change").await?;
    let (id, mid) = (parse_id(&id)?, parse_id(&mid)?);
    let input: TermChangeMarkStateIn = read_json(request).await?;
    app_changes::set_mark(
        &state.app,
        &signed.0.acting,
        id,
        mid,
        &input.state,
        input.note.as_deref(),
    )
    .await?;
    Ok(Json(detail(&state, &signed, id).await?))
}

/// Carries out the leaving: terms end the day before the change, accounts close.
#[utoipa::path(post, path = "/api/v1/term-changes/{id}/carry-out", tag = "term_changes",
    params(("id" = i64, Path, description = "The change's id")),
    responses(
        (status = 200, body = TermChangeCarriedOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody,
            description = "Not a keeper of changes, or may not close accounts"),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: before the day, or carried out already"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: the last active administrator would leave"),
    ))]
pub async fn carry_out(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<TermChangeCarriedOut>, AppError> {
    gate(&state, &signed, "term_change.carry_out").await?;
    let CarriedOut {
        terms_ended,
        accounts_closed,
    } = app_changes::carry_out(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(TermChangeCarriedOut {
        terms_ended,
        accounts_closed,
    }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_changes,
        get_change,
        create_change,
        add_person,
        remove_person,
        link_account,
        add_mark,
        set_mark,
        carry_out
    ),
    components(schemas(
        TermChangeOut,
        TermChangeDetailOut,
        TermChangeItemOut,
        TermChangePersonOut,
        TermChangeDetail,
        TermChangeList,
        TermChangeIn,
        TermChangePersonIn,
        TermChangeAccountIn,
        TermChangeMarkIn,
        TermChangeMarkStateIn,
        TermChangeCarriedOut
    ))
)]
pub struct Doc;
