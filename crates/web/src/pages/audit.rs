//! The audit trail: who did what, when, from where. Security officers and auditors read
//! it here, filter it, and export it as CSV for Excel; the chain check comes first.

use std::pin::Pin;
use std::task::{Context, Poll};

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::audit::{self, AuditFilter, AuditRecord, ChainBreak, ChainReport};
use mamori_domain::wareki::{self, JST};
use serde::Deserialize;
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::api::pagination::{PageQuery, PageRequest};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::i18n::{self, Tr};

/// Entries per page on the audit page.
pub const PER_PAGE: u32 = 100;

/// Longest text accepted in the actor and target-type filters.
const MAX_FILTER_CHARS: usize = 100;

/// The filters as they arrive in the query string, kept as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub target_type: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

impl FilterQuery {
    /// Reads a raw query string after the access check, so that a refused caller gets
    /// 403 whatever they sent.
    pub fn parse(raw: Option<&str>) -> Result<FilterQuery, AppError> {
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                "error.malformed_query",
            )
            .with("detail", e)
        })
    }
}

/// A filter that could not be read: the field, and a locale key with its parameters.
#[derive(Debug, Clone)]
pub struct FilterProblem {
    pub field: &'static str,
    pub code: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl FilterProblem {
    pub fn message(&self, tr: &Tr) -> String {
        tr.f(self.key, &self.params)
    }

    /// As an API error: 422 naming the query parameter.
    pub fn into_error(self, tr: &Tr) -> AppError {
        let name = self.field;
        self.into_error_named(tr, name)
    }

    fn into_error_named(self, tr: &Tr, name: &str) -> AppError {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            self.code,
            "audit.error.parameter",
        )
        .with("name", name)
        .with("detail", self.message(tr))
    }

    /// As an error page: 422 naming the field as the form labels it.
    fn into_page_error(self, tr: &Tr) -> AppError {
        let label = match self.field {
            "actor" => tr.t("audit.actor"),
            "action" => tr.t("audit.operation"),
            "target_type" => tr.t("audit.target_type"),
            "from" => tr.t("audit.from"),
            _ => tr.t("audit.to"),
        };
        self.into_error_named(tr, label)
    }
}

/// A filter ready for the store, and the Japan dates it was given as (for the record of
/// an export).
#[derive(Debug, Clone, Default)]
pub struct ParsedFilter {
    pub filter: AuditFilter,
    pub from_date: Option<Date>,
    pub to_date: Option<Date>,
}

