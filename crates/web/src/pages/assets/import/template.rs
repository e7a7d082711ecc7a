//! `GET /assets/import/template.xlsx` and `.csv`: a blank register to fill in, in the
//! page's language, with the levels of the scheme in use (`mamori_app` builds it).

use axum::extract::State;
use axum::response::Response;
use mamori_app::assets::files::Format;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::params::assets::template_file;
use crate::state::AppState;

pub async fn template_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    template_file(&state, &ctx, &signed, Format::Xlsx).await
}

pub async fn template_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    template_file(&state, &ctx, &signed, Format::Csv).await
}
