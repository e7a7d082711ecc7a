//! Policy documents over the API: list, read (with the clause tree, every clause carrying
//! its stable `ref` such as "6(8)"), import a text as a new draft, read one version,
//! approve (決裁) and publish it, record a review, acknowledge a published version, and
//! follow the acknowledgements with reminders. Every route is a shell over the same use
//! case as its page (`mamori_app::policies`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::policies::{
    self, AcknowledgementRow, ApprovalInput, ReviewInput, SaveVersion, Saved, VersionSummary,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::policy::{PolicyText, WarningReason};
use mamori_domain::policy_lifecycle::PolicyKind;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::api::created;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::http::params::pagination::{Page, PageQuery};
use crate::http::params::policies::{ack_error, policy_error, refuse_unbound};
use crate::state::AppState;

/// RFC 3339 in UTC, as every timestamp of the API.
pub(crate) fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A policy document in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    pub id: i64,
    /// `basic_policy` (基本方針), `measure_standards` (対策基準), `procedures` (実施手順)
    /// or `other`.
    #[schema(example = "basic_policy")]
    #[schema(value_type = crate::api::codes::PolicyKind)]
    pub kind: String,
    #[schema(example = "佐久市議会情報セキュリティ基本方針")]
    pub title: String,
    /// The number of the newest version.
    pub latest_version: Option<i64>,
    /// `draft`, `approved` (決裁済み), `published` or `superseded`.
    #[schema(example = "published")]
    #[schema(value_type = Option<crate::api::codes::PolicyVersionStatus>)]
    pub latest_status: Option<String>,
    /// The id of the version in force, if one is published.
    pub published_version_id: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A page of policy documents, by id.
#[derive(Serialize, ToSchema)]
pub struct PolicyPage {
    pub items: Vec<PolicyOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// One version of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOut {
    pub id: i64,
    pub number: i64,
    /// `draft`, `approved`, `published`, `superseded` or `withdrawn`.
    #[schema(example = "published")]
    #[schema(value_type = crate::api::codes::PolicyVersionStatus)]
    pub status: String,
    pub title: String,
    /// SHA-256 of the canonical text; an acknowledgement names the hash it was given.
    pub content_hash: String,
    pub change_note: String,
    pub created_at: String,
    /// The date of approval (決裁), `YYYY-MM-DD`.
    pub approved_on: Option<String>,
    pub published_at: Option<String>,
    /// Why the draft was withdrawn (取下げ), for a withdrawn version.
    pub withdrawal_reason: Option<String>,
}

impl From<VersionSummary> for VersionOut {
    fn from(v: VersionSummary) -> VersionOut {
        VersionOut {
            id: v.id,
            number: v.number,
            status: v.status.as_str().to_owned(),
            title: v.title,
            content_hash: v.content_hash,
            change_note: v.change_note,
            created_at: stamp(v.created_at),
            approved_on: v.approved_on.map(|d| d.to_string()),
            published_at: v.published_at.map(stamp),
            withdrawal_reason: v.withdrawal_reason,
        }
    }
}

/// The clause tree as JSON: `title`, `approved_on`, `preamble`, `clauses` and
/// `supplementary` (附則), each clause with `ref`, `kind`, `label` (and `printed`, the
/// label as the source printed it, when it differs), `title`, `text` and `children`;
/// the parser's `warnings`, the table of contents `contents`, and `unplaced`: every
/// line outside the clauses with its `line`, `text` and `fate`.
pub(crate) fn tree_json(tree: &PolicyText) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(tree).map_err(|e| {
        tracing::error!(error = %e, "clause tree not serialisable");
        AppError::internal()
    })
}

/// A document, its versions (newest first), and one version's clause tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    pub id: i64,
    #[schema(example = "basic_policy")]
    #[schema(value_type = crate::api::codes::PolicyKind)]
    pub kind: String,
    pub title: String,
    pub created_at: String,
    pub versions: Vec<VersionOut>,
    /// The version whose tree is given: the one asked for with `?version=N`, else the
    /// published one, else the newest.
    pub version: Option<VersionOut>,
    /// The parsed text (see `VersionDetail.tree`).
    #[schema(value_type = Option<Object>)]
    pub tree: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowQuery {
    /// A version number (1, 2, …) of this document.
    #[param(value_type = Option<u32>, minimum = 1)]
    pub version: Option<String>,
}

