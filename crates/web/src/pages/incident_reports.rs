//! Outside reports of incidents in the pages: the section "外部への報告" of an incident's
//! page (clocks, reports made, the facts form; built here, included by the incident's
//! template), the page to record a report with the file sent, withdrawing one, and the
//! duties with the people threshold. Thin shells over `mamori_app::incidents::reports`.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::incidents::reports::{self as app_reports, DutyRecord, Panel};
use mamori_app::incidents::{Severity, View};
use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::DayCount;
use mamori_domain::field::FieldProblem;
use mamori_domain::incident::Personal;
use mamori_domain::incident_report::{
    ClockState, DutyForm, FACT_COLUMNS, FactsForm, ReportStage, SentForm, Trigger,
};
use mamori_domain::wareki::Lang;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{
    Choice, FieldError, FormFields, error_for, field_errors, form_problems, form_status, parse_id,
};
use crate::http::upload::read_upload;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

const NAV: &str = "incidents";
const KEEP_CHARS: usize = 12_000;

fn label_key(field: &str) -> &'static str {
    match field {
        "duty" => "incident_report.field.duty",
        "recipient" => "incident_report.field.recipient",
        "sent_on" => "incident_report.field.sent_on",
        "reference" => "incident_report.field.reference",
        "note" => "incident_report.field.note",
        "file" => "incident_report.field.file",
        "reason" => "incident_report.field.reason",
        "recipient_ja" => "incident_report.field.recipient_ja",
        "recipient_en" => "incident_report.field.recipient_en",
        "stage" => "incident_report.field.stage",
        "triggers" => "incident_report.field.triggers",
        "unless" => "incident_report.field.unless",
        "min_severity" => "incident_report.field.min_severity",
        "days" => "incident_report.field.days",
        "day_count" => "incident_report.field.day_count",
        "position" => "incident_report.field.position",
        "people_threshold" => "incident_report.field.threshold",
        "sensitive" => "incident.entry.sensitive",
        "intentional" => "incident.entry.intentional",
        "unauthorised" => "incident.entry.unauthorised",
        _ => "incident.entry.financial",
    }
}

/// Marks text in Japanese on an English page (`lang="ja"`), else nothing.
fn lang(ctx: &Ctx, text: &str) -> &'static str {
    ctx.tr.lang_of(text)
}

fn recipient(ctx: &Ctx, d: &DutyRecord) -> String {
    match ctx.tr.lang {
        Lang::Ja => d.recipient_ja.clone(),
        Lang::En => d.recipient_en.clone(),
    }
}

/// "5 暦日以内" / "within 3 working days".
fn deadline(ctx: &Ctx, d: &DutyRecord) -> String {
    let key = match d.count {
        DayCount::Calendar => "incident_report.days_calendar",
        DayCount::Working => "incident_report.days_working",
    };
    ctx.tr.f(key, &[("days", d.days.to_string())])
}

/// The triggers in words: "any of …" and "not when …".
fn triggers_text(ctx: &Ctx, levels: &[Severity], d: &DutyRecord) -> String {
    let names = |ts: &[Trigger]| -> String {
        ts.iter()
            .map(|t| ctx.tr.t(&t.label_key()).to_owned())
            .collect::<Vec<_>>()
            .join(ctx.tr.t("incident_report.or"))
    };
    let mut text = names(&d.triggers);
    if let Some(code) = &d.min_severity {
        let level = levels
            .iter()
            .find(|l| &l.code == code)
            .map(|l| match ctx.tr.lang {
                Lang::Ja => l.name_ja.clone(),
                Lang::En => l.name_en.clone(),
            })
            .unwrap_or_else(|| code.clone());
        text = ctx.tr.f(
            "incident_report.with_level",
            &[("text", text), ("level", level)],
        );
    }
    if !d.unless.is_empty() {
        text = ctx.tr.f(
            "incident_report.unless_text",
            &[("text", text), ("unless", names(&d.unless))],
        );
    }
    text
}

/// One clock in the reader's words.
pub struct ClockRow {
    pub recipient: String,
    pub lang: &'static str,
    pub stage: String,
    pub deadline: String,
    pub due: String,
    pub state: String,
    pub overdue: bool,
}

