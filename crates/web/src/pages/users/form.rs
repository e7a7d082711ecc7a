//! Adding a user, and one user's page: the edit form (deactivation instead of deletion),
//! the password reset and the MFA reset.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::notifications::settings as notify_settings;
use mamori_app::users::{self, PasswordReset, UserSummary};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::password;
use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_domain::user_input::{NewUserInput, UserEditInput};
use serde::Deserialize;

use super::{org_role_label, role_hint, role_label, user_type_label};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::{FieldError, FormFields, error_for, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// One option of a radio group or a checkbox list.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
}

fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    hint: Option<fn(T) -> &'static str>,
) -> Vec<Choice> {
    all.iter()
        .map(|t| Choice {
            value: value(*t),
            label: label(*t),
            hint: hint.map(|h| h(*t)),
        })
        .collect()
}

/// What the user form shows: typed text is kept as typed (passwords never).
#[derive(Debug, Default, Clone)]
pub struct UserForm {
    pub login: String,
    pub display_name: String,
    /// ふりがな as typed (or as stored, in hiragana).
    pub reading: String,
    pub user_type: String,
    pub role: String,
    pub org_roles: Vec<String>,
    /// "1", "0", or "" when neither was chosen.
    pub active: String,
}

impl UserForm {
    fn from_fields(fields: &FormFields) -> UserForm {
        UserForm {
            login: fields.get("login").chars().take(200).collect(),
            display_name: fields.get("display_name").chars().take(500).collect(),
            reading: fields.get("reading").chars().take(500).collect(),
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
            reading: user.reading.clone().unwrap_or_default(),
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

/// The account being edited, as shown beside the form.
struct Target {
    id: i64,
    login: String,
    display_name: String,
    created_at: String,
    mfa_enabled: bool,
    must_change_password: bool,
    is_self: bool,
    /// The mail address for notices: as typed after a refusal, else as stored.
    mail: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
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
    mail_errors: Vec<FieldError>,
    notice: Option<String>,
    password_hint: String,
    roles: Vec<Choice>,
    user_types: Vec<Choice>,
    org_role_choices: Vec<Choice>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn password_error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.password_errors, field)
    }

    fn mfa_error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.mfa_errors, field)
    }

    fn mail_error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.mail_errors, field)
    }

    /// Every error, for the summary at the top of the page.
    fn all_errors(&self) -> Vec<&FieldError> {
        self.errors
            .iter()
            .chain(&self.password_errors)
            .chain(&self.mfa_errors)
            .chain(&self.mail_errors)
            .collect()
    }

    fn org_role_checked(&self, value: &str) -> bool {
        self.form.org_roles.iter().any(|r| r == value)
    }
}

/// Which of the page's four forms a refusal belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Main,
    Password,
    Mfa,
    Mail,
}

/// What one render of the form page is given.
struct View<'a> {
    target: Option<&'a UserSummary>,
    form: UserForm,
    problems: Vec<FieldProblem>,
    part: Part,
    notice: Option<String>,
    /// The mail address as typed, when its form was refused.
    mail_typed: Option<String>,
}

