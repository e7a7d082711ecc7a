//! The threat catalogue (clause 3 of the basic policy): the five families of clause 3
//! with the threats each names, kept by the security officer. A threat is never deleted:
//! retiring it ("廃止") keeps it, and every risk that names it, on record; it can be
//! brought back. Those who read the risk register read the catalogue.

use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::threats::{self as app_threats, Threat};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::risk::ThreatFamily;
use mamori_domain::threat::ThreatForm;
pub use mamori_domain::threat::{DESCRIPTION_MAX, NAME_MAX};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

const PATH: &str = "/threats";

/// Longest text kept from a submitted field to show it again: above every limit, so a
/// refused value comes back as typed, but bounded.
const KEEP_CHARS: usize = 5_000;

/// The locale key naming a family.
pub fn family_key(family: ThreatFamily) -> &'static str {
    match family {
        ThreatFamily::Intentional => "threat.family.intentional",
        ThreatFamily::Unintentional => "threat.family.unintentional",
        ThreatFamily::Disaster => "threat.family.disaster",
        ThreatFamily::Pandemic => "threat.family.pandemic",
        ThreatFamily::Infrastructure => "threat.family.infrastructure",
    }
}

/// The locale key with what clause 3 says of a family.
fn family_explain_key(family: ThreatFamily) -> &'static str {
    match family {
        ThreatFamily::Intentional => "threat.family_explain.intentional",
        ThreatFamily::Unintentional => "threat.family_explain.unintentional",
        ThreatFamily::Disaster => "threat.family_explain.disaster",
        ThreatFamily::Pandemic => "threat.family_explain.pandemic",
        ThreatFamily::Infrastructure => "threat.family_explain.infrastructure",
    }
}

// ---------------------------------------------------------------- reading input

/// A threat as the form shows it.
pub fn form_of(threat: &Threat) -> ThreatForm {
    ThreatForm {
        family: threat.family.as_str().to_owned(),
        name: threat.name.clone(),
        description: threat.description.clone(),
    }
}

fn form_from_fields(fields: &[(String, String)]) -> ThreatForm {
    let get = |name: &str| -> String {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
            .chars()
            .take(KEEP_CHARS)
            .collect()
    };
    ThreatForm {
        family: get("family"),
        name: get("name"),
        description: get("description"),
    }
}