/// One report made in the reader's words.
pub struct ReportRow {
    pub id: i64,
    pub recipient: String,
    pub lang: &'static str,
    pub sent_on: String,
    pub reference: String,
    pub note: String,
    pub note_lang: &'static str,
    pub attachment_id: Option<i64>,
    /// "withdrawn on … by …: reason", when withdrawn.
    pub withdrawn: Option<String>,
}

/// One fact's radios.
pub struct FactRow {
    pub id: &'static str,
    pub legend: String,
    pub selected: String,
}

/// The section "外部への報告" of an incident's page.
pub struct PanelView {
    pub incident_id: i64,
    pub may_handle: bool,
    pub clocks: Vec<ClockRow>,
    pub reports: Vec<ReportRow>,
    pub facts: Vec<FactRow>,
    pub choices: Vec<Choice>,
    pub threshold: String,
}

fn state_text(ctx: &Ctx, state: ClockState) -> String {
    let days = |d: i64| ("days", d.to_string());
    match state {
        ClockState::OnTime { sent_on } => ctx.tr.f(
            "incident_report.state.on_time",
            &[("date", ctx.date(sent_on))],
        ),
        ClockState::Late { sent_on, days: d } => ctx.tr.f(
            "incident_report.state.late",
            &[("date", ctx.date(sent_on)), days(d)],
        ),
        ClockState::DueIn { days: d } => ctx.tr.f("incident_report.state.due", &[days(d)]),
        ClockState::Overdue { days: d } => ctx.tr.f("incident_report.state.overdue", &[days(d)]),
        ClockState::NotApplicable => ctx.tr.t("incident_report.state.not_applicable").to_owned(),
    }
}

fn personal_choices(ctx: &Ctx) -> Vec<Choice> {
    Personal::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str().to_owned(),
            label: ctx.tr.t(&p.label_key()).to_owned(),
        })
        .collect()
}

fn panel_view(ctx: &Ctx, levels: &[Severity], panel: Panel) -> PanelView {
    PanelView {
        incident_id: panel.incident_id,
        may_handle: panel.may_handle,
        clocks: panel
            .clocks
            .iter()
            .map(|c| {
                let name = recipient(ctx, &c.duty);
                ClockRow {
                    lang: lang(ctx, &name),
                    recipient: name,
                    stage: ctx.tr.t(&c.duty.stage.label_key()).to_owned(),
                    deadline: format!(
                        "{} {}",
                        triggers_text(ctx, levels, &c.duty),
                        deadline(ctx, &c.duty)
                    ),
                    due: c.due.map(|d| ctx.date(d)).unwrap_or_default(),
                    state: state_text(ctx, c.state),
                    overdue: matches!(c.state, ClockState::Overdue { .. }),
                }
            })
            .collect(),
        reports: panel
            .reports
            .iter()
            .map(|r| ReportRow {
                id: r.id,
                lang: lang(ctx, &r.recipient),
                recipient: r.recipient.clone(),
                sent_on: ctx.date(r.sent_on),
                reference: r.reference.clone(),
                note_lang: lang(ctx, &r.note),
                note: r.note.clone(),
                attachment_id: r.attachment_id,
                withdrawn: r.withdrawn_at.map(|at| {
                    ctx.tr.f(
                        "incident_report.withdrawn_text",
                        &[
                            ("at", ctx.datetime(at)),
                            ("name", r.withdrawn_by.clone().unwrap_or_default()),
                            ("reason", r.withdraw_reason.clone()),
                        ],
                    )
                }),
            })
            .collect(),
        facts: FACT_COLUMNS
            .iter()
            .zip(panel.facts)
            .map(|(column, value)| FactRow {
                id: column,
                legend: ctx.tr.t(label_key(column)).to_owned(),
                selected: value.as_str().to_owned(),
            })
            .collect(),
        choices: personal_choices(ctx),
        threshold: panel.threshold.to_string(),
    }
}

