//! User management for administrators: the list, adding a user, editing one
//! (deactivation instead of deletion), and resetting a password or a lost second factor.
//! The validation and the write rules here are shared with `api::users`.

use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::user::{DISPLAY_NAME_MAX, LoginId, OrgRole, Role, UserType};
use mamori_domain::{password, text};
use mamori_store::users::{self, NewUser, User, UserChanges, UserSummary};
use mamori_store::{Actor, sessions};
use serde::Deserialize;

use crate::api::pagination::PageQuery;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::setup::FieldError;
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Only administrators manage users.
pub const ADMIN: &[Role] = &[Role::Admin];

/// Users per page of the list.
pub const PER_PAGE: u32 = 50;

// ---------------------------------------------------------------- labels shared by pages

/// The locale key naming a system role.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "role.admin",
        Role::SecurityOfficer => "role.security_officer",
        Role::User => "role.user",
        Role::Auditor => "role.auditor",
        Role::Contractor => "role.contractor",
    }
}

/// What a system role may do, shown beside the choice.
pub fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Admin => "users.role_hint.admin",
        Role::SecurityOfficer => "users.role_hint.security_officer",
        Role::User => "users.role_hint.user",
        Role::Auditor => "users.role_hint.auditor",
        Role::Contractor => "users.role_hint.contractor",
    }
}

pub fn user_type_label(user_type: UserType) -> &'static str {
    match user_type {
        UserType::Member => "user_type.member",
        UserType::Staff => "user_type.staff",
        UserType::Contractor => "user_type.contractor",
        UserType::Other => "user_type.other",
    }
}

pub fn org_role_label(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Ciso => "org_role.ciso",
        OrgRole::ChiefSecurityOfficer => "org_role.chief_security_officer",
        OrgRole::SecurityManager => "org_role.security_manager",
        OrgRole::SystemStaff => "org_role.system_staff",
        OrgRole::CommitteeMember => "org_role.committee_member",
        OrgRole::CsirtMember => "org_role.csirt_member",
    }
}

/// One option of a radio group or a checkbox list.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
}

fn role_choices() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: role_label(*r),
            hint: Some(role_hint(*r)),
        })
        .collect()
}

fn user_type_choices() -> Vec<Choice> {
    UserType::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str(),
            label: user_type_label(*t),
            hint: None,
        })
        .collect()
}

fn org_role_choices() -> Vec<Choice> {
    OrgRole::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: org_role_label(*r),
            hint: None,
        })
        .collect()
}

// ---------------------------------------------------------------- rules shared with the API

/// Why one field was refused: the field, a locale key and its parameters.
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: &'static str, key: &'static str) -> Problem {
        Problem {
            field,
            key,
            params: Vec::new(),
        }
    }

    pub fn message(&self, tr: &Tr) -> String {
        tr.f(self.key, &self.params)
    }

    fn field_error(&self, tr: &Tr) -> FieldError {
        FieldError {
            field: self.field,
            message: self.message(tr),
        }
    }
}

pub fn parse_login(input: &str) -> Result<LoginId, Problem> {
    LoginId::parse(input).map_err(|p| Problem {
        field: "login",
        key: p.message_key(),
        params: p.params(),
    })
}

pub fn parse_display_name(input: &str) -> Result<String, Problem> {
    text::single_line(input, DISPLAY_NAME_MAX).map_err(|p| Problem {
        field: "display_name",
        key: p.message_key(),
        params: p.params(),
    })
}

fn unknown_value(field: &'static str, value: &str, choices: Vec<&'static str>) -> Problem {
    Problem {
        field,
        key: "users.error.unknown_value",
        params: vec![
            ("value", value.chars().take(40).collect()),
            ("choices", choices.join(", ")),
        ],
    }
}

pub fn parse_role(input: &str) -> Result<Role, Problem> {
    match input.trim() {
        "" => Err(Problem::new("role", "users.error.choose")),
        value => Role::parse(value).ok_or_else(|| {
            unknown_value(
                "role",
                value,
                Role::ALL.iter().map(|r| r.as_str()).collect(),
            )
        }),
    }
}

