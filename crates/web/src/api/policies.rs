//! Policy documents over the API: list, read (with the clause tree, every clause carrying
//! its stable `ref` such as "6(8)"), import a text as a new draft, publish an approved
//! version, and acknowledge a published one. The rules are the pages' own
//! (`pages::policies`, `pages::policy_acks`).

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_domain::policy::{self, PolicyProblem, WarningReason};
use mamori_domain::policy_lifecycle::{self, PolicyKind, VersionStatus};
use mamori_store::policies::{self, VersionSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination::{Page, PageQuery};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::pages::policies::{EDITORS, READERS, save_version};
use crate::pages::policy_acks::{acknowledge_version, require_bound};
use crate::pages::users::parse_id;
use crate::state::AppState;

/// A policy document in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    pub id: i64,
    /// `basic_policy` (基本方針), `measure_standards` (対策基準), `procedures` (実施手順)
    /// or `other`.
    #[schema(example = "basic_policy")]
    pub kind: String,
    #[schema(example = "佐久市議会情報セキュリティ基本方針")]
    pub title: String,
    /// The number of the newest version.
    pub latest_version: Option<i64>,
    /// `draft`, `approved` (決裁済み), `published` or `superseded`.
    #[schema(example = "published")]
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
    #[schema(example = "published")]
    pub status: String,
    pub title: String,
    /// SHA-256 of the canonical text; an acknowledgement names the hash it was given.
    pub content_hash: String,
    pub change_note: String,
    pub created_at: String,
    /// The date of approval (決裁), `YYYY-MM-DD`.
    pub approved_on: Option<String>,
    pub published_at: Option<String>,
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
            created_at: v.created_at,
            approved_on: v.approved_on,
            published_at: v.published_at,
        }
    }
}

/// A document, its versions (newest first), and one version's clause tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    pub id: i64,
    #[schema(example = "basic_policy")]
    pub kind: String,
    pub title: String,
    pub created_at: String,
    pub versions: Vec<VersionOut>,
    /// The version whose tree is given: the one asked for with `?version=N`, else the
    /// published one, else the newest.
    pub version: Option<VersionOut>,
    /// The parsed text: `title`, `approved_on`, `preamble`, `clauses` and
    /// `supplementary` (附則), each clause with `ref`, `kind`, `label`, `title`, `text`
    /// and `children`, and the parser's `warnings`.
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

/// A policy text to store as a new draft version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// For a new document: `basic_policy`, `measure_standards`, `procedures` or `other`.
    #[schema(example = "basic_policy")]
    pub kind: String,
    /// The whole text, numbered in the style of Japanese regulations (1, (1), ア, 第1条…).
    pub text: String,
    /// Add the version to this document instead of creating a new one.
    #[serde(default)]
    pub document_id: Option<i64>,
    /// What changed (改定の概要).
    #[serde(default)]
    pub change_note: Option<String>,
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
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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

fn reason_code(reason: WarningReason) -> &'static str {
    match reason {
        WarningReason::Unrecognised => "unrecognised",
        WarningReason::OutOfSequence => "out_of_sequence",
        WarningReason::BeforeFirstClause => "before_first_clause",
    }
}

