//! `GET /api/v1/audit`: the audit trail, filtered and paged, for security officers and
//! auditors. The filters are those of the audit page.

use axum::Json;
use axum::extract::{RawQuery, State};
use mamori_app::audit::{self, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::params::audit::{FilterQuery, action_label, parse_filter};
use crate::http::params::pagination::{Page, PageQuery};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Filters and paging. Only documents the query string; it is read with the page's own
/// parser after the access check.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuditQuery {
    /// Part of the actor's login ID or label, ignoring case.
    actor: Option<String>,
    /// An action (`auth.sign_in`), or every action of a group when it ends with a dot
    /// (`auth.`).
    action: Option<String>,
    /// The kind of target, exactly (`user`, `session`, `login`, `route`…).
    target_type: Option<String>,
    /// The target's id, exactly (`42`); with `target_type`, one record's entries.
    target_id: Option<String>,
    /// First day, in Japan time: `2026-03-18`, or any form the date fields accept
    /// (`令和8年3月18日`, `R8.3.18`…); an RFC 3339 timestamp is taken as the exact instant.
    from: Option<String>,
    /// Last day, in Japan time, included (as `from`); an RFC 3339 timestamp is an exact,
    /// excluded bound.
    to: Option<String>,
    /// 1-based page number (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    page: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    per_page: Option<String>,
}

/// One entry of the audit trail.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: i64,
    /// When, RFC 3339 in UTC.
    pub at: String,
    pub actor_id: Option<i64>,
    /// The actor's login ID, or `anonymous` / a system label.
    pub actor_label: String,
    pub client_addr: Option<String>,
    /// Stable code, e.g. `auth.sign_in_failed`.
    pub action: String,
    /// The action's name in the caller's language.
    pub action_label: String,
    pub target_type: String,
    pub target_id: Option<String>,
    /// The changed fields as `{"field": [before, after]}`; a value removed after its
    /// retention period reads `{"redacted": true}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    /// The `record.redact` entry that removed personal values from this one.
    pub redacted_by: Option<i64>,
}

impl AuditEntryOut {
    fn of(tr: &Tr, record: AuditRecord) -> AuditEntryOut {
        let changes = serde_json::from_str(&record.changes)
            .unwrap_or(serde_json::Value::String(record.changes.clone()));
        AuditEntryOut {
            action_label: action_label(tr, &record.action),
            id: record.id,
            at: record.at,
            actor_id: record.actor_id,
            actor_label: record.actor_label,
            client_addr: record.client_addr,
            action: record.action,
            target_type: record.target_type,
            target_id: record.target_id,
            changes,
            redacted_by: record.redacted_by,
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The audit trail, newest first. Security officers and auditors only; anyone else gets
/// 403, and the refusal is itself recorded.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, description = "Malformed query or paging", body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, description = "A date, action or range that cannot be used", body = crate::api::ErrorBody)
    ))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<AuditEntryOut>>, AppError> {
    let acting = &signed.0.acting;
    audit::may_read(&state.app, acting, "audit.view").await?;
    let query = FilterQuery::parse(raw.as_deref())?;
    let request = PageQuery {
        page: query.page.clone(),
        per_page: query.per_page.clone(),
    }
    .parse()?;
    let tr = ctx.tr;
    let parsed = parse_filter(&query, true).map_err(|problems| {
        problems
            .into_iter()
            .next()
            .map(|p| p.into_error(&tr))
            .unwrap_or_else(AppError::internal)
    })?;
    let (records, total) = audit::search(
        &state.app,
        acting,
        &parsed.filter,
        i64::from(request.per_page),
        i64::try_from(request.offset()).unwrap_or(i64::MAX),
    )
    .await?;
    Ok(Json(Page {
        items: records
            .into_iter()
            .map(|r| AuditEntryOut::of(&tr, r))
            .collect(),
        total,
        page: request.page,
        per_page: request.per_page,
    }))
}

/// The entries matching the filters, oldest first, as CSV for Excel (UTF-8 with BOM,
/// CRLF; the same file as the audit page's export). The export is itself recorded
/// before the first row is sent. Security officers and auditors only.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 400, description = "Malformed query", body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, description = "A date, action or range that cannot be used", body = crate::api::ErrorBody)
    ))]
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<axum::response::Response, AppError> {
    crate::http::params::audit::export(&state, &ctx, &signed, raw.as_deref(), true).await
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, export_csv), components(schemas(AuditEntryOut, AuditPage)))]
pub struct Doc;
