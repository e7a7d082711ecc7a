//! Classification of information assets (clause 6(2)): schemes are data. A scheme has
//! levels on three axes (機密性・完全性・可用性); each level carries a definition and
//! handling rules (取扱制限) for every step of an asset's life. mamori ships two presets
//! (see `presets`) that an assembly adopts and then edits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::field::{FieldProblem, Problems};
use crate::search::normalise;
use crate::text::TextProblem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Confidentiality,
    Integrity,
    Availability,
}

impl Axis {
    pub const ALL: [Axis; 3] = [Axis::Confidentiality, Axis::Integrity, Axis::Availability];

    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Confidentiality => "confidentiality",
            Axis::Integrity => "integrity",
            Axis::Availability => "availability",
        }
    }

    pub fn parse(value: &str) -> Option<Axis> {
        Axis::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

/// The steps of an asset's life that handling rules speak to, in the guideline's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStep {
    /// 作成
    Create,
    /// 入手
    Obtain,
    /// 利用
    Use,
    /// 保管
    Store,
    /// 送信
    Send,
    /// 運搬
    Carry,
    /// 提供・公表
    Provide,
    /// 廃棄
    Dispose,
}

impl LifecycleStep {
    pub const ALL: [LifecycleStep; 8] = [
        LifecycleStep::Create,
        LifecycleStep::Obtain,
        LifecycleStep::Use,
        LifecycleStep::Store,
        LifecycleStep::Send,
        LifecycleStep::Carry,
        LifecycleStep::Provide,
        LifecycleStep::Dispose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStep::Create => "create",
            LifecycleStep::Obtain => "obtain",
            LifecycleStep::Use => "use",
            LifecycleStep::Store => "store",
            LifecycleStep::Send => "send",
            LifecycleStep::Carry => "carry",
            LifecycleStep::Provide => "provide",
            LifecycleStep::Dispose => "dispose",
        }
    }

    pub fn parse(value: &str) -> Option<LifecycleStep> {
        LifecycleStep::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// One level of one axis, as an assembly has defined it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// The database id; 0 for a preset not yet stored.
    pub id: i64,
    pub axis: Axis,
    /// Short code used in labels and spreadsheets: "3A", "2", "1".
    pub code: String,
    /// Full name shown to people: 「自治体機密性3A」「機密性2」.
    pub name: String,
    /// Higher means more protection needed; the lowest rank of an axis is the least.
    pub rank: i64,
    pub definition: String,
    /// Taking an asset of this level out of the office needs an approval first.
    pub takeout_requires_approval: bool,
    /// Handling rules by step; a step without a rule has no restriction beyond the policy.
    pub rules: BTreeMap<LifecycleStep, String>,
}

/// A classification scheme: levels for each axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub id: i64,
    /// The preset it started from: "guideline_2024" or "guideline_legacy".
    pub key: String,
    pub name: String,
    pub levels: Vec<Level>,
}

impl Scheme {
    /// The levels of one axis, most protected first.
    pub fn levels_of(&self, axis: Axis) -> Vec<&Level> {
        let mut levels: Vec<&Level> = self.levels.iter().filter(|l| l.axis == axis).collect();
        levels.sort_by(|a, b| b.rank.cmp(&a.rank).then(a.code.cmp(&b.code)));
        levels
    }

    pub fn level(&self, id: i64) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// The level of `axis` that a person or a spreadsheet means by `input`: its code
    /// ("3A", "２"), its full name (「自治体機密性3A」), or the code written after the axis
    /// word (「機密性2」), full-width and case folded.
    pub fn find_level(&self, axis: Axis, input: &str) -> Option<&Level> {
        let wanted = normalise(input);
        if wanted.is_empty() {
            return None;
        }
        let levels = self.levels_of(axis);
        levels
            .iter()
            .find(|l| normalise(&l.code) == wanted || normalise(&l.name) == wanted)
            .or_else(|| {
                levels.iter().find(|l| {
                    let code = normalise(&l.code);
                    AXIS_WORDS
                        .iter()
                        .any(|word| wanted == format!("{word}{code}"))
                })
            })
            .copied()
    }

