//! Policy documents: import (preview before saving), versions with approval (決裁) and
//! publication, comparison, clause pages, the public page, and review history.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::access::{Act, Register};
use mamori_domain::policy::{self, Clause, PolicyProblem, PolicyText};
use mamori_domain::policy_diff::{self, Change, Piece};
use mamori_domain::policy_lifecycle::{self, PolicyKind, ReviewTrigger, VersionStatus};
use mamori_domain::user::Role;
use mamori_domain::{text, wareki};
use mamori_store::policies::{self, NewReview, NewVersion, VersionSummary};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Who reads policies inside mamori: everyone but contractors, who see only what is
/// shared with them (the public page).
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::SecurityOfficer,
    Role::User,
    Role::Auditor,
];
/// Who maintains them.
pub const EDITORS: &[Role] = &[Role::SecurityOfficer];

pub const TITLE_MAX: usize = 200;
pub const NOTE_MAX: usize = 2000;

/// A clause laid out flat for a page, with its depth for indentation.
pub struct ClauseRow {
    pub reference: String,
    pub anchor: String,
    pub label: String,
    pub title: Option<String>,
    pub paragraphs: Vec<String>,
    pub depth: usize,
    /// The clause's own page, on pages inside mamori.
    pub link: Option<String>,
}

/// The rows with each clause linking to its page (what links to it, its reference).
pub fn flatten_linked(text: &PolicyText, document_id: i64) -> Vec<ClauseRow> {
    let mut rows = flatten(text);
    for row in &mut rows {
        row.link = Some(format!(
            "/policies/{document_id}/clauses/{}",
            ref_path(&row.reference)
        ));
    }
    rows
}

