//! One risk: its facts, treatment actions and acceptances, with the forms to add them.

use super::*;

pub(super) struct ActionView {
    id: i64,
    description: String,
    owner: String,
    due_on: String,
    done_on: String,
    status: &'static str,
    overdue: bool,
    open: bool,
}

pub(super) struct AcceptanceView {
    id: i64,
    reason: String,
    expires_on: String,
    status: &'static str,
    proposed: String,
    decided: String,
    /// Its approval request's page.
    request: Option<i64>,
    expired: bool,
    may_decide: bool,
    own: bool,
}

#[derive(Template)]
#[template(path = "risks/show.html")]
pub(super) struct ShowPage {
    t: Tr,
    layout: Layout,
    risk: RiskRecord,
    saved: bool,
    facts: Vec<(&'static str, String)>,
    older_note: Option<String>,
    actions: Vec<ActionView>,
    acceptances: Vec<AcceptanceView>,
    needs_review: bool,
    may_edit: bool,
    owners: Vec<Choice>,
    action_form: ActionForm,
    action_errors: Vec<FieldError>,
    /// A past due date was asked about: the box that keeps it is offered.
    action_asks_past: bool,
    acceptance_form: AcceptanceForm,
    acceptance_errors: Vec<FieldError>,
    /// A past expiry was asked about: the box that keeps it is offered.
    acceptance_asks_past: bool,
    /// Who may be chosen to decide an acceptance (the CISOs), and the choice.
    deciders: Vec<crate::http::forms::Choice>,
    send: crate::http::approval_view::SendForm,
    today: String,
    files: crate::http::files_section::FilesSection,
    linked_incidents: Vec<crate::http::linked_incidents::LinkedIncident>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// The forms of the show page as typed, with their problems, when one was refused.
#[derive(Default)]
pub(super) struct ShowForms {
    pub(super) saved: bool,
    pub(super) action_form: ActionForm,
    pub(super) action_errors: Vec<FieldError>,
    pub(super) action_asks_past: bool,
    pub(super) acceptance_form: AcceptanceForm,
    pub(super) acceptance_errors: Vec<FieldError>,
    pub(super) acceptance_asks_past: bool,
    pub(super) send: crate::http::approval_view::SendForm,
}

pub(super) fn action_views(
    ctx: &Ctx,
    actions: Vec<mamori_app::risks::Action>,
    today: Date,
) -> Vec<ActionView> {
    actions
        .into_iter()
        .map(|a| {
            // Actions live in the corrective-actions register: a cancelled one is closed
            // without a completion date.
            let open = a.status.is_pending();
            let overdue = open && a.due_on < today;
            ActionView {
                id: a.id,
                owner: a.owner_name.unwrap_or_default(),
                due_on: ctx.date(a.due_on),
                done_on: a.done_on.map(|d| ctx.date(d)).unwrap_or_default(),
                status: match a.status {
                    mamori_app::cycle::ActionStatus::Done => "risk.action_completed",
                    mamori_app::cycle::ActionStatus::Cancelled => "action.status.cancelled",
                    _ if overdue => "risk.action_overdue",
                    _ => "risk.action_open",
                },
                overdue,
                open,
                description: a.description,
            }
        })
        .collect()
}

use crate::http::labels::bracketed;

pub(super) fn acceptance_views(
    ctx: &Ctx,
    acting: &mamori_app::Acting,
    stored: Vec<mamori_app::risks::Acceptance>,
    today: Date,
) -> Vec<AcceptanceView> {
    let tr = ctx.tr;
    let decider = acting.may(Register::Risks, Act::Decide);
    let me = acting.user_id().unwrap_or(0);
    stored
        .into_iter()
        .map(|a| {
            let own = a.proposed_by.is_some_and(|p| !may_approve(p, me));
            let pending = a.status == AcceptanceStatus::Pending;
            AcceptanceView {
                id: a.id,
                expires_on: ctx.date(a.expires_on),
                status: acceptance_status_key(a.status),
                proposed: bracketed(
                    &tr,
                    &a.proposed_by_name
                        .clone()
                        .unwrap_or_else(|| tr.t("risk.by_system").to_owned()),
                    &ctx.datetime(a.created_at),
                ),
                decided: match (&a.decided_by_name, &a.decided_at) {
                    (Some(by), Some(at)) => {
                        let mut text = bracketed(&tr, by, &ctx.datetime(*at));
                        if !a.decision_note.is_empty() {
                            text.push(' ');
                            text.push_str(&a.decision_note);
                        }
                        text
                    }
                    _ => String::new(),
                },
                request: a.approval_request_id,
                expired: a.status == AcceptanceStatus::Accepted && a.expires_on < today,
                may_decide: pending && decider && !own,
                own: pending && decider && own,
                reason: a.reason,
            }
        })
        .collect()
}

/// The facts of a risk as the show page lists them.
pub(super) fn risk_facts(
    ctx: &Ctx,
    matrices: &Matrices,
    risk: &RiskRecord,
) -> Vec<(&'static str, String)> {
    let tr = ctx.tr;
    let m = risk.matrix_id;
    let scored_with = matrices.of(m).version;
    vec![
        (
            "risk.field.threat",
            risk.shown_threat(ctx.lang()).to_owned(),
        ),
        (
            "risk.field.threat_family",
            tr.t(family_key(risk.threat_family)).to_owned(),
        ),
        ("risk.field.asset_group", risk.asset_group.clone()),
        (
            "risk.field.likelihood",
            matrices.likelihood_name(m, risk.inherent.likelihood),
        ),
        (
            "risk.field.impact",
            matrices.impact_name(m, risk.inherent.impact),
        ),
        (
            "risk.field.level",
            matrices.level_name(m, risk.inherent_level),
        ),
        ("risk.field.treatment", treatment_label(&tr, risk.treatment)),
        (
            "risk.field.residual_likelihood",
            risk.residual
                .map(|s| matrices.likelihood_name(m, s.likelihood))
                .unwrap_or_default(),
        ),
        (
            "risk.field.residual_impact",
            risk.residual
                .map(|s| matrices.impact_name(m, s.impact))
                .unwrap_or_default(),
        ),
        (
            "risk.field.residual_level",
            risk.residual_level
                .map(|l| matrices.level_name(m, l))
                .unwrap_or_else(|| tr.t("risk.not_assessed").to_owned()),
        ),
        (
            "risk.field.owner",
            risk.owner_name.clone().unwrap_or_default(),
        ),
        (
            "risk.field.review_due",
            risk.review_due.map(|d| ctx.date(d)).unwrap_or_default(),
        ),
        (
            "risk.field.matrix_version",
            tr.f(
                "risk.matrix_version_value",
                &[("version", scored_with.to_string())],
            ),
        ),
        ("risk.field.created_at", ctx.datetime(risk.created_at)),
        ("risk.field.updated_at", ctx.datetime(risk.updated_at)),
    ]
}

/// A risk scored with an older matrix version says so.
fn older_note(tr: &Tr, matrices: &Matrices, risk: &RiskRecord) -> Option<String> {
    (risk.matrix_id != matrices.active.id).then(|| {
        tr.f(
            "risk.older_matrix",
            &[
                ("old", matrices.of(risk.matrix_id).version.to_string()),
                ("new", matrices.active.version.to_string()),
            ],
        )
    })
}

pub(super) async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    forms: ShowForms,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let acting = &signed.0.acting;
    let detail = register::show_risk(&state.app, acting, id).await?;
    let risk = detail.risk;
    let matrices = matrices::matrices(&state.app, acting, std::iter::once(risk.matrix_id))
        .await?
        .for_reader(ctx.lang());
    let today_date = mamori_app::today();
    // The latest accepted acceptance decides whether the risk is due for review again.
    let needs_review = detail
        .acceptances
        .iter()
        .find(|a| a.status == AcceptanceStatus::Accepted)
        .is_some_and(|a| a.expires_on < today_date);
    let status = if forms.action_errors.is_empty() && forms.acceptance_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let files = crate::http::files_section::FilesSection::load(
        state,
        ctx,
        signed,
        mamori_app::files::RecordRef::risk(id),
    )
    .await?;
    let may_edit = acting.may(Register::Risks, Act::Edit);
    let deciders = if may_edit {
        let found = mamori_app::approvals::deciders(&state.app, acting, Register::Risks).await?;
        crate::http::approval_view::decider_choices(&tr, &found)
    } else {
        Vec::new()
    };
    let linked_incidents = crate::http::linked_incidents::load(
        state,
        ctx,
        acting,
        mamori_domain::incident::LinkKind::Risk,
        id,
    )
    .await?;
    let page = ShowPage {
        linked_incidents,
        deciders,
        send: forms.send,
        files,
        t: tr,
        layout: Layout::load(state, "risks", &format!("/risks/{id}"), Some(&signed.0)).await,
        saved: forms.saved,
        facts: risk_facts(ctx, &matrices, &risk),
        older_note: older_note(&tr, &matrices, &risk),
        actions: action_views(ctx, detail.actions, today_date),
        acceptances: acceptance_views(ctx, acting, detail.acceptances, today_date),
        needs_review,
        may_edit,
        owners: owner_choices(&tr, &register::owners(&state.app, acting).await?),
        action_form: forms.action_form,
        action_errors: forms.action_errors,
        action_asks_past: forms.action_asks_past,
        acceptance_form: forms.acceptance_form,
        acceptance_errors: forms.acceptance_errors,
        acceptance_asks_past: forms.acceptance_asks_past,
        today: today_date.to_string(),
        risk,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Risks, Act::Read, "risks.show")
        .await?;
    let forms = ShowForms {
        saved: query.saved.is_some(),
        ..ShowForms::default()
    };
    render_show(&state, &ctx, &signed, parse_id(&id)?, forms).await
}