    /// The most protected confidentiality level: assets at it are hidden from everyone
    /// but their holder and those who oversee the register (clause 6(2)).
    pub fn top_confidentiality_rank(&self) -> Option<i64> {
        self.levels_of(Axis::Confidentiality)
            .first()
            .map(|level| level.rank)
    }

    /// The least protected confidentiality level: the only one that may be published.
    pub fn lowest_confidentiality_rank(&self) -> Option<i64> {
        self.levels_of(Axis::Confidentiality)
            .last()
            .map(|level| level.rank)
    }

    /// Whether an asset of this confidentiality level may be published (提供・公表 to the
    /// public). Only the lowest level may.
    pub fn may_publish(&self, confidentiality: &Level) -> bool {
        self.lowest_confidentiality_rank() == Some(confidentiality.rank)
    }
}

/// Words a register writes before a level code: 「機密性2」「自治体機密性3A」「完全性1」.
const AXIS_WORDS: [&str; 4] = ["自治体機密性", "機密性", "完全性", "可用性"];

/// Why an edit of a level was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelProblem {
    #[error("name: {0}")]
    Name(crate::text::TextProblem),
    #[error("definition too long")]
    DefinitionTooLong,
    #[error("rule too long")]
    RuleTooLong,
}

pub const MAX_LEVEL_NAME: usize = 60;
pub const MAX_DEFINITION: usize = 2000;
pub const MAX_RULE: usize = 2000;

/// Checks the editable parts of a level: its name, definition and rules.
pub fn check_level_edit(
    name: &str,
    definition: &str,
    rules: &BTreeMap<LifecycleStep, String>,
) -> Result<(String, String, BTreeMap<LifecycleStep, String>), LevelProblem> {
    let name = crate::text::single_line(name, MAX_LEVEL_NAME).map_err(LevelProblem::Name)?;
    let definition = definition.trim().to_owned();
    if definition.chars().count() > MAX_DEFINITION {
        return Err(LevelProblem::DefinitionTooLong);
    }
    let mut kept = BTreeMap::new();
    for (step, rule) in rules {
        let rule = rule.trim();
        if rule.chars().count() > MAX_RULE {
            return Err(LevelProblem::RuleTooLong);
        }
        if !rule.is_empty() {
            kept.insert(*step, rule.to_owned());
        }
    }
    Ok((name, definition, kept))
}

/// The form field (and API problem field) of a step's handling rule: `rule_create`…
pub fn rule_field(step: LifecycleStep) -> &'static str {
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

/// A level edit as typed: name, definition, take-out approval and a rule per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelInput {
    pub name: String,
    pub definition: String,
    /// Read for confidentiality levels only, the ones that decide take-out approval; on
    /// the other axes the stored value is kept.
    pub takeout_requires_approval: bool,
    pub rules: Vec<(LifecycleStep, String)>,
}

impl LevelInput {
    /// The level as stored, to start an edit from.
    pub fn of(level: &Level) -> LevelInput {
        LevelInput {
            name: level.name.clone(),
            definition: level.definition.clone(),
            takeout_requires_approval: level.takeout_requires_approval,
            rules: LifecycleStep::ALL
                .iter()
                .map(|step| (*step, level.rules.get(step).cloned().unwrap_or_default()))
                .collect(),
        }
    }
}

/// A level as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLevel {
    pub name: String,
    pub definition: String,
    pub takeout_requires_approval: bool,
    pub rules: BTreeMap<LifecycleStep, String>,
}

impl CheckedLevel {
    /// Whether saving would change nothing.
    pub fn same_as(&self, level: &Level) -> bool {
        level.name == self.name
            && level.definition == self.definition
            && level.takeout_requires_approval == self.takeout_requires_approval
            && level.rules == self.rules
    }
}

fn multi_line_problem(field: &'static str, value: &str, max: usize, problems: &mut Problems) {
    if let Err(problem) = crate::text::multi_line(value, max) {
        problems.push(FieldProblem::text(field, problem));
    }
}

