//! No double records: a POST that carries a one-time key runs once. Forms carry the
//! page's token in a hidden `once` field (or `?once=` in the action, for uploads, whose
//! multipart body is not read here); API clients send an `Idempotency-Key` header. The
//! first submission claims the key and runs; its answer is kept (a redirect, or a page
//! or JSON body). A later submission with the same key, from the same user to the same
//! path, gets that answer again without running; one that arrives while the first is
//! running waits for it (bounded by [`WebConfig::once_wait`](crate::WebConfig)), then
//! gets its answer or a 409. An answer that refused the input (4xx, 5xx) wrote nothing:
//! the key is released and the corrected form may be sent again.
//!
//! The handler runs in its own task, so that a browser giving up on the first request
//! (the user clicked again) cannot cut it off half-way and leave the key unsettled.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mamori_app::auth::Stage;
use mamori_app::once::{self, Answer, Claim, Kind, Submission};
use mamori_domain::once::OnceKey;

use crate::http::auth::Principal;
use crate::http::context::Ctx;
use crate::http::error::{AppError, render_error};
use crate::state::AppState;

/// The form field (and query parameter) that carries a page's one-time token.
pub const FIELD: &str = "once";
/// The header that carries an API client's key for one request.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer given again instead of running the request.
pub const REPLAYED: &str = "idempotent-replayed";
/// The largest answer body kept for giving again (a page or a JSON document).
pub const KEPT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Put in a response's extensions by a handler whose answer shows a secret once (a new
/// API token): the answer is not kept, and a second submission is told so.
#[derive(Debug, Clone, Copy)]
pub struct ShownOnce;

/// The middleware: see the module's description.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let principal = (request.method() == Method::POST)
        .then(|| signed_in(&request))
        .flatten();
    let Some(principal) = principal else {
        return next.run(request).await;
    };
    let is_api = request.uri().path().starts_with("/api/");
    let (request, key) = match offered_key(request, is_api).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let path = request.uri().path().to_owned();
    let submission =
        key.and_then(|(key, kind)| Submission::new(&principal.acting, key, &path, kind));
    let Some(submission) = submission else {
        return next.run(request).await;
    };
    // Claim, run and keep in a task of its own: a browser that gives up (a double click
    // cancels the first request) must not leave a claim without its answer.
    let settled = tokio::spawn(async move {
        match settle_claim(&state, &submission).await {
            Ok(Some(answer)) => replay(answer, &Ctx::from_request(&request), is_api),
            Ok(None) => run_once(state, submission, request, next).await,
            Err(error) => error.into_response(),
        }
    });
    settled
        .await
        .unwrap_or_else(|_| AppError::internal().into_response())
}

/// The key a request offers, checked: the API's header, or a form's token.
async fn offered_key(
    request: Request,
    is_api: bool,
) -> Result<(Request, Option<(OnceKey, Kind)>), AppError> {
    let (request, offered) = if is_api {
        let key = header_text(request.headers(), IDEMPOTENCY_KEY);
        (request, key.map(|k| (k, "idempotency_key", Kind::Api)))
    } else {
        let (request, token) = form_token(request).await?;
        // An empty token is a page rendered without one: the form runs unguarded.
        let token = token.filter(|t| !t.is_empty());
        (request, token.map(|t| (t, FIELD, Kind::Form)))
    };
    let key = offered
        .map(|(text, field, kind)| OnceKey::parse(field, &text).map(|key| (key, kind)))
        .transpose()
        .map_err(|problem| AppError::from(mamori_app::Failure::invalid(problem)))?;
    Ok((request, key))
}