/// One version with its clause tree and who approved it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    pub document_id: i64,
    pub version: VersionOut,
    /// The approver's display name, once approved (決裁).
    pub approver: Option<String>,
    /// The text as imported.
    pub source_text: String,
    /// The parsed text: `title`, `approved_on`, `preamble`, `clauses` and
    /// `supplementary` (附則), each clause with `ref`, `kind`, `label`, `title`, `text`
    /// and `children`, and the parser's `warnings`.
    #[schema(value_type = Object)]
    pub tree: serde_json::Value,
}

/// A policy text to store as a new draft version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "basic_policy", "text": "〇〇市議会情報セキュリティ基本方針\n1 目的\nこの方針は…", "change_note": "令和8年度改定"}))]
pub struct ImportIn {
    /// For a new document: `basic_policy`, `measure_standards`, `procedures` or `other`.
    #[schema(example = "basic_policy")]
    #[schema(value_type = crate::api::codes::PolicyKind)]
    pub kind: String,
    /// The whole text, numbered in the style of Japanese regulations (1, (1), ア, 第1条…).
    pub text: String,
    /// Add the version to this document instead of creating a new one.
    #[serde(default)]
    pub document_id: Option<i64>,
    /// What changed (改定の概要).
    #[serde(default)]
    pub change_note: Option<String>,
    /// Send the draft for 決裁 as it is stored (the default, as before); `false` stores
    /// it only, to be sent later with `POST …/versions/{vid}/send`.
    #[serde(default)]
    pub send_for_approval: Option<bool>,
    /// Who is to decide (a user id among `GET /api/v1/approvals/deciders?register=policies`);
    /// absent: any holder of an approving post.
    #[serde(default)]
    pub decider: Option<i64>,
    /// A note for the person who decides (at most 1000 characters).
    #[serde(default)]
    pub request_note: Option<String>,
}

/// A line the parser kept but could not place with certainty.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningOut {
    /// 1-based line number.
    pub line: usize,
    pub text: String,
    /// The clause the line was kept with.
    pub attached_to: Option<String>,
    /// `unrecognised`, `out_of_sequence` or `before_first_clause`.
    #[schema(value_type = crate::api::codes::PolicyWarningReason)]
    pub reason: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub document_id: i64,
    pub version_id: i64,
    /// Clauses at every level (articles, items, ア…, 附則).
    pub clauses: usize,
    /// Top-level clauses (supplementary provisions included).
    pub top_level_clauses: usize,
    pub warnings: Vec<WarningOut>,
    /// The table of contents (目次) as printed, one entry an item.
    pub contents: Vec<String>,
    /// Every line outside the clauses, and what was done with it.
    pub unplaced: Vec<UnplacedOut>,
}

/// A line of the text that is not in a clause.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnplacedOut {
    pub line: usize,
    pub text: String,
    /// `title`, `metadata`, `contents` or `preamble`.
    #[schema(example = "contents")]
    #[schema(value_type = crate::api::codes::PolicyLineFate)]
    pub fate: &'static str,
}

/// An approval (決裁) of a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveIn {
    /// The date of the decision, as a person would type it (`2026-03-18`, `令和8年3月18日`).
    #[schema(example = "2026-03-18")]
    pub approved_on: String,
    /// A note kept in the audit trail with the decision.
    #[serde(default)]
    pub note: Option<String>,
}

