//! Importing the asset register from a spreadsheet, in steps: upload (the file's table
//! is staged in the database by `mamori_app::assets::imports`, never kept in server
//! memory), column mapping, a preview that plans every row (new, update, unchanged,
//! possible duplicate, error) and the confirmation. Past imports and their undo are in
//! `records`.

mod confirm;
mod records;
mod template;

pub use confirm::{confirm, preview, preview_page_get};
pub use records::{
    delete_profile, import_list, import_show, save_profile, undo_import, withdraw_asset,
    withdraw_form,
};
pub use template::{template_csv, template_xlsx};

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use mamori_app::assets::imports::{self, Staged};
use mamori_domain::asset::FIELDS;
use mamori_domain::classification::{Axis, Scheme};
use mamori_domain::wareki::Lang;

use super::{axis_key, field_key};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::assets::files::{self as asset_files, Mapping, ROW_FIELDS};
use mamori_app::i18n::Tr;

/// The upload route's body limit: the largest file plus room for the form around it.
pub const BODY_LIMIT: usize = asset_files::MAX_FILE_BYTES + 1024 * 1024;

// ---------------------------------------------------------------- upload form

/// A value word and what it means, for the help on the upload form.
struct HelpRow {
    field: &'static str,
    words: String,
    /// The Japanese words a register writes for these values, shown (marked as Japanese)
    /// to readers of other languages; empty on Japanese pages, whose help names them.
    japanese: &'static str,
}

/// Header words of Japanese registers read besides the fields' labels (see `japanese`).
const HEADER_WORDS: &str =
    "名称、資産の種類、所有者、管理者、保存場所、保存年限、メモ、機密性（高・中・低）";

/// The Japanese words a register writes for a field's values (see [`HelpRow`]).
fn japanese_words(field: &str) -> &'static str {
    match field {
        "category" => "ア、イ、ウ",
        "form" => "電子、紙、両方",
        "holder_type" => "議員、議会事務局",
        "retention" => {
            "永年、常用、5年、1年未満、任期中、貸与期間中、契約期間中、契約終了まで、\
             契約終了後5年、更新まで、廃棄まで、随時、R13.3.31まで"
        }
        "tags" => "、",
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct UploadPage {
    t: Tr,
    layout: Layout,
    error: Option<String>,
    help: Vec<HelpRow>,
    /// [`HEADER_WORDS`] on pages not in Japanese, else empty.
    header_words: &'static str,
    max_rows: String,
    /// Saved mapping profiles: (id, name).
    profiles: Vec<(i64, String)>,
}

/// The words each coded field accepts; levels come from the scheme in use.
fn help_rows(tr: &Tr, scheme: &Scheme) -> Vec<HelpRow> {
    let japanese = |field: &str| match tr.lang {
        Lang::Ja => "",
        _ => japanese_words(field),
    };
    let mut rows: Vec<HelpRow> = ["category", "form", "holder_type", "holder", "segment"]
        .into_iter()
        .map(|field| HelpRow {
            field: tr.t(field_key(field)),
            words: tr.t(help_key(field)).to_owned(),
            japanese: japanese(field),
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
            japanese: "",
        });
    }
    for field in ["retention", "disposal_due", "status", "tags"] {
        rows.push(HelpRow {
            field: tr.t(field_key(field)),
            words: tr.t(help_key(field)).to_owned(),
            japanese: japanese(field),
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
    let profiles = imports::profiles(&state.app, &signed.0.acting).await?;
    let page = UploadPage {
        profiles: profiles.into_iter().map(|p| (p.id, p.name)).collect(),
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        error,
        help: help_rows(&ctx.tr, &scheme),
        header_words: if ctx.lang() == Lang::Ja {
            ""
        } else {
            HEADER_WORDS
        },
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
                    bytes: Vec::from(bytes),
                })
            }
            None if !bytes.is_empty() => {
                upload = Some(Upload {
                    file_name: clean_file_name(""),
                    bytes: Vec::from(bytes),
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

/// The columns of a staged file with the field each fills and a few sample values.
pub(super) fn column_views(
    tr: &Tr,
    staged: &Staged,
    mapping: &Mapping,
    samples: &[Vec<String>],
) -> Vec<ColumnView> {
    staged
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
            choices.extend(
                ROW_FIELDS
                    .into_iter()
                    .chain(FIELDS)
                    .map(|field| ChoiceView {
                        value: field,
                        label: tr.t(field_key(field)),
                        selected: chosen == Some(field),
                    }),
            );
            ColumnView {
                index,
                letter: asset_files::column_letters(index),
                header: shorten(header, 60),
                samples: samples
                    .get(index)
                    .map(|s| s.iter().map(|c| shorten(c, 40)).collect())
                    .unwrap_or_default(),
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
    /// The saved profile applied to this file, if any.
    profile: Option<String>,
}

/// `POST /assets/import`: reads the file, stages its table and shows the column mapping.
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
    let refused = |key: &str, params: &[(&str, String)]| Some(ctx.tr.f(key, params));
    let upload = match read_upload(request).await {
        Ok(Some(upload)) => upload,
        Ok(None) => {
            let error = refused("asset.import.error.no_file", &[]);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return upload_page(&state, &ctx, &signed, error, status).await;
        }
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            let error = refused(e.message_key, &e.params);
            return upload_page(&state, &ctx, &signed, error, e.status).await;
        }
        Err(e) => return Err(e),
    };
    let acting = &signed.0.acting;
    let staged = match imports::upload(&state.app, acting, &upload.file_name, upload.bytes).await {
        Ok(staged) => staged,
        Err(mamori_app::Failure::Invalid(problems)) => {
            let error = problems.first().map(|p| ctx.tr.f(p.key, &p.params));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return upload_page(&state, &ctx, &signed, error, status).await;
        }
        // Too many files read at once: the form again, with when to try.
        Err(mamori_app::Failure::Busy { retry_after_secs }) => {
            let seconds = [("seconds", retry_after_secs.to_string())];
            let error = refused("import_limits.busy", &seconds);
            let status = StatusCode::SERVICE_UNAVAILABLE;
            let mut page = upload_page(&state, &ctx, &signed, error, status).await?;
            page.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            return Ok(page);
        }
        Err(e) => return Err(e.into()),
    };
    mapping_page(&state, &ctx, &signed, &staged).await
}

/// The mapping step of a staged file.
pub(super) async fn mapping_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    staged: &Staged,
) -> Result<Response, AppError> {
    let samples = imports::samples(&state.app, staged).await?;
    let page = MappingPage {
        t: ctx.tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        token: staged.token.clone(),
        file_name: staged.file_name.clone(),
        rows: group_digits(staged.rows),
        columns: column_views(&ctx.tr, staged, &staged.mapping, &samples),
        profile: staged.profile.clone(),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\x\\台帳.xlsx"), "台帳.xlsx");
        assert_eq!(clean_file_name("../a\u{7}b.csv"), "ab.csv");
        assert_eq!(clean_file_name(""), "upload");
        assert_eq!(group_digits(100_000), "100,000");
        assert_eq!(group_digits(999), "999");
    }
}
