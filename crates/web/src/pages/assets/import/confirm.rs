//! Preview and confirm of an import: every row planned with the chosen mapping (new,
//! update with its changes, unchanged, possible duplicate, error), shown a page at a
//! time with counts for all rows, then imported in one transaction through
//! `mamori_app::assets::imports::confirm`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::assets::files::{RowError, field_named};
use mamori_app::assets::imports::{
    self, CODED, Choices, Confirmed, DuplicateChoice, Meaning, OwnNumbers, Preview, RowPlan,
    Staged, ValueMapping, choices, may_be_empty,
};
use mamori_app::i18n::Tr;
use mamori_domain::classification::Axis;
use serde::Deserialize;

use super::{ColumnView, column_views, group_digits, shorten, upload_page};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::{Layout, render};
use crate::pages::assets::{category_key, form_key, holder_type_key, segment_key, status_key};
use crate::state::AppState;
use mamori_app::assets::files::Mapping;

/// Error lines a page shows; the counts always cover every row.
const SHOWN_ERRORS: usize = 500;
/// Rows per page of the preview.
const PAGE_ROWS: usize = 50;
/// Possible duplicates listed for a choice on one page.
const SHOWN_CHOICES: usize = 500;

/// A problem as a line of the error table.
pub struct ErrorView {
    pub line: String,
    pub field: &'static str,
    pub value: String,
    pub message: String,
}

/// One row of the preview: its kind and what it does.
pub struct RowView {
    pub line: usize,
    pub kind: &'static str,
    pub kind_class: &'static str,
    pub name: String,
    /// "field: old → new" for an update, messages for an error.
    pub details: Vec<String>,
    pub asset_id: Option<i64>,
}

