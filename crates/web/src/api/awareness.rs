//! Awareness notices (注意喚起) over the API, on the same use cases as the pages
//! (`mamori_app::awareness`): the list, posting, one notice (with its readers for those
//! who see all), marking it read, the reminder, the withdrawal and the readers' file.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use mamori_app::awareness::{self as app_awareness, Form, Listed, NoticeView, Reader};
use mamori_app::sheets::Format;
use mamori_app::{date_text, timestamp_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A notice with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwarenessNoticeOut {
    pub id: i64,
    #[schema(example = "不審なメールに注意してください")]
    pub title: String,
    /// The text, as written (lines kept).
    pub body: String,
    /// `everyone`, `user_type`, `post` or `users`.
    #[schema(value_type = crate::api::codes::AwarenessAudience)]
    pub audience: String,
    /// The user type codes, post codes or login ids the audience named.
    pub audience_codes: Vec<String>,
    /// The deadline (期限), ISO 8601.
    pub due_on: Option<String>,
    pub posted_by: Option<String>,
    /// RFC 3339, UTC.
    pub posted_at: String,
    pub withdrawn_at: Option<String>,
    pub withdraw_reason: String,
    /// People addressed when it was posted (kept as they were that day).
    pub audience_size: i64,
    pub read_count: i64,
    /// Read rate in whole percent, rounded down.
    pub read_percent: i64,
    /// The caller's own standing when addressed: `read`, `unread` or `overdue`.
    #[schema(value_type = Option<crate::api::codes::AwarenessReadStanding>)]
    pub my_standing: Option<String>,
}

fn out(l: &Listed) -> AwarenessNoticeOut {
    let r = &l.record;
    AwarenessNoticeOut {
        id: r.id,
        title: r.title.clone(),
        body: r.body.clone(),
        audience: r.audience.as_str().to_owned(),
        audience_codes: r.audience_codes.clone(),
        due_on: r.due_on.map(date_text),
        posted_by: r.created_by_name.clone(),
        posted_at: timestamp_text(r.created_at),
        withdrawn_at: r.withdrawn_at.map(timestamp_text),
        withdraw_reason: r.withdraw_reason.clone(),
        audience_size: r.audience_size,
        read_count: r.read_count,
        read_percent: l.percent(),
        my_standing: l.mine.map(|s| s.as_str().to_owned()),
    }
}

/// One person addressed by a notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwarenessReaderOut {
    pub login: String,
    pub display_name: String,
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    /// `read`, `unread` or `overdue`.
    #[schema(value_type = crate::api::codes::AwarenessReadStanding)]
    pub standing: String,
    pub read_at: Option<String>,
    pub reminders: i64,
    pub reminded_at: Option<String>,
}

fn reader_out(r: &Reader) -> AwarenessReaderOut {
    let p = &r.recipient;
    AwarenessReaderOut {
        login: p.login.clone(),
        display_name: p.display_name.clone(),
        user_type: p.user_type.as_str().to_owned(),
        standing: r.standing.as_str().to_owned(),
        read_at: p.read_at.map(timestamp_text),
        reminders: p.reminders,
        reminded_at: p.reminded_at.map(timestamp_text),
    }
}

/// One notice; `readers` for those who see every notice's figures, else empty.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwarenessNoticeDetail {
    #[serde(flatten)]
    pub notice: AwarenessNoticeOut,
    pub my_read_at: Option<String>,
    /// Everyone addressed, those who have not read it first.
    pub readers: Vec<AwarenessReaderOut>,
}

fn detail(view: NoticeView) -> AwarenessNoticeDetail {
    let readers = view.readers.iter().map(reader_out).collect();
    let my_read_at = view.my_read_at.map(timestamp_text);
    AwarenessNoticeDetail {
        notice: out(&Listed {
            mine: view.mine,
            record: view.record,
        }),
        my_read_at,
        readers,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AwarenessNoticeList {
    pub items: Vec<AwarenessNoticeOut>,
    pub total: u64,
}

/// A notice to post. The deadline in ISO 8601 or 和暦.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwarenessNoticeIn {
    #[schema(example = "不審なメールに注意してください")]
    pub title: String,
    #[schema(
        example = "議会事務局を名乗るメールが届いています。\n添付ファイルを開かないでください。"
    )]
    pub body: String,
    /// `everyone`, `user_type`, `post` or `users`.
    #[schema(value_type = crate::api::codes::AwarenessAudience, example = "user_type")]
    pub audience: String,
    /// For `user_type`: `member`, `staff`, `other`.
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::UserType>, example = json!(["member"]))]
    pub user_types: Vec<String>,
    /// For `post`: post codes.
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::codes::OrgRole>)]
    pub posts: Vec<String>,
    /// For `users`: login ids.
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    #[schema(example = "令和8年12月18日")]
    pub due_on: String,
}

impl From<AwarenessNoticeIn> for Form {
    fn from(i: AwarenessNoticeIn) -> Form {
        Form {
            title: i.title,
            body: i.body,
            audience: i.audience,
            user_types: i.user_types,
            posts: i.posts,
            users: i.users.join("\n"),
            due_on: i.due_on,
        }
    }
}

