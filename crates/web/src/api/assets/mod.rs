//! The asset register over the API, on the same use cases as the pages
//! (`mamori_app::assets`): list, read, register, update, reclassify with a reason,
//! lifecycle records and their decisions.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_app::Failure;
use mamori_app::assets::{AssetInput, AssetRecord, EventInput, EventRecord};
use mamori_domain::asset::RetentionReading;
use mamori_domain::classification::Scheme;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery, json_error, json_field_error};
use crate::http::forms::parse_id;
use crate::http::params::assets::ListParams;
use crate::state::AppState;
use mamori_app::assets::field_key;

mod events;
pub use events::*;

/// An information asset. Levels are given by their codes in the active scheme.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `infrastructure` (ア), `information` (イ) or `system_document` (ウ).
    #[schema(value_type = crate::api::codes::AssetCategory)]
    pub category: String,
    /// `electronic`, `paper` or `both`.
    #[schema(value_type = crate::api::codes::AssetForm)]
    pub form: String,
    /// `member` or `secretariat`.
    #[schema(value_type = crate::api::codes::AssetHolderType)]
    pub holder_type: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    #[schema(value_type = Option<crate::api::codes::OrgRole>)]
    pub managing_role: Option<String>,
    pub location: String,
    /// `core`, `lgwan`, `internet` or `none`.
    #[schema(value_type = crate::api::codes::AssetSegment)]
    pub segment: String,
    #[schema(example = "2")]
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    /// The retention period (保存期間) exactly as written: "5年", "契約終了後5年",
    /// "令和13年3月31日まで", or any other text.
    pub retention: Option<String>,
    /// What mamori read the retention period as; absent when the text is not a
    /// recognised form (it is kept as written all the same).
    pub retention_reading: Option<RetentionReadingOut>,
    /// ISO 8601 date.
    pub disposal_due: Option<String>,
    /// `in_use`, `archived` or `disposed`.
    #[schema(value_type = crate::api::codes::AssetStatus)]
    pub status: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub clauses: Vec<String>,
    /// 個人情報の有無: opening such an asset is recorded (`/api/v1/audit/views`).
    pub holds_personal_info: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A recognised retention period.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionReadingOut {
    /// `permanent`, `constant`, `years`, `under_one_year`, `term_of_office`,
    /// `loan_period`, `contract_period`, `until_contract_end`, `years_after_contract`,
    /// `until_renewal`, `until_disposal`, `as_needed` or `until`.
    #[schema(example = "years")]
    #[schema(value_type = crate::api::codes::RetentionKind)]
    pub kind: String,
    /// For `years` and `years_after_contract`.
    pub years: Option<u8>,
    /// For `until`: ISO 8601 date.
    pub until: Option<String>,
}

impl From<RetentionReading> for RetentionReadingOut {
    fn from(reading: RetentionReading) -> RetentionReadingOut {
        RetentionReadingOut {
            kind: reading.kind().to_owned(),
            years: reading.years(),
            until: reading.date().map(mamori_app::date_text),
        }
    }
}

fn code(scheme: &Scheme, id: i64) -> String {
    scheme.level(id).map(|l| l.code.clone()).unwrap_or_default()
}

