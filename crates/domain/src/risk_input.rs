//! The risk register's input checks (clauses 3 and 8): a risk as typed, a treatment
//! action, an acceptance proposal, a completion date and a frozen analysis. Pure and
//! synchronous: whatever needs the database (which threats exist, which assets the
//! person may see, which users are active) is looked up by the use case first and
//! handed in as [`RiskFacts`]. The form, the API and any import give the same answer.

use time::Date;

use crate::field::{FieldProblem, Problems};
use crate::risk::{Matrix, Score, Treatment, check_treatment};
use crate::text::{TextProblem, single_line};

/// Most assets one risk may name.
pub const MAX_ASSETS: usize = 100;
/// Longest title of a risk, in characters.
pub const TITLE_MAX: usize = 200;

/// A risk as typed: scale steps by position ("0", "1", …), people and threats by id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RiskForm {
    pub title: String,
    pub threat: String,
    pub asset_ids: Vec<String>,
    /// Asset numbers typed as "12, 15" (full-width digits and 、 too).
    pub asset_ids_text: String,
    pub asset_group: String,
    pub existing_measures: String,
    pub inherent_likelihood: String,
    pub inherent_impact: String,
    pub treatment: String,
    pub residual_likelihood: String,
    pub residual_impact: String,
    pub owner: String,
    pub review_due: String,
    /// Keep a new review date already past (the form's box; the API's flag).
    pub confirm_past_dates: bool,
}

/// A risk as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskInput {
    pub title: String,
    pub threat_id: i64,
    pub asset_ids: Vec<i64>,
    pub asset_group: String,
    pub existing_measures: String,
    pub inherent: Score,
    pub treatment: Option<Treatment>,
    pub residual: Option<Score>,
    pub owner_id: Option<i64>,
    pub review_due: Option<Date>,
}

/// A threat of the catalogue as the check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreatFact {
    pub id: i64,
    pub retired: bool,
}

/// What the database knows that a risk's check needs.
#[derive(Debug, Clone, Copy)]
pub struct RiskFacts<'a> {
    /// The active matrix, which scores the risk.
    pub matrix: &'a Matrix,
    pub threats: &'a [ThreatFact],
    /// Of the assets the form names ([`RiskForm::named_assets`]), those that exist and
    /// the person may see.
    pub visible_assets: &'a [i64],
    /// Whether the owner named ([`named_owner`]) is an active user.
    pub owner_active: bool,
    /// The threat a reassessed risk already names: it stays allowed once retired.
    pub current_threat: Option<i64>,
}

impl RiskForm {
    /// The asset ids the form names (what can be read of them), for the use case to
    /// look up before the check.
    pub fn named_assets(&self) -> Vec<i64> {
        let mut problems = Vec::new();
        let mut ids = chosen_ids(&self.asset_ids, &mut problems);
        ids.extend(typed_asset_ids(&self.asset_ids_text, &mut problems));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The owner's id, when one is named and readable.
    pub fn named_owner(&self) -> Option<i64> {
        named_owner(&self.owner)
    }

    /// Checks every field at once against the facts, so that each shows its message.
    pub fn check(&self, facts: &RiskFacts) -> Result<RiskInput, Vec<FieldProblem>> {
        check_risk(self, facts)
    }
}

/// A user id typed in an owner field; `None` when empty or unreadable.
pub fn named_owner(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok()
}

fn problem(field: &'static str, key: &'static str) -> FieldProblem {
    FieldProblem::new(field, key)
}

/// A one-line text: `required` ones must not be empty.
pub fn line_field(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> String {
    match single_line(text, max) {
        Ok(v) => v,
        Err(TextProblem::Empty) if !required => String::new(),
        Err(p) => {
            problems.push(FieldProblem::text(field, p));
            String::new()
        }
    }
}

/// A text of several lines (measures, reasons): tabs and line breaks are kept.
pub fn long_field(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> String {
    let value = text.trim().replace("\r\n", "\n");
    if value.is_empty() && required {
        problems.push(problem(field, "field.error.required"));
    } else if value.chars().count() > max {
        problems.push(problem(field, "field.error.too_long").with("max", max));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        problems.push(problem(field, "field.error.control_chars"));
    }
    value
}

/// A date typed in ISO 8601 or 和暦.
pub fn date_field(
    field: &'static str,
    text: &str,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> Option<Date> {
    if text.trim().is_empty() {
        if required {
            problems.push(problem(field, "field.error.required"));
        }
        return None;
    }
    match crate::wareki::parse_date_input(text) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(FieldProblem {
                field,
                key: e.message_key(),
                params: e.params(),
            });
            None
        }
    }
}

/// A position on a scale of `len` steps, as the form's selects send it ("0", "1", …).
fn scale_field(
    field: &'static str,
    text: &str,
    len: usize,
    problems: &mut Vec<FieldProblem>,
) -> Option<usize> {
    let text = text.trim();
    if text.is_empty() {
        problems.push(problem(field, "field.error.required"));
        return None;
    }
    match text.parse::<usize>().ok().filter(|p| *p < len) {
        Some(p) => Some(p),
        None => {
            problems.push(problem(field, "risk.register_error.scale"));
            None
        }
    }
}

fn chosen_ids(values: &[String], problems: &mut Vec<FieldProblem>) -> Vec<i64> {
    let mut ids = Vec::new();
    for value in values {
        match value.trim().parse::<i64>() {
            Ok(id) if id > 0 => ids.push(id),
            _ if value.trim().is_empty() => {}
            _ => problems.push(
                problem("assets", "risk.register_error.asset_id").with("value", value.trim()),
            ),
        }
    }
    ids
}

/// Asset numbers typed as "12, 15" (full-width digits and 、 too).
fn typed_asset_ids(text: &str, problems: &mut Vec<FieldProblem>) -> Vec<i64> {
    let normalised: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '、' | '，' | '　' | ';' => ',',
            '＃' => '#',
            c => c,
        })
        .collect();
    let mut ids = Vec::new();
    for part in normalised.split([',', ' ']) {
        let part = part.trim().trim_start_matches('#');
        if part.is_empty() {
            continue;
        }
        match part.parse::<i64>() {
            Ok(id) if id > 0 => ids.push(id),
            _ => problems.push(
                problem("assets", "risk.register_error.asset_id")
                    .with("value", part.chars().take(20).collect::<String>()),
            ),
        }
    }
    ids
}