/// Withdrawing a notice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "対象者の指定を誤ったため。改めて掲示します。"}))]
pub struct AwarenessWithdrawIn {
    pub reason: String,
}

/// What a reminder did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwarenessReminded {
    /// People reminded (those who had not read it).
    pub reminded: usize,
}

/// Every notice (for those who see all), or those addressed to the caller.
#[utoipa::path(get, path = "/api/v1/awareness", tag = "awareness",
    responses(
        (status = 200, body = AwarenessNoticeList),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_notices(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<AwarenessNoticeList>, AppError> {
    let items: Vec<AwarenessNoticeOut> = app_awareness::list(&state.app, &signed.0.acting)
        .await?
        .iter()
        .map(out)
        .collect();
    Ok(Json(AwarenessNoticeList {
        total: u64::try_from(items.len()).unwrap_or(0),
        items,
    }))
}

/// One notice.
#[utoipa::path(get, path = "/api/v1/awareness/{id}", tag = "awareness",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, body = AwarenessNoticeDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_notice(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AwarenessNoticeDetail>, AppError> {
    let view = app_awareness::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(detail(view)))
}

/// Posts a notice to its audience, resolved now and kept.
#[utoipa::path(post, path = "/api/v1/awareness", tag = "awareness",
    request_body = AwarenessNoticeIn,
    responses(
        (status = 201, body = AwarenessNoticeDetail, description = "Posted; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (no title, an unknown login, \
                           a deadline already past, nobody addressed…)"),
    ))]
pub async fn post_notice(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            mamori_domain::access::Register::Awareness,
            mamori_domain::access::Act::Edit,
            "awareness.post",
        )
        .await?;
    let input: AwarenessNoticeIn = read_json(request).await?;
    let id = app_awareness::post(&state.app, acting, &input.into()).await?;
    let view = app_awareness::show(&state.app, acting, id).await?;
    Ok(crate::api::created(
        detail(view),
        &format!("/api/v1/awareness/{id}"),
    ))
}

/// Marks the notice read by the caller (once: again changes nothing).
#[utoipa::path(post, path = "/api/v1/awareness/{id}/read", tag = "awareness",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, body = AwarenessNoticeDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "Not addressed to the caller"),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: withdrawn"),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AwarenessNoticeDetail>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    app_awareness::mark_read(&state.app, acting, id).await?;
    Ok(Json(detail(
        app_awareness::show(&state.app, acting, id).await?,
    )))
}

/// Reminds (督促) everyone addressed who has not read it, in the app and by mail.
#[utoipa::path(post, path = "/api/v1/awareness/{id}/remind", tag = "awareness",
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, body = AwarenessReminded),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`invalid_state`: withdrawn, or everyone has read it"),
    ))]
pub async fn remind(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AwarenessReminded>, AppError> {
    let reminded = app_awareness::remind(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(AwarenessReminded { reminded }))
}

/// Withdraws (取り下げ) a notice with a reason; it is kept, marked withdrawn.
#[utoipa::path(post, path = "/api/v1/awareness/{id}/withdraw", tag = "awareness",
    request_body = AwarenessWithdrawIn,
    params(("id" = i64, Path, description = "The notice's id")),
    responses(
        (status = 200, body = AwarenessNoticeDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: withdrawn already"),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<AwarenessNoticeDetail>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    state
        .app
        .permit(
            acting,
            mamori_domain::access::Register::Awareness,
            mamori_domain::access::Act::Edit,
            "awareness.withdraw",
        )
        .await?;
    let input: AwarenessWithdrawIn = read_json(request).await?;
    app_awareness::withdraw(&state.app, acting, id, &input.reason).await?;
    Ok(Json(detail(
        app_awareness::show(&state.app, acting, id).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// `csv` (UTF-8 with BOM, for Excel) or `xlsx`.
    #[param(example = "csv")]
    pub format: Option<String>,
}

/// The readers and non-readers of a notice as a file.
#[utoipa::path(get, path = "/api/v1/awareness/{id}/readers", tag = "awareness",
    params(("id" = i64, Path, description = "The notice's id"), ExportParams),
    responses(
        (status = 200, content_type = "text/csv"),
        (status = 422, body = crate::api::ErrorBody, description = "An unknown format"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn export_readers(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let format = match params.format.as_deref().unwrap_or("csv") {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => {
            return Err(
                mamori_app::Failure::invalid(mamori_domain::field::FieldProblem::new(
                    "format",
                    "awareness.error.format",
                ))
                .into(),
            );
        }
    };
    let bytes =
        app_awareness::export(&state.app, &signed.0.acting, id, format, ctx.tr.lang).await?;
    let ext = mamori_app::assets::files::format_code(format);
    Ok(crate::http::download::named(
        bytes,
        format,
        &format!("awareness-{id}-readers.{ext}"),
        &format!("{}-{id}.{ext}", ctx.tr.t("awareness.export_name")),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_notices,
        get_notice,
        post_notice,
        mark_read,
        remind,
        withdraw,
        export_readers
    ),
    components(schemas(
        AwarenessNoticeOut,
        AwarenessReaderOut,
        AwarenessNoticeDetail,
        AwarenessNoticeList,
        AwarenessNoticeIn,
        AwarenessWithdrawIn,
        AwarenessReminded
    ))
)]
pub struct Doc;
