//! The home page: the organisation and where its installation stands.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::MaybeSignedIn;
use crate::context::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::{Layout, render, see_other};
use crate::state::AppState;
use mamori_store::sessions::Stage;

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
    /// Published policies this user has yet to acknowledge: (title, link).
    pending_acknowledgements: Vec<(String, String)>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    let setup_done = mamori_store::users::active_admin_exists(&state.store).await?;
    let signed_in = principal
        .as_ref()
        .filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active));
    // Before setup the page explains what to do; after it, only signed-in users see status.
    if setup_done && signed_in.is_none() {
        let pending = principal
            .as_ref()
            .and_then(|p| p.session.as_ref())
            .map(|s| s.stage);
        return Ok(see_other(&match pending {
            Some(stage) => crate::pages::login::stage_home(stage, "/"),
            None => "/login".to_owned(),
        }));
    }
    let layout = Layout::load(&state, "home", "/", signed_in).await;
    let last_backup =
        crate::backups::latest_daily(&state.config.data_dir).map(|at| ctx.datetime(at));
    let pending_acknowledgements = match signed_in {
        Some(p) => mamori_store::policies::pending_for_user(&state.store, p.user.id)
            .await?
            .into_iter()
            .map(|(document, version)| {
                (
                    version.title,
                    format!("/policies/{}/versions/{}", document.id, version.id),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let page = HomePage {
        pending_acknowledgements,
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
