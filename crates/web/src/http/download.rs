//! The one place that answers CSV downloads: the attachment response and its file names,
//! a streamed body. The CSV itself (formula-safe cells, CRLF for Excel) is written by
//! `mamori_app::sheets::{csv_head, csv_lines}`.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mamori_app::assets::files::{self as asset_files, Format};
use mamori_domain::wareki::JST;
use mamori_domain::wareki::Lang;
use time::OffsetDateTime;

/// A CSV download named `{stem}-YYYYMMDD.csv` (the Japan date of the export).
pub fn csv_response(body: Body, stem: &str) -> Response {
    let today = OffsetDateTime::now_utc().to_offset(JST).date();
    let disposition = format!(
        "attachment; filename=\"{stem}-{:04}{:02}{:02}.csv\"",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The file as an attachment: an ASCII name for every client, and the register's own
/// name in Japanese for those that read RFC 5987 `filename*`.
pub fn download(bytes: Vec<u8>, format: Format, lang: Lang) -> Response {
    let (ascii, named) = file_names(
        format,
        lang,
        OffsetDateTime::now_utc().to_offset(JST).date(),
    );
    attachment(bytes, format, &ascii, &named)
}

/// The register's import template as an attachment (not dated: it changes only with
/// the scheme).
pub fn template_download(bytes: Vec<u8>, format: Format, lang: Lang) -> Response {
    let ext = asset_files::format_code(format);
    let named = match lang {
        Lang::Ja => format!("情報資産台帳_取込テンプレート.{ext}"),
        Lang::En => format!("asset-register-template.{ext}"),
    };
    attachment(
        bytes,
        format,
        &format!("asset-import-template.{ext}"),
        &named,
    )
}

/// A register export whose CSV is written while it is sent (see
/// [`asset_files::CsvExport`]), with the same names and headers as [`download`].
pub fn csv_download(export: asset_files::CsvExport, lang: Lang) -> Response {
    let (ascii, named) = file_names(
        Format::Csv,
        lang,
        OffsetDateTime::now_utc().to_offset(JST).date(),
    );
    attachment(streamed(export), Format::Csv, &ascii, &named)
}

/// The export's chunks as a body, written by a task that waits while the client reads
/// (a queue of four chunks): a slow download holds a few batches, never the register.
fn streamed(mut export: asset_files::CsvExport) -> Body {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(export.head()))).await.is_err() {
            return;
        }
        loop {
            let chunk = match export.next_chunk().await {
                Ok(Some(chunk)) => Ok(Bytes::from(chunk)),
                Ok(None) => return,
                Err(e) => {
                    // Break the download rather than end it as if it were complete.
                    tracing::error!(error = %e, "asset export failed part-way");
                    Err(std::io::Error::other("asset export failed"))
                }
            };
            let failed = chunk.is_err();
            if sender.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    Body::from_stream(Chunks(receiver))
}

/// The chunks of a file being written by a task, as a response body.
pub struct Chunks(pub tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// A file made for one download (a notice's readers), named `ascii` for every client
/// and `named` for those that read RFC 5987.
pub fn named(bytes: Vec<u8>, format: Format, ascii: &str, named: &str) -> Response {
    attachment(bytes, format, ascii, named)
}

fn attachment(body: impl IntoResponse, format: Format, ascii: &str, named: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::http::auth::percent_encode(named)
    );
    let content_type = match format {
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format::Csv => "text/csv; charset=utf-8",
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // The register is not for shared caches or the browser's history.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A stored file as an attachment, streamed chunk by chunk: never shown inline (an
/// uploaded HTML or SVG file must not run as a page of ours), never sniffed by the
/// browser, named for every client (ASCII) and in full for those that read RFC 5987.
pub fn stored_file(content: mamori_app::files::Content) -> Response {
    let revision = &content.revision;
    let ascii: String = revision
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::http::auth::percent_encode(&revision.file_name)
    );
    let media_type = HeaderValue::from_str(&revision.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let length = revision.size;
    let mut response = Body::from_stream(content.chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
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
