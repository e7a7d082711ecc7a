//! Threats and risks (clauses 3 and 8 of the basic policy): the five threat families of
//! clause 3 (their catalogue is in `threat`), the likelihood × impact matrix as data,
//! treatments, and the rules for accepting a risk.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::text::{TextProblem, single_line};

/// Clause 3's five threat families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatFamily {
    /// (1) 意図的な要因
    Intentional,
    /// (2) 非意図的な要因
    Unintentional,
    /// (3) 災害
    Disaster,
    /// (4) 疾病による要員不足
    Pandemic,
    /// (5) インフラの障害
    Infrastructure,
}

impl ThreatFamily {
    pub const ALL: [ThreatFamily; 5] = [
        ThreatFamily::Intentional,
        ThreatFamily::Unintentional,
        ThreatFamily::Disaster,
        ThreatFamily::Pandemic,
        ThreatFamily::Infrastructure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ThreatFamily::Intentional => "intentional",
            ThreatFamily::Unintentional => "unintentional",
            ThreatFamily::Disaster => "disaster",
            ThreatFamily::Pandemic => "pandemic",
            ThreatFamily::Infrastructure => "infrastructure",
        }
    }

    pub fn parse(value: &str) -> Option<ThreatFamily> {
        ThreatFamily::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// The clause of the basic policy that names the family: "3(1)" … "3(5)".
    pub fn clause(self) -> &'static str {
        match self {
            ThreatFamily::Intentional => "3(1)",
            ThreatFamily::Unintentional => "3(2)",
            ThreatFamily::Disaster => "3(3)",
            ThreatFamily::Pandemic => "3(4)",
            ThreatFamily::Infrastructure => "3(5)",
        }
    }
}

/// How a risk is dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// 低減
    Reduce,
    /// 回避
    Avoid,
    /// 移転
    Transfer,
    /// 受容
    Accept,
}

impl Treatment {
    pub const ALL: [Treatment; 4] = [
        Treatment::Reduce,
        Treatment::Avoid,
        Treatment::Transfer,
        Treatment::Accept,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Reduce => "reduce",
            Treatment::Avoid => "avoid",
            Treatment::Transfer => "transfer",
            Treatment::Accept => "accept",
        }
    }

    pub fn parse(value: &str) -> Option<Treatment> {
        Treatment::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// Where a level of the matrix stands against the assembly's tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Within tolerance: no treatment needed.
    Acceptable,
    /// Within tolerance but watched.
    Tolerable,
    /// Above tolerance: a treatment or a formal acceptance is needed.
    Unacceptable,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Acceptable, Band::Tolerable, Band::Unacceptable];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Acceptable => "acceptable",
            Band::Tolerable => "tolerable",
            Band::Unacceptable => "unacceptable",
        }
    }

    pub fn parse(value: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.as_str() == value)
    }
}

/// A level a cell of the matrix leads to: 高 / 中 / 低, its colour and band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLevel {
    pub name: String,
    /// CSS colour "#rrggbb".
    pub colour: String,
    pub band: Band,
}

/// The likelihood × impact matrix. Scales run from the lowest (index 0) to the highest;
/// `grid[l][i]` is the index into `levels` for likelihood `l` and impact `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub likelihood: Vec<String>,
    pub impact: Vec<String>,
    pub levels: Vec<RiskLevel>,
    pub grid: Vec<Vec<usize>>,
}

pub const MIN_SCALE: usize = 2;
pub const MAX_SCALE: usize = 5;

/// Why a matrix was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixProblem {
    #[error("scales must have 2 to 5 steps")]
    ScaleSize,
    #[error("a scale step or level name is empty, too long or repeated")]
    Names,
    #[error("a colour is not #rrggbb")]
    Colour,
    #[error("the grid does not match the scales or names a missing level")]
    Grid,
    #[error("there must be 1 to 5 levels")]
    Levels,
    #[error("levels must run from least to most serious")]
    BandOrder,
}

impl MatrixProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            MatrixProblem::ScaleSize => "risk.error.scale_size",
            MatrixProblem::Names => "risk.error.names",
            MatrixProblem::Colour => "risk.error.colour",
            MatrixProblem::Grid => "risk.error.grid",
            MatrixProblem::Levels => "risk.error.levels",
            MatrixProblem::BandOrder => "risk.error.band_order",
        }
    }
}

/// A colour as the matrix stores it: "#rrggbb".
pub fn is_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|h| h.is_ascii_hexdigit())
}

/// Levels run from the least to the most serious: a band never eases on the way up,
/// which the comparison of analyses (a higher index is worse) relies on.
pub fn bands_in_order(bands: impl IntoIterator<Item = Band>) -> bool {
    let bands: Vec<Band> = bands.into_iter().collect();
    bands.windows(2).all(|pair| pair[0] <= pair[1])
}

fn names_ok(names: &[String]) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if single_line(name, 20).is_err() || seen.contains(&name.as_str()) {
            return false;
        }
        seen.push(name);
    }
    true
}