pub fn flatten(text: &PolicyText) -> Vec<ClauseRow> {
    fn walk(clauses: &[Clause], depth: usize, out: &mut Vec<ClauseRow>) {
        for clause in clauses {
            out.push(ClauseRow {
                reference: clause.reference.clone(),
                anchor: anchor(&clause.reference),
                label: clause.label.clone(),
                title: clause.title.clone(),
                paragraphs: clause
                    .text
                    .split('\n')
                    .filter(|p| !p.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
                depth: depth.min(4),
                link: None,
            });
            walk(&clause.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&text.clauses, 0, &mut out);
    walk(&text.supplementary, 0, &mut out);
    out
}

/// An id attribute for a clause reference ("6(8)" → "c-6-8").
pub fn anchor(reference: &str) -> String {
    let mut out = String::from("c-");
    for c in reference.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The clause reference as a URL path segment.
pub fn ref_path(reference: &str) -> String {
    crate::http::auth::percent_encode(reference).replace('/', "%2F")
}

pub fn tree_of(version: &policies::Version) -> Result<PolicyText, AppError> {
    serde_json::from_str(&version.tree).map_err(|e| {
        tracing::error!(error = %e, version = version.summary.id, "stored clause tree unreadable");
        AppError::internal()
    })
}

pub fn content_hash(text: &PolicyText) -> String {
    mamori_store::sha256_hex(text.canonical_text().as_bytes())
}

fn problem_error(problem: &PolicyProblem) -> AppError {
    let status = match problem {
        PolicyProblem::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::new(status, "invalid_policy_text", problem.message_key())
}

fn date_text(ctx: &Ctx, iso: Option<&str>) -> String {
    iso.and_then(|d| {
        time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
    })
    .map(|d| ctx.date(d))
    .unwrap_or_default()
}

fn time_text(ctx: &Ctx, stamp: Option<&str>) -> String {
    stamp
        .and_then(mamori_store::parse_timestamp)
        .map(|t| ctx.datetime(t))
        .unwrap_or_default()
}

async fn checked_version(
    state: &AppState,
    id: i64,
    vid: i64,
) -> Result<policies::Version, AppError> {
    let version = policies::version(&state.store, vid).await?;
    if version.summary.document_id != id {
        return Err(AppError::not_found());
    }
    Ok(version)
}

// ---------------------------------------------------------------- list

pub struct DocumentRow {
    pub id: i64,
    pub kind_key: String,
    pub title: String,
    pub published: Option<String>,
    pub latest_status_key: String,
    pub latest_number: i64,
}

#[derive(Template)]
#[template(path = "policies_list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    documents: Vec<DocumentRow>,
    can_edit: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.view").await?;
    let mut documents = Vec::new();
    for document in policies::documents(&state.store).await? {
        let versions = policies::versions(&state.store, document.id).await?;
        let Some(latest) = versions.first() else {
            continue;
        };
        let published = versions
            .iter()
            .find(|v| v.status == VersionStatus::Published)
            .map(|v| date_text(&ctx, v.approved_on.as_deref()));
        documents.push(DocumentRow {
            id: document.id,
            kind_key: format!("policy.kind.{}", document.kind.as_str()),
            title: document.title,
            published,
            latest_status_key: format!("policy.status.{}", latest.status.as_str()),
            latest_number: latest.number,
        });
    }
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "policies", "/policies", Some(&signed.0)).await,
        documents,
        can_edit: signed.has_role(EDITORS),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- import and preview

#[derive(Template)]
#[template(path = "policies_import.html")]
struct ImportPage {
    t: Tr,
    layout: Layout,
    kinds: Vec<(&'static str, bool)>,
    documents: Vec<(i64, String, bool)>,
    text: String,
    change_note: String,
    error: Option<String>,
}

/// What the import form shows again: the chosen document, the text, the note, a problem.
#[derive(Default)]
struct ImportDraft {
    document_id: Option<i64>,
    text: String,
    change_note: String,
    error: Option<String>,
}

async fn import_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    draft: ImportDraft,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ImportDraft {
        document_id,
        text,
        change_note,
        error,
    } = draft;
    let documents = policies::documents(&state.store)
        .await?
        .into_iter()
        .map(|d| (d.id, d.title, Some(d.id) == document_id))
        .collect();
    let page = ImportPage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", "/policies/import", Some(&signed.0)).await,
        kinds: PolicyKind::ALL
            .iter()
            .map(|k| (k.as_str(), *k == PolicyKind::BasicPolicy))
            .collect(),
        documents,
        text,
        change_note,
        error,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct ImportQuery {
    document: Option<i64>,
}

pub async fn import_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ImportQuery>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "policies.edit").await?;
    // Editing in the browser starts from the newest version's text.
    let text = match query.document {
        Some(id) => match policies::versions(&state.store, id).await?.first() {
            Some(latest) => {
                policies::version(&state.store, latest.id)
                    .await?
                    .source_text
            }
            None => String::new(),
        },
        None => String::new(),
    };
    let draft = ImportDraft {
        document_id: query.document,
        text,
        ..ImportDraft::default()
    };
    import_page(&state, &ctx, &signed, draft, StatusCode::OK).await
}

/// What the import form sent, after reading the multipart body.
#[derive(Default)]
struct ImportInput {
    kind: Option<String>,
    document: Option<String>,
    change_note: String,
    text: String,
    file: Option<Vec<u8>>,
}

async fn read_import(mut multipart: Multipart) -> Result<ImportInput, AppError> {
    let malformed = || {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_form",
            "error.malformed_form",
        )
    };
    let mut input = ImportInput::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "policy.error.too_large",
            )
        } else {
            malformed()
        }
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| malformed())?;
        if bytes.len() > policy::MAX_BYTES {
            return Err(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "policy.error.too_large",
            ));
        }
        let as_text = || String::from_utf8(bytes.to_vec()).map_err(|_| malformed());
        match name.as_str() {
            "kind" => input.kind = Some(as_text()?),
            "document" => input.document = Some(as_text()?),
            "change_note" => input.change_note = as_text()?,
            "text" => input.text = as_text()?,
            "file" if !bytes.is_empty() => input.file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    Ok(input)
}

#[derive(Template)]
#[template(path = "policies_preview.html")]
struct PreviewPage {
    t: Tr,
    layout: Layout,
    parsed: PolicyText,
    rows: Vec<ClauseRow>,
    approved_on: String,
    source: String,
    kind: String,
    document: String,
    change_note: String,
}

