//! The risk register and frozen risk analyses over the API: the same filters, checks and
//! visibility of assets as the pages (`pages::risks`, `pages::risk_analyses`).

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::risks::{
    AcceptanceForm, ActionForm, Analysis, FreezeForm, Matrices, RiskForm, RiskRecord,
    analyses as app_analyses, date_text, matrices, register as app_register, timestamp_text,
    treatment as app_treatment,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::{Matrix, Score};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, read_json};
use crate::http::forms::parse_id;
use crate::http::params::pagination::{Page, PageQuery};
use crate::http::params::risks::ListParams;
use crate::state::AppState;

mod analyses;
mod register;
mod treatment;

pub use analyses::*;
pub use register::*;
pub use treatment::*;

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_risks,
        get_risk,
        create_risk,
        update_risk,
        add_action,
        complete_action,
        propose_acceptance,
        decide_acceptance,
        list_analyses,
        get_analysis,
        freeze_analysis
    ),
    components(schemas(
        RiskOut,
        RiskPage,
        RiskIn,
        ScaleIn,
        AssessmentOut,
        RiskAssetOut,
        AnalysisOut,
        AnalysisPage,
        AnalysisDetail,
        SnapshotRiskOut,
        RiskPatch,
        ActionIn,
        ActionOut,
        CompleteIn,
        AcceptanceIn,
        AcceptanceOut,
        DecisionIn,
        FreezeIn
    ))
)]
pub struct Doc;
