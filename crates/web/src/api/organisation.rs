//! The organisation register over the API, on the same use cases as the pages
//! (`mamori_app::organisation`): who held which post on a day, a post's history,
//! recording and ending terms, the assembly's own posts, and contact details.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use mamori_app::date_text;
use mamori_app::organisation::{self as app_org, Person, Post, Term, TermChange};
use mamori_domain::access::{Act, Register};
use mamori_domain::organisation::{ContactForm, TermForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::params::organisation::day_asked;
use crate::state::AppState;

/// A post: a built-in one names its `role` (and carries that role's grants); one the
/// assembly added has a `name`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPostOut {
    pub id: i64,
    #[schema(value_type = Option<crate::api::codes::OrgRole>)]
    pub role: Option<String>,
    pub name: Option<String>,
    pub body_id: Option<i64>,
    /// Held by one person at a time.
    pub single_holder: bool,
}

fn post_out(p: &Post) -> OrgPostOut {
    OrgPostOut {
        id: p.id,
        role: p.role.map(|r| r.as_str().to_owned()),
        name: p.name.clone(),
        body_id: p.body_id,
        single_holder: p.single_holder,
    }
}

/// A term of a post's holder; dates are ISO 8601 and inclusive.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostTermOut {
    pub id: i64,
    pub post_id: i64,
    pub holder_id: i64,
    pub holder_name: String,
    pub deputy_id: Option<i64>,
    pub deputy_name: Option<String>,
    pub starts_on: String,
    /// The last day held; absent while held.
    pub ends_on: Option<String>,
    pub note: String,
}

