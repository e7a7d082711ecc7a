//! `mamori import assets FILE` and `mamori export assets FILE`: the asset register as a
//! spreadsheet, through the same use cases, conversion and checks as the web pages
//! (`mamori_app::assets`, `mamori_app::assets::files`), acting as the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use mamori_app::assets::Filter;
use mamori_app::assets::files::{self as asset_files, ExportError, Format, Mapping, RowError};
use mamori_app::i18n::Tr;
use mamori_app::{Acting, App};

use crate::config::DataConfig;
use crate::progress::Progress;

/// Row problems printed before the count of the rest.
const SHOWN_ERRORS: usize = 50;

fn fail(tr: &Tr, key: &str, params: &[(&str, String)]) -> anyhow::Error {
    anyhow::anyhow!("{}", tr.f(key, params))
}

/// `xlsx` or `csv`, for `--format`.
pub fn parse_format(value: &str) -> Result<Format, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "xlsx" => Ok(Format::Xlsx),
        "csv" => Ok(Format::Csv),
        _ => Err("one of: xlsx, csv".to_owned()),
    }
}

fn format_of(file: &Path) -> Option<Format> {
    let extension = file.extension()?.to_str()?.to_ascii_lowercase();
    parse_format(&extension).ok()
}

/// Waits for `work`, redrawing the progress line (the time so far) meanwhile.
async fn ticking<T>(progress: &mut Progress, work: impl Future<Output = T>) -> T {
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => progress.update(0),
        }
    }
}

/// One problem as a console line: "row 12, Confidentiality: …".
fn error_line(tr: &Tr, error: &RowError) -> String {
    let message = error.message(tr);
    match (error.line, error.field_label(tr)) {
        (0, "") => message,
        (0, field) => tr.f(
            "cli.assets.file_error",
            &[("field", field.to_owned()), ("message", message)],
        ),
        (line, "") => tr.f(
            "cli.assets.line_error",
            &[("line", line.to_string()), ("message", message)],
        ),
        (line, field) => tr.f(
            "cli.assets.row_error",
            &[
                ("line", line.to_string()),
                ("field", field.to_owned()),
                ("message", message),
            ],
        ),
    }
}

