//! Acknowledgements of a published policy (clause 5 of the basic policy: every user
//! complies): the button on the version page, the status page for the security officer
//! and the auditor, reminders (督促), and the export for Excel.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, AcknowledgementRow, PublishedStatus};
use mamori_app::sheets::{csv_head, csv_lines};
use mamori_domain::access::{Act, Register};
use mamori_domain::pledge::PaperPledgeInput;
use mamori_domain::policy_lifecycle::PolicyKind;
use mamori_domain::wareki::JST;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;

use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{Choice, FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

use crate::http::params::policies::{ack_error, refuse_unbound};

#[derive(Template)]
#[template(path = "policies/acknowledgement_message.html")]
struct MessagePage {
    t: Tr,
    layout: Layout,
    title: String,
    message: String,
    error: bool,
    back: String,
    back_label: String,
}

/// A page saying one thing, with a way back.
struct Message<'a> {
    path: &'a str,
    title_key: &'a str,
    message: String,
    error: bool,
    back: String,
    back_label_key: &'a str,
}

async fn message_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    message: Message<'_>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = MessagePage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", message.path, Some(&signed.0)).await,
        title: ctx.tr.t(message.title_key).to_owned(),
        message: message.message,
        error: message.error,
        back: message.back,
        back_label: ctx.tr.t(message.back_label_key).to_owned(),
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct AckForm {
    #[serde(default)]
    content_hash: String,
}

/// `POST /policies/{id}/versions/{vid}/acknowledge`: the button on the version page.
pub async fn acknowledge(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    refuse_unbound(&state, &signed).await?;
    let WebForm(form) = WebForm::<AckForm>::from_request(request, &()).await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let acting = &signed.0.acting;
    let back = format!("/policies/{id}/versions/{vid}");
    match policies::acknowledge(&state.app, acting, id, vid, &form.content_hash).await {
        Ok(_) => Ok(see_other(&back)),
        Err(Failure::Conflict(refusal)) => {
            let message = Message {
                path: &back,
                title_key: "policy.ack.refused_title",
                message: ctx.tr.f(refusal.key, &refusal.params),
                error: true,
                back: back.clone(),
                back_label_key: "policy.ack.back_to_version",
            };
            message_page(&state, &ctx, &signed, message, StatusCode::CONFLICT).await
        }
        Err(failure) => Err(ack_error(failure)),
    }
}

/// One bound user, as the status page shows them.
pub struct StatusRow {
    pub display_name: String,
    pub login: String,
    pub user_type_key: String,
    pub done: bool,
    pub at: String,
    /// How a pledge was signed (locale key; empty while pending), the day on the paper,
    /// and the scan's attachment.
    pub way_key: &'static str,
    pub signed_on: String,
    pub scan: Option<i64>,
}

#[derive(Template)]
#[template(path = "policies/acknowledgements.html")]
struct StatusPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    document_title: String,
    version_id: i64,
    version_label: String,
    published: String,
    counts: String,
    pending: usize,
    total: usize,
    last_reminder: Option<String>,
    rows: Vec<StatusRow>,
    can_remind: bool,
    notice: Option<String>,
    error: Option<String>,
    /// A pledge (誓約書): signatures rather than acknowledgements, and the paper form.
    pledge: bool,
    can_record: bool,
    unsigned: Vec<Choice>,
    paper: PaperPledgeInput,
    errors: Vec<FieldError>,
    max_mb: u64,
}