/// A value of a coded column the check does not read, and the meanings offered.
pub struct ValueView {
    pub index: usize,
    pub field: &'static str,
    pub field_label: &'static str,
    pub value: String,
    pub rows: String,
    pub options: Vec<OptionView>,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// How a code of a coded field is shown: the register's word (or the level's name).
fn code_label(tr: &Tr, field: &str, code: &str, preview: &Preview) -> String {
    use mamori_app::assets::{Category, Form, HolderType, Segment, Status};
    let key = match field {
        "category" => Category::parse(code).map(category_key),
        "form" => Form::parse(code).map(form_key),
        "holder_type" => HolderType::parse(code).map(holder_type_key),
        "segment" => Segment::parse(code).map(segment_key),
        "status" => Status::parse(code).map(status_key),
        _ => None,
    };
    if let Some(key) = key {
        return tr.t(key).to_owned();
    }
    let axis = match field {
        "confidentiality" => Axis::Confidentiality,
        "integrity" => Axis::Integrity,
        _ => Axis::Availability,
    };
    preview
        .scheme
        .levels_of(axis)
        .into_iter()
        .find(|l| l.code == code)
        .map(|l| crate::http::labels::bracketed(tr, &l.code, &l.name))
        .unwrap_or_else(|| code.to_owned())
}

fn value_views(tr: &Tr, preview: &Preview) -> Vec<ValueView> {
    preview
        .unknown
        .iter()
        .enumerate()
        .map(|(index, unknown)| {
            let field = unknown.field;
            let chosen = unknown.meaning.as_ref().map(Meaning::form_value);
            let mut options = vec![OptionView {
                value: String::new(),
                label: tr.t("asset.import.values_undecided").to_owned(),
                selected: chosen.is_none(),
            }];
            let mut meanings: Vec<(Meaning, String)> = choices(field, &preview.scheme)
                .into_iter()
                .map(|code| {
                    let label = code_label(tr, field, &code, preview);
                    (Meaning::Value(code), label)
                })
                .collect();
            if may_be_empty(field) {
                meanings.push((Meaning::Empty, tr.t("asset.import.values_empty").to_owned()));
            }
            meanings.push((
                Meaning::Refuse,
                tr.t("asset.import.values_refuse").to_owned(),
            ));
            options.extend(meanings.into_iter().map(|(meaning, label)| {
                let value = meaning.form_value();
                OptionView {
                    selected: chosen.as_deref() == Some(value.as_str()),
                    value,
                    label,
                }
            }));
            ValueView {
                index,
                field,
                field_label: tr.t(mamori_app::assets::field_key(field)),
                value: shorten(&unknown.value, 60),
                rows: group_digits(unknown.rows),
                options,
            }
        })
        .collect()
}

/// A row that looks like an existing asset, with the choice made so far.
pub struct DuplicateView {
    pub line: usize,
    pub name: String,
    pub existing: i64,
    pub choice: &'static str,
}

#[derive(Template)]
#[template(path = "assets/import_preview.html")]
pub(super) struct PreviewPage {
    t: Tr,
    layout: Layout,
    token: String,
    file_name: String,
    counts: Vec<(&'static str, String)>,
    has_errors: bool,
    lead: String,
    errors: Vec<ErrorView>,
    more_errors: Option<String>,
    /// Values kept as written (a 保存期間 no reading fits): shown, never refused.
    notes: Vec<ErrorView>,
    rows: Vec<RowView>,
    page: usize,
    pages: usize,
    duplicates: Vec<DuplicateView>,
    needs_reason: bool,
    /// A step just done (a mapping profile saved).
    notice: Option<String>,
    /// (header, rows, answer) when the number column is the register's own numbering.
    own_numbers: Option<(String, String, &'static str)>,
    reason: String,
    values: Vec<ValueView>,
    confirm_label: String,
    columns: Vec<ColumnView>,
    /// (column index, field) for the hidden inputs of the confirmation.
    chosen: Vec<(usize, &'static str)>,
}

fn bad_choice() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_choice",
        "error.invalid_choice",
    )
}

/// The mapping the form sent: `col{i}` is a field name or empty for each column; `None`
/// when the form sent no mapping at all (the staged one stands).
fn mapping_from_form(
    form: &HashMap<String, String>,
    width: usize,
) -> Result<Option<Mapping>, AppError> {
    if !(0..width).any(|i| form.contains_key(&format!("col{i}"))) {
        return Ok(None);
    }
    let mut columns = Vec::with_capacity(width);
    for index in 0..width {
        let value = form
            .get(&format!("col{index}"))
            .map(|v| v.trim())
            .unwrap_or("");
        if value.is_empty() {
            columns.push(None);
        } else {
            columns.push(Some(field_named(value).ok_or_else(bad_choice)?));
        }
    }
    Ok(Some(Mapping::chosen(columns)))
}

/// The value mapping the form sent (`vf{n}` field, `vv{n}` value as written, `vm{n}`
/// its meaning); `None` when the form sent none (the staged one stands).
fn values_from_form(form: &HashMap<String, String>) -> Result<Option<ValueMapping>, AppError> {
    if !form.contains_key("vf0") {
        return Ok(None);
    }
    let mut values = ValueMapping::default();
    for n in 0.. {
        let (Some(field), Some(value)) = (form.get(&format!("vf{n}")), form.get(&format!("vv{n}")))
        else {
            break;
        };
        let field = CODED
            .into_iter()
            .find(|f| f == field)
            .ok_or_else(bad_choice)?;
        match form.get(&format!("vm{n}")).map(String::as_str) {
            None | Some("") => {}
            Some(meaning) => values.set(
                field,
                value,
                Meaning::parse(meaning).ok_or_else(bad_choice)?,
            ),
        }
    }
    Ok(Some(values))
}

/// Keeps what the form says of the mapping: columns and values (each when sent).
async fn keep_mapping(
    state: &AppState,
    signed: &SignedIn,
    staged: &Staged,
    form: &HashMap<String, String>,
) -> Result<(), AppError> {
    let columns = mapping_from_form(form, staged.headers.len())?;
    let values = values_from_form(form)?;
    if columns.is_none() && values.is_none() {
        return Ok(());
    }
    let columns = columns.unwrap_or_else(|| staged.mapping.clone());
    let values = values.unwrap_or_else(|| staged.values.clone());
    let acting = &signed.0.acting;
    imports::set_mapping(&state.app, acting, &staged.token, &columns, &values).await?;
    Ok(())
}

/// The batch reason and each duplicate's choice (`dup{line}`).
fn choices_from_form(form: &HashMap<String, String>) -> Result<Choices, AppError> {
    let mut choices = Choices {
        reason: form.get("reason").cloned().unwrap_or_default(),
        own_numbers: match form.get("own_numbers").map(String::as_str) {
            None | Some("") => None,
            Some(text) => Some(OwnNumbers::parse(text).ok_or_else(bad_choice)?),
        },
        ..Choices::default()
    };
    for (name, value) in form {
        let Some(line) = name.strip_prefix("dup") else {
            continue;
        };
        let line: usize = line.parse().map_err(|_| bad_choice())?;
        if value.is_empty() {
            continue;
        }
        let choice = DuplicateChoice::parse(value).ok_or_else(bad_choice)?;
        choices.duplicates.insert(line, choice);
    }
    Ok(choices)
}

/// Reads the form after the access check, so that a refused caller gets 403 whatever
/// they sent.
async fn read_form(request: Request) -> Result<HashMap<String, String>, AppError> {
    let WebForm(form) = WebForm::<HashMap<String, String>>::from_request(request, &()).await?;
    Ok(form)
}

async fn permit(state: &AppState, signed: &SignedIn) -> Result<(), AppError> {
    crate::pages::assets::permit(
        state,
        signed,
        mamori_domain::access::Register::Assets,
        mamori_domain::access::Act::Edit,
        "asset.import.title",
    )
    .await
}

/// A staged file that is gone, expired or someone else's: the upload form again, 410.
async fn or_expired<T>(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    result: Result<T, Failure>,
) -> Result<Result<T, Response>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Failure::Conflict(refusal)) if refusal.code == "import_expired" => {
            let error = Some(ctx.tr.t(refusal.key).to_owned());
            Ok(Err(upload_page(
                state,
                ctx,
                signed,
                error,
                StatusCode::GONE,
            )
            .await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// Values kept as written, by row: the message says what was kept.
fn note_views(tr: &Tr, preview: &Preview) -> Vec<ErrorView> {
    preview
        .plan
        .notes
        .iter()
        .take(SHOWN_ERRORS)
        .map(|n| ErrorView {
            line: n.line.to_string(),
            field: n.field_label(tr),
            value: String::new(),
            message: n.message(tr),
        })
        .collect()
}

fn error_views(tr: &Tr, preview: &Preview) -> Vec<ErrorView> {
    let view = |e: &RowError, cells: &[String]| {
        let column = e.field.and_then(|f| preview.staged.mapping.column_of(f));
        let value = column
            .and_then(|c| cells.get(c))
            .map(|c| shorten(c, 60))
            .unwrap_or_default();
        ErrorView {
            line: if e.line == 0 {
                tr.t("asset.import.whole_file").to_owned()
            } else {
                e.line.to_string()
            },
            field: e.field_label(tr),
            value,
            message: e.message(tr),
        }
    };
    let plan = &preview.plan;
    plan.file_errors
        .iter()
        .map(|e| view(e, &[]))
        .chain(plan.rows.iter().flat_map(|row| {
            match &row.plan {
                RowPlan::Error(errors) => errors
                    .iter()
                    .map(|e| view(e, &row.cells))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            }
        }))
        .take(SHOWN_ERRORS)
        .collect()
}

fn row_view(tr: &Tr, row: &imports::PlannedRow) -> RowView {
    let (kind, kind_class, details, asset_id) = match &row.plan {
        RowPlan::New(_) => ("asset.import.kind.new", "kind-new", Vec::new(), None),
        RowPlan::Update { id, changes, .. } => (
            "asset.import.kind.update",
            "kind-update",
            changes
                .iter()
                .map(|c| {
                    crate::http::labels::labelled(
                        tr,
                        tr.t(mamori_app::assets::field_key(c.field)),
                        &format!("{} → {}", shorten(&c.old, 40), shorten(&c.new, 40)),
                    )
                })
                .collect(),
            Some(*id),
        ),
        RowPlan::Unchanged(id) => (
            "asset.import.kind.unchanged",
            "kind-unchanged",
            Vec::new(),
            Some(*id),
        ),
        RowPlan::Undecided(_) => (
            "asset.import.kind.duplicate",
            "kind-duplicate",
            Vec::new(),
            row.duplicate_of,
        ),
        RowPlan::Skipped => (
            "asset.import.kind.skipped",
            "kind-skipped",
            Vec::new(),
            row.duplicate_of,
        ),
        RowPlan::Error(errors) => (
            "asset.import.kind.error",
            "kind-error",
            errors.iter().map(|e| e.message(tr)).collect(),
            None,
        ),
    };
    RowView {
        line: row.line,
        kind: tr.t(kind),
        kind_class,
        name: shorten(&row.name, 80),
        details,
        asset_id,
    }
}

/// The preview page of a planned file, page `page` (from 1) of its rows.
pub(super) async fn preview_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    preview: &Preview,
    choices: &Choices,
    page: usize,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let plan = &preview.plan;
    let c = plan.counts;
    let n = group_digits;
    let pages = c.rows.div_ceil(PAGE_ROWS).max(1);
    let page = page.clamp(1, pages);
    let has_errors = c.errors > 0;
    let lead = if has_errors {
        let error_rows = c.error_rows + usize::from(!plan.file_errors.is_empty());
        tr.f(
            "asset.import.errors_lead",
            &[("rows", n(error_rows)), ("count", n(c.errors))],
        )
    } else if !plan.writes() && c.undecided == 0 {
        tr.f("asset.import.nothing_lead", &[("count", n(c.unchanged))])
    } else {
        tr.f(
            "asset.import.plan_lead",
            &[("new", n(c.new)), ("update", n(c.update))],
        )
    };
    let confirm_label = if !plan.writes() && c.undecided == 0 {
        tr.t("asset.import.confirm_nothing").to_owned()
    } else if c.update == 0 && c.undecided == 0 {
        tr.f("asset.import.confirm", &[("count", n(c.new))])
    } else {
        tr.t("asset.import.confirm_plan").to_owned()
    };
    let samples = imports::samples(&state.app, &preview.staged).await?;
    let staged: &Staged = &preview.staged;
    let view = PreviewPage {
        t: tr,
        layout: Layout::load(state, "assets", "/assets/import", Some(&signed.0)).await,
        token: staged.token.clone(),
        file_name: staged.file_name.clone(),
        counts: vec![
            ("asset.import.row_count", n(c.rows)),
            ("asset.import.kind.new", n(c.new)),
            ("asset.import.kind.update", n(c.update)),
            ("asset.import.kind.unchanged", n(c.unchanged)),
            ("asset.import.kind.duplicate", n(c.undecided)),
            ("asset.import.kind.skipped", n(c.skipped)),
            ("asset.import.error_row_count", n(c.error_rows)),
        ],
        has_errors,
        lead,
        errors: error_views(&tr, preview),
        more_errors: (c.errors > SHOWN_ERRORS).then(|| {
            tr.f(
                "asset.import.more_errors",
                &[("count", n(c.errors - SHOWN_ERRORS))],
            )
        }),
        notes: note_views(&tr, preview),
        rows: plan
            .rows
            .iter()
            .skip((page - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|row| row_view(&tr, row))
            .collect(),
        page,
        pages,
        duplicates: plan
            .rows
            .iter()
            .filter_map(|row| {
                Some(DuplicateView {
                    line: row.line,
                    name: shorten(&row.name, 80),
                    existing: row.duplicate_of?,
                    choice: row.choice.map(DuplicateChoice::as_str).unwrap_or(""),
                })
            })
            .take(SHOWN_CHOICES)
            .collect(),
        needs_reason: c.needs_reason > 0 || !choices.reason.trim().is_empty(),
        notice,
        own_numbers: plan.own_numbers.as_ref().map(|o| {
            (
                o.header.clone(),
                n(o.rows),
                o.answer.map(OwnNumbers::as_str).unwrap_or(""),
            )
        }),
        reason: choices.reason.clone(),
        values: value_views(&tr, preview),
        confirm_label,
        columns: column_views(&tr, staged, &staged.mapping, &samples),
        chosen: staged
            .mapping
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .collect(),
    };
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &view)
}

/// `POST /assets/import/preview`: keeps the chosen mapping and plans every row.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed).await?;
    let form = read_form(request).await?;
    let token = form.get("token").cloned().unwrap_or_default();
    let acting = &signed.0.acting;
    let opened = imports::open(&state.app, acting, &token).await;
    let staged = match or_expired(&state, &ctx, &signed, opened).await? {
        Ok(staged) => staged,
        Err(page) => return Ok(page),
    };
    keep_mapping(&state, &signed, &staged, &form).await?;
    let choices = choices_from_form(&form)?;
    let preview = imports::preview(&state.app, acting, &token, &choices).await?;
    preview_page(&state, &ctx, &signed, &preview, &choices, 1, None).await
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    page: Option<usize>,
    /// Set by the redirect after a mapping profile was saved, to say so.
    #[serde(default)]
    profile_saved: Option<String>,
}

/// `GET /assets/import/preview?token=…&page=N`: another page of the rows.
pub async fn preview_page_get(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    permit(&state, &signed).await?;
    let choices = Choices::default();
    let planned = imports::preview(&state.app, &signed.0.acting, &query.token, &choices).await;
    let preview = match or_expired(&state, &ctx, &signed, planned).await? {
        Ok(preview) => preview,
        Err(page) => return Ok(page),
    };
    let page = query.page.unwrap_or(1);
    let saved = query
        .profile_saved
        .is_some()
        .then(|| ctx.tr.t("asset.import.profile_saved").to_owned());
    preview_page(&state, &ctx, &signed, &preview, &choices, page, saved).await
}

#[derive(Template)]
#[template(path = "assets/import_done.html")]
struct DonePage {
    t: Tr,
    layout: Layout,
    message: String,
    import_id: Option<i64>,
    ids: Option<(i64, i64)>,
}

/// `POST /assets/import/confirm`: plans again and imports in one transaction (all or
/// none). The staged file is taken in that transaction: a form sent twice imports once.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    permit(&state, &signed).await?;
    let form = read_form(request).await?;
    let token = form.get("token").cloned().unwrap_or_default();
    let acting = &signed.0.acting;
    let opened = imports::open(&state.app, acting, &token).await;
    let staged = match or_expired(&state, &ctx, &signed, opened).await? {
        Ok(staged) => staged,
        Err(page) => return Ok(page),
    };
    keep_mapping(&state, &signed, &staged, &form).await?;
    let choices = choices_from_form(&form)?;
    let confirmed = imports::confirm(&state.app, acting, &token, &choices).await;
    let confirmed = match or_expired(&state, &ctx, &signed, confirmed).await? {
        Ok(confirmed) => confirmed,
        Err(page) => return Ok(page),
    };
    let (message, import_id, ids) = match confirmed {
        Confirmed::Refused(preview) => {
            let mut response =
                preview_page(&state, &ctx, &signed, &preview, &choices, 1, None).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        Confirmed::NothingChanged { unchanged } => {
            let count = ("count", group_digits(unchanged));
            let file = ("file", staged.file_name.clone());
            let message = ctx.tr.f("asset.import.done_nothing", &[file, count]);
            (message, None, None)
        }
        Confirmed::Imported {
            id,
            counts,
            created,
        } => (
            done_message(&ctx.tr, &staged.file_name, counts),
            Some(id),
            created.first().zip(created.last()).map(|(a, b)| (*a, *b)),
        ),
    };
    let page = DonePage {
        t: ctx.tr,
        layout: Layout::load(&state, "assets", "/assets/import", Some(&signed.0)).await,
        message,
        import_id,
        ids,
    };
    render(StatusCode::OK, &page)
}

fn done_message(tr: &Tr, file_name: &str, counts: imports::ImportCounts) -> String {
    tr.f(
        "asset.import.done_plan",
        &[
            ("file", file_name.to_owned()),
            ("count", group_digits(counts.created as usize)),
            ("updated", group_digits(counts.updated as usize)),
            ("unchanged", group_digits(counts.unchanged as usize)),
        ],
    )
}