/// `mamori import assets FILE [--dry-run]`: nothing is written unless every row is a
/// valid asset; then all rows go in one transaction with one audit entry.
pub async fn import(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let mut progress = Progress::new();
    progress.phase(tr.t("cli.assets.reading"), None);
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        anyhow::anyhow!(
            "{} ({e})",
            tr.f("cli.assets.error.read_failed", &[("file", shown.clone())])
        )
    })?;
    let (format, table) = asset_files::read_table(&bytes).map_err(|e| {
        fail(
            tr,
            "cli.assets.error.unreadable",
            &[
                ("file", shown.clone()),
                ("reason", tr.f(e.message_key(), &e.params())),
            ],
        )
    })?;
    let mapping = Mapping::guess(&table.headers);
    let unrecognised = mapping.unrecognised(&table.headers).join(", ");
    if !mapping.columns().contains(&Some("name")) {
        progress.finish();
        let headers = if unrecognised.is_empty() {
            tr.t("cli.assets.no_headers").to_owned()
        } else {
            unrecognised
        };
        return Err(fail(
            tr,
            "cli.assets.error.name_unmapped",
            &[("headers", headers)],
        ));
    }

    let app = App::open(&data.database_url).await?;
    let acting = Acting::system("mamori import assets");
    let (scheme, directory) = mamori_app::assets::import_context(&app, &acting).await?;
    progress.phase(tr.t("cli.assets.checking"), Some(table.rows.len()));
    let checked = asset_files::validate(
        &table,
        format,
        &mapping,
        &scheme,
        &directory.holders,
        |done| progress.update(done),
    );
    progress.finish();
    if !unrecognised.is_empty() {
        eprintln!(
            "{}",
            tr.f("cli.assets.ignored", &[("headers", unrecognised)])
        );
    }
    if !checked.errors.is_empty() {
        for error in checked.errors.iter().take(SHOWN_ERRORS) {
            eprintln!("{}", error_line(tr, error));
        }
        if checked.errors.len() > SHOWN_ERRORS {
            eprintln!(
                "{}",
                tr.f(
                    "cli.assets.more_errors",
                    &[("count", (checked.errors.len() - SHOWN_ERRORS).to_string())]
                )
            );
        }
        eprintln!(
            "{}",
            tr.f(
                "cli.assets.rejected",
                &[
                    ("count", checked.errors.len().to_string()),
                    ("rows", table.rows.len().to_string()),
                ]
            )
        );
        app.close().await;
        return Ok(ExitCode::FAILURE);
    }
    // Values kept as written (a 保存期間 no reading fits): said, never refused.
    for note in checked.notes.iter().take(SHOWN_ERRORS) {
        eprintln!("{}", error_line(tr, note));
    }
    let assets: Vec<_> = checked.assets.into_iter().map(|(_, a)| a).collect();
    if dry_run {
        println!(
            "{}",
            tr.f("cli.assets.dry_run", &[("count", assets.len().to_string())])
        );
        app.close().await;
        return Ok(ExitCode::SUCCESS);
    }

    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let sha256 = mamori_app::sha256_hex(&bytes);
    progress.phase(tr.t("cli.assets.writing"), None);
    let ids = ticking(&mut progress, async {
        anyhow::Ok(mamori_app::assets::import(&app, &acting, &assets, &source, &sha256).await?)
    })
    .await?;
    progress.finish();
    app.close().await;
    println!(
        "{}",
        tr.f(
            "cli.assets.imported",
            &[
                ("count", ids.len().to_string()),
                ("file", shown),
                (
                    "first",
                    ids.first().copied().unwrap_or_default().to_string()
                ),
                ("last", ids.last().copied().unwrap_or_default().to_string()),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `mamori export assets FILE [--format xlsx|csv]`: the whole register, in the console's
/// language. The file appears only once the export is in the audit trail.
pub async fn export(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    format: Option<Format>,
) -> anyhow::Result<ExitCode> {
    let shown = file.display().to_string();
    let format = format
        .or_else(|| format_of(file))
        .ok_or_else(|| fail(tr, "cli.assets.error.format", &[("file", shown.clone())]))?;
    let app = App::open(&data.database_url).await?;
    let acting = Acting::system("mamori export assets");
    let mut progress = Progress::new();
    progress.phase(tr.t("cli.assets.exporting"), None);
    let filter = Filter::default();
    // The export is in the audit trail before the file appears under its name.
    let exported = ticking(
        &mut progress,
        asset_files::export(&app, &acting, &filter, tr.lang, format),
    )
    .await
    .map_err(|e| match e {
        ExportError::Sheet(e) => anyhow::anyhow!("{}", tr.f(e.message_key(), &e.params())),
        ExportError::Failed(f) => anyhow::anyhow!("{f}"),
    });
    app.close().await;
    let exported = exported?;
    progress.finish();

    write_file(tr, file, &exported.bytes)?;
    println!(
        "{}",
        tr.f(
            "cli.assets.exported",
            &[("count", exported.count.to_string()), ("file", shown)]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes next to the file and renames, so no half-written file ever has its name.
fn write_file(tr: &Tr, file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let shown = file.display().to_string();
    let partial = PathBuf::from(format!("{shown}.partial"));
    let write_failed = |e: std::io::Error| {
        anyhow::anyhow!(
            "{} ({e})",
            tr.f("cli.assets.error.write_failed", &[("file", shown.clone())])
        )
    };
    std::fs::write(&partial, bytes).map_err(write_failed)?;
    std::fs::rename(&partial, file).map_err(write_failed)?;
    Ok(())
}

/// `mamori export asset-template FILE`: the import template in the console's language,
/// with the levels of the scheme in use.
pub async fn export_template(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    format: Option<Format>,
) -> anyhow::Result<ExitCode> {
    let shown = file.display().to_string();
    let format = format
        .or_else(|| format_of(file))
        .ok_or_else(|| fail(tr, "cli.assets.error.format", &[("file", shown.clone())]))?;
    let app = App::open(&data.database_url).await?;
    let acting = Acting::system("mamori export asset-template");
    let written = asset_files::template(&app, &acting, tr.lang, format)
        .await
        .map_err(|e| match e {
            ExportError::Sheet(e) => anyhow::anyhow!("{}", tr.f(e.message_key(), &e.params())),
            ExportError::Failed(f) => anyhow::anyhow!("{f}"),
        });
    app.close().await;
    write_file(tr, file, &written?)?;
    println!(
        "{}",
        tr.f("cli.assets.template_written", &[("file", shown)])
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_flag_or_extension() {
        assert!(matches!(parse_format("XLSX"), Ok(Format::Xlsx)));
        assert!(parse_format("xls").is_err());
        assert!(matches!(
            format_of(Path::new("a/台帳.CSV")),
            Some(Format::Csv)
        ));
        assert!(format_of(Path::new("register")).is_none());
    }
}
