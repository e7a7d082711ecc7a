//! Importing the asset register from a spreadsheet, in three steps: upload (the file is
//! read once and kept on the server), column mapping, and a preview that checks every
//! row. Only a file without a single problem is imported, all rows in one transaction.

mod confirm;
mod template;

#[allow(unused_imports)]
use confirm::*;
pub use confirm::{confirm, preview};
pub use template::{template_csv, template_xlsx};

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use mamori_app::sheets::{Format, Table};
use mamori_domain::asset::{Asset, FIELDS};
use mamori_domain::classification::{Axis, Scheme};

use super::{axis_key, category_key, field_key, form_key, holder_type_key, status_key};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::assets::files::{self as asset_files, Checked, Mapping, RowError};
use mamori_app::i18n::Tr;

/// The upload route's body limit: the largest file plus room for the form around it.
pub const BODY_LIMIT: usize = asset_files::MAX_FILE_BYTES + 1024 * 1024;

/// How long an uploaded file waits for its mapping and confirmation.
const STAGING_TTL: Duration = Duration::from_secs(30 * 60);
/// Most memory all waiting files may take together (estimated from their cells).
const STAGING_MAX_BYTES: usize = 256 * 1024 * 1024;
/// Waiting files per user: a second tab is fine, a forgotten pile is not.
const STAGED_PER_USER: usize = 3;
/// Error lines and sample rows a page shows; the counts always cover every row.
const SHOWN_ERRORS: usize = 500;
const SHOWN_ROWS: usize = 20;
/// Sample values per column on the mapping step.
const SAMPLES: usize = 3;

// ---------------------------------------------------------------- staging

/// An uploaded file, read and waiting for its mapping. Only its uploader may use it.
struct Staged {
    user_id: i64,
    file_name: String,
    sha256: String,
    format: Format,
    table: Table,
    size: usize,
    at: Instant,
}

impl Staged {
    fn new(user_id: i64, file_name: String, bytes: &[u8], format: Format, table: Table) -> Staged {
        // Each String costs its text plus about 24 bytes; this is what the map holds.
        let size = table
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .chain(&table.headers)
            .map(|c| c.len() + 24)
            .sum::<usize>()
            + table.rows.len() * 48;
        Staged {
            user_id,
            file_name,
            sha256: mamori_app::sha256_hex(bytes),
            format,
            table,
            size,
            at: Instant::now(),
        }
    }
}

/// Files between upload and confirmation. In memory on purpose: a file that never gets
/// confirmed must not linger on disk, and a restart simply asks for the upload again.
#[derive(Default)]
struct Staging {
    files: HashMap<String, Arc<Staged>>,
}

impl Staging {
    fn purge(&mut self, now: Instant) {
        self.files
            .retain(|_, s| now.saturating_duration_since(s.at) < STAGING_TTL);
    }

    /// Keeps `staged` under a new random token; `None` when memory is taken up.
    fn put(&mut self, staged: Staged, now: Instant) -> Option<String> {
        self.purge(now);
        let mut own: Vec<(String, Instant)> = self
            .files
            .iter()
            .filter(|(_, s)| s.user_id == staged.user_id)
            .map(|(token, s)| (token.clone(), s.at))
            .collect();
        own.sort_by_key(|(_, at)| *at);
        let excess = (own.len() + 1).saturating_sub(STAGED_PER_USER);
        for (token, _) in own.into_iter().take(excess) {
            self.files.remove(&token);
        }
        let used: usize = self.files.values().map(|s| s.size).sum();
        if used + staged.size > STAGING_MAX_BYTES {
            return None;
        }
        let token = mamori_app::random_token();
        self.files.insert(token.clone(), Arc::new(staged));
        Some(token)
    }

    fn get(&mut self, token: &str, user_id: i64, now: Instant) -> Option<Arc<Staged>> {
        self.purge(now);
        self.files
            .get(token)
            .filter(|s| s.user_id == user_id)
            .cloned()
    }

    /// Removes the file for an import, so that two confirmations cannot both run.
    fn take(&mut self, token: &str, user_id: i64, now: Instant) -> Option<Arc<Staged>> {
        let staged = self.get(token, user_id, now)?;
        self.files.remove(token);
        Some(staged)
    }

    fn put_back(&mut self, token: String, staged: Arc<Staged>) {
        self.files.insert(token, staged);
    }
}

static STAGING: LazyLock<Mutex<Staging>> = LazyLock::new(Mutex::default);

fn staging() -> MutexGuard<'static, Staging> {
    // The map holds no invariant a panic elsewhere could break.
    STAGING.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------- upload form

