//! The person's own starting points over the API: what waits for them (the navigation's
//! count, part by part) and the getting-started checklist, closed or reopened. The same
//! use cases as the home page (`mamori_app::home`).

use axum::Json;
use axum::extract::State;
use mamori_app::home::{self, Checklist, WaitingCount};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        my_waiting,
        get_getting_started,
        dismiss_getting_started,
        reopen_getting_started
    ),
    components(schemas(WaitingOut, ChecklistOut, StepOut))
)]
pub struct Doc;

/// What waits for the caller, part by part, and in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingOut {
    /// Approval requests (決裁) the caller may decide now.
    pub approvals: i64,
    /// Their overdue corrective and treatment actions.
    pub actions: i64,
    pub unread_notices: i64,
    /// Published policy versions they have yet to acknowledge.
    pub acknowledgements: i64,
    pub total: i64,
}

impl From<WaitingCount> for WaitingOut {
    fn from(count: WaitingCount) -> Self {
        WaitingOut {
            approvals: count.approvals,
            actions: count.actions,
            unread_notices: count.unread_notices,
            acknowledgements: count.acknowledgements,
            total: count.total(),
        }
    }
}

/// What waits for the caller: the count the navigation shows.
#[utoipa::path(get, path = "/api/v1/me/waiting", tag = "home",
    responses((status = 200, body = WaitingOut), (status = 401, body = crate::api::ErrorBody)))]
pub async fn my_waiting(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<WaitingOut>, AppError> {
    let count = home::waiting_count(&state.app, &signed.0.acting, mamori_app::today()).await?;
    Ok(Json(count.into()))
}

/// One step of the checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    /// `settings`, `people`, `basic_policy`, `assets`, `classification` or `risks`.
    #[schema(value_type = crate::api::codes::GettingStartedStep)]
    pub step: String,
    /// The page where it is done.
    pub link: String,
    pub done: bool,
}

/// The getting-started checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistOut {
    pub steps: Vec<StepOut>,
    pub all_done: bool,
    /// Closed for the installation (the home page no longer shows it).
    pub dismissed: bool,
}

impl From<Checklist> for ChecklistOut {
    fn from(list: Checklist) -> Self {
        ChecklistOut {
            all_done: list.all_done(),
            dismissed: list.dismissed,
            steps: list
                .steps
                .into_iter()
                .map(|(step, done)| StepOut {
                    step: step.code().to_owned(),
                    link: step.path().to_owned(),
                    done,
                })
                .collect(),
        }
    }
}

/// The checklist for administrators and the security officer, each step ticked from the
/// data; 403 for anyone else.
#[utoipa::path(get, path = "/api/v1/getting-started", tag = "home",
    responses((status = 200, body = ChecklistOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn get_getting_started(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ChecklistOut>, AppError> {
    let list = home::getting_started(&state.app, &signed.0.acting).await?;
    Ok(Json(list.into()))
}

/// Closes the checklist for the installation (recorded in the audit trail).
#[utoipa::path(post, path = "/api/v1/getting-started/dismiss", tag = "home",
    responses((status = 200, body = ChecklistOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn dismiss_getting_started(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ChecklistOut>, AppError> {
    let list = home::set_getting_started_dismissed(&state.app, &signed.0.acting, true).await?;
    Ok(Json(list.into()))
}

/// Shows the checklist again on the home page.
#[utoipa::path(post, path = "/api/v1/getting-started/reopen", tag = "home",
    responses((status = 200, body = ChecklistOut), (status = 401, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody)))]
pub async fn reopen_getting_started(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<ChecklistOut>, AppError> {
    let list = home::set_getting_started_dismissed(&state.app, &signed.0.acting, false).await?;
    Ok(Json(list.into()))
}