/// The section for the incident page `view`: `None` unless the acting person sees the
/// incident in full.
pub async fn panel(
    state: &AppState,
    ctx: &Ctx,
    view: &View,
) -> Result<Option<PanelView>, AppError> {
    let Some(panel) = app_reports::panel(&state.app, view).await? else {
        return Ok(None);
    };
    let levels = mamori_app::incidents::severities(&state.app).await?;
    Ok(Some(panel_view(ctx, &levels, panel)))
}

/// The overdue outside reports on the home page: (line, link).
pub fn home_lines(ctx: &Ctx, overdue: &[app_reports::Overdue]) -> Vec<(String, String)> {
    overdue
        .iter()
        .map(|o| {
            let line = ctx.tr.f(
                "incident_report.home_line",
                &[
                    ("number", o.number.clone()),
                    ("title", o.title.clone()),
                    ("recipient", recipient(ctx, &o.duty)),
                    ("stage", ctx.tr.t(&o.duty.stage.label_key()).to_owned()),
                    ("due", ctx.date(o.due)),
                    ("days", o.days.to_string()),
                ],
            );
            (
                line,
                format!("/incidents/{}#outside-reports", o.incident_id),
            )
        })
        .collect()
}

/// The incident handlers' gate, passed before a form is read or an id parsed.
async fn gate(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Incidents, Act::Edit, what)
        .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "incidents/report_new.html")]
struct ReportPage {
    t: Tr,
    layout: Layout,
    incident_id: i64,
    heading: String,
    form: SentForm,
    duties: Vec<Choice>,
    errors: Vec<FieldError>,
    max_mb: u64,
}

impl ReportPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_report(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    form: SentForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let view = mamori_app::incidents::show(&state.app, acting, id).await?;
    let panel = app_reports::panel(&state.app, &view)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut duties = vec![Choice {
        value: String::new(),
        label: ctx.tr.t("incident_report.no_duty").to_owned(),
    }];
    duties.extend(panel.duties.iter().map(|d| Choice {
        value: d.id.to_string(),
        label: format!(
            "{} {} {}",
            recipient(ctx, d),
            ctx.tr.t(&d.stage.label_key()),
            deadline(ctx, d)
        ),
    }));
    let page = ReportPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            NAV,
            &format!("/incidents/{id}/reports/new"),
            Some(&signed.0),
        )
        .await,
        incident_id: id,
        heading: format!("{} {}", view.record.number, view.record.title),
        form,
        duties,
        errors: field_errors(problems, &ctx.tr, label_key),
        max_mb: state.config.max_file_bytes.div_ceil(1024 * 1024),
    };
    render(form_status(&page.errors), &page)
}

/// `GET /incidents/{id}/reports/new`: the form to record a report made.
pub async fn new_report(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.report_sent").await?;
    let id = parse_id(&id)?;
    let form = SentForm {
        sent_on: mamori_app::date_text(mamori_app::today()),
        ..SentForm::default()
    };
    render_report(&state, &ctx, &signed, id, form, &[]).await
}

/// `POST /incidents/{id}/reports` (multipart, with the file sent).
pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.report_sent").await?;
    let id = parse_id(&id)?;
    let upload = read_upload(&state, request).await?;
    let get = |name: &str| -> String { upload.field(name).chars().take(KEEP_CHARS).collect() };
    let form = SentForm {
        duty: get("duty"),
        recipient: get("recipient"),
        sent_on: get("sent_on"),
        reference: get("reference"),
        note: get("note"),
    };
    match app_reports::record(&state.app, &signed.0.acting, id, &form, upload.file).await {
        Ok(_) => Ok(see_other(&format!(
            "/incidents/{id}?saved=saved#outside-reports"
        ))),
        Err(f) => {
            let problems = form_problems(f)?;
            render_report(&state, &ctx, &signed, id, form, &problems).await
        }
    }
}

/// `POST /incidents/{id}/facts`: the radios always send a code; anything else is
/// refused whole.
pub async fn set_facts(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.facts").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(40).collect() };
    let form = FactsForm {
        sensitive: get("sensitive"),
        intentional: get("intentional"),
        unauthorised: get("unauthorised"),
        financial: get("financial"),
    };
    app_reports::set_facts(&state.app, &signed.0.acting, id, &form).await?;
    Ok(see_other(&format!(
        "/incidents/{id}?saved=saved#outside-reports"
    )))
}

