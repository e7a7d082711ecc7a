//! The risk register's filters (threat family, level, treatment, a cell of a heat map),
//! read from the query string of the list, the export and the API; and the words for a
//! refused acceptance decision, which the page and the API both give.

use axum::http::StatusCode;
use mamori_app::risks::RiskRecord;
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Matrix, ThreatFamily, Treatment};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::error::AppError;
use crate::http::params::present;

/// The list's query string, shared by the page, the exports and the API: threat family,
/// level, treatment, and a cell of the heat map. Kept as text so that a wrong value gets
/// our own message.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// intentional, unintentional, disaster, pandemic or infrastructure (clause 3(1)–(5)).
    pub family: Option<String>,
    /// A level of the active matrix by position, least serious first (0, 1, 2).
    pub level: Option<String>,
    /// reduce, avoid, transfer, accept, or none (not decided yet).
    pub treatment: Option<String>,
    /// inherent (default) or residual: which assessment `level`, `likelihood` and
    /// `impact` are compared with.
    pub which: Option<String>,
    /// A likelihood step by position, lowest first (0, 1, 2).
    pub likelihood: Option<String>,
    /// An impact step by position, lowest first (0, 1, 2).
    pub impact: Option<String>,
}

/// What the list shows.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub family: Option<ThreatFamily>,
    pub level: Option<usize>,
    /// Some(None): risks without a treatment.
    pub treatment: Option<Option<Treatment>>,
    pub which: Which,
    pub likelihood: Option<usize>,
    pub impact: Option<usize>,
}

pub fn bad_filter(name: &'static str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_filter",
        "risk.register_error.filter",
    )
    .with("name", name)
}

impl ListParams {
    pub fn filter(&self, matrix: &Matrix) -> Result<RiskFilter, AppError> {
        let position = |value: &Option<String>, len: usize, name: &'static str| {
            present(value)
                .map(|v| {
                    v.parse::<usize>()
                        .ok()
                        .filter(|p| *p < len)
                        .ok_or_else(|| bad_filter(name))
                })
                .transpose()
        };
        Ok(RiskFilter {
            family: present(&self.family)
                .map(|v| ThreatFamily::parse(v).ok_or_else(|| bad_filter("family")))
                .transpose()?,
            level: position(&self.level, matrix.levels.len(), "level")?,
            treatment: present(&self.treatment)
                .map(|v| match v {
                    "none" => Ok(None),
                    v => Treatment::parse(v)
                        .map(Some)
                        .ok_or_else(|| bad_filter("treatment")),
                })
                .transpose()?,
            which: present(&self.which)
                .map(|v| Which::parse(v).ok_or_else(|| bad_filter("which")))
                .transpose()?
                .unwrap_or_default(),
            likelihood: position(&self.likelihood, matrix.likelihood.len(), "likelihood")?,
            impact: position(&self.impact, matrix.impact.len(), "impact")?,
        })
    }

    /// These filters as a query string, to carry into the export links.
    pub fn query(&self) -> String {
        [
            ("family", &self.family),
            ("level", &self.level),
            ("treatment", &self.treatment),
            ("which", &self.which),
            ("likelihood", &self.likelihood),
            ("impact", &self.impact),
        ]
        .iter()
        .filter_map(|(name, value)| {
            present(value).map(|v| format!("{name}={}", crate::http::auth::percent_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
    }
}

impl RiskFilter {
    pub fn matches(&self, risk: &RiskRecord) -> bool {
        if self.family.is_some_and(|f| f != risk.threat_family) {
            return false;
        }
        if self.treatment.is_some_and(|t| t != risk.treatment) {
            return false;
        }
        let (score, level) = match self.which {
            Which::Inherent => (Some(risk.inherent), Some(risk.inherent_level)),
            Which::Residual => (risk.residual, risk.residual_level),
        };
        if self.level.is_some() && self.level != level {
            return false;
        }
        if self
            .likelihood
            .is_some_and(|l| score.is_none_or(|s| s.likelihood != l))
        {
            return false;
        }
        if self
            .impact
            .is_some_and(|i| score.is_none_or(|s| s.impact != i))
        {
            return false;
        }
        true
    }
}

/// Which assessment a heat map counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Which {
    /// Before treatment (固有リスク).
    #[default]
    Inherent,
    /// After treatment (残留リスク).
    Residual,
}

impl Which {
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Inherent => "inherent",
            Which::Residual => "residual",
        }
    }

    pub fn parse(value: &str) -> Option<Which> {
        match value {
            "inherent" => Some(Which::Inherent),
            "residual" => Some(Which::Residual),
            _ => None,
        }
    }

    pub fn title_key(self) -> &'static str {
        match self {
            Which::Inherent => "risk.heatmap.inherent_title",
            Which::Residual => "risk.heatmap.residual_title",
        }
    }
}

/// A refused decision says why: not the CISO, or their own proposal.
pub fn decision_refused(acting: &mamori_app::Acting, failure: mamori_app::Failure) -> AppError {
    let denied = matches!(failure, mamori_app::Failure::Denied { .. });
    let mut error = AppError::from(failure);
    if denied {
        error.message_key = if acting.may(Register::Risks, Act::Decide) {
            "risk.register_error.own_proposal"
        } else {
            "risk.register_error.not_ciso"
        };
    }
    error
}
