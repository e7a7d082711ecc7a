//! `mamori import assets FILE` and `mamori export assets FILE`: the asset register as a
//! spreadsheet, through the same use cases, conversion and checks as the web pages
//! (`mamori_app::assets`, `mamori_app::assets::files`), acting as the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use mamori_app::assets::Filter;
use mamori_app::assets::files::{self as asset_files, ExportError, Format, Mapping, RowError};
use mamori_app::assets::imports::{
    self, Choices, Confirmed, DuplicateChoice, OwnNumbers, RowPlan, Staged,
};
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

/// `--duplicates create|update|skip`.
pub fn parse_own_numbers(value: &str) -> Result<OwnNumbers, String> {
    OwnNumbers::parse(value.trim()).ok_or_else(|| "one of: keep, ignore".to_owned())
}

pub fn parse_duplicates(value: &str) -> Result<DuplicateChoice, String> {
    DuplicateChoice::parse(value.trim()).ok_or_else(|| "one of: create, update, skip".to_owned())
}

/// `mamori import assets FILE [--dry-run] [--reason …] [--duplicates …] [--as-new]`: every row is
/// planned as the web preview plans it (new, update by asset number, unchanged, possible
/// duplicate, error); nothing is written unless every row can be imported, and then all
/// in one transaction, recorded as an import that the web pages can undo.
pub async fn import(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    dry_run: bool,
    as_new: bool,
    choices: &Choices,
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
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori import assets");
    // A mapping saved on the import page for files with these headers, as the upload
    // there would apply it.
    let profile = imports::profile_for(&app, &acting, &table.headers).await?;
    let (mut mapping, values) = match &profile {
        Some(profile) => (
            profile.mapping_for(table.headers.len()),
            profile.values.clone(),
        ),
        None => (Mapping::guess(&table.headers), Default::default()),
    };
    if let Some(profile) = &profile {
        eprintln!(
            "{}",
            tr.f(
                "asset.import.profile_applied",
                &[("name", profile.name.clone())]
            )
        );
    }
    if as_new {
        mapping = Mapping::chosen(
            mapping
                .columns()
                .iter()
                .map(|f| f.filter(|f| *f != "number"))
                .collect(),
        );
    }
    let unrecognised = mapping.unrecognised(&table.headers).join(", ");
    if !mapping.columns().contains(&Some("name")) {
        progress.finish();
        let headers = if unrecognised.is_empty() {
            tr.t("cli.assets.no_headers").to_owned()
        } else {
            unrecognised
        };
        app.close().await;
        return Err(fail(
            tr,
            "cli.assets.error.name_unmapped",
            &[("headers", headers)],
        ));
    }

    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let staged = Staged {
        token: String::new(),
        file_name: source,
        sha256: mamori_app::sha256_hex(&bytes),
        format,
        headers: table.headers.clone(),
        rows: table.rows.len(),
        mapping,
        values,
        profile: profile.map(|p| p.name),
        created_at: time::OffsetDateTime::now_utc(),
    };
    progress.phase(tr.t("cli.assets.checking"), None);
    let preview = ticking(
        &mut progress,
        imports::plan_table(&app, &acting, staged, table, choices),
    )
    .await?;
    progress.finish();
    if !unrecognised.is_empty() {
        eprintln!(
            "{}",
            tr.f("cli.assets.ignored", &[("headers", unrecognised)])
        );
    }
    let counts = preview.plan.counts;
    let count_line = tr.f(
        "cli.assets.plan",
        &[
            ("rows", counts.rows.to_string()),
            ("new", counts.new.to_string()),
            ("update", counts.update.to_string()),
            ("unchanged", counts.unchanged.to_string()),
            ("duplicates", counts.undecided.to_string()),
            ("skipped", counts.skipped.to_string()),
            ("errors", counts.error_rows.to_string()),
        ],
    );
    println!("{count_line}");
    let errors: Vec<&RowError> = preview.plan.errors().collect();
    if !errors.is_empty() {
        for error in errors.iter().take(SHOWN_ERRORS) {
            eprintln!("{}", error_line(tr, error));
        }
        if errors.len() > SHOWN_ERRORS {
            eprintln!(
                "{}",
                tr.f(
                    "cli.assets.more_errors",
                    &[("count", (errors.len() - SHOWN_ERRORS).to_string())]
                )
            );
        }
        eprintln!(
            "{}",
            tr.f(
                "cli.assets.rejected",
                &[
                    ("count", errors.len().to_string()),
                    ("rows", counts.rows.to_string()),
                ]
            )
        );
        app.close().await;
        return Ok(ExitCode::FAILURE);
    }
    // Values kept as written (a 保存期間 no reading fits): said, never refused.
    for note in preview.plan.notes.iter().take(SHOWN_ERRORS) {
        eprintln!("{}", error_line(tr, note));
    }
    if !preview.plan.is_ready() {
        for row in &preview.plan.rows {
            if let (RowPlan::Undecided(_), Some(id)) = (&row.plan, row.duplicate_of) {
                eprintln!(
                    "{}",
                    tr.f(
                        "cli.assets.duplicate",
                        &[("line", row.line.to_string()), ("id", id.to_string())]
                    )
                );
            }
        }
        if let Some(own) = preview
            .plan
            .own_numbers
            .as_ref()
            .filter(|o| o.answer.is_none())
        {
            eprintln!(
                "{}",
                tr.f(
                    "cli.assets.own_numbers",
                    &[
                        ("header", own.header.clone()),
                        ("rows", own.rows.to_string())
                    ]
                )
            );
        }
        if counts.needs_reason > 0 {
            eprintln!(
                "{}",
                tr.f(
                    "cli.assets.needs_reason",
                    &[("count", counts.needs_reason.to_string())]
                )
            );
        }
        app.close().await;
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        println!(
            "{}",
            tr.f(
                "cli.assets.dry_run",
                &[("count", (counts.new + counts.update).to_string())]
            )
        );
        app.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    progress.phase(tr.t("cli.assets.writing"), None);
    let confirmed = ticking(&mut progress, imports::write(&app, &acting, preview, None)).await?;
    progress.finish();
    app.close().await;
    let message = match confirmed {
        Confirmed::Imported { id, counts, .. } => tr.f(
            "cli.assets.imported",
            &[
                ("file", shown),
                ("count", counts.created.to_string()),
                ("updated", counts.updated.to_string()),
                ("unchanged", counts.unchanged.to_string()),
                ("id", id.to_string()),
            ],
        ),
        Confirmed::NothingChanged { unchanged } => tr.f(
            "cli.assets.nothing",
            &[("file", shown), ("count", unchanged.to_string())],
        ),
        // The register changed between the plan and the write: nothing was written.
        Confirmed::Refused(preview) => {
            eprintln!(
                "{}",
                tr.f(
                    "cli.assets.rejected",
                    &[
                        ("count", preview.plan.errors().count().to_string()),
                        ("rows", preview.plan.counts.rows.to_string()),
                    ]
                )
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    println!("{message}");
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
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
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
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
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