impl StatusPage {
    /// The key of a heading or label: a pledge's wording where it has its own.
    fn w(&self, key: &'static str) -> &'static str {
        if !self.pledge {
            return key;
        }
        match key {
            "policy.ack.title" => "pledge.status.title",
            "policy.ack.lead" => "pledge.status.lead",
            "policy.ack.progress" => "pledge.status.progress",
            "policy.ack.table_caption" => "pledge.status.table_caption",
            "policy.ack.state" => "pledge.status.state",
            "policy.ack.acknowledged_at" => "pledge.status.recorded_at",
            "policy.ack.done" => "pledge.status.done",
            "policy.ack.pending" => "pledge.status.pending",
            "policy.ack.all_done" => "pledge.status.all_done",
            "policy.ack.remind_explain" => "pledge.status.remind_explain",
            "policy.ack.remind_button" => "pledge.status.remind_button",
            "policy.ack.csv" => "pledge.status.csv",
            other => other,
        }
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct StatusQuery {
    reminded: Option<String>,
    /// A paper pledge was just recorded.
    paper: Option<String>,
}

/// What the status page says above the table, and the paper pledge form as typed.
#[derive(Default)]
pub(super) struct Notes {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub paper: PaperPledgeInput,
    pub errors: Vec<FieldError>,
}

fn status_rows(ctx: &Ctx, rows: Vec<AcknowledgementRow>) -> Vec<StatusRow> {
    rows.into_iter()
        .map(|a| StatusRow {
            done: a.acknowledged_at.is_some(),
            at: a
                .acknowledged_at
                .map(|t| ctx.datetime(t))
                .unwrap_or_default(),
            way_key: a.way.map(|w| w.label_key()).unwrap_or_default(),
            signed_on: a.signed_on.map(|d| ctx.date(d)).unwrap_or_default(),
            scan: a.attachment_id,
            display_name: a.display_name,
            login: a.login,
            user_type_key: format!("user_type.{}", a.user_type.as_str()),
        })
        .collect()
}

/// The people who have not signed yet, to choose from in the paper pledge form.
fn unsigned(ctx: &Ctx, rows: &[AcknowledgementRow]) -> Vec<Choice> {
    let (open, close) = (ctx.tr.t("punct.open"), ctx.tr.t("punct.close"));
    let choose = Choice {
        value: String::new(),
        label: ctx.tr.t("pledge.paper.choose").to_owned(),
    };
    let people = rows
        .iter()
        .filter(|r| r.acknowledged_at.is_none())
        .map(|r| Choice {
            value: r.login.clone(),
            label: format!("{}{open}{}{close}", r.display_name, r.login),
        });
    std::iter::once(choose).chain(people).collect()
}

fn version_label(ctx: &Ctx, version: &policies::VersionSummary) -> String {
    let number = version.number.to_string();
    ctx.tr.f("policy.version_number", &[("n", number)])
}

fn counts(ctx: &Ctx, pledge: bool, done: usize, total: usize) -> String {
    let params = [("done", done.to_string()), ("total", total.to_string())];
    let key = if pledge {
        "pledge.status.counts"
    } else {
        "policy.ack.counts"
    };
    ctx.tr.f(key, &params)
}

pub(super) async fn status_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    notes: Notes,
    status: StatusCode,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let overview = policies::acknowledgement_overview(&state.app, acting, id).await?;
    let document = overview.document;
    let path = format!("/policies/{id}/acknowledgements");
    let Some(published) = overview.published else {
        let title = document.title;
        let message = Message {
            path: &path,
            title_key: "policy.ack.no_published_title",
            message: ctx.tr.f("policy.ack.no_published", &[("title", title)]),
            error: false,
            back: format!("/policies/{id}"),
            back_label_key: "policy.back_to_document",
        };
        return message_page(state, ctx, signed, message, status).await;
    };
    let (done, total) = (published.done(), published.rows.len());
    let pledge = document.kind == PolicyKind::Pledge;
    let PublishedStatus {
        version,
        rows,
        last_reminder,
    } = published;
    let page = StatusPage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", &path, Some(&signed.0)).await,
        document_id: id,
        document_title: document.title,
        version_id: version.id,
        version_label: version_label(ctx, &version),
        published: version
            .published_at
            .map(|at| {
                ctx.tr
                    .f("policy.ack.published_at", &[("at", ctx.datetime(at))])
            })
            .unwrap_or_default(),
        counts: counts(ctx, pledge, done, total),
        pending: total - done,
        total,
        last_reminder: last_reminder.map(|at| ctx.datetime(at)),
        unsigned: unsigned(ctx, &rows),
        rows: status_rows(ctx, rows),
        can_remind: acting.may(Register::Acknowledgements, Act::Edit),
        notice: notes.notice,
        error: notes.error,
        pledge,
        can_record: pledge && acting.may(Register::Acknowledgements, Act::Edit),
        paper: notes.paper,
        errors: notes.errors,
        max_mb: state.config.max_file_bytes.div_ceil(1024 * 1024),
    };
    render(status, &page)
}

/// `GET /policies/{id}/acknowledgements`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let notice = query
        .reminded
        .as_deref()
        .and_then(|n| n.parse::<u32>().ok())
        .map(|n| ctx.tr.f("policy.ack.reminded", &[("n", n.to_string())]))
        .or_else(|| {
            query
                .paper
                .is_some()
                .then(|| ctx.tr.t("pledge.paper.recorded").to_owned())
        });
    let notes = Notes {
        notice,
        ..Notes::default()
    };
    status_page(&state, &ctx, &signed, id, notes, StatusCode::OK).await
}

