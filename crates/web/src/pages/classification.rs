//! Classification settings (clause 6(2)): the scheme in use, each level's definition,
//! take-out approval and handling rules (取扱制限) for every step of an asset's life;
//! switching to another scheme while the register is still empty; editing a level.
//! Everyone who reads the register may read what its levels mean; the administrator
//! and the security officer change them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_domain::classification::{
    Axis, Level, LevelProblem, LifecycleStep, MAX_DEFINITION, MAX_LEVEL_NAME, MAX_RULE, Scheme,
    check_level_edit,
};
use mamori_domain::search::normalise;
use mamori_domain::text::{self, TextProblem};
use mamori_domain::user::Role;
use mamori_store::StoreError;
use mamori_store::classification::{self, ActivateRefusal, LevelEdit};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::assets::{axis_key, step_key};
use crate::pages::setup::FieldError;
use crate::pages::users::{Problem, parse_id};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// Everyone who reads the register reads what its levels mean.
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::SecurityOfficer,
    Role::User,
    Role::Auditor,
];
/// Those who keep the register change the scheme and its levels.
pub const EDITORS: &[Role] = &[Role::Admin, Role::SecurityOfficer];

const PATH: &str = "/settings/classification";

/// Longest text kept from a submitted field to show it again: well above every limit,
/// so a refused value comes back as typed, but bounded.
const KEEP_CHARS: usize = 20_000;

// ---------------------------------------------------------------- views of a scheme

/// One step's handling rule, ready to show.
pub struct RuleView {
    /// The locale key naming the step.
    pub step: &'static str,
    /// The rule's lines; empty when the level sets no rule for the step.
    pub lines: Vec<String>,
}

pub struct LevelView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub definition: Vec<String>,
    /// Whether taking an asset out needs approval first. Only a confidentiality level
    /// decides it (`mamori_domain::asset::check_event`): `None` on the other axes.
    pub takeout: Option<bool>,
    /// Whether an asset at this level may be published (only the lowest confidentiality
    /// level may); `None` on the other axes.
    pub publishable: Option<bool>,
    pub rules: Vec<RuleView>,
}

pub struct AxisView {
    /// The locale key naming the axis.
    pub label: &'static str,
    /// The axis code, for element ids.
    pub code: &'static str,
    pub levels: Vec<LevelView>,
}

