//! User management over the API, for administrators, on the same use cases as the pages
//! (`mamori_app::users`): the list, one user, adding and changing one, their
//! organisational posts, and password and MFA resets.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::users::{self, PasswordReset, UserSummary};
use mamori_domain::access::{Act, Register};
use mamori_domain::user_input::{NewUserInput, UserEditInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::{AppError, FieldWording};
use crate::http::extract::ApiQuery;
use crate::http::forms::parse_id;
use crate::http::params::pagination::{Page, PageQuery};
use crate::state::AppState;

/// A user account. Passwords and second-factor secrets are never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    #[schema(example = "yamada.taro")]
    pub login: String,
    #[schema(example = "山田 太郎")]
    pub display_name: String,
    /// ふりがな in hiragana, if given; lists of people are sorted by it (五十音順).
    #[schema(example = "やまだ　たろう")]
    pub reading: Option<String>,
    /// The permission (権限) in mamori: `admin` (システム管理), `security_officer` (記録の管理),
    /// `user` (一般), `auditor` (監査（閲覧のみ）) or `contractor` (委託業務のみ).
    #[schema(example = "user")]
    #[schema(value_type = crate::api::codes::Role)]
    pub role: String,
    /// `member` (議員), `staff` (議会事務局職員), `contractor` (委託事業者) or `other`.
    #[schema(example = "member")]
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    /// The posts (役職) the policy defines that the person holds, apart from the
    /// permission: any of `ciso`, `chief_security_officer`, `security_manager`, `system_staff`,
    /// `committee_member`, `committee_chair`, `csirt_member`.
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
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
            reading: s.user.reading,
            role: s.user.role.as_str().to_owned(),
            user_type: s.user.user_type.as_str().to_owned(),
            org_roles: s.org_roles.iter().map(|r| r.as_str().to_owned()).collect(),
            active: s.user.active,
            must_change_password: s.user.must_change_password,
            mfa_enabled: s.mfa_enabled,
            created_at: crate::api::dates::timestamp(s.user.created_at),
        }
    }
}

/// A page of users in 五十音順 (by reading, then name).
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
    /// ふりがな, optional: hiragana or katakana (full- or half-width), kept in hiragana.
    #[schema(example = "ヤマダ タロウ")]
    #[serde(default)]
    pub reading: String,
    #[schema(example = "user")]
    #[schema(value_type = crate::api::codes::Role)]
    pub role: String,
    #[schema(example = "member")]
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
    pub org_roles: Vec<String>,
    pub password: String,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "佐藤 花子", "reading": "さとう はなこ", "role": "security_officer", "org_roles": ["ciso"], "active": true}))]
pub struct UserPatch {
    pub display_name: Option<String>,
    /// ふりがな (kana, kept in hiragana); `""` removes it.
    pub reading: Option<String>,
    #[schema(value_type = Option<crate::api::codes::Role>)]
    pub role: Option<String>,
    #[schema(value_type = Option<crate::api::codes::UserType>)]
    pub user_type: Option<String>,
    /// Replaces the whole set.
    #[schema(value_type = Option<Vec<crate::api::codes::OrgRole>>)]
    pub org_roles: Option<Vec<String>>,
    /// `false` deactivates the user and ends their sessions.
    pub active: Option<bool>,
}

/// The organisational posts a user holds; replaces the whole set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostsIn {
    /// The posts (役職) the policy defines that the person holds, apart from the
    /// permission: any of `ciso`, `chief_security_officer`, `security_manager`, `system_staff`,
    /// `committee_member`, `committee_chair`, `csirt_member`; may be empty.
    #[schema(example = json!(["ciso"]))]
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
    pub posts: Vec<String>,
}

/// A password chosen for the user, who must change it at next sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_password": "chikuma river in spring"}))]
pub struct PasswordResetIn {
    pub new_password: String,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "login" => "users.login",
        "display_name" => "users.display_name",
        "reading" => "users.reading",
        "role" => "users.role",
        "user_type" => "users.user_type",
        "org_roles" | "posts" => "users.org_roles",
        "active" => "users.status",
        "mfa_confirm" => "users.mfa",
        _ => "users.password",
    }
}

const WORDING: FieldWording = FieldWording {
    message: "users.error.validation",
    line: "users.error.field_message",
    label: field_label,
};

