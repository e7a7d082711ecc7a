//! Signing in through the API, the signed-in user, and personal API tokens.

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::Acting;
use mamori_app::auth::{self as auth_app, Stage};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

use crate::api::dates::timestamp;
use crate::http::auth::{self, MaybeSignedIn, Principal, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::forms::parse_id;
use crate::http::sign_in::{SignInOutcome, sign_in};
use crate::state::AppState;
use mamori_app::Failure;
use mamori_app::account::{self, PasswordChange};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"login": "jimukyoku.sato", "password": "chikuma river in spring", "totp": "123456"}))]
pub struct SessionRequest {
    pub login: String,
    pub password: String,
    /// The authenticator code (or a recovery code), when two-factor authentication is on.
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// ふりがな in hiragana, if given.
    pub reading: Option<String>,
    #[schema(value_type = crate::api::codes::Role)]
    pub role: String,
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
    pub org_roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionStarted {
    /// `active`, or the step still missing: `password_change`, `mfa_enrol`.
    #[schema(value_type = crate::api::codes::SessionStage)]
    pub stage: String,
    /// Send this back in `X-CSRF-Token` on state-changing requests made with the cookie.
    pub csrf_token: String,
}

fn me_of(principal: &Principal) -> Me {
    let user = &principal.user;
    Me {
        id: user.id,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        reading: user.reading.clone(),
        role: user.role.as_str().to_owned(),
        user_type: user.user_type.as_str().to_owned(),
        org_roles: principal
            .acting
            .posts
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    }
}

/// Starts a session (cookie `mamori_session`). With two-factor authentication on, `totp`
/// is required in the same request.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SessionRequest,
    responses((status = 200, body = SessionStarted), (status = 401, body = crate::api::ErrorBody),
              (status = 429, body = crate::api::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SessionRequest>,
) -> Result<Response, AppError> {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let outcome = sign_in(
        &state,
        Some(client.ip()),
        &request.login,
        &request.password,
        user_agent,
    )
    .await?;
    let (stage, token) = match outcome {
        SignInOutcome::Session { stage, token } => (stage, token),
        SignInOutcome::Refused => {
            return Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "sign_in_failed",
                "auth.error.failed",
            ));
        }
        SignInOutcome::RateLimited => {
            return Err(AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "auth.error.rate_limited",
            ));
        }
    };
    let mut session = auth_app::session_by_token(&state.app, &token)
        .await?
        .ok_or_else(AppError::internal)?;
    let mut token = token;
    if stage == Stage::Mfa {
        let user = auth_app::session_user(&state.app, &session).await?;
        let client_addr = Some(client.ip().to_string());
        let acting = Acting::user(&state.app, user, client_addr, mamori_app::today()).await?;
        let lockout = &state.config.lockout;
        let checked = match request.totp.as_deref() {
            None => Err(("totp_required", "auth.error.totp_required")),
            Some(code) => auth_app::second_factor(&state.app, &acting, &session, code, lockout)
                .await?
                .map_err(|key| ("totp_failed", key)),
        };
        token = match checked {
            Ok(token) => token,
            Err((code, key)) => {
                // The half-made session is of no use to an API client.
                let _ = auth_app::discard_session(&state.app, session.id).await;
                return Err(AppError::new(StatusCode::UNAUTHORIZED, code, key));
            }
        };
        session = auth_app::session_by_token(&state.app, &token)
            .await?
            .ok_or_else(AppError::internal)?;
    }
    let response = Json(SessionStarted {
        stage: session.stage.as_str().to_owned(),
        csrf_token: session.csrf_token.clone(),
    })
    .into_response();
    Ok(auth::set_session_cookie(response, &state, &token))
}

/// Ends the cookie's session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204), (status = 401, body = crate::api::ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    let Some(principal) = principal else {
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "auth.error.unauthenticated",
        ));
    };
    let Some(session) = principal.session.as_ref() else {
        // A token is not a session; revoke it instead.
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "not_a_session",
            "auth.error.not_a_session",
        ));
    };
    auth_app::sign_out(&state.app, &principal.acting, session.id, "auth.sign_out").await?;
    Ok(auth::clear_session_cookie(
        StatusCode::NO_CONTENT.into_response(),
        &state,
    ))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = crate::api::ErrorBody)))]
pub async fn me(signed: SignedIn) -> Result<Json<Me>, AppError> {
    Ok(Json(me_of(&signed.0)))
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    /// Shown once; only its hash is stored.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "会議録システム連携"}))]
pub struct TokenRequest {
    pub name: String,
}

/// The signed-in user's API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "session",
    responses((status = 200, body = Vec<TokenOut>), (status = 401, body = crate::api::ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<TokenOut>>, AppError> {
    let tokens = account::tokens(&state.app, &signed.0.acting).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenOut {
                id: t.id,
                name: t.name,
                created_at: timestamp(t.created_at),
                last_used_at: t.last_used_at.map(timestamp),
                revoked_at: t.revoked_at.map(timestamp),
            })
            .collect(),
    ))
}