/// A value word and what it means, for the help on the upload form.
struct HelpRow {
    field: &'static str,
    words: String,
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct UploadPage {
    t: Tr,
    layout: Layout,
    error: Option<String>,
    help: Vec<HelpRow>,
    max_rows: String,
}

/// The words each coded field accepts; levels come from the scheme in use.
fn help_rows(tr: &Tr, scheme: &Scheme) -> Vec<HelpRow> {
    let mut rows: Vec<HelpRow> = ["category", "form", "holder_type", "holder", "segment"]
        .into_iter()
        .map(|field| HelpRow {
            field: tr.t(field_key(field)),
            words: tr.t(help_key(field)).to_owned(),
        })
        .collect();
    for axis in Axis::ALL {
        let codes: Vec<String> = scheme
            .levels_of(axis)
            .iter()
            .map(|l| l.code.clone())
            .collect();
        rows.push(HelpRow {
            field: tr.t(axis_key(axis)),
            words: tr.f("asset.import.help_levels", &[("levels", codes.join(" / "))]),
        });
    }
    for field in ["retention", "disposal_due", "status", "tags"] {
        rows.push(HelpRow {
            field: tr.t(field_key(field)),
            words: tr.t(help_key(field)).to_owned(),
        });
    }
    rows
}

fn help_key(field: &str) -> &'static str {
    match field {
        "category" => "asset.import.help_category",
        "form" => "asset.import.help_form",
        "holder_type" => "asset.import.help_holder_type",
        "holder" => "asset.import.help_holder",
        "segment" => "asset.import.help_segment",
        "retention" => "asset.import.help_retention",
        "disposal_due" => "asset.import.help_disposal_due",
        "status" => "asset.import.help_status",
        _ => "asset.import.help_tags",
    }
}

async fn upload_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let scheme = mamori_app::assets::scheme(&state.app, &signed.0.acting).await?;
    let page = UploadPage {
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        error,
        help: help_rows(&ctx.tr, &scheme),
        max_rows: group_digits(asset_files::MAX_ROWS),
    };
    render(status, &page)
}

/// "100,000": thousands separated the way both languages write them.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `GET /assets/import`
pub async fn import_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    crate::pages::assets::permit(
        &state,
        &signed,
        mamori_domain::access::Register::Assets,
        mamori_domain::access::Act::Edit,
        "asset.import.title",
    )
    .await?;
    upload_page(&state, &ctx, &signed, None, StatusCode::OK).await
}

// ---------------------------------------------------------------- upload

/// The file of the upload form.
struct Upload {
    file_name: String,
    bytes: Vec<u8>,
}

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "asset.import.error.too_large",
    )
}

fn malformed_form() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "malformed_form",
        "error.malformed_form",
    )
}

/// The name to record: the last path component a browser may send, printable, short.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "upload".to_owned()
    } else {
        cleaned.to_owned()
    }
}

async fn read_upload(request: Request) -> Result<Option<Upload>, AppError> {
    // Say "too large" before reading a body that cannot fit.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return Err(too_large());
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| malformed_form())?;
    let mut upload = None;
    loop {
        let field = multipart.next_field().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                malformed_form()
            }
        })?;
        let Some(field) = field else { break };
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                malformed_form()
            }
        })?;
        if bytes.len() > asset_files::MAX_FILE_BYTES {
            return Err(too_large());
        }
        // A browser sends an empty part without a name when no file was chosen; an empty
        // file that was chosen has its name and is refused as empty later.
        match file_name.filter(|n| !n.is_empty()) {
            Some(name) => {
                upload = Some(Upload {
                    file_name: clean_file_name(&name),
                    bytes: bytes.to_vec(),
                })
            }
            None if !bytes.is_empty() => {
                upload = Some(Upload {
                    file_name: clean_file_name(""),
                    bytes: bytes.to_vec(),
                })
            }
            None => {}
        }
    }
    Ok(upload)
}

/// One column of the file on the mapping step.
pub struct ColumnView {
    pub index: usize,
    pub letter: String,
    pub header: String,
    pub samples: Vec<String>,
    pub choices: Vec<ChoiceView>,
}

