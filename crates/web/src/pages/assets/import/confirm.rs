//! Preview and confirm of an import: every row checked with the chosen mapping, then
//! registered in one transaction through `mamori_app::assets::import`.

use super::*;

/// A problem as a line of the error table.
pub struct ErrorView {
    pub line: String,
    pub field: &'static str,
    pub value: String,
    pub message: String,
}

/// An asset as it will be stored, for the preview.
pub struct AssetView {
    pub line: usize,
    pub name: String,
    pub category: &'static str,
    pub form: &'static str,
    pub holder_type: &'static str,
    pub holder: String,
    pub levels: String,
    pub retention: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "assets/import_preview.html")]
pub(super) struct PreviewPage {
    t: Tr,
    layout: Layout,
    token: String,
    file_name: String,
    rows: String,
    ready: String,
    error_rows: String,
    error_count: String,
    errors: Vec<ErrorView>,
    more_errors: Option<String>,
    /// Values kept as written (a 保存期間 no reading fits): shown, never refused.
    notes: Vec<ErrorView>,
    assets: Vec<AssetView>,
    columns: Vec<ColumnView>,
    /// (column index, field) for the hidden inputs of the confirmation.
    chosen: Vec<(usize, &'static str)>,
}

/// The mapping the form sent: `col{i}` is a field name or empty for each column.
pub(super) fn mapping_from_form(
    form: &HashMap<String, String>,
    width: usize,
) -> Result<Mapping, AppError> {
    let mut columns = Vec::with_capacity(width);
    for index in 0..width {
        let value = form
            .get(&format!("col{index}"))
            .map(|v| v.trim())
            .unwrap_or("");
        if value.is_empty() {
            columns.push(None);
        } else {
            let field = asset_files::field_named(value).ok_or_else(|| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_choice",
                    "error.invalid_choice",
                )
            })?;
            columns.push(Some(field));
        }
    }
    Ok(Mapping::chosen(columns))
}

/// Reads the form after the access check, so that a refused caller gets 403 whatever
/// they sent.
pub(super) async fn read_form(request: Request) -> Result<HashMap<String, String>, AppError> {
    let WebForm(form) = WebForm::<HashMap<String, String>>::from_request(request, &()).await?;
    Ok(form)
}

pub(super) fn expired(ctx: &Ctx) -> Option<String> {
    Some(ctx.tr.t("asset.import.error.expired").to_owned())
}

/// A checked file: the outcome, the mapping and scheme it was checked with, and the
/// users' names for showing holders.
pub(super) struct Outcome {
    scheme: Scheme,
    checked: Checked,
    mapping: Mapping,
    names: HashMap<i64, String>,
}

/// Checks the staged file with `mapping` against the scheme and users in use now.
pub(super) async fn check_staged(
    state: &AppState,
    signed: &SignedIn,
    staged: &Arc<Staged>,
    mapping: Mapping,
) -> Result<Outcome, AppError> {
    let (scheme, directory) =
        mamori_app::assets::import_context(&state.app, &signed.0.acting).await?;
    let names = directory.names;
    let holders = directory.holders;
    let staged = Arc::clone(staged);
    let (checked, mapping, scheme) = tokio::task::spawn_blocking(move || {
        let checked = asset_files::validate(
            &staged.table,
            staged.format,
            &mapping,
            &scheme,
            &holders,
            |_| {},
        );
        (checked, mapping, scheme)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "checking an uploaded register failed");
        AppError::internal()
    })?;
    Ok(Outcome {
        scheme,
        checked,
        mapping,
        names,
    })
}

pub(super) fn error_views(
    tr: &Tr,
    table: &Table,
    mapping: &Mapping,
    errors: &[RowError],
) -> Vec<ErrorView> {
    let rows: HashMap<usize, &mamori_app::sheets::Row> =
        table.rows.iter().map(|r| (r.line, r)).collect();
    errors
        .iter()
        .take(SHOWN_ERRORS)
        .map(|e| {
            let column = e
                .field
                .and_then(|f| mapping.columns().iter().position(|c| *c == Some(f)));
            let value = match (rows.get(&e.line), column) {
                (Some(row), Some(column)) => row.cells.get(column).map(|c| shorten(c, 60)),
                _ => None,
            };
            ErrorView {
                line: if e.line == 0 {
                    tr.t("asset.import.whole_file").to_owned()
                } else {
                    e.line.to_string()
                },
                field: e.field_label(tr),
                value: value.unwrap_or_default(),
                message: e.message(tr),
            }
        })
        .collect()
}

