//! The signed-in user's own account: password, two-factor authentication, sessions and
//! API tokens; and the second sign-in step.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::account::mfa::Enrolled;
use mamori_app::account::{self, ApiToken, PasswordChange};
use mamori_app::auth as auth_app;
use mamori_app::auth::{Session, Stage};
use mamori_domain::mfa::{self, TotpSecret};
use mamori_domain::password;
use serde::Deserialize;

use crate::http::approval_view::AbsenceRow;
use crate::http::auth::{self, Principal, SignedIn};
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::sign_in::stage_home;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};

fn session_of(principal: &Principal) -> Result<&Session, AppError> {
    principal.session.as_ref().ok_or_else(AppError::forbidden)
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    t: Tr,
    layout: Layout,
    login: String,
    display_name: String,
    /// The reading as stored, or as typed after a refusal.
    reading: String,
    reading_error: Option<String>,
    role_key: String,
    user_type_key: String,
    org_role_keys: Vec<String>,
    mfa_on: bool,
    saved: Option<String>,
    /// Absences with a deputy (the person's own, and those they stand in for); None for
    /// those outside the approval block (contractors).
    absences: Option<Vec<crate::http::approval_view::AbsenceRow>>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let saved = query
        .saved
        .as_deref()
        .and_then(|what| match what {
            "password" => Some("account.saved_password"),
            "mfa_off" => Some("account.saved_mfa_off"),
            "reading" => Some("account.saved_reading"),
            _ => None,
        })
        .map(|key| ctx.tr.t(key).to_owned());
    let reading = signed.user().reading.clone().unwrap_or_default();
    let page = account_page(&state, ctx, &signed, saved, (reading, None)).await?;
    render(StatusCode::OK, &page)
}

/// The account page; `reading` is the reading field's text and its refusal, if any.
async fn account_page(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    saved: Option<String>,
    reading: (String, Option<String>),
) -> Result<AccountPage, AppError> {
    let user = signed.user();
    let overview = account::overview(&state.app, &signed.0.acting).await?;
    let acting = &signed.0.acting;
    let absences = if acting.may(Register::Approvals, Act::Read) {
        let list = mamori_app::approvals::absences(&state.app, acting, None).await?;
        let rows = list.iter();
        Some(rows.map(|a| AbsenceRow::of(&ctx, user.id, a)).collect())
    } else {
        None
    };
    Ok(AccountPage {
        t: ctx.tr,
        layout: Layout::load(state, "account", "/account", Some(&signed.0)).await,
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        reading: reading.0,
        reading_error: reading.1,
        role_key: format!("role.{}", user.role.as_str()),
        user_type_key: format!("user_type.{}", user.user_type.as_str()),
        org_role_keys: overview
            .posts
            .iter()
            .map(|r| format!("org_role.{}", r.as_str()))
            .collect(),
        mfa_on: overview.mfa_enabled,
        saved,
        absences,
    })
}

#[derive(Deserialize)]
pub struct ReadingForm {
    #[serde(default)]
    reading: String,
}

