//! `mamori import attendance FILE --session N`: a session's sign-in sheet (.xlsx or CSV)
//! into its attendance, on the same use case as the session's page: every row is read
//! first, and an unknown name or an unreadable mark leaves everything unwritten.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use mamori_app::i18n::Tr;
use mamori_app::{Acting, App};

use crate::config::DataConfig;
use crate::people::failed;

pub async fn import_attendance(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    session: i64,
) -> anyhow::Result<ExitCode> {
    let limit = mamori_app::training::IMPORT_MAX_BYTES;
    let shown = file.display().to_string();
    if std::fs::metadata(file)
        .with_context(|| shown.clone())?
        .len()
        > limit as u64
    {
        anyhow::bail!(
            "{}",
            tr.f(
                "training.error.file_size",
                &[("max_kb", (limit / 1024).to_string())]
            )
        );
    }
    let bytes = std::fs::read(file).with_context(|| shown.clone())?;
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori import attendance");
    let imported = mamori_app::training::import_attendance(&app, &acting, session, &bytes).await;
    app.close().await;
    let report = imported.map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "training.imported",
            &[
                ("recorded", report.recorded.to_string()),
                ("blank", report.blank.to_string()),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}
