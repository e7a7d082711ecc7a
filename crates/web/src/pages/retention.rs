//! Retention (保存期間) pages: the periods, the closed records past them with the form
//! that proposes their redaction, the redactions proposed, and one redaction with its
//! approval history. Thin shells over `mamori_app::retention`; the CISO decides on the
//! approval request's own page.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::retention::{
    self as app_retention, Overview, PeriodsForm, ProposedRecord, Redaction, RedactionView,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::retention::RetainedKind;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    FieldError, FormFields, error_for, field_errors, form_problems as problems_of, parse_id,
};
use crate::http::params::audit::parse_timestamp;
use crate::http::params::retention::{japan_day, state_code};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const PATH: &str = "/retention";
/// Longest text kept from a refused field to show it again.
const KEEP_CHARS: usize = 100;
/// The field of the proposal form: one checkbox per record, valued `{kind}:{id}`.
const RECORD_FIELD: &str = "record";

/// A redaction's state in the reader's words ("2026年…に実施").
fn state_text(ctx: &Ctx, r: &Redaction) -> String {
    match (state_code(r), r.applied_at.as_deref().and_then(japan_day)) {
        ("carried_out", Some(day)) => ctx
            .tr
            .f("retention.state.carried_out_on", &[("date", ctx.date(day))]),
        (code, _) => ctx.tr.t(&format!("retention.state.{code}")).to_owned(),
    }
}

/// One retention period on the form.
pub struct PeriodRow {
    pub code: &'static str,
    pub label: &'static str,
    pub value: String,
    pub hint: String,
}

/// One closed record in the table.
pub struct RecordRow {
    /// The checkbox value: `{kind}:{id}`.
    pub value: String,
    pub kind_code: &'static str,
    pub id: i64,
    /// The kind's label key.
    pub kind: &'static str,
    pub name: String,
    pub detail: String,
    pub closed_on: String,
    pub due_on: String,
    pub status: String,
    /// The open redaction it is proposed in.
    pub pending: Option<i64>,
    /// Past its period and not proposed: it may be chosen.
    pub choosable: bool,
    pub chosen: bool,
}

/// One redaction in the list.
pub struct RedactionRow {
    pub id: i64,
    pub proposed_at: String,
    pub count: i64,
    pub state: String,
}

#[derive(Template)]
#[template(path = "retention/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    periods: Vec<PeriodRow>,
    records: Vec<RecordRow>,
    redactions: Vec<RedactionRow>,
    may_edit: bool,
    due_count: usize,
    notice: Option<&'static str>,
    period_errors: Vec<FieldError>,
    record_errors: Vec<FieldError>,
}

impl ListPage {
    fn period_error(&self, field: &str) -> Option<&str> {
        error_for(&self.period_errors, field)
    }
}

fn label_key(field: &str) -> &'static str {
    match RetainedKind::parse(field) {
        Some(kind) => kind.label_key(),
        None => "retention.records",
    }
}

/// What was typed into the forms, to show them again after a refusal.
#[derive(Default)]
struct Typed {
    periods: Option<PeriodsForm>,
    period_problems: Vec<FieldProblem>,
    chosen: BTreeSet<String>,
    record_problems: Vec<FieldProblem>,
}

fn period_rows(ctx: &Ctx, overview: &Overview, typed: Option<&PeriodsForm>) -> Vec<PeriodRow> {
    overview
        .periods
        .iter()
        .map(|p| {
            let code = p.kind.as_str();
            let default = [("years", p.kind.default_years().to_string())];
            PeriodRow {
                code,
                label: p.kind.label_key(),
                value: typed
                    .and_then(|f| f.years.get(code).cloned())
                    .unwrap_or_else(|| p.years.to_string()),
                hint: if p.set {
                    ctx.tr.f("retention.default_hint", &default)
                } else {
                    ctx.tr.f("retention.default_in_use", &default)
                },
            }
        })
        .collect()
}