/// Reads the body only after the access check, so that people without access learn
/// nothing from how it is validated.
async fn read_json<T: serde::de::DeserializeOwned>(
    state: &AppState,
    signed: &SignedIn,
    what: &str,
    request: Request,
) -> Result<T, AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Users, Act::Edit, what)
        .await?;
    crate::http::extract::read_json(request).await
}

async fn summary(state: &AppState, signed: &SignedIn, id: i64) -> Result<Json<UserOut>, AppError> {
    let user = users::get_user(&state.app, &signed.0.acting, id, "users.show").await?;
    Ok(Json(UserOut::from(user)))
}

/// Users in 五十音順 (by reading, then name; those without a reading last), 50 a page by
/// default.
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
    let acting = &signed.0.acting;
    let request = match query.parse() {
        Ok(request) => request,
        Err(error) => {
            // Access first, then the query's own error.
            users::list_users(&state.app, acting, 0, 0).await?;
            return Err(error);
        }
    };
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let (items, total) =
        users::list_users(&state.app, acting, i64::from(request.per_page), offset).await?;
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
    let input: NewUserIn = read_json(&state, &signed, "users.create", request).await?;
    let input = NewUserInput {
        login: input.login,
        display_name: input.display_name,
        reading: input.reading,
        role: input.role,
        user_type: input.user_type,
        org_roles: input.org_roles,
        password: input.password,
        password_confirm: None,
    };
    let id = users::create_user(&state.app, &signed.0.acting, input)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    let Json(user) = summary(&state, &signed, id).await?;
    Ok(crate::api::created(user, &format!("/api/v1/users/{id}")))
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
    summary(&state, &signed, parse_id(&id)?).await
}

/// Changes a user. Administrators cannot deactivate themselves or give up their own
/// system administration permission, and at least one active administrator always remains.
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
    let id = parse_id(&id)?;
    users::get_user(&state.app, &signed.0.acting, id, "users.update").await?;
    let patch: UserPatch = read_json(&state, &signed, "users.update", request).await?;
    let input = UserEditInput {
        display_name: patch.display_name,
        reading: patch.reading,
        role: patch.role,
        user_type: patch.user_type,
        org_roles: patch.org_roles,
        active: patch.active.map(|a| a.to_string()),
    };
    users::update_user(&state.app, &signed.0.acting, id, input)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    summary(&state, &signed, id).await
}

/// Replaces the organisational posts a user holds (CISO, 統括情報セキュリティ責任者…),
/// which decide who approves policies and accepts risks.
#[utoipa::path(put, path = "/api/v1/users/{id}/posts", tag = "users", request_body = PostsIn,
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, body = UserOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "An unknown post"),
    ))]
pub async fn set_posts(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<UserOut>, AppError> {
    let id = parse_id(&id)?;
    users::get_user(&state.app, &signed.0.acting, id, "users.update").await?;
    let input: PostsIn = read_json(&state, &signed, "users.update", request).await?;
    users::set_posts(&state.app, &signed.0.acting, id, &input.posts)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    summary(&state, &signed, id).await
}

/// Sets a password the user must change at next sign-in, and ends their sessions. An
/// administrator changes their own password with `POST /api/v1/me/password` instead.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users",
    request_body = PasswordResetIn,
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Reset; the user's sessions are ended"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "The password breaks the rules, or it is the caller's own account"),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, AppError> {
    let id = parse_id(&id)?;
    users::get_user(&state.app, &signed.0.acting, id, "users.password_reset").await?;
    let input: PasswordResetIn =
        read_json(&state, &signed, "users.password_reset", request).await?;
    let reset = PasswordReset {
        new_password: input.new_password,
        confirm: None,
    };
    users::reset_password(&state.app, &signed.0.acting, id, reset)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns off the second factor of a user who lost their device; they enrol again at
/// next sign-in where their role requires it.
#[utoipa::path(post, path = "/api/v1/users/{id}/mfa-reset", tag = "users",
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "The second factor is off"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "The user has no second factor, or it is the caller's own account"),
    ))]
pub async fn reset_mfa(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = parse_id(&id)?;
    users::reset_mfa(&state.app, &signed.0.acting, id, true)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_users,
        create_user_api,
        get_user,
        update_user,
        set_posts,
        reset_password,
        reset_mfa
    ),
    components(schemas(UserOut, UserPage, NewUserIn, UserPatch, PostsIn, PasswordResetIn))
)]
pub struct Doc;
