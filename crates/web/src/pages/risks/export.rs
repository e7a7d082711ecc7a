//! The register as a spreadsheet (XLSX) or CSV, with the list's filters; audited.

use super::*;

/// The export's columns: (locale key of the header).
pub(super) const EXPORT_COLUMNS: [&str; 16] = [
    "risk.field.id",
    "risk.field.title",
    "risk.field.threat",
    "risk.field.threat_family",
    "risk.field.assets",
    "risk.field.existing_measures",
    "risk.field.likelihood",
    "risk.field.impact",
    "risk.field.level",
    "risk.field.treatment",
    "risk.field.residual_likelihood",
    "risk.field.residual_impact",
    "risk.field.residual_level",
    "risk.field.owner",
    "risk.field.review_due",
    "risk.field.matrix_version",
];

pub(super) fn export_cells(tr: &Tr, matrices: &Matrices, risk: &RiskRecord) -> Vec<String> {
    let m = risk.matrix_id;
    vec![
        risk.id.to_string(),
        risk.title.clone(),
        risk.shown_threat(tr.lang).to_owned(),
        tr.t(family_key(risk.threat_family)).to_owned(),
        assets_text(tr, risk),
        risk.existing_measures.clone(),
        matrices.likelihood_name(m, risk.inherent.likelihood),
        matrices.impact_name(m, risk.inherent.impact),
        matrices.level_name(m, risk.inherent_level),
        risk.treatment
            .map(|t| tr.t(treatment_key(t)).to_owned())
            .unwrap_or_default(),
        risk.residual
            .map(|s| matrices.likelihood_name(m, s.likelihood))
            .unwrap_or_default(),
        risk.residual
            .map(|s| matrices.impact_name(m, s.impact))
            .unwrap_or_default(),
        risk.residual_level
            .map(|l| matrices.level_name(m, l))
            .unwrap_or_default(),
        risk.owner_name.clone().unwrap_or_default(),
        risk.review_due.map(|d| d.to_string()).unwrap_or_default(),
        matrices.of(m).version.to_string(),
    ]
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Xlsx).await
}

pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Csv).await
}

/// The query string of an export, read after the access check so that a refused caller
/// gets 403 whatever they sent.
fn export_params(raw_query: Option<&str>) -> Result<ListParams, AppError> {
    serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "error.malformed_query",
        )
        .with("detail", e)
    })
}

/// The spreadsheet or CSV file, written off the async threads.
async fn write_sheet(
    format: Format,
    sheet_name: &'static str,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>, AppError> {
    mamori_app::sheets::write_table(format, sheet_name, headers, rows)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "risk export could not be written");
            let mut error = AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "export_failed",
                e.message_key(),
            );
            error.params = e.params();
            error
        })
}

pub(super) async fn export(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    raw_query: Option<&str>,
    format: Format,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Read, "risks.export")
        .await?;
    let params = export_params(raw_query)?;
    let all = register::list_risks(&state.app, acting, "risks.export").await?;
    let matrices = matrices::matrices(&state.app, acting, all.iter().map(|r| r.matrix_id))
        .await?
        .for_reader(ctx.lang());
    let filter = params.filter(&matrices.active.matrix)?;
    let tr = ctx.tr;
    let headers: Vec<String> = EXPORT_COLUMNS.iter().map(|k| tr.t(k).to_owned()).collect();
    let rows: Vec<Vec<String>> = all
        .iter()
        .filter(|r| filter.matches(r))
        .rev()
        .map(|r| export_cells(&tr, &matrices, r))
        .collect();
    let count = rows.len();
    let bytes = write_sheet(format, tr.t("risk.title"), headers, rows).await?;
    let code = match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    };
    register::record_export(&state.app, acting, code, count, &params.query()).await?;
    Ok(download(bytes, format, ctx.lang()))
}

/// The file as an attachment: an ASCII name for every client, and the register's own
/// name for those that read RFC 5987 `filename*`.
pub(super) fn download(bytes: Vec<u8>, format: Format, lang: Lang) -> Response {
    let day = mamori_app::today();
    let stamp = format!(
        "{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let ext = match format {
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
    };
    let stem = match lang {
        Lang::Ja => "リスク台帳",
        Lang::En => "risk-register",
    };
    let disposition = format!(
        "attachment; filename=\"risks-{stamp}.{ext}\"; filename*=UTF-8''{}",
        crate::http::auth::percent_encode(&format!("{stem}-{stamp}.{ext}"))
    );
    let content_type = match format {
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format::Csv => "text/csv; charset=utf-8",
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