impl<'a> View<'a> {
    fn plain(target: Option<&'a UserSummary>, form: UserForm) -> View<'a> {
        View {
            target,
            form,
            problems: Vec::new(),
            part: Part::Main,
            notice: None,
            mail_typed: None,
        }
    }

    fn refused(mut self, part: Part, problems: Vec<FieldProblem>) -> View<'a> {
        self.part = part;
        self.problems = problems;
        self
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    view: View<'_>,
) -> Result<Response, AppError> {
    let path = view
        .target
        .map_or("/users/new".to_owned(), |s| format!("/users/{}", s.user.id));
    let status = if view.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shown = crate::http::forms::named_errors(&view.problems, &ctx.tr);
    let mail = match (view.target, view.mail_typed) {
        (Some(_), Some(typed)) => typed,
        (Some(s), None) => notify_settings::user_mail(&state.app, &signed.0.acting, s.user.id)
            .await?
            .unwrap_or_default(),
        (None, _) => String::new(),
    };
    let part = |p: Part| {
        if view.part == p {
            shown.clone()
        } else {
            Vec::new()
        }
    };
    let page = FormPage {
        t: ctx.tr,
        layout: Layout::load(state, "users", &path, Some(&signed.0)).await,
        target: view.target.map(|s| Target {
            id: s.user.id,
            login: s.user.login.clone(),
            display_name: s.user.display_name.clone(),
            created_at: ctx.datetime(s.user.created_at),
            mfa_enabled: s.mfa_enabled,
            must_change_password: s.user.must_change_password,
            is_self: s.user.id == signed.user().id,
            mail: mail.clone(),
        }),
        form: view.form,
        errors: part(Part::Main),
        password_errors: part(Part::Password),
        mfa_errors: part(Part::Mfa),
        mail_errors: part(Part::Mail),
        notice: view.notice,
        password_hint: ctx.tr.f(
            "users.password_hint",
            &[("min", password::MIN_CHARS.to_string())],
        ),
        roles: choices(&Role::ALL, Role::as_str, role_label, Some(role_hint)),
        user_types: choices(&UserType::ALL, UserType::as_str, user_type_label, None),
        org_role_choices: choices(&OrgRole::ALL, OrgRole::as_str, org_role_label, None),
    };
    render(status, &page)
}

/// The problems a form shows for a refused use case; other failures stay errors.
fn problems_of(
    failure: Failure,
    conflict_field: &'static str,
) -> Result<Vec<FieldProblem>, AppError> {
    match failure {
        Failure::Invalid(problems) => Ok(problems),
        Failure::Conflict(refusal) => Ok(vec![FieldProblem {
            field: conflict_field,
            key: refusal.key,
            params: refusal.params,
        }]),
        other => Err(other.into()),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Users, Act::Edit, "users.new")
        .await?;
    // The least-privileged choices are the defaults.
    let form = UserForm {
        user_type: UserType::Staff.as_str().to_owned(),
        role: Role::User.as_str().to_owned(),
        active: "1".to_owned(),
        ..UserForm::default()
    };
    render_form(&state, &ctx, &signed, View::plain(None, form)).await
}

/// Reads the body only after the access check, so that people without access learn
/// nothing from how it is validated.
async fn fields_after_check(
    state: &AppState,
    signed: &SignedIn,
    what: &str,
    request: Request,
) -> Result<FormFields, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Users, Act::Edit, what)
        .await?;
    FormFields::read(request).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let fields = fields_after_check(&state, &signed, "users.create", request).await?;
    let form = UserForm::from_fields(&fields);
    let input = NewUserInput {
        login: form.login.clone(),
        display_name: form.display_name.clone(),
        reading: form.reading.clone(),
        role: form.role.clone(),
        user_type: form.user_type.clone(),
        org_roles: form.org_roles.clone(),
        password: fields.get("password").to_owned(),
        password_confirm: Some(fields.get("password_confirm").to_owned()),
    };
    match users::create_user(&state.app, &signed.0.acting, input).await {
        Ok(id) => Ok(see_other(&format!("/users/{id}?saved=created"))),
        Err(failure) => {
            let view = View::plain(None, form).refused(Part::Main, problems_of(failure, "login")?);
            render_form(&state, &ctx, &signed, view).await
        }
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn load_target(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    what: &str,
) -> Result<UserSummary, AppError> {
    Ok(users::get_user(&state.app, &signed.0.acting, parse_id(id)?, what).await?)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let target = load_target(&state, &signed, &id, "users.show").await?;
    let key = match query.saved.as_deref() {
        Some("created") => Some("users.saved.created"),
        Some("updated") => Some("users.saved.updated"),
        Some("unchanged") => Some("users.saved.unchanged"),
        Some("password") => Some("users.saved.password"),
        Some("mfa") => Some("users.saved.mfa"),
        Some("mail") => Some("notify.settings.user_mail_saved"),
        _ => None,
    };
    let mut view = View::plain(Some(&target), UserForm::from_user(&target));
    view.notice = key.map(|key| ctx.tr.f(key, &[("login", target.user.login.clone())]));
    render_form(&state, &ctx, &signed, view).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let target = load_target(&state, &signed, &id, "users.update").await?;
    let fields = fields_after_check(&state, &signed, "users.update", request).await?;
    let mut form = UserForm::from_fields(&fields);
    // The login cannot be changed; the form shows the stored one.
    form.login = target.user.login.clone();
    // Every field of the form is required: a partial post (or an empty one) changes nothing.
    let input = UserEditInput {
        display_name: Some(form.display_name.clone()),
        reading: Some(form.reading.clone()),
        role: Some(form.role.clone()),
        user_type: Some(form.user_type.clone()),
        org_roles: Some(form.org_roles.clone()),
        active: Some(form.active.clone()),
    };
    let id = target.user.id;
    match users::update_user(&state.app, &signed.0.acting, id, input).await {
        Ok(true) => Ok(see_other(&format!("/users/{id}?saved=updated"))),
        Ok(false) => Ok(see_other(&format!("/users/{id}?saved=unchanged"))),
        Err(failure) => {
            let problems = problems_of(failure, "login")?;
            let view = View::plain(Some(&target), form).refused(Part::Main, problems);
            render_form(&state, &ctx, &signed, view).await
        }
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let target = load_target(&state, &signed, &id, "users.password_reset").await?;
    let fields = fields_after_check(&state, &signed, "users.password_reset", request).await?;
    let input = PasswordReset {
        new_password: fields.get("new_password").to_owned(),
        confirm: Some(fields.get("new_password_confirm").to_owned()),
    };
    let id = target.user.id;
    match users::reset_password(&state.app, &signed.0.acting, id, input).await {
        Ok(()) => Ok(see_other(&format!("/users/{id}?saved=password"))),
        Err(failure) => {
            let problems = problems_of(failure, "new_password")?;
            let view = View::plain(Some(&target), UserForm::from_user(&target))
                .refused(Part::Password, problems);
            render_form(&state, &ctx, &signed, view).await
        }
    }
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let target = load_target(&state, &signed, &id, "users.mfa_reset").await?;
    let fields = fields_after_check(&state, &signed, "users.mfa_reset", request).await?;
    let confirmed = fields.get("mfa_confirm") == "1";
    let id = target.user.id;
    match users::reset_mfa(&state.app, &signed.0.acting, id, confirmed).await {
        Ok(()) => Ok(see_other(&format!("/users/{id}?saved=mfa"))),
        Err(failure) => {
            let problems = problems_of(failure, "mfa_confirm")?;
            let view = View::plain(Some(&target), UserForm::from_user(&target))
                .refused(Part::Mfa, problems);
            render_form(&state, &ctx, &signed, view).await
        }
    }
}

/// `POST /users/{id}/mail`: the address notices are mailed to (blank: none).
pub async fn set_mail(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let target = load_target(&state, &signed, &id, "notify.user_mail").await?;
    let fields = fields_after_check(&state, &signed, "notify.user_mail", request).await?;
    let typed: String = fields.get("mail").chars().take(300).collect();
    let id = target.user.id;
    match notify_settings::set_user_mail(&state.app, &signed.0.acting, id, &typed).await {
        Ok(true) => Ok(see_other(&format!("/users/{id}?saved=mail"))),
        Ok(false) => Ok(see_other(&format!("/users/{id}?saved=unchanged"))),
        Err(failure) => {
            let problems = problems_of(failure, "mail")?;
            let mut view = View::plain(Some(&target), UserForm::from_user(&target))
                .refused(Part::Mail, problems);
            view.mail_typed = Some(typed);
            render_form(&state, &ctx, &signed, view).await
        }
    }
}