/// Reads the text (upload or paste), parses it and shows the tree; nothing is saved yet.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    // The role is checked before the body is even looked at.
    signed.require(&state, EDITORS, "policies.edit").await?;
    let headers = request.headers().clone();
    // Say "too large" before reading a body that cannot fit.
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > crate::BODY_LIMIT) {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "policy.error.too_large",
        ));
    }
    let multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "malformed_form",
                "error.malformed_form",
            )
        })?;
    let input = read_import(multipart).await?;
    let document_id = input
        .document
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok());
    let refuse = |key: &str| Some(ctx.tr.t(key).to_owned());
    let source = match &input.file {
        Some(bytes) => match policy::decode(bytes) {
            Ok(text) => text,
            Err(problem) => {
                let draft = ImportDraft {
                    document_id,
                    text: String::new(),
                    change_note: input.change_note,
                    error: refuse(problem.message_key()),
                };
                return import_page(
                    &state,
                    &ctx,
                    &signed,
                    draft,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        None => input.text.clone(),
    };
    let parsed = match policy::parse(&source) {
        Ok(parsed) => parsed,
        Err(problem) => {
            let status = problem_error(&problem).status;
            let kept = if source.len() <= policy::MAX_BYTES {
                source
            } else {
                String::new()
            };
            let draft = ImportDraft {
                document_id,
                text: kept,
                change_note: input.change_note,
                error: refuse(problem.message_key()),
            };
            return import_page(&state, &ctx, &signed, draft, status).await;
        }
    };
    let kind = input
        .kind
        .filter(|k| PolicyKind::parse(k).is_some())
        .unwrap_or_else(|| PolicyKind::BasicPolicy.as_str().to_owned());
    let page = PreviewPage {
        t: ctx.tr,
        layout: Layout::load(&state, "policies", "/policies/import", Some(&signed.0)).await,
        rows: flatten(&parsed),
        approved_on: parsed.approved_on.map(|d| ctx.date(d)).unwrap_or_default(),
        parsed,
        source,
        kind,
        document: document_id.map(|d| d.to_string()).unwrap_or_default(),
        change_note: input.change_note,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    change_note: String,
}

/// The one way a text becomes a stored draft version (pages, API and command line).
pub async fn save_version(
    state: &AppState,
    actor: mamori_store::Actor,
    kind: PolicyKind,
    document_id: Option<i64>,
    source: &str,
    change_note: &str,
) -> Result<(i64, i64), AppError> {
    let parsed = policy::parse(source).map_err(|p| problem_error(&p))?;
    let change_note = if change_note.trim().is_empty() {
        String::new()
    } else {
        text::single_line(change_note, NOTE_MAX).map_err(|p| {
            let mut e = AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                p.message_key(),
            );
            e.params = p.params();
            e
        })?
    };
    let title: String = parsed.title.chars().take(TITLE_MAX).collect();
    let tree = serde_json::to_string(&parsed).map_err(|_| AppError::internal())?;
    let hash = content_hash(&parsed);
    if let Some(id) = document_id {
        policies::document(&state.store, id).await?;
    }
    let mut tx = state.store.write(actor).await?;
    let document_id = match document_id {
        Some(id) => id,
        None => policies::create_document(&mut tx, kind, &title).await?,
    };
    let version_id = policies::add_version(
        &mut tx,
        document_id,
        NewVersion {
            title: &title,
            source_text: source,
            tree_json: &tree,
            content_hash: &hash,
            change_note: &change_note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((document_id, version_id))
}

pub async fn save(
    State(state): State<AppState>,
    signed: SignedIn,
    WebForm(form): WebForm<SaveForm>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "policies.edit").await?;
    let kind = PolicyKind::parse(&form.kind).ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_choice",
            "error.invalid_choice",
        )
    })?;
    let document_id = if form.document.trim().is_empty() {
        None
    } else {
        Some(form.document.trim().parse::<i64>().map_err(|_| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_choice",
                "error.invalid_choice",
            )
        })?)
    };
    let (document_id, version_id) = save_version(
        &state,
        signed.0.actor(),
        kind,
        document_id,
        &form.source,
        &form.change_note,
    )
    .await?;
    Ok(see_other(&format!(
        "/policies/{document_id}/versions/{version_id}"
    )))
}

// ---------------------------------------------------------------- document and version pages

pub struct VersionRow {
    pub id: i64,
    pub number: i64,
    pub status_key: String,
    pub created: String,
    pub approved_on: String,
    pub published: String,
    pub change_note: String,
}

pub struct ReviewRow {
    pub reviewed_on: String,
    pub trigger_key: String,
    pub analysis: String,
    pub decision: String,
    pub result_version: Option<i64>,
}