/// A fully signed-in principal; half-way through signing in, the handler redirects.
fn signed_in(request: &Request) -> Option<Principal> {
    request
        .extensions()
        .get::<Option<Principal>>()
        .cloned()
        .flatten()
        .filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active))
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The token of a form: `X-Once-Token`, `?once=`, or the `once` field of a URL-encoded
/// body (read, then put back for the handler). A multipart body is never read here.
async fn form_token(request: Request) -> Result<(Request, Option<String>), AppError> {
    if let Some(token) = header_text(request.headers(), "x-once-token") {
        return Ok((request, Some(token)));
    }
    if let Some(token) = request
        .uri()
        .query()
        .and_then(|q| pair_value(q.as_bytes(), FIELD))
    {
        return Ok((request, Some(token)));
    }
    let url_encoded = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !url_encoded {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
        .await
        .map_err(|_| {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "error.payload_too_large",
            )
        })?;
    let token = pair_value(&bytes, FIELD);
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

fn pair_value(encoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Claims the key, waiting while an earlier submission runs: None means "run it now",
/// Some the earlier submission's answer.
async fn settle_claim(
    state: &AppState,
    submission: &Submission,
) -> Result<Option<Answer>, AppError> {
    let deadline = Instant::now() + state.config.once_wait;
    let mut pause = Duration::from_millis(20);
    let mut claim = once::claim(&state.app, submission).await?;
    loop {
        match claim {
            Claim::Fresh => return Ok(None),
            Claim::Done(answer) => return Ok(Some(answer)),
            Claim::OtherPath(first) => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "error.once_key_reused",
                )
                .with("path", first));
            }
            Claim::Busy if Instant::now() >= deadline => {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "already_being_processed",
                    "error.once_busy",
                ));
            }
            Claim::Busy => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(250));
                claim = match once::look(&state.app, submission).await? {
                    // Released meanwhile (the first one's input was refused): claim anew.
                    Claim::Fresh => once::claim(&state.app, submission).await?,
                    other => other,
                };
            }
        }
    }
}

/// Runs the request (in a task of its own, so that a panic still releases the key) and
/// keeps or releases its answer.
async fn run_once(
    state: AppState,
    submission: Submission,
    request: Request,
    next: Next,
) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => keep(&state, &submission, response).await,
        Err(error) => {
            tracing::error!(error = %error, "a one-time submission failed");
            release(&state, &submission).await;
            AppError::internal().into_response()
        }
    }
}

/// Keeps a successful answer for later submissions; releases the key of a refusal.
async fn keep(state: &AppState, submission: &Submission, response: Response) -> Response {
    let status = response.status();
    if !(status.is_success() || status.is_redirection()) {
        release(state, submission).await;
        return response;
    }
    let location = header_text(response.headers(), header::LOCATION.as_str());
    let content_type = header_text(response.headers(), header::CONTENT_TYPE.as_str());
    let shown_once = response.extensions().get::<ShownOnce>().is_some();
    let fits = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= KEPT_BODY_LIMIT as u64);
    // A redirect is its Location; anything else (a page, a 201 with its JSON) its body.
    let (response, body) = if !status.is_redirection() && !shown_once && fits {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, KEPT_BODY_LIMIT)
            .await
            .unwrap_or_else(|_| Bytes::new());
        let text = String::from_utf8(bytes.to_vec()).ok();
        (Response::from_parts(parts, Body::from(bytes)), text)
    } else {
        (response, None)
    };
    let answer = Answer {
        status: status.as_u16(),
        location,
        content_type,
        body,
    };
    if let Err(error) = once::finish(&state.app, submission, &answer).await {
        // The answer stands; a later submission then waits and is told to look.
        tracing::error!(error = %error, "keeping a one-time answer failed");
    }
    response
}

async fn release(state: &AppState, submission: &Submission) {
    if let Err(error) = once::release(&state.app, submission).await {
        tracing::error!(error = %error, "releasing a one-time key failed");
    }
}

/// The first submission's answer, given again.
fn replay(answer: Answer, ctx: &Ctx, is_api: bool) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = match (answer.location, answer.body) {
        (Some(location), None) => {
            let mut response = status.into_response();
            set_location(&mut response, &location);
            response
        }
        (location, Some(body)) => {
            let mut response = (status, body).into_response();
            if let Some(value) = answer
                .content_type
                .and_then(|c| HeaderValue::from_str(&c).ok())
            {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            if let Some(location) = location {
                set_location(&mut response, &location);
            }
            response
        }
        (None, None) if status == StatusCode::NO_CONTENT => status.into_response(),
        // Rendered here rather than by `localise_errors`, which would drop the mark below.
        (None, None) => render_error(
            &AppError::new(
                StatusCode::CONFLICT,
                "already_processed",
                "error.once_shown_once",
            ),
            ctx,
            is_api,
        ),
    };
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn set_location(response: &mut Response, location: &str) {
    if let Ok(value) = HeaderValue::from_str(crate::http::local_path(location)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}
