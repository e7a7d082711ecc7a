//! Importing the asset register over the API, step by step on the same use cases as the
//! pages (`mamori_app::assets::imports`): upload (multipart), column mapping, a paged
//! preview, confirm; past imports, their undo; and the withdrawal of one asset.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::Failure;
use mamori_app::assets::files::{self as asset_files, Mapping, RowError, field_named};
use mamori_app::assets::imports::{
    self, CODED, Choices, Confirmed, DuplicateChoice, Meaning, OwnNumbers, Preview, RowPlan,
    Staged, ValueMapping,
};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::extract::read_json;
use crate::state::AppState;

/// Row problems listed in one answer; the counts cover every row.
const SHOWN_ERRORS: usize = 500;
/// Most rows of a preview page.
const MAX_PAGE: usize = 1000;

pub(super) async fn permit(
    state: &AppState,
    signed: &SignedIn,
    what: &str,
) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Assets, Act::Edit, what)
        .await?;
    Ok(())
}

/// A gone, expired or foreign staged file is 410 Gone, as on the pages.
pub(super) fn failure(error: Failure) -> AppError {
    match error {
        Failure::Conflict(refusal) if refusal.code == "import_expired" => {
            AppError::new(StatusCode::GONE, refusal.code, refusal.key)
        }
        other => other.into(),
    }
}

/// A staged file.
#[derive(Debug, Serialize, ToSchema)]
pub struct StagedOut {
    /// Names the staged file in the next steps (only its uploader may use it).
    pub token: String,
    pub file_name: String,
    pub sha256: String,
    pub rows: usize,
    pub headers: Vec<String>,
    /// Per column the field it fills (`number`, `reason` or an asset field), or null.
    pub mapping: Vec<Option<String>>,
    /// RFC 3339; the staged file is refused after this.
    pub expires_at: String,
}

fn staged_out(staged: &Staged) -> StagedOut {
    StagedOut {
        token: staged.token.clone(),
        file_name: staged.file_name.clone(),
        sha256: staged.sha256.clone(),
        rows: staged.rows,
        mapping: (0..staged.headers.len())
            .map(|i| staged.mapping.field_of(i).map(str::to_owned))
            .collect(),
        headers: staged.headers.clone(),
        expires_at: mamori_app::timestamp_text(staged.created_at + imports::STAGING_TTL),
    }
}

/// The file part (`file`) of a multipart body, with its name.
async fn read_file(request: Request) -> Result<(String, Vec<u8>), AppError> {
    let malformed = || {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "error.malformed_form",
        )
    };
    let too_large = || {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "asset.import.error.too_large",
        )
    };
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed())?;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            malformed()
        }
    })? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or("").to_owned())
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "upload".to_owned());
        let bytes = field.bytes().await.map_err(|_| too_large())?;
        if bytes.len() > asset_files::MAX_FILE_BYTES {
            return Err(too_large());
        }
        // Takes the buffer over instead of copying it when nothing else holds it.
        return Ok((name, Vec::from(bytes)));
    }
    Err(AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "asset.import.error.no_file",
    ))
}

/// Uploads a register (.xlsx or .csv, multipart field `file`) and stages its table.
#[utoipa::path(post, path = "/api/v1/assets/imports", tag = "assets",
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = StagedOut), (status = 422, body = crate::api::ErrorBody),
        (status = 413, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn upload_import(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, "asset.import.title").await?;
    let (name, bytes) = read_file(request).await?;
    let staged = imports::upload(&state.app, &signed.0.acting, &name, bytes)
        .await
        .map_err(failure)?;
    Ok((StatusCode::CREATED, Json(staged_out(&staged))).into_response())
}

/// What one value of a coded column means.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ValueIn {
    /// `category`, `form`, `holder_type`, `segment`, `confidentiality`, `integrity`,
    /// `availability` or `status`.
    #[schema(value_type = crate::api::codes::ImportCodedField)]
    pub field: String,
    /// The value as the file writes it.
    pub value: String,
    /// `value:CODE` (a code of the field, a level code for the axes), `empty` or `refuse`.
    pub meaning: String,
}

