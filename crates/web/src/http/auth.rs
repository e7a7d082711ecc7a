//! Who is asking: a session cookie (pages) or an `Authorization: Bearer` token (API).
//! [`authenticate`] resolves it once per request; handlers take [`SignedIn`] and check
//! roles with [`SignedIn::require`], which records every denial in the audit trail.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mamori_app::auth::{Session, Stage, User};
use mamori_app::{Acting, Actor};
use mamori_domain::user::Role;

use crate::http::context::{self, Ctx};
use crate::http::error::AppError;
use crate::state::AppState;
use mamori_app::i18n;

pub const SESSION_COOKIE: &str = "mamori_session";

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    /// The user as the use cases see them, with the posts they hold today.
    pub acting: Acting,
    /// Absent when the request came with an API token.
    pub session: Option<Session>,
    pub client: Option<IpAddr>,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        self.acting.actor()
    }

    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }

    pub fn by_token(&self) -> bool {
        self.session.is_none()
    }
}

/// The client address of a request.
pub fn client_ip(parts_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    parts_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves the session or token, keeps the session alive, and settles the language and
/// date style (the user's own choice once signed in).
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_ip(request.extensions());
    let is_api = request.uri().path().starts_with("/api/");
    let mut found = None;
    let mut refused_token = false;
    if let Some(token) = bearer(request.headers()) {
        match mamori_app::auth::user_by_token(&state.app, token).await {
            Ok(user) => found = user.map(|user| (user, None)),
            Err(e) => return failed(&request, AppError::from(e), true),
        }
        refused_token = found.is_none();
    } else if let Some(token) = context::cookie(request.headers(), SESSION_COOKIE) {
        match mamori_app::auth::live_session(&state.app, &token, &state.config.sessions).await {
            Ok(session) => found = session.map(|(user, session)| (user, Some(session))),
            Err(e) => return failed(&request, AppError::from(e), is_api),
        }
    }
    let principal = match found {
        None => None,
        Some((user, session)) => {
            let client_text = client.map(|ip| ip.to_string());
            let today = mamori_app::today();
            match Acting::user(&state.app, user.clone(), client_text, today).await {
                Ok(acting) => Some(Principal {
                    user,
                    acting,
                    session,
                    client,
                }),
                Err(e) => return failed(&request, AppError::from(e), is_api),
            }
        }
    };
    let mut ctx = Ctx::from_headers(request.headers());
    if let Some(p) = &principal {
        if let Some(lang) = p.user.locale {
            ctx.tr = i18n::Tr::new(lang);
        }
        if let Some(style) = p.user.date_style {
            ctx.date_style = style;
        }
    }
    request.extensions_mut().insert(ctx);
    if refused_token {
        // A wrong or revoked token is an error, not an anonymous request.
        let error = AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "auth.error.invalid_token",
        );
        return crate::http::error::render_error(&error, &ctx, true);
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// A request that could not be authenticated because the database did not answer.
fn failed(request: &Request, error: AppError, is_api: bool) -> Response {
    crate::http::error::render_error(&error, &Ctx::from_headers(request.headers()), is_api)
}

/// The principal as resolved by [`authenticate`], at whatever stage.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSignedIn(
            parts
                .extensions
                .get::<Option<Principal>>()
                .cloned()
                .flatten(),
        ))
    }
}

/// A fully signed-in user (password, and MFA where enrolled or required).
#[derive(Debug, Clone)]
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let is_api = parts.uri.path().starts_with("/api/");
        let principal = parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten();
        match principal {
            Some(p) if p.session.as_ref().is_none_or(|s| s.stage == Stage::Active) => {
                Ok(SignedIn(p))
            }
            Some(p) if !is_api => {
                // Half-way through signing in: back to the step that is missing.
                let next = match p.session.as_ref().map(|s| s.stage) {
                    Some(Stage::Mfa) => "/login/mfa",
                    Some(Stage::MfaEnrol) => "/account/mfa",
                    _ => "/account/password",
                };
                if parts.uri.path() == next {
                    Ok(SignedIn(p))
                } else {
                    Err(crate::http::see_other(next))
                }
            }
            _ if is_api => Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "auth.error.unauthenticated",
            )
            .into_response()),
            _ => {
                let target = parts
                    .uri
                    .path_and_query()
                    .map(|pq| pq.as_str())
                    .unwrap_or("/");
                let next = if parts.method == Method::GET && target != "/" {
                    format!("/login?next={}", percent_encode(target))
                } else {
                    "/login".to_owned()
                };
                Err(crate::http::see_other(&next))
            }
        }
    }
}

