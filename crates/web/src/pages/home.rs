//! The home page: the organisation and where its installation stands.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::context::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    layout: Layout,
    setup_done: bool,
    backend: &'static str,
    schema_version: i64,
    active_users: i64,
    last_backup: Option<String>,
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let layout = Layout::load(&state, "home", "/").await;
    let setup_done = mamori_store::users::active_admin_exists(&state.store).await?;
    let last_backup =
        crate::backups::latest_daily(&state.config.data_dir).map(|at| ctx.datetime(at));
    let page = HomePage {
        t: ctx.tr,
        layout,
        setup_done,
        backend: state.store.backend().name(),
        schema_version: state.store.schema_version().await?,
        active_users: mamori_store::users::count(&state.store).await?,
        last_backup,
    };
    render(StatusCode::OK, &page)
}