/// The action groups: `auth.` for every `auth.*` action, in the order of [`audit::ACTIONS`].
pub fn action_groups() -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for action in audit::ACTIONS {
        if let Some((prefix, _)) = action.split_once('.') {
            let group = format!("{prefix}.");
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
    }
    groups.sort();
    groups
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// 00:00 in Japan on `date`, as stored.
fn japan_midnight(date: Date) -> String {
    crate::api::dates::timestamp(date.midnight().assume_offset(JST))
}

/// Reads the filters. Dates are Japan dates in any form [`wareki::parse_date_input`]
/// accepts: `from` is 00:00 JST of its day, `to` 00:00 JST of the day after (exclusive).
/// With `instants`, an RFC 3339 timestamp is taken as the exact bound (the API).
pub fn parse_filter(
    query: &FilterQuery,
    instants: bool,
) -> Result<ParsedFilter, Vec<FilterProblem>> {
    let mut problems = Vec::new();
    let mut parsed = ParsedFilter::default();
    let too_long = |field: &'static str| FilterProblem {
        field,
        code: "invalid_filter",
        key: "field.error.too_long",
        params: vec![("max", MAX_FILTER_CHARS.to_string())],
    };
    if let Some(actor) = present(&query.actor) {
        if actor.chars().count() > MAX_FILTER_CHARS {
            problems.push(too_long("actor"));
        } else {
            parsed.filter.actor = Some(actor.to_owned());
        }
    }
    if let Some(target_type) = present(&query.target_type) {
        if target_type.chars().count() > MAX_FILTER_CHARS {
            problems.push(too_long("target_type"));
        } else {
            parsed.filter.target_type = Some(target_type.to_owned());
        }
    }
    if let Some(action) = present(&query.action) {
        let known = audit::ACTIONS.contains(&action) || action_groups().iter().any(|g| g == action);
        if known {
            parsed.filter.action = Some(action.to_owned());
        } else {
            problems.push(FilterProblem {
                field: "action",
                code: "invalid_action",
                key: "audit.error.unknown_action",
                params: vec![("action", action.chars().take(MAX_FILTER_CHARS).collect())],
            });
        }
    }
    let mut bound = |field: &'static str, text: Option<&str>, next_day: bool| {
        let text = text?;
        if instants && let Some(at) = parse_timestamp(text) {
            return Some((None, Some(crate::api::dates::timestamp(at))));
        }
        match wareki::parse_date_input(text) {
            Ok(date) => {
                let at = if next_day {
                    // The last day there is has no day after it: no upper bound.
                    date.next_day().map(japan_midnight)
                } else {
                    Some(japan_midnight(date))
                };
                Some((Some(date), at))
            }
            Err(e) => {
                problems.push(FilterProblem {
                    field,
                    code: "invalid_date",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        }
    };
    if let Some((date, at)) = bound("from", present(&query.from), false) {
        parsed.from_date = date;
        parsed.filter.from = at;
    }
    if let Some((date, at)) = bound("to", present(&query.to), true) {
        parsed.to_date = date;
        parsed.filter.to = at;
    }
    if let (Some(from), Some(to)) = (&parsed.filter.from, &parsed.filter.to)
        && from >= to
    {
        problems.push(FilterProblem {
            field: "to",
            code: "invalid_range",
            key: "audit.error.range",
            params: Vec::new(),
        });
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// A string from the catalogue if there is one (labels of open-ended codes).
fn lookup(tr: &Tr, key: &str) -> Option<&'static str> {
    i18n::catalog(tr.lang).get(key).map(String::as_str)
}

pub fn action_label(tr: &Tr, action: &str) -> String {
    lookup(tr, &format!("audit.action.{action}"))
        .map(str::to_owned)
        .unwrap_or_else(|| action.to_owned())
}

fn group_label(tr: &Tr, group: &str) -> String {
    let name = group.trim_end_matches('.');
    lookup(tr, &format!("audit.group.{name}"))
        .map(str::to_owned)
        .unwrap_or_else(|| group.to_owned())
}

fn target_type_label(tr: &Tr, target_type: &str) -> String {
    lookup(tr, &format!("audit.target_kind.{target_type}"))
        .map(str::to_owned)
        .unwrap_or_else(|| target_type.to_owned())
}

fn actor_label(tr: &Tr, record: &AuditRecord) -> String {
    if record.actor_id.is_none() && record.actor_label == "anonymous" {
        tr.t("audit.anonymous").to_owned()
    } else {
        record.actor_label.clone()
    }
}

/// What was acted on, e.g. "利用者：12" or "画面・機能：監査記録の閲覧".
fn target_text(tr: &Tr, record: &AuditRecord) -> String {
    let kind = target_type_label(tr, &record.target_type);
    match record.target_id.as_deref() {
        None => kind,
        Some(id) => {
            // A refused route names what was refused; show its name where it has one.
            let id = if record.target_type == "route" {
                lookup(tr, id).unwrap_or(id)
            } else {
                id
            };
            tr.f(
                "audit.target_with_id",
                &[("kind", kind), ("id", id.to_owned())],
            )
        }
    }
}

fn value_text(tr: &Tr, value: &Value) -> String {
    match value {
        Value::Null => tr.t("audit.none_value").to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `{"field": [before, after]}` as lines "field: before → after"; "field: after" when
/// there was nothing before. Anything else is shown as stored.
pub fn change_lines(tr: &Tr, changes: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(changes) else {
        return vec![changes.to_owned()];
    };
    let Value::Object(fields) = value else {
        return vec![changes.to_owned()];
    };
    fields
        .iter()
        .map(|(field, change)| {
            let name = lookup(tr, &format!("audit.field.{field}")).unwrap_or(field);
            match change {
                Value::Array(pair) if pair.len() == 2 => {
                    if pair[0].is_null() {
                        format!("{name}: {}", value_text(tr, &pair[1]))
                    } else {
                        format!(
                            "{name}: {} → {}",
                            value_text(tr, &pair[0]),
                            value_text(tr, &pair[1])
                        )
                    }
                }
                other => format!("{name}: {}", value_text(tr, other)),
            }
        })
        .collect()
}

/// One `<option>` of the action list.
pub struct ActionOption {
    pub value: String,
    pub label: String,
}

/// An `<optgroup>`: the whole group first, then its actions.
pub struct ActionGroup {
    pub label: String,
    pub options: Vec<ActionOption>,
}

fn action_choices(tr: &Tr) -> Vec<ActionGroup> {
    action_groups()
        .into_iter()
        .map(|group| {
            let label = group_label(tr, &group);
            let mut options = vec![ActionOption {
                value: group.clone(),
                label: tr.f("audit.action_group_all", &[("group", label.clone())]),
            }];
            options.extend(
                audit::ACTIONS
                    .iter()
                    .filter(|a| a.starts_with(group.as_str()))
                    .map(|a| ActionOption {
                        value: (*a).to_owned(),
                        label: action_label(tr, a),
                    }),
            );
            ActionGroup { label, options }
        })
        .collect()
}

/// The chain check, as shown at the top of the page.
pub struct ChainView {
    pub intact: bool,
    pub message: String,
    pub advice: String,
}

fn chain_view(ctx: &Ctx, report: &ChainReport) -> ChainView {
    let tr = &ctx.tr;
    match report.first_break {
        None => ChainView {
            intact: true,
            message: tr.f(
                "audit.chain_intact",
                &[("entries", report.entries.to_string())],
            ),
            advice: tr.f(
                "audit.chain_checked_at",
                &[("at", ctx.datetime(OffsetDateTime::now_utc()))],
            ),
        },
        Some(ChainBreak::Edited { id }) => ChainView {
            intact: false,
            message: tr.f("audit.chain_edited", &[("id", id.to_string())]),
            advice: tr.t("audit.chain_advice").to_owned(),
        },
        Some(ChainBreak::Unlinked { id }) => ChainView {
            intact: false,
            message: tr.f("audit.chain_unlinked", &[("id", id.to_string())]),
            advice: tr.t("audit.chain_advice").to_owned(),
        },
    }
}

/// One row of the table.
pub struct Row {
    pub id: i64,
    pub at: String,
    pub at_iso: String,
    pub actor: String,
    pub client_addr: String,
    pub action: String,
    pub action_code: String,
    pub target: String,
    pub changes: Vec<String>,
}

fn row(ctx: &Ctx, record: &AuditRecord) -> Row {
    let tr = &ctx.tr;
    Row {
        id: record.id,
        at: parse_timestamp(&record.at)
            .map(|at| ctx.datetime(at))
            .unwrap_or_else(|| record.at.clone()),
        at_iso: record.at.clone(),
        actor: actor_label(tr, record),
        client_addr: record.client_addr.clone().unwrap_or_default(),
        action: action_label(tr, &record.action),
        action_code: record.action.clone(),
        target: target_text(tr, record),
        changes: change_lines(tr, &record.changes),
    }
}

/// The form as typed, to show it again.
#[derive(Default)]
pub struct FormValues {
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub from: String,
    pub to: String,
}

impl FormValues {
    fn of(query: &FilterQuery) -> FormValues {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FormValues {
            actor: text(&query.actor),
            action: text(&query.action),
            target_type: text(&query.target_type),
            from: text(&query.from),
            to: text(&query.to),
        }
    }

    /// The query string for these filters (and a page), for links that keep them.
    fn query(&self, page: Option<u32>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target_type", &self.target_type),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect();
        if let Some(page) = page {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

pub struct ShownProblem {
    pub field: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    layout: Layout,
    chain: ChainView,
    form: FormValues,
    problems: Vec<ShownProblem>,
    actions: Vec<ActionGroup>,
    /// False when the filters could not be read: the form comes back without a list.
    show_results: bool,
    rows: Vec<Row>,
    summary: String,
    page_status: String,
    previous: Option<String>,
    next: Option<String>,
    csv_link: String,
}

impl AuditPage {
    fn problem_for(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }
}

/// `GET /audit`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    audit::may_read(&state.app, acting, "audit.view").await?;
    let query = FilterQuery::parse(raw.as_deref())?;
    let request = PageQuery {
        page: query.page.clone(),
        per_page: None,
    }
    .parse()?;
    let request = PageRequest {
        page: request.page,
        per_page: PER_PAGE,
    };
    let tr = ctx.tr;
    let form = FormValues::of(&query);
    let report = audit::verify_chain(&state.app, acting).await?;
    let layout = Layout::load(
        &state,
        "audit",
        &with_query("/audit", &form.query(Some(request.page).filter(|p| *p > 1))),
        Some(&signed.0),
    )
    .await;
    let mut page = AuditPage {
        t: tr,
        layout,
        chain: chain_view(&ctx, &report),
        problems: Vec::new(),
        actions: action_choices(&tr),
        show_results: false,
        rows: Vec::new(),
        summary: String::new(),
        page_status: String::new(),
        previous: None,
        next: None,
        csv_link: with_query("/audit.csv", &form.query(None)),
        form,
    };
    let parsed = match parse_filter(&query, false) {
        Ok(parsed) => parsed,
        Err(problems) => {
            page.problems = problems
                .iter()
                .map(|p| ShownProblem {
                    field: p.field,
                    message: p.message(&tr),
                })
                .collect();
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let (records, total) = audit::search(
        &state.app,
        acting,
        &parsed.filter,
        i64::from(PER_PAGE),
        offset,
    )
    .await?;
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    page.show_results = true;
    page.rows = records.iter().map(|r| row(&ctx, r)).collect();
    page.summary = if records.is_empty() {
        String::new()
    } else {
        let first = request.offset() + 1;
        tr.f(
            "audit.summary",
            &[
                ("total", total.to_string()),
                ("first", first.to_string()),
                ("last", (first + records.len() as u64 - 1).to_string()),
            ],
        )
    };
    page.page_status = tr.f(
        "audit.page_status",
        &[
            ("page", request.page.to_string()),
            ("pages", pages.to_string()),
        ],
    );
    if request.page > 1 {
        let previous = (request.page - 1).min(u32::try_from(pages).unwrap_or(u32::MAX));
        page.previous = Some(with_query(
            "/audit",
            &page.form.query(Some(previous).filter(|p| *p > 1)),
        ));
    }
    if u64::from(request.page) < pages {
        page.next = Some(with_query(
            "/audit",
            &page.form.query(Some(request.page + 1)),
        ));
    }
    render(StatusCode::OK, &page)
}

/// What an export records about itself: the filter, as given.
fn export_described(parsed: &ParsedFilter) -> Vec<(&'static str, String)> {
    let filter = &parsed.filter;
    let fields = [
        ("actor", filter.actor.clone()),
        ("action", filter.action.clone()),
        ("target_type", filter.target_type.clone()),
        (
            "from",
            parsed
                .from_date
                .map(|d| d.to_string())
                .or(filter.from.clone()),
        ),
        (
            "to",
            parsed.to_date.map(|d| d.to_string()).or(filter.to.clone()),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(field, value)| Some((field, value?)))
        .collect()
}

/// One CSV cell: a cell that a spreadsheet would read as a formula gets a leading `'`,
/// and a cell with a comma, quote or line break is quoted (quotes doubled).
pub fn csv_cell(text: &str) -> String {
    let neutral = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

pub(crate) fn csv_line(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell));
    }
    out.push_str("\r\n");
}

fn csv_header(tr: &Tr) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = [
        "audit.id",
        "audit.at_csv",
        "audit.actor",
        "audit.client_addr",
        "audit.operation",
        "audit.action_code",
        "audit.target_type",
        "audit.target_id",
        "audit.changes",
    ]
    .iter()
    .map(|key| tr.t(key).to_owned())
    .collect();
    csv_line(&mut out, &header);
    out
}

fn csv_rows(tr: &Tr, records: &[AuditRecord]) -> String {
    let mut out = String::new();
    for record in records {
        let at = parse_timestamp(&record.at)
            .and_then(|at| at.checked_to_offset(JST))
            .map(|at| {
                format!(
                    "{} {:02}:{:02}:{:02}",
                    at.date(),
                    at.hour(),
                    at.minute(),
                    at.second()
                )
            })
            .unwrap_or_else(|| record.at.clone());
        csv_line(
            &mut out,
            &[
                record.id.to_string(),
                at,
                actor_label(tr, record),
                record.client_addr.clone().unwrap_or_default(),
                action_label(tr, &record.action),
                record.action.clone(),
                target_type_label(tr, &record.target_type),
                record.target_id.clone().unwrap_or_default(),
                change_lines(tr, &record.changes).join("\n"),
            ],
        );
    }
    out
}

/// The chunks of a CSV being written by a task, as a response body.
struct Chunks(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// `GET /audit.csv`: the entries matching the filters, oldest first, for Excel (UTF-8
/// with BOM, CRLF). The export is recorded before the first byte is sent.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, &ctx, &signed, raw.as_deref(), false).await
}

/// The CSV export of the page (`api` false) and of `GET /api/v1/audit/export.csv`
/// (`api` true: instants are accepted, and problems name the query parameter).
pub async fn export(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    raw: Option<&str>,
    api: bool,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    audit::may_read(&state.app, acting, "audit.export").await?;
    let query = FilterQuery::parse(raw)?;
    let tr = ctx.tr;
    let parsed = parse_filter(&query, api).map_err(|problems| {
        problems
            .into_iter()
            .next()
            .map(|p| {
                if api {
                    p.into_error(&tr)
                } else {
                    p.into_page_error(&tr)
                }
            })
            .unwrap_or_else(AppError::internal)
    })?;
    let described = export_described(&parsed);
    let mut export = audit::export(&state.app, acting, &parsed.filter, &described).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(csv_header(&tr)))).await.is_err() {
            return;
        }
        loop {
            match export.next_batch().await {
                Ok(Some(records)) => {
                    let chunk = Bytes::from(csv_rows(&tr, &records));
                    if sender.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    // Break the download rather than end it as if it were complete.
                    tracing::error!(error = %e, "audit export failed part-way");
                    let _ = sender
                        .send(Err(std::io::Error::other("audit export failed")))
                        .await;
                    return;
                }
            }
        }
    });
    Ok(csv_response(Body::from_stream(Chunks(receiver)), "audit"))
}

/// A CSV download named `{stem}-YYYYMMDD.csv` (the Japan date of the export).
pub(crate) fn csv_response(body: Body, stem: &str) -> Response {
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

/// A stored or typed RFC 3339 moment.
fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::wareki::Lang;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("+81"), "'+81");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_cell("令和8年"), "令和8年");
    }

    #[test]
    fn changes_read_as_before_and_after() {
        let tr = Tr::new(Lang::En);
        let lines = change_lines(&tr, r#"{"locale":["ja","en"],"stage":[null,"active"]}"#);
        assert_eq!(lines, vec!["locale: ja → en", "stage: active"]);
        assert_eq!(change_lines(&tr, "{}"), Vec::<String>::new());
        assert_eq!(change_lines(&tr, "not json"), vec!["not json"]);
        assert_eq!(
            change_lines(&tr, r#"{"active":[true,null]}"#),
            vec!["active: true → (none)"]
        );
    }

    #[test]
    fn every_action_group_has_a_label() {
        for group in action_groups() {
            let key = format!("audit.group.{}", group.trim_end_matches('.'));
            assert!(i18n::JA.contains_key(&key), "{key} missing in ja.toml");
            assert!(i18n::EN.contains_key(&key), "{key} missing in en.toml");
        }
    }

    #[test]
    fn dates_are_japan_days() {
        let query = FilterQuery {
            from: Some("令和8年3月18日".into()),
            to: Some("2026/3/18".into()),
            ..FilterQuery::default()
        };
        let parsed = parse_filter(&query, false).unwrap();
        assert_eq!(parsed.filter.from.as_deref(), Some("2026-03-17T15:00:00Z"));
        assert_eq!(parsed.filter.to.as_deref(), Some("2026-03-18T15:00:00Z"));

        let backwards = FilterQuery {
            from: Some("2026-03-19".into()),
            to: Some("2026-03-18".into()),
            ..FilterQuery::default()
        };
        let problems = parse_filter(&backwards, false).unwrap_err();
        assert_eq!(problems[0].field, "to");

        let bad = FilterQuery {
            from: Some("2026-02-30".into()),
            action: Some("nothing.such".into()),
            ..FilterQuery::default()
        };
        let problems = parse_filter(&bad, false).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["action", "from"]);

        let instant = FilterQuery {
            from: Some("2026-03-18T10:00:00+09:00".into()),
            ..FilterQuery::default()
        };
        assert!(parse_filter(&instant, false).is_err());
        assert_eq!(
            parse_filter(&instant, true).unwrap().filter.from.as_deref(),
            Some("2026-03-18T01:00:00Z")
        );
    }
}