/// `POST /incidents/reports/{id}/withdraw`: a reason is required.
pub async fn withdraw(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.report_withdraw").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let reason: String = fields.get("reason").chars().take(KEEP_CHARS).collect();
    let incident = app_reports::withdraw(&state.app, &signed.0.acting, id, &reason).await?;
    Ok(see_other(&format!(
        "/incidents/{incident}?saved=saved#outside-reports"
    )))
}

/// A duty in the list.
pub struct DutyRow {
    pub id: i64,
    pub recipient: String,
    pub lang: &'static str,
    pub stage: String,
    pub triggers: String,
    pub deadline: String,
    pub active: bool,
}

/// A trigger's checkboxes.
pub struct TriggerBox {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
    pub unless: bool,
}

/// The duty form's values, as typed or as stored.
pub struct DutyFormView {
    pub action: String,
    pub form: DutyForm,
    pub stages: Vec<Choice>,
    pub counts: Vec<Choice>,
    pub severities: Vec<Choice>,
    pub triggers: Vec<TriggerBox>,
    pub unless: Vec<TriggerBox>,
}

async fn duty_form_view(
    state: &AppState,
    ctx: &Ctx,
    action: String,
    form: DutyForm,
) -> Result<DutyFormView, AppError> {
    let levels = mamori_app::incidents::severities(&state.app).await?;
    let boxes = |chosen: &[String], unless: bool| -> Vec<TriggerBox> {
        Trigger::ALL
            .iter()
            .map(|t| TriggerBox {
                code: t.as_str(),
                label: ctx.tr.t(&t.label_key()).to_owned(),
                checked: chosen.iter().any(|c| c == t.as_str()),
                unless,
            })
            .collect()
    };
    let mut severities = vec![Choice {
        value: String::new(),
        label: ctx.tr.t("incident.unset").to_owned(),
    }];
    severities.extend(levels.iter().map(|l| Choice {
        value: l.code.clone(),
        label: match ctx.tr.lang {
            Lang::Ja => l.name_ja.clone(),
            Lang::En => l.name_en.clone(),
        },
    }));
    Ok(DutyFormView {
        action,
        triggers: boxes(&form.triggers, false),
        unless: boxes(&form.unless, true),
        stages: ReportStage::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: ctx.tr.t(&s.label_key()).to_owned(),
            })
            .collect(),
        counts: DayCount::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: ctx.tr.t(c.label_key()).to_owned(),
            })
            .collect(),
        severities,
        form,
    })
}

fn duty_form_read(fields: &FormFields) -> DutyForm {
    let get = |name: &str| -> String { fields.get(name).chars().take(400).collect() };
    DutyForm {
        recipient_ja: get("recipient_ja"),
        recipient_en: get("recipient_en"),
        stage: get("stage"),
        triggers: fields.all("triggers"),
        unless: fields.all("unless"),
        min_severity: get("min_severity"),
        days: get("days"),
        day_count: get("day_count"),
        position: get("position"),
    }
}

#[derive(Template)]
#[template(path = "incidents/duties.html")]
struct DutiesPage {
    t: Tr,
    layout: Layout,
    rows: Vec<DutyRow>,
    duty: DutyFormView,
    threshold: String,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

impl DutiesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_duties(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: DutyForm,
    threshold: Option<String>,
    problems: &[FieldProblem],
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let duties = app_reports::duties(&state.app, acting).await?;
    let levels = mamori_app::incidents::severities(&state.app).await?;
    let threshold = match threshold {
        Some(typed) => typed,
        None => app_reports::threshold(&state.app, acting)
            .await?
            .to_string(),
    };
    let rows = duties
        .iter()
        .map(|d| {
            let name = recipient(ctx, d);
            DutyRow {
                id: d.id,
                lang: lang(ctx, &name),
                recipient: name,
                stage: ctx.tr.t(&d.stage.label_key()).to_owned(),
                triggers: triggers_text(ctx, &levels, d),
                deadline: deadline(ctx, d),
                active: d.active,
            }
        })
        .collect();
    let page = DutiesPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, "/incidents/duties", Some(&signed.0)).await,
        rows,
        duty: duty_form_view(state, ctx, "/incidents/duties".to_owned(), form).await?,
        threshold,
        errors: field_errors(problems, &ctx.tr, label_key),
        notice,
    };
    render(form_status(&page.errors), &page)
}

