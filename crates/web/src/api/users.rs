//! User management over the API, for administrators. The rules are the pages' own
//! (`pages::users`): same validation, same self-protection, same audit entries.

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_store::users::{self, UserSummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::pagination::{Page, PageQuery};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::pages::users::{
    ADMIN, Problem, ValidNewUser, apply_changes, changes_from, check_password, create_user,
    no_changes, parse_display_name, parse_id, parse_login, parse_org_roles, parse_role,
    parse_user_type, self_problems,
};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// A user account. Passwords and second-factor secrets are never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    #[schema(example = "yamada.taro")]
    pub login: String,
    #[schema(example = "山田 太郎")]
    pub display_name: String,
    /// `admin`, `security_officer`, `user`, `auditor` or `contractor`.
    #[schema(example = "user")]
    pub role: String,
    /// `member` (議員), `staff` (議会事務局職員), `contractor` (委託事業者) or `other`.
    #[schema(example = "member")]
    pub user_type: String,
    /// Any of `ciso`, `chief_security_officer`, `security_manager`, `system_staff`,
    /// `committee_member`, `csirt_member`.
    pub org_roles: Vec<String>,
    /// Deactivated users cannot sign in; users are never deleted.
    pub active: bool,
    /// Set for a password chosen by an administrator, until the user changes it.
    pub must_change_password: bool,
    /// Whether the user has set up a TOTP second factor.
    pub mfa_enabled: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<UserSummary> for UserOut {
    fn from(s: UserSummary) -> UserOut {
        UserOut {
            id: s.user.id,
            login: s.user.login,
            display_name: s.user.display_name,
            role: s.user.role.as_str().to_owned(),
            user_type: s.user.user_type.as_str().to_owned(),
            org_roles: s.org_roles.iter().map(|r| r.as_str().to_owned()).collect(),
            active: s.user.active,
            must_change_password: s.user.must_change_password,
            mfa_enabled: s.mfa_enabled,
            created_at: s.user.created_at,
        }
    }
}

/// A page of users, by login.
#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A new user. The password follows the password rules (at least 10 characters, not a
/// commonly used one, not the login); the user must change it at first sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    #[schema(example = "yamada.taro")]
    pub login: String,
    #[schema(example = "山田 太郎")]
    pub display_name: String,
    #[schema(example = "user")]
    pub role: String,
    #[schema(example = "member")]
    pub user_type: String,
    #[serde(default)]
    pub org_roles: Vec<String>,
    pub password: String,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub user_type: Option<String>,
    /// Replaces the whole set.
    pub org_roles: Option<Vec<String>>,
    /// `false` deactivates the user and ends their sessions.
    pub active: Option<bool>,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "login" => "users.login",
        "display_name" => "users.display_name",
        "role" => "users.role",
        "user_type" => "users.user_type",
        "org_roles" => "users.org_roles",
        "active" => "users.status",
        _ => "users.password",
    }
}

