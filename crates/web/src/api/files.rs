//! The file store in the API, over `mamori_app::files` like the pages: a record's
//! attachments (`/api/v1/{assets|risks}/{id}/files`), one attachment with its
//! revisions, their content, a new revision, removal with a reason; and the record of
//! who viewed what (`/api/v1/audit/views`). Uploads are `multipart/form-data`, read
//! piece by piece and refused (413) the moment they pass the size limit.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::audit::AuditRecord;
use mamori_app::files::{
    self, AttachForm, Attachment, RecordKind, RecordRef, Revision, ViewFilter, is_expired,
};
use mamori_domain::access::Act;
use mamori_domain::field::FieldProblem;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::http::upload::read_upload;
use crate::state::AppState;

/// One revision of an attachment.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionOut {
    pub revision: i64,
    /// The name the file was uploaded with.
    pub file_name: String,
    pub size: i64,
    /// From the content, not the name (`application/pdf`, `image/png`, …).
    pub media_type: String,
    pub sha256: String,
    pub uploaded_by: Option<String>,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
    /// Where its content is downloaded.
    pub content_url: String,
}

fn revision_out(r: &Revision) -> RevisionOut {
    RevisionOut {
        revision: r.revision,
        file_name: r.file_name.clone(),
        size: r.size,
        media_type: r.media_type.clone(),
        sha256: r.sha256.clone(),
        uploaded_by: r.uploaded_by_name.clone(),
        uploaded_at: mamori_app::timestamp_text(r.uploaded_at),
        content_url: format!(
            "/api/v1/files/{}/revisions/{}/content",
            r.attachment_id, r.revision
        ),
    }
}

/// Who removed an attachment, when and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovalOut {
    pub at: String,
    pub by: Option<String>,
    pub reason: String,
}

/// An attachment of a record, with its newest revision (and, for one attachment, all).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    /// `asset` or `risk`.
    #[schema(value_type = crate::api::codes::RecordKind)]
    pub record_kind: String,
    pub record_id: i64,
    pub title: String,
    /// `evidence`, `pledge`, `training`, `certificate` or `other`.
    #[schema(value_type = crate::api::codes::FilePurpose)]
    pub purpose: String,
    /// ISO 8601; null for no expiry.
    pub expires_on: Option<String>,
    /// The expiry date has passed (in Japan).
    pub expired: bool,
    pub removed: Option<RemovalOut>,
    pub latest: RevisionOut,
    /// Newest first; only in the answer for one attachment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Vec<RevisionOut>>,
}

fn attachment_out(a: &Attachment) -> AttachmentOut {
    AttachmentOut {
        id: a.id,
        record_kind: a.record.kind.as_str().to_owned(),
        record_id: a.record.id,
        title: a.title.clone(),
        purpose: a.purpose.as_str().to_owned(),
        expires_on: a.expires_on.map(mamori_app::date_text),
        expired: a.removed.is_none() && is_expired(a.expires_on, mamori_app::today()),
        removed: a.removed.as_ref().map(|r| RemovalOut {
            at: mamori_app::timestamp_text(r.at),
            by: r.by_name.clone(),
            reason: r.reason.clone(),
        }),
        latest: revision_out(&a.latest),
        revisions: None,
    }
}

async fn list(
    state: &AppState,
    signed: &SignedIn,
    record: RecordRef,
) -> Result<Response, AppError> {
    let listing = files::list(&state.app, &signed.0.acting, record).await?;
    let out: Vec<AttachmentOut> = listing.attachments.iter().map(attachment_out).collect();
    Ok(Json(out).into_response())
}

/// The attachments of an asset (removed ones too, for those who may edit the register).
#[utoipa::path(get, path = "/api/v1/assets/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_asset_files(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    list(&state, &signed, RecordRef::asset(parse_id(&id)?)).await
}

/// The evidence attached to a corrective action.
#[utoipa::path(get, path = "/api/v1/actions/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_action_files(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::CorrectiveAction, parse_id(&id)?);
    list(&state, &signed, record).await
}

/// The material attached to an awareness notice.
#[utoipa::path(get, path = "/api/v1/awareness/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_awareness_files(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::AwarenessNotice, parse_id(&id)?);
    list(&state, &signed, record).await
}

/// The attachments of a risk.
#[utoipa::path(get, path = "/api/v1/risks/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_risk_files(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    list(&state, &signed, RecordRef::risk(parse_id(&id)?)).await
}

fn no_file() -> AppError {
    AppError::from(mamori_app::Failure::Invalid(vec![FieldProblem::new(
        "file",
        "file.error.no_file",
    )]))
}