fn problem_error(problem: PolicyProblem) -> AppError {
    let status = match problem {
        PolicyProblem::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::new(status, "invalid_policy_text", problem.message_key())
}

/// The body is read only after the role check.
async fn read_json<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, AppError> {
    let ApiJson(value) = ApiJson::<T>::from_request(request, &()).await?;
    Ok(value)
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
    signed.require(&state, READERS, "policies.view").await?;
    let request = query.parse()?;
    let mut all = Vec::new();
    for document in policies::documents(&state.store).await? {
        let versions = policies::versions(&state.store, document.id).await?;
        let latest = versions.first();
        all.push(PolicyOut {
            id: document.id,
            kind: document.kind.as_str().to_owned(),
            title: document.title,
            latest_version: latest.map(|v| v.number),
            latest_status: latest.map(|v| v.status.as_str().to_owned()),
            published_version_id: versions
                .iter()
                .find(|v| v.status == VersionStatus::Published)
                .map(|v| v.id),
            created_at: document.created_at,
        });
    }
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
    signed.require(&state, READERS, "policies.view").await?;
    let document = policies::document(&state.store, parse_id(&id)?).await?;
    let versions = policies::versions(&state.store, document.id).await?;
    let chosen = match query.version.as_deref().map(str::trim) {
        Some(text) => {
            let number = text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    AppError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_version",
                        "policy.ack.error.version_number",
                    )
                })?;
            Some(
                versions
                    .iter()
                    .find(|v| v.number == number)
                    .ok_or_else(AppError::not_found)?,
            )
        }
        None => versions
            .iter()
            .find(|v| v.status == VersionStatus::Published)
            .or(versions.first()),
    };
    let tree = match chosen {
        Some(summary) => {
            let version = policies::version(&state.store, summary.id).await?;
            let tree: serde_json::Value = serde_json::from_str(&version.tree).map_err(|e| {
                tracing::error!(error = %e, version = summary.id, "stored clause tree unreadable");
                AppError::internal()
            })?;
            Some(tree)
        }
        None => None,
    };
    Ok(Json(PolicyDetail {
        id: document.id,
        kind: document.kind.as_str().to_owned(),
        title: document.title,
        created_at: document.created_at,
        version: chosen.cloned().map(VersionOut::from),
        versions: versions.into_iter().map(VersionOut::from).collect(),
        tree,
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
    signed.require(&state, EDITORS, "policies.edit").await?;
    let input: ImportIn = read_json(request).await?;
    let kind = PolicyKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "policy.ack.error.kind",
        )
    })?;
    let parsed = policy::parse(&input.text).map_err(problem_error)?;
    let (document_id, version_id) = save_version(
        &state,
        signed.0.actor(),
        kind,
        input.document_id,
        &input.text,
        input.change_note.as_deref().unwrap_or(""),
    )
    .await?;
    let out = ImportOut {
        document_id,
        version_id,
        clauses: parsed.all_clauses().len(),
        top_level_clauses: parsed.clauses.len() + parsed.supplementary.len(),
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
    };
    let mut response = (StatusCode::CREATED, Json(out)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/policies/{document_id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
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
        (status = 409, body = crate::api::ErrorBody, description = "The version is not approved"),
    ))]
pub async fn publish_version(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Json<VersionOut>, AppError> {
    signed.require(&state, EDITORS, "policies.publish").await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let version = policies::version(&state.store, vid).await?;
    if version.summary.document_id != id {
        return Err(AppError::not_found());
    }
    if let Err(problem) = policy_lifecycle::check_publication(version.summary.status) {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "invalid_state",
            problem.message_key(),
        ));
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    policies::publish(&mut tx, vid).await?;
    tx.commit().await?;
    let published = policies::version(&state.store, vid).await?;
    Ok(Json(VersionOut::from(published.summary)))
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
    // Refused (and recorded) before the body is read.
    require_bound(&state, &signed).await?;
    let input: AcknowledgeIn = read_json(request).await?;
    let version = acknowledge_version(&state, &signed, &id, &vid, &input.content_hash).await?;
    let user_id = signed.user().id;
    let acknowledged_at = policies::acknowledgements(&state.store, version.summary.id)
        .await?
        .into_iter()
        .find(|a| a.user_id == user_id)
        .and_then(|a| a.acknowledged_at);
    let out = AcknowledgementOut {
        version_id: version.summary.id,
        user_id,
        content_hash: version.summary.content_hash,
        acknowledged_at,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_policies, get_policy, import_policy, publish_version, acknowledge),
    components(schemas(
        PolicyOut,
        PolicyPage,
        VersionOut,
        PolicyDetail,
        ImportIn,
        ImportOut,
        WarningOut,
        AcknowledgeIn,
        AcknowledgementOut
    ))
)]
pub struct Doc;