/// Sets one's own reading (ふりがな) from the account page.
pub async fn set_reading(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<ReadingForm>,
) -> Result<Response, AppError> {
    match account::set_reading(&state.app, &signed.0.acting, &form.reading).await {
        Ok(_) => Ok(see_other("/account?saved=reading")),
        Err(Failure::Invalid(problems)) => {
            let message = problems.first().map(|p| ctx.tr.f(p.key, &p.params));
            let typed = form.reading.chars().take(200).collect();
            let page = account_page(&state, ctx, &signed, None, (typed, message)).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- password

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    t: Tr,
    layout: Layout,
    /// Why the person must set a password first: the first sign-in of a new account, or
    /// an administrator's reset; none when they came to change it on their own.
    must_change: Option<&'static str>,
    hint: String,
    errors: Vec<(&'static str, String)>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

pub async fn password_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    password_page(&state, &ctx, &signed.0, Vec::new(), StatusCode::OK).await
}

async fn password_page(
    state: &AppState,
    ctx: &Ctx,
    principal: &Principal,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = PasswordPage {
        t: ctx.tr,
        layout: Layout::load(state, "account", "/account/password", Some(principal)).await,
        must_change: match (
            principal.user.must_change_password,
            principal.user.password_changed_at,
        ) {
            (false, _) => None,
            (true, None) => Some("account.first_sign_in"),
            (true, Some(_)) => Some("account.must_change"),
        },
        hint: ctx.tr.f(
            "setup.password_hint",
            &[("min", password::MIN_CHARS.to_string())],
        ),
        errors,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<PasswordForm>,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let session = session_of(principal)?;
    let input = PasswordChange {
        current: form.current,
        new_password: form.password,
        confirm: Some(form.password_confirm),
    };
    match account::change_password(&state.app, &principal.acting, input, Some(session)).await {
        Ok(Some((next, token))) => Ok(auth::set_session_cookie(
            see_other(&stage_home(next, "/")),
            &state,
            &token,
        )),
        Ok(None) => Ok(see_other("/account?saved=password")),
        Err(Failure::Invalid(problems)) => {
            let errors = problems
                .iter()
                .map(|p| (p.field, ctx.tr.f(p.key, &p.params)))
                .collect();
            password_page(
                &state,
                &ctx,
                principal,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- two-factor

#[derive(Template)]
#[template(path = "account/mfa.html")]
struct MfaPage {
    t: Tr,
    layout: Layout,
    enrolled: bool,
    required: bool,
    unused_codes: i64,
    /// Enrolment in progress: the secret (base32), its QR code as SVG markup.
    secret: String,
    qr: String,
    error: Option<String>,
}

pub async fn mfa_page(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    mfa_page_with(&state, &ctx, &signed.0, None, StatusCode::OK, None).await
}

async fn mfa_page_with(
    state: &AppState,
    ctx: &Ctx,
    principal: &Principal,
    secret: Option<TotpSecret>,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let user = &principal.user;
    let mfa_state = account::mfa::state(&state.app, &principal.acting).await?;
    let enrolled = mfa_state.enrolled;
    let (secret_text, qr) = if enrolled {
        (String::new(), String::new())
    } else {
        let secret = secret.unwrap_or_else(|| TotpSecret::from_bytes(rand::random()));
        let uri = mfa::otpauth_uri(&mfa_state.issuer, &user.login, &secret);
        let svg = mfa::qr_svg(&uri, 5, ctx.tr.t("mfa.qr_label")).unwrap_or_default();
        // Inline markup: drop an XML declaration if there is one.
        let svg = match svg.find("<svg") {
            Some(start) => svg[start..].to_owned(),
            None => svg,
        };
        (secret.to_base32(), svg)
    };
    let page = MfaPage {
        t: ctx.tr,
        layout: Layout::load(state, "account", "/account/mfa", Some(principal)).await,
        enrolled,
        required: mfa_state.required,
        unused_codes: mfa_state.unused_recovery_codes,
        secret: secret_text,
        qr,
        error,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct EnableForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
struct RecoveryCodesPage {
    t: Tr,
    layout: Layout,
    codes: Vec<String>,
    next: String,
}

pub async fn enable_mfa(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<EnableForm>,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let session = session_of(principal)?;
    let Some(secret) = TotpSecret::from_base32(&form.secret) else {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_form",
            "error.malformed_form",
        ));
    };
    let enrolled =
        account::mfa::enable(&state.app, &principal.acting, session, &secret, &form.code).await;
    let Enrolled { codes, token } = match enrolled {
        Ok(enrolled) => enrolled,
        Err(Failure::Invalid(problems)) => {
            let message = problems.first().map(|p| ctx.tr.t(p.key).to_owned());
            return mfa_page_with(
                &state,
                &ctx,
                principal,
                Some(secret),
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await;
        }
        Err(other) => return Err(other.into()),
    };
    let page = RecoveryCodesPage {
        t: ctx.tr,
        layout: Layout::load(&state, "account", "/account/mfa", Some(principal)).await,
        codes,
        next: if token.is_some() {
            "/".to_owned()
        } else {
            "/account".to_owned()
        },
    };
    let response = render(StatusCode::OK, &page)?;
    Ok(match token {
        Some(token) => auth::set_session_cookie(response, &state, &token),
        None => response,
    })
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    password: String,
}

pub async fn disable_mfa(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<DisableForm>,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let (status, key) =
        match account::mfa::disable(&state.app, &principal.acting, &form.password).await {
            Ok(()) => return Ok(see_other("/account?saved=mfa_off")),
            Err(Failure::Conflict(refusal)) => (StatusCode::CONFLICT, refusal.key),
            Err(Failure::Invalid(problems)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                problems
                    .first()
                    .map_or("account.error.current_wrong", |p| p.key),
            ),
            Err(other) => return Err(other.into()),
        };
    let message = ctx.tr.t(key).to_owned();
    mfa_page_with(&state, &ctx, principal, None, status, Some(message)).await
}

#[derive(Template)]
#[template(path = "account/login_mfa.html")]
struct SecondStepPage {
    t: Tr,
    layout: Layout,
    error: Option<String>,
}

pub async fn second_step_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    if signed.0.session.as_ref().map(|s| s.stage) != Some(Stage::Mfa) {
        return Ok(see_other("/"));
    }
    let page = SecondStepPage {
        t: ctx.tr,
        layout: Layout::load(&state, "", "/login/mfa", Some(&signed.0)).await,
        error: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SecondStepForm {
    #[serde(default)]
    code: String,
}

pub async fn second_step(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<SecondStepForm>,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let session = session_of(principal)?;
    if session.stage != Stage::Mfa {
        return Ok(see_other("/"));
    }
    let lockout = &state.config.lockout;
    match auth_app::second_factor(&state.app, &principal.acting, session, &form.code, lockout)
        .await?
    {
        Ok(token) => Ok(auth::set_session_cookie(see_other("/"), &state, &token)),
        Err(key) => {
            let page = SecondStepPage {
                t: ctx.tr,
                layout: Layout::load(&state, "", "/login/mfa", Some(principal)).await,
                error: Some(ctx.tr.t(key).to_owned()),
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

// ---------------------------------------------------------------- sessions

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    t: Tr,
    layout: Layout,
    current: i64,
    sessions: Vec<(Session, String, String)>,
}

pub async fn sessions_page(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let current = session_of(principal)?.id;
    let shown = account::sessions(&state.app, &principal.acting)
        .await?
        .into_iter()
        .map(|s| {
            let started = ctx.datetime(s.created_at);
            let seen = ctx.datetime(s.last_seen_at);
            (s, started, seen)
        })
        .collect();
    let page = SessionsPage {
        t: ctx.tr,
        layout: Layout::load(&state, "account", "/account/sessions", Some(principal)).await,
        current,
        sessions: shown,
    };
    render(StatusCode::OK, &page)
}

pub async fn end_session(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    account::end_session(&state.app, &signed.0.acting, id).await?;
    Ok(see_other("/account/sessions"))
}

// ---------------------------------------------------------------- API tokens

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    t: Tr,
    layout: Layout,
    tokens: Vec<(ApiToken, String, String)>,
    created: Option<String>,
    name: String,
    error: Option<String>,
}

pub use mamori_app::account::TOKEN_NAME_MAX;

async fn tokens_page(
    state: &AppState,
    ctx: &Ctx,
    principal: &Principal,
    created: Option<String>,
    name: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tokens = account::tokens(&state.app, &principal.acting)
        .await?
        .into_iter()
        .map(|t| {
            let created = ctx.datetime(t.created_at);
            let used = t
                .last_used_at
                .map(|at| ctx.datetime(at))
                .unwrap_or_default();
            (t, created, used)
        })
        .collect();
    let page = TokensPage {
        t: ctx.tr,
        layout: Layout::load(state, "account", "/account/tokens", Some(principal)).await,
        tokens,
        created,
        name,
        error,
    };
    render(status, &page)
}

pub async fn tokens(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    tokens_page(
        &state,
        &ctx,
        &signed.0,
        None,
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<TokenForm>,
) -> Result<Response, AppError> {
    let principal = &signed.0;
    let user_id = principal.user.id;
    let token =
        match account::create_token(&state.app, &principal.acting, user_id, &form.name).await {
            Ok((_, token)) => token,
            Err(Failure::Invalid(problems)) => {
                let message = problems.first().map(|p| ctx.tr.f(p.key, &p.params));
                let typed: String = form.name.chars().take(TOKEN_NAME_MAX).collect();
                return tokens_page(
                    &state,
                    &ctx,
                    principal,
                    None,
                    typed,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(other) => return Err(other.into()),
        };
    let mut page = tokens_page(
        &state,
        &ctx,
        principal,
        Some(token),
        String::new(),
        None,
        StatusCode::CREATED,
    )
    .await?;
    // The page shows the secret once: a second submission of the form is not given a copy.
    page.extensions_mut().insert(crate::http::once::ShownOnce);
    Ok(page)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    account::revoke_token(&state.app, &signed.0.acting, id).await?;
    Ok(see_other("/account/tokens"))
}