pub struct SchemeView {
    pub id: i64,
    pub name: String,
    pub axes: Vec<AxisView>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn level_view(scheme: &Scheme, level: &Level) -> LevelView {
    let confidentiality = level.axis == Axis::Confidentiality;
    LevelView {
        id: level.id,
        code: level.code.clone(),
        name: level.name.clone(),
        definition: lines(&level.definition),
        takeout: confidentiality.then_some(level.takeout_requires_approval),
        publishable: confidentiality.then(|| scheme.may_publish(level)),
        rules: LifecycleStep::ALL
            .iter()
            .map(|step| RuleView {
                step: step_key(*step),
                lines: level.rules.get(step).map(|r| lines(r)).unwrap_or_default(),
            })
            .collect(),
    }
}

fn scheme_view(scheme: &Scheme) -> SchemeView {
    SchemeView {
        id: scheme.id,
        name: scheme.name.clone(),
        axes: Axis::ALL
            .iter()
            .map(|axis| AxisView {
                label: axis_key(*axis),
                code: axis.as_str(),
                levels: scheme
                    .levels_of(*axis)
                    .into_iter()
                    .map(|level| level_view(scheme, level))
                    .collect(),
            })
            .collect(),
    }
}

/// Every stored scheme, the active one first.
async fn all_schemes(state: &AppState) -> Result<Vec<(Scheme, bool)>, AppError> {
    let mut all = Vec::new();
    for summary in classification::schemes(&state.store).await? {
        let scheme = classification::scheme(&state.store, summary.id).await?;
        all.push((scheme, summary.active));
    }
    all.sort_by_key(|(_, active)| !*active);
    Ok(all)
}

/// A level by id, in whichever scheme holds it, and whether that scheme is in use.
async fn find_level(state: &AppState, id: i64) -> Result<(Scheme, bool, Level), AppError> {
    for (scheme, active) in all_schemes(state).await? {
        if let Some(level) = scheme.level(id).cloned() {
            return Ok((scheme, active, level));
        }
    }
    Err(AppError::not_found())
}

// ---------------------------------------------------------------- the settings page

#[derive(Template)]
#[template(path = "classification.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    active: Option<SchemeView>,
    others: Vec<SchemeView>,
    can_edit: bool,
    notice: Option<&'static str>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn render_settings(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    status: StatusCode,
    notice: Option<&'static str>,
    refusal: Option<String>,
) -> Result<Response, AppError> {
    let mut active = None;
    let mut others = Vec::new();
    for (scheme, is_active) in all_schemes(state).await? {
        if is_active && active.is_none() {
            active = Some(scheme_view(&scheme));
        } else {
            others.push(scheme_view(&scheme));
        }
    }
    let page = SettingsPage {
        t: ctx.tr,
        layout: Layout::load(state, "classification", PATH, Some(&signed.0)).await,
        active,
        others,
        can_edit: signed.has_role(EDITORS),
        notice,
        refusal,
    };
    render(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    signed
        .require(&state, READERS, "classification.view")
        .await?;
    let notice = match query.saved.as_deref() {
        Some("level") => Some("classification.saved.level"),
        Some("activated") => Some("classification.saved.activated"),
        Some("unchanged") => Some("classification.saved.unchanged"),
        _ => None,
    };
    render_settings(&state, &ctx, &signed, StatusCode::OK, notice, None).await
}

// ---------------------------------------------------------------- switching schemes

/// A URL-encoded body as name/value pairs, read after the role check.
async fn read_fields(request: Request) -> Result<Vec<(String, String)>, AppError> {
    let WebForm(pairs) = WebForm::<Vec<(String, String)>>::from_request(request, &()).await?;
    Ok(pairs)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub async fn activate(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, EDITORS, "classification.activate")
        .await?;
    let fields = read_fields(request).await?;
    let scheme_id = field(&fields, "scheme_id")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_scheme",
                "classification.error.scheme",
            )
        })?;
    let target = classification::schemes(&state.store)
        .await?
        .into_iter()
        .find(|s| s.id == scheme_id)
        .ok_or_else(AppError::not_found)?;
    if target.active {
        return Ok(see_other(&format!("{PATH}?saved=unchanged")));
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    match classification::activate(&mut tx, scheme_id).await {
        Ok(()) => match tx.commit().await {
            Ok(()) => Ok(see_other(&format!("{PATH}?saved=activated"))),
            // Someone made it the active scheme a moment ago: nothing was written.
            Err(StoreError::MissingAudit) => Ok(see_other(&format!("{PATH}?saved=unchanged"))),
            Err(e) => Err(e.into()),
        },
        Err(ActivateRefusal::AssetsClassified(count)) => {
            // Nothing was written; give the write lock back before reading the page.
            drop(tx);
            let message = ctx.tr.f(
                "classification.error.assets_classified",
                &[("count", count.to_string())],
            );
            render_settings(
                &state,
                &ctx,
                &signed,
                StatusCode::CONFLICT,
                None,
                Some(message),
            )
            .await
        }
        Err(ActivateRefusal::Store(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- editing a level

/// One rule's text box.
#[derive(Debug, Clone)]
pub struct RuleField {
    pub step: LifecycleStep,
    /// The form field's name and id: `rule_create`, `rule_dispose` …
    pub field: &'static str,
    /// The locale key naming the step.
    pub label: &'static str,
    pub text: String,
}

fn rule_field_name(step: LifecycleStep) -> &'static str {
    match step {
        LifecycleStep::Create => "rule_create",
        LifecycleStep::Obtain => "rule_obtain",
        LifecycleStep::Use => "rule_use",
        LifecycleStep::Store => "rule_store",
        LifecycleStep::Send => "rule_send",
        LifecycleStep::Carry => "rule_carry",
        LifecycleStep::Provide => "rule_provide",
        LifecycleStep::Dispose => "rule_dispose",
    }
}

/// The level form as typed (or as stored, before any edit).
#[derive(Debug, Clone)]
pub struct LevelForm {
    pub name: String,
    pub definition: String,
    /// Offered for confidentiality levels only, the ones that decide take-out approval;
    /// on the other axes the stored value is kept as it is.
    pub takeout_applies: bool,
    pub takeout_requires_approval: bool,
    pub rules: Vec<RuleField>,
}

fn kept(text: &str) -> String {
    text.chars().take(KEEP_CHARS).collect()
}

impl LevelForm {
    fn from_level(level: &Level) -> LevelForm {
        LevelForm {
            name: level.name.clone(),
            definition: level.definition.clone(),
            takeout_applies: level.axis == Axis::Confidentiality,
            takeout_requires_approval: level.takeout_requires_approval,
            rules: LifecycleStep::ALL
                .iter()
                .map(|step| RuleField {
                    step: *step,
                    field: rule_field_name(*step),
                    label: step_key(*step),
                    text: level.rules.get(step).cloned().unwrap_or_default(),
                })
                .collect(),
        }
    }

    fn from_fields(level: &Level, fields: &[(String, String)]) -> LevelForm {
        let takeout_applies = level.axis == Axis::Confidentiality;
        LevelForm {
            name: kept(field(fields, "name")),
            definition: kept(field(fields, "definition")),
            takeout_applies,
            takeout_requires_approval: if takeout_applies {
                field(fields, "takeout_requires_approval") == "1"
            } else {
                level.takeout_requires_approval
            },
            rules: LifecycleStep::ALL
                .iter()
                .map(|step| RuleField {
                    step: *step,
                    field: rule_field_name(*step),
                    label: step_key(*step),
                    text: kept(field(fields, rule_field_name(*step))),
                })
                .collect(),
        }
    }
}

/// A level as checked, ready to store.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckedLevel {
    pub name: String,
    pub definition: String,
    pub takeout_requires_approval: bool,
    pub rules: BTreeMap<LifecycleStep, String>,
}

fn text_problem(field: &'static str, problem: TextProblem) -> Problem {
    Problem {
        field,
        key: problem.message_key(),
        params: problem.params(),
    }
}

/// A text of several lines, checked by the domain's one rule for such text.
fn check_multi_line(field: &'static str, value: &str, max: usize, problems: &mut Vec<Problem>) {
    if let Err(problem) = text::multi_line(value, max) {
        problems.push(text_problem(field, problem));
    }
}

/// Checks every field at once, so that each one can show its own message, then lets
/// the domain's `check_level_edit` settle the values to store.
pub fn check_form(form: &LevelForm) -> Result<CheckedLevel, Vec<Problem>> {
    let mut problems = Vec::new();
    if let Err(problem) = text::single_line(&form.name, MAX_LEVEL_NAME) {
        problems.push(text_problem("name", problem));
    }
    check_multi_line(
        "definition",
        &form.definition,
        MAX_DEFINITION,
        &mut problems,
    );
    for rule in &form.rules {
        check_multi_line(rule.field, &rule.text, MAX_RULE, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let rules: BTreeMap<LifecycleStep, String> = form
        .rules
        .iter()
        .map(|rule| (rule.step, rule.text.replace("\r\n", "\n")))
        .collect();
    let definition = form.definition.replace("\r\n", "\n");
    match check_level_edit(&form.name, &definition, &rules) {
        Ok((name, definition, rules)) => Ok(CheckedLevel {
            name,
            definition,
            takeout_requires_approval: form.takeout_requires_approval,
            rules,
        }),
        Err(LevelProblem::Name(problem)) => Err(vec![text_problem("name", problem)]),
        Err(LevelProblem::DefinitionTooLong) => Err(vec![text_problem(
            "definition",
            TextProblem::TooLong {
                max: MAX_DEFINITION,
            },
        )]),
        Err(LevelProblem::RuleTooLong) => {
            let field = form
                .rules
                .iter()
                .find(|r| r.text.replace("\r\n", "\n").trim().chars().count() > MAX_RULE)
                .map_or("rule_create", |r| r.field);
            Err(vec![text_problem(
                field,
                TextProblem::TooLong { max: MAX_RULE },
            )])
        }
    }
}

/// Another level of the same axis already named `name` (or coded so): spreadsheets and
/// people find a level by its name, so two levels of an axis must not share one.
fn name_taken(scheme: &Scheme, level: &Level, name: &str) -> Option<Problem> {
    let wanted = normalise(name);
    let taken = scheme
        .levels_of(level.axis)
        .into_iter()
        .filter(|other| other.id != level.id)
        .any(|other| normalise(&other.name) == wanted || normalise(&other.code) == wanted);
    taken.then(|| Problem {
        field: "name",
        key: "classification.error.duplicate_name",
        params: vec![("name", name.to_owned())],
    })
}

fn unchanged(level: &Level, checked: &CheckedLevel) -> bool {
    level.name == checked.name
        && level.definition == checked.definition
        && level.takeout_requires_approval == checked.takeout_requires_approval
        && level.rules == checked.rules
}

#[derive(Template)]
#[template(path = "classification_level.html")]
struct LevelPage {
    t: Tr,
    layout: Layout,
    level_id: i64,
    /// The level's stored name, for the heading (the form may hold a new one).
    stored_name: String,
    code: String,
    axis: &'static str,
    scheme_name: String,
    scheme_active: bool,
    form: LevelForm,
    errors: Vec<FieldError>,
    name_hint: String,
    definition_hint: String,
    rules_hint: String,
}

impl LevelPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn render_level(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    found: &(Scheme, bool, Level),
    form: LevelForm,
    problems: Vec<Problem>,
) -> Result<Response, AppError> {
    let (scheme, scheme_active, level) = found;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let max = |n: usize| [("max", n.to_string())];
    let page = LevelPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "classification",
            &format!("{PATH}/levels/{}", level.id),
            Some(&signed.0),
        )
        .await,
        level_id: level.id,
        stored_name: level.name.clone(),
        code: level.code.clone(),
        axis: axis_key(level.axis),
        scheme_name: scheme.name.clone(),
        scheme_active: *scheme_active,
        form,
        errors: problems
            .iter()
            .map(|p| FieldError {
                field: p.field,
                message: p.message(&ctx.tr),
            })
            .collect(),
        name_hint: ctx.tr.f("classification.name_hint", &max(MAX_LEVEL_NAME)),
        definition_hint: ctx
            .tr
            .f("classification.definition_hint", &max(MAX_DEFINITION)),
        rules_hint: ctx.tr.f("classification.rules_hint", &max(MAX_RULE)),
    };
    render(status, &page)
}

pub async fn edit_level(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed
        .require(&state, EDITORS, "classification.level_edit")
        .await?;
    let found = find_level(&state, parse_id(&id)?).await?;
    let form = LevelForm::from_level(&found.2);
    render_level(&state, &ctx, &signed, &found, form, Vec::new()).await
}

pub async fn save_level(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, EDITORS, "classification.level_edit")
        .await?;
    let found = find_level(&state, parse_id(&id)?).await?;
    let fields = read_fields(request).await?;
    let form = LevelForm::from_fields(&found.2, &fields);
    let checked = match check_form(&form) {
        Ok(checked) => checked,
        Err(problems) => return render_level(&state, &ctx, &signed, &found, form, problems).await,
    };
    let (scheme, _, level) = &found;
    if let Some(problem) = name_taken(scheme, level, &checked.name) {
        return render_level(&state, &ctx, &signed, &found, form, vec![problem]).await;
    }
    let back = |saved: &str| format!("{PATH}?saved={saved}#level-{}", level.id);
    if unchanged(level, &checked) {
        return Ok(see_other(&back("unchanged")));
    }
    let mut tx = state.store.write(signed.0.actor()).await?;
    classification::update_level(
        &mut tx,
        level.id,
        LevelEdit {
            name: &checked.name,
            definition: &checked.definition,
            takeout_requires_approval: checked.takeout_requires_approval,
            rules: &checked.rules,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&back("level")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    fn form() -> LevelForm {
        let scheme = mamori_domain::classification_presets::guideline_2024();
        LevelForm::from_level(scheme.find_level(Axis::Confidentiality, "2").unwrap())
    }

    #[test]
    fn a_preset_level_passes_unchanged() {
        let scheme = mamori_domain::classification_presets::guideline_2024();
        let level = scheme.find_level(Axis::Confidentiality, "2").unwrap();
        let checked = check_form(&LevelForm::from_level(level)).unwrap();
        assert!(unchanged(level, &checked));
    }

    #[test]
    fn every_field_reports_its_own_problem() {
        let mut form = form();
        form.name = " \u{3000}".into();
        form.definition = "あ".repeat(MAX_DEFINITION + 1);
        form.rules[4].text = "暗号化\u{0}する".into();
        form.rules[7].text = "い".repeat(MAX_RULE + 1);
        let problems = check_form(&form).unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("name", "field.error.required"),
                ("definition", "field.error.too_long"),
                ("rule_send", "field.error.control_chars_multiline"),
                ("rule_dispose", "field.error.too_long"),
            ]
        );
    }

    #[test]
    fn a_line_break_from_a_browser_counts_as_one_character() {
        let mut form = form();
        form.definition = format!("{}\r\n{}", "あ".repeat(1000), "い".repeat(999));
        let checked = check_form(&form).unwrap();
        assert_eq!(checked.definition.chars().count(), MAX_DEFINITION);
        form.definition.push('う');
        assert!(check_form(&form).is_err());
    }

    #[test]
    fn line_breaks_are_kept_and_blank_rules_dropped() {
        let mut form = form();
        form.definition = "一行目\r\n二行目\t（注）".into();
        form.rules[0].text = "  ".into();
        form.rules[1].text = " 入手したら登録する\r\n ".into();
        let checked = check_form(&form).unwrap();
        assert_eq!(checked.definition, "一行目\n二行目\t（注）");
        assert!(!checked.rules.contains_key(&LifecycleStep::Create));
        assert_eq!(checked.rules[&LifecycleStep::Obtain], "入手したら登録する");
    }

    #[test]
    fn take_out_approval_is_read_for_confidentiality_levels_only() {
        let scheme = mamori_domain::classification_presets::guideline_2024();
        let mut integrity = scheme.find_level(Axis::Integrity, "2").unwrap().clone();
        integrity.takeout_requires_approval = true;
        // The form offers no checkbox for it, so nothing posted keeps what is stored.
        let form = LevelForm::from_fields(&integrity, &[("name".into(), "完全性2".into())]);
        assert!(!form.takeout_applies);
        assert!(form.takeout_requires_approval);
        let secret = scheme.find_level(Axis::Confidentiality, "3A").unwrap();
        let form = LevelForm::from_fields(secret, &[("name".into(), "x".into())]);
        assert!(form.takeout_applies);
        assert!(!form.takeout_requires_approval);
        let form =
            LevelForm::from_fields(secret, &[("takeout_requires_approval".into(), "1".into())]);
        assert!(form.takeout_requires_approval);
    }

    #[test]
    fn two_levels_of_an_axis_cannot_share_a_name() {
        let mut scheme = mamori_domain::classification_presets::guideline_2024();
        for (i, level) in scheme.levels.iter_mut().enumerate() {
            level.id = i as i64 + 1;
        }
        let two = scheme.find_level(Axis::Confidentiality, "2").unwrap();
        assert!(name_taken(&scheme, two, "自治体機密性2").is_none());
        assert!(name_taken(&scheme, two, "機密性2（庁内限り）").is_none());
        assert!(name_taken(&scheme, two, "自治体機密性１").is_some());
        assert!(name_taken(&scheme, two, "3a").is_some());
        // Another axis may use the same words.
        assert!(name_taken(&scheme, two, "完全性2").is_none());
    }

    #[test]
    fn keys_used_here_exist_in_both_languages() {
        for key in [
            "classification.saved.level",
            "classification.saved.activated",
            "classification.saved.unchanged",
            "classification.error.scheme",
            "classification.error.assets_classified",
            "field.error.control_chars_multiline",
            "classification.error.duplicate_name",
            "classification.name_hint",
            "classification.definition_hint",
            "classification.rules_hint",
        ] {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
