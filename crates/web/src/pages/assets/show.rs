//! One asset's page: its facts, the levels and handling rules in force, its
//! classification history and lifecycle records, and the form to record one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::assets::{
    Approval, AssetDetail, AssetRecord, ClassificationRecord, EventInput, EventKind, EventRecord,
    Status,
};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::classification::{Axis, LifecycleStep, Scheme};
use serde::Deserialize;

use super::{
    Choice, axis_key, category_key, coded_choices, event_key, form_key, holder_type_key,
    level_name, retention_label, segment_key, status_key, step_key,
};
use crate::http::approval_view::SendForm;
use crate::http::auth::SignedIn;
use crate::http::cite::Cite;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::{FieldError, parse_id};
use crate::http::labels::org_role_label;
use crate::http::{Layout, render};
use crate::state::AppState;

struct LevelView {
    axis: &'static str,
    name: String,
    definition: String,
}

struct RuleView {
    step: &'static str,
    rules: Vec<String>,
}

struct HistoryView {
    at: String,
    by: String,
    classification: String,
    reason: String,
}

struct EventView {
    id: i64,
    kind: &'static str,
    occurred_on: String,
    person: String,
    counterparty: String,
    method: String,
    witness: String,
    due_back: String,
    notes: String,
    approval: &'static str,
    decided: String,
    /// The take-out's approval request page, when it needed one.
    request: Option<i64>,
    recorded: String,
    may_decide: bool,
}

#[derive(Template)]
#[template(path = "assets/show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    asset: AssetRecord,
    saved: bool,
    facts: Vec<(&'static str, String)>,
    levels: Vec<LevelView>,
    rules: Vec<RuleView>,
    history: Vec<HistoryView>,
    events: Vec<EventView>,
    event_kinds: Vec<Choice>,
    may_edit: bool,
    may_record: bool,
    disposed: bool,
    withdrawn: bool,
    event_form: EventInput,
    event_errors: Vec<FieldError>,
    /// Who may be chosen to decide a take-out that needs approval, and the choice.
    deciders: Vec<Choice>,
    send: SendForm,
    /// A past due-back date was asked about: the box that keeps it is offered.
    event_asks_past: bool,
    today: String,
    files: crate::http::files_section::FilesSection,
    linked_incidents: Vec<crate::http::linked_incidents::LinkedIncident>,
}

