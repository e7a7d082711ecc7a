//! The classification scheme in use over the API: its levels on each axis with their
//! definitions, take-out approval and handling rules (clause 6(2)). Read-only: the
//! scheme is changed on the settings page (`pages::classification`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use mamori_domain::classification::{Axis, Level, Scheme};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::pages::classification::READERS;
use crate::state::AppState;

/// The classification scheme assets are classified by now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationOut {
    pub id: i64,
    /// The preset the scheme started from: `guideline_2024` (confidentiality
    /// 3A/3B/3C/2/1) or `guideline_legacy` (3/2/1).
    #[schema(example = "guideline_2024")]
    pub key: String,
    #[schema(example = "総務省ガイドライン（令和6年10月改定）")]
    pub name: String,
    /// Every level: confidentiality, then integrity, then availability; on each axis
    /// the most protected first.
    pub levels: Vec<LevelOut>,
}

/// One level of one axis, as the assembly has defined it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelOut {
    pub id: i64,
    /// `confidentiality`, `integrity` or `availability`.
    #[schema(example = "confidentiality")]
    pub axis: String,
    /// The short code used in spreadsheets and filters.
    #[schema(example = "2")]
    pub code: String,
    #[schema(example = "自治体機密性2")]
    pub name: String,
    /// Higher means more protection; the lowest confidentiality rank is the only one
    /// that may be published.
    pub rank: i64,
    pub definition: String,
    /// Taking an asset of this level out of the office needs an approval first. Only
    /// the confidentiality level of an asset decides it.
    pub takeout_requires_approval: bool,
    /// Handling rules (取扱制限) by step of the asset's life: `create`, `obtain`, `use`,
    /// `store`, `send`, `carry`, `provide`, `dispose`. A step without a rule is absent.
    #[schema(example = json!({"send": "宛先を確認して送信する。", "dispose": "復元できない方法で廃棄する。"}))]
    pub rules: BTreeMap<String, String>,
}

fn level_out(level: &Level) -> LevelOut {
    LevelOut {
        id: level.id,
        axis: level.axis.as_str().to_owned(),
        code: level.code.clone(),
        name: level.name.clone(),
        rank: level.rank,
        definition: level.definition.clone(),
        takeout_requires_approval: level.takeout_requires_approval,
        rules: level
            .rules
            .iter()
            .map(|(step, rule)| (step.as_str().to_owned(), rule.clone()))
            .collect(),
    }
}

pub fn scheme_out(scheme: &Scheme) -> ClassificationOut {
    ClassificationOut {
        id: scheme.id,
        key: scheme.key.clone(),
        name: scheme.name.clone(),
        levels: Axis::ALL
            .iter()
            .flat_map(|axis| scheme.levels_of(*axis))
            .map(level_out)
            .collect(),
    }
}

/// The classification scheme in use, with every level's handling rules.
#[utoipa::path(get, path = "/api/v1/classification", tag = "classification",
    responses(
        (status = 200, body = ClassificationOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn get_classification(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ClassificationOut>, AppError> {
    signed
        .require(&state, READERS, "classification.view")
        .await?;
    let scheme = mamori_store::classification::active(&state.store).await?;
    Ok(Json(scheme_out(&scheme)))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_classification),
    components(schemas(ClassificationOut, LevelOut))
)]
pub struct Doc;
