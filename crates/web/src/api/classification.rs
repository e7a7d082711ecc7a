//! The classification scheme over the API: the scheme in use with its levels on each
//! axis, definitions, take-out approval and handling rules (clause 6(2)); switching the
//! scheme in use and editing a level, on the same use cases as the settings pages
//! (`mamori_app::classification`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use mamori_app::classification::Saved;
use mamori_domain::access::{Act, Register};
use mamori_domain::classification::{Axis, Level, LevelInput, LifecycleStep, Scheme};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::ApiJson;
use crate::http::forms::parse_id;

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
    #[schema(value_type = crate::api::codes::ClassificationAxis)]
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
    let scheme = mamori_app::classification::active(&state.app, &signed.0.acting).await?;
    Ok(Json(scheme_out(&scheme)))
}

/// The scheme to put in use.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scheme_id": 2}))]
pub struct ActivateIn {
    pub scheme_id: i64,
}

/// Whether anything changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedOut {
    pub changed: bool,
}

fn saved(saved: Saved) -> Json<SavedOut> {
    Json(SavedOut {
        changed: saved == Saved::Changed,
    })
}

/// Puts another scheme in use. 409 `assets_classified` while assets are classified
/// under the current one.
#[utoipa::path(post, path = "/api/v1/classification/activate", tag = "classification",
    request_body = ActivateIn,
    responses((status = 200, body = SavedOut), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Json<SavedOut>, AppError> {
    let acting = &signed.0.acting;
    let what = "classification.activate";
    state
        .app
        .permit(acting, Register::Classification, Act::Edit, what)
        .await?;
    let ApiJson(body) =
        <ApiJson<ActivateIn> as FromRequest<AppState>>::from_request(request, &state).await?;
    let done = mamori_app::classification::activate(&state.app, acting, body.scheme_id).await?;
    Ok(saved(done))
}

/// A change to a level: only the fields given change. `rules` maps a step (`create`,
/// `obtain`, `use`, `store`, `send`, `carry`, `provide`, `dispose`) to its rule; an
/// empty rule removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "機密性3", "definition": "個人情報を含む情報資産", "takeout_requires_approval": true, "rules": {"storage": "施錠できる書庫に保管する"}}))]
pub struct LevelPatch {
    pub name: Option<String>,
    pub definition: Option<String>,
    /// Confidentiality levels only; ignored on the other axes.
    pub takeout_requires_approval: Option<bool>,
    pub rules: Option<BTreeMap<String, String>>,
}

/// Edits a level of a scheme. 422 `validation_failed` names each refused field.
#[utoipa::path(patch, path = "/api/v1/classification/levels/{id}", tag = "classification",
    params(("id" = i64, Path)), request_body = LevelPatch,
    responses((status = 200, body = SavedOut), (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn update_level(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<SavedOut>, AppError> {
    let acting = &signed.0.acting;
    let found =
        mamori_app::classification::level_to_edit(&state.app, acting, parse_id(&id)?).await?;
    let ApiJson(patch) =
        <ApiJson<LevelPatch> as FromRequest<AppState>>::from_request(request, &state).await?;
    let mut input = LevelInput::of(&found.level);
    input.name = patch.name.unwrap_or(input.name);
    input.definition = patch.definition.unwrap_or(input.definition);
    if let Some(takeout) = patch.takeout_requires_approval {
        input.takeout_requires_approval = takeout;
    }
    for (step, text) in patch.rules.unwrap_or_default() {
        let step = LifecycleStep::parse(&step).ok_or_else(|| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                "error.invalid_json_data",
            )
            .with("detail", step.clone())
        })?;
        if let Some(rule) = input.rules.iter_mut().find(|(s, _)| *s == step) {
            rule.1 = text;
        }
    }
    let done =
        mamori_app::classification::edit_level(&state.app, acting, found.level.id, &input).await?;
    Ok(saved(done))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_classification, activate, update_level),
    components(schemas(ClassificationOut, LevelOut, ActivateIn, LevelPatch, SavedOut))
)]
pub struct Doc;