/// 422 `validation_failed`, naming each refused field in the caller's language.
fn validation_failed(tr: &Tr, problems: &[Problem]) -> AppError {
    let detail = problems
        .iter()
        .map(|p| {
            tr.f(
                "users.error.field_message",
                &[
                    ("field", tr.t(field_label(p.field)).to_owned()),
                    ("message", p.message(tr)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "users.error.validation",
    )
    .with("detail", detail)
}

/// The body is read only after the role check, so that people without access learn
/// nothing from how it is validated.
async fn read_json<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, AppError> {
    let ApiJson(value) = ApiJson::<T>::from_request(request, &()).await?;
    Ok(value)
}

/// Users by login, 50 a page by default.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses(
        (status = 200, body = UserPage),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<UserOut>>, AppError> {
    signed.require(&state, ADMIN, "users.list").await?;
    let request = query.parse()?;
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let (items, total) =
        users::list_summaries(&state.store, i64::from(request.per_page), offset).await?;
    Ok(Json(Page {
        items: items.into_iter().map(UserOut::from).collect(),
        total: u64::try_from(total).unwrap_or(0),
        page: request.page,
        per_page: request.per_page,
    }))
}

/// Adds a user, who must change the password at first sign-in.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserIn,
    responses(
        (status = 201, body = UserOut, description = "Created; `Location` names the new user"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "The login is taken"),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`, or `invalid_json_data` for unknown fields and wrong types"),
    ))]
pub async fn create_user_api(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, ADMIN, "users.create").await?;
    let input: NewUserIn = read_json(request).await?;
    let mut problems = Vec::new();
    let login = parse_login(&input.login).map_err(|p| problems.push(p)).ok();
    let display_name = parse_display_name(&input.display_name)
        .map_err(|p| problems.push(p))
        .ok();
    let role = parse_role(&input.role).map_err(|p| problems.push(p)).ok();
    let user_type = parse_user_type(&input.user_type)
        .map_err(|p| problems.push(p))
        .ok();
    let org_roles = parse_org_roles(&input.org_roles)
        .map_err(|p| problems.push(p))
        .ok();
    let login_text = login.as_ref().map_or("", |l| l.as_str());
    if let Err(p) = check_password("password", login_text, &input.password) {
        problems.push(p);
    }
    let (Some(login), Some(display_name), Some(role), Some(user_type), Some(org_roles), true) = (
        login,
        display_name,
        role,
        user_type,
        org_roles,
        problems.is_empty(),
    ) else {
        return Err(validation_failed(&ctx.tr, &problems));
    };
    let valid = ValidNewUser {
        login,
        display_name,
        role,
        user_type,
        org_roles,
    };
    let id = match create_user(&state, signed.0.actor(), &valid, &input.password).await? {
        Ok(id) => id,
        Err(_taken) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                "error.conflict_login",
            ));
        }
    };
    let user = UserOut::from(users::summary(&state.store, id).await?);
    let mut response = (StatusCode::CREATED, Json(user)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/users/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, body = UserOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<UserOut>, AppError> {
    signed.require(&state, ADMIN, "users.show").await?;
    let summary = users::summary(&state.store, parse_id(&id)?).await?;
    Ok(Json(UserOut::from(summary)))
}

/// Changes a user. Administrators cannot deactivate themselves or give up their own
/// administrator role, and at least one active administrator always remains.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, body = UserOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`, or `invalid_json_data` for unknown fields and wrong types"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<UserOut>, AppError> {
    signed.require(&state, ADMIN, "users.update").await?;
    let target = users::summary(&state.store, parse_id(&id)?).await?;
    let patch: UserPatch = read_json(request).await?;
    let mut problems = Vec::new();
    let display_name = patch
        .display_name
        .as_deref()
        .map(parse_display_name)
        .transpose()
        .map_err(|p| problems.push(p))
        .ok()
        .flatten();
    let role = patch
        .role
        .as_deref()
        .map(parse_role)
        .transpose()
        .map_err(|p| problems.push(p))
        .ok()
        .flatten();
    let user_type = patch
        .user_type
        .as_deref()
        .map(parse_user_type)
        .transpose()
        .map_err(|p| problems.push(p))
        .ok()
        .flatten();
    let org_roles = patch
        .org_roles
        .as_deref()
        .map(parse_org_roles)
        .transpose()
        .map_err(|p| problems.push(p))
        .ok()
        .flatten();
    problems.extend(self_problems(
        signed.user().id,
        target.user.id,
        role,
        patch.active,
    ));
    if !problems.is_empty() {
        return Err(validation_failed(&ctx.tr, &problems));
    }
    let changes = changes_from(
        &target,
        display_name,
        role,
        user_type,
        org_roles,
        patch.active,
    );
    if no_changes(&changes) {
        return Ok(Json(UserOut::from(target)));
    }
    if let Err(problem) = apply_changes(&state, signed.0.actor(), &target.user, changes).await? {
        return Err(validation_failed(&ctx.tr, &[problem]));
    }
    let summary = users::summary(&state.store, target.user.id).await?;
    Ok(Json(UserOut::from(summary)))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_users, create_user_api, get_user, update_user),
    components(schemas(UserOut, UserPage, NewUserIn, UserPatch))
)]
pub struct Doc;
