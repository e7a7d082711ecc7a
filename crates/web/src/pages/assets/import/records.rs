//! After an import: the list of past imports, one import's record with its 取り消す
//! (undo) form, and the withdrawal (取消) of a single asset registered by mistake.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::assets::imports::{self, ImportDetail, ImportRecord, RowAction};
use mamori_app::i18n::Tr;
use serde::Deserialize;

use super::group_digits;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// Imports per page of the list.
const PAGE: i64 = 50;

pub struct ImportView {
    pub id: i64,
    pub at: String,
    pub by: String,
    pub file_name: String,
    pub counts: String,
    pub undone: bool,
}

fn counts_text(tr: &Tr, record: &ImportRecord) -> String {
    let c = record.counts;
    tr.f(
        "asset.imports.counts",
        &[
            ("created", group_digits(c.created as usize)),
            ("updated", group_digits(c.updated as usize)),
            ("unchanged", group_digits(c.unchanged as usize)),
        ],
    )
}

fn import_view(ctx: &Ctx, record: &ImportRecord) -> ImportView {
    ImportView {
        id: record.id,
        at: ctx.datetime(record.imported_at),
        by: record.imported_by.clone().unwrap_or_default(),
        file_name: record.file_name.clone(),
        counts: counts_text(&ctx.tr, record),
        undone: record.undone_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "assets/imports.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    imports: Vec<ImportView>,
    total: String,
    page: i64,
    pages: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<i64>,
}

/// `GET /assets/imports`: past imports, newest first.
pub async fn import_list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    let (records, total) =
        imports::imports(&state.app, &signed.0.acting, (page - 1) * PAGE, PAGE).await?;
    let view = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "assets", "/assets/imports", Some(&signed.0)).await,
        imports: records.iter().map(|r| import_view(&ctx, r)).collect(),
        total: group_digits(total as usize),
        page,
        pages: ((total + PAGE - 1) / PAGE).max(1),
    };
    render(StatusCode::OK, &view)
}

pub struct ImportedView {
    pub line: usize,
    pub asset_id: i64,
    pub action: &'static str,
    pub name: String,
    pub withdrawn: bool,
}

#[derive(Template)]
#[template(path = "assets/import_record.html")]
struct RecordPage {
    t: Tr,
    layout: Layout,
    import: ImportView,
    sha256: String,
    undone: Option<String>,
    assets: Vec<ImportedView>,
    error: Option<String>,
    reason: String,
    undone_now: bool,
}

