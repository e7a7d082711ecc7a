//! The 添付ファイル (attachments) of any record, over `mamori_app::files`: the section a
//! record's page shows ([`FilesSection`]), the upload of a new attachment, an
//! attachment's own page with its revisions, a new revision, removal with a reason, and
//! downloads. Uploads are read piece by piece (`http::upload`), never whole in memory.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::files::{self, AttachForm, RecordKind, RecordRef, Revision};
use mamori_app::i18n::Tr;
use mamori_domain::access::Act;
use mamori_domain::field::FieldProblem;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{Choice, FieldError, FormFields, field_errors, parse_id};
use crate::http::upload::{Upload, read_upload};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

pub use crate::http::files_section::{
    FileRow, FilesSection, file_row, purpose_choices, size_label,
};

/// The page of a record.
pub fn record_path(record: RecordRef) -> String {
    record.kind.path(record.id)
}

fn nav_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Asset | RecordKind::AssetTakeout => "assets",
        RecordKind::Risk | RecordKind::RiskAcceptance => "risks",
        RecordKind::PolicyDocument | RecordKind::PolicyVersion => "policies",
        RecordKind::CorrectiveAction => "actions",
        RecordKind::Exception => "exceptions",
        RecordKind::Redaction => "retention",
        RecordKind::AwarenessNotice => "awareness",
        RecordKind::TrainingPlan | RecordKind::TrainingSession | RecordKind::TrainingAttendance => {
            "training"
        }
        RecordKind::Pledge => "policies",
        RecordKind::Incident => "incidents",
    }
}

/// The label key of a field of the file forms.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "title" => "file.field.title",
        "purpose" => "file.field.purpose",
        "expires_on" => "file.field.expires_on",
        "reason" => "file.field.reason",
        _ => "file.field.file",
    }
}

// ---------------------------------------------------------------- new attachment

#[derive(Template)]
#[template(path = "files/upload.html")]
struct UploadPage {
    t: Tr,
    layout: Layout,
    record_path: String,
    record_title: String,
    action: String,
    form: AttachForm,
    errors: Vec<FieldError>,
    purposes: Vec<Choice>,
    max_mb: u64,
}

impl UploadPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

