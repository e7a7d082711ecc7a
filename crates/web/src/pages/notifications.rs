//! The person's notices (newest first, mark read, mark all read), the list printed for
//! handing out, their notification and mail settings, and the mail queue for the
//! security officer. Each page calls `mamori_app::notifications`.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::notifications::queue::{self, MailRow};
use mamori_app::notifications::settings::{self, MailSettingsInput};
use mamori_app::notifications::{self as notify, Notification, PER_PAGE};
use mamori_domain::access::{Act, Register};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::forms::{FieldError, FormFields, error_for, field_errors, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// One notice as the pages show it.
pub struct NoticeRow {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub urgent: bool,
    pub received: String,
    pub read: bool,
}

impl NoticeRow {
    fn new(ctx: &Ctx, n: &Notification) -> NoticeRow {
        NoticeRow {
            id: n.id,
            text: notify::notice_text(&ctx.tr, n),
            link: n.link.clone(),
            urgent: n.urgent,
            received: ctx.datetime(n.created_at),
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "notify/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<NoticeRow>,
    total: i64,
    unread_only: bool,
    page: i64,
    pages: i64,
    notice: Option<String>,
    /// Whether to link the mail queue (security officer, administrator).
    sees_queue: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    unread: Option<String>,
    page: Option<i64>,
    marked: Option<u64>,
}

/// `GET /notifications`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let unread_only = query.unread.as_deref() == Some("1");
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let (notices, total) =
        notify::my_notices(&state.app, acting, unread_only, PER_PAGE, offset).await?;
    let view = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "notifications", "/notifications", Some(&signed.0)).await,
        rows: notices.iter().map(|n| NoticeRow::new(&ctx, n)).collect(),
        total,
        unread_only,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        notice: query
            .marked
            .map(|n| ctx.tr.f("notify.marked_all", &[("n", n.to_string())])),
        sees_queue: acting.may(Register::Notices, Act::Read),
    };
    render(StatusCode::OK, &view)
}