async fn upload(
    state: &AppState,
    signed: &SignedIn,
    record: RecordRef,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    files::edit_record(&state.app, acting, record, "files.attach").await?;
    let upload = read_upload(state, request).await?;
    let form = AttachForm {
        title: upload.field("title").to_owned(),
        purpose: upload.field("purpose").to_owned(),
        expires_on: upload.field("expires_on").to_owned(),
    };
    let (name, spooled) = upload.file.ok_or_else(no_file)?;
    let attached = files::attach(&state.app, acting, record, &form, &name, spooled).await?;
    let detail = files::attachment(&state.app, acting, attached.attachment_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(attachment_out(&detail.attachment)),
    )
        .into_response())
}

/// Attaches a file to an asset: multipart fields `file`, `purpose` (`evidence`,
/// `pledge`, `training`, `certificate`, `other`), optional `title` (the file's name when
/// empty) and `expires_on` (ISO or 和暦).
#[utoipa::path(post, path = "/api/v1/assets/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_asset_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    upload(&state, &signed, RecordRef::asset(parse_id(&id)?), request).await
}

/// Attaches evidence to a corrective action (fields as for an asset).
#[utoipa::path(post, path = "/api/v1/actions/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_action_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::CorrectiveAction, parse_id(&id)?);
    upload(&state, &signed, record, request).await
}

/// Attaches material to an awareness notice (fields as for an asset).
#[utoipa::path(post, path = "/api/v1/awareness/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_awareness_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::AwarenessNotice, parse_id(&id)?);
    upload(&state, &signed, record, request).await
}

/// The materials of a training session, and the proof attached to one attendance.
#[utoipa::path(get, path = "/api/v1/training/sessions/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_training_session_files(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::TrainingSession, parse_id(&id)?);
    list(&state, &signed, record).await
}

/// Attaches material to a training session (fields as for an asset).
#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_training_session_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::TrainingSession, parse_id(&id)?);
    upload(&state, &signed, record, request).await
}

/// Attaches the proof of an outside course (a certificate) to one's own declared
/// attendance, until it is confirmed; organisers may attach it too.
#[utoipa::path(post, path = "/api/v1/training/attendance/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_training_proof(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::TrainingAttendance, parse_id(&id)?);
    upload(&state, &signed, record, request).await
}

/// Attaches a file to a risk (fields as for an asset).
#[utoipa::path(post, path = "/api/v1/risks/{id}/files", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "fields `file`, `purpose`, `title`, `expires_on`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn upload_risk_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    upload(&state, &signed, RecordRef::risk(parse_id(&id)?), request).await
}

/// One attachment with every revision (404 when its record is hidden from the caller).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, body = AttachmentOut), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AttachmentOut>, AppError> {
    let detail = files::attachment(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let mut out = attachment_out(&detail.attachment);
    out.revisions = Some(detail.revisions.iter().map(revision_out).collect());
    Ok(Json(out))
}

/// The newest revision's content, as an attachment (`nosniff`).
#[utoipa::path(get, path = "/api/v1/files/{id}/content", tag = "files",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn file_content(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let content = files::content(&state.app, &signed.0.acting, parse_id(&id)?, None, "api").await?;
    Ok(crate::http::download::stored_file(content))
}

/// One revision's content, as an attachment.
#[utoipa::path(get, path = "/api/v1/files/{id}/revisions/{rev}/content", tag = "files",
    params(("id" = i64, Path), ("rev" = i64, Path, description = "the revision number, from 1")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn revision_content(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, revision)): Path<(String, String)>,
) -> Result<Response, AppError> {
    files::files_gate(&state.app, &signed.0.acting, Act::Read, "files.content").await?;
    let (id, revision) = (parse_id(&id)?, parse_id(&revision)?);
    let content = files::content(&state.app, &signed.0.acting, id, Some(revision), "api").await?;
    Ok(crate::http::download::stored_file(content))
}

/// Uploads a new revision of an attachment (multipart field `file`); the earlier ones
/// are kept.
#[utoipa::path(post, path = "/api/v1/files/{id}/revisions", tag = "files",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = AttachmentOut), (status = 413, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn revise_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    files::files_gate(&state.app, acting, Act::Edit, "files.revise").await?;
    let upload = read_upload(&state, request).await?;
    let (name, spooled) = upload.file.ok_or_else(no_file)?;
    files::revise(&state.app, acting, id, &name, spooled).await?;
    let detail = files::attachment(&state.app, acting, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(attachment_out(&detail.attachment)),
    )
        .into_response())
}

/// Why an attachment is removed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "誤って別の委員会の資料を添付したため"}))]
pub struct RemoveIn {
    pub reason: String,
}