/// Invalid input shows the form again; other failures are the error page.
fn problems_of(failure: mamori_app::Failure) -> Result<Vec<FieldProblem>, AppError> {
    match failure {
        mamori_app::Failure::Invalid(problems) => Ok(problems),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------- the catalogue page

pub struct ThreatRow {
    pub id: i64,
    pub name: String,
    pub description: Vec<String>,
    /// When it was retired, ready to show; `None` while in use.
    pub retired: Option<String>,
}

pub struct FamilyGroup {
    pub code: &'static str,
    pub key: &'static str,
    pub explain: &'static str,
    pub clause: &'static str,
    /// The clause's page in the published basic policy, when there is one.
    pub clause_link: Option<String>,
    pub threats: Vec<ThreatRow>,
}

/// One option of the family select.
pub struct FamilyChoice {
    pub value: &'static str,
    pub clause: &'static str,
    pub key: &'static str,
}

pub fn family_choices() -> Vec<FamilyChoice> {
    ThreatFamily::ALL
        .iter()
        .map(|f| FamilyChoice {
            value: f.as_str(),
            clause: f.clause(),
            key: family_key(*f),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "threats.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    groups: Vec<FamilyGroup>,
    can_edit: bool,
    notice: Option<&'static str>,
    families: Vec<FamilyChoice>,
    form: ThreatForm,
    errors: Vec<FieldError>,
    name_hint: String,
    description_hint: String,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn field_errors(problems: &[FieldProblem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: tr.f(p.key, &p.params),
        })
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Links to the clauses of the published basic policy that it really has, for users who
/// may read policies.
async fn clause_links(
    state: &AppState,
    signed: &SignedIn,
) -> Result<Vec<(ThreatFamily, String)>, AppError> {
    let links = app_threats::clause_links(&state.app, &signed.0.acting).await?;
    Ok(links
        .into_iter()
        .map(|(family, document)| {
            let clause = crate::http::auth::percent_encode(family.clause()).replace('/', "%2F");
            (family, format!("/policies/{document}/clauses/{clause}"))
        })
        .collect())
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    notice: Option<&'static str>,
    form: ThreatForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let threats = app_threats::list_threats(&state.app, &signed.0.acting).await?;
    let links = clause_links(state, signed).await?;
    let groups = ThreatFamily::ALL
        .iter()
        .map(|family| FamilyGroup {
            code: family.as_str(),
            key: family_key(*family),
            explain: family_explain_key(*family),
            clause: family.clause(),
            clause_link: links
                .iter()
                .find(|(f, _)| f == family)
                .map(|(_, l)| l.clone()),
            threats: threats
                .iter()
                .filter(|t| t.family == *family)
                .map(|t| ThreatRow {
                    id: t.id,
                    name: t.name.clone(),
                    description: lines(&t.description),
                    retired: t.retired_at.map(|at| ctx.datetime(at)),
                })
                .collect(),
        })
        .collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(state, "threats", PATH, Some(&signed.0)).await,
        groups,
        can_edit: signed.0.acting.may(Register::Threats, Act::Edit),
        notice,
        families: family_choices(),
        form,
        errors: field_errors(problems, &ctx.tr),
        name_hint: ctx
            .tr
            .f("threat.name_hint", &[("max", NAME_MAX.to_string())]),
        description_hint: ctx.tr.f(
            "threat.description_hint",
            &[("max", DESCRIPTION_MAX.to_string())],
        ),
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn notice_key(saved: Option<&str>) -> Option<&'static str> {
    match saved {
        Some("created") => Some("threat.saved.created"),
        Some("updated") => Some("threat.saved.updated"),
        Some("retired") => Some("threat.saved.retired"),
        Some("restored") => Some("threat.saved.restored"),
        Some("unchanged") => Some("threat.saved.unchanged"),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Threats,
            Act::Read,
            "threats.view",
        )
        .await?;
    let notice = notice_key(query.saved.as_deref());
    render_list(&state, &ctx, &signed, notice, ThreatForm::default(), &[]).await
}

/// A URL-encoded body as name/value pairs, read after the role check.
async fn read_fields(request: Request) -> Result<Vec<(String, String)>, AppError> {
    let WebForm(pairs) = WebForm::<Vec<(String, String)>>::from_request(request, &()).await?;
    Ok(pairs)
}

pub async fn create_threat(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Threats,
            Act::Edit,
            "threats.create",
        )
        .await?;
    let form = form_from_fields(&read_fields(request).await?);
    match app_threats::create_threat(&state.app, &signed.0.acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}?saved=created#threat-{id}"))),
        Err(failure) => {
            let problems = problems_of(failure)?;
            render_list(&state, &ctx, &signed, None, form, &problems).await
        }
    }
}

// ---------------------------------------------------------------- editing one threat

/// One entry of a threat's history, from the audit trail.
pub struct HistoryRow {
    pub at: String,
    pub action: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "threats_edit.html")]
struct EditPage {
    t: Tr,
    layout: Layout,
    id: i64,
    stored_name: String,
    clause: &'static str,
    retired: Option<String>,
    families: Vec<FamilyChoice>,
    form: ThreatForm,
    errors: Vec<FieldError>,
    name_hint: String,
    description_hint: String,
    history: Vec<HistoryRow>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The threat's entries in the audit trail, newest first.
async fn history(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
) -> Result<Vec<HistoryRow>, AppError> {
    Ok(app_threats::history(&state.app, &signed.0.acting, id)
        .await?
        .into_iter()
        .map(|r| HistoryRow {
            at: time::OffsetDateTime::parse(&r.at, &time::format_description::well_known::Rfc3339)
                .map(|at| ctx.datetime(at))
                .unwrap_or(r.at),
            action: ctx.tr.t(&format!("audit.action.{}", r.action)).to_owned(),
            actor: r.actor_label,
        })
        .collect())
}

async fn render_edit(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    threat: &Threat,
    form: ThreatForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "threats",
            &format!("{PATH}/{}", threat.id),
            Some(&signed.0),
        )
        .await,
        id: threat.id,
        stored_name: threat.name.clone(),
        clause: threat.family.clause(),
        retired: threat.retired_at.map(|at| ctx.datetime(at)),
        families: family_choices(),
        form,
        errors: field_errors(problems, &ctx.tr),
        name_hint: ctx
            .tr
            .f("threat.name_hint", &[("max", NAME_MAX.to_string())]),
        description_hint: ctx.tr.f(
            "threat.description_hint",
            &[("max", DESCRIPTION_MAX.to_string())],
        ),
        history: history(state, ctx, signed, threat.id).await?,
    };
    render(status, &page)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let threat = app_threats::threat_to_edit(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let form = form_of(&threat);
    render_edit(&state, &ctx, &signed, &threat, form, &[]).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let threat = app_threats::threat_to_edit(&state.app, acting, parse_id(&id)?).await?;
    let form = form_from_fields(&read_fields(request).await?);
    let saved = match app_threats::update_threat(&state.app, acting, threat.id, &form).await {
        Ok(true) => "updated",
        Ok(false) => "unchanged",
        Err(failure) => {
            let problems = problems_of(failure)?;
            return render_edit(&state, &ctx, &signed, &threat, form, &problems).await;
        }
    };
    Ok(see_other(&format!(
        "{PATH}?saved={saved}#threat-{}",
        threat.id
    )))
}

async fn set_retired(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    retired: bool,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let saved = match app_threats::set_retired(&state.app, &signed.0.acting, id, retired).await? {
        true if retired => "retired",
        true => "restored",
        false => "unchanged",
    };
    Ok(see_other(&format!("{PATH}?saved={saved}#threat-{id}")))
}

pub async fn retire(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_retired(&state, &signed, &id, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_retired(&state, &signed, &id, false).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    #[test]
    fn keys_used_here_exist_in_both_languages() {
        let mut keys = vec![
            "threat.error.family",
            "threat.error.control_chars_multiline",
            "threat.error.duplicate",
            "threat.error.duplicate_retired",
            "threat.name_hint",
            "threat.description_hint",
            "threat.saved.created",
            "threat.saved.updated",
            "threat.saved.retired",
            "threat.saved.restored",
            "threat.saved.unchanged",
        ];
        for family in ThreatFamily::ALL {
            keys.push(family_key(family));
            keys.push(family_explain_key(family));
        }
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
