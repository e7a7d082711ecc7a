//! Importing the asset register, step by step, on the same use cases for the pages, the
//! API and the command line: upload (the file's table is staged in the database, never
//! held in server memory), column mapping, preview (every row planned: new, update,
//! unchanged, possible duplicate, error) and confirm (one transaction, recorded so it
//! can be undone). A staged file belongs to its uploader and expires after a day.

mod plan;
mod profiles;
mod records;
#[cfg(test)]
mod tests;
mod values;

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::classification::Scheme;
use mamori_domain::field::FieldProblem;
use mamori_sheet::{Cells, Format, Row, Table};
use mamori_store::assets as store;
use mamori_store::assets::imports as staging;
use mamori_store::assets::{AssetRecord, Filter};
use time::OffsetDateTime;

use super::files::{self, Directory, Mapping, RowError};
use crate::{Acting, App, Failure, Refusal};

pub use mamori_store::assets::imports::{ImportCounts, ImportRecord, RowAction, UndoRefusal};
pub use plan::{
    Choices, DuplicateChoice, FieldChange, OwnNumbering, OwnNumbers, Plan, PlanCounts, PlannedRow,
    RowPlan, changes,
};
pub use profiles::{Profile, delete_profile, header_key, profile_for, profiles, save_profile};
pub use records::{ImportDetail, ImportedAsset, import_record, imports, undo, withdraw};
pub use values::{CODED, Meaning, UnknownValue, ValueMapping, choices, may_be_empty};

/// How long a staged file waits for its confirmation.
pub const STAGING_TTL: time::Duration = time::Duration::days(1);
/// Staged files per user: a second tab is fine, a forgotten pile is not.
pub const STAGED_PER_USER: usize = 3;
/// Rows read for the sample values of the mapping step.
const SAMPLE_ROWS: i64 = 200;
/// Sample values per column on the mapping step.
const SAMPLES: usize = 3;

/// A staged file as its uploader sees it.
#[derive(Debug, Clone)]
pub struct Staged {
    pub token: String,
    pub file_name: String,
    pub sha256: String,
    pub format: Format,
    pub headers: Vec<String>,
    pub rows: usize,
    /// The mapping chosen, or else the one the headers suggest.
    pub mapping: Mapping,
    /// What unknown values of coded columns mean, as the person said.
    pub values: ValueMapping,
    /// The profile applied on upload (a saved mapping for the same headers).
    pub profile: Option<String>,
    pub created_at: OffsetDateTime,
}

fn expired() -> Failure {
    Failure::Conflict(Refusal::new("import_expired", "asset.import.error.expired"))
}

fn format_code(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

async fn permit<'a>(app: &'a App, acting: &'a Acting) -> Result<crate::Permit<'a>, Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.import.title")
        .await
}