/// Removes an attachment from its record, for a reason; its revisions and their content
/// stay in the store and the audit trail names them.
#[utoipa::path(post, path = "/api/v1/files/{id}/remove", tag = "files",
    params(("id" = i64, Path)), request_body = RemoveIn,
    responses((status = 200, body = AttachmentOut), (status = 409, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody)))]
pub async fn remove_file(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<AttachmentOut>, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    files::files_gate(&state.app, acting, Act::Edit, "files.remove").await?;
    let input: RemoveIn = read_json(request).await?;
    files::remove(&state.app, acting, id, &input.reason).await?;
    let detail = files::attachment(&state.app, acting, id).await?;
    Ok(Json(attachment_out(&detail.attachment)))
}

/// Which views to list: one record (`record_kind` with `record_id`), one person
/// (`login`), a period (`from`, `to`: RFC 3339 or ISO dates, `to` exclusive).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ViewsQuery {
    #[param(value_type = Option<crate::api::codes::RecordKind>)]
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub login: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u32>,
}

/// A view of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewOut {
    pub at: String,
    pub login: String,
    #[schema(value_type = crate::api::codes::RecordKind)]
    pub record_kind: String,
    pub record_id: Option<String>,
    /// How it was opened: `page`, `api`, or a file (`page:file:12/2`).
    pub via: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewList {
    pub views: Vec<ViewOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: i64,
}

/// How many views a page lists.
pub const VIEWS_PER_PAGE: i64 = 100;

impl ViewsQuery {
    /// The filter asked for; an unknown record kind or id is a 400.
    pub fn filter(&self) -> Result<ViewFilter, AppError> {
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let invalid = || {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_filter",
                "audit.views.invalid",
            )
        };
        let record = match (present(&self.record_kind), present(&self.record_id)) {
            (None, None) => None,
            (Some(kind), Some(id)) => Some(RecordRef::new(
                RecordKind::parse(&kind).ok_or_else(invalid)?,
                id.parse().map_err(|_| invalid())?,
            )),
            _ => return Err(invalid()),
        };
        Ok(ViewFilter {
            record,
            login: present(&self.login),
            from: present(&self.from)
                .map(|t| instant(&t).ok_or_else(invalid))
                .transpose()?,
            to: present(&self.to)
                .map(|t| instant(&t).ok_or_else(invalid))
                .transpose()?,
        })
    }
}

/// An instant as typed: RFC 3339, or a date (the start of that day in Japan); `None`
/// when it is neither.
pub fn instant(text: &str) -> Option<String> {
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Some(mamori_app::timestamp_text(at));
    }
    let date = mamori_domain::wareki::parse_date_input(text).ok()?;
    Some(mamori_app::timestamp_text(
        date.midnight().assume_offset(mamori_domain::wareki::JST),
    ))
}

pub fn view_out(record: &AuditRecord) -> ViewOut {
    let via = serde_json::from_str::<serde_json::Value>(&record.changes)
        .ok()
        .and_then(|c| c["via"][1].as_str().map(str::to_owned))
        .unwrap_or_default();
    ViewOut {
        at: record.at.clone(),
        login: record.actor_label.clone(),
        record_kind: record.target_type.clone(),
        record_id: record.target_id.clone(),
        via,
    }
}

/// Who opened restricted records, or the personal information of a record: per record,
/// per person, per period; newest first. For those who read the audit trail.
#[utoipa::path(get, path = "/api/v1/audit/views", tag = "audit", params(ViewsQuery),
    responses((status = 200, body = ViewList), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_views(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ViewsQuery>,
) -> Result<Json<ViewList>, AppError> {
    let acting = &signed.0.acting;
    mamori_app::audit::may_read(&state.app, acting, "audit.view").await?;
    let filter = query.filter()?;
    let page = query.page.unwrap_or(1).max(1);
    let offset = i64::from(page - 1) * VIEWS_PER_PAGE;
    let (records, total) =
        files::views(&state.app, acting, &filter, VIEWS_PER_PAGE, offset).await?;
    Ok(Json(ViewList {
        views: records.iter().map(view_out).collect(),
        total,
        page,
        per_page: VIEWS_PER_PAGE,
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_asset_files,
        list_risk_files,
        list_action_files,
        list_awareness_files,
        upload_asset_file,
        upload_risk_file,
        upload_action_file,
        upload_awareness_file,
        list_training_session_files,
        upload_training_session_file,
        upload_training_proof,
        get_file,
        file_content,
        revision_content,
        revise_file,
        remove_file,
        list_views
    ),
    components(schemas(AttachmentOut, RevisionOut, RemovalOut, RemoveIn, ViewOut, ViewList))
)]
pub struct Doc;