/// A column mapping: per column of the file, the field it fills or null; and what the
/// values of coded columns that are not the scheme's mean (the staged ones stand when
/// `values` is left out).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"columns": ["name", "category", null, "confidentiality"], "values": [{"field": "category", "value": "ア", "meaning": "value:infrastructure"}]}))]
pub struct MappingIn {
    pub columns: Vec<Option<String>>,
    pub values: Option<Vec<ValueIn>>,
}

/// Sets the column mapping of a staged file.
#[utoipa::path(put, path = "/api/v1/assets/imports/staged/{token}/mapping", tag = "assets",
    params(("token" = String, Path)), request_body = MappingIn,
    responses((status = 200, body = StagedOut), (status = 400, body = crate::api::ErrorBody),
        (status = 410, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn set_import_mapping(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(token): Path<String>,
    request: Request,
) -> Result<Json<StagedOut>, AppError> {
    permit(&state, &signed, "asset.import.title").await?;
    let input: MappingIn = read_json(request).await?;
    let mut columns = Vec::with_capacity(input.columns.len());
    for column in &input.columns {
        columns.push(match column.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(field_named(name).ok_or_else(|| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_choice",
                    "error.invalid_choice",
                )
            })?),
        });
    }
    let acting = &signed.0.acting;
    let values = match input.values {
        Some(values) => {
            let mut mapping = ValueMapping::default();
            for v in values {
                let bad = || {
                    AppError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_choice",
                        "error.invalid_choice",
                    )
                };
                let field = CODED.into_iter().find(|f| *f == v.field).ok_or_else(bad)?;
                mapping.set(field, &v.value, Meaning::parse(&v.meaning).ok_or_else(bad)?);
            }
            mapping
        }
        None => {
            imports::open(&state.app, acting, &token)
                .await
                .map_err(failure)?
                .values
        }
    };
    let staged = imports::set_mapping(
        &state.app,
        acting,
        &token,
        &Mapping::chosen(columns),
        &values,
    )
    .await
    .map_err(failure)?;
    Ok(Json(staged_out(&staged)))
}

/// One problem of the file or a row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorOut {
    /// The row as the file numbers it; 0 for the file or the mapping as a whole.
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
}

fn error_out(tr: &Tr, e: &RowError) -> RowErrorOut {
    RowErrorOut {
        line: e.line,
        field: e.field.map(str::to_owned),
        message: e.message(tr),
    }
}

/// A field an update changes, in the words an export writes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// What one row does.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowOut {
    pub line: usize,
    /// `new`, `update`, `unchanged`, `duplicate` (a choice is needed), `skipped` or `error`.
    #[schema(value_type = crate::api::codes::ImportRowKind)]
    pub kind: &'static str,
    pub name: String,
    pub asset_id: Option<i64>,
    /// The registered asset a row without number looks like.
    pub duplicate_of: Option<i64>,
    pub changes: Vec<ChangeOut>,
    /// The update changes a classification and no reason was given.
    pub needs_reason: bool,
    pub errors: Vec<RowErrorOut>,
}

fn row_out(tr: &Tr, row: &imports::PlannedRow) -> RowOut {
    let mut out = RowOut {
        line: row.line,
        kind: "new",
        name: row.name.clone(),
        asset_id: None,
        duplicate_of: row.duplicate_of,
        changes: Vec::new(),
        needs_reason: false,
        errors: Vec::new(),
    };
    match &row.plan {
        RowPlan::New(_) => {}
        RowPlan::Update {
            id,
            changes,
            needs_reason,
            ..
        } => {
            out.kind = "update";
            out.asset_id = Some(*id);
            out.needs_reason = *needs_reason;
            out.changes = changes
                .iter()
                .map(|c| ChangeOut {
                    field: c.field.to_owned(),
                    old: c.old.clone(),
                    new: c.new.clone(),
                })
                .collect();
        }
        RowPlan::Unchanged(id) => {
            out.kind = "unchanged";
            out.asset_id = Some(*id);
        }
        RowPlan::Undecided(_) => out.kind = "duplicate",
        RowPlan::Skipped => out.kind = "skipped",
        RowPlan::Error(errors) => {
            out.kind = "error";
            out.errors = errors.iter().map(|e| error_out(tr, e)).collect();
        }
    }
    out
}

