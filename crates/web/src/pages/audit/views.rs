//! `GET /audit/views`: who opened restricted records (or the personal information of a
//! record), per record, per person and per period — for those who read the audit trail.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::audit::AuditRecord;
use mamori_app::files::{self, RecordKind};
use mamori_app::i18n::Tr;

use crate::api::files::{VIEWS_PER_PAGE, ViewsQuery, view_out};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::Choice;
use crate::http::{Layout, render};
use crate::state::AppState;

struct ViewRow {
    at: String,
    login: String,
    record: String,
    link: String,
    via: String,
}

#[derive(Template)]
#[template(path = "audit/views.html")]
struct ViewsPage {
    t: Tr,
    layout: Layout,
    kinds: Vec<Choice>,
    kind: String,
    record_id: String,
    login: String,
    from: String,
    to: String,
    error: Option<String>,
    rows: Vec<ViewRow>,
    total: u64,
    next: Option<String>,
    previous: Option<String>,
}

fn kind_key(kind: &str) -> &'static str {
    match RecordKind::parse(kind) {
        Some(RecordKind::Asset) => "file.kind.asset",
        Some(RecordKind::Risk) => "file.kind.risk",
        Some(other) => other.label_key(),
        None => "file.kind.other",
    }
}

/// The query of another page of the same list.
fn page_link(query: &ViewsQuery, page: u32) -> String {
    let pairs = [
        ("record_kind", query.record_kind.clone()),
        ("record_id", query.record_id.clone()),
        ("login", query.login.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
        ("page", Some(page.to_string())),
    ];
    let kept: Vec<(&str, String)> = pairs
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect();
    format!(
        "/audit/views?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

/// One view as the list shows it: the time in Japan, and a link to the record.
fn view_row(ctx: &Ctx, record: &AuditRecord) -> ViewRow {
    let out = view_out(record);
    let id = out.record_id.clone().unwrap_or_default();
    ViewRow {
        at: crate::http::params::audit::parse_timestamp(&out.at)
            .map(|at| ctx.datetime(at))
            .unwrap_or(out.at.clone()),
        login: out.login,
        record: format!("{} {id}", ctx.tr.t(kind_key(&out.record_kind))),
        link: match (RecordKind::parse(&out.record_kind), id.parse::<i64>()) {
            (Some(kind), Ok(id)) => kind.path(id),
            _ => String::new(),
        },
        via: out.via,
    }
}

/// The rows of one page and how many match, or why the filter could not be read.
async fn rows(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    query: &ViewsQuery,
    page: u32,
) -> Result<(Vec<ViewRow>, u64, Option<String>), AppError> {
    let filter = match query.filter() {
        Ok(filter) => filter,
        Err(e) => return Ok((Vec::new(), 0, Some(e.message(&ctx.tr)))),
    };
    let offset = i64::from(page - 1) * VIEWS_PER_PAGE;
    let (records, total) = files::views(
        &state.app,
        &signed.0.acting,
        &filter,
        VIEWS_PER_PAGE,
        offset,
    )
    .await?;
    let rows = records.iter().map(|r| view_row(ctx, r)).collect();
    Ok((rows, total, None))
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ViewsQuery>,
) -> Result<Response, AppError> {
    mamori_app::audit::may_read(&state.app, &signed.0.acting, "audit.view").await?;
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total, error) = rows(&state, &ctx, &signed, &query, page).await?;
    let shown = i64::from(page) * VIEWS_PER_PAGE;
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let kinds = RecordKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: ctx.tr.t(kind_key(k.as_str())).to_owned(),
        })
        .collect();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let view = ViewsPage {
        t: ctx.tr,
        layout: Layout::load(&state, "audit", "/audit/views", Some(&signed.0)).await,
        kinds,
        kind: text(&query.record_kind),
        record_id: text(&query.record_id),
        login: text(&query.login),
        from: text(&query.from),
        to: text(&query.to),
        next: ((total as i64) > shown).then(|| page_link(&query, page + 1)),
        previous: (page > 1).then(|| page_link(&query, page - 1)),
        error,
        rows,
        total,
    };
    render(status, &view)
}
