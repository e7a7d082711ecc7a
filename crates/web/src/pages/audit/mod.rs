//! The audit trail: who did what, when, from where. Security officers and auditors read
//! it here, filter it, and export it as CSV for Excel; the kept chain checks come first.

pub mod anchor;
pub mod views;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::audit::{self, AuditRecord, ChainBreak, ChainCheck, ChainStatus};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::params::pagination::{PageQuery, PageRequest};
use crate::http::{Layout, render};
use crate::state::AppState;
use mamori_app::i18n::Tr;

use crate::http::params::audit::{
    FilterQuery, PER_PAGE, action_groups, action_label, actor_label, change_lines, group_label,
    parse_filter, parse_timestamp, target_text,
};

/// `GET /audit.csv`: the entries matching the filters, oldest first, for Excel (UTF-8
/// with BOM, CRLF). The export is recorded before the first byte is sent.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    crate::http::params::audit::export(&state, &ctx, &signed, raw.as_deref(), false).await
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

/// The kept chain checks, as shown at the top of the page: the page reads them rather
/// than walking the chain on every view.
pub struct ChainView {
    /// `intact`, `broken` or `unchecked`.
    pub state: &'static str,
    pub message: String,
    pub details: Vec<String>,
    pub advice: String,
}

impl ChainView {
    pub fn broken(&self) -> bool {
        self.state == "broken"
    }
}

fn check_time(ctx: &Ctx, check: &ChainCheck) -> String {
    parse_timestamp(&check.checked_at)
        .map(|at| ctx.datetime(at))
        .unwrap_or_else(|| check.checked_at.clone())
}

fn seconds(check: &ChainCheck) -> String {
    format!("{:.1}", check.elapsed_ms as f64 / 1000.0)
}

fn chain_view(ctx: &Ctx, status: &ChainStatus) -> ChainView {
    let tr = &ctx.tr;
    let Some(latest) = &status.latest else {
        return ChainView {
            state: "unchecked",
            message: tr.t("audit_check.unchecked").to_owned(),
            details: Vec::new(),
            advice: String::new(),
        };
    };
    let mut details = Vec::new();
    if let Some(found) = &latest.first_break {
        let message = match found {
            ChainBreak::Edited { id } => tr.f("audit.chain_edited", &[("id", id.to_string())]),
            ChainBreak::Unlinked { id } => tr.f("audit.chain_unlinked", &[("id", id.to_string())]),
        };
        details.push(tr.f(
            "audit_check.found_by",
            &[
                ("at", check_time(ctx, latest)),
                ("by", latest.checked_by.clone()),
            ],
        ));
        return ChainView {
            state: "broken",
            message,
            details,
            advice: tr.t("audit.chain_advice").to_owned(),
        };
    }
    let message = match &status.latest_full {
        Some(full) if full.first_break.is_none() => tr.f(
            "audit_check.full_intact",
            &[
                ("at", check_time(ctx, full)),
                ("entries", full.entries.to_string()),
                ("seconds", seconds(full)),
            ],
        ),
        _ => tr.t("audit_check.no_full").to_owned(),
    };
    if !latest.full {
        details.push(tr.f(
            "audit_check.latest_incremental",
            &[
                ("at", check_time(ctx, latest)),
                ("id", latest.up_to_id.to_string()),
                ("entries", latest.entries.to_string()),
            ],
        ));
    }
    ChainView {
        state: "intact",
        message,
        details,
        advice: tr.t("audit_check.schedule").to_owned(),
    }
}

/// `POST /audit/verify`: checks the whole chain now and shows the result at the top of
/// the page.
pub async fn verify_now(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Response, AppError> {
    audit::check_chain(&state.app, &signed.0.acting, true).await?;
    Ok(crate::http::respond::see_other("/audit#chain-status"))
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
    pub target_id: String,
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
            target_id: text(&query.target_id),
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
            ("target_id", &self.target_id),
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
#[template(path = "audit/list.html")]
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
    let status = audit::chain_status(&state.app, acting).await?;
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
        chain: chain_view(&ctx, &status),
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