impl SignedIn {
    pub fn user(&self) -> &User {
        &self.0.user
    }

    pub fn has_role(&self, roles: &[Role]) -> bool {
        roles.contains(&self.0.user.role)
    }

    /// Refuses (403, recorded in the audit trail) unless the user holds one of `roles`.
    pub async fn require(
        &self,
        state: &AppState,
        roles: &[Role],
        what: &str,
    ) -> Result<(), AppError> {
        if self.has_role(roles) {
            return Ok(());
        }
        Err(deny(state, &self.0, what).await)
    }
}

/// Records a denial and returns the 403 to send.
pub async fn deny(state: &AppState, principal: &Principal, what: &str) -> AppError {
    state.app.record_denial(&principal.acting, what).await;
    AppError::forbidden()
}

pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Refuses state-changing browser requests from other sites: allowed when
/// `Sec-Fetch-Site` says same-origin, else when `Origin` is this site, else (old browsers,
/// scripts) only with the session's CSRF token in the `csrf` form field or the
/// `X-CSRF-Token` header. Requests with an API token carry no ambient credentials and are
/// exempt; so are requests with no session at all (nothing to ride on).
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let principal = request
        .extensions()
        .get::<Option<Principal>>()
        .cloned()
        .flatten();
    if principal.as_ref().is_some_and(Principal::by_token) {
        return next.run(request).await;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if site == "same-origin" || site == "none" {
            next.run(request).await
        } else {
            csrf_refused(&state, principal.as_ref(), "sec-fetch-site").await
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return if same_origin(&state, headers, origin) {
            next.run(request).await
        } else {
            csrf_refused(&state, principal.as_ref(), "origin").await
        };
    }
    let Some(principal) = principal else {
        return next.run(request).await;
    };
    let expected = principal.csrf_token().to_owned();
    if headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_time_eq(v, &expected))
    {
        return next.run(request).await;
    }
    // Look for the form field; the body is put back for the handler.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT).await else {
        return AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "error.payload_too_large",
        )
        .into_response();
    };
    let token_ok =
        form_urlencoded_value(&bytes, "csrf").is_some_and(|v| constant_time_eq(&v, &expected));
    if !token_ok {
        return csrf_refused(&state, Some(&principal), "token").await;
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn same_origin(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    let public = state.config.public_url.trim_end_matches('/');
    if origin == public {
        return true;
    }
    // Reached under another name than the configured one (e.g. by IP on the LAN).
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        })
}

async fn csrf_refused(state: &AppState, principal: Option<&Principal>, why: &str) -> Response {
    let acting = principal
        .map(|p| p.acting.clone())
        .unwrap_or_else(|| Acting::system("anonymous"));
    mamori_app::auth::record_csrf_refusal(&state.app, &acting, why).await;
    AppError::new(
        StatusCode::FORBIDDEN,
        "cross_site_request",
        "error.cross_site",
    )
    .into_response()
}

fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Adds the cookie that carries a new session to `response`.
pub fn set_session_cookie(mut response: Response, state: &AppState, token: &str) -> Response {
    add_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"),
        state,
    );
    response
}

/// Adds the cookie that removes the session to `response`.
pub fn clear_session_cookie(mut response: Response, state: &AppState) -> Response {
    add_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        state,
    );
    response
}

/// Appends a `Set-Cookie`, marked `Secure` when mamori is served over TLS.
pub fn add_cookie(response: &mut Response, cookie: &str, state: &AppState) {
    let secure = if state.config.is_tls() {
        "; Secure"
    } else {
        ""
    };
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("{cookie}{secure}")) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