/// What the show page is asked to render beyond the asset: a confirmation, or a
/// refused lifecycle record kept as typed.
#[derive(Default)]
pub(super) struct ShowState {
    pub saved: bool,
    pub event_form: EventInput,
    pub event_errors: Vec<FieldError>,
    pub send: SendForm,
    pub event_asks_past: bool,
    pub status: Option<StatusCode>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

fn levels_of(asset: &AssetRecord) -> [(Axis, i64); 3] {
    [
        (Axis::Confidentiality, asset.confidentiality_id),
        (Axis::Integrity, asset.integrity_id),
        (Axis::Availability, asset.availability_id),
    ]
}

fn level_views(scheme: &Scheme, asset: &AssetRecord) -> Vec<LevelView> {
    levels_of(asset)
        .iter()
        .map(|(axis, id)| LevelView {
            axis: axis_key(*axis),
            name: level_name(scheme, *id),
            definition: scheme
                .level(*id)
                .map(|l| l.definition.clone())
                .unwrap_or_default(),
        })
        .collect()
}

/// The handling rules in force: each step gathers the rules of all three levels.
fn rule_views(tr: &Tr, scheme: &Scheme, asset: &AssetRecord) -> Vec<RuleView> {
    let levels = levels_of(asset);
    LifecycleStep::ALL
        .iter()
        .map(|step| RuleView {
            step: step_key(*step),
            rules: levels
                .iter()
                .filter_map(|(_, id)| scheme.level(*id))
                .filter_map(|l| {
                    l.rules.get(step).map(|r| {
                        let (open, close) =
                            (tr.t("punct.bracket.open"), tr.t("punct.bracket.close"));
                        format!("{open}{}{close}{r}", l.name)
                    })
                })
                .collect(),
        })
        .filter(|r| !r.rules.is_empty())
        .collect()
}

fn history_view(ctx: &Ctx, scheme: &Scheme, h: ClassificationRecord) -> HistoryView {
    let tr = ctx.tr;
    HistoryView {
        at: ctx.datetime(h.changed_at),
        by: h
            .changed_by
            .unwrap_or_else(|| tr.t("asset.by_system").to_owned()),
        classification: [h.confidentiality_id, h.integrity_id, h.availability_id]
            .iter()
            .map(|id| level_name(scheme, *id))
            .collect::<Vec<_>>()
            .join(tr.t("punct.dot")),
        reason: if h.reason.is_empty() {
            tr.t("asset.initial_classification").to_owned()
        } else {
            h.reason
        },
    }
}

fn event_view(ctx: &Ctx, may_decide: bool, e: EventRecord) -> EventView {
    let by = |name: Option<String>| name.unwrap_or_else(|| ctx.tr.t("asset.by_system").to_owned());
    EventView {
        id: e.id,
        kind: event_key(e.kind),
        occurred_on: ctx.date(e.occurred_on),
        due_back: e.due_back.map(|d| ctx.date(d)).unwrap_or_default(),
        approval: approval_key(e.approval),
        decided: match (&e.decided_by, e.decided_at) {
            (Some(name), Some(at)) => {
                let decided = crate::http::labels::bracketed(&ctx.tr, name, &ctx.datetime(at));
                [decided, e.decision_note].join(" ").trim_end().to_owned()
            }
            _ => String::new(),
        },
        request: e.approval_request_id,
        recorded: crate::http::labels::bracketed(
            &ctx.tr,
            &by(e.recorded_by),
            &ctx.datetime(e.recorded_at),
        ),
        person: e.person,
        counterparty: e.counterparty,
        method: e.method,
        witness: e.witness,
        notes: e.notes,
        may_decide,
    }
}

/// The disposal date, or when none is set, the date the 保存期間 gives (counted from
/// the registration date) offered as a proposal: never stored without the person.
fn disposal_fact(ctx: &Ctx, asset: &AssetRecord) -> String {
    if let Some(date) = asset.disposal_due {
        return ctx.date(date);
    }
    if asset.status == mamori_app::assets::Status::Disposed {
        return String::new();
    }
    let registered = asset
        .created_at
        .to_offset(mamori_domain::wareki::JST)
        .date();
    asset
        .retention
        .as_ref()
        .and_then(|r| r.reading)
        .and_then(|reading| reading.proposed_disposal(registered).ok())
        .map(|date| {
            ctx.tr.f(
                "asset.retention.proposal_shown",
                &[("date", ctx.date(date))],
            )
        })
        .unwrap_or_default()
}

fn facts(ctx: &Ctx, cite: &Cite, asset: &AssetRecord) -> Vec<(&'static str, String)> {
    let tr = ctx.tr;
    vec![
        (
            "asset.field.category",
            tr.t(category_key(asset.category)).to_owned(),
        ),
        ("asset.field.form", tr.t(form_key(asset.form)).to_owned()),
        (
            "asset.field.holder_type",
            tr.t(holder_type_key(asset.holder_type)).to_owned(),
        ),
        (
            "asset.field.holder",
            asset.holder_name.clone().unwrap_or_default(),
        ),
        (
            "asset.field.managing_role",
            asset
                .managing_role
                .map(|r| tr.t(org_role_label(r)).to_owned())
                .unwrap_or_default(),
        ),
        ("asset.field.location", asset.location.clone()),
        (
            "asset.field.segment",
            tr.t(segment_key(asset.segment)).to_owned(),
        ),
        (
            "asset.field.retention",
            retention_label(asset.retention.as_ref(), ctx),
        ),
        ("asset.field.disposal_due", disposal_fact(ctx, asset)),
        (
            "asset.field.status",
            tr.t(status_key(asset.status)).to_owned(),
        ),
        ("asset.field.tags", asset.tags.join(tr.t("punct.list"))),
        (
            "asset.field.clauses",
            clauses_fact(ctx, cite, &asset.clauses),
        ),
        (
            "asset.field.personal_info",
            tr.t(if asset.holds_personal_info {
                "asset.personal_info.yes"
            } else {
                "asset.personal_info.no"
            })
            .to_owned(),
        ),
        ("asset.registered_at", ctx.datetime(asset.created_at)),
        ("asset.updated_at", ctx.datetime(asset.updated_at)),
    ]
}

/// The asset's clauses cited in the published policy's numbering; nothing when none.
fn clauses_fact(ctx: &Ctx, cite: &Cite, clauses: &[String]) -> String {
    if clauses.is_empty() {
        return String::new();
    }
    let references: Vec<&str> = clauses.iter().map(String::as_str).collect();
    cite.all(&ctx.tr, &references.join(" "))
}

fn approval_key(value: Approval) -> &'static str {
    match value {
        Approval::NotRequired => "asset.approval.not_required",
        Approval::Pending => "asset.approval.pending",
        Approval::Approved => "asset.approval.approved",
        Approval::Rejected => "asset.approval.rejected",
        Approval::Returned => "asset.approval.returned",
        Approval::Withdrawn => "asset.approval.withdrawn",
    }
}

