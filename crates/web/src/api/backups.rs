//! The state of backups for administrators: the last daily backup, copy to the second
//! location and restore drill, which are overdue, and failures since. The same use case
//! as the administrator's home page (`mamori_app::backups::status`).

use axum::Json;
use axum::extract::State;
use mamori_app::backups::{BackupStatus, Run, RunKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(paths(status), components(schemas(BackupStatusOut, RunOut, KindOut)))]
pub struct Doc;

#[derive(Debug, Serialize, ToSchema)]
pub struct RunOut {
    /// When it ran (RFC 3339, UTC).
    pub at: String,
    pub ok: bool,
    /// The backup file, or the copy written.
    pub file: String,
    /// The copy's SHA-256, the drill's findings, or what went wrong.
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindOut {
    pub last_success: Option<RunOut>,
    /// The last attempt, when it failed after the last success.
    pub failed_since: Option<RunOut>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupStatusOut {
    pub backup: KindOut,
    /// Copies to the second location; never overdue when none is set.
    pub copy: KindOut,
    pub copy_configured: bool,
    pub drill: KindOut,
    /// Days after which a restore drill is due again.
    pub drill_every_days: i64,
}

fn run_out(run: &Run) -> RunOut {
    RunOut {
        at: mamori_app::timestamp_text(run.at),
        ok: run.ok,
        file: run.file.clone(),
        detail: run.detail.clone(),
    }
}

fn kind_out(status: &BackupStatus, kind: RunKind, overdue: bool) -> KindOut {
    KindOut {
        last_success: status.latest.succeeded(kind).map(run_out),
        failed_since: status.latest.failed_since(kind).map(run_out),
        overdue,
    }
}

/// The last backup, copy and restore drill, and which are overdue.
#[utoipa::path(get, path = "/api/v1/backups/status", tag = "security",
    responses((status = 200, body = BackupStatusOut), (status = 401, body = crate::api::ErrorBody),
              (status = 403, body = crate::api::ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<BackupStatusOut>, AppError> {
    let status =
        mamori_app::backups::status(&state.app, &signed.0.acting, &state.config.backups).await?;
    Ok(Json(BackupStatusOut {
        backup: kind_out(&status, RunKind::Backup, status.backup_overdue),
        copy: kind_out(&status, RunKind::Copy, status.copy_overdue),
        copy_configured: status.copy_configured,
        drill: kind_out(&status, RunKind::Drill, status.drill_overdue),
        drill_every_days: status.drill_every_days,
    }))
}