#[derive(Template)]
#[template(path = "policies_document.html")]
struct DocumentPage {
    t: Tr,
    layout: Layout,
    id: i64,
    title: String,
    kind_key: String,
    versions: Vec<VersionRow>,
    reviews: Vec<ReviewRow>,
    triggers: Vec<&'static str>,
    can_edit: bool,
    /// Security officers and auditors follow the acknowledgements.
    can_follow_acks: bool,
    review_error: Option<String>,
}

async fn document_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    review_error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let document = policies::document(&state.store, id).await?;
    let versions = policies::versions(&state.store, id)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            id: v.id,
            number: v.number,
            status_key: format!("policy.status.{}", v.status.as_str()),
            created: time_text(ctx, Some(&v.created_at)),
            approved_on: date_text(ctx, v.approved_on.as_deref()),
            published: time_text(ctx, v.published_at.as_deref()),
            change_note: v.change_note,
        })
        .collect();
    let reviews = policies::reviews(&state.store, id)
        .await?
        .into_iter()
        .map(|r| ReviewRow {
            reviewed_on: date_text(ctx, Some(&r.reviewed_on)),
            trigger_key: format!("policy.trigger.{}", r.trigger.as_str()),
            analysis: r.analysis,
            decision: r.decision,
            result_version: r.result_version_id,
        })
        .collect();
    let page = DocumentPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "policies",
            &format!("/policies/{id}"),
            Some(&signed.0),
        )
        .await,
        id,
        title: document.title,
        kind_key: format!("policy.kind.{}", document.kind.as_str()),
        versions,
        reviews,
        triggers: ReviewTrigger::ALL.iter().map(|t| t.as_str()).collect(),
        can_edit: signed.has_role(EDITORS),
        can_follow_acks: signed.has_role(crate::pages::policy_acks::VIEWERS),
        review_error,
    };
    render(status, &page)
}

pub async fn show_document(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.view").await?;
    document_page(&state, &ctx, &signed, id, None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "policies_version.html")]
struct VersionPage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    version: VersionSummary,
    status_key: String,
    approved_on: String,
    approver: Option<String>,
    content_hash: String,
    rows: Vec<ClauseRow>,
    may_approve: bool,
    may_publish: bool,
    must_acknowledge: bool,
    acknowledged: Option<String>,
    today: String,
    suggested_approval: String,
    error: Option<String>,
}

async fn version_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    vid: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let version = checked_version(state, id, vid).await?;
    let tree = tree_of(&version)?;
    let user = signed.user();
    let org_roles = mamori_store::users::org_roles(&state.store, user.id).await?;
    let summary = version.summary;
    let may_approve =
        policy_lifecycle::check_approval(summary.status, summary.created_by, user.id, &org_roles)
            .is_ok();
    let acknowledgements = if summary.status == VersionStatus::Published {
        policies::acknowledgements(&state.store, vid).await?
    } else {
        Vec::new()
    };
    let mine = acknowledgements.iter().find(|a| a.user_id == user.id);
    let approver = match summary.approved_by {
        Some(approver) => mamori_store::users::get(&state.store, approver)
            .await
            .ok()
            .map(|u| u.display_name),
        None => None,
    };
    let page = VersionPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "policies",
            &format!("/policies/{id}/versions/{vid}"),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        status_key: format!("policy.status.{}", summary.status.as_str()),
        approved_on: date_text(ctx, summary.approved_on.as_deref()),
        approver,
        content_hash: summary.content_hash.clone(),
        rows: flatten_linked(&tree, id),
        may_approve,
        may_publish: summary.status == VersionStatus::Approved && signed.has_role(EDITORS),
        must_acknowledge: mine.is_some_and(|a| a.acknowledged_at.is_none()),
        acknowledged: mine
            .and_then(|a| a.acknowledged_at.as_deref())
            .map(|t| time_text(ctx, Some(t))),
        today: ctx.date(
            time::OffsetDateTime::now_utc()
                .to_offset(wareki::JST)
                .date(),
        ),
        suggested_approval: tree.approved_on.map(|d| ctx.date(d)).unwrap_or_default(),
        version: summary,
        error,
    };
    render(status, &page)
}