pub fn parse_user_type(input: &str) -> Result<UserType, Problem> {
    match input.trim() {
        "" => Err(Problem::new("user_type", "users.error.choose")),
        value => UserType::parse(value).ok_or_else(|| {
            unknown_value(
                "user_type",
                value,
                UserType::ALL.iter().map(|t| t.as_str()).collect(),
            )
        }),
    }
}

pub fn parse_org_roles<S: AsRef<str>>(input: &[S]) -> Result<Vec<OrgRole>, Problem> {
    let mut roles = Vec::new();
    for value in input {
        let value = value.as_ref().trim();
        let role = OrgRole::parse(value).ok_or_else(|| {
            unknown_value(
                "org_roles",
                value,
                OrgRole::ALL.iter().map(|r| r.as_str()).collect(),
            )
        })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// A password chosen by an administrator for `login`, by the national password rules.
pub fn check_password(field: &'static str, login: &str, input: &str) -> Result<(), Problem> {
    if input.is_empty() {
        return Err(Problem::new(field, "field.error.required"));
    }
    password::check(login, input).map_err(|p| Problem {
        field,
        key: p.message_key(),
        params: p.params(),
    })
}

/// An administrator may not lock themself out: no deactivating their own account and no
/// giving up their own administrator role.
pub fn self_problems(
    actor_id: i64,
    target_id: i64,
    role: Option<Role>,
    active: Option<bool>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if actor_id != target_id {
        return problems;
    }
    if role.is_some_and(|r| r != Role::Admin) {
        problems.push(Problem::new("role", "users.error.self_demote"));
    }
    if active == Some(false) {
        problems.push(Problem::new("active", "users.error.self_deactivate"));
    }
    problems
}

/// Only what differs from the stored user; empty when nothing changes.
pub fn changes_from(
    current: &UserSummary,
    display_name: Option<String>,
    role: Option<Role>,
    user_type: Option<UserType>,
    org_roles: Option<Vec<OrgRole>>,
    active: Option<bool>,
) -> UserChanges {
    let user = &current.user;
    UserChanges {
        display_name: display_name.filter(|n| *n != user.display_name),
        role: role.filter(|r| *r != user.role),
        user_type: user_type.filter(|t| *t != user.user_type),
        active: active.filter(|a| *a != user.active),
        org_roles: org_roles.filter(|r| *r != current.org_roles),
    }
}

pub fn no_changes(changes: &UserChanges) -> bool {
    changes.display_name.is_none()
        && changes.role.is_none()
        && changes.user_type.is_none()
        && changes.active.is_none()
        && changes.org_roles.is_none()
}

/// Writes `changes` to `target`, refusing (under the write lock) a change that would leave
/// no active administrator.
pub async fn apply_changes(
    state: &AppState,
    actor: Actor,
    target: &User,
    changes: UserChanges,
) -> Result<Result<(), Problem>, AppError> {
    let loses_admin = target.role == Role::Admin
        && target.active
        && (changes.role.is_some_and(|r| r != Role::Admin) || changes.active == Some(false));
    let mut tx = state.store.write(actor).await?;
    if loses_admin && users::active_admins_except(&mut tx, target.id).await? == 0 {
        let field = if changes.active == Some(false) {
            "active"
        } else {
            "role"
        };
        // Dropping the transaction rolls it back; nothing was written.
        return Ok(Err(Problem::new(field, "users.error.last_admin")));
    }
    users::update(&state.store, &mut tx, target.id, changes).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// What a new user is made of, checked.
pub struct ValidNewUser {
    pub login: LoginId,
    pub display_name: String,
    pub role: Role,
    pub user_type: UserType,
    pub org_roles: Vec<OrgRole>,
}

/// Creates the user with `must_change_password` set; a taken login is a [`Problem`].
pub async fn create_user(
    state: &AppState,
    actor: Actor,
    user: &ValidNewUser,
    password: &str,
) -> Result<Result<i64, Problem>, AppError> {
    let taken = || Problem::new("login", "error.conflict_login");
    if users::find_by_login(&state.store, &user.login)
        .await?
        .is_some()
    {
        return Ok(Err(taken()));
    }
    // Hashing takes a while: done before the write lock is taken.
    let hash = mamori_store::password::hash(password).await?;
    let mut tx = state.store.write(actor).await?;
    let created = users::create(
        &mut tx,
        NewUser {
            login: &user.login,
            display_name: &user.display_name,
            role: user.role,
            user_type: user.user_type,
            password_hash: &hash,
            must_change_password: true,
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(mamori_store::StoreError::Conflict("login")) => return Ok(Err(taken())),
        Err(e) => return Err(e.into()),
    };
    users::set_org_roles(&mut tx, id, &user.org_roles).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// `Path<i64>` would answer a non-number with axum's plain-text 400; an id that is not a
/// number names no user.
pub fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>().map_err(|_| AppError::not_found())
}

// ---------------------------------------------------------------- form plumbing

/// A URL-encoded body as name/value pairs: checkboxes repeat a name, which a struct
/// cannot take, and a missing field must be an error of ours, not a rejection.
struct Fields(Vec<(String, String)>);

impl Fields {
    /// Read after the role check, so that people without access learn nothing from
    /// the body's validation.
    async fn read(request: Request) -> Result<Fields, AppError> {
        let WebForm(pairs) = WebForm::<Vec<(String, String)>>::from_request(request, &()).await?;
        Ok(Fields(pairs))
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// What the user form shows: typed text is kept as typed (passwords never).
#[derive(Debug, Default, Clone)]
pub struct UserForm {
    pub login: String,
    pub display_name: String,
    pub user_type: String,
    pub role: String,
    pub org_roles: Vec<String>,
    /// "1", "0", or "" when neither was chosen.
    pub active: String,
}

impl UserForm {
    fn from_fields(fields: &Fields) -> UserForm {
        UserForm {
            login: fields.get("login").chars().take(200).collect(),
            display_name: fields.get("display_name").chars().take(500).collect(),
            user_type: fields.get("user_type").chars().take(40).collect(),
            role: fields.get("role").chars().take(40).collect(),
            org_roles: fields.all("org_roles"),
            active: fields.get("active").chars().take(5).collect(),
        }
    }

    fn from_user(summary: &UserSummary) -> UserForm {
        let user = &summary.user;
        UserForm {
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            user_type: user.user_type.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            org_roles: summary
                .org_roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            active: if user.active { "1" } else { "0" }.to_owned(),
        }
    }
}

fn parse_active(input: &str) -> Result<bool, Problem> {
    match input {
        "1" => Ok(true),
        "0" => Ok(false),
        "" => Err(Problem::new("active", "users.error.choose")),
        other => Err(unknown_value("active", other, vec!["1", "0"])),
    }
}

// ---------------------------------------------------------------- the list

struct ListRow {
    id: i64,
    login: String,
    display_name: String,
    user_type: &'static str,
    role: &'static str,
    org_roles: Vec<&'static str>,
    active: bool,
    mfa_enabled: bool,
    must_change_password: bool,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ListRow>,
    range: String,
    page_label: String,
    pages: u32,
    prev: Option<u32>,
    next: Option<u32>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.list").await?;
    let request = PageQuery {
        page: query.page,
        per_page: Some(PER_PAGE.to_string()),
    }
    .parse()?;
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let (summaries, total) =
        users::list_summaries(&state.store, i64::from(request.per_page), offset).await?;
    let pages = u32::try_from(total.max(1).unsigned_abs().div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX);
    let first = offset + 1;
    let last = offset + summaries.len() as i64;
    let range = if summaries.is_empty() {
        ctx.tr
            .f("users.range_empty", &[("total", total.to_string())])
    } else {
        ctx.tr.f(
            "users.range",
            &[
                ("total", total.to_string()),
                ("first", first.to_string()),
                ("last", last.to_string()),
            ],
        )
    };
    let rows = summaries
        .into_iter()
        .map(|s| ListRow {
            id: s.user.id,
            login: s.user.login,
            display_name: s.user.display_name,
            user_type: user_type_label(s.user.user_type),
            role: role_label(s.user.role),
            org_roles: s.org_roles.iter().map(|r| org_role_label(*r)).collect(),
            active: s.user.active,
            mfa_enabled: s.mfa_enabled,
            must_change_password: s.user.must_change_password,
        })
        .collect();
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "users", "/users", Some(&signed.0)).await,
        rows,
        range,
        page_label: ctx.tr.f(
            "users.page_of",
            &[
                ("page", request.page.to_string()),
                ("pages", pages.to_string()),
            ],
        ),
        pages,
        // Past the end, "previous" leads back to the last page.
        prev: (request.page > 1).then(|| (request.page - 1).min(pages)),
        next: (request.page < pages).then(|| request.page + 1),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- add and edit

/// The account being edited, as shown beside the form.
struct Target {
    id: i64,
    login: String,
    display_name: String,
    created_at: String,
    mfa_enabled: bool,
    must_change_password: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "users_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// Absent when adding a user.
    target: Option<Target>,
    form: UserForm,
    /// Errors of the main form, of the password reset, and of the MFA reset.
    errors: Vec<FieldError>,
    password_errors: Vec<FieldError>,
    mfa_errors: Vec<FieldError>,
    notice: Option<String>,
    password_hint: String,
    roles: Vec<Choice>,
    user_types: Vec<Choice>,
    org_role_choices: Vec<Choice>,
}

impl FormPage {
    fn find<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        Self::find(&self.errors, field)
    }

    fn password_error_for(&self, field: &str) -> Option<&str> {
        Self::find(&self.password_errors, field)
    }

    fn mfa_error_for(&self, field: &str) -> Option<&str> {
        Self::find(&self.mfa_errors, field)
    }

    /// Every error, for the summary at the top of the page.
    fn all_errors(&self) -> Vec<&FieldError> {
        self.errors
            .iter()
            .chain(&self.password_errors)
            .chain(&self.mfa_errors)
            .collect()
    }

    fn org_role_checked(&self, value: &str) -> bool {
        self.form.org_roles.iter().any(|r| r == value)
    }
}

struct FormErrors {
    main: Vec<FieldError>,
    password: Vec<FieldError>,
    mfa: Vec<FieldError>,
}

impl FormErrors {
    fn none() -> FormErrors {
        FormErrors {
            main: Vec::new(),
            password: Vec::new(),
            mfa: Vec::new(),
        }
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    target: Option<&UserSummary>,
    form: UserForm,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let path = match target {
        Some(s) => format!("/users/{}", s.user.id),
        None => "/users/new".to_owned(),
    };
    let status = if errors.main.is_empty() && errors.password.is_empty() && errors.mfa.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, "users", &path, Some(&signed.0)).await,
        target: target.map(|s| Target {
            id: s.user.id,
            login: s.user.login.clone(),
            display_name: s.user.display_name.clone(),
            created_at: mamori_store::parse_timestamp(&s.user.created_at)
                .map(|at| ctx.datetime(at))
                .unwrap_or_else(|| s.user.created_at.clone()),
            mfa_enabled: s.mfa_enabled,
            must_change_password: s.user.must_change_password,
            is_self: s.user.id == signed.user().id,
        }),
        form,
        errors: errors.main,
        password_errors: errors.password,
        mfa_errors: errors.mfa,
        notice,
        password_hint: ctx.tr.f(
            "users.password_hint",
            &[("min", password::MIN_CHARS.to_string())],
        ),
        roles: role_choices(),
        user_types: user_type_choices(),
        org_role_choices: org_role_choices(),
    };
    render(status, &page)
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.new").await?;
    // The least-privileged choices are the defaults.
    let form = UserForm {
        user_type: UserType::Staff.as_str().to_owned(),
        role: Role::User.as_str().to_owned(),
        active: "1".to_owned(),
        ..UserForm::default()
    };
    render_form(&state, &ctx, &signed, None, form, FormErrors::none(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.create").await?;
    let fields = Fields::read(request).await?;
    let form = UserForm::from_fields(&fields);
    let mut problems = Vec::new();
    let login = parse_login(&form.login).map_err(|p| problems.push(p)).ok();
    let display_name = parse_display_name(&form.display_name)
        .map_err(|p| problems.push(p))
        .ok();
    let user_type = parse_user_type(&form.user_type)
        .map_err(|p| problems.push(p))
        .ok();
    let role = parse_role(&form.role).map_err(|p| problems.push(p)).ok();
    let org_roles = parse_org_roles(&form.org_roles)
        .map_err(|p| problems.push(p))
        .ok();
    let typed_password = fields.get("password");
    let login_text = login.as_ref().map_or("", |l| l.as_str());
    if let Err(p) = check_password("password", login_text, typed_password) {
        problems.push(p);
    } else if typed_password != fields.get("password_confirm") {
        problems.push(Problem::new("password_confirm", "password.error.mismatch"));
    }
    let (state, ctx, signed) = (&state, &ctx, &signed);
    let refuse = move |problems: Vec<Problem>, form: UserForm| {
        let errors = FormErrors {
            main: problems.iter().map(|p| p.field_error(&ctx.tr)).collect(),
            ..FormErrors::none()
        };
        render_form(state, ctx, signed, None, form, errors, None)
    };
    let (Some(login), Some(display_name), Some(user_type), Some(role), Some(org_roles), true) = (
        login,
        display_name,
        user_type,
        role,
        org_roles,
        problems.is_empty(),
    ) else {
        return refuse(problems, form).await;
    };
    let valid = ValidNewUser {
        login,
        display_name,
        role,
        user_type,
        org_roles,
    };
    match create_user(state, signed.0.actor(), &valid, typed_password).await? {
        Ok(id) => Ok(see_other(&format!("/users/{id}?saved=created"))),
        Err(problem) => refuse(vec![problem], form).await,
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn load_target(state: &AppState, id: &str) -> Result<UserSummary, AppError> {
    Ok(users::summary(&state.store, parse_id(id)?).await?)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.show").await?;
    let target = load_target(&state, &id).await?;
    let notice = query.saved.as_deref().and_then(|what| {
        let key = match what {
            "created" => "users.saved.created",
            "updated" => "users.saved.updated",
            "unchanged" => "users.saved.unchanged",
            "password" => "users.saved.password",
            "mfa" => "users.saved.mfa",
            _ => return None,
        };
        Some(ctx.tr.f(key, &[("login", target.user.login.clone())]))
    });
    let form = UserForm::from_user(&target);
    render_form(
        &state,
        &ctx,
        &signed,
        Some(&target),
        form,
        FormErrors::none(),
        notice,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.update").await?;
    let target = load_target(&state, &id).await?;
    let fields = Fields::read(request).await?;
    let mut form = UserForm::from_fields(&fields);
    // The login cannot be changed; the form shows the stored one.
    form.login = target.user.login.clone();
    let mut problems = Vec::new();
    let display_name = parse_display_name(&form.display_name)
        .map_err(|p| problems.push(p))
        .ok();
    let user_type = parse_user_type(&form.user_type)
        .map_err(|p| problems.push(p))
        .ok();
    let role = parse_role(&form.role).map_err(|p| problems.push(p)).ok();
    let org_roles = parse_org_roles(&form.org_roles)
        .map_err(|p| problems.push(p))
        .ok();
    let active = parse_active(&form.active)
        .map_err(|p| problems.push(p))
        .ok();
    problems.extend(self_problems(
        signed.user().id,
        target.user.id,
        role,
        active,
    ));
    let (state, ctx, signed, target) = (&state, &ctx, &signed, &target);
    let refuse = move |problems: Vec<Problem>, form: UserForm| {
        let errors = FormErrors {
            main: problems.iter().map(|p| p.field_error(&ctx.tr)).collect(),
            ..FormErrors::none()
        };
        render_form(state, ctx, signed, Some(target), form, errors, None)
    };
    // Every field of the form is required: a partial post (or an empty one) changes nothing.
    if !problems.is_empty() {
        return refuse(problems, form).await;
    }
    let changes = changes_from(target, display_name, role, user_type, org_roles, active);
    if no_changes(&changes) {
        return Ok(see_other(&format!(
            "/users/{}?saved=unchanged",
            target.user.id
        )));
    }
    match apply_changes(state, signed.0.actor(), &target.user, changes).await? {
        Ok(()) => Ok(see_other(&format!(
            "/users/{}?saved=updated",
            target.user.id
        ))),
        Err(problem) => refuse(vec![problem], form).await,
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, ADMIN, "users.password_reset")
        .await?;
    let target = load_target(&state, &id).await?;
    let fields = Fields::read(request).await?;
    let typed = fields.get("new_password");
    let problem = if target.user.id == signed.user().id {
        Some(Problem::new("new_password", "users.error.self_password"))
    } else if let Err(p) = check_password("new_password", &target.user.login, typed) {
        Some(p)
    } else if typed != fields.get("new_password_confirm") {
        Some(Problem::new(
            "new_password_confirm",
            "password.error.mismatch",
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        let errors = FormErrors {
            password: vec![problem.field_error(&ctx.tr)],
            ..FormErrors::none()
        };
        let form = UserForm::from_user(&target);
        return render_form(&state, &ctx, &signed, Some(&target), form, errors, None).await;
    }
    let hash = mamori_store::password::hash(typed).await?;
    let mut tx = state.store.write(signed.0.actor()).await?;
    users::set_password(&mut tx, target.user.id, &hash, true, "user.password_reset").await?;
    // The old password is no longer trusted: neither are the sessions it opened.
    sessions::end_all_for_user(&mut tx, target.user.id).await?;
    tx.commit().await?;
    Ok(see_other(&format!(
        "/users/{}?saved=password",
        target.user.id
    )))
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.mfa_reset").await?;
    let target = load_target(&state, &id).await?;
    let fields = Fields::read(request).await?;
    let problem = if target.user.id == signed.user().id {
        Some(Problem::new("mfa_confirm", "users.error.self_mfa"))
    } else if !target.mfa_enabled {
        Some(Problem::new("mfa_confirm", "users.error.mfa_off"))
    } else if fields.get("mfa_confirm") != "1" {
        Some(Problem::new("mfa_confirm", "users.error.mfa_confirm"))
    } else {
        None
    };
    if let Some(problem) = problem {
        let errors = FormErrors {
            mfa: vec![problem.field_error(&ctx.tr)],
            ..FormErrors::none()
        };
        let form = UserForm::from_user(&target);
        return render_form(&state, &ctx, &signed, Some(&target), form, errors, None).await;
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    users::disable_totp(&mut tx, target.user.id).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/users/{}?saved=mfa", target.user.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    #[test]
    fn every_role_type_and_org_role_has_a_label_in_both_languages() {
        let mut keys: Vec<&str> = Vec::new();
        keys.extend(Role::ALL.iter().map(|r| role_label(*r)));
        keys.extend(Role::ALL.iter().map(|r| role_hint(*r)));
        keys.extend(UserType::ALL.iter().map(|t| user_type_label(*t)));
        keys.extend(OrgRole::ALL.iter().map(|r| org_role_label(*r)));
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }

    #[test]
    fn choices_are_checked() {
        assert_eq!(parse_role("admin").unwrap(), Role::Admin);
        assert_eq!(parse_role("").unwrap_err().key, "users.error.choose");
        assert_eq!(
            parse_role("root").unwrap_err().key,
            "users.error.unknown_value"
        );
        assert_eq!(
            parse_org_roles(&["csirt_member", "ciso", "ciso"]).unwrap(),
            vec![OrgRole::Ciso, OrgRole::CsirtMember]
        );
        assert!(parse_org_roles(&["chairman"]).is_err());
        assert!(parse_active("yes").is_err());
        assert!(!parse_active("0").unwrap());
    }

    #[test]
    fn an_administrator_cannot_lock_themself_out() {
        assert_eq!(self_problems(1, 1, Some(Role::User), Some(false)).len(), 2);
        assert!(self_problems(1, 1, Some(Role::Admin), Some(true)).is_empty());
        assert!(self_problems(1, 2, Some(Role::User), Some(false)).is_empty());
    }
}
