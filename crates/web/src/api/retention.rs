//! Retention of personal information over the API, on the same use cases as the pages
//! (`mamori_app::retention`): the periods, the closed records past them, and proposing
//! their redaction. The CISO decides a redaction through its approval request
//! (`/api/v1/approvals/{id}/decision`), whose id each redaction names.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::date_text;
use mamori_app::retention::{self as app_retention, PeriodsForm, ProposedRecord, Redaction};
use mamori_domain::access::{Act, Register};
use mamori_domain::retention::RetainedKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::params::retention::{japan_day, state_code};
use crate::state::AppState;

/// How long one kind of closed record keeps its personal information.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionPeriodOut {
    /// `account` (a user account no longer in use) or `absence` (an ended absence).
    #[schema(value_type = crate::api::codes::RetainedKind)]
    pub kind: String,
    /// Whole years after the record was closed.
    #[schema(example = 3)]
    pub years: u8,
    /// False while the default applies.
    pub set: bool,
    pub default_years: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionPeriodsOut {
    pub periods: Vec<RetentionPeriodOut>,
}

/// A closed record whose personal information is still kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetainedRecordOut {
    #[schema(value_type = crate::api::codes::RetainedKind)]
    pub kind: String,
    /// The account's or the absence's id.
    pub id: i64,
    /// Whose record it is (kept after a redaction).
    pub name: String,
    /// The account's login, or the absence's dates.
    pub detail: String,
    /// ISO 8601 dates: when it was closed, and when its period ends.
    pub closed_on: String,
    pub due_on: String,
    /// Its period has passed.
    pub due: bool,
    /// The undecided redaction it is proposed in, if any.
    pub pending: Option<i64>,
}

/// A redaction: proposed, carried out once the CISO approved it, or dropped.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedactionOut {
    pub id: i64,
    /// `proposed` (waiting for the CISO), `carried_out` or `dropped` (sent back, rejected
    /// or withdrawn; its records may be proposed again).
    #[schema(value_type = crate::api::codes::RedactionState)]
    pub state: String,
    /// RFC 3339, UTC.
    pub proposed_at: String,
    /// The user who proposed it.
    pub proposed_by: Option<i64>,
    /// How many records it covers.
    pub records: i64,
    /// ISO 8601 dates (Japan): when it was carried out, or dropped.
    pub carried_out_on: Option<String>,
    pub dropped_on: Option<String>,
    /// The `record.redact` entry of the audit trail, once carried out.
    pub audit_entry: Option<i64>,
}

fn redaction_out(r: &Redaction, records: i64) -> RedactionOut {
    let day = |at: &Option<String>| at.as_deref().and_then(japan_day).map(date_text);
    RedactionOut {
        id: r.id,
        state: state_code(r).to_owned(),
        proposed_at: r.created_at.clone(),
        proposed_by: r.created_by,
        records,
        carried_out_on: day(&r.applied_at),
        dropped_on: day(&r.dropped_at),
        audit_entry: r.audit_entry,
    }
}

/// The periods, the closed records (those past their period first) and every redaction
/// (newest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionOverview {
    pub periods: Vec<RetentionPeriodOut>,
    pub records: Vec<RetainedRecordOut>,
    pub redactions: Vec<RedactionOut>,
}

fn period_out(p: &app_retention::Period) -> RetentionPeriodOut {
    RetentionPeriodOut {
        kind: p.kind.as_str().to_owned(),
        years: p.years,
        set: p.set,
        default_years: p.kind.default_years(),
    }
}

/// One record of a redaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedactionItemOut {
    #[schema(value_type = crate::api::codes::RetainedKind)]
    pub kind: String,
    pub id: i64,
    pub name: String,
    /// ISO 8601: the day its period started.
    pub closed_on: String,
}

/// One redaction with its records and the ids of its approval requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedactionDetail {
    #[serde(flatten)]
    pub redaction: RedactionOut,
    pub items: Vec<RedactionItemOut>,
    /// Its approval requests, oldest first.
    pub approval_requests: Vec<i64>,
    /// The request waiting for the CISO, if any: decide it at
    /// `/api/v1/approvals/{id}/decision`.
    pub pending_request: Option<i64>,
}

/// A period as typed: a number of years, or text as a form takes it ("5", "５年").
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RetentionYearsIn {
    Number(i64),
    Text(String),
}

impl RetentionYearsIn {
    fn text(&self) -> String {
        match self {
            RetentionYearsIn::Number(n) => n.to_string(),
            RetentionYearsIn::Text(t) => t.clone(),
        }
    }
}

/// The periods to set, in whole years (1–30); a kind left out keeps its period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account": 3, "absence": "1"}))]
pub struct RetentionPeriodsIn {
    /// User accounts no longer in use.
    #[serde(default)]
    pub account: Option<RetentionYearsIn>,
    /// Ended absences (their notes).
    #[serde(default)]
    pub absence: Option<RetentionYearsIn>,
}