/// `POST /policies/{id}/acknowledgements/remind`: records a reminder (督促) to the users
/// who have not acknowledged the published version yet.
pub async fn remind(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    match policies::remind(&state.app, &signed.0.acting, id).await {
        Ok(reminded) => Ok(see_other(&format!(
            "/policies/{id}/acknowledgements?reminded={}",
            reminded.recipients
        ))),
        Err(Failure::Conflict(refusal)) => {
            // Nothing published: the status page says so.
            let error = (refusal.code != "not_published").then(|| ctx.tr.t(refusal.key).to_owned());
            let notes = Notes {
                error,
                ..Notes::default()
            };
            status_page(&state, &ctx, &signed, id, notes, StatusCode::CONFLICT).await
        }
        Err(failure) => Err(failure.into()),
    }
}

/// A timestamp as Japan time for a spreadsheet: `2026-03-18 10:30:00`.
fn csv_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(JST);
    format!(
        "{} {:02}:{:02}:{:02}",
        at.date(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The export: UTF-8 with BOM and CRLF for Excel, one row per bound user.
pub fn csv_text(tr: &Tr, title: &str, number: i64, rows: &[AcknowledgementRow]) -> Vec<u8> {
    let header: Vec<String> = [
        "policy.ack.csv_document",
        "policy.ack.csv_version",
        "policy.ack.login",
        "policy.ack.user",
        "policy.ack.user_type",
        "policy.ack.state",
        "policy.ack.acknowledged_at",
    ]
    .iter()
    .map(|key| tr.t(key).to_owned())
    .collect();
    let mut out = csv_head(&header);
    out.extend(csv_lines(rows.iter().map(|row| {
        let (state, at) = match row.acknowledged_at {
            Some(at) => (tr.t("policy.ack.done"), csv_time(at)),
            None => (tr.t("policy.ack.pending"), String::new()),
        };
        let user_type = tr
            .t(&format!("user_type.{}", row.user_type.as_str()))
            .to_owned();
        vec![
            title.to_owned(),
            number.to_string(),
            row.login.clone(),
            row.display_name.clone(),
            user_type,
            state.to_owned(),
            at,
        ]
    })));
    out
}

/// `GET /policies/{id}/acknowledgements.csv`: recorded in the audit trail before it is
/// sent.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let export = policies::export_acknowledgements(&state.app, &signed.0.acting, id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "not_published",
                "policy.ack.error.nothing_to_export",
            )
        })?;
    let number = export.version.number;
    let body = csv_text(&ctx.tr, &export.document.title, number, &export.rows);
    Ok(crate::http::download::csv_response(
        Body::from(body),
        &format!("policy-{id}-v{number}-acknowledgements"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::user::UserType;
    use mamori_domain::wareki::Lang;
    use time::macros::datetime;

    fn row(login: &str, at: Option<time::OffsetDateTime>) -> AcknowledgementRow {
        AcknowledgementRow {
            user_id: 1,
            login: login.to_owned(),
            display_name: "=HYPERLINK(\"x\")".to_owned(),
            user_type: UserType::Member,
            acknowledged_at: at,
            way: None,
            signed_on: None,
            attachment_id: None,
        }
    }

    #[test]
    fn csv_is_for_excel() {
        let tr = Tr::new(Lang::En);
        let at = datetime!(2026-03-18 01:30:00 UTC);
        let bytes = csv_text(
            &tr,
            "Basic policy, 2026",
            2,
            &[row("a", Some(at)), row("b", None)],
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two rows, and the final CRLF");
        assert!(lines[1].starts_with("\"Basic policy, 2026\",2,a,\"'=HYPERLINK"));
        assert!(lines[1].ends_with("2026-03-18 10:30:00"), "{}", lines[1]);
        assert!(
            lines[2].ends_with(','),
            "no time for a pending user: {}",
            lines[2]
        );
        assert_eq!(lines[3], "");
    }
}
