//! The risk register (clauses 3 and 8): who reads and keeps it. The pages for risks,
//! their actions and acceptances follow; threats, the matrix and analyses have their own
//! modules and use what is defined here.

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

// ---------------------------------------------------------------- shared page parts

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::risks::{
    AcceptanceForm, AcceptanceStatus, ActionForm, RiskForm, RiskRecord, matrices, register,
    treatment,
};
use mamori_app::sheets::Format;
use mamori_app::threats::Threat;
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Band, Matrix, Score, ThreatFamily, Treatment};
use mamori_domain::user::may_approve;
use mamori_domain::wareki::Lang;
use serde::Deserialize;
use time::Date;

use crate::http::context::Ctx;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{Choice, FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use heatmap::Which;

use mamori_app::i18n::Tr;
pub use mamori_app::risks::Matrices;

pub use mamori_app::risks::MAX_ASSETS;

pub fn treatment_key(value: Treatment) -> &'static str {
    match value {
        Treatment::Reduce => "risk.treatment.reduce",
        Treatment::Avoid => "risk.treatment.avoid",
        Treatment::Transfer => "risk.treatment.transfer",
        Treatment::Accept => "risk.treatment.accept",
    }
}

/// The treatment's label, or 未定 when none was chosen yet.
pub fn treatment_label(tr: &Tr, value: Option<Treatment>) -> String {
    tr.t(value.map_or("risk.treatment.none", treatment_key))
        .to_owned()
}

pub fn family_key(value: ThreatFamily) -> &'static str {
    match value {
        ThreatFamily::Intentional => "risk.family_intentional",
        ThreatFamily::Unintentional => "risk.family_unintentional",
        ThreatFamily::Disaster => "risk.family_disaster",
        ThreatFamily::Pandemic => "risk.family_pandemic",
        ThreatFamily::Infrastructure => "risk.family_infrastructure",
    }
}

pub fn acceptance_status_key(value: AcceptanceStatus) -> &'static str {
    match value {
        AcceptanceStatus::Pending => "risk.status_pending",
        AcceptanceStatus::Accepted => "risk.status_accepted",
        AcceptanceStatus::Rejected => "risk.status_rejected",
        AcceptanceStatus::Returned => "risk.status_returned",
        AcceptanceStatus::Withdrawn => "risk.status_withdrawn",
    }
}

/// The label of a field of the risk form, for error lists and headers.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "title" => "risk.field.title",
        "threat" => "risk.field.threat",
        "assets" => "risk.field.assets",
        "asset_group" => "risk.field.asset_group",
        "existing_measures" => "risk.field.existing_measures",
        "inherent_likelihood" => "risk.field.likelihood",
        "inherent_impact" => "risk.field.impact",
        "treatment" => "risk.field.treatment",
        "residual_likelihood" => "risk.field.residual_likelihood",
        "residual_impact" => "risk.field.residual_impact",
        "owner" => "risk.field.owner",
        "review_due" => "risk.field.review_due",
        "description" => "risk.action_description",
        "due_on" => "risk.action_due",
        "done_on" => "risk.action_done",
        "reason" => "risk.acceptance_reason",
        "expires_on" => "risk.acceptance_expires",
        "analysed_on" => "risk.analysis.field_date",
        "analysis_title" => "risk.analysis.field_title",
        "decider" => "approval.send.decider",
        "request_note" => "approval.send.note",
        _ => "risk.field.unknown",
    }
}

/// The asset cell of a list or export: the names the reader may see, then the group.
pub fn assets_text(tr: &Tr, risk: &RiskRecord) -> String {
    let mut parts: Vec<String> = risk.assets.iter().map(|(_, name)| name.clone()).collect();
    if !risk.asset_group.is_empty() {
        parts.push(risk.asset_group.clone());
    }
    parts.join(tr.t("punct.list"))
}

pub mod acceptances;
pub mod actions;
pub mod analyses;
pub mod export;
pub mod form;
pub mod heatmap;
pub mod list;
pub mod matrix;
pub mod matrix_edit;
pub mod matrix_form;
pub mod show;

pub use crate::http::params::risks::{ListParams, RiskFilter};
pub use acceptances::*;
pub use actions::*;
pub use export::*;
pub use form::*;
pub use list::*;
pub use show::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn record(l: usize, i: usize, treatment: Option<Treatment>) -> RiskRecord {
        RiskRecord {
            id: 1,
            title: "t".into(),
            threat_id: 1,
            threat_name: "機器故障".into(),
            threat_name_en: "Equipment failure".into(),
            threat_family: ThreatFamily::Unintentional,
            asset_group: "議員用タブレット全台".into(),
            existing_measures: String::new(),
            matrix_id: 1,
            inherent: Score {
                likelihood: l,
                impact: i,
            },
            inherent_level: Matrix::default_3x3().level_index(l, i).unwrap(),
            treatment,
            residual: None,
            residual_level: None,
            owner_id: None,
            owner_name: None,
            proposed_by: None,
            review_due: None,
            assets: vec![(3, "会議録".into())],
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn filters_read_the_heat_map_cell_and_refuse_strange_values() {
        let matrix = Matrix::default_3x3();
        let params = ListParams {
            likelihood: Some("2".into()),
            impact: Some("2".into()),
            which: Some("inherent".into()),
            ..ListParams::default()
        };
        let filter = params.filter(&matrix).unwrap();
        assert!(filter.matches(&record(2, 2, Some(Treatment::Reduce))));
        assert!(!filter.matches(&record(1, 2, Some(Treatment::Reduce))));
        let residual = ListParams {
            which: Some("residual".into()),
            likelihood: Some("0".into()),
            ..ListParams::default()
        };
        assert!(
            !residual
                .filter(&matrix)
                .unwrap()
                .matches(&record(0, 0, None))
        );
        let untreated = ListParams {
            treatment: Some("none".into()),
            ..ListParams::default()
        };
        assert!(
            untreated
                .filter(&matrix)
                .unwrap()
                .matches(&record(0, 0, None))
        );
        for bad in [
            ListParams {
                likelihood: Some("3".into()),
                ..ListParams::default()
            },
            ListParams {
                family: Some("weather".into()),
                ..ListParams::default()
            },
            ListParams {
                which: Some("both".into()),
                ..ListParams::default()
            },
        ] {
            assert_eq!(
                bad.filter(&matrix).unwrap_err().status,
                StatusCode::BAD_REQUEST
            );
        }
        assert_eq!(params.query(), "which=inherent&likelihood=2&impact=2");
    }

    #[test]
    fn the_asset_cell_names_assets_then_the_group() {
        assert_eq!(
            assets_text(&Tr::new(Lang::Ja), &record(0, 0, None)),
            "会議録、議員用タブレット全台"
        );
        assert_eq!(
            assets_text(&Tr::new(Lang::En), &record(0, 0, None)),
            "会議録, 議員用タブレット全台"
        );
    }
}
