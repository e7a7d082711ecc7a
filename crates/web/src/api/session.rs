//! Signing in through the API, the signed-in user, and personal API tokens.

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::text;
use mamori_store::sessions::{self, Stage};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

use crate::http::auth::{self, MaybeSignedIn, Principal, SignedIn};
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::pages::account::{TOKEN_NAME_MAX, check_second_factor};
use crate::pages::login::{SignInOutcome, sign_in};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    pub role: String,
    pub user_type: String,
    pub org_roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionStarted {
    /// `active`, or the step still missing: `password_change`, `mfa_enrol`.
    pub stage: String,
    /// Send this back in `X-CSRF-Token` on state-changing requests made with the cookie.
    pub csrf_token: String,
}

async fn me_of(state: &AppState, principal: &Principal) -> Result<Me, AppError> {
    let user = &principal.user;
    Ok(Me {
        id: user.id,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().to_owned(),
        user_type: user.user_type.as_str().to_owned(),
        org_roles: mamori_store::users::org_roles(&state.store, user.id)
            .await?
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    })
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
    let mut session = sessions::find_by_token(&state.store, &token)
        .await?
        .ok_or_else(AppError::internal)?;
    let mut token = token;
    if stage == Stage::Mfa {
        let user = mamori_store::users::get(&state.store, session.user_id).await?;
        let acting = mamori_app::Acting::user(
            &state.app,
            user.clone(),
            Some(client.ip().to_string()),
            mamori_app::today(),
        )
        .await?;
        let principal = Principal {
            user,
            acting,
            session: Some(session.clone()),
            client: Some(client.ip()),
        };
        let refused = match request.totp.as_deref() {
            None => Some(("totp_required", "auth.error.totp_required")),
            Some(code) => check_second_factor(&state, &principal, code)
                .await?
                .err()
                .map(|key| ("totp_failed", key)),
        };
        if let Some((code, key)) = refused {
            // The half-made session is of no use to an API client.
            let _ = sessions::discard(&state.store, session.id).await;
            return Err(AppError::new(StatusCode::UNAUTHORIZED, code, key));
        }
        let mut tx = state.store.write(principal.actor()).await?;
        token = sessions::advance(&mut tx, &session, Stage::Active, "auth.sign_in").await?;
        tx.commit().await?;
        session = sessions::find_by_token(&state.store, &token)
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
    let mut tx = state.store.write(principal.actor()).await?;
    sessions::end(&mut tx, principal.user.id, session.id, "auth.sign_out").await?;
    tx.commit().await?;
    Ok(auth::clear_session_cookie(
        StatusCode::NO_CONTENT.into_response(),
        &state,
    ))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = crate::api::ErrorBody)))]
pub async fn me(State(state): State<AppState>, signed: SignedIn) -> Result<Json<Me>, AppError> {
    Ok(Json(me_of(&state, &signed.0).await?))
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
    let tokens = mamori_store::tokens::list_for_user(&state.store, signed.user().id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenOut {
                id: t.id,
                name: t.name,
                created_at: mamori_store::timestamp_text(t.created_at),
                last_used_at: t.last_used_at.map(mamori_store::timestamp_text),
                revoked_at: t.revoked_at.map(mamori_store::timestamp_text),
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
    let name = text::single_line(&request.name, TOKEN_NAME_MAX).map_err(|problem| {
        let mut error = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            problem.message_key(),
        );
        error.params = problem.params();
        error
    })?;
    let mut tx = state.store.write(signed.0.actor()).await?;
    let (id, token) = mamori_store::tokens::create(&mut tx, signed.user().id, &name).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { id, name, token })).into_response())
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
    let mut tx = state.store.write(signed.0.actor()).await?;
    mamori_store::tokens::revoke(&mut tx, signed.user().id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(start, end, me, list_tokens, create_token, revoke_token),
    components(schemas(
        SessionRequest,
        SessionStarted,
        Me,
        TokenOut,
        TokenCreated,
        TokenRequest
    ))
)]
pub struct Doc;