impl RetentionPeriodsIn {
    fn typed(&self, kind: RetainedKind) -> Option<&RetentionYearsIn> {
        match kind {
            RetainedKind::Account => self.account.as_ref(),
            RetainedKind::Absence => self.absence.as_ref(),
        }
    }

    fn form(&self) -> PeriodsForm {
        let mut form = PeriodsForm::default();
        for kind in RetainedKind::ALL {
            if let Some(years) = self.typed(kind) {
                form.years.insert(kind.as_str().to_owned(), years.text());
            }
        }
        form
    }
}

/// One record to redact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposedRecordIn {
    #[schema(value_type = crate::api::codes::RetainedKind)]
    pub kind: String,
    pub id: i64,
}

/// The records to redact: each past its period and in no other undecided proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"records": [{"kind": "account", "id": 12}]}))]
pub struct RedactionIn {
    pub records: Vec<ProposedRecordIn>,
}

/// The periods, the closed records and the redactions.
#[utoipa::path(get, path = "/api/v1/retention", tag = "retention",
    responses(
        (status = 200, body = RetentionOverview),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn get_retention(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<RetentionOverview>, AppError> {
    let overview = app_retention::overview(&state.app, &signed.0.acting).await?;
    let today = mamori_app::today();
    Ok(Json(RetentionOverview {
        periods: overview.periods.iter().map(period_out).collect(),
        records: overview
            .records
            .iter()
            .map(|r| RetainedRecordOut {
                kind: r.record.kind.as_str().to_owned(),
                id: r.record.id,
                name: r.record.name.clone(),
                detail: r.record.detail.clone(),
                closed_on: date_text(r.closed_on),
                due_on: date_text(r.due_on),
                due: r.is_due(today),
                pending: r.record.pending,
            })
            .collect(),
        redactions: overview
            .redactions
            .iter()
            .map(|(r, count)| redaction_out(r, *count))
            .collect(),
    }))
}

/// Sets the periods (each change is a `setting.update` entry of the audit trail).
#[utoipa::path(put, path = "/api/v1/retention/periods", tag = "retention",
    request_body = RetentionPeriodsIn,
    responses(
        (status = 200, body = RetentionPeriodsOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields`: a period that is not 1–30 years"),
    ))]
pub async fn set_periods(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<RetentionPeriodsOut>, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Retention, Act::Edit, "retention.periods")
        .await?;
    let input: RetentionPeriodsIn = read_json(request).await?;
    app_retention::set_periods(&state.app, acting, &input.form()).await?;
    let periods = app_retention::periods(&state.app).await?;
    Ok(Json(RetentionPeriodsOut {
        periods: periods.iter().map(period_out).collect(),
    }))
}

async fn detail(state: &AppState, signed: &SignedIn, id: i64) -> Result<RedactionDetail, AppError> {
    let view = app_retention::show(&state.app, &signed.0.acting, id).await?;
    let count = i64::try_from(view.items.len()).unwrap_or(i64::MAX);
    Ok(RedactionDetail {
        redaction: redaction_out(&view.redaction, count),
        items: view
            .items
            .iter()
            .map(|(item, name)| RedactionItemOut {
                kind: item.kind.as_str().to_owned(),
                id: item.record_id,
                name: name.clone(),
                closed_on: date_text(item.closed_on),
            })
            .collect(),
        approval_requests: view.history.iter().map(|r| r.id).collect(),
        pending_request: view.pending_request,
    })
}

/// Proposes the redaction of records past their period and asks the CISO to decide it;
/// the answer names the approval request opened.
#[utoipa::path(post, path = "/api/v1/retention/redactions", tag = "retention",
    request_body = RedactionIn,
    responses(
        (status = 201, body = RedactionDetail, description = "Proposed; `Location` names it"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`already_proposed`: a record is in another undecided proposal"),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields`: none chosen, too many, a record \
                           unknown or not past its period"),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Retention, Act::Edit, "retention.propose")
        .await?;
    let input: RedactionIn = read_json(request).await?;
    let records: Vec<ProposedRecord> = input
        .records
        .into_iter()
        .map(|r| ProposedRecord {
            kind: r.kind,
            id: r.id,
        })
        .collect();
    let id = app_retention::propose(&state.app, acting, &records).await?;
    Ok(crate::api::created(
        detail(&state, &signed, id).await?,
        &format!("/api/v1/retention/redactions/{id}"),
    ))
}

/// One redaction.
#[utoipa::path(get, path = "/api/v1/retention/redactions/{id}", tag = "retention",
    params(("id" = i64, Path, description = "The redaction's id")),
    responses(
        (status = 200, body = RedactionDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_redaction(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<RedactionDetail>, AppError> {
    Ok(Json(detail(&state, &signed, parse_id(&id)?).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_retention, set_periods, propose, get_redaction),
    components(schemas(
        RetentionPeriodOut,
        RetentionPeriodsOut,
        RetainedRecordOut,
        RedactionOut,
        RetentionOverview,
        RedactionItemOut,
        RedactionDetail,
        RetentionYearsIn,
        RetentionPeriodsIn,
        ProposedRecordIn,
        RedactionIn
    ))
)]
pub struct Doc;
