//! Notifications over the API, on the same use cases as the pages: the caller's own
//! notices (list, unread count, mark read), their mail settings, the address an
//! administrator sets for a user, and the mail queue for the security officer.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use mamori_app::notifications::queue::{self, MailRow};
use mamori_app::notifications::settings::{self, MailSettings, MailSettingsInput};
use mamori_app::notifications::{self as notify, Notification};
use mamori_domain::access::{Act, Register};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::state::AppState;

/// One notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    /// `policy_reminder`, `approval_requested`, `approval_decided`.
    #[schema(value_type = crate::api::codes::NoticeKind)]
    pub kind: String,
    /// The record's title the notice is about.
    pub title: String,
    /// The notice as a sentence, in the caller's language.
    pub text: String,
    /// A path on this server.
    pub link: String,
    pub urgent: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC; absent while unread.
    pub read_at: Option<String>,
}

impl NotificationOut {
    fn new(ctx: &Ctx, n: Notification) -> NotificationOut {
        NotificationOut {
            text: notify::notice_text(&ctx.tr, &n),
            id: n.id,
            kind: n.kind.as_str().to_owned(),
            title: n.title,
            link: n.link,
            urgent: n.urgent,
            created_at: crate::api::dates::timestamp(n.created_at),
            read_at: n.read_at.map(crate::api::dates::timestamp),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationOut>,
    /// How many match (all pages).
    pub total: i64,
    /// How many of the caller's notices are unread.
    pub unread: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread notices.
    #[serde(default)]
    pub unread: Option<bool>,
    /// 1–500, default 50.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The caller's notices, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(ListQuery),
    responses(
        (status = 200, body = NotificationList),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<NotificationList>, AppError> {
    let acting = &signed.0.acting;
    let (items, total) = notify::my_notices(
        &state.app,
        acting,
        query.unread.unwrap_or(false),
        query.limit.unwrap_or(notify::PER_PAGE),
        query.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(NotificationList {
        items: items
            .into_iter()
            .map(|n| NotificationOut::new(&ctx, n))
            .collect(),
        total,
        unread: notify::unread_count(&state.app, acting).await?,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// How many of the caller's notices are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount), (status = 401, body = crate::api::ErrorBody)))]
pub async fn unread_count(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<UnreadCount>, AppError> {
    let unread = notify::unread_count(&state.app, &signed.0.acting).await?;
    Ok(Json(UnreadCount { unread }))
}

/// Marks one of the caller's notices read (another person's is 404).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, body = NotificationOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<NotificationOut>, AppError> {
    let notice = notify::mark_read(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(NotificationOut::new(&ctx, notice)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedAll {
    /// How many were unread.
    pub marked: u64,
}

/// Marks all the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = MarkedAll), (status = 401, body = crate::api::ErrorBody)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<MarkedAll>, AppError> {
    let marked = notify::mark_all_read(&state.app, &signed.0.acting).await?;
    Ok(Json(MarkedAll { marked }))
}

// ---------------------------------------------------------------- mail settings

#[derive(Debug, Serialize, ToSchema)]
pub struct KindChoiceOut {
    #[schema(value_type = crate::api::codes::NoticeKind)]
    pub kind: String,
    /// Whether mail of this kind is wanted (urgent notices are mailed regardless).
    pub mail: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailSettingsOut {
    pub mail: Option<String>,
    /// The kinds the person chooses about: not a broken audit trail (always mailed), and
    /// the audit trail's daily anchor only for the people chosen to keep it.
    pub kinds: Vec<KindChoiceOut>,
}

impl From<MailSettings> for MailSettingsOut {
    fn from(s: MailSettings) -> MailSettingsOut {
        MailSettingsOut {
            mail: s.address,
            kinds: s
                .kinds
                .into_iter()
                .map(|c| KindChoiceOut {
                    kind: c.kind.as_str().to_owned(),
                    mail: c.mail,
                })
                .collect(),
        }
    }
}

/// What to change; a field left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettingsIn {
    /// The mail address; `""` removes it.
    pub mail: Option<String>,
    /// The kinds wanted by mail; the kinds offered and not named are not mailed (unless
    /// urgent), a kind not offered to the person keeps its setting.
    #[schema(example = json!(["policy_reminder"]))]
    pub mail_kinds: Option<Vec<String>>,
}

/// The caller's mail address and the kinds of notice they get by mail.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications",
    responses((status = 200, body = MailSettingsOut), (status = 401, body = crate::api::ErrorBody)))]
pub async fn my_settings(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<MailSettingsOut>, AppError> {
    let settings = settings::my_mail_settings(&state.app, &signed.0.acting).await?;
    Ok(Json(settings.into()))
}

/// Changes the caller's mail address and choices.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications",
    request_body = MailSettingsIn,
    responses(
        (status = 200, body = MailSettingsOut),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "A malformed address or an unknown kind"),
    ))]
pub async fn save_my_settings(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<MailSettingsOut>, AppError> {
    let acting = &signed.0.acting;
    let input: MailSettingsIn = read_json(request).await?;
    settings::save_my_mail_settings(
        &state.app,
        acting,
        MailSettingsInput {
            address: input.mail,
            wanted: input.mail_kinds,
        },
    )
    .await?;
    Ok(Json(
        settings::my_mail_settings(&state.app, acting).await?.into(),
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mail": "sato.hanako@gikai.example.lg.jp"}))]
pub struct UserMail {
    /// The mail address; `""` removes it.
    pub mail: Option<String>,
}

/// Sets the mail address of a user (administrators).
#[utoipa::path(put, path = "/api/v1/users/{id}/mail", tag = "notifications",
    params(("id" = i64, Path, description = "The user's id")),
    request_body = UserMail,
    responses(
        (status = 200, body = UserMail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "A malformed address"),
    ))]
pub async fn set_user_mail(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<UserMail>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Users, Act::Edit, "notify.user_mail")
        .await?;
    let id = parse_id(&id)?;
    let input: UserMail = read_json(request).await?;
    settings::set_user_mail(&state.app, acting, id, input.mail.as_deref().unwrap_or("")).await?;
    let mail = settings::user_mail(&state.app, acting, id).await?;
    Ok(Json(UserMail { mail }))
}

// ---------------------------------------------------------------- the mail queue

#[derive(Debug, Serialize, ToSchema)]
pub struct MailOut {
    pub id: i64,
    pub user_id: i64,
    pub login: String,
    pub address: String,
    pub subject: String,
    /// `queued`, `failed`.
    #[schema(value_type = crate::api::codes::MailState)]
    pub state: String,
    pub attempts: i64,
    /// RFC 3339, UTC.
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
}

impl From<MailRow> for MailOut {
    fn from(row: MailRow) -> MailOut {
        let m = row.mail;
        MailOut {
            id: m.id,
            user_id: m.user_id,
            login: row.login,
            address: m.address,
            subject: m.subject,
            state: m.state.as_str().to_owned(),
            attempts: m.attempts,
            next_attempt_at: crate::api::dates::timestamp(m.next_attempt_at),
            last_error: m.last_error,
            created_at: crate::api::dates::timestamp(m.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailQueueOut {
    /// Whether a mail server is configured; without one, mails stay queued.
    pub configured: bool,
    /// `host:port (security)` of the mail server.
    pub server: Option<String>,
    pub failed: Vec<MailOut>,
    pub failed_total: i64,
    pub waiting: Vec<MailOut>,
    pub waiting_total: i64,
}

/// Mails given up and mails waiting (newest 200 of each), for the security officer.
#[utoipa::path(get, path = "/api/v1/notifications/mail", tag = "notifications",
    responses(
        (status = 200, body = MailQueueOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn mail_queue(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<MailQueueOut>, AppError> {
    let q = queue::mail_queue(&state.app, &signed.0.acting).await?;
    Ok(Json(MailQueueOut {
        configured: state.config.mail_server.is_some(),
        server: state.config.mail_server.clone(),
        failed: q.failed.into_iter().map(MailOut::from).collect(),
        failed_total: q.failed_total,
        waiting: q.waiting.into_iter().map(MailOut::from).collect(),
        waiting_total: q.waiting_total,
    }))
}

/// Queues a failed mail again for an attempt now (attempts counted afresh).
#[utoipa::path(post, path = "/api/v1/notifications/mail/{id}/retry", tag = "notifications",
    params(("id" = i64, Path, description = "The mail's id")),
    responses(
        (status = 204, description = "Queued again"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`already_sent`"),
    ))]
pub async fn retry_mail(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Notices,
            Act::Edit,
            "notifications.mail_retry",
        )
        .await?;
    queue::retry_mail(&state.app, acting, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list,
        unread_count,
        mark_read,
        mark_all_read,
        my_settings,
        save_my_settings,
        set_user_mail,
        mail_queue,
        retry_mail
    ),
    components(schemas(
        NotificationOut,
        NotificationList,
        UnreadCount,
        MarkedAll,
        KindChoiceOut,
        MailSettingsOut,
        MailSettingsIn,
        UserMail,
        MailOut,
        MailQueueOut
    ))
)]
pub struct Doc;