/// How many rows of each kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsOut {
    pub rows: usize,
    pub new: usize,
    pub update: usize,
    pub unchanged: usize,
    pub duplicate: usize,
    pub skipped: usize,
    pub error_rows: usize,
    pub errors: usize,
    pub needs_reason: usize,
}

/// A planned import: counts of all rows, file problems and one page of rows.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AssetImportPreview)]
pub struct PreviewOut {
    pub token: String,
    pub file_name: String,
    /// Whether a confirmation would import (no error, no open choice, every reason).
    pub ready: bool,
    pub counts: CountsOut,
    /// Problems of the file or the mapping as a whole, and the first 500 row problems.
    pub errors: Vec<RowErrorOut>,
    /// Values imported as the file says but worth a look (a 保存期間 kept as written, a
    /// past disposal date of an asset in use), the first 500. They block nothing.
    pub warnings: Vec<RowErrorOut>,
    /// Values of mapped coded columns the check does not read, with their row counts
    /// and the meaning given so far (null: not yet said; those rows are errors).
    pub unknown_values: Vec<UnknownValueOut>,
    /// Set when none of the number column's numbers is a registered asset: the column is
    /// the register's own numbering, and the confirmation must say `own_numbers`.
    pub own_numbers: Option<OwnNumbersOut>,
    pub offset: usize,
    pub rows: Vec<RowOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnNumbersOut {
    /// The column's header as written.
    pub header: String,
    pub rows: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnknownValueOut {
    pub field: String,
    pub value: String,
    pub rows: usize,
    pub meaning: Option<String>,
}

fn preview_out(tr: &Tr, preview: &Preview, offset: usize, limit: usize) -> PreviewOut {
    let c = preview.plan.counts;
    PreviewOut {
        token: preview.staged.token.clone(),
        file_name: preview.staged.file_name.clone(),
        ready: preview.plan.is_ready(),
        counts: CountsOut {
            rows: c.rows,
            new: c.new,
            update: c.update,
            unchanged: c.unchanged,
            duplicate: c.undecided,
            skipped: c.skipped,
            error_rows: c.error_rows,
            errors: c.errors,
            needs_reason: c.needs_reason,
        },
        errors: preview
            .plan
            .errors()
            .take(SHOWN_ERRORS)
            .map(|e| error_out(tr, e))
            .collect(),
        warnings: preview
            .plan
            .notes
            .iter()
            .take(SHOWN_ERRORS)
            .map(|e| error_out(tr, e))
            .collect(),
        unknown_values: preview
            .unknown
            .iter()
            .map(|u| UnknownValueOut {
                field: u.field.to_owned(),
                value: u.value.clone(),
                rows: u.rows,
                meaning: u.meaning.as_ref().map(Meaning::form_value),
            })
            .collect(),
        own_numbers: preview.plan.own_numbers.as_ref().map(|o| OwnNumbersOut {
            header: o.header.clone(),
            rows: o.rows,
        }),
        offset,
        rows: preview
            .plan
            .rows
            .iter()
            .skip(offset)
            .take(limit.min(MAX_PAGE))
            .map(|r| row_out(tr, r))
            .collect(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PreviewParams {
    /// First row of the page (0-based).
    #[serde(default)]
    pub offset: usize,
    /// Rows per page (at most 1000; 100 when not given).
    pub limit: Option<usize>,
}

/// Plans every row of a staged file with its mapping; returns counts and a page of rows.
#[utoipa::path(get, path = "/api/v1/assets/imports/staged/{token}/preview", tag = "assets",
    params(("token" = String, Path), PreviewParams),
    responses((status = 200, body = PreviewOut), (status = 410, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn preview_import(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(token): Path<String>,
    ApiQuery(params): ApiQuery<PreviewParams>,
) -> Result<Json<PreviewOut>, AppError> {
    permit(&state, &signed, "asset.import.title").await?;
    let preview = imports::preview(&state.app, &signed.0.acting, &token, &Choices::default())
        .await
        .map_err(failure)?;
    let limit = params.limit.unwrap_or(100);
    Ok(Json(preview_out(&ctx.tr, &preview, params.offset, limit)))
}

/// The person's answers to the preview: one reason for classification changes, and
/// what to do with each possible duplicate (by row: `create`, `update` or `skip`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "令和8年度の棚卸しにより機密性を見直し", "duplicates": {"3": "update", "7": "skip"}, "own_numbers": "keep"}))]
pub struct ConfirmIn {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub duplicates: HashMap<String, String>,
    /// When the preview found the number column to be the register's own numbering:
    /// `keep` (each number goes into the asset's notes) or `ignore`.
    #[serde(default)]
    pub own_numbers: Option<String>,
}

/// What a confirmation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmOut {
    /// `imported`, or `nothing_changed` when every row was unchanged (nothing written).
    pub result: &'static str,
    pub import_id: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub created_ids: Vec<i64>,
}

/// Imports a staged file in one transaction. Refused (422, every problem named by row)
/// while a row has an error, an open choice or a missing reason; a staged file imports
/// once.
#[utoipa::path(post, path = "/api/v1/assets/imports/staged/{token}/confirm", tag = "assets",
    params(("token" = String, Path)), request_body = ConfirmIn,
    responses((status = 200, body = ConfirmOut), (status = 422, body = crate::api::ErrorBody),
        (status = 410, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn confirm_import(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(token): Path<String>,
    request: Request,
) -> Result<Json<ConfirmOut>, AppError> {
    permit(&state, &signed, "asset.import.title").await?;
    let input: ConfirmIn = read_json(request).await?;
    let bad = || {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_choice",
            "error.invalid_choice",
        )
    };
    let mut choices = Choices {
        reason: input.reason,
        own_numbers: match input.own_numbers.as_deref() {
            None => None,
            Some(text) => Some(OwnNumbers::parse(text).ok_or_else(bad)?),
        },
        ..Choices::default()
    };
    for (line, choice) in &input.duplicates {
        let line: usize = line.parse().map_err(|_| bad())?;
        choices
            .duplicates
            .insert(line, DuplicateChoice::parse(choice).ok_or_else(bad)?);
    }
    let confirmed = imports::confirm(&state.app, &signed.0.acting, &token, &choices)
        .await
        .map_err(failure)?;
    Ok(Json(match confirmed {
        Confirmed::Imported {
            id,
            counts,
            created,
        } => ConfirmOut {
            result: "imported",
            import_id: Some(id),
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
            created_ids: created,
        },
        Confirmed::NothingChanged { unchanged } => ConfirmOut {
            result: "nothing_changed",
            import_id: None,
            created: 0,
            updated: 0,
            unchanged: unchanged as i64,
            created_ids: Vec::new(),
        },
        Confirmed::Refused(preview) => {
            let mut problems =
                imports::row_problems(&preview.plan.errors().cloned().collect::<Vec<_>>());
            for row in &preview.plan.rows {
                let problem = match (&row.plan, row.duplicate_of) {
                    (RowPlan::Undecided(_), Some(id)) => mamori_domain::field::FieldProblem::new(
                        "duplicates",
                        "asset.import.duplicate_of",
                    )
                    .with("id", id),
                    (
                        RowPlan::Update {
                            needs_reason: true, ..
                        },
                        _,
                    ) => mamori_domain::field::FieldProblem::new(
                        "reason",
                        "asset.error.reason_required",
                    ),
                    _ => continue,
                };
                problems.push(problem.with("line", row.line));
            }
            return Err(Failure::Invalid(problems).into());
        }
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(upload_import, set_import_mapping, preview_import, confirm_import,),
    components(schemas(
        StagedOut,
        MappingIn,
        RowErrorOut,
        ChangeOut,
        RowOut,
        CountsOut,
        PreviewOut,
        OwnNumbersOut,
        ConfirmIn,
        ConfirmOut,
        ValueIn,
        UnknownValueOut,
    ))
)]
pub struct Doc;