fn record_rows(ctx: &Ctx, overview: &Overview, chosen: &BTreeSet<String>) -> Vec<RecordRow> {
    let today = mamori_app::today();
    overview
        .records
        .iter()
        .map(|r| {
            let value = format!("{}:{}", r.record.kind.as_str(), r.record.id);
            let due = r.is_due(today);
            let status = match r.record.pending {
                Some(id) => ctx
                    .tr
                    .f("retention.status.proposed", &[("id", id.to_string())]),
                None if due => ctx.tr.t("retention.status.due").to_owned(),
                None => ctx.tr.t("retention.status.not_due").to_owned(),
            };
            RecordRow {
                chosen: chosen.contains(&value),
                value,
                kind_code: r.record.kind.as_str(),
                id: r.record.id,
                kind: r.record.kind.label_key(),
                name: r.record.name.clone(),
                detail: r.record.detail.clone(),
                closed_on: ctx.date(r.closed_on),
                due_on: ctx.date(r.due_on),
                status,
                pending: r.record.pending,
                choosable: due && r.record.pending.is_none(),
            }
        })
        .collect()
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    notice: Option<&'static str>,
    typed: Typed,
) -> Result<Response, AppError> {
    let overview = app_retention::overview(&state.app, &signed.0.acting).await?;
    let records = record_rows(ctx, &overview, &typed.chosen);
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(state, "retention", PATH, Some(&signed.0)).await,
        periods: period_rows(ctx, &overview, typed.periods.as_ref()),
        due_count: records.iter().filter(|r| r.choosable).count(),
        records,
        redactions: overview
            .redactions
            .iter()
            .map(|(r, count)| RedactionRow {
                id: r.id,
                proposed_at: parse_timestamp(&r.created_at)
                    .map(|at| ctx.datetime(at))
                    .unwrap_or_else(|| r.created_at.clone()),
                count: *count,
                state: state_text(ctx, r),
            })
            .collect(),
        may_edit: overview.may_edit,
        notice,
        period_errors: field_errors(&typed.period_problems, &ctx.tr, label_key),
        record_errors: field_errors(&typed.record_problems, &ctx.tr, label_key),
    };
    let refused = !page.period_errors.is_empty() || !page.record_errors.is_empty();
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let notice = (query.saved.as_deref() == Some("periods")).then_some("retention.periods_saved");
    render_list(&state, &ctx, &signed, notice, Typed::default()).await
}

pub async fn save_periods(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Retention, Act::Edit, "retention.periods")
        .await?;
    let fields = FormFields::read(request).await?;
    let mut form = PeriodsForm::default();
    for kind in RetainedKind::ALL {
        // A kind the form did not send keeps its period.
        if fields.0.iter().any(|(k, _)| k == kind.as_str()) {
            let typed = fields.get(kind.as_str()).chars().take(KEEP_CHARS).collect();
            form.years.insert(kind.as_str().to_owned(), typed);
        }
    }
    match app_retention::set_periods(&state.app, acting, &form).await {
        Ok(()) => Ok(see_other(&format!("{PATH}?saved=periods"))),
        Err(f) => {
            let typed = Typed {
                period_problems: problems_of(f)?,
                periods: Some(form),
                ..Typed::default()
            };
            render_list(&state, &ctx, &signed, None, typed).await
        }
    }
}

/// The records chosen on the form, each `{kind}:{id}`; a value that is not one is the
/// field's problem, not a failure of the page.
pub fn chosen_records(values: &[String]) -> Result<Vec<ProposedRecord>, FieldProblem> {
    values
        .iter()
        .map(|value| {
            value
                .split_once(':')
                .and_then(|(kind, id)| {
                    Some(ProposedRecord {
                        kind: kind.trim().to_owned(),
                        id: id.trim().parse().ok()?,
                    })
                })
                .ok_or_else(|| {
                    let shown: String = value.chars().take(KEEP_CHARS).collect();
                    FieldProblem::new("records", "retention.error.unknown_record")
                        .with("record", shown)
                })
        })
        .collect()
}

pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Retention, Act::Edit, "retention.propose")
        .await?;
    let values = FormFields::read(request).await?.all(RECORD_FIELD);
    let outcome = match chosen_records(&values) {
        Ok(records) => app_retention::propose(&state.app, acting, &records)
            .await
            .map_err(problems_of),
        Err(problem) => Err(Ok(vec![problem])),
    };
    match outcome {
        Ok(id) => Ok(see_other(&format!("{PATH}/redactions/{id}?saved=proposed"))),
        Err(problems) => {
            let typed = Typed {
                record_problems: problems?,
                chosen: values.into_iter().collect(),
                ..Typed::default()
            };
            render_list(&state, &ctx, &signed, None, typed).await
        }
    }
}

/// One record of a redaction, in the reader's words.
pub struct ItemRow {
    pub kind: &'static str,
    pub name: String,
    pub closed_on: String,
}

/// One approval request of the redaction's history, in the reader's words.
pub struct Step {
    pub id: i64,
    pub state: String,
    pub requested: String,
    pub decided: Option<String>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "retention/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    state: String,
    proposed_at: String,
    items: Vec<ItemRow>,
    steps: Vec<Step>,
    pending_request: Option<i64>,
    /// The audit trail of this redaction, once carried out.
    audit_link: Option<String>,
    notice: Option<&'static str>,
}

fn steps(ctx: &Ctx, view: &RedactionView) -> Vec<Step> {
    use crate::http::labels::bracketed;
    view.history
        .iter()
        .map(|q| Step {
            id: q.id,
            state: ctx
                .tr
                .t(crate::http::approval_view::state_key(q.state))
                .to_owned(),
            requested: bracketed(
                &ctx.tr,
                &ctx.datetime(q.created_at),
                &q.requested_by_name.clone().unwrap_or_default(),
            ),
            decided: q.decided_on.map(|d| {
                bracketed(
                    &ctx.tr,
                    &ctx.date(d),
                    &q.decided_by_name.clone().unwrap_or_default(),
                )
            }),
            reason: q.reason.clone(),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let view = app_retention::show(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let r = &view.redaction;
    let page = ShowPage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "retention",
            &format!("{PATH}/redactions/{}", r.id),
            Some(&signed.0),
        )
        .await,
        id: r.id,
        state: state_text(&ctx, r),
        proposed_at: parse_timestamp(&r.created_at)
            .map(|at| ctx.datetime(at))
            .unwrap_or_else(|| r.created_at.clone()),
        items: view
            .items
            .iter()
            .map(|(item, name)| ItemRow {
                kind: item.kind.label_key(),
                name: name.clone(),
                closed_on: ctx.date(item.closed_on),
            })
            .collect(),
        steps: steps(&ctx, &view),
        pending_request: view.pending_request,
        audit_link: r
            .audit_entry
            .map(|_| format!("/audit?target_type=redaction&target_id={}", r.id)),
        notice: (query.saved.as_deref() == Some("proposed")).then_some("retention.proposed"),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_records_read_kind_and_id_and_name_what_is_not_one() {
        let read = chosen_records(&["account:12".into(), "absence: 3".into()]).unwrap();
        assert_eq!((read[0].kind.as_str(), read[0].id), ("account", 12));
        assert_eq!((read[1].kind.as_str(), read[1].id), ("absence", 3));
        for bad in ["account", "account:x", ":", "account:1.5"] {
            let problem = chosen_records(&[bad.to_owned()]).unwrap_err();
            assert_eq!(problem.field, "records", "{bad}");
            assert_eq!(problem.key, "retention.error.unknown_record");
        }
        assert!(chosen_records(&[]).unwrap().is_empty());
    }
}