fn new_duty_form() -> DutyForm {
    DutyForm {
        stage: ReportStage::Preliminary.as_str().to_owned(),
        day_count: DayCount::Calendar.as_str().to_owned(),
        ..DutyForm::default()
    }
}

/// `GET /incidents/duties`: the duties, a form to add one, and the people threshold.
pub async fn duties(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Result<Response, AppError> {
    let notice = query.saved.is_some().then_some("incident.saved.saved");
    render_duties(&state, &ctx, &signed, new_duty_form(), None, &[], notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn add_duty(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.duty_add").await?;
    let fields = FormFields::read(request).await?;
    let form = duty_form_read(&fields);
    match app_reports::add_duty(&state.app, &signed.0.acting, &form).await {
        Ok(_) => Ok(see_other("/incidents/duties?saved=1")),
        Err(f) => {
            let problems = form_problems(f)?;
            render_duties(&state, &ctx, &signed, form, None, &problems, None).await
        }
    }
}

pub async fn set_threshold(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.threshold").await?;
    let fields = FormFields::read(request).await?;
    let typed: String = fields.get("people_threshold").chars().take(40).collect();
    match app_reports::set_threshold(&state.app, &signed.0.acting, &typed).await {
        Ok(_) => Ok(see_other("/incidents/duties?saved=1")),
        Err(f) => {
            let problems = form_problems(f)?;
            let form = new_duty_form();
            render_duties(&state, &ctx, &signed, form, Some(typed), &problems, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "incidents/duty.html")]
struct DutyPage {
    t: Tr,
    layout: Layout,
    id: i64,
    active: bool,
    duty: DutyFormView,
    errors: Vec<FieldError>,
}

impl DutyPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn render_duty(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    typed: Option<DutyForm>,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let stored = app_reports::duty(&state.app, &signed.0.acting, id).await?;
    let form = typed.unwrap_or_else(|| DutyForm {
        recipient_ja: stored.recipient_ja.clone(),
        recipient_en: stored.recipient_en.clone(),
        stage: stored.stage.as_str().to_owned(),
        triggers: stored
            .triggers
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        unless: stored
            .unless
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        min_severity: stored.min_severity.clone().unwrap_or_default(),
        days: stored.days.to_string(),
        day_count: stored.count.as_str().to_owned(),
        position: stored.position.to_string(),
    });
    let action = format!("/incidents/duties/{id}");
    let page = DutyPage {
        t: ctx.tr,
        layout: Layout::load(state, NAV, &action, Some(&signed.0)).await,
        id,
        active: stored.active,
        duty: duty_form_view(state, ctx, action, form).await?,
        errors: field_errors(problems, &ctx.tr, label_key),
    };
    render(form_status(&page.errors), &page)
}

/// `GET /incidents/duties/{id}`: one duty to change or retire.
pub async fn duty(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.duties").await?;
    let id = parse_id(&id)?;
    render_duty(&state, &ctx, &signed, id, None, &[]).await
}

pub async fn edit_duty(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.duty_edit").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let form = duty_form_read(&fields);
    match app_reports::edit_duty(&state.app, &signed.0.acting, id, &form).await {
        Ok(_) => Ok(see_other("/incidents/duties?saved=1")),
        Err(f) => {
            let problems = form_problems(f)?;
            render_duty(&state, &ctx, &signed, id, Some(form), &problems).await
        }
    }
}

pub async fn retire_duty(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.duty_retire").await?;
    let id = parse_id(&id)?;
    app_reports::retire_duty(&state.app, &signed.0.acting, id).await?;
    Ok(see_other("/incidents/duties?saved=1"))
}