/// A review of the policy (clause 8).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reviewed_on": "令和8年3月18日", "trigger": "audit_result", "analysis": "令和7年度の監査結果を受けて対策基準を見直した", "decision": "対策基準を改定する"}))]
pub struct ReviewIn {
    /// The date of the review (`2026-11-25`, `令和8年11月25日`).
    pub reviewed_on: String,
    /// `audit_result`, `self_inspection_result`, `change_of_situation` or `other`.
    #[schema(example = "audit_result")]
    #[schema(value_type = crate::api::codes::ReviewTrigger)]
    pub trigger: String,
    /// What was found (分析).
    pub analysis: String,
    /// What was decided (判断).
    pub decision: String,
    /// The version the review led to, if any (a version id of this document).
    #[serde(default)]
    pub result_version_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub id: i64,
    pub document_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"content_hash": "3f2a9c0b7d1e4f6a8b2c5d9e0f1a3b4c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a"}))]
pub struct AcknowledgeIn {
    /// The `content_hash` of the version as it was read.
    pub content_hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementOut {
    pub version_id: i64,
    pub user_id: i64,
    pub content_hash: String,
    /// RFC 3339, UTC.
    pub acknowledged_at: Option<String>,
}

/// One user bound by the published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementRowOut {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    /// `member` or `staff`.
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    /// RFC 3339, UTC; absent while pending.
    pub acknowledged_at: Option<String>,
}

impl From<AcknowledgementRow> for AcknowledgementRowOut {
    fn from(a: AcknowledgementRow) -> AcknowledgementRowOut {
        AcknowledgementRowOut {
            user_id: a.user_id,
            login: a.login,
            display_name: a.display_name,
            user_type: a.user_type.as_str().to_owned(),
            acknowledged_at: a.acknowledged_at.map(stamp),
        }
    }
}

/// Who has acknowledged the published version, pending users first; empty when nothing
/// is published.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementPage {
    pub items: Vec<AcknowledgementRowOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The published version, if any.
    pub version_id: Option<i64>,
    /// How many of `total` have acknowledged it.
    pub acknowledged: u64,
    /// RFC 3339, UTC.
    pub last_reminder: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderOut {
    pub version_id: i64,
    /// How many users were reminded (those who have not acknowledged).
    pub recipients: usize,
}

impl From<Saved> for ImportOut {
    fn from(saved: Saved) -> ImportOut {
        let parsed = saved.parsed;
        ImportOut {
            document_id: saved.document_id,
            version_id: saved.version_id,
            clauses: parsed.all_clauses().len(),
            top_level_clauses: parsed.clauses.len() + parsed.supplementary.len(),
            contents: parsed.contents,
            unplaced: parsed
                .unplaced
                .into_iter()
                .map(|u| UnplacedOut {
                    line: u.line,
                    text: u.text,
                    fate: u.fate.as_str(),
                })
                .collect(),
            warnings: parsed
                .warnings
                .into_iter()
                .map(|w| WarningOut {
                    line: w.line,
                    text: w.text,
                    attached_to: w.attached_to,
                    reason: reason_code(w.reason),
                })
                .collect(),
        }
    }
}

pub(crate) fn reason_code(reason: WarningReason) -> &'static str {
    match reason {
        WarningReason::Unrecognised => "unrecognised",
        WarningReason::OutOfSequence => "out_of_sequence",
        WarningReason::BeforeFirstClause => "before_first_clause",
    }
}

/// Policy documents, 50 a page by default.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PageQuery),
    responses(
        (status = 200, body = PolicyPage),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_policies(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<PolicyOut>>, AppError> {
    let listings = policies::list_documents(&state.app, &signed.0.acting).await?;
    let request = query.parse()?;
    let all = listings
        .into_iter()
        .map(|l| PolicyOut {
            id: l.document.id,
            kind: l.document.kind.as_str().to_owned(),
            title: l.document.title,
            latest_version: l.latest.as_ref().map(|v| v.number),
            latest_status: l.latest.map(|v| v.status.as_str().to_owned()),
            published_version_id: l.published.map(|v| v.id),
            created_at: stamp(l.document.created_at),
        })
        .collect();
    Ok(Json(Page::of(all, request)))
}

/// One document with its versions and a clause tree.
#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies",
    params(("id" = i64, Path, description = "The document's id"), ShowQuery),
    responses(
        (status = 200, body = PolicyDetail),
        (status = 400, body = crate::api::ErrorBody, description = "`version` is not a number"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "No such document or version"),
    ))]
