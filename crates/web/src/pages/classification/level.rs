//! Editing one level of a classification scheme: name, definition, take-out approval
//! (confidentiality levels only) and a handling rule for each step of an asset's life.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::classification::{FoundLevel, Saved};
use mamori_app::i18n::Tr;
use mamori_domain::classification::{
    Axis, Level, LevelInput, LifecycleStep, MAX_DEFINITION, MAX_LEVEL_NAME, MAX_RULE, rule_field,
};
use mamori_domain::classification_presets_en::{english, input_as_stored, level_for_reader};
use mamori_domain::field::FieldProblem;
use mamori_domain::wareki::Lang;

use super::PATH;
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{FieldError, FormFields, parse_id};
use crate::http::labels::{axis_key, step_key};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// Longest text kept from a submitted field to show it again: well above every limit,
/// so a refused value comes back as typed, but bounded.
const KEEP_CHARS: usize = 20_000;

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
    fn of(level: &Level, input: LevelInput) -> LevelForm {
        LevelForm {
            name: input.name,
            definition: input.definition,
            takeout_applies: level.axis == Axis::Confidentiality,
            takeout_requires_approval: input.takeout_requires_approval,
            rules: input
                .rules
                .into_iter()
                .map(|(step, text)| RuleField {
                    step,
                    field: rule_field(step),
                    label: step_key(step),
                    text,
                })
                .collect(),
        }
    }

    fn input(&self) -> LevelInput {
        LevelInput {
            name: self.name.clone(),
            definition: self.definition.clone(),
            takeout_requires_approval: self.takeout_requires_approval,
            rules: self
                .rules
                .iter()
                .map(|r| (r.step, r.text.clone()))
                .collect(),
        }
    }
}

/// The level as posted; on the other axes than confidentiality nothing posted changes
/// take-out approval.
fn input_from_fields(level: &Level, fields: &FormFields) -> LevelInput {
    LevelInput {
        name: kept(fields.get("name")),
        definition: kept(fields.get("definition")),
        takeout_requires_approval: if level.axis == Axis::Confidentiality {
            fields.get("takeout_requires_approval") == "1"
        } else {
            level.takeout_requires_approval
        },
        rules: LifecycleStep::ALL
            .iter()
            .map(|step| (*step, kept(fields.get(rule_field(*step)))))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "classification/level.html")]
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
        crate::http::forms::error_for(&self.errors, field)
    }
}

async fn render_level(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    found: &FoundLevel,
    form: LevelForm,
    problems: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    let level = &found.level;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tr = ctx.tr;
    let max = |n: usize| [("max", n.to_string())];
    let path = format!("{PATH}/levels/{}", level.id);
    // Preset texts in the reader's language; the assembly's own as written.
    let in_english = |text: &str| match english(text) {
        Some(en) if ctx.lang() == Lang::En => en.to_owned(),
        _ => text.to_owned(),
    };
    let page = LevelPage {
        t: tr,
        layout: Layout::load(state, "classification", &path, Some(&signed.0)).await,
        level_id: level.id,
        stored_name: in_english(&level.name),
        code: level.code.clone(),
        axis: axis_key(level.axis),
        scheme_name: in_english(&found.scheme.name),
        scheme_active: found.active,
        form,
        errors: crate::http::forms::named_errors(&problems, &tr),
        name_hint: tr.f("classification.name_hint", &max(MAX_LEVEL_NAME)),
        definition_hint: tr.f("classification.definition_hint", &max(MAX_DEFINITION)),
        rules_hint: tr.f("classification.rules_hint", &max(MAX_RULE)),
    };
    render(status, &page)
}

pub async fn edit_level(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let found =
        mamori_app::classification::level_to_edit(&state.app, acting, parse_id(&id)?).await?;
    let shown = level_for_reader(found.level.clone(), ctx.lang());
    let form = LevelForm::of(&found.level, LevelInput::of(&shown));
    render_level(&state, &ctx, &signed, &found, form, Vec::new()).await
}

pub async fn save_level(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(&id)?;
    let found = mamori_app::classification::level_to_edit(&state.app, acting, id).await?;
    let fields = FormFields::read(request).await?;
    let mut input = input_from_fields(&found.level, &fields);
    if ctx.lang() == Lang::En {
        input = input_as_stored(&found.level, input);
    }
    let form = LevelForm::of(&found.level, input);
    let back = |saved: &str| format!("{PATH}?saved={saved}#level-{id}");
    match mamori_app::classification::edit_level(&state.app, acting, id, &form.input()).await {
        Ok(Saved::Changed) => Ok(see_other(&back("level"))),
        Ok(Saved::Unchanged) => Ok(see_other(&back("unchanged"))),
        Err(Failure::Invalid(problems)) => {
            render_level(&state, &ctx, &signed, &found, form, problems).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn take_out_approval_is_read_for_confidentiality_levels_only() {
        let scheme = mamori_domain::classification_presets::guideline_2024();
        let mut integrity = scheme.find_level(Axis::Integrity, "2").unwrap().clone();
        integrity.takeout_requires_approval = true;
        // The form offers no checkbox for it, so nothing posted keeps what is stored.
        let input = input_from_fields(&integrity, &fields(&[("name", "完全性2")]));
        let form = LevelForm::of(&integrity, input);
        assert!(!form.takeout_applies);
        assert!(form.takeout_requires_approval);
        let secret = scheme.find_level(Axis::Confidentiality, "3A").unwrap();
        let form = LevelForm::of(secret, input_from_fields(secret, &fields(&[("name", "x")])));
        assert!(form.takeout_applies);
        assert!(!form.takeout_requires_approval);
        let input = input_from_fields(secret, &fields(&[("takeout_requires_approval", "1")]));
        assert!(input.takeout_requires_approval);
    }

    #[test]
    fn a_posted_field_is_kept_as_typed_but_bounded() {
        let scheme = mamori_domain::classification_presets::guideline_2024();
        let level = scheme.find_level(Axis::Confidentiality, "2").unwrap();
        let long = "あ".repeat(KEEP_CHARS + 10);
        let input = input_from_fields(
            level,
            &fields(&[("definition", &long), ("rule_send", "暗号化")]),
        );
        assert_eq!(input.definition.chars().count(), KEEP_CHARS);
        assert_eq!(input.rules[4], (LifecycleStep::Send, "暗号化".to_owned()));
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
