//! Reading a file upload (a multipart body) piece by piece: the file part goes into a
//! [`Spool`] on disk as it arrives, hashed and stopped at the configured limit (413,
//! nothing written); the few text parts beside it are bounded too. The whole body is
//! never held in memory, so the routes that use this lift the default body limit.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use mamori_app::files::{Spool, SpoolError, Spooled};

use crate::http::error::AppError;
use crate::state::AppState;

/// The text parts of an upload form are short: a title, a code, a date, a token.
const TEXT_PART_BYTES: usize = 4096;
/// More parts than a form has is not a form.
const MAX_PARTS: usize = 16;

/// An upload: its text fields and the file (its name as sent, and its content).
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Spooled)>,
}

impl Upload {
    /// The text field `name`, or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn malformed() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "malformed_body",
        "error.malformed_form",
    )
}

/// 413 naming the limit in MiB.
pub fn too_large(limit: u64) -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "file.error.too_large",
    )
    .with("limit", limit.div_ceil(1024 * 1024))
}

fn spool_error(error: SpoolError) -> AppError {
    match error {
        SpoolError::TooLarge { limit } => too_large(limit),
        SpoolError::Io(e) => {
            tracing::error!(error = %e, "could not spool an upload");
            AppError::internal()
        }
    }
}

/// Reads the multipart body of `request`: the part `file` spooled, the others as text.
pub async fn read_upload(state: &AppState, request: Request) -> Result<Upload, AppError> {
    let limit = state.config.max_file_bytes;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed())?;
    let mut upload = Upload::default();
    let mut parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| malformed())? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(malformed());
        }
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" && upload.file.is_none() {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let mut spool = Spool::create(&state.config.upload_dir(), limit)
                .await
                .map_err(spool_error)?;
            while let Some(piece) = field.chunk().await.map_err(|_| malformed())? {
                spool.push(&piece).await.map_err(spool_error)?;
            }
            // A file input left empty sends a part with no name and no bytes.
            let spooled = spool.finish().await.map_err(spool_error)?;
            if !(file_name.is_empty() && spooled.size == 0) {
                upload.file = Some((file_name, spooled));
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(piece) = field.chunk().await.map_err(|_| malformed())? {
            if text.len() + piece.len() > TEXT_PART_BYTES {
                return Err(malformed());
            }
            text.extend_from_slice(&piece);
        }
        let text = String::from_utf8(text).map_err(|_| malformed())?;
        upload.fields.push((name, text));
    }
    Ok(upload)
}

/// The `file` part of a small upload (a sign-in sheet, a holiday list) read into memory
/// up to `max` bytes (413 beyond), other parts skipped; empty when no file was sent.
pub async fn small_file(request: Request, max: usize) -> Result<Vec<u8>, AppError> {
    let malformed = || {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "error.malformed_form",
        )
    };
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed())?;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| malformed())? {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
            if bytes.len() + chunk.len() > max {
                return Err(AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "error.payload_too_large",
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Ok(Vec::new())
}
