//! Importing a policy text: the form (a file or a paste), the preview of the parsed
//! clause tree (nothing stored yet), and saving it as a draft version.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies::{self, SaveVersion};
use mamori_domain::access::{Act, Register};
use mamori_domain::policy::{self, PolicyText, WarningReason};
use mamori_domain::policy_lifecycle::PolicyKind;
use serde::Deserialize;

use super::{ClauseRow, flatten, policy_error};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/import.html")]
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
    let documents = policies::list_documents(&state.app, &signed.0.acting)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.document.id,
                l.document.title,
                Some(l.document.id) == draft.document_id,
            )
        })
        .collect();
    let page = ImportPage {
        t: ctx.tr,
        layout: Layout::load(state, "policies", "/policies/import", Some(&signed.0)).await,
        kinds: PolicyKind::ALL
            .iter()
            .map(|k| (k.as_str(), *k == PolicyKind::BasicPolicy))
            .collect(),
        documents,
        text: draft.text,
        change_note: draft.change_note,
        error: draft.error,
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
    let acting = &signed.0.acting;
    // Editing in the browser starts from the newest version's text.
    let text = match query.document {
        Some(id) => policies::latest_text(&state.app, acting, id).await?,
        None => {
            state
                .app
                .permit(acting, Register::Policies, Act::Edit, "policies.edit")
                .await?;
            String::new()
        }
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

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "policy.error.too_large",
    )
}

fn malformed() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "malformed_form",
        "error.malformed_form",
    )
}

async fn read_import(request: axum::extract::Request) -> Result<ImportInput, AppError> {
    // Say "too large" before reading a body that cannot fit.
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > crate::BODY_LIMIT) {
        return Err(too_large());
    }
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|_| malformed())?;
    let mut input = ImportInput::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            malformed()
        }
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| malformed())?;
        if bytes.len() > policy::MAX_BYTES {
            return Err(too_large());
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

/// The import form again, saying why the text was refused, with the text as read
/// (unless it could not be read at all).
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    input: ImportInput,
    document_id: Option<i64>,
    failure: mamori_app::Failure,
) -> Result<Response, AppError> {
    let error = policy_error(failure);
    let kept = match &input.file {
        Some(bytes) => policy::decode(bytes).unwrap_or_default(),
        None => input.text,
    };
    let draft = ImportDraft {
        document_id,
        text: if kept.len() <= policy::MAX_BYTES {
            kept
        } else {
            String::new()
        },
        change_note: input.change_note,
        error: Some(error.message(&ctx.tr)),
    };
    let mut page = import_page(state, ctx, signed, draft, error.status).await?;
    // Too many files read at once: the form is shown again, with when to try.
    if let Some(seconds) = error.retry_after_secs {
        page.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    Ok(page)
}

#[derive(Template)]
#[template(path = "policies/preview.html")]
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

impl PreviewPage {
    fn anchor(&self, reference: &str) -> String {
        super::anchor(reference)
    }

    fn reason_key(&self, reason: &WarningReason) -> &'static str {
        match reason {
            WarningReason::Unrecognised => "policy.warning.unrecognised",
            WarningReason::OutOfSequence => "policy.warning.out_of_sequence",
            WarningReason::BeforeFirstClause => "policy.warning.before_first_clause",
        }
    }
}

/// Reads the text (upload or paste), parses it and shows the tree; nothing is saved yet.
pub async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    // Who may send it comes first: the body is read only for them.
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.edit")
        .await?;
    let input = read_import(request).await?;
    let document_id = input.document.as_deref().and_then(|d| d.parse().ok());
    let read = policies::preview_import(&state.app, acting, input.file.as_deref(), &input.text);
    let (source, parsed) = match read.await {
        Ok(read) => read,
        Err(failure) => return refused(&state, &ctx, &signed, input, document_id, failure).await,
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
        document: document_id.map(|d: i64| d.to_string()).unwrap_or_default(),
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

fn invalid_choice() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_choice",
        "error.invalid_choice",
    )
}

pub async fn save(
    State(state): State<AppState>,
    signed: SignedIn,
    WebForm(form): WebForm<SaveForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    // Refused before the form is judged: a reader learns nothing from its validation.
    (state.app)
        .permit(acting, Register::Policies, Act::Edit, "policies.edit")
        .await?;
    let kind = PolicyKind::parse(&form.kind).ok_or_else(invalid_choice)?;
    let document_id = match form.document.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| invalid_choice())?),
    };
    let input = SaveVersion {
        kind,
        document_id,
        source: form.source,
        change_note: form.change_note,
        // Saved only: the draft is sent for 決裁 from its page, to a chosen person.
        send: None,
    };
    let saved = policies::save_version(&state.app, acting, input)
        .await
        .map_err(policy_error)?;
    Ok(see_other(&format!(
        "/policies/{}/versions/{}",
        saved.document_id, saved.version_id
    )))
}
