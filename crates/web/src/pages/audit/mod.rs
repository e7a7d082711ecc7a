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

mod export;
mod filter;

pub use export::{csv_cell, export, export_csv};
pub(crate) use export::{csv_line, csv_response};
use filter::parse_timestamp;
pub use filter::{FilterProblem, FilterQuery, PER_PAGE, ParsedFilter, action_groups, parse_filter};

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