pub async fn show_version(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.view").await?;
    version_page(&state, &ctx, &signed, id, vid, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    approved_on: String,
}

pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
    WebForm(form): WebForm<ApproveForm>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.approve").await?;
    let version = checked_version(&state, id, vid).await?;
    let user = signed.user();
    let org_roles = mamori_store::users::org_roles(&state.store, user.id).await?;
    if let Err(problem) = policy_lifecycle::check_approval(
        version.summary.status,
        version.summary.created_by,
        user.id,
        &org_roles,
    ) {
        let message = ctx.tr.t(problem.message_key()).to_owned();
        return version_page(
            &state,
            &ctx,
            &signed,
            id,
            vid,
            Some(message),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let approved_on = match wareki::parse_date_input(&form.approved_on) {
        Ok(date) => date,
        Err(problem) => {
            let message = ctx.tr.f(problem.message_key(), &problem.params());
            return version_page(
                &state,
                &ctx,
                &signed,
                id,
                vid,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.store.write(signed.0.actor()).await?;
    policies::approve(&mut tx, vid, user.id, &approved_on.to_string()).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/policies/{id}/versions/{vid}")))
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, vid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "policies.publish").await?;
    let version = checked_version(&state, id, vid).await?;
    if let Err(problem) = policy_lifecycle::check_publication(version.summary.status) {
        let message = ctx.tr.t(problem.message_key()).to_owned();
        return version_page(
            &state,
            &ctx,
            &signed,
            id,
            vid,
            Some(message),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    policies::publish(&mut tx, vid).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/policies/{id}/versions/{vid}")))
}

// ---------------------------------------------------------------- comparison

#[derive(Deserialize)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub struct DiffRow {
    pub label: String,
    pub reference: String,
    pub change: &'static str,
    pub title: Vec<(&'static str, String)>,
    pub text: Vec<(&'static str, String)>,
    pub depth: usize,
}

fn pieces(pieces: &[Piece]) -> Vec<(&'static str, String)> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Same(s) => ("same", s.clone()),
            Piece::Inserted(s) => ("ins", s.clone()),
            Piece::Deleted(s) => ("del", s.clone()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "policies_compare.html")]
struct ComparePage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    versions: Vec<(i64, i64)>,
    from: i64,
    to: i64,
    rows: Vec<DiffRow>,
    added: usize,
    removed: usize,
    changed: usize,
}

pub async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.view").await?;
    let versions = policies::versions(&state.store, id).await?;
    let newest = versions
        .first()
        .map(|v| v.id)
        .ok_or_else(AppError::not_found)?;
    let oldest = versions.last().map(|v| v.id).unwrap_or(newest);
    let from = checked_version(&state, id, query.from.unwrap_or(oldest)).await?;
    let to = checked_version(&state, id, query.to.unwrap_or(newest)).await?;
    let diff = policy_diff::compare(&tree_of(&from)?, &tree_of(&to)?);
    let rows = diff
        .clauses
        .iter()
        .map(|c| DiffRow {
            label: c.label.clone(),
            reference: c.reference.clone(),
            change: match c.change {
                Change::Added => "added",
                Change::Removed => "removed",
                Change::Changed => "changed",
                Change::Unchanged => "unchanged",
            },
            title: pieces(&c.title),
            text: pieces(&c.text),
            depth: c.depth.min(4),
        })
        .collect();
    let page = ComparePage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "policies",
            &format!("/policies/{id}/compare"),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        versions: versions.iter().map(|v| (v.id, v.number)).collect(),
        from: from.summary.id,
        to: to.summary.id,
        rows,
        added: diff.added,
        removed: diff.removed,
        changed: diff.changed,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- clause page

#[derive(Template)]
#[template(path = "policies_clause.html")]
struct ClausePage {
    t: Tr,
    layout: Layout,
    document_id: i64,
    document_title: String,
    rows: Vec<ClauseRow>,
    reference: String,
    links: Vec<mamori_store::policies::ClauseLink>,
    /// Information assets registered against this clause of the basic policy.
    assets: Vec<(i64, String)>,
}

pub async fn clause(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path((id, reference)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "policies.view").await?;
    let document = policies::document(&state.store, id).await?;
    let versions = policies::versions(&state.store, id).await?;
    // The clause as the published version has it, else as the newest draft.
    let chosen = versions
        .iter()
        .find(|v| v.status == VersionStatus::Published)
        .or(versions.first())
        .ok_or_else(AppError::not_found)?;
    let tree = tree_of(&policies::version(&state.store, chosen.id).await?)?;
    let clause = tree.find(&reference).ok_or_else(AppError::not_found)?;
    let single = PolicyText {
        clauses: vec![clause.clone()],
        supplementary: Vec::new(),
        ..tree.clone()
    };
    let page = ClausePage {
        t: ctx.tr,
        layout: Layout::load(
            &state,
            "policies",
            &format!("/policies/{id}"),
            Some(&signed.0),
        )
        .await,
        document_id: id,
        document_title: document.title,
        rows: flatten(&single),
        links: policies::links_to(&state.store, id, &reference).await?,
        assets: if document.kind == PolicyKind::BasicPolicy
            && signed.0.acting.may(Register::Assets, Act::Read)
        {
            mamori_app::assets::linked_to_clause(&state.app, &signed.0.acting, &reference).await?
        } else {
            Vec::new()
        },
        reference,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- reviews

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    reviewed_on: String,
    #[serde(default)]
    trigger: String,
    #[serde(default)]
    analysis: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    result_version: String,
}

pub const REVIEW_TEXT_MAX: usize = 10_000;

pub async fn add_review(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReviewForm>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "policies.review").await?;
    policies::document(&state.store, id).await?;
    let tr = ctx.tr;
    let reviewed_on =
        wareki::parse_date_input(&form.reviewed_on).map_err(|p| tr.f(p.message_key(), &p.params()));
    let trigger =
        ReviewTrigger::parse(&form.trigger).ok_or_else(|| tr.t("error.invalid_choice").to_owned());
    let long_text = |value: &str| -> Result<String, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(tr.t("field.error.required").to_owned());
        }
        if value.chars().count() > REVIEW_TEXT_MAX {
            return Err(tr.f(
                "field.error.too_long",
                &[("max", REVIEW_TEXT_MAX.to_string())],
            ));
        }
        Ok(value.to_owned())
    };
    let analysis = long_text(&form.analysis);
    let decision = long_text(&form.decision);
    let result_version = match form.result_version.trim() {
        "" => Ok(None),
        text => match text.parse::<i64>() {
            Ok(vid) => match checked_version(&state, id, vid).await {
                Ok(_) => Ok(Some(vid)),
                Err(_) => Err(tr.t("error.invalid_choice").to_owned()),
            },
            Err(_) => Err(tr.t("error.invalid_choice").to_owned()),
        },
    };
    let (Ok(reviewed_on), Ok(trigger), Ok(analysis), Ok(decision), Ok(result_version)) = (
        &reviewed_on,
        &trigger,
        &analysis,
        &decision,
        &result_version,
    ) else {
        let message = [
            reviewed_on.err(),
            trigger.err(),
            analysis.err(),
            decision.err(),
            result_version.err(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        return document_page(
            &state,
            &ctx,
            &signed,
            id,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut tx = state.store.write(signed.0.actor()).await?;
    policies::add_review(
        &mut tx,
        id,
        NewReview {
            reviewed_on: &reviewed_on.to_string(),
            trigger: *trigger,
            analysis,
            decision,
            result_version_id: *result_version,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/policies/{id}#reviews")))
}

// ---------------------------------------------------------------- public page

#[derive(Template)]
#[template(path = "public_policy.html")]
struct PublicPage {
    t: Tr,
    organisation: Option<String>,
    title: String,
    approved_on: String,
    rows: Vec<ClauseRow>,
}

/// The published basic policy, readable without signing in, laid out for A4.
pub async fn public_policy(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let version = policies::published_basic_policy(&state.store)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "not_published",
                "policy.error.not_published",
            )
        })?;
    let tree = tree_of(&version)?;
    let page = PublicPage {
        t: ctx.tr,
        organisation: mamori_store::settings::get(
            &state.store,
            mamori_store::settings::ORGANISATION_NAME,
        )
        .await?,
        title: tree.title.clone(),
        approved_on: date_text(&ctx, version.summary.approved_on.as_deref()),
        rows: flatten(&tree),
    };
    render(StatusCode::OK, &page)
}
