//! The threat catalogue (clause 3) and the active risk matrix over the API. The rules
//! are the pages' own (`pages::threats`, `pages::risk_matrix`): same validation, same
//! audit entries. Those who read the risk register read both; the security officer
//! changes the catalogue and makes new matrix versions.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::risks::matrices;
use mamori_app::risks::{StoredMatrix, timestamp_text};
use mamori_app::threats::{self as app_threats, Threat};
use mamori_domain::access::{Act, Register};
use mamori_domain::risk::ThreatFamily;
use mamori_domain::threat::ThreatForm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::{AppError, FieldWording};
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// A threat of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatOut {
    pub id: i64,
    /// `intentional`, `unintentional`, `disaster`, `pandemic` or `infrastructure`:
    /// clause 3(1) to 3(5) of the basic policy.
    #[schema(example = "intentional")]
    #[schema(value_type = crate::api::codes::ThreatFamily)]
    pub family: String,
    /// The clause of the basic policy naming the family.
    #[schema(example = "3(1)")]
    pub clause: String,
    #[schema(example = "内部不正")]
    pub name: String,
    /// The English name of a built-in threat; empty once renamed, or for one entered here.
    #[schema(example = "Insider wrongdoing")]
    pub name_en: String,
    pub description: String,
    /// `policy`: named in clause 3 of the basic policy; `addition`: added by the assembly
    /// (built in with mamori, or entered by the security officer), not the policy's words.
    #[schema(example = "policy")]
    #[schema(value_type = crate::api::codes::ThreatOrigin)]
    pub origin: String,
    /// A retired threat is offered for no new risk but stays on record.
    pub retired: bool,
    /// RFC 3339, UTC; absent while the threat is in use.
    pub retired_at: Option<String>,
}

impl From<Threat> for ThreatOut {
    fn from(t: Threat) -> ThreatOut {
        ThreatOut {
            id: t.id,
            family: t.family.as_str().to_owned(),
            clause: t.clause_ref,
            name: t.name,
            name_en: t.name_en,
            description: t.description,
            origin: t.origin.as_str().to_owned(),
            retired: t.retired_at.is_some(),
            retired_at: t.retired_at.map(timestamp_text),
        }
    }
}

/// The whole catalogue, by clause; retired threats last within each family.
#[derive(Serialize, ToSchema)]
pub struct ThreatList {
    pub items: Vec<ThreatOut>,
    pub total: u64,
    /// Clause 3's five families as the published basic policy cites and words them.
    pub families: Vec<FamilyOut>,
}

/// A family of clause 3, cited in the published basic policy's numbering.
#[derive(Serialize, ToSchema)]
pub struct FamilyOut {
    #[schema(example = "intentional")]
    #[schema(value_type = crate::api::codes::ThreatFamily)]
    pub family: String,
    /// The clause's reference.
    #[schema(example = "3(1)")]
    pub clause: String,
    /// The citation in the published policy's numbering, in the request's language
    /// (the seed's style while none is published).
    #[schema(example = "基本方針 3(1)")]
    pub citation: String,
    /// The published policy's own words for the clause; absent while none is published
    /// or it has no such clause.
    pub policy_words: Option<String>,
}

/// A new threat.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewThreatIn {
    #[schema(example = "intentional")]
    #[schema(value_type = crate::api::codes::ThreatFamily)]
    pub family: String,
    /// One line, at most 100 characters.
    #[schema(example = "標的型メール")]
    pub name: String,
    /// At most 2000 characters; line breaks allowed.
    #[serde(default)]
    pub description: String,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "標的型メールによるマルウェア感染", "description": "議員宛の添付ファイル付きメール", "retired": false}))]
pub struct ThreatPatch {
    #[schema(value_type = Option<crate::api::codes::ThreatFamily>)]
    pub family: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `true` retires the threat, `false` brings it back.
    pub retired: Option<bool>,
}

/// One level of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixLevelOut {
    /// The position used by `grid` (0 = least serious).
    pub index: usize,
    #[schema(example = "高")]
    pub name: String,
    #[schema(example = "#f3b3b3")]
    pub colour: String,
    /// `acceptable`, `tolerable` or `unacceptable`.
    #[schema(example = "unacceptable")]
    #[schema(value_type = crate::api::codes::RiskBand)]
    pub band: String,
}

/// The risk matrix in use, with its version. Every assessment records the version it
/// was scored with; a new version rescores nothing until the risk is reassessed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskMatrixOut {
    pub id: i64,
    pub version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Likelihood steps, lowest first.
    #[schema(example = json!(["低", "中", "高"]))]
    pub likelihood: Vec<String>,
    /// Impact steps, lowest first.
    #[schema(example = json!(["小", "中", "大"]))]
    pub impact: Vec<String>,
    /// Levels, least serious first.
    pub levels: Vec<MatrixLevelOut>,
    /// `grid[likelihood][impact]` is the index of the level.
    #[schema(example = json!([[0, 0, 1], [0, 1, 2], [1, 2, 2]]))]
    pub grid: Vec<Vec<usize>>,
}