fn term_out(t: &Term) -> PostTermOut {
    PostTermOut {
        id: t.id,
        post_id: t.post_id,
        holder_id: t.holder_id,
        holder_name: t.holder_name.clone(),
        deputy_id: t.deputy_id,
        deputy_name: t.deputy_name.clone(),
        starts_on: date_text(t.starts_on),
        ends_on: t.ends_on.map(date_text),
        note: t.note.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgBodyOut {
    pub id: i64,
    /// `committee`, `csirt` or `secretariat` for the bodies mamori ships.
    pub code: Option<String>,
    pub name: Option<String>,
    #[schema(value_type = crate::api::codes::BodyKind)]
    pub kind: String,
}

/// Refuses, before the body is read, those who may not do `act` on the register.
async fn permit(state: &AppState, signed: &SignedIn, act: Act, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Organisation, act, what)
        .await?;
    Ok(())
}

/// Every post on a day, with the terms in force then.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterOut {
    /// ISO 8601.
    pub on: String,
    pub bodies: Vec<OrgBodyOut>,
    /// Every post in the order of calling, with its terms in force on the day.
    pub post_holders: Vec<PostHoldersOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostHoldersOut {
    #[serde(flatten)]
    pub post: OrgPostOut,
    pub terms: Vec<PostTermOut>,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct OnQuery {
    /// The day (ISO 8601 or 和暦: 令和8年5月1日); today when absent.
    pub on: Option<String>,
}

/// Who held which post on a day.
#[utoipa::path(get, path = "/api/v1/organisation", tag = "organisation", params(OnQuery),
    responses(
        (status = 200, body = RosterOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`on` is not a date"),
    ))]
pub async fn get_roster(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(query): Query<OnQuery>,
) -> Result<Json<RosterOut>, AppError> {
    let day = day_asked(query.on.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let roster = app_org::roster(&state.app, &signed.0.acting, day).await?;
    Ok(Json(RosterOut {
        on: date_text(day),
        bodies: roster
            .bodies
            .iter()
            .map(|b| OrgBodyOut {
                id: b.id,
                code: b.code.clone(),
                name: b.name.clone(),
                kind: b.kind.as_str().to_owned(),
            })
            .collect(),
        post_holders: roster
            .posts
            .iter()
            .map(|(p, terms)| PostHoldersOut {
                post: post_out(p),
                terms: terms.iter().map(term_out).collect(),
            })
            .collect(),
    }))
}

/// One post and every term of it, earliest first.
#[utoipa::path(get, path = "/api/v1/organisation/posts/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 200, body = PostHoldersOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_post(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<PostHoldersOut>, AppError> {
    let history = app_org::post_history(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(PostHoldersOut {
        post: post_out(&history.post),
        terms: history.terms.iter().map(term_out).collect(),
    }))
}

/// A post the assembly adds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "議事係長", "body_id": 3, "single_holder": true}))]
pub struct OrgPostIn {
    pub name: String,
    #[serde(default)]
    pub body_id: Option<i64>,
    #[serde(default)]
    pub single_holder: bool,
}

/// Adds a post of the assembly's own (it carries no grants).
#[utoipa::path(post, path = "/api/v1/organisation/posts", tag = "organisation",
    request_body = OrgPostIn,
    responses(
        (status = 201, body = PostHoldersOut, description = "Added; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn add_post(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    permit(&state, &signed, Act::Edit, "organisation.post_add").await?;
    let input: OrgPostIn = read_json(request).await?;
    let id = app_org::add_post(
        &state.app,
        acting,
        &input.name,
        input.body_id,
        input.single_holder,
    )
    .await?;
    let history = app_org::post_history(&state.app, acting, id).await?;
    Ok(crate::api::created(
        PostHoldersOut {
            post: post_out(&history.post),
            terms: Vec::new(),
        },
        &format!("/api/v1/organisation/posts/{id}"),
    ))
}

/// A term to record: dates in ISO 8601 or 和暦; `ends_on` absent while held.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"holder_id": 12, "deputy_id": 14, "starts_on": "2026-05-01", "note": "改選後の議長"}))]
pub struct PostTermIn {
    pub holder_id: i64,
    #[serde(default)]
    pub deputy_id: Option<i64>,
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Records a term of a post. A post held by one person at a time refuses a second
/// holder on any day (end the other term first).
#[utoipa::path(post, path = "/api/v1/organisation/posts/{id}/terms", tag = "organisation",
    params(("id" = i64, Path, description = "The post's id")),
    request_body = PostTermIn,
    responses(
        (status = 201, body = PostTermOut, description = "Recorded; `Location` names the post"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`: a date, a person, or another holder that day"),
    ))]
pub async fn add_term(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let post_id = parse_id(&id)?;
    permit(&state, &signed, Act::Edit, "organisation.term_add").await?;
    let input: PostTermIn = read_json(request).await?;
    let form = TermForm {
        holder_id: Some(input.holder_id),
        deputy_id: input.deputy_id,
        starts_on: input.starts_on,
        ends_on: input.ends_on.unwrap_or_default(),
        note: input.note,
    };
    let term = app_org::add_term(&state.app, &signed.0.acting, post_id, &form).await?;
    let term = app_org::term(&state.app, &signed.0.acting, term).await?;
    Ok(crate::api::created(
        term_out(&term),
        &format!("/api/v1/organisation/posts/{post_id}"),
    ))
}

/// A change to a term: its last day, and/or its deputy (`null` removes the deputy).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2027-04-30"}))]
pub struct PostTermChangeIn {
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub deputy_id: Option<Option<i64>>,
}

/// Tells a `null` sent apart from a field left out.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Ends a term on its last day, or changes its deputy.
#[utoipa::path(patch, path = "/api/v1/organisation/terms/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "The term's id")),
    request_body = PostTermChangeIn,
    responses(
        (status = 200, body = PostTermOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn change_term(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<PostTermOut>, AppError> {
    let id = parse_id(&id)?;
    permit(&state, &signed, Act::Edit, "organisation.term_change").await?;
    let input: PostTermChangeIn = read_json(request).await?;
    let change = TermChange {
        ends_on: input.ends_on,
        deputy_id: input.deputy_id,
    };
    let term = app_org::change_term(&state.app, &signed.0.acting, id, &change).await?;
    Ok(Json(term_out(&term)))
}

/// How to reach a person, and the day their service began (ISO 8601).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPersonOut {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub starts_on: Option<String>,
    pub phone: Option<String>,
    pub extension: Option<String>,
    pub mobile: Option<String>,
    pub mail: Option<String>,
}

fn person_out(p: &Person) -> OrgPersonOut {
    OrgPersonOut {
        id: p.id,
        name: p.name.clone(),
        active: p.active,
        starts_on: p.starts_on.map(date_text),
        phone: p.contact.phone.clone(),
        extension: p.contact.extension.clone(),
        mobile: p.contact.mobile.clone(),
        mail: p.mail.clone(),
    }
}

/// The contact list (緊急連絡網) on a day: posts in the order of calling, then everyone
/// else in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactListOut {
    pub on: String,
    pub lines: Vec<ContactLineOut>,
    pub others: Vec<OrgPersonOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactLineOut {
    pub post: OrgPostOut,
    pub holder: OrgPersonOut,
    pub deputy: Option<OrgPersonOut>,
}

/// The contact list on a day.
#[utoipa::path(get, path = "/api/v1/organisation/contacts", tag = "organisation",
    params(OnQuery),
    responses(
        (status = 200, body = ContactListOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`on` is not a date"),
    ))]
pub async fn get_contacts(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(query): Query<OnQuery>,
) -> Result<Json<ContactListOut>, AppError> {
    let day = day_asked(query.on.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let list = app_org::contact_list(&state.app, &signed.0.acting, day).await?;
    Ok(Json(ContactListOut {
        on: date_text(day),
        lines: list
            .lines
            .iter()
            .map(|l| ContactLineOut {
                post: post_out(&l.post),
                holder: person_out(&l.holder),
                deputy: l.deputy.as_ref().map(person_out),
            })
            .collect(),
        others: list.others.iter().map(person_out).collect(),
    }))
}

/// Contact details as written, and the start date (ISO 8601 or 和暦).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0267-62-2111", "extension": "1234", "mobile": "", "starts_on": "2023-05-01"}))]
pub struct OrgContactIn {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub extension: String,
    #[serde(default)]
    pub mobile: String,
    pub starts_on: String,
}

/// Sets a person's contact details and start date: the register's keepers for anyone,
/// everyone for themselves.
#[utoipa::path(put, path = "/api/v1/organisation/people/{id}", tag = "organisation",
    params(("id" = i64, Path, description = "The user's id")),
    request_body = OrgContactIn,
    responses(
        (status = 200, body = OrgPersonOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn set_contact(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<OrgPersonOut>, AppError> {
    let id = parse_id(&id)?;
    let act = app_org::contact_act(&signed.0.acting, id);
    permit(&state, &signed, act, "organisation.contact").await?;
    let input: OrgContactIn = read_json(request).await?;
    let form = ContactForm {
        phone: input.phone,
        extension: input.extension,
        mobile: input.mobile,
        starts_on: input.starts_on,
    };
    let person = app_org::set_contact(&state.app, &signed.0.acting, id, &form).await?;
    Ok(Json(person_out(&person)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        get_roster,
        get_post,
        add_post,
        add_term,
        change_term,
        get_contacts,
        set_contact
    ),
    components(schemas(
        OrgPostOut,
        PostTermOut,
        OrgBodyOut,
        RosterOut,
        PostHoldersOut,
        OrgPostIn,
        PostTermIn,
        PostTermChangeIn,
        OrgPersonOut,
        ContactListOut,
        ContactLineOut,
        OrgContactIn
    ))
)]
pub struct Doc;