/// Reads an uploaded file and stages its table for the next steps. A file that cannot
/// be read is refused with the reason (`file` field).
pub async fn upload(
    app: &App,
    acting: &Acting,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Staged, Failure> {
    permit(app, acting).await?;
    let user_id = acting.user_id().ok_or(Failure::NotFound)?;
    if bytes.len() > files::MAX_FILE_BYTES {
        return Err(Failure::invalid(FieldProblem::new(
            "file",
            "asset.import.error.too_large",
        )));
    }
    // At most a few files are parsed at once (see `parsing`); the slot is held until the
    // table is read. Unpacking and parsing a large workbook takes a while: off the async
    // threads.
    let slot = app.parse_slot().await?;
    let read = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let sha256 = crate::sha256_hex(&bytes);
        files::read_table(&bytes).map(|(format, table)| (format, table, sha256))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading an uploaded register failed");
        Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(
            "reading the file failed",
        )))
    })?;
    let (format, table, sha256) = read.map_err(|e| {
        Failure::Invalid(vec![FieldProblem {
            field: "file",
            key: e.message_key(),
            params: e.params(),
        }])
    })?;
    let profile = profiles::for_headers(app, &table.headers).await?;
    let token = crate::random_token();
    let expired_before = mamori_store::timestamp_text(OffsetDateTime::now_utc() - STAGING_TTL);
    staging::stage(
        app.store(),
        &staging::NewStaging {
            token: &token,
            user_id,
            file_name,
            sha256: &sha256,
            format: format_code(format),
            headers: &table.headers,
        },
        table.rows.len(),
        table.rows.iter().map(staged_row),
        &expired_before,
        STAGED_PER_USER,
    )
    .await?;
    let (mapping, values, profile) = match profile {
        Some(profile) => {
            let mapping = profile.mapping_for(table.headers.len());
            let columns = stored_columns(&mapping, table.headers.len());
            staging::set_mapping(app.store(), &token, &columns, &json(&profile.values)).await?;
            (mapping, profile.values, Some(profile.name))
        }
        None => (
            Mapping::guess(&table.headers),
            ValueMapping::default(),
            None,
        ),
    };
    Ok(Staged {
        mapping,
        values,
        profile,
        token,
        file_name: file_name.to_owned(),
        sha256,
        format,
        headers: table.headers,
        rows: table.rows.len(),
        created_at: OffsetDateTime::now_utc(),
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A mapping as stored: per column the field name or null.
fn stored_columns(mapping: &Mapping, width: usize) -> Vec<Option<String>> {
    (0..width)
        .map(|i| mapping.field_of(i).map(str::to_owned))
        .collect()
}

/// The acting person's staged file: refused as expired when it is older than a day,
/// gone, or someone else's (the same answer, so tokens tell nothing).
pub async fn open(app: &App, acting: &Acting, token: &str) -> Result<Staged, Failure> {
    permit(app, acting).await?;
    let record = staging::staging(app.store(), token)
        .await?
        .filter(|s| Some(s.user_id) == acting.user_id())
        .filter(|s| OffsetDateTime::now_utc() - s.created_at < STAGING_TTL)
        .ok_or_else(expired)?;
    let format = match record.format.as_str() {
        "xlsx" => Format::Xlsx,
        _ => Format::Csv,
    };
    let mapping = match &record.mapping {
        Some(columns) => Mapping::chosen(
            columns
                .iter()
                .map(|c| c.as_deref().and_then(files::field_named))
                .collect(),
        ),
        None => Mapping::guess(&record.headers),
    };
    let values = match record.value_mapping.as_deref() {
        Some(text) => serde_json::from_str(text).map_err(|_| {
            Failure::Store(mamori_store::StoreError::Corrupt {
                table: "asset_import_stagings",
                row: record.token.clone(),
                column: "value_mapping",
                value: text.chars().take(100).collect(),
            })
        })?,
        None => ValueMapping::default(),
    };
    Ok(Staged {
        values,
        profile: None,
        token: record.token,
        file_name: record.file_name,
        sha256: record.sha256,
        format,
        rows: record.row_count as usize,
        headers: record.headers,
        mapping,
        created_at: record.created_at,
    })
}

/// Up to three non-empty values of each column, from the first rows, for the mapping
/// step.
pub async fn samples(app: &App, staged: &Staged) -> Result<Vec<Vec<String>>, Failure> {
    let rows: Vec<(usize, Cells)> =
        staging::staged_rows(app.store(), &staged.token, 0, SAMPLE_ROWS).await?;
    Ok((0..staged.headers.len())
        .map(|column| {
            rows.iter()
                .filter_map(|(_, cells)| cells.get(column).filter(|c| !c.trim().is_empty()))
                .take(SAMPLES)
                .map(str::to_owned)
                .collect()
        })
        .collect())
}

/// Keeps the column mapping and value mapping the person chose for their staged file.
/// A value mapped to a code the field does not have is refused.
pub async fn set_mapping(
    app: &App,
    acting: &Acting,
    token: &str,
    mapping: &Mapping,
    values: &ValueMapping,
) -> Result<Staged, Failure> {
    let mut staged = open(app, acting, token).await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    values.check(&scheme).map_err(|(field, value)| {
        Failure::invalid(
            FieldProblem::new("values", "asset.import.error.bad_meaning")
                .with("field", field)
                .with("value", value),
        )
    })?;
    let columns = stored_columns(mapping, staged.headers.len());
    staging::set_mapping(app.store(), token, &columns, &json(values)).await?;
    staged.mapping = Mapping::chosen((0..columns.len()).map(|i| mapping.field_of(i)).collect());
    staged.values = values.clone();
    Ok(staged)
}

/// A staged file checked row by row with its mapping.
#[derive(Debug, Clone)]
pub struct Preview {
    pub staged: Staged,
    pub plan: Plan,
    /// Values of coded columns the check does not read, with their meaning if given.
    pub unknown: Vec<UnknownValue>,
    pub scheme: Scheme,
    /// Holders' names by user id, for showing rows.
    pub names: HashMap<i64, String>,
}

/// A row as it is staged: its line and its cells. A function rather than a closure, so the
/// staging future borrowing the table stays `Send`.
fn staged_row(row: &Row) -> (usize, Vec<&str>) {
    (row.line, row.cells.iter().collect())
}

async fn load_table(app: &App, staged: &Staged) -> Result<Table, Failure> {
    let rows = staging::staged_rows(app.store(), &staged.token, 0, i64::MAX).await?;
    Ok(Table {
        headers: staged.headers.clone(),
        rows: rows
            .into_iter()
            .map(|(line, cells)| Row { line, cells })
            .collect(),
    })
}

/// The assets the acting person may see, as the import compares against.
async fn register(app: &App, acting: &Acting) -> Result<plan::Register, Failure> {
    let mut records: Vec<AssetRecord> = Vec::new();
    store::each_batch(app.store(), acting.viewer(), &Filter::default(), |batch| {
        records.extend(batch);
        Ok(())
    })
    .await?;
    Ok(plan::Register::new(records))
}

/// Plans every row of the staged file with its mapping and the person's choices.
pub async fn preview(
    app: &App,
    acting: &Acting,
    token: &str,
    choices: &Choices,
) -> Result<Preview, Failure> {
    let staged = open(app, acting, token).await?;
    let table = load_table(app, &staged).await?;
    plan_table(app, acting, staged, table, choices).await
}

/// Plans a table read outside the staging (the command line reads its file itself).
pub async fn plan_table(
    app: &App,
    acting: &Acting,
    staged: Staged,
    table: Table,
    choices: &Choices,
) -> Result<Preview, Failure> {
    permit(app, acting).await?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    let directory = files::directory(app.store()).await?;
    let register = register(app, acting).await?;
    let names = directory.names.clone();
    let unknown = values::unknown_values(
        &table,
        staged.format,
        &staged.mapping,
        &scheme,
        &staged.values,
    );
    let plan = plan_blocking(&staged, table, &scheme, directory, register, choices).await?;
    Ok(Preview {
        staged,
        plan,
        unknown,
        scheme,
        names,
    })
}

async fn plan_blocking(
    staged: &Staged,
    table: Table,
    scheme: &Scheme,
    directory: Directory,
    register: plan::Register,
    choices: &Choices,
) -> Result<Plan, Failure> {
    let (format, mapping, scheme, choices, values) = (
        staged.format,
        staged.mapping.clone(),
        scheme.clone(),
        choices.clone(),
        staged.values.clone(),
    );
    tokio::task::spawn_blocking(move || {
        plan::plan(&plan::PlanInput {
            table: &table,
            format,
            mapping: &mapping,
            scheme: &scheme,
            directory: &directory,
            register: &register,
            choices: &choices,
            values: &values,
            today: crate::today(),
        })
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "planning an import failed");
        Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(
            "planning the import failed",
        )))
    })
}