impl Matrix {
    /// The common default: likelihood 低/中/高 × impact 小/中/大 → 低/中/高.
    pub fn default_3x3() -> Matrix {
        let level = |name: &str, colour: &str, band| RiskLevel {
            name: name.to_owned(),
            colour: colour.to_owned(),
            band,
        };
        Matrix {
            likelihood: vec!["低".into(), "中".into(), "高".into()],
            impact: vec!["小".into(), "中".into(), "大".into()],
            levels: vec![
                level("低", "#cfe8cf", Band::Acceptable),
                level("中", "#f6e3a1", Band::Tolerable),
                level("高", "#f3b3b3", Band::Unacceptable),
            ],
            grid: vec![vec![0, 0, 1], vec![0, 1, 2], vec![1, 2, 2]],
        }
    }

    pub fn check(&self) -> Result<(), MatrixProblem> {
        let scale = MIN_SCALE..=MAX_SCALE;
        if !scale.contains(&self.likelihood.len()) || !scale.contains(&self.impact.len()) {
            return Err(MatrixProblem::ScaleSize);
        }
        if self.levels.is_empty() || self.levels.len() > 5 {
            return Err(MatrixProblem::Levels);
        }
        let level_names: Vec<String> = self.levels.iter().map(|l| l.name.clone()).collect();
        if !names_ok(&self.likelihood) || !names_ok(&self.impact) || !names_ok(&level_names) {
            return Err(MatrixProblem::Names);
        }
        if !self.levels.iter().all(|l| is_colour(&l.colour)) {
            return Err(MatrixProblem::Colour);
        }
        if !bands_in_order(self.levels.iter().map(|l| l.band)) {
            return Err(MatrixProblem::BandOrder);
        }
        let grid_ok = self.grid.len() == self.likelihood.len()
            && self.grid.iter().all(|row| {
                row.len() == self.impact.len() && row.iter().all(|&i| i < self.levels.len())
            });
        if !grid_ok {
            return Err(MatrixProblem::Grid);
        }
        Ok(())
    }

    /// The level for a likelihood and an impact (0-based scale positions).
    pub fn level(&self, likelihood: usize, impact: usize) -> Option<&RiskLevel> {
        let index = *self.grid.get(likelihood)?.get(impact)?;
        self.levels.get(index)
    }

    pub fn level_index(&self, likelihood: usize, impact: usize) -> Option<usize> {
        self.grid.get(likelihood)?.get(impact).copied()
    }
}

/// A likelihood and an impact, as positions on the matrix's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Score {
    pub likelihood: usize,
    pub impact: usize,
}

impl Score {
    pub fn check(self, matrix: &Matrix) -> Option<Score> {
        (self.likelihood < matrix.likelihood.len() && self.impact < matrix.impact.len())
            .then_some(self)
    }
}

/// Why a risk cannot be saved as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RiskProblem {
    #[error("above tolerance without a treatment")]
    NeedsTreatment,
}

impl RiskProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            RiskProblem::NeedsTreatment => "risk.register_error.needs_treatment",
        }
    }
}

/// Clause 8's rule for a risk above tolerance: it needs a treatment (accepting it is one,
/// decided separately by the CISO).
pub fn check_treatment(
    matrix: &Matrix,
    inherent: Score,
    treatment: Option<Treatment>,
) -> Result<(), RiskProblem> {
    let band = matrix
        .level(inherent.likelihood, inherent.impact)
        .map(|l| l.band);
    if band == Some(Band::Unacceptable) && treatment.is_none() {
        return Err(RiskProblem::NeedsTreatment);
    }
    Ok(())
}

/// Why an acceptance was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceRefusal {
    #[error("only the CISO accepts risks")]
    NotCiso,
    #[error("nobody accepts a risk they proposed")]
    OwnProposal,
    /// The expiry passed while the proposal waited for the decision.
    #[error("the expiry has passed")]
    Lapsed,
    #[error("a reason is required")]
    NoReason,
}

impl AcceptanceRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            AcceptanceRefusal::NotCiso => "risk.register_error.not_ciso",
            AcceptanceRefusal::OwnProposal => "risk.register_error.own_proposal",
            AcceptanceRefusal::Lapsed => "risk.register_error.expiry_lapsed",
            AcceptanceRefusal::NoReason => "risk.register_error.no_reason",
        }
    }
}

/// Clause 8 and the guideline's separation of duties: a risk is accepted by the user
/// holding the CISO role, never by the person who proposed it, with a reason and an
/// expiry (the last day it holds) after which it is reviewed again. An expiry that passed
/// while the proposal waited (`proposed_on` or later) is refused; one already past when
/// it was proposed was confirmed by the proposer as such (an acceptance recorded late)
/// and may be decided.
pub fn check_acceptance(
    approver_is_ciso: bool,
    proposer_id: Option<i64>,
    approver_id: i64,
    reason: &str,
    expires_on: Date,
    proposed_on: Date,
    today: Date,
) -> Result<(), AcceptanceRefusal> {
    if !approver_is_ciso {
        return Err(AcceptanceRefusal::NotCiso);
    }
    if proposer_id.is_some_and(|p| !crate::user::may_approve(p, approver_id)) {
        return Err(AcceptanceRefusal::OwnProposal);
    }
    if reason.trim().is_empty() {
        return Err(AcceptanceRefusal::NoReason);
    }
    if expires_on < today && expires_on >= proposed_on {
        return Err(AcceptanceRefusal::Lapsed);
    }
    Ok(())
}

