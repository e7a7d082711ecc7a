//! Classification settings (clause 6(2)): the scheme in use, each level's definition,
//! take-out approval and handling rules (取扱制限) for every step of an asset's life;
//! switching to another scheme while the register is still empty (`settings`); editing
//! a level (`level`). The use cases are `mamori_app::classification`; here are the
//! views of a scheme both pages show.

mod level;
mod settings;

pub use level::{edit_level, save_level};
pub use settings::{activate, show};

use mamori_domain::classification::{Axis, Level, LifecycleStep, Scheme};

use crate::http::labels::{axis_key, step_key};

const PATH: &str = "/settings/classification";

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

pub(crate) fn scheme_view(scheme: &Scheme) -> SchemeView {
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