pub(super) fn asset_views(
    tr: &Tr,
    scheme: &Scheme,
    names: &HashMap<i64, String>,
    assets: &[(usize, Asset)],
) -> Vec<AssetView> {
    let code = |id: i64| scheme.level(id).map(|l| l.code.as_str()).unwrap_or("");
    assets
        .iter()
        .take(SHOWN_ROWS)
        .map(|(line, a)| AssetView {
            line: *line,
            name: shorten(&a.name, 80),
            category: tr.t(category_key(a.category)),
            form: tr.t(form_key(a.form)),
            holder_type: tr.t(holder_type_key(a.holder_type)),
            holder: a
                .holder_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            levels: format!(
                "{} / {} / {}",
                code(a.confidentiality),
                code(a.integrity),
                code(a.availability)
            ),
            retention: a
                .retention
                .as_ref()
                .map(|r| r.text.clone())
                .unwrap_or_default(),
            status: tr.t(status_key(a.status)),
        })
        .collect()
}

pub(super) async fn preview_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    token: String,
    staged: &Staged,
    outcome: &Outcome,
) -> Result<Response, AppError> {
    let Outcome {
        scheme,
        checked,
        mapping,
        names,
    } = outcome;
    let tr = ctx.tr;
    let mut error_lines: Vec<usize> = checked.errors.iter().map(|e| e.line).collect();
    error_lines.dedup();
    let count = |n: usize| group_digits(n);
    let page = PreviewPage {
        t: tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        token,
        file_name: staged.file_name.clone(),
        rows: count(staged.table.rows.len()),
        ready: count(checked.assets.len()),
        error_rows: count(error_lines.len()),
        error_count: count(checked.errors.len()),
        errors: error_views(&tr, &staged.table, mapping, &checked.errors),
        more_errors: (checked.errors.len() > SHOWN_ERRORS).then(|| {
            tr.f(
                "asset.import.more_errors",
                &[("count", count(checked.errors.len() - SHOWN_ERRORS))],
            )
        }),
        notes: error_views(&tr, &staged.table, mapping, &checked.notes),
        assets: asset_views(&tr, scheme, names, &checked.assets),
        columns: column_views(&tr, &staged.table, mapping),
        chosen: mapping
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .collect(),
    };
    let status = if checked.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

/// `POST /assets/import/preview`: checks every row with the chosen mapping.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    crate::pages::assets::permit(
        &state,
        &signed,
        mamori_domain::access::Register::Assets,
        mamori_domain::access::Act::Edit,
        "asset.import.title",
    )
    .await?;
    let form = read_form(request).await?;
    let token = form.get("token").cloned().unwrap_or_default();
    let Some(staged) = staging().get(&token, signed.user().id, Instant::now()) else {
        return upload_page(&state, &ctx, &signed, expired(&ctx), StatusCode::GONE).await;
    };
    let mapping = mapping_from_form(&form, staged.table.headers.len())?;
    let outcome = check_staged(&state, &signed, &staged, mapping).await?;
    preview_page(&state, &ctx, &signed, token, &staged, &outcome).await
}

#[derive(Template)]
#[template(path = "assets/import_done.html")]
pub(super) struct DonePage {
    t: Tr,
    layout: Layout,
    file_name: String,
    count: String,
    first_id: i64,
    last_id: i64,
}

/// `POST /assets/import/confirm`: checks again and imports every row in one transaction
/// (all or none); `create_many` writes the audit entry with the file's SHA-256.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    crate::pages::assets::permit(
        &state,
        &signed,
        mamori_domain::access::Register::Assets,
        mamori_domain::access::Act::Edit,
        "asset.import.title",
    )
    .await?;
    let form = read_form(request).await?;
    let token = form.get("token").cloned().unwrap_or_default();
    let user_id = signed.user().id;
    let Some(staged) = staging().take(&token, user_id, Instant::now()) else {
        return upload_page(&state, &ctx, &signed, expired(&ctx), StatusCode::GONE).await;
    };
    // From here on the file goes back to the map unless it was imported.
    let result = import_staged(&state, &ctx, &signed, &token, &staged, &form).await;
    if !matches!(result, Ok((_, true))) {
        staging().put_back(token, staged);
    }
    result.map(|(response, _)| response)
}

/// The response, and whether the file was imported.
pub(super) async fn import_staged(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    token: &str,
    staged: &Arc<Staged>,
    form: &HashMap<String, String>,
) -> Result<(Response, bool), AppError> {
    let mapping = mapping_from_form(form, staged.table.headers.len())?;
    let outcome = check_staged(state, signed, staged, mapping).await?;
    if !outcome.checked.errors.is_empty() {
        let page = preview_page(state, ctx, signed, token.to_owned(), staged, &outcome).await?;
        return Ok((page, false));
    }
    let Outcome { checked, .. } = outcome;
    let assets: Vec<Asset> = checked.assets.into_iter().map(|(_, a)| a).collect();
    let ids = mamori_app::assets::import(
        &state.app,
        &signed.0.acting,
        &assets,
        &staged.file_name,
        &staged.sha256,
    )
    .await?;
    let page = DonePage {
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        file_name: staged.file_name.clone(),
        count: group_digits(ids.len()),
        first_id: ids.first().copied().unwrap_or_default(),
        last_id: ids.last().copied().unwrap_or_default(),
    };
    Ok((render(StatusCode::OK, &page)?, true))
}