/// A threat's name and description as typed.
pub fn check_threat_name(name: &str) -> Result<String, TextProblem> {
    single_line(name, 100)
}

/// How one risk moved between two analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    New,
    Removed,
    Up,
    Down,
    Same,
}

/// Compares a risk's level index in an older and a newer analysis (higher index means
/// a more serious level, as the levels are ordered from least to most serious).
pub fn movement(before: Option<usize>, after: Option<usize>) -> Movement {
    match (before, after) {
        (None, Some(_)) => Movement::New,
        (Some(_), None) => Movement::Removed,
        (Some(b), Some(a)) if a > b => Movement::Up,
        (Some(b), Some(a)) if a < b => Movement::Down,
        _ => Movement::Same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_matrix_is_valid_and_scores() {
        let m = Matrix::default_3x3();
        m.check().unwrap();
        assert_eq!(m.level(2, 2).unwrap().band, Band::Unacceptable);
        assert_eq!(m.level(0, 0).unwrap().band, Band::Acceptable);
        assert!(m.level(3, 0).is_none());
    }

    #[test]
    fn matrices_are_checked() {
        let mut m = Matrix::default_3x3();
        m.likelihood.push("極高".into());
        assert_eq!(m.check(), Err(MatrixProblem::Grid));
        m.grid.push(vec![2, 2, 2]);
        m.check().unwrap();
        for _ in 0..2 {
            m.likelihood.push(format!("x{}", m.likelihood.len()));
            m.grid.push(vec![2, 2, 2]);
        }
        assert_eq!(m.check(), Err(MatrixProblem::ScaleSize));
        let mut m = Matrix::default_3x3();
        m.levels[0].colour = "red".into();
        assert_eq!(m.check(), Err(MatrixProblem::Colour));
        let mut m = Matrix::default_3x3();
        m.impact[1] = "小".into();
        assert_eq!(m.check(), Err(MatrixProblem::Names));
        let mut m = Matrix::default_3x3();
        m.grid[0][0] = 7;
        assert_eq!(m.check(), Err(MatrixProblem::Grid));
        let mut m = Matrix::default_3x3();
        m.levels[2].band = Band::Acceptable;
        assert_eq!(m.check(), Err(MatrixProblem::BandOrder));
    }

    #[test]
    fn above_tolerance_needs_a_treatment() {
        let m = Matrix::default_3x3();
        let high = Score {
            likelihood: 2,
            impact: 2,
        };
        assert_eq!(
            check_treatment(&m, high, None),
            Err(RiskProblem::NeedsTreatment)
        );
        assert!(check_treatment(&m, high, Some(Treatment::Reduce)).is_ok());
        let low = Score {
            likelihood: 0,
            impact: 0,
        };
        assert!(check_treatment(&m, low, None).is_ok());
    }

    #[test]
    fn acceptance_is_the_cisos_and_never_the_proposers() {
        let today = date!(2026 - 11 - 26);
        let proposed = date!(2026 - 11 - 01);
        let later = date!(2027 - 03 - 31);
        let check = |ciso, proposer, reason, expires_on| {
            check_acceptance(ciso, Some(proposer), 2, reason, expires_on, proposed, today)
        };
        assert_eq!(
            check(false, 1, "理由", later),
            Err(AcceptanceRefusal::NotCiso)
        );
        assert_eq!(
            check(true, 2, "理由", later),
            Err(AcceptanceRefusal::OwnProposal)
        );
        assert_eq!(check(true, 1, " ", later), Err(AcceptanceRefusal::NoReason));
        assert!(check(true, 1, "予算措置まで", later).is_ok());
        // The expiry is the last day it holds: today still holds.
        assert!(check(true, 1, "理由", today).is_ok());
        // Passed while waiting for the decision: refused.
        let lapsed = date!(2026 - 11 - 25);
        assert_eq!(
            check(true, 1, "理由", lapsed),
            Err(AcceptanceRefusal::Lapsed)
        );
        assert_eq!(
            check(true, 1, "理由", proposed),
            Err(AcceptanceRefusal::Lapsed)
        );
        // Already past when proposed (confirmed then): it may be decided.
        assert!(check(true, 1, "紙で決裁済み", date!(2026 - 10 - 31)).is_ok());
    }

    #[test]
    fn movements_between_analyses() {
        assert_eq!(movement(None, Some(1)), Movement::New);
        assert_eq!(movement(Some(1), None), Movement::Removed);
        assert_eq!(movement(Some(0), Some(2)), Movement::Up);
        assert_eq!(movement(Some(2), Some(1)), Movement::Down);
        assert_eq!(movement(Some(1), Some(1)), Movement::Same);
    }
}