pub async fn get_policy(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Json<PolicyDetail>, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Read, "policies.view")
        .await?;
    let number = match query.version.as_deref().map(str::trim) {
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    AppError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_version",
                        "policy.ack.error.version_number",
                    )
                })?,
        ),
        None => None,
    };
    let shown = policies::show_text(&state.app, acting, parse_id(&id)?, number).await?;
    let tree = shown
        .chosen
        .as_ref()
        .map(|v| tree_json(&v.tree))
        .transpose()?;
    Ok(Json(PolicyDetail {
        id: shown.document.id,
        kind: shown.document.kind.as_str().to_owned(),
        title: shown.document.title,
        created_at: stamp(shown.document.created_at),
        version: shown.chosen.map(|v| VersionOut::from(v.summary)),
        versions: shown.versions.into_iter().map(VersionOut::from).collect(),
        tree,
    }))
}

/// One version with its clause tree.
#[utoipa::path(get, path = "/api/v1/policies/{id}/versions/{vid}", tag = "policies",
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 200, body = VersionDetail),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "No such version of this document"),
    ))]
pub async fn get_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Json<VersionDetail>, AppError> {
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let view = policies::show_version(&state.app, &signed.0.acting, id, vid).await?;
    Ok(Json(VersionDetail {
        document_id: id,
        tree: tree_json(&view.version.tree)?,
        source_text: view.version.source_text,
        version: VersionOut::from(view.version.summary),
        approver: view.approver,
    }))
}

/// Stores a policy text as a new draft version (of a new document unless
/// `document_id` is given). Nothing is stored when the text cannot be read.
#[utoipa::path(post, path = "/api/v1/policies/import", tag = "policies", request_body = ImportIn,
    responses(
        (status = 201, body = ImportOut, description = "Stored as a draft; `Location` names the document"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody, description = "No such document"),
        (status = 413, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`invalid_policy_text` (empty, no clause numbering), `validation_failed`, or `invalid_json_data`"),
    ))]
pub async fn import_policy(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.edit")
        .await?;
    let input: ImportIn = read_json(request).await?;
    let kind = PolicyKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "policy.ack.error.kind",
        )
    })?;
    let send = super::policy_drafts::SendIn {
        decider: input.decider,
        request_note: input.request_note,
    };
    let save = SaveVersion {
        kind,
        document_id: input.document_id,
        source: input.text,
        change_note: input.change_note.unwrap_or_default(),
        send: input
            .send_for_approval
            .unwrap_or(true)
            .then(|| send.input()),
    };
    let saved = policies::save_version(&state.app, acting, save)
        .await
        .map_err(policy_error)?;
    let location = format!("/api/v1/policies/{}", saved.document_id);
    Ok(created(ImportOut::from(saved), &location))
}

/// Approves (決裁) a draft. Only the CISO and the 統括情報セキュリティ責任者 decide, and
/// never on a draft they wrote.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{vid}/approve", tag = "policies",
    request_body = ApproveIn,
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 200, body = VersionOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody, description = "The caller holds no approving post"),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`own_draft` (the caller wrote it) or `invalid_state` (not a draft)"),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`: the date or the note"),
    ))]
pub async fn approve_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
    request: Request,
) -> Result<Json<VersionOut>, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Decide, "policies.approve")
        .await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let input: ApproveIn = read_json(request).await?;
    let approval = ApprovalInput {
        approved_on: input.approved_on,
        note: input.note.unwrap_or_default(),
    };
    let approved = policies::approve_version(&state.app, acting, id, vid, approval).await?;
    Ok(Json(VersionOut::from(approved)))
}

/// Publishes an approved (決裁済み) version; the version published before it becomes
/// superseded, and every member and staff user is asked to acknowledge the new one.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{vid}/publish", tag = "policies",
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 200, body = VersionOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`invalid_state`: the version is not approved"),
    ))]
pub async fn publish_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Json<VersionOut>, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.publish")
        .await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let published = policies::publish_version(&state.app, acting, id, vid).await?;
    Ok(Json(VersionOut::from(published.version)))
}