/// `POST /notifications/{id}/read`
pub async fn mark_read(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    notify::mark_read(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(see_other("/notifications"))
}

/// `POST /notifications/read-all`
pub async fn mark_all_read(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let marked = notify::mark_all_read(&state.app, &signed.0.acting).await?;
    Ok(see_other(&format!("/notifications?marked={marked}")))
}

// ---------------------------------------------------------------- printing

/// One person's part of the handout.
pub struct PersonBlock {
    pub heading: String,
    pub rows: Vec<NoticeRow>,
}

#[derive(Template)]
#[template(path = "notify/print.html")]
struct PrintPage {
    t: Tr,
    organisation: Option<String>,
    made: String,
    /// Today, for the header of every printed sheet.
    printed_on: String,
    mine: Vec<NoticeRow>,
    people: Option<Vec<PersonBlock>>,
    public_url: String,
}

/// `GET /notifications/print`: plain HTML to print and hand out.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    let list = notify::print_list(&state.app, &signed.0.acting).await?;
    let rows = |notices: &[Notification]| notices.iter().map(|n| NoticeRow::new(&ctx, n)).collect();
    let people = list.by_person.map(|people| {
        people
            .iter()
            .map(|p| PersonBlock {
                heading: ctx.tr.f(
                    "notify.print.person",
                    &[("name", p.display_name.clone()), ("login", p.login.clone())],
                ),
                rows: rows(&p.notices),
            })
            .collect()
    });
    let page = PrintPage {
        t: ctx.tr,
        organisation: mamori_app::settings::organisation_name(&state.app).await,
        made: ctx.datetime(time::OffsetDateTime::now_utc()),
        printed_on: ctx.date(mamori_app::today()),
        mine: rows(&list.mine),
        people,
        public_url: state.config.public_url.trim_end_matches('/').to_owned(),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- settings

/// One kind of notice and whether it is mailed.
pub struct KindBox {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "notify/settings.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    mail: String,
    kinds: Vec<KindBox>,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

impl SettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The settings page with `form` as shown (stored, or as typed after a refusal).
async fn settings_view(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: SettingsForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let offered = settings::offered_kinds(&state.app, &signed.0.acting).await?;
    let page = SettingsPage {
        t: ctx.tr,
        layout: Layout::load(state, "account", "/account/notifications", Some(&signed.0)).await,
        mail: form.mail,
        kinds: offered
            .iter()
            .map(|k| KindBox {
                code: k.as_str(),
                label: k.label_key(),
                checked: form.wanted.iter().any(|w| w == k.as_str()),
            })
            .collect(),
        errors,
        notice,
    };
    render(status, &page)
}

/// The settings form's values.
struct SettingsForm {
    mail: String,
    /// The codes of the kinds ticked.
    wanted: Vec<String>,
}

/// `GET /account/notifications`
pub async fn settings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    let current = settings::my_mail_settings(&state.app, &signed.0.acting).await?;
    let notice = match query.saved.as_deref() {
        Some("1") => Some("notify.settings.saved"),
        Some("0") => Some("notify.settings.unchanged"),
        _ => None,
    };
    let form = SettingsForm {
        mail: current.address.unwrap_or_default(),
        wanted: current
            .kinds
            .iter()
            .filter(|c| c.mail)
            .map(|c| c.kind.as_str().to_owned())
            .collect(),
    };
    let notice = notice.map(|key| ctx.tr.t(key).to_owned());
    settings_view(&state, &ctx, &signed, form, Vec::new(), notice).await
}

/// `POST /account/notifications`: a refused address keeps the form as typed (422).
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let fields = FormFields::read(request).await?;
    let form = SettingsForm {
        mail: fields.get("mail").chars().take(300).collect(),
        wanted: fields.all("wanted"),
    };
    let input = MailSettingsInput {
        address: Some(form.mail.clone()),
        wanted: Some(form.wanted.clone()),
    };
    match settings::save_my_mail_settings(&state.app, &signed.0.acting, input).await {
        Ok(changed) => Ok(see_other(&format!(
            "/account/notifications?saved={}",
            u8::from(changed)
        ))),
        Err(Failure::Invalid(problems)) => {
            let errors = field_errors(&problems, &ctx.tr, label_key);
            settings_view(&state, &ctx, &signed, form, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

fn label_key(field: &str) -> &'static str {
    match field {
        "mail" => "notify.settings.mail",
        _ => "notify.settings.kinds_legend",
    }
}

// ---------------------------------------------------------------- the mail queue

/// One mail as the queue page shows it.
pub struct MailLine {
    pub id: i64,
    pub login: String,
    pub address: String,
    pub subject: String,
    pub attempts: i64,
    pub next_attempt: String,
    pub last_error: String,
    pub created: String,
}

impl MailLine {
    fn new(ctx: &Ctx, row: &MailRow) -> MailLine {
        let m = &row.mail;
        MailLine {
            id: m.id,
            login: row.login.clone(),
            address: m.address.clone(),
            subject: m.subject.clone(),
            attempts: m.attempts,
            next_attempt: ctx.datetime(m.next_attempt_at),
            last_error: m.last_error.clone().unwrap_or_default(),
            created: ctx.datetime(m.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "notify/mail.html")]
struct MailPage {
    t: Tr,
    layout: Layout,
    server: Option<String>,
    failed: Vec<MailLine>,
    failed_more: Option<String>,
    waiting: Vec<MailLine>,
    waiting_more: Option<String>,
    retried: bool,
}

#[derive(Deserialize)]
pub struct RetriedQuery {
    retried: Option<String>,
}

/// `GET /notifications/mail`
pub async fn mail(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<RetriedQuery>,
) -> Result<Response, AppError> {
    let q = queue::mail_queue(&state.app, &signed.0.acting).await?;
    let more = |shown: usize, total: i64| {
        (total > shown as i64).then(|| {
            ctx.tr.f(
                "notify.queue.shown",
                &[("shown", shown.to_string()), ("total", total.to_string())],
            )
        })
    };
    let page = MailPage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "notifications",
            "/notifications/mail",
            Some(&signed.0),
        )
        .await,
        server: state.config.mail_server.clone(),
        failed_more: more(q.failed.len(), q.failed_total),
        waiting_more: more(q.waiting.len(), q.waiting_total),
        failed: q.failed.iter().map(|r| MailLine::new(&ctx, r)).collect(),
        waiting: q.waiting.iter().map(|r| MailLine::new(&ctx, r)).collect(),
        retried: query.retried.is_some(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /notifications/mail/{id}/retry`
pub async fn retry_mail(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    queue::retry_mail(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(see_other("/notifications/mail?retried=1"))
}