pub fn matrix_out(stored: StoredMatrix) -> RiskMatrixOut {
    RiskMatrixOut {
        id: stored.id,
        version: stored.version,
        created_at: timestamp_text(stored.created_at),
        likelihood: stored.matrix.likelihood,
        impact: stored.matrix.impact,
        levels: stored
            .matrix
            .levels
            .into_iter()
            .enumerate()
            .map(|(index, l)| MatrixLevelOut {
                index,
                name: l.name,
                colour: l.colour,
                band: l.band.as_str().to_owned(),
            })
            .collect(),
        grid: stored.matrix.grid,
    }
}

fn field_label(field: &str) -> &'static str {
    match field {
        "family" => "threat.family_label",
        "description" => "threat.description",
        "retired" => "threat.state",
        _ => "threat.name",
    }
}

const WORDING: FieldWording = FieldWording {
    message: "threat.error.validation",
    line: "threat.error.field_message",
    label: field_label,
};

/// The threat catalogue of clause 3.
#[utoipa::path(get, path = "/api/v1/threats", tag = "risks",
    responses(
        (status = 200, body = ThreatList),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn list_threats(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Json<ThreatList>, AppError> {
    let acting = &signed.0.acting;
    let items: Vec<ThreatOut> = app_threats::list_threats(&state.app, acting)
        .await?
        .into_iter()
        .map(ThreatOut::from)
        .collect();
    let citations = mamori_app::policies::citations(&state.app, Some(acting)).await?;
    let families = ThreatFamily::ALL
        .iter()
        .map(|family| FamilyOut {
            family: family.as_str().to_owned(),
            clause: family.clause().to_owned(),
            citation: citations.cite(family.clause(), ctx.lang()),
            policy_words: citations.text(family.clause()).map(str::to_owned),
        })
        .collect();
    Ok(Json(ThreatList {
        total: u64::try_from(items.len()).unwrap_or(0),
        items,
        families,
    }))
}

/// One threat.
#[utoipa::path(get, path = "/api/v1/threats/{id}", tag = "risks",
    params(("id" = i64, Path, description = "The threat's id")),
    responses(
        (status = 200, body = ThreatOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn get_threat(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ThreatOut>, AppError> {
    let threat = app_threats::threat(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    Ok(Json(ThreatOut::from(threat)))
}

/// Adds a threat to the catalogue (the security officer).
#[utoipa::path(post, path = "/api/v1/threats", tag = "risks", request_body = NewThreatIn,
    responses(
        (status = 201, body = ThreatOut, description = "Created; `Location` names the new threat"),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed` with `fields` (unknown family, empty or long \
                           name, a name the family already has…), or `invalid_json_data`"),
    ))]
pub async fn create_threat(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Threats, Act::Edit, "threats.create")
        .await?;
    let input: NewThreatIn = read_json(request).await?;
    let form = ThreatForm {
        family: input.family,
        name: input.name,
        description: input.description,
    };
    let id = app_threats::create_threat(&state.app, acting, &form)
        .await
        .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    let threat = ThreatOut::from(app_threats::threat(&state.app, acting, id).await?);
    Ok(crate::api::created(
        threat,
        &format!("/api/v1/threats/{id}"),
    ))
}

/// Changes a threat, retires it (`"retired": true`) or brings it back.
#[utoipa::path(patch, path = "/api/v1/threats/{id}", tag = "risks", request_body = ThreatPatch,
    params(("id" = i64, Path, description = "The threat's id")),
    responses(
        (status = 200, body = ThreatOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 415, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody,
            description = "`validation_failed`, or `invalid_json_data` for unknown fields and wrong types"),
    ))]
pub async fn update_threat(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<ThreatOut>, AppError> {
    let acting = &signed.0.acting;
    let before = app_threats::threat_to_edit(&state.app, acting, parse_id(&id)?).await?;
    let patch: ThreatPatch = read_json(request).await?;
    if patch.family.is_some() || patch.name.is_some() || patch.description.is_some() {
        let form = ThreatForm {
            family: patch
                .family
                .unwrap_or_else(|| before.family.as_str().to_owned()),
            name: patch.name.unwrap_or_else(|| before.name.clone()),
            description: patch
                .description
                .unwrap_or_else(|| before.description.clone()),
        };
        app_threats::update_threat(&state.app, acting, before.id, &form)
            .await
            .map_err(|f| AppError::refused(&ctx.tr, f, &WORDING))?;
    }
    if let Some(retired) = patch.retired {
        app_threats::set_retired(&state.app, acting, before.id, retired).await?;
    }
    let threat = app_threats::threat(&state.app, acting, before.id).await?;
    Ok(Json(ThreatOut::from(threat)))
}

async fn set_retired(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    retired: bool,
) -> Result<Json<ThreatOut>, AppError> {
    let acting = &signed.0.acting;
    let id = parse_id(id)?;
    app_threats::set_retired(&state.app, acting, id, retired).await?;
    Ok(Json(ThreatOut::from(
        app_threats::threat(&state.app, acting, id).await?,
    )))
}

/// Retires a threat: it stays in the catalogue and in every risk naming it. Retiring a
/// retired threat changes nothing.
#[utoipa::path(post, path = "/api/v1/threats/{id}/retire", tag = "risks",
    params(("id" = i64, Path, description = "The threat's id")),
    responses(
        (status = 200, body = ThreatOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn retire_threat(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ThreatOut>, AppError> {
    set_retired(&state, &signed, &id, true).await
}

/// Brings a retired threat back into use.
#[utoipa::path(post, path = "/api/v1/threats/{id}/restore", tag = "risks",
    params(("id" = i64, Path, description = "The threat's id")),
    responses(
        (status = 200, body = ThreatOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
    ))]
pub async fn restore_threat(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<ThreatOut>, AppError> {
    set_retired(&state, &signed, &id, false).await
}

/// The risk matrix in use, with its version.
#[utoipa::path(get, path = "/api/v1/risk-matrix", tag = "risks",
    responses(
        (status = 200, body = RiskMatrixOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
    ))]
pub async fn get_risk_matrix(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<RiskMatrixOut>, AppError> {
    let active = matrices::active_matrix(&state.app, &signed.0.acting, "risk_matrix.view").await?;
    Ok(Json(matrix_out(active)))
}

/// A new version of the risk matrix: the scales lowest first, the levels least serious
/// first, and the level of every cell (`grid[likelihood][impact]`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskMatrixIn {
    #[schema(example = json!(["低", "中", "高"]))]
    pub likelihood: Vec<String>,
    #[schema(example = json!(["小", "中", "大"]))]
    pub impact: Vec<String>,
    pub levels: Vec<MatrixLevelIn>,
    #[schema(example = json!([[0, 0, 1], [0, 1, 2], [1, 2, 2]]))]
    pub grid: Vec<Vec<usize>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixLevelIn {
    #[schema(example = "高")]
    pub name: String,
    #[schema(example = "#f3b3b3")]
    pub colour: String,
    /// `acceptable`, `tolerable` or `unacceptable`, in that order up the levels.
    #[schema(example = "unacceptable")]
    #[schema(value_type = crate::api::codes::RiskBand)]
    pub band: String,
}

impl RiskMatrixIn {
    /// The matrix as the domain checks it; an unknown band is refused here.
    fn matrix(self) -> Result<mamori_domain::risk::Matrix, mamori_app::Failure> {
        let mut levels = Vec::new();
        for level in self.levels {
            let Some(band) = mamori_domain::risk::Band::parse(level.band.trim()) else {
                return Err(mamori_app::Failure::invalid(
                    mamori_domain::field::FieldProblem::new("matrix", "risk.error.band"),
                ));
            };
            levels.push(mamori_domain::risk::RiskLevel {
                name: level.name,
                colour: level.colour.trim().to_ascii_lowercase(),
                band,
            });
        }
        Ok(mamori_domain::risk::Matrix {
            likelihood: self.likelihood,
            impact: self.impact,
            levels,
            grid: self.grid,
        })
    }
}

/// Makes a new version of the matrix the active one (the security officer). Risks
/// scored with an earlier version keep it until reassessed. The same matrix as the
/// active one writes nothing and answers 200 with it.
#[utoipa::path(put, path = "/api/v1/risk-matrix", tag = "risks", request_body = RiskMatrixIn,
    responses(
        (status = 200, body = RiskMatrixOut, description = "Unchanged"),
        (status = 201, body = RiskMatrixOut, description = "A new version, now active"),
        (status = 400, body = crate::api::ErrorBody),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn put_risk_matrix(
    State(state): State<AppState>,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Risks, Act::Edit, "risk_matrix.edit")
        .await?;
    let input: RiskMatrixIn = read_json(request).await?;
    let matrix = input.matrix()?;
    let saved = matrices::save_matrix(&state.app, acting, matrix).await?;
    let active = matrices::active_matrix(&state.app, acting, "risk_matrix.view").await?;
    let status = match saved {
        matrices::MatrixSaved::Unchanged => StatusCode::OK,
        matrices::MatrixSaved::Version { .. } => StatusCode::CREATED,
    };
    Ok((status, Json(matrix_out(active))).into_response())
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_threats,
        get_threat,
        create_threat,
        update_threat,
        retire_threat,
        restore_threat,
        get_risk_matrix,
        put_risk_matrix
    ),
    components(schemas(
        ThreatOut,
        ThreatList,
        FamilyOut,
        NewThreatIn,
        ThreatPatch,
        MatrixLevelOut,
        RiskMatrixOut,
        RiskMatrixIn,
        MatrixLevelIn
    ))
)]
pub struct Doc;
