//! Emergency response plans (緊急時対応計画, issue 18 item 6) over the API: the scenarios
//! of a version with whom to call resolved from the contact tree, rewriting a scenario of
//! a draft, and the published plan as one self-contained HTML file. The plan's text is
//! imported, approved and published through the policy routes (kind `response_plan`).
//! Shells over `mamori_app::policies`, like the plan pages.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::organisation::ContactList;
use mamori_app::policies::{self, PlanView, StoredScenario};
use mamori_domain::response_plan::ScenarioInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::read_json;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// One holder of a post to call, with their numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolderOut {
    pub user_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub extension: Option<String>,
    pub mobile: Option<String>,
    pub deputy_id: Option<i64>,
}

/// A post to call and its holders today (none: vacant).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallOut {
    pub post_id: i64,
    /// The post's built-in role, when it is one.
    #[schema(value_type = Option<crate::api::codes::OrgRole>)]
    pub role: Option<String>,
    /// The assembly's own name of a post it added.
    pub name: Option<String>,
    pub holders: Vec<HolderOut>,
}

/// One scenario of a plan version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioOut {
    pub id: i64,
    pub position: i64,
    #[schema(value_type = crate::api::codes::ResponsePlanFamily)]
    pub family: String,
    pub title: String,
    /// First actions, a checklist in order.
    pub actions: Vec<String>,
    /// Whom to call, in the contact tree's calling order, resolved today.
    pub calls: Vec<CallOut>,
    /// What to report where: to whom, by when.
    pub reports: Vec<String>,
}

/// A plan version with its scenarios.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    pub document_id: i64,
    pub version_id: i64,
    #[schema(value_type = crate::api::codes::PolicyVersionStatus)]
    pub status: String,
    /// The scenarios may be rewritten (a draft, and the caller edits policies).
    pub editable: bool,
    pub scenarios: Vec<ScenarioOut>,
}

fn scenario_out(plan: &PlanView, s: &StoredScenario, contacts: &ContactList) -> ScenarioOut {
    ScenarioOut {
        id: s.id,
        position: s.position,
        family: s.scenario.family.as_str().to_owned(),
        title: s.scenario.title.clone(),
        actions: s.scenario.actions.clone(),
        calls: plan
            .calls(&s.scenario, contacts)
            .into_iter()
            .map(|c| CallOut {
                post_id: c.post.id,
                role: c.post.role.map(|r| r.as_str().to_owned()),
                name: c.post.name.clone(),
                holders: c
                    .holders
                    .iter()
                    .map(|l| HolderOut {
                        user_id: l.holder.id,
                        name: l.holder.name.clone(),
                        phone: l.holder.contact.phone.clone(),
                        extension: l.holder.contact.extension.clone(),
                        mobile: l.holder.contact.mobile.clone(),
                        deputy_id: l.deputy.as_ref().map(|d| d.id),
                    })
                    .collect(),
            })
            .collect(),
        reports: s.scenario.reports.clone(),
    }
}

/// The scenarios of a version of an emergency response plan, whom to call resolved from
/// the contact tree today.
#[utoipa::path(get, path = "/api/v1/policies/{id}/versions/{vid}/scenarios", tag = "policies",
    params(
        ("id" = i64, Path, description = "The plan document's id"),
        ("vid" = i64, Path, description = "The version's id"),
    ),
    responses(
        (status = 200, body = PlanOut),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody, description = "`not_a_response_plan`"),
    ))]
pub async fn get_scenarios(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid)): Path<(String, String)>,
) -> Result<Json<PlanOut>, AppError> {
    let acting = &signed.0.acting;
    policies::plan_read_gate(&state.app, acting).await?;
    let (id, vid) = (parse_id(&id)?, parse_id(&vid)?);
    let today = mamori_app::today();
    let (plan, contacts) = policies::plan_print(&state.app, acting, id, vid, today).await?;
    Ok(Json(PlanOut {
        document_id: id,
        version_id: vid,
        status: plan.version.status.as_str().to_owned(),
        editable: plan.may_edit,
        scenarios: plan
            .scenarios
            .iter()
            .map(|s| scenario_out(&plan, s, &contacts))
            .collect(),
    }))
}

/// A scenario as rewritten. Blank lines are left out; posts are called in the contact
/// tree's order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "family": "disaster",
    "title": "地震・火災・風水害などの災害",
    "actions": ["まず身の安全を確保する", "安否を所定の方法で報告する"],
    "calls": [2, 1],
    "reports": ["統括情報セキュリティ責任者へ：安否と被害状況を判明しだい"]
}))]
pub struct ScenarioIn {
    #[schema(value_type = crate::api::codes::ResponsePlanFamily)]
    pub family: String,
    /// At most 100 characters.
    pub title: String,
    /// At least one line; at most 25 lines of 200 characters.
    pub actions: Vec<String>,
    /// Post ids (`/api/v1/organisation`), at most 15.
    #[serde(default)]
    pub calls: Vec<i64>,
    /// At most 10 lines of 200 characters.
    #[serde(default)]
    pub reports: Vec<String>,
}

/// Rewrites a scenario of a draft plan version. A version approved or published is not
/// edited: a new version is imported, and starts with these scenarios.
#[utoipa::path(put, path = "/api/v1/policies/{id}/versions/{vid}/scenarios/{sid}", tag = "policies",
    params(
        ("id" = i64, Path, description = "The plan document's id"),
        ("vid" = i64, Path, description = "The version's id"),
        ("sid" = i64, Path, description = "The scenario's id"),
    ),
    request_body = ScenarioIn,
    responses(
        (status = 200, body = ScenarioOut),
        (status = 400, body = crate::api::ErrorBody, description = "Malformed JSON"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`not_a_response_plan` or `not_draft`"),
        (status = 422, body = crate::api::ErrorBody, description = "`validation_failed`"),
    ))]
pub async fn put_scenario(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, vid, sid)): Path<(String, String, String)>,
    request: Request,
) -> Result<Json<ScenarioOut>, AppError> {
    let acting = &signed.0.acting;
    policies::plan_edit_gate(&state.app, acting).await?;
    let (id, vid, sid) = (parse_id(&id)?, parse_id(&vid)?, parse_id(&sid)?);
    let body: ScenarioIn = read_json(request).await?;
    let input = ScenarioInput {
        family: body.family,
        title: body.title,
        actions: body.actions,
        calls: body.calls,
        reports: body.reports,
    };
    let stored = policies::edit_scenario(&state.app, acting, id, vid, sid, &input).await?;
    let today = mamori_app::today();
    let (plan, contacts) = policies::plan_print(&state.app, acting, id, vid, today).await?;
    Ok(Json(scenario_out(&plan, &stored, &contacts)))
}

/// The published plan as one self-contained HTML file (styles inline, no scripts, no
/// links but to its own sections and `tel:`), for use with no network; the same file as
/// the plan page's download.
#[utoipa::path(get, path = "/api/v1/policies/{id}/plan/download", tag = "policies",
    params(("id" = i64, Path, description = "The plan document's id")),
    responses(
        (status = 200, content_type = "text/html", description = "The file, as an attachment"),
        (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, body = crate::api::ErrorBody,
            description = "`not_a_response_plan` or `not_published`"),
    ))]
pub async fn get_plan_file(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::http::response_plan::plan_file(&state, ctx, &signed, &id).await
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_scenarios, put_scenario, get_plan_file),
    components(schemas(HolderOut, CallOut, ScenarioOut, PlanOut, ScenarioIn))
)]
pub struct Doc;