fn check_threat(
    form: &RiskForm,
    facts: &RiskFacts,
    problems: &mut Vec<FieldProblem>,
) -> Option<i64> {
    let text = form.threat.trim();
    let threat = text
        .parse::<i64>()
        .ok()
        .and_then(|id| facts.threats.iter().find(|t| t.id == id));
    match threat {
        None if text.is_empty() => problems.push(problem("threat", "field.error.required")),
        None => problems.push(problem("threat", "risk.register_error.threat_unknown")),
        Some(t) if t.retired && Some(t.id) != facts.current_threat => {
            problems.push(problem("threat", "risk.register_error.threat_retired"))
        }
        Some(t) => return Some(t.id),
    }
    None
}

fn check_assets(form: &RiskForm, facts: &RiskFacts, problems: &mut Vec<FieldProblem>) -> Vec<i64> {
    let mut ids = chosen_ids(&form.asset_ids, problems);
    ids.extend(typed_asset_ids(&form.asset_ids_text, problems));
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_ASSETS {
        problems
            .push(problem("assets", "risk.register_error.too_many_assets").with("max", MAX_ASSETS));
    } else {
        for id in &ids {
            if !facts.visible_assets.contains(id) {
                problems
                    .push(problem("assets", "risk.register_error.asset_unknown").with("id", id));
            }
        }
    }
    ids
}

fn check_residual(form: &RiskForm, m: &Matrix, problems: &mut Vec<FieldProblem>) -> Option<Score> {
    match (
        form.residual_likelihood.trim().is_empty(),
        form.residual_impact.trim().is_empty(),
    ) {
        (true, true) => None,
        (false, false) => {
            let l = scale_field(
                "residual_likelihood",
                &form.residual_likelihood,
                m.likelihood.len(),
                problems,
            );
            let i = scale_field(
                "residual_impact",
                &form.residual_impact,
                m.impact.len(),
                problems,
            );
            l.zip(i)
                .map(|(likelihood, impact)| Score { likelihood, impact })
        }
        (true, false) => {
            problems.push(problem(
                "residual_likelihood",
                "risk.register_error.residual_pair",
            ));
            None
        }
        (false, true) => {
            problems.push(problem(
                "residual_impact",
                "risk.register_error.residual_pair",
            ));
            None
        }
    }
}

