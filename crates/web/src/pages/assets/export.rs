//! `GET /assets/export.xlsx` and `GET /assets/export.csv`: the register as a file, with
//! the list page's filters and never more than the reader may see. The export is in the
//! audit trail before the first byte leaves.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::assets::files::{self as asset_files, Format};
use mamori_domain::wareki::{JST, Lang};
use time::OffsetDateTime;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::pages::assets::{ListParams, permit};
use crate::state::AppState;
use mamori_domain::access::{Act, Register};

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

async fn export(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    raw_query: Option<&str>,
    format: Format,
) -> Result<Response, AppError> {
    permit(
        state,
        signed,
        Register::Assets,
        Act::Read,
        "asset.export.title",
    )
    .await?;
    // Read after the access check, so that a refused caller gets 403 whatever they sent.
    let params: ListParams = serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "error.malformed_query",
        )
        .with("detail", e)
    })?;
    let acting = &signed.0.acting;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let filter = params.filter(&scheme)?;
    let exported = asset_files::export(&state.app, acting, &filter, ctx.lang(), format)
        .await
        .map_err(export_error)?;
    Ok(download(exported.bytes, format, ctx.lang()))
}

/// A file that could not be written is a 500 that says why.
pub fn export_error(error: asset_files::ExportError) -> AppError {
    match error {
        asset_files::ExportError::Failed(failure) => failure.into(),
        asset_files::ExportError::Sheet(e) => AppError {
            params: e.params(),
            ..AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "export_failed",
                e.message_key(),
            )
        },
    }
}

/// The file as an attachment: an ASCII name for every client, and the register's own
/// name in Japanese for those that read RFC 5987 `filename*`.
fn download(bytes: Vec<u8>, format: Format, lang: Lang) -> Response {
    let (ascii, named) = file_names(
        format,
        lang,
        OffsetDateTime::now_utc().to_offset(JST).date(),
    );
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::http::auth::percent_encode(&named)
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
    // The register is not for shared caches or the browser's history.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `assets-YYYYMMDD.ext`, and the same with the register's name in the user's language.
fn file_names(format: Format, lang: Lang, day: time::Date) -> (String, String) {
    let stamp = format!(
        "{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let ext = asset_files::format_code(format);
    let stem = match lang {
        Lang::Ja => "情報資産台帳",
        Lang::En => "asset-register",
    };
    (
        format!("assets-{stamp}.{ext}"),
        format!("{stem}-{stamp}.{ext}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_dated_and_the_ascii_one_stays_ascii() {
        let day = time::macros::date!(2026 - 11 - 26);
        let (ascii, named) = file_names(Format::Xlsx, Lang::Ja, day);
        assert_eq!(ascii, "assets-20261126.xlsx");
        assert_eq!(named, "情報資産台帳-20261126.xlsx");
        let (ascii, named) = file_names(Format::Csv, Lang::En, day);
        assert_eq!(ascii, "assets-20261126.csv");
        assert_eq!(named, "asset-register-20261126.csv");
        let response = download(Vec::new(), Format::Xlsx, Lang::Ja);
        let disposition = response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap();
        assert!(disposition.starts_with("attachment; filename=\"assets-"));
        assert!(disposition.contains("filename*=UTF-8''%E6%83%85"));
    }
}
