//! Acknowledgements of a published policy (clause 5 of the basic policy: every user
//! complies). A member or secretariat staff user confirms the exact version they read
//! (its content hash); the security officer and the auditor see who has and who has not,
//! export it for Excel, and the officer records reminders (督促) to those who have not.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::policy_lifecycle::{self, VersionStatus};
use mamori_domain::user::Role;
use mamori_domain::wareki::JST;
use mamori_store::policies::{self, AcknowledgementRow, Version};
use mamori_store::{AuditEntry, StoreError};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::audit::csv_line;
use crate::pages::policies::{EDITORS, READERS};
use crate::pages::users::parse_id;
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Who sees the acknowledgement status and its export: the security officer, who
/// maintains the policies, and the auditor, who checks compliance.
pub const VIEWERS: &[Role] = &[Role::SecurityOfficer, Role::Auditor];

fn not_published() -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        "not_published",
        "policy.ack.error.not_published",
    )
}

/// The version `vid` of document `id` (404 when it belongs to another document).
async fn version_of(state: &AppState, id: &str, vid: &str) -> Result<Version, AppError> {
    let (id, vid) = (parse_id(id)?, parse_id(vid)?);
    let version = policies::version(&state.store, vid).await?;
    if version.summary.document_id != id {
        return Err(AppError::not_found());
    }
    Ok(version)
}

/// Refuses (403, recorded in the audit trail) anyone who may not read policies or whom
/// the policy does not bind (contractors and others are not asked to acknowledge).
pub async fn require_bound(state: &AppState, signed: &SignedIn) -> Result<(), AppError> {
    signed
        .require(state, READERS, "policies.acknowledge")
        .await?;
    if !policy_lifecycle::must_acknowledge(signed.user().user_type) {
        let mut refused = crate::http::auth::deny(state, &signed.0, "policies.acknowledge").await;
        refused.message_key = "policy.ack.error.not_bound";
        return Err(refused);
    }
    Ok(())
}

/// Records that the signed-in user has read and will comply with version `vid` of
/// document `id`, as shown to them (`content_hash`). Shared by the page and the API.
/// Refuses with 403 a user the policy does not bind, and with 409 a version that is
/// not published, a text that changed under the reader, or a second acknowledgement.
pub async fn acknowledge_version(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    vid: &str,
    content_hash: &str,
) -> Result<Version, AppError> {
    require_bound(state, signed).await?;
    let version = version_of(state, id, vid).await?;
    if version.summary.status != VersionStatus::Published {
        return Err(not_published());
    }
    if content_hash.trim() != version.summary.content_hash {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "content_changed",
            "policy.ack.error.hash_mismatch",
        ));
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    match policies::acknowledge(
        &mut tx,
        version.summary.id,
        signed.user().id,
        content_hash.trim(),
    )
    .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "already_acknowledged",
                "policy.ack.error.already",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(version)
}

// ---------------------------------------------------------------- a message page

#[derive(Template)]
#[template(path = "policy_acks_message.html")]
struct MessagePage {
    t: Tr,
    layout: Layout,
    title: String,
    message: String,
    error: bool,
    back: String,
    back_label: String,
}