/// Checks every field of a level edit at once (each shows its own message), then lets
/// [`check_level_edit`] settle the values to store; a name another level of the axis
/// uses (or is coded by) is refused, since registers find a level by its name.
pub fn check_level_input(
    scheme: &Scheme,
    level: &Level,
    input: &LevelInput,
) -> Result<CheckedLevel, Vec<FieldProblem>> {
    let mut problems = Problems::new();
    if let Err(problem) = crate::text::single_line(&input.name, MAX_LEVEL_NAME) {
        problems.push(FieldProblem::text("name", problem));
    }
    multi_line_problem(
        "definition",
        &input.definition,
        MAX_DEFINITION,
        &mut problems,
    );
    for (step, text) in &input.rules {
        multi_line_problem(rule_field(*step), text, MAX_RULE, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    let rules: BTreeMap<LifecycleStep, String> = input
        .rules
        .iter()
        .map(|(step, text)| (*step, text.replace("\r\n", "\n")))
        .collect();
    let definition = input.definition.replace("\r\n", "\n");
    let (name, definition, rules) = match check_level_edit(&input.name, &definition, &rules) {
        Ok(checked) => checked,
        Err(LevelProblem::Name(problem)) => return Err(vec![FieldProblem::text("name", problem)]),
        Err(LevelProblem::DefinitionTooLong) => {
            return Err(vec![FieldProblem::text(
                "definition",
                TextProblem::TooLong {
                    max: MAX_DEFINITION,
                },
            )]);
        }
        Err(LevelProblem::RuleTooLong) => {
            let field = input
                .rules
                .iter()
                .find(|(_, text)| text.replace("\r\n", "\n").trim().chars().count() > MAX_RULE)
                .map_or("rule_create", |(step, _)| rule_field(*step));
            return Err(vec![FieldProblem::text(
                field,
                TextProblem::TooLong { max: MAX_RULE },
            )]);
        }
    };
    if let Some(problem) = name_taken(scheme, level, &name) {
        return Err(vec![problem]);
    }
    Ok(CheckedLevel {
        name,
        definition,
        takeout_requires_approval: if level.axis == Axis::Confidentiality {
            input.takeout_requires_approval
        } else {
            level.takeout_requires_approval
        },
        rules,
    })
}

/// Another level of the same axis already named `name` (or coded so).
pub fn name_taken(scheme: &Scheme, level: &Level, name: &str) -> Option<FieldProblem> {
    let wanted = normalise(name);
    let taken = scheme
        .levels_of(level.axis)
        .into_iter()
        .filter(|other| other.id != level.id)
        .any(|other| normalise(&other.name) == wanted || normalise(&other.code) == wanted);
    taken.then(|| {
        FieldProblem::new("name", "classification.error.duplicate_name").with("name", name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme() -> Scheme {
        crate::classification_presets::all()
            .into_iter()
            .find(|s| s.key == "guideline_2024")
            .unwrap()
    }

    #[test]
    fn finds_levels_as_registers_write_them() {
        let scheme = scheme();
        let c = Axis::Confidentiality;
        assert_eq!(scheme.find_level(c, "3A").unwrap().code, "3A");
        assert_eq!(scheme.find_level(c, "３ａ").unwrap().code, "3A");
        assert_eq!(scheme.find_level(c, "自治体機密性3B").unwrap().code, "3B");
        assert_eq!(scheme.find_level(c, "機密性2").unwrap().code, "2");
        assert_eq!(
            scheme.find_level(Axis::Integrity, "完全性2").unwrap().code,
            "2"
        );
        assert!(scheme.find_level(c, "4").is_none());
        assert!(scheme.find_level(c, "").is_none());
        // "3" alone is not a level of the 2024 scheme: 3A, 3B and 3C replaced it.
        assert!(scheme.find_level(c, "3").is_none());
    }

    #[test]
    fn only_the_lowest_confidentiality_may_be_published() {
        let scheme = scheme();
        let c = Axis::Confidentiality;
        assert!(scheme.may_publish(scheme.find_level(c, "1").unwrap()));
        assert!(!scheme.may_publish(scheme.find_level(c, "2").unwrap()));
        assert_eq!(
            scheme.top_confidentiality_rank(),
            Some(scheme.find_level(c, "3A").unwrap().rank)
        );
    }

    #[test]
    fn level_edits_are_checked() {
        let mut rules = BTreeMap::new();
        rules.insert(LifecycleStep::Send, "  暗号化する ".to_owned());
        rules.insert(LifecycleStep::Carry, "   ".to_owned());
        let (name, _, kept) = check_level_edit(" 機密性2 ", "定義", &rules).unwrap();
        assert_eq!(name, "機密性2");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[&LifecycleStep::Send], "暗号化する");
        assert!(check_level_edit("", "", &rules).is_err());
        assert_eq!(
            check_level_edit("x", &"あ".repeat(MAX_DEFINITION + 1), &rules),
            Err(LevelProblem::DefinitionTooLong)
        );
    }

    fn level_input() -> (Scheme, Level, LevelInput) {
        let mut scheme = scheme();
        for (i, level) in scheme.levels.iter_mut().enumerate() {
            level.id = i as i64 + 1;
        }
        let level = scheme
            .find_level(Axis::Confidentiality, "2")
            .unwrap()
            .clone();
        let input = LevelInput::of(&level);
        (scheme, level, input)
    }

    #[test]
    fn a_preset_level_passes_unchanged() {
        let (scheme, level, input) = level_input();
        let checked = check_level_input(&scheme, &level, &input).unwrap();
        assert!(checked.same_as(&level));
    }

    #[test]
    fn every_field_of_a_level_reports_its_own_problem() {
        let (scheme, level, mut input) = level_input();
        input.name = " \u{3000}".into();
        input.definition = "あ".repeat(MAX_DEFINITION + 1);
        input.rules[4].1 = "暗号化\u{0}する".into();
        input.rules[7].1 = "い".repeat(MAX_RULE + 1);
        let problems = check_level_input(&scheme, &level, &input).unwrap_err();
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
        let (scheme, level, mut input) = level_input();
        input.definition = format!("{}\r\n{}", "あ".repeat(1000), "い".repeat(999));
        let checked = check_level_input(&scheme, &level, &input).unwrap();
        assert_eq!(checked.definition.chars().count(), MAX_DEFINITION);
        input.definition.push('う');
        assert!(check_level_input(&scheme, &level, &input).is_err());
    }

    #[test]
    fn line_breaks_are_kept_and_blank_rules_dropped() {
        let (scheme, level, mut input) = level_input();
        input.definition = "一行目\r\n二行目\t（注）".into();
        input.rules[0].1 = "  ".into();
        input.rules[1].1 = " 入手したら登録する\r\n ".into();
        let checked = check_level_input(&scheme, &level, &input).unwrap();
        assert_eq!(checked.definition, "一行目\n二行目\t（注）");
        assert!(!checked.rules.contains_key(&LifecycleStep::Create));
        assert_eq!(checked.rules[&LifecycleStep::Obtain], "入手したら登録する");
    }

    #[test]
    fn take_out_approval_is_kept_on_other_axes() {
        let (scheme, _, _) = level_input();
        let mut integrity = scheme.find_level(Axis::Integrity, "2").unwrap().clone();
        integrity.takeout_requires_approval = true;
        let mut input = LevelInput::of(&integrity);
        input.takeout_requires_approval = false;
        let checked = check_level_input(&scheme, &integrity, &input).unwrap();
        assert!(checked.takeout_requires_approval);
    }

    #[test]
    fn two_levels_of_an_axis_cannot_share_a_name() {
        let (scheme, two, mut input) = level_input();
        assert!(name_taken(&scheme, &two, "自治体機密性2").is_none());
        assert!(name_taken(&scheme, &two, "機密性2（庁内限り）").is_none());
        assert!(name_taken(&scheme, &two, "自治体機密性１").is_some());
        assert!(name_taken(&scheme, &two, "3a").is_some());
        // Another axis may use the same words.
        assert!(name_taken(&scheme, &two, "完全性2").is_none());
        input.name = "3a".into();
        let problems = check_level_input(&scheme, &two, &input).unwrap_err();
        assert_eq!(problems[0].key, "classification.error.duplicate_name");
    }
}
