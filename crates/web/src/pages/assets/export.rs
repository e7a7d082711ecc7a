//! `GET /assets/export.xlsx` and `GET /assets/export.csv`: the register as a file, with
//! the list page's filters and never more than the reader may see. The export is in the
//! audit trail before the first byte leaves.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use mamori_app::assets::files::Format;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::params::assets::export;
use crate::state::AppState;

pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Xlsx).await
}

pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    export(&state, ctx, &signed, raw.as_deref(), Format::Csv).await
}