pub async fn upload_asset_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::asset(parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

pub async fn upload_action_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::CorrectiveAction, parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

pub async fn upload_awareness_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::AwarenessNotice, parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

pub async fn upload_training_session_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::TrainingSession, parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

pub async fn upload_training_proof(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::new(RecordKind::TrainingAttendance, parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

pub async fn upload_risk_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let record = RecordRef::risk(parse_id(&id)?);
    upload(&state, &ctx, &signed, record, request).await
}

/// Attaches the uploaded file; a refused form comes back as typed (the file must be
/// chosen again: browsers never refill a file input).
async fn upload(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    record: RecordRef,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    // Access before the body is read: nobody uploads megabytes only to be refused.
    let (_, seen) = files::edit_record(&state.app, acting, record, "files.attach").await?;
    let upload = read_upload(state, request).await?;
    let form = AttachForm {
        title: upload.field("title").to_owned(),
        purpose: upload.field("purpose").to_owned(),
        expires_on: upload.field("expires_on").to_owned(),
    };
    let problems = match upload.file {
        None => no_file(&form),
        Some((name, spooled)) => {
            match files::attach(&state.app, acting, record, &form, &name, spooled).await {
                Ok(_) => return Ok(see_other(&format!("{}#files", record_path(record)))),
                Err(Failure::Invalid(problems)) => problems,
                Err(other) => return Err(other.into()),
            }
        }
    };
    let refused = Refused {
        record,
        record_title: seen.title,
        form,
        problems,
    };
    render_upload(state, ctx, signed, refused).await
}

/// An upload form refused: what was typed and why.
struct Refused {
    record: RecordRef,
    record_title: String,
    form: AttachForm,
    problems: Vec<FieldProblem>,
}

/// The upload form again, as typed, with its problems (422).
async fn render_upload(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    refused: Refused,
) -> Result<Response, AppError> {
    let path = record_path(refused.record);
    let page = UploadPage {
        t: ctx.tr,
        layout: Layout::load(state, nav_of(refused.record.kind), &path, Some(&signed.0)).await,
        action: format!("{path}/files"),
        record_path: path,
        record_title: refused.record_title,
        errors: field_errors(&refused.problems, &ctx.tr, field_key),
        form: refused.form,
        purposes: purpose_choices(&ctx.tr),
        max_mb: state.config.max_file_bytes.div_ceil(1024 * 1024),
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The problems of an upload without a file, with those of the rest of the form.
fn no_file(form: &AttachForm) -> Vec<FieldProblem> {
    let mut problems = vec![FieldProblem::new("file", "file.error.no_file")];
    if let Err(more) = form.check("file") {
        problems.extend(more);
    }
    problems
}

// ---------------------------------------------------------------- one attachment

#[derive(Template)]
#[template(path = "files/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    file: FileRow,
    record_path: String,
    record_title: String,
    revisions: Vec<RevisionRow>,
    may_edit: bool,
    saved: bool,
    reason: String,
    errors: Vec<FieldError>,
    max_mb: u64,
}

struct RevisionRow {
    revision: i64,
    file_name: String,
    size: String,
    media_type: String,
    sha256: String,
    uploaded: String,
}

fn revision_row(ctx: &Ctx, r: &Revision) -> RevisionRow {
    RevisionRow {
        revision: r.revision,
        file_name: r.file_name.clone(),
        size: size_label(r.size),
        media_type: r.media_type.clone(),
        sha256: r.sha256.clone(),
        uploaded: format!(
            "{} {}",
            ctx.datetime(r.uploaded_at),
            r.uploaded_by_name.clone().unwrap_or_default()
        ),
    }
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

/// What the attachment page shows beyond the attachment: a confirmation, or a refused
/// form kept as typed.
#[derive(Default)]
struct Shown {
    saved: bool,
    reason: String,
    problems: Vec<FieldProblem>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    crate::http::extract::ApiQuery(query): crate::http::extract::ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let shown = Shown {
        saved: query.saved.is_some(),
        ..Shown::default()
    };
    render_show(&state, &ctx, &signed, id, shown, StatusCode::OK).await
}

async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let detail = files::attachment(&state.app, acting, id).await?;
    let record = detail.attachment.record;
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            nav_of(record.kind),
            &format!("/files/{id}"),
            Some(&signed.0),
        )
        .await,
        file: file_row(ctx, &detail.attachment),
        record_path: record_path(record),
        record_title: detail.seen.title,
        revisions: detail
            .revisions
            .iter()
            .map(|r| revision_row(ctx, r))
            .collect(),
        may_edit: detail.attachment.removed.is_none() && files::may_edit(acting, record.kind),
        saved: shown.saved,
        reason: shown.reason,
        errors: field_errors(&shown.problems, &ctx.tr, field_key),
        max_mb: state.config.max_file_bytes.div_ceil(1024 * 1024),
    };
    render(status, &page)
}

/// A new revision of an attachment; the earlier ones stay.
pub async fn revise(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    files::files_gate(&state.app, acting, Act::Edit, "files.revise").await?;
    let upload: Upload = read_upload(&state, request).await?;
    let Some((name, spooled)) = upload.file else {
        let shown = Shown {
            problems: vec![FieldProblem::new("file", "file.error.no_file")],
            ..Shown::default()
        };
        return render_show(
            &state,
            &ctx,
            &signed,
            id,
            shown,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    files::revise(&state.app, acting, id, &name, spooled).await?;
    Ok(see_other(&format!("/files/{id}?saved=1")))
}

/// Removes an attachment from its record, for a reason.
pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    files::files_gate(&state.app, acting, Act::Edit, "files.remove").await?;
    let form = FormFields::read(request).await?;
    let reason = form.get("reason").to_owned();
    match files::remove(&state.app, acting, id, &reason).await {
        Ok(()) => {
            let detail = files::attachment(&state.app, acting, id).await?;
            Ok(see_other(&format!(
                "{}#files",
                record_path(detail.attachment.record)
            )))
        }
        Err(Failure::Invalid(problems)) => {
            let shown = Shown {
                reason,
                problems,
                ..Shown::default()
            };
            render_show(
                &state,
                &ctx,
                &signed,
                id,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The newest revision's content, as an attachment.
pub async fn download(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let content = files::content(&state.app, &signed.0.acting, id, None, "page").await?;
    Ok(crate::http::download::stored_file(content))
}

/// An earlier (or the newest) revision's content, as an attachment.
pub async fn download_revision(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, revision)): Path<(String, String)>,
) -> Result<Response, AppError> {
    files::files_gate(&state.app, &signed.0.acting, Act::Read, "files.content").await?;
    let id = parse_id(&id)?;
    let revision = parse_id(&revision)?;
    let content = files::content(&state.app, &signed.0.acting, id, Some(revision), "page").await?;
    Ok(crate::http::download::stored_file(content))
}