/// What a confirmation did.
#[derive(Debug, Clone)]
pub enum Confirmed {
    /// Written in one transaction and recorded as import `id`.
    Imported {
        id: i64,
        counts: ImportCounts,
        created: Vec<i64>,
    },
    /// Every row was unchanged (or skipped): nothing was written.
    NothingChanged { unchanged: usize },
    /// Rows with errors, open choices or a missing reason: nothing was written.
    Refused(Box<Preview>),
}

/// Imports the staged file: creations and updates in one transaction with the import's
/// record; refused whole while any row has an error or an open choice. The staged file
/// is taken inside the transaction, so a form sent twice imports once.
pub async fn confirm(
    app: &App,
    acting: &Acting,
    token: &str,
    choices: &Choices,
) -> Result<Confirmed, Failure> {
    let preview = preview(app, acting, token, choices).await?;
    write(app, acting, preview, Some(token)).await
}

/// Imports what a preview planned, when it is ready: one transaction, with the import's
/// record and audit entries. `token` names the staged file to take in the same
/// transaction (none for the command line).
pub async fn write(
    app: &App,
    acting: &Acting,
    preview: Preview,
    token: Option<&str>,
) -> Result<Confirmed, Failure> {
    if !preview.plan.is_ready() {
        return Ok(Confirmed::Refused(Box::new(preview)));
    }
    let plan = &preview.plan;
    if !plan.writes() {
        if let Some(token) = token {
            staging::discard(app.store(), token).await?;
        }
        return Ok(Confirmed::NothingChanged {
            unchanged: plan.counts.unchanged,
        });
    }
    let permit = permit(app, acting).await?;
    let mut new = Vec::new();
    let mut new_lines = Vec::new();
    for row in &plan.rows {
        if let RowPlan::New(asset) = &row.plan {
            new.push(asset.clone());
            new_lines.push(row.line);
        }
    }
    let mut tx = permit.write(app).await?;
    if let Some(token) = token
        && !staging::take(&mut tx, token).await?
    {
        return Err(expired());
    }
    let created = store::insert_many(&mut tx, &new, &preview.scheme).await?;
    let mut rows: Vec<staging::ImportRow> = new_lines
        .iter()
        .zip(&created)
        .zip(new)
        .map(|((line, id), after)| staging::ImportRow {
            line: *line,
            asset_id: *id,
            action: RowAction::Created,
            before: None,
            after,
        })
        .collect();
    for row in &plan.rows {
        if let RowPlan::Update {
            id,
            before,
            after,
            reason,
            ..
        } = &row.plan
        {
            store::update(&mut tx, *id, after, &preview.scheme, reason).await?;
            rows.push(staging::ImportRow {
                line: row.line,
                asset_id: *id,
                action: RowAction::Updated,
                before: Some(before.as_asset()),
                after: after.clone(),
            });
        }
    }
    rows.sort_by_key(|r| r.line);
    let counts = ImportCounts {
        created: created.len() as i64,
        updated: plan.counts.update as i64,
        unchanged: plan.counts.unchanged as i64,
        skipped: plan.counts.skipped as i64,
    };
    let id = staging::record(
        &mut tx,
        &preview.scheme,
        &preview.staged.file_name,
        &preview.staged.sha256,
        counts,
        &rows,
    )
    .await?;
    tx.commit().await?;
    Ok(Confirmed::Imported {
        id,
        counts,
        created,
    })
}

/// Row problems as field problems, for an API answer or the command line.
pub fn row_problems(errors: &[RowError]) -> Vec<FieldProblem> {
    errors
        .iter()
        .map(|e| FieldProblem {
            field: e.field.unwrap_or("file"),
            key: e.message_key,
            params: {
                let mut params = e.params.clone();
                params.push(("line", e.line.to_string()));
                params
            },
        })
        .collect()
}