/// Checks a risk as typed against the active matrix, the catalogue, the assets the
/// person may see and the users.
pub fn check_risk(form: &RiskForm, facts: &RiskFacts) -> Result<RiskInput, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let title = line_field("title", &form.title, TITLE_MAX, true, &mut problems);
    let threat_id = check_threat(form, facts, &mut problems);
    let asset_ids = check_assets(form, facts, &mut problems);
    let asset_group = line_field("asset_group", &form.asset_group, 200, false, &mut problems);
    if asset_ids.is_empty()
        && form.asset_ids_text.trim().is_empty()
        && form.asset_group.trim().is_empty()
    {
        problems.push(problem("assets", "risk.register_error.assets_missing"));
    }
    let existing_measures = long_field(
        "existing_measures",
        &form.existing_measures,
        4000,
        false,
        &mut problems,
    );
    let m = facts.matrix;
    let likelihood = scale_field(
        "inherent_likelihood",
        &form.inherent_likelihood,
        m.likelihood.len(),
        &mut problems,
    );
    let impact = scale_field(
        "inherent_impact",
        &form.inherent_impact,
        m.impact.len(),
        &mut problems,
    );
    let treatment = match form.treatment.trim() {
        "" => None,
        v => {
            let t = Treatment::parse(v);
            if t.is_none() {
                problems.push(problem(
                    "treatment",
                    "risk.register_error.treatment_unknown",
                ));
            }
            t
        }
    };
    let residual = check_residual(form, m, &mut problems);
    let owner_id = match form.owner.trim() {
        "" => None,
        _ => {
            if form.named_owner().is_none() || !facts.owner_active {
                problems.push(problem("owner", "risk.register_error.owner_unknown"));
            }
            form.named_owner()
        }
    };
    let review_due = date_field("review_due", &form.review_due, false, &mut problems);
    let inherent = likelihood
        .zip(impact)
        .map(|(likelihood, impact)| Score { likelihood, impact });
    if let Some(score) = inherent
        && check_treatment(m, score, treatment).is_err()
    {
        let level = m
            .level(score.likelihood, score.impact)
            .map(|l| l.name.clone())
            .unwrap_or_default();
        problems
            .push(problem("treatment", "risk.register_error.needs_treatment").with("level", level));
    }
    match (threat_id, inherent, problems.is_empty()) {
        (Some(threat_id), Some(inherent), true) => Ok(RiskInput {
            title,
            threat_id,
            asset_ids,
            asset_group,
            existing_measures,
            inherent,
            treatment,
            residual,
            owner_id,
            review_due,
        }),
        _ => Err(problems),
    }
}

// ---------------------------------------------------------------- treatment actions

/// A treatment action as typed.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub description: String,
    pub owner: String,
    pub due_on: String,
    /// Keep a due date already past (the form's box; the API's flag).
    #[serde(deserialize_with = "crate::field::flag")]
    pub confirm_past_dates: bool,
}

/// A treatment action as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub description: String,
    pub owner_id: Option<i64>,
    pub due_on: Date,
}

impl ActionForm {
    /// `owner_active`: whether the owner named ([`named_owner`]) is an active user.
    pub fn check(&self, owner_active: bool) -> Result<ActionInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let description = line_field("description", &self.description, 500, true, &mut problems);
        let owner_id = match self.owner.trim() {
            "" => None,
            v => {
                if named_owner(v).is_none() || !owner_active {
                    problems.push(problem("owner", "risk.register_error.owner_unknown"));
                }
                named_owner(v)
            }
        };
        let due_on = date_field("due_on", &self.due_on, true, &mut problems);
        match (due_on, problems.is_empty()) {
            (Some(due_on), true) => Ok(ActionInput {
                description,
                owner_id,
                due_on,
            }),
            _ => Err(problems),
        }
    }
}

/// The day an action was done: typed, or `today` when left empty.
pub fn check_done_on(text: &str, today: Date) -> Result<Date, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let done = date_field("done_on", text, false, &mut problems);
    let mut checked = Problems::new();
    for p in problems {
        checked.push(p);
    }
    checked.or(done.unwrap_or(today))
}

// ---------------------------------------------------------------- acceptances

/// A proposal to accept a risk, as typed.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct AcceptanceForm {
    pub reason: String,
    pub expires_on: String,
    /// Keep an expiry already past (the form's box; the API's flag).
    #[serde(deserialize_with = "crate::field::flag")]
    pub confirm_past_dates: bool,
}

/// A proposal as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceInput {
    pub reason: String,
    pub expires_on: Date,
}

impl AcceptanceForm {
    /// A reason, and the last day the acceptance holds, after which the risk is reviewed
    /// again. An expiry already past is not refused here: it is asked about
    /// ([`crate::field::Confirmations`]), as every past date where the future is meant.
    pub fn check(&self) -> Result<AcceptanceInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let reason = long_field("reason", &self.reason, 2000, false, &mut problems);
        if self.reason.trim().is_empty() {
            problems.push(problem("reason", "risk.register_error.no_reason"));
        }
        let expires_on = date_field("expires_on", &self.expires_on, true, &mut problems);
        match (expires_on, problems.is_empty()) {
            (Some(expires_on), true) => Ok(AcceptanceInput { reason, expires_on }),
            _ => Err(problems),
        }
    }
}

// ---------------------------------------------------------------- analyses

/// A frozen analysis as typed: a title and the day it was analysed.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct FreezeForm {
    pub title: String,
    pub analysed_on: String,
}