/// Creates a personal API token for the signed-in user.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let (id, token) = account::create_token(&state.app, acting, signed.user().id, &request.name)
        .await
        .map_err(first_problem)?;
    let name = account::token_name(&request.name).unwrap_or_default();
    let mut response =
        (StatusCode::CREATED, Json(TokenCreated { id, name, token })).into_response();
    // The secret is shown once: an Idempotency-Key replay must not keep a copy of it.
    response
        .extensions_mut()
        .insert(crate::http::once::ShownOnce);
    Ok(response)
}

/// Revokes one of the signed-in user's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "session",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 204), (status = 404, body = crate::api::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    account::revoke_token(&state.app, &signed.0.acting, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A refused input as this module has always answered it: 422 `validation_failed` with
/// the first problem's message (and every problem in `fields`).
fn first_problem(failure: Failure) -> AppError {
    let Failure::Invalid(problems) = failure else {
        return failure.into();
    };
    let Some(first) = problems.first() else {
        return AppError::from(Failure::Invalid(problems));
    };
    let mut error = AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        first.key,
    );
    error.params = first.params.clone();
    error.fields = problems;
    error
}

/// A new password for the signed-in user.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "kiso-no-passphrase-2026", "new_password": "chikuma river in spring"}))]
pub struct PasswordChangeRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in user's password. Every other session of theirs ends (all of
/// them when the call is made with an API token).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "The current password is wrong, or the new one breaks the rules"),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<StatusCode, AppError> {
    let input = PasswordChange {
        current: request.current_password,
        new_password: request.new_password,
        confirm: None,
    };
    let principal = &signed.0;
    account::change_password(
        &state.app,
        &principal.acting,
        input,
        principal.session.as_ref(),
    )
    .await
    .map_err(first_problem)?;
    Ok(StatusCode::NO_CONTENT)
}

/// One's own reading (ふりがな).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingRequest {
    /// Hiragana or katakana (full- or half-width); kept in hiragana. `""` removes it.
    #[schema(example = "ヤマダ タロウ")]
    pub reading: String,
}

/// The reading as kept.
#[derive(Serialize, ToSchema)]
pub struct ReadingOut {
    pub reading: Option<String>,
    /// Whether this request changed it.
    pub changed: bool,
}

/// Sets (or removes) the signed-in user's reading (ふりがな), by which lists and choices
/// of people are sorted.
#[utoipa::path(put, path = "/api/v1/me/reading", tag = "session",
    request_body = ReadingRequest,
    responses(
        (status = 200, body = ReadingOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "Not kana, or too long"),
    ))]
pub async fn set_reading(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiJson(request): ApiJson<ReadingRequest>,
) -> Result<Json<ReadingOut>, AppError> {
    let acting = &signed.0.acting;
    let changed = account::set_reading(&state.app, acting, &request.reading)
        .await
        .map_err(first_problem)?;
    let reading = mamori_domain::user_input::reading(&request.reading).unwrap_or_default();
    Ok(Json(ReadingOut { reading, changed }))
}

/// One of the signed-in user's sessions (a browser or a script signed in with a password).
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    /// `active`, or the sign-in step still missing.
    #[schema(value_type = crate::api::codes::SessionStage)]
    pub stage: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_seen_at: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request was made in.
    pub current: bool,
}

/// The signed-in user's sessions, the most recently seen first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "session",
    responses((status = 200, body = Vec<SessionOut>), (status = 401, body = crate::api::ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<SessionOut>>, AppError> {
    let current = signed.0.session.as_ref().map(|s| s.id);
    let sessions = account::sessions(&state.app, &signed.0.acting).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionOut {
                id: s.id,
                stage: s.stage.as_str().to_owned(),
                created_at: timestamp(s.created_at),
                last_seen_at: timestamp(s.last_seen_at),
                client_addr: s.client_addr,
                user_agent: s.user_agent,
                current: current == Some(s.id),
            })
            .collect(),
    ))
}

/// Ends one of the signed-in user's sessions (signs another device out).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "session",
    params(("id" = i64, Path, description = "session id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "No such session of yours"),
    ))]
pub async fn end_session(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    account::end_session(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        start,
        end,
        me,
        list_tokens,
        create_token,
        revoke_token,
        change_password,
        set_reading,
        list_sessions,
        end_session
    ),
    components(schemas(
        SessionRequest,
        ReadingRequest,
        ReadingOut,
        SessionStarted,
        Me,
        TokenOut,
        TokenCreated,
        TokenRequest,
        PasswordChangeRequest,
        SessionOut
    ))
)]
pub struct Doc;
