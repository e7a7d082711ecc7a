//! Past asset imports (list, record, undo as a whole), withdrawing an asset registered
//! by mistake, and the saved mapping profiles: the API over the same use cases as the
//! import pages.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::assets::imports::{self, ImportRecord, RowAction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::asset_imports::{ValueIn, failure, permit};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A past import.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AssetImportRecord)]
pub struct ImportOut {
    pub id: i64,
    pub imported_by: Option<String>,
    pub imported_at: String,
    pub file_name: String,
    pub sha256: String,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
    pub undo_reason: Option<String>,
}

fn import_out(r: &ImportRecord) -> ImportOut {
    ImportOut {
        id: r.id,
        imported_by: r.imported_by.clone(),
        imported_at: mamori_app::timestamp_text(r.imported_at),
        file_name: r.file_name.clone(),
        sha256: r.sha256.clone(),
        created: r.counts.created,
        updated: r.counts.updated,
        unchanged: r.counts.unchanged,
        skipped: r.counts.skipped,
        undone_at: r.undone_at.map(mamori_app::timestamp_text),
        undone_by: r.undone_by.clone(),
        undo_reason: r.undo_reason.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPage {
    pub imports: Vec<ImportOut>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    #[serde(default)]
    pub offset: i64,
    pub limit: Option<i64>,
}

/// Past imports, newest first.
#[utoipa::path(get, path = "/api/v1/assets/imports", tag = "assets", params(PageParams),
    responses((status = 200, body = ImportPage), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_imports(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ImportPage>, AppError> {
    let limit = params.limit.unwrap_or(50).clamp(1, 500);
    let (records, total) =
        imports::imports(&state.app, &signed.0.acting, params.offset.max(0), limit).await?;
    Ok(Json(ImportPage {
        imports: records.iter().map(import_out).collect(),
        total,
    }))
}

/// An asset an import wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedAssetOut {
    pub line: usize,
    pub asset_id: i64,
    /// `created` or `updated`.
    #[schema(value_type = crate::api::codes::ImportRowAction)]
    pub action: &'static str,
    pub name: String,
    pub withdrawn: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDetailOut {
    pub import: ImportOut,
    pub assets: Vec<ImportedAssetOut>,
}

/// One import with the assets it wrote.
#[utoipa::path(get, path = "/api/v1/assets/imports/{id}", tag = "assets",
    params(("id" = i64, Path)),
    responses((status = 200, body = ImportDetailOut), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_import(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ImportDetailOut>, AppError> {
    permit(&state, &signed, "asset.imports.title").await?;
    let id = parse_id(&id)?;
    let detail = imports::import_record(&state.app, &signed.0.acting, id).await?;
    Ok(Json(ImportDetailOut {
        import: import_out(&detail.record),
        assets: detail
            .assets
            .into_iter()
            .map(|a| ImportedAssetOut {
                line: a.line,
                asset_id: a.asset_id,
                action: match a.action {
                    RowAction::Created => "created",
                    RowAction::Updated => "updated",
                },
                name: a.name,
                withdrawn: a.withdrawn,
            })
            .collect(),
    }))
}

/// Why: required to undo an import or withdraw an asset.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "取込み元の台帳を誤って選んだため"}))]
pub struct ReasonIn {
    pub reason: String,
}

/// Undoes an import whole; 409 naming the assets when any changed after the import.
#[utoipa::path(post, path = "/api/v1/assets/imports/{id}/undo", tag = "assets",
    params(("id" = i64, Path)), request_body = ReasonIn,
    responses((status = 204), (status = 409, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn undo_import(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, AppError> {
    permit(&state, &signed, "asset.imports.undo").await?;
    let id = parse_id(&id)?;
    let input: ReasonIn = read_json(request).await?;
    imports::undo(&state.app, &signed.0.acting, id, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws (取消) an asset registered by mistake, with a reason.
#[utoipa::path(post, path = "/api/v1/assets/{id}/withdraw", tag = "assets",
    params(("id" = i64, Path)), request_body = ReasonIn,
    responses((status = 204), (status = 409, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn withdraw_asset(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, AppError> {
    permit(&state, &signed, "asset.withdraw").await?;
    let id = parse_id(&id)?;
    let input: ReasonIn = read_json(request).await?;
    imports::withdraw(&state.app, &signed.0.acting, id, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A saved mapping profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    pub id: i64,
    pub name: String,
    /// The header row it is offered for (normalised, tab-separated).
    pub header_key: String,
    pub columns: Vec<Option<String>>,
    pub values: Vec<ValueIn>,
}

/// Saved mapping profiles, by name.
#[utoipa::path(get, path = "/api/v1/assets/import-profiles", tag = "assets",
    responses((status = 200, body = Vec<ProfileOut>), (status = 403, body = crate::api::ErrorBody)))]
pub async fn list_profiles(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<ProfileOut>>, AppError> {
    let profiles = imports::profiles(&state.app, &signed.0.acting).await?;
    Ok(Json(
        profiles
            .into_iter()
            .map(|p| ProfileOut {
                id: p.id,
                name: p.name,
                header_key: p.header_key,
                columns: p.columns.iter().map(|c| c.map(str::to_owned)).collect(),
                values: p
                    .values
                    .0
                    .iter()
                    .flat_map(|(field, values)| {
                        values.iter().map(move |(value, meaning)| ValueIn {
                            field: field.clone(),
                            value: value.clone(),
                            meaning: meaning.form_value(),
                        })
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// A profile's name.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "議会事務局の資産台帳（Excel）"}))]
pub struct ProfileIn {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileSaved {
    pub id: i64,
}

/// Saves a staged file's column and value mapping as a named profile, offered again
/// (applied on upload) for files with the same header row.
#[utoipa::path(post, path = "/api/v1/assets/imports/staged/{token}/profile", tag = "assets",
    params(("token" = String, Path)), request_body = ProfileIn,
    responses((status = 201, body = ProfileSaved), (status = 422, body = crate::api::ErrorBody),
        (status = 410, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn save_profile(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed, "asset.import.profiles").await?;
    let input: ProfileIn = read_json(request).await?;
    let id = imports::save_profile(&state.app, &signed.0.acting, &token, &input.name)
        .await
        .map_err(failure)?;
    Ok((StatusCode::CREATED, Json(ProfileSaved { id })).into_response())
}

/// Deletes a saved profile.
#[utoipa::path(delete, path = "/api/v1/assets/import-profiles/{id}", tag = "assets",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn delete_profile(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    permit(&state, &signed, "asset.import.profiles").await?;
    let id = parse_id(&id)?;
    imports::delete_profile(&state.app, &signed.0.acting, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_imports,
        get_import,
        undo_import,
        withdraw_asset,
        list_profiles,
        save_profile,
        delete_profile
    ),
    components(schemas(
        ImportOut,
        ImportPage,
        ImportedAssetOut,
        ImportDetailOut,
        ReasonIn,
        ProfileOut,
        ProfileIn,
        ProfileSaved
    ))
)]
pub struct Doc;