/// A frozen analysis as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeInput {
    pub title: String,
    pub analysed_on: Date,
}

impl FreezeForm {
    pub fn check(&self) -> Result<FreezeInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let title = match single_line(&self.title, 200) {
            Ok(title) => title,
            Err(p) => {
                problems.push(FieldProblem::text("analysis_title", p));
                String::new()
            }
        };
        let analysed_on = date_field("analysed_on", &self.analysed_on, true, &mut problems);
        match (analysed_on, problems.is_empty()) {
            (Some(analysed_on), true) => Ok(FreezeInput { title, analysed_on }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form() -> RiskForm {
        RiskForm {
            title: "タブレット紛失".into(),
            threat: "1".into(),
            asset_ids_text: "１２、#15".into(),
            inherent_likelihood: "0".into(),
            inherent_impact: "0".into(),
            ..RiskForm::default()
        }
    }

    fn keys(problems: &[FieldProblem]) -> Vec<(&str, &str)> {
        problems.iter().map(|p| (p.field, p.key)).collect()
    }

    #[test]
    fn a_risk_is_checked_against_the_facts() {
        let matrix = Matrix::default_3x3();
        let threats = [
            ThreatFact {
                id: 1,
                retired: false,
            },
            ThreatFact {
                id: 2,
                retired: true,
            },
        ];
        let f = form();
        assert_eq!(f.named_assets(), vec![12, 15]);
        let facts = RiskFacts {
            matrix: &matrix,
            threats: &threats,
            visible_assets: &[12, 15],
            owner_active: false,
            current_threat: None,
        };
        let input = f.check(&facts).unwrap();
        assert_eq!(input.asset_ids, vec![12, 15]);
        assert_eq!(input.threat_id, 1);

        let hidden = RiskFacts {
            visible_assets: &[12],
            ..facts
        };
        assert_eq!(
            keys(&f.check(&hidden).unwrap_err()),
            vec![("assets", "risk.register_error.asset_unknown")]
        );

        let retired = RiskForm {
            threat: "2".into(),
            owner: "9".into(),
            ..form()
        };
        assert_eq!(
            keys(&retired.check(&facts).unwrap_err()),
            vec![
                ("threat", "risk.register_error.threat_retired"),
                ("owner", "risk.register_error.owner_unknown")
            ]
        );
        let kept = RiskFacts {
            current_threat: Some(2),
            owner_active: true,
            ..facts
        };
        assert!(retired.check(&kept).is_ok());

        let high = RiskForm {
            inherent_likelihood: "2".into(),
            inherent_impact: "2".into(),
            ..form()
        };
        assert_eq!(
            keys(&high.check(&facts).unwrap_err()),
            vec![("treatment", "risk.register_error.needs_treatment")]
        );
        let half = RiskForm {
            residual_impact: "1".into(),
            ..form()
        };
        assert_eq!(
            keys(&half.check(&facts).unwrap_err()),
            vec![("residual_likelihood", "risk.register_error.residual_pair")]
        );
    }

    #[test]
    fn typed_asset_numbers_accept_japanese_separators() {
        let mut problems = Vec::new();
        assert_eq!(
            typed_asset_ids("12, 15、＃１６ #17", &mut problems),
            vec![12, 15, 16, 17]
        );
        assert!(problems.is_empty());
        assert!(typed_asset_ids("12, abc", &mut problems) == vec![12]);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn actions_acceptances_and_analyses_are_checked() {
        let today = date!(2026 - 04 - 01);
        let action = ActionForm {
            description: "研修".into(),
            owner: String::new(),
            due_on: "令和8年5月1日".into(),
            confirm_past_dates: false,
        };
        assert_eq!(action.check(false).unwrap().due_on, date!(2026 - 05 - 01));
        let no_due = ActionForm {
            due_on: String::new(),
            ..action
        };
        assert_eq!(
            keys(&no_due.check(true).unwrap_err()),
            vec![("due_on", "field.error.required")]
        );
        let unreasoned = AcceptanceForm {
            reason: String::new(),
            expires_on: "2026-03-31".into(),
            confirm_past_dates: false,
        };
        assert_eq!(
            keys(&unreasoned.check().unwrap_err()),
            vec![("reason", "risk.register_error.no_reason")]
        );
        // A past expiry reads: whether to keep it is asked, not refused.
        let past = AcceptanceForm {
            reason: "予算措置まで".into(),
            ..unreasoned
        };
        assert_eq!(past.check().unwrap().expires_on, date!(2026 - 03 - 31));
        assert_eq!(check_done_on("", today), Ok(today));
        assert!(check_done_on("昨日", today).is_err());
        assert!(
            FreezeForm {
                title: "R8".into(),
                analysed_on: String::new()
            }
            .check()
            .is_err()
        );
    }
}