fn out(scheme: &Scheme, a: AssetRecord) -> AssetOut {
    AssetOut {
        id: a.id,
        category: a.category.as_str().to_owned(),
        form: a.form.as_str().to_owned(),
        holder_type: a.holder_type.as_str().to_owned(),
        managing_role: a.managing_role.map(|r| r.as_str().to_owned()),
        segment: a.segment.as_str().to_owned(),
        confidentiality: code(scheme, a.confidentiality_id),
        integrity: code(scheme, a.integrity_id),
        availability: code(scheme, a.availability_id),
        retention_reading: a
            .retention
            .as_ref()
            .and_then(|r| r.reading)
            .map(RetentionReadingOut::from),
        retention: a.retention.map(|r| r.text),
        status: a.status.as_str().to_owned(),
        name: a.name,
        description: a.description,
        holder_id: a.holder_id,
        holder_name: a.holder_name,
        location: a.location,
        disposal_due: a.disposal_due.map(mamori_app::date_text),
        notes: a.notes,
        tags: a.tags,
        clauses: a.clauses,
        holds_personal_info: a.holds_personal_info,
        created_at: mamori_app::timestamp_text(a.created_at),
        updated_at: mamori_app::timestamp_text(a.updated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssetPage {
    pub items: Vec<AssetOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists the assets the caller may see, filtered, searched and paged. Assets at the
/// highest confidentiality level appear only for their holder, the security officer
/// and the auditor.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(ListParams),
    responses((status = 200, body = AssetPage), (status = 400, body = crate::api::ErrorBody)))]
pub async fn list_assets(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<AssetPage>, AppError> {
    let acting = &signed.0.acting;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let (request, page) = params.request(&scheme)?;
    let found = mamori_app::assets::list(&state.app, acting, &request).await?;
    Ok(Json(AssetPage {
        items: found.assets.into_iter().map(|a| out(&scheme, a)).collect(),
        total: found.total.max(0) as u64,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One asset (404 also for one the caller may not know of).
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path)),
    responses((status = 200, body = AssetOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn get_asset(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AssetOut>, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let asset = mamori_app::assets::open(&state.app, acting, id, "api").await?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    Ok(Json(out(&scheme, asset)))
}

/// A new asset: every field as text, as on the form. Values may be codes
/// (`information`) or the words registers use (`イ`); levels by code or name.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetIn {
    #[schema(example = "本会議会議録（令和7年）")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[schema(example = "information")]
    pub category: String,
    #[schema(example = "both")]
    pub form: String,
    #[schema(example = "secretariat")]
    pub holder_type: String,
    /// A user's id, login id or full name.
    #[serde(default)]
    pub holder: String,
    #[serde(default)]
    pub managing_role: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub segment: String,
    #[schema(example = "2")]
    pub confidentiality: String,
    #[schema(example = "2")]
    pub integrity: String,
    #[schema(example = "1")]
    pub availability: String,
    /// The retention period (保存期間) as your register writes it, kept exactly as
    /// written: "永年", "5年", "契約終了後5年", "更新まで", "令和13年3月31日まで" … Text
    /// that is not a recognised form is kept too (`retention_reading` is then null).
    #[serde(default)]
    #[schema(example = "契約終了後5年")]
    pub retention: String,
    #[serde(default)]
    pub disposal_due: String,
    #[serde(default)]
    pub status: String,
    /// Comma separated.
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub notes: String,
    /// Clause references, comma separated: "6(2), 2(3)".
    #[serde(default)]
    pub clauses: String,
    /// 個人情報の有無: `yes` or `no` (or あり・なし); empty is no.
    #[serde(default)]
    pub personal_info: String,
    /// Clause 2(3): set to the kind (`gazette`, `white_paper`, `newspaper`, `magazine`,
    /// `book`) for a publicly sold publication, which is refused; empty or `no` otherwise.
    #[serde(default)]
    pub publication: String,
    /// Keep a `disposal_due` already past on an asset in use; without it such a date is
    /// answered with 422 `confirmation_needed`, naming the field.
    #[serde(default)]
    pub confirm_past_dates: bool,
}

impl From<AssetIn> for AssetInput {
    fn from(i: AssetIn) -> AssetInput {
        AssetInput {
            name: i.name,
            description: i.description,
            category: i.category,
            form: i.form,
            holder_type: i.holder_type,
            holder: i.holder,
            managing_role: i.managing_role,
            location: i.location,
            segment: i.segment,
            confidentiality: i.confidentiality,
            integrity: i.integrity,
            availability: i.availability,
            retention: i.retention,
            disposal_due: i.disposal_due,
            status: i.status,
            tags: i.tags,
            notes: i.notes,
            clauses: i.clauses,
            personal_info: i.personal_info,
            publication: i.publication,
        }
    }
}

/// Registers an asset. 422 `validation_failed` names every refused field.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = AssetIn,
    responses((status = 201, body = AssetOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn create_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    permit_edit(&state, &signed, "assets.create").await?;
    let ApiJson(input) =
        <ApiJson<AssetIn> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let confirmed = input.confirm_past_dates;
    let input = AssetInput::from(input);
    let asset = mamori_app::assets::register_with(&state.app, acting, &input, confirmed)
        .await
        .map_err(|f| invalid(f, &ctx))?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let id = asset.id;
    Ok(crate::api::created(
        out(&scheme, asset),
        &format!("/api/v1/assets/{id}"),
    ))
}

async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    use mamori_domain::access::{Act, Register};
    state
        .app
        .permit(&signed.0.acting, Register::Assets, Act::Edit, what)
        .await?;
    Ok(())
}

/// A refused input as the API's 422 `validation_failed`: the message names every field
/// in the caller's language, and `fields` lists them.
fn invalid(failure: Failure, ctx: &Ctx) -> AppError {
    let Failure::Invalid(problems) = failure else {
        return failure.into();
    };
    let tr = ctx.tr;
    let detail = problems
        .iter()
        .map(|p| {
            let label = tr.t(field_key(p.field)).to_owned();
            tr.f(
                "form.summary_item",
                &[("label", label), ("message", tr.f(p.key, &p.params))],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    AppError {
        fields: problems,
        ..AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "asset.error.validation",
        )
        .with("detail", detail)
    }
}

/// A change to an asset: only the fields given change (as text, as on the form); a
/// change of classification needs `reason`; a changed `disposal_due` already past on an
/// asset in use needs `"confirm_past_dates": true`.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[schema(example = json!({"location": "議会事務局 書庫B", "confidentiality": "3", "reason": "個人情報を含むことが分かったため"}))]
pub struct AssetPatch {
    /// Any field of [`AssetIn`], e.g. `{"location": "書庫B"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

fn field_names() -> Vec<String> {
    match serde_json::to_value(AssetInput::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Updates an asset (the same use case as the edit form).
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path)), request_body = AssetPatch,
    responses((status = 200, body = AssetOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn update_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<AssetOut>, AppError> {
    permit_edit(&state, &signed, "assets.update").await?;
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let before = mamori_app::assets::get(&state.app, acting, id).await?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let ApiJson(patch) =
        <ApiJson<AssetPatch> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    let mut fields = patch.fields;
    let reason = match fields.remove("reason") {
        None => String::new(),
        Some(serde_json::Value::String(r)) => r,
        Some(_) => {
            return Err(json_field_error(
                "reason".into(),
                "error.json.not_text",
                vec![],
            ));
        }
    };
    let confirm_past_dates = match fields.remove("confirm_past_dates") {
        None => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(_) => {
            return Err(json_field_error(
                "confirm_past_dates".into(),
                "error.json.not_boolean",
                vec![],
            ));
        }
    };
    let known = field_names();
    let mut input = serde_json::to_value(mamori_app::assets::input_of(&before, &scheme))
        .map_err(|_| AppError::internal())?;
    for (name, value) in fields {
        if !known.contains(&name) {
            return Err(json_field_error(name, "error.json.unknown_field", vec![]));
        }
        if !value.is_string() {
            return Err(json_field_error(name, "error.json.not_text", vec![]));
        }
        input[name.as_str()] = value;
    }
    let input: AssetInput = serde_json::from_value(input).map_err(|e| json_error("", &e))?;
    let change = mamori_app::assets::AssetChange {
        input,
        reason,
        confirm_past_dates,
    };
    let asset = mamori_app::assets::update(&state.app, acting, id, &change)
        .await
        .map_err(|f| invalid(f, &ctx))?;
    Ok(Json(out(&scheme, asset)))
}

/// A new classification, by level codes of the active scheme, and why it changed.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationIn {
    #[schema(example = "3C")]
    pub confidentiality: String,
    #[schema(example = "2")]
    pub integrity: String,
    #[schema(example = "1")]
    pub availability: String,
    /// Required: kept in the asset's classification history.
    #[schema(example = "個人の口座情報を含むため")]
    pub reason: String,
}

/// Reclassifies an asset; the reason is required and kept in its history.
#[utoipa::path(post, path = "/api/v1/assets/{id}/classification", tag = "assets",
    params(("id" = i64, Path)), request_body = ClassificationIn,
    responses((status = 200, body = AssetOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody)))]
pub async fn reclassify_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<AssetOut>, AppError> {
    permit_edit(&state, &signed, "assets.update").await?;
    let id = parse_id(&id)?;
    let ApiJson(body) =
        <ApiJson<ClassificationIn> as axum::extract::FromRequest<AppState>>::from_request(
            request, &state,
        )
        .await?;
    let acting = &signed.0.acting;
    let request = mamori_app::assets::Reclassify {
        confidentiality: body.confidentiality,
        integrity: body.integrity,
        availability: body.availability,
        reason: body.reason,
    };
    let asset = mamori_app::assets::reclassify(&state.app, acting, id, &request)
        .await
        .map_err(|f| invalid(f, &ctx))?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    Ok(Json(out(&scheme, asset)))
}

/// The register as an .xlsx file, with the list's filters (the same use case and file as
/// the list page's export); never more than the caller may see, and in the audit trail
/// before the first byte leaves. Headers and words follow `Accept-Language`.
#[utoipa::path(get, path = "/api/v1/assets/export.xlsx", tag = "assets", params(ListParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    use mamori_app::assets::files::Format;
    crate::http::params::assets::export(&state, ctx, &signed, raw.as_deref(), Format::Xlsx).await
}

/// The register as CSV (UTF-8 with BOM, for Excel), with the list's filters.
#[utoipa::path(get, path = "/api/v1/assets/export.csv", tag = "assets", params(ListParams),
    responses((status = 200, content_type = "text/csv"),
        (status = 400, body = crate::api::ErrorBody), (status = 403, body = crate::api::ErrorBody)))]
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    use mamori_app::assets::files::Format;
    crate::http::params::assets::export(&state, ctx, &signed, raw.as_deref(), Format::Csv).await
}

/// The retention period to read, and when the keeping starts.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ProposalParams {
    /// The retention period as written, e.g. `5年`, `契約終了後5年`, `令和13年3月31日まで`.
    #[serde(default)]
    pub text: String,
    /// When the keeping starts (ISO 8601 or 和暦); today (in Japan) when left out. N年
    /// counts from 1 April of the fiscal year after the one this date falls in.
    #[serde(default)]
    pub start: Option<String>,
}

/// Why no disposal date is proposed.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoProposalOut {
    /// `blank`, `not_recognised`, `kept_without_end`, `ends_with_event` or
    /// `when_no_longer_needed`.
    #[schema(value_type = crate::api::codes::NoDisposalProposal)]
    pub code: String,
    /// The reason in the caller's language.
    pub message: String,
}

/// A retention period read, and the disposal date it gives.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    /// The text as it would be stored (trimmed); null when blank.
    pub text: Option<String>,
    pub reading: Option<RetentionReadingOut>,
    /// ISO 8601.
    pub start: String,
    /// ISO 8601; null when the period gives no date (see `no_proposal`).
    pub proposed_disposal: Option<String>,
    pub no_proposal: Option<NoProposalOut>,
}

/// Reads a retention period (保存期間) as the form and the import do, and proposes the
/// disposal date it gives. Nothing is stored: an asset's `disposal_due` is set only
/// by creating or changing the asset.
#[utoipa::path(get, path = "/api/v1/assets/retention-proposal", tag = "assets",
    params(ProposalParams),
    responses((status = 200, body = ProposalOut), (status = 422, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn retention_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ProposalParams>,
) -> Result<Json<ProposalOut>, AppError> {
    use mamori_app::assets::retention::{Start, propose_disposal};
    let start = match params
        .start
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Start::Today(mamori_app::today()),
        Some(text) => Start::Given(mamori_domain::wareki::parse_date_input(text).map_err(|e| {
            Failure::Invalid(vec![mamori_domain::field::FieldProblem {
                field: "start",
                key: e.message_key(),
                params: e.params(),
            }])
        })?),
    };
    let proposal = propose_disposal(&state.app, &signed.0.acting, &params.text, start).await?;
    let text = proposal.retention.as_ref().map(|r| r.text.clone());
    let (proposed_disposal, no_proposal) = match proposal.disposal {
        Ok(date) => (Some(mamori_app::date_text(date)), None),
        Err(gap) => {
            let message = ctx.tr.f(
                gap.message_key(),
                &[("text", text.clone().unwrap_or_default())],
            );
            let code = gap.code().to_owned();
            (None, Some(NoProposalOut { code, message }))
        }
    };
    Ok(Json(ProposalOut {
        reading: proposal
            .retention
            .and_then(|r| r.reading)
            .map(RetentionReadingOut::from),
        text,
        start: mamori_app::date_text(proposal.start.date()),
        proposed_disposal,
        no_proposal,
    }))
}

/// The import template as .xlsx: the export's columns with one example row, drop-down
/// lists of the coded words and of the active scheme's levels, and a sheet explaining
/// every column. Language from `Accept-Language`. Importing it untouched is refused
/// with `asset.import.error.template_only`.
#[utoipa::path(get, path = "/api/v1/assets/import/template.xlsx", tag = "assets",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn import_template_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    use mamori_app::assets::files::Format;
    crate::http::params::assets::template_file(&state, &ctx, &signed, Format::Xlsx).await
}

/// The import template as CSV (UTF-8 with BOM): the headers and the example row only,
/// since a CSV file holds neither drop-down lists nor a second sheet.
#[utoipa::path(get, path = "/api/v1/assets/import/template.csv", tag = "assets",
    responses((status = 200, content_type = "text/csv"),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn import_template_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    use mamori_app::assets::files::Format;
    crate::http::params::assets::template_file(&state, &ctx, &signed, Format::Csv).await
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_assets,
        get_asset,
        create_asset,
        update_asset,
        reclassify_asset,
        list_events,
        record_event,
        decide_event,
        export_xlsx,
        export_csv,
        import_template_xlsx,
        import_template_csv,
        retention_proposal
    ),
    components(schemas(
        AssetOut,
        RetentionReadingOut,
        ProposalOut,
        NoProposalOut,
        AssetPage,
        AssetIn,
        AssetPatch,
        ClassificationIn,
        EventOut,
        EventIn,
        DecisionIn
    ))
)]
pub struct Doc;
