//! `mamori import holidays FILE`: the office calendar's national holidays from the
//! Cabinet Office list, on the same use case as the calendar page.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use mamori_app::i18n::Tr;
use mamori_app::{Acting, App};

use crate::config::DataConfig;
use crate::people::failed;

/// Imports the list in `file` as the command line.
pub async fn import_holidays(data: &DataConfig, tr: &Tr, file: &Path) -> anyhow::Result<ExitCode> {
    let limit = mamori_app::cycle::calendar::MAX_CSV_BYTES;
    let shown = file.display().to_string();
    let too_large = || {
        anyhow::anyhow!(
            "{}",
            tr.f(
                "calendar.error.csv_size",
                &[("max_kb", (limit / 1024).to_string())]
            )
        )
    };
    if std::fs::metadata(file)
        .with_context(|| shown.clone())?
        .len()
        > limit as u64
    {
        return Err(too_large());
    }
    let bytes = std::fs::read(file).with_context(|| shown.clone())?;
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori import holidays");
    let imported = mamori_app::cycle::calendar::import_holidays(&app, &acting, &bytes).await;
    app.close().await;
    let c = imported.map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "calendar.imported",
            &[
                ("added", c.added.to_string()),
                ("renamed", c.renamed.to_string()),
                ("removed", c.removed.to_string()),
                ("unchanged", c.unchanged.to_string()),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}