/// Renders an asset's page from what the use case read.
pub(super) async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    detail: AssetDetail,
    shown: ShowState,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let acting = &signed.0.acting;
    let AssetDetail {
        asset,
        scheme,
        history,
        events,
    } = detail;
    let scheme = mamori_domain::classification_presets_en::for_reader(scheme, ctx.lang());
    let keeper = mamori_app::assets::is_keeper(acting);
    let kinds: &[EventKind] = mamori_domain::asset::recordable_kinds(keeper);
    let files = crate::http::files_section::FilesSection::load(
        state,
        ctx,
        signed,
        mamori_app::files::RecordRef::asset(asset.id),
    )
    .await?;
    let may_record = mamori_app::assets::may_record(acting, &asset);
    // Only those who record take-outs choose who decides one, and only where the
    // asset's level makes a take-out wait for approval.
    let needs_approval = scheme
        .level(asset.confidentiality_id)
        .is_some_and(|l| l.takeout_requires_approval);
    let deciders = if needs_approval && may_record && acting.may(Register::Approvals, Act::Edit) {
        let found = mamori_app::approvals::deciders(&state.app, acting, Register::Assets).await?;
        crate::http::approval_view::decider_choices(&tr, &found)
    } else {
        Vec::new()
    };
    let layout = Layout::load(
        state,
        "assets",
        &format!("/assets/{}", asset.id),
        Some(&signed.0),
    )
    .await;
    let linked_incidents = crate::http::linked_incidents::load(
        state,
        ctx,
        acting,
        mamori_domain::incident::LinkKind::Asset,
        asset.id,
    )
    .await?;
    let page = ShowPage {
        linked_incidents,
        deciders,
        send: shown.send,
        files,
        t: tr,
        facts: facts(ctx, &layout.cite, &asset),
        layout,
        saved: shown.saved,
        levels: level_views(&scheme, &asset),
        rules: rule_views(&tr, &scheme, &asset),
        history: history
            .into_iter()
            .map(|h| history_view(ctx, &scheme, h))
            .collect(),
        events: events
            .into_iter()
            .map(|e| event_view(ctx, mamori_app::assets::may_decide(acting, &e), e))
            .collect(),
        event_kinds: coded_choices(kinds, EventKind::as_str, event_key, &tr),
        may_edit: acting.may(Register::Assets, Act::Edit),
        may_record,
        disposed: asset.status == Status::Disposed,
        withdrawn: asset.status == Status::Withdrawn,
        event_form: shown.event_form,
        event_errors: shown.event_errors,
        event_asks_past: shown.event_asks_past,
        today: mamori_app::today().to_string(),
        asset,
    };
    render(shown.status.unwrap_or(StatusCode::OK), &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let detail = mamori_app::assets::show(&state.app, &signed.0.acting, id).await?;
    let shown = ShowState {
        saved: query.saved.is_some(),
        ..ShowState::default()
    };
    render_show(&state, &ctx, &signed, detail, shown).await
}