#[allow(clippy::too_many_arguments)]
async fn message_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    path: &str,
    title_key: &str,
    message: String,
    error: bool,
    back: String,
    back_label_key: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = MessagePage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", path, Some(&signed.0)).await,
        title: ctx.tr.t(title_key).to_owned(),
        message,
        error,
        back,
        back_label: ctx.tr.t(back_label_key).to_owned(),
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
    // Who may send it comes first: the body is read only for them.
    require_bound(&state, &signed).await?;
    let WebForm(form) = WebForm::<AckForm>::from_request(request, &()).await?;
    match acknowledge_version(&state, &signed, &id, &vid, &form.content_hash).await {
        Ok(version) => Ok(see_other(&format!(
            "/policies/{}/versions/{}",
            version.summary.document_id, version.summary.id
        ))),
        Err(error) if error.status == StatusCode::CONFLICT => {
            let back = format!("/policies/{id}/versions/{vid}");
            message_page(
                &state,
                &ctx,
                &signed,
                &back,
                "policy.ack.refused_title",
                error.message(&ctx.tr),
                true,
                back.clone(),
                "policy.ack.back_to_version",
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

// ---------------------------------------------------------------- the status page

/// One bound user, as the status page and the export show them.
pub struct StatusRow {
    pub display_name: String,
    pub login: String,
    pub user_type_key: String,
    pub done: bool,
    pub at: String,
}

#[derive(Template)]
#[template(path = "policy_acks.html")]
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
}

fn time_text(ctx: &Ctx, stamp: Option<&str>) -> String {
    stamp
        .and_then(mamori_store::parse_timestamp)
        .map(|t| ctx.datetime(t))
        .unwrap_or_default()
}

/// Pending users first (they are the ones to follow up), then by login.
fn sorted(mut rows: Vec<AcknowledgementRow>) -> Vec<AcknowledgementRow> {
    rows.sort_by(|a, b| {
        (a.acknowledged_at.is_some(), &a.login).cmp(&(b.acknowledged_at.is_some(), &b.login))
    });
    rows
}

#[derive(Deserialize)]
pub struct StatusQuery {
    reminded: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn status_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let document = policies::document(&state.store, id).await?;
    let path = format!("/policies/{id}/acknowledgements");
    let Some(version) = policies::published(&state.store, id).await? else {
        return message_page(
            state,
            ctx,
            signed,
            &path,
            "policy.ack.no_published_title",
            ctx.tr
                .f("policy.ack.no_published", &[("title", document.title)]),
            false,
            format!("/policies/{id}"),
            "policy.back_to_document",
            status,
        )
        .await;
    };
    let summary = version.summary;
    let acknowledgements = sorted(policies::acknowledgements(&state.store, summary.id).await?);
    let total = acknowledgements.len();
    let done = acknowledgements
        .iter()
        .filter(|a| a.acknowledged_at.is_some())
        .count();
    let rows = acknowledgements
        .into_iter()
        .map(|a| StatusRow {
            done: a.acknowledged_at.is_some(),
            at: time_text(ctx, a.acknowledged_at.as_deref()),
            display_name: a.display_name,
            login: a.login,
            user_type_key: format!("user_type.{}", a.user_type.as_str()),
        })
        .collect();
    let last_reminder = policies::last_reminder(&state.store, summary.id)
        .await?
        .map(|at| time_text(ctx, Some(&at)));
    let page = StatusPage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", &path, Some(&signed.0)).await,
        document_id: id,
        document_title: document.title,
        version_id: summary.id,
        version_label: ctx.tr.f(
            "policy.version_number",
            &[("n", summary.number.to_string())],
        ),
        published: summary
            .published_at
            .as_deref()
            .map(|at| {
                ctx.tr.f(
                    "policy.ack.published_at",
                    &[("at", time_text(ctx, Some(at)))],
                )
            })
            .unwrap_or_default(),
        counts: ctx.tr.f(
            "policy.ack.counts",
            &[("done", done.to_string()), ("total", total.to_string())],
        ),
        pending: total - done,
        total,
        last_reminder,
        rows,
        can_remind: signed.has_role(EDITORS),
        notice,
        error,
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
    signed
        .require(&state, VIEWERS, "policies.acknowledgements")
        .await?;
    let id = parse_id(&id)?;
    let notice = query
        .reminded
        .as_deref()
        .and_then(|n| n.parse::<u32>().ok())
        .map(|n| ctx.tr.f("policy.ack.reminded", &[("n", n.to_string())]));
    status_page(&state, &ctx, &signed, id, notice, None, StatusCode::OK).await
}

/// `POST /policies/{id}/acknowledgements/remind`: records a reminder (督促) to the users
/// who have not acknowledged the published version yet. They see the pending policy on
/// their home page.
pub async fn remind(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "policies.remind").await?;
    let id = parse_id(&id)?;
    policies::document(&state.store, id).await?;
    let Some(version) = policies::published(&state.store, id).await? else {
        return status_page(&state, &ctx, &signed, id, None, None, StatusCode::CONFLICT).await;
    };
    let pending = policies::acknowledgements(&state.store, version.summary.id)
        .await?
        .iter()
        .filter(|a| a.acknowledged_at.is_none())
        .count();
    if pending == 0 {
        let message = ctx.tr.t("policy.ack.error.nothing_to_remind").to_owned();
        return status_page(
            &state,
            &ctx,
            &signed,
            id,
            None,
            Some(message),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    policies::remind(&mut tx, version.summary.id, pending as i64).await?;
    tx.commit().await?;
    Ok(see_other(&format!(
        "/policies/{id}/acknowledgements?reminded={pending}"
    )))
}

// ---------------------------------------------------------------- CSV export

/// A stored timestamp as Japan time for a spreadsheet: `2026-03-18 10:30:00`.
fn csv_time(stamp: &str) -> String {
    mamori_store::parse_timestamp(stamp)
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
        .unwrap_or_else(|| stamp.to_owned())
}

/// The export: UTF-8 with BOM and CRLF for Excel, one row per bound user.
pub fn csv_text(tr: &Tr, title: &str, number: i64, rows: &[AcknowledgementRow]) -> String {
    let mut out = String::from("\u{feff}");
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
    csv_line(&mut out, &header);
    for row in rows {
        let (state, at) = match row.acknowledged_at.as_deref() {
            Some(at) => (tr.t("policy.ack.done"), csv_time(at)),
            None => (tr.t("policy.ack.pending"), String::new()),
        };
        csv_line(
            &mut out,
            &[
                title.to_owned(),
                number.to_string(),
                row.login.clone(),
                row.display_name.clone(),
                tr.t(&format!("user_type.{}", row.user_type.as_str()))
                    .to_owned(),
                state.to_owned(),
                at,
            ],
        );
    }
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
    signed
        .require(&state, VIEWERS, "policies.acknowledgements_export")
        .await?;
    let id = parse_id(&id)?;
    let document = policies::document(&state.store, id).await?;
    let version = policies::published(&state.store, id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "not_published",
                "policy.ack.error.nothing_to_export",
            )
        })?;
    let summary = version.summary;
    let rows = sorted(policies::acknowledgements(&state.store, summary.id).await?);
    let mut tx = state.store.write(signed.0.actor()).await?;
    tx.audit(
        AuditEntry::new("policy.ack_export", "policy_document")
            .target(id)
            .change("export", None::<&str>, "policy_acknowledgements")
            .change("version_id", None::<i64>, summary.id)
            .change("rows", None::<i64>, rows.len() as i64),
    )
    .await?;
    tx.commit().await?;
    let body = csv_text(&ctx.tr, &document.title, summary.number, &rows);
    Ok(crate::pages::audit::csv_response(
        Body::from(body),
        &format!("policy-{id}-v{}-acknowledgements", summary.number),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::user::UserType;
    use mamori_domain::wareki::Lang;

    fn row(login: &str, at: Option<&str>) -> AcknowledgementRow {
        AcknowledgementRow {
            user_id: 1,
            login: login.to_owned(),
            display_name: "=HYPERLINK(\"x\")".to_owned(),
            user_type: UserType::Member,
            acknowledged_at: at.map(str::to_owned),
        }
    }

    #[test]
    fn csv_is_for_excel() {
        let tr = Tr::new(Lang::En);
        let text = csv_text(
            &tr,
            "Basic policy, 2026",
            2,
            &[row("a", Some("2026-03-18T01:30:00Z")), row("b", None)],
        );
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

    #[test]
    fn pending_users_come_first() {
        let rows = sorted(vec![
            row("a", Some("2026-03-18T01:30:00Z")),
            row("c", None),
            row("b", None),
        ]);
        let logins: Vec<&str> = rows.iter().map(|r| r.login.as_str()).collect();
        assert_eq!(logins, vec!["b", "c", "a"]);
    }
}
