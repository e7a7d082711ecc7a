//! The threat catalogue (clause 3 of the basic policy): the five families of clause 3
//! with the threats each names, kept by the security officer. A threat is never deleted:
//! retiring it ("廃止") keeps it, and every risk that names it, on record; it can be
//! brought back. Those who read the risk register read the catalogue.

use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::risk::{ThreatFamily, check_threat_name};
use mamori_domain::search::normalise;
use mamori_domain::text::TextProblem;
use mamori_store::StoreError;
use mamori_store::audit::{AuditFilter, AuditRecord};
use mamori_store::risks::{self, Threat};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::risks::{EDITORS, require_reader};
use crate::pages::setup::FieldError;
use crate::pages::users::{Problem, parse_id};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Longest name of a threat, in characters.
pub const NAME_MAX: usize = 100;
/// Longest description of a threat, in characters (a line break counts as one).
pub const DESCRIPTION_MAX: usize = 2000;

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

// ---------------------------------------------------------------- checking input

/// A threat as typed.
#[derive(Debug, Clone, Default)]
pub struct ThreatForm {
    pub family: String,
    pub name: String,
    pub description: String,
}

impl ThreatForm {
    fn from_threat(threat: &Threat) -> ThreatForm {
        ThreatForm {
            family: threat.family.as_str().to_owned(),
            name: threat.name.clone(),
            description: threat.description.clone(),
        }
    }

    fn from_fields(fields: &[(String, String)]) -> ThreatForm {
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
}

/// A threat as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedThreat {
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
}

fn text_problem(field: &'static str, problem: TextProblem) -> Problem {
    Problem {
        field,
        key: problem.message_key(),
        params: problem.params(),
    }
}

/// A description: several lines, at most [`DESCRIPTION_MAX`] characters once trimmed,
/// no control characters other than line breaks and tabs (a NUL would break exports,
/// and PostgreSQL refuses it). Browsers send line breaks as CRLF: stored as LF.
fn check_description(value: &str) -> Result<String, Problem> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Problem::new(
            "description",
            "threat.error.control_chars_multiline",
        ));
    }
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(text_problem(
            "description",
            TextProblem::TooLong {
                max: DESCRIPTION_MAX,
            },
        ));
    }
    Ok(text.to_owned())
}

/// Checks every field at once, so that each can show its own message.
pub fn check_form(form: &ThreatForm) -> Result<CheckedThreat, Vec<Problem>> {
    let mut problems = Vec::new();
    let family = ThreatFamily::parse(form.family.trim());
    if family.is_none() {
        problems.push(Problem::new("family", "threat.error.family"));
    }
    let name = check_threat_name(&form.name)
        .map_err(|p| problems.push(text_problem("name", p)))
        .ok();
    let description = check_description(&form.description)
        .map_err(|p| problems.push(p))
        .ok();
    match (family, name, description) {
        (Some(family), Some(name), Some(description)) if problems.is_empty() => Ok(CheckedThreat {
            family,
            name,
            description,
        }),
        _ => Err(problems),
    }
}

/// Another threat of the same family already has this name (retired ones included:
/// bringing one back is better than a second with the same name).
pub fn name_taken(
    threats: &[Threat],
    except: Option<i64>,
    checked: &CheckedThreat,
) -> Option<Problem> {
    let wanted = normalise(&checked.name);
    let clash = threats.iter().find(|t| {
        Some(t.id) != except && t.family == checked.family && normalise(&t.name) == wanted
    })?;
    Some(Problem {
        field: "name",
        key: if clash.retired_at.is_some() {
            "threat.error.duplicate_retired"
        } else {
            "threat.error.duplicate"
        },
        params: vec![("name", clash.name.clone())],
    })
}