pub struct ChoiceView {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// Text shown from a cell: a long cell is cut so a page stays a page.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

fn column_views(tr: &Tr, table: &Table, mapping: &Mapping) -> Vec<ColumnView> {
    table
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let chosen = mapping.field_of(index);
            let mut choices = vec![ChoiceView {
                value: "",
                label: tr.t("asset.import.ignore"),
                selected: chosen.is_none(),
            }];
            choices.extend(FIELDS.into_iter().map(|field| ChoiceView {
                value: field,
                label: tr.t(field_key(field)),
                selected: chosen == Some(field),
            }));
            ColumnView {
                index,
                letter: asset_files::column_letters(index),
                header: shorten(header, 60),
                samples: table
                    .rows
                    .iter()
                    .filter_map(|r| r.cells.get(index).filter(|c| !c.trim().is_empty()))
                    .take(SAMPLES)
                    .map(|c| shorten(c, 40))
                    .collect(),
                choices,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assets/import_mapping.html")]
struct MappingPage {
    t: Tr,
    layout: Layout,
    token: String,
    file_name: String,
    rows: String,
    columns: Vec<ColumnView>,
}

/// `POST /assets/import`: reads the file and shows the column mapping. Nothing is stored.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    // The role is checked before the body is even looked at.
    crate::pages::assets::permit(
        &state,
        &signed,
        mamori_domain::access::Register::Assets,
        mamori_domain::access::Act::Edit,
        "asset.import.title",
    )
    .await?;
    let refuse = |key: &str, params: &[(&str, String)]| Some(ctx.tr.f(key, params));
    let upload = match read_upload(request).await {
        Ok(Some(upload)) => upload,
        Ok(None) => {
            let error = refuse("asset.import.error.no_file", &[]);
            return upload_page(
                &state,
                &ctx,
                &signed,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            let error = refuse(e.message_key, &e.params);
            return upload_page(&state, &ctx, &signed, error, e.status).await;
        }
        Err(e) => return Err(e),
    };
    // Unpacking and parsing a large workbook takes a while: off the async threads.
    let Upload { file_name, bytes } = upload;
    let user_id = signed.user().id;
    let read = tokio::task::spawn_blocking(move || {
        asset_files::read_table(&bytes)
            .map(|(format, table)| Staged::new(user_id, file_name, &bytes, format, table))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading an uploaded register failed");
        AppError::internal()
    })?;
    let staged = match read {
        Ok(staged) => staged,
        Err(e) => {
            tracing::info!(error = %e, "uploaded register refused");
            let error = refuse(e.message_key(), &e.params());
            return upload_page(
                &state,
                &ctx,
                &signed,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mapping = Mapping::guess(&staged.table.headers);
    let columns = column_views(&ctx.tr, &staged.table, &mapping);
    let rows = staged.table.rows.len();
    let file_name = staged.file_name.clone();
    let Some(token) = staging().put(staged, Instant::now()) else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "asset.import.error.staging_full",
        ));
    };
    let page = MappingPage {
        t: ctx.tr,
        layout: Layout::load(&state, "assets", "/assets/import", Some(&signed.0)).await,
        token,
        file_name,
        rows: group_digits(rows),
        columns,
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(user_id: i64, size: usize, at: Instant) -> Staged {
        Staged {
            user_id,
            file_name: "f.csv".into(),
            sha256: String::new(),
            format: Format::Csv,
            table: Table {
                headers: Vec::new(),
                rows: Vec::new(),
            },
            size,
            at,
        }
    }

    #[test]
    fn staged_files_belong_to_their_uploader_and_expire() {
        let mut staging = Staging::default();
        let now = Instant::now();
        let token = staging.put(staged(1, 10, now), now).unwrap();
        assert!(staging.get(&token, 2, now).is_none(), "another user's file");
        assert!(staging.get(&token, 1, now).is_some());
        let later = now + STAGING_TTL + Duration::from_secs(1);
        assert!(staging.get(&token, 1, later).is_none(), "expired");
        assert!(staging.files.is_empty());
    }

    #[test]
    fn staging_is_capped_per_user_and_in_all() {
        let mut staging = Staging::default();
        let now = Instant::now();
        let tokens: Vec<String> = (0..STAGED_PER_USER + 1)
            .map(|i| {
                let at = now + Duration::from_secs(i as u64);
                staging.put(staged(1, 10, at), at).unwrap()
            })
            .collect();
        assert!(staging.get(&tokens[0], 1, now).is_none(), "oldest dropped");
        assert_eq!(staging.files.len(), STAGED_PER_USER);
        assert!(
            staging
                .put(staged(2, STAGING_MAX_BYTES, now), now)
                .is_none()
        );
        let taken = staging.take(&tokens[1], 1, now).unwrap();
        assert!(staging.take(&tokens[1], 1, now).is_none(), "taken once");
        staging.put_back(tokens[1].clone(), taken);
        assert!(staging.get(&tokens[1], 1, now).is_some());
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\x\\台帳.xlsx"), "台帳.xlsx");
        assert_eq!(clean_file_name("../a\u{7}b.csv"), "ab.csv");
        assert_eq!(clean_file_name(""), "upload");
        assert_eq!(group_digits(100_000), "100,000");
        assert_eq!(group_digits(999), "999");
    }
}