/// Records a review of the policy (clause 8): when, why, what was found and decided.
#[utoipa::path(post, path = "/api/v1/policies/{id}/reviews", tag = "policies",
    request_body = ReviewIn,
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 201, body = ReviewOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`, each field named"),
    ))]
pub async fn add_review(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.review")
        .await?;
    let id = parse_id(&id)?;
    let input: ReviewIn = read_json(request).await?;
    let review = ReviewInput {
        reviewed_on: input.reviewed_on,
        trigger: input.trigger,
        analysis: input.analysis,
        decision: input.decision,
        result_version: input
            .result_version_id
            .map(|v| v.to_string())
            .unwrap_or_default(),
    };
    let review_id = policies::add_review(&state.app, acting, id, review).await?;
    let out = ReviewOut {
        id: review_id,
        document_id: id,
    };
    Ok(created(out, &format!("/api/v1/policies/{id}")))
}

/// Records that the caller has read the published version and will comply with it
/// (basic policy, clause 5). Only members and secretariat staff are asked to.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{vid}/acknowledge", tag = "policies",
    request_body = AcknowledgeIn,
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 201, body = AcknowledgementOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody, description = "The caller is not bound by the policy"),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`not_published`, `content_changed` (the hash is not the version's) or `already_acknowledged`"),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody),
    ))]
pub async fn acknowledge(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    refuse_unbound(&state, &signed).await?;
    let input: AcknowledgeIn = read_json(request).await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let done = policies::acknowledge(&state.app, &signed.0.acting, id, vid, &input.content_hash)
        .await
        .map_err(ack_error)?;
    let out = AcknowledgementOut {
        version_id: done.version.id,
        user_id: done.user_id,
        content_hash: done.version.content_hash,
        acknowledged_at: done.acknowledged_at.map(stamp),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Who has acknowledged the published version of a document (pending users first), for
/// the security officer and the auditor.
#[utoipa::path(get, path = "/api/v1/policies/{id}/acknowledgements", tag = "policies",
    params(("id" = i64, Path, description = "The document's id"), PageQuery),
    responses(
        (status = 200, body = AcknowledgementPage),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn list_acknowledgements(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<AcknowledgementPage>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    let overview = policies::acknowledgement_overview(&state.app, acting, id).await?;
    let request = query.parse()?;
    let (version_id, acknowledged, last_reminder, rows) = match overview.published {
        Some(status) => (
            Some(status.version.id),
            status.done() as u64,
            status.last_reminder.map(stamp),
            status.rows,
        ),
        None => (None, 0, None, Vec::new()),
    };
    let rows = rows.into_iter().map(AcknowledgementRowOut::from).collect();
    let page = Page::of(rows, request);
    Ok(Json(AcknowledgementPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        version_id,
        acknowledged,
        last_reminder,
    }))
}

/// Records a reminder (督促) to every user who has not acknowledged the published version.
#[utoipa::path(post, path = "/api/v1/policies/{id}/acknowledgements/remind", tag = "policies",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, body = ReminderOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`not_published` or `nothing_to_remind` (everyone has acknowledged)"),
    ))]
pub async fn remind(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ReminderOut>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    let reminded = policies::remind(&state.app, acting, id).await?;
    Ok(Json(ReminderOut {
        version_id: reminded.version_id,
        recipients: reminded.recipients,
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_policies,
        get_policy,
        get_version,
        import_policy,
        approve_version,
        publish_version,
        add_review,
        acknowledge,
        list_acknowledgements,
        remind
    ),
    components(schemas(
        PolicyOut,
        PolicyPage,
        VersionOut,
        PolicyDetail,
        VersionDetail,
        ImportIn,
        ImportOut,
        WarningOut,
        UnplacedOut,
        ApproveIn,
        ReviewIn,
        ReviewOut,
        AcknowledgeIn,
        AcknowledgementOut,
        AcknowledgementRowOut,
        AcknowledgementPage,
        ReminderOut
    ))
)]
pub struct Doc;