/// Stores a new threat; `Err` with the problem when the name is taken.
pub async fn create(
    state: &AppState,
    signed: &SignedIn,
    checked: &CheckedThreat,
) -> Result<Result<i64, Problem>, AppError> {
    // Read before the write lock is taken, as the other pages do: a write never waits
    // on a second connection of the pool while holding the lock.
    let all = risks::threats(&state.store).await?;
    if let Some(problem) = name_taken(&all, None, checked) {
        return Ok(Err(problem));
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    let id =
        risks::create_threat(&mut tx, checked.family, &checked.name, &checked.description).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// What an edit changes: the fields, the retired state, or both.
pub struct ThreatChange<'a> {
    pub fields: Option<&'a CheckedThreat>,
    pub retired: Option<bool>,
}

/// Applies a change to a stored threat in one transaction; `Ok(false)` when it changed
/// nothing, `Err` with the problem when the new name is taken.
pub async fn apply(
    state: &AppState,
    signed: &SignedIn,
    before: &Threat,
    change: ThreatChange<'_>,
) -> Result<Result<bool, Problem>, AppError> {
    let fields = change.fields.filter(|c| {
        c.family != before.family || c.name != before.name || c.description != before.description
    });
    let retire = change.retired.filter(|r| *r != before.retired_at.is_some());
    if fields.is_none() && retire.is_none() {
        return Ok(Ok(false));
    }
    if let Some(checked) = fields {
        let all = risks::threats(&state.store).await?;
        if let Some(problem) = name_taken(&all, Some(before.id), checked) {
            return Ok(Err(problem));
        }
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    if let Some(checked) = fields {
        risks::update_threat(
            &mut tx,
            before.id,
            checked.family,
            &checked.name,
            &checked.description,
        )
        .await?;
    }
    if let Some(retired) = retire {
        match risks::set_retired(&mut tx, before.id, retired).await {
            Ok(()) => {}
            // Someone did the same a moment ago.
            Err(StoreError::NotFound) if fields.is_none() => return Ok(Ok(false)),
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(Ok(true))
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

fn field_errors(problems: &[Problem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: p.message(tr),
        })
        .collect()
}

fn datetime_label(ctx: &Ctx, text: &str) -> String {
    mamori_store::parse_timestamp(text)
        .map(|at| ctx.datetime(at))
        .unwrap_or_else(|| text.to_owned())
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
    if !signed.has_role(crate::pages::policies::READERS) {
        return Ok(Vec::new());
    }
    let Some(version) = mamori_store::policies::published_basic_policy(&state.store).await? else {
        return Ok(Vec::new());
    };
    // An unreadable tree only costs the links.
    let Ok(tree) = crate::pages::policies::tree_of(&version) else {
        return Ok(Vec::new());
    };
    Ok(ThreatFamily::ALL
        .iter()
        .filter(|f| tree.find(f.clause()).is_some())
        .map(|f| {
            (
                *f,
                format!(
                    "/policies/{}/clauses/{}",
                    version.summary.document_id,
                    crate::pages::policies::ref_path(f.clause())
                ),
            )
        })
        .collect())
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    notice: Option<&'static str>,
    form: ThreatForm,
    problems: &[Problem],
) -> Result<Response, AppError> {
    let threats = risks::threats(&state.store).await?;
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
                    retired: t.retired_at.as_deref().map(|at| datetime_label(ctx, at)),
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
        can_edit: signed.has_role(EDITORS),
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
    require_reader(&state, &signed, "threats.view").await?;
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
    signed.require(&state, EDITORS, "threats.create").await?;
    let form = ThreatForm::from_fields(&read_fields(request).await?);
    let checked = match check_form(&form) {
        Ok(checked) => checked,
        Err(problems) => return render_list(&state, &ctx, &signed, None, form, &problems).await,
    };
    match create(&state, &signed, &checked).await? {
        Ok(id) => Ok(see_other(&format!("{PATH}?saved=created#threat-{id}"))),
        Err(problem) => render_list(&state, &ctx, &signed, None, form, &[problem]).await,
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
async fn history(state: &AppState, ctx: &Ctx, id: i64) -> Result<Vec<HistoryRow>, AppError> {
    let filter = AuditFilter {
        target_type: Some("threat".to_owned()),
        ..AuditFilter::default()
    };
    let (records, _) = mamori_store::audit::search(&state.store, &filter, 10_000, 0).await?;
    let wanted = id.to_string();
    Ok(records
        .into_iter()
        .filter(|r: &AuditRecord| r.target_id.as_deref() == Some(wanted.as_str()))
        .map(|r| HistoryRow {
            at: datetime_label(ctx, &r.at),
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
    problems: &[Problem],
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
        retired: threat
            .retired_at
            .as_deref()
            .map(|at| datetime_label(ctx, at)),
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
        history: history(state, ctx, threat.id).await?,
    };
    render(status, &page)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "threats.edit").await?;
    let threat = risks::threat(&state.store, parse_id(&id)?).await?;
    let form = ThreatForm::from_threat(&threat);
    render_edit(&state, &ctx, &signed, &threat, form, &[]).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "threats.edit").await?;
    let threat = risks::threat(&state.store, parse_id(&id)?).await?;
    let form = ThreatForm::from_fields(&read_fields(request).await?);
    let checked = match check_form(&form) {
        Ok(checked) => checked,
        Err(problems) => return render_edit(&state, &ctx, &signed, &threat, form, &problems).await,
    };
    let change = ThreatChange {
        fields: Some(&checked),
        retired: None,
    };
    match apply(&state, &signed, &threat, change).await? {
        Ok(true) => Ok(see_other(&format!(
            "{PATH}?saved=updated#threat-{}",
            threat.id
        ))),
        Ok(false) => Ok(see_other(&format!(
            "{PATH}?saved=unchanged#threat-{}",
            threat.id
        ))),
        Err(problem) => render_edit(&state, &ctx, &signed, &threat, form, &[problem]).await,
    }
}

async fn set_retired(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    retired: bool,
) -> Result<Response, AppError> {
    let what = if retired {
        "threats.retire"
    } else {
        "threats.restore"
    };
    signed.require(state, EDITORS, what).await?;
    let threat = risks::threat(&state.store, parse_id(id)?).await?;
    let change = ThreatChange {
        fields: None,
        retired: Some(retired),
    };
    let saved = match apply(state, signed, &threat, change).await? {
        Ok(true) if retired => "retired",
        Ok(true) => "restored",
        _ => "unchanged",
    };
    Ok(see_other(&format!(
        "{PATH}?saved={saved}#threat-{}",
        threat.id
    )))
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

    fn form(family: &str, name: &str, description: &str) -> ThreatForm {
        ThreatForm {
            family: family.into(),
            name: name.into(),
            description: description.into(),
        }
    }

    #[test]
    fn a_threat_is_checked_field_by_field() {
        let checked = check_form(&form(
            "intentional",
            "　標的型メール ",
            "添付ファイル\r\nURL",
        ))
        .unwrap();
        assert_eq!(checked.family, ThreatFamily::Intentional);
        assert_eq!(checked.name, "標的型メール");
        assert_eq!(checked.description, "添付ファイル\nURL");
        let problems =
            check_form(&form("alien", " ", &"あ".repeat(DESCRIPTION_MAX + 1))).unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("family", "threat.error.family"),
                ("name", "field.error.required"),
                ("description", "field.error.too_long"),
            ]
        );
        let problems =
            check_form(&form("disaster", &"あ".repeat(NAME_MAX + 1), "a\u{0}b")).unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("name", "field.error.too_long"),
                ("description", "threat.error.control_chars_multiline"),
            ]
        );
        assert!(check_form(&form("disaster", "地震\t", "")).is_ok());
        assert!(check_form(&form("disaster", "地\n震", "")).is_err());
    }

    #[test]
    fn names_are_unique_within_a_family() {
        let threat = |id, family, name: &str, retired: bool| Threat {
            id,
            family,
            name: name.into(),
            description: String::new(),
            clause_ref: String::new(),
            retired_at: retired.then(|| "2026-04-01T00:00:00Z".to_owned()),
        };
        let all = vec![
            threat(1, ThreatFamily::Disaster, "地震", false),
            threat(2, ThreatFamily::Disaster, "落雷", true),
        ];
        let checked = |family, name: &str| CheckedThreat {
            family,
            name: name.into(),
            description: String::new(),
        };
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "地震"))
                .unwrap()
                .key,
            "threat.error.duplicate"
        );
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "落雷"))
                .unwrap()
                .key,
            "threat.error.duplicate_retired"
        );
        assert!(name_taken(&all, Some(1), &checked(ThreatFamily::Disaster, "地震")).is_none());
        assert!(name_taken(&all, None, &checked(ThreatFamily::Intentional, "地震")).is_none());
    }

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