async fn record_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    detail: ImportDetail,
    failed: Option<(StatusCode, String, String)>,
    undone_now: bool,
) -> Result<Response, AppError> {
    let ImportDetail { record, assets } = detail;
    let undone = record.undone_at.map(|at| {
        ctx.tr.f(
            "asset.imports.undone",
            &[
                ("at", ctx.datetime(at)),
                ("by", record.undone_by.clone().unwrap_or_default()),
                ("reason", record.undo_reason.clone().unwrap_or_default()),
            ],
        )
    });
    let (status, error, reason) = failed.unwrap_or((StatusCode::OK, String::new(), String::new()));
    let view = RecordPage {
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets/imports", Some(&signed.0)).await,
        import: import_view(ctx, &record),
        sha256: record.sha256.clone(),
        undone,
        assets: assets
            .into_iter()
            .map(|a| ImportedView {
                line: a.line,
                asset_id: a.asset_id,
                action: match a.action {
                    RowAction::Created => "asset.import.kind.new",
                    RowAction::Updated => "asset.import.kind.update",
                },
                name: a.name,
                withdrawn: a.withdrawn,
            })
            .collect(),
        error: (!error.is_empty()).then_some(error),
        reason,
        undone_now,
    };
    render(status, &view)
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordQuery {
    undone: Option<String>,
}

/// `GET /assets/imports/{id}`: what an import did, and its undo.
pub async fn import_show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<RecordQuery>,
) -> Result<Response, AppError> {
    let detail = imports::import_record(&state.app, &signed.0.acting, id).await?;
    record_page(&state, &ctx, &signed, detail, None, query.undone.is_some()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// A refusal as the message of a page and its status.
fn refusal_text(tr: &Tr, failure: Failure) -> Result<(StatusCode, String), AppError> {
    match failure {
        Failure::Invalid(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            problems
                .iter()
                .map(|p| {
                    crate::http::labels::labelled(
                        tr,
                        tr.t("asset.imports.reason"),
                        &tr.f(p.key, &p.params),
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
        )),
        Failure::Conflict(refusal) => {
            Ok((StatusCode::CONFLICT, tr.f(refusal.key, &refusal.params)))
        }
        other => Err(other.into()),
    }
}

/// `POST /assets/imports/{id}/undo`: undoes the import whole, with a reason.
pub async fn undo_import(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReasonForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    match imports::undo(&state.app, acting, id, &form.reason).await {
        Ok(()) => Ok(see_other(&format!("/assets/imports/{id}?undone=1"))),
        Err(failure) => {
            let (status, message) = refusal_text(&ctx.tr, failure)?;
            let detail = imports::import_record(&state.app, acting, id).await?;
            let failed = Some((status, message, form.reason));
            record_page(&state, &ctx, &signed, detail, failed, false).await
        }
    }
}

#[derive(Template)]
#[template(path = "assets/withdraw.html")]
struct WithdrawPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    error: Option<String>,
    reason: String,
}

async fn withdraw_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    failed: Option<(StatusCode, String, String)>,
) -> Result<Response, AppError> {
    let asset = mamori_app::assets::get(&state.app, &signed.0.acting, id).await?;
    let (status, error, reason) = failed.unwrap_or((StatusCode::OK, String::new(), String::new()));
    let view = WithdrawPage {
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets", Some(&signed.0)).await,
        id,
        name: asset.name,
        error: (!error.is_empty()).then_some(error),
        reason,
    };
    render(status, &view)
}

/// `GET /assets/{id}/withdraw`: the withdrawal form (reason required).
pub async fn withdraw_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            mamori_domain::access::Register::Assets,
            mamori_domain::access::Act::Edit,
            "asset.withdraw",
        )
        .await?;
    withdraw_page(&state, &ctx, &signed, id, None).await
}

/// `POST /assets/{id}/withdraw`: withdraws (取消) the asset, with a reason.
pub async fn withdraw_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReasonForm>,
) -> Result<Response, AppError> {
    match imports::withdraw(&state.app, &signed.0.acting, id, &form.reason).await {
        Ok(()) => Ok(see_other(&format!("/assets/{id}"))),
        Err(failure) => {
            let (status, message) = refusal_text(&ctx.tr, failure)?;
            let failed = Some((status, message, form.reason));
            withdraw_page(&state, &ctx, &signed, id, failed).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
}

/// `POST /assets/import/profiles`: saves the staged file's mapping under a name, then
/// shows the preview again.
pub async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<ProfileForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    match imports::save_profile(&state.app, acting, &form.token, &form.name).await {
        Ok(_) => Ok(see_other(&format!(
            "/assets/import/preview?token={}&profile_saved=1",
            form.token
        ))),
        Err(Failure::Conflict(refusal)) if refusal.code == "import_expired" => {
            let error = Some(ctx.tr.t(refusal.key).to_owned());
            super::upload_page(&state, &ctx, &signed, error, StatusCode::GONE).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /assets/import/profiles/{id}/delete`: deletes a saved profile.
pub async fn delete_profile(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            mamori_domain::access::Register::Assets,
            mamori_domain::access::Act::Edit,
            "asset.import.profiles",
        )
        .await?;
    let id = crate::http::forms::parse_id(&id)?;
    imports::delete_profile(&state.app, acting, id).await?;
    Ok(see_other("/assets/import"))
}
