//! Classification of information assets (clause 6(2)): schemes are data. A scheme has
//! levels on three axes (機密性・完全性・可用性); each level carries a definition and
//! handling rules (取扱制限) for every step of an asset's life. mamori ships two presets
//! (see `presets`) that an assembly adopts and then edits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::search::normalise;

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
}
