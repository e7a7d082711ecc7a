//! Backup and restore.
//!
//! A mamori backup is always a SQLite database file at a known schema version, whatever
//! the backend: SQLite writes it with `VACUUM INTO` (a consistent snapshot while the
//! server keeps running); PostgreSQL writes the same tables into a fresh SQLite file from
//! one `REPEATABLE READ` snapshot. Restore checks the file first (SQLite header,
//! `PRAGMA integrity_check`, mamori's own migration history, schema version), brings an
//! older backup up to date on a private copy, and only then replaces the live rows in
//! one transaction. A backup made on one backend restores onto the other.

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::migrations::{database_version, migrator, schema_version};
use crate::{AuditEntry, Backend, Result, SqliteUse, Store, StoreError, WriteTx};

/// Every table that holds data, parents before children. A test checks that it names
/// every table the migrations create.
pub const TABLES: &[&str] = &[
    "maintenance",
    "settings",
    "users",
    "org_bodies",
    "org_posts",
    "post_terms",
    "sessions",
    "once_tokens",
    "recovery_codes",
    "api_tokens",
    "policy_documents",
    "policy_versions",
    "policy_acknowledgements",
    "response_plan_scenarios",
    "policy_reminders",
    "clause_links",
    "classification_schemes",
    "classification_levels",
    "assets",
    "asset_tags",
    "asset_clauses",
    "asset_classifications",
    "asset_events",
    "asset_import_stagings",
    "asset_import_staged_rows",
    "asset_imports",
    "asset_import_rows",
    "asset_import_profiles",
    "threats",
    "risk_matrices",
    "risks",
    "risk_assets",
    "risk_acceptances",
    "risk_analyses",
    "notifications",
    "notification_mail_prefs",
    "mail_queue",
    "reminder_digests",
    "approval_requests",
    "approval_absences",
    "exceptions",
    "redactions",
    "redaction_items",
    "closed_days",
    "review_schedules",
    "reviews",
    "policy_reviews",
    "corrective_actions",
    "file_blobs",
    "file_chunks",
    "attachments",
    "attachment_revisions",
    "awareness_notices",
    "awareness_recipients",
    "training_plans",
    "training_courses",
    "training_sessions",
    "training_invitees",
    "training_attendance",
    "training_rules",
    "term_changes",
    "term_change_people",
    "term_change_marks",
    "incident_severities",
    "incidents",
    "incident_entries",
    "incident_shares",
    "incident_links",
    "incident_report_duties",
    "incident_reports",
    "continuity_services",
    "continuity_service_assets",
    "continuity_covers",
    "continuity_alternates",
    "continuity_drills",
    "continuity_drill_services",
    "audit_log",
    "audit_checks",
    "backup_runs",
];

#[derive(Debug, thiserror::Error)]
pub enum BackupProblem {
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{0} already exists; choose a new file name")]
    AlreadyExists(PathBuf),
    #[error("{0} is not a SQLite database, so it is not a mamori backup")]
    NotSqlite(PathBuf),
    #[error("{path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("{0} is a SQLite database but not a mamori backup")]
    Foreign(PathBuf),
    #[error(
        "{path} was written by a newer mamori (schema {backup}, this binary knows {binary}); \
         restore it with that release"
    )]
    Newer {
        path: PathBuf,
        backup: i64,
        binary: i64,
    },
}

/// What a backup file holds.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub schema_version: i64,
    pub rows: Vec<(String, i64)>,
}

impl BackupSummary {
    pub fn rows_in(&self, table: &str) -> i64 {
        self.rows
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

/// Writes a consistent backup of `store` to `dest`, which must not exist yet. The file
/// appears only once complete and checked.
pub async fn write_backup(store: &Store, dest: &Path) -> Result<BackupSummary> {
    if dest.exists() {
        return Err(BackupProblem::AlreadyExists(dest.to_owned()).into());
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let partial = partial_path(dest);
    let _ = std::fs::remove_file(&partial);
    let written = async {
        match store.backend() {
            Backend::Sqlite => {
                sqlx::query(AssertSqlSafe(format!(
                    "VACUUM INTO '{}'",
                    partial.display().to_string().replace('\'', "''")
                )))
                .execute(store.pool())
                .await?;
                // The copy keeps the live database's WAL mode; a backup is one file.
                let file =
                    Store::connect(&crate::sqlite_url(&partial), 1, SqliteUse::SingleFile).await?;
                file.close().await;
            }
            Backend::Postgres => {
                let target =
                    Store::connect(&crate::sqlite_url(&partial), 1, SqliteUse::SingleFile).await?;
                // At the source's own schema version: the same tables and columns, also
                // for the backup taken before an upgrade migrates an older database.
                let version = database_version(store).await?.unwrap_or(0);
                migrator(Backend::Sqlite)
                    .run_to(version, target.pool())
                    .await
                    .map_err(|e| StoreError::MigrationMismatch(e.to_string()))?;
                let mut source = store
                    .pool()
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?;
                let mut dest_tx = target.pool().begin().await?;
                // Migrations seed reference rows (the national holidays); the source's
                // own rows replace them.
                let present = tables_in(&mut dest_tx).await?;
                replace_rows(&mut source, &mut dest_tx, Backend::Sqlite, &present).await?;
                dest_tx.commit().await?;
                source.commit().await?;
                target.close().await;
            }
        }
        inspect(&partial).await
    }
    .await;
    match written {
        Ok(summary) => {
            std::fs::rename(&partial, dest)?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    dest.with_file_name(name)
}

/// Checks a backup file without changing it.
pub async fn inspect(file: &Path) -> Result<BackupSummary> {
    check_header(file)?;
    let url = crate::sqlite_url_with_mode(file, "ro");
    let backup = Store::connect(&url, 1, SqliteUse::ReadOnly)
        .await
        .map_err(|e| damaged(file, e.to_string()))?;
    let result = inspect_open(&backup, file).await;
    backup.close().await;
    result
}

fn check_header(file: &Path) -> Result<()> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut handle = std::fs::File::open(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::from(BackupProblem::Missing(file.to_owned())),
        _ => StoreError::Io(e),
    })?;
    if handle.read_exact(&mut header).is_err() || &header != b"SQLite format 3\0" {
        return Err(BackupProblem::NotSqlite(file.to_owned()).into());
    }
    Ok(())
}

fn damaged(file: &Path, detail: String) -> StoreError {
    BackupProblem::Damaged {
        path: file.to_owned(),
        detail,
    }
    .into()
}

async fn inspect_open(backup: &Store, file: &Path) -> Result<BackupSummary> {
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(backup.pool())
        .await
        .map_err(|e| damaged(file, e.to_string()))?;
    if integrity != ["ok"] {
        return Err(damaged(file, integrity.join("; ")));
    }
    let version = database_version(backup)
        .await
        .map_err(|e| damaged(file, e.to_string()))?
        .ok_or_else(|| BackupProblem::Foreign(file.to_owned()))?;
    let binary = schema_version();
    if version > binary {
        return Err(BackupProblem::Newer {
            path: file.to_owned(),
            backup: version,
            binary,
        }
        .into());
    }
    // The migration history must be mamori's own, checksum for checksum.
    let applied = sqlx::query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(backup.pool())
        .await
        .map_err(|e| damaged(file, e.to_string()))?;
    let ours = migrator(Backend::Sqlite);
    for row in applied {
        let version: i64 = row.try_get("version")?;
        let checksum: Vec<u8> = row.try_get("checksum")?;
        let known = ours
            .iter()
            .any(|m| m.version == version && *m.checksum == *checksum);
        if !known {
            return Err(BackupProblem::Foreign(file.to_owned()).into());
        }
    }
    // Rows here would open the append-only audit trail after a restore.
    let maintenance_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'maintenance'",
    )
    .fetch_one(backup.pool())
    .await?;
    if maintenance_rows > 0 {
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM maintenance")
            .fetch_one(backup.pool())
            .await
            .map_err(|e| damaged(file, e.to_string()))?;
        if open > 0 {
            return Err(damaged(
                file,
                "the maintenance table is not empty".to_owned(),
            ));
        }
    }
    let mut rows = Vec::new();
    for table in TABLES {
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        )
        .bind(*table)
        .fetch_one(backup.pool())
        .await?;
        if exists == 0 {
            // A table added by a later migration than the backup's is simply empty.
            continue;
        }
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(backup.pool())
            .await
            .map_err(|e| damaged(file, e.to_string()))?;
        rows.push((table.to_string(), count));
    }
    Ok(BackupSummary {
        schema_version: version,
        rows,
    })
}

/// Replaces every row of `store` with the backup's rows, in one transaction that also
/// records the restore in the audit trail (as `shown_as`: the file the person named,
/// when `file` is the plain copy of a sealed one). The backup file itself is never modified.
/// Nothing is changed unless the whole file checks out and copies cleanly.
pub async fn restore(
    store: &Store,
    file: &Path,
    shown_as: &Path,
    mut tx: WriteTx,
) -> Result<BackupSummary> {
    let summary = inspect(file).await?;
    // Work on a private copy: an older backup is migrated there, never in place.
    let scratch = scratch_copy(file)?;
    let result = async {
        let source = Store::connect(&crate::sqlite_url(&scratch), 1, SqliteUse::SingleFile).await?;
        let copied = async {
            crate::migrations::apply(&source).await?;
            let mut source_tx = source.pool().begin().await?;
            let present = tables_in(&mut source_tx).await?;
            replace_rows(&mut source_tx, &mut tx.tx, store.backend(), &present).await?;
            source_tx.rollback().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        source.close().await;
        copied?;
        tx.audit(
            AuditEntry::new("backup.restore", "database")
                .change("file", None::<&str>, shown_as.display().to_string())
                .change("schema_version", summary.schema_version, schema_version()),
        )
        .await?;
        tx.commit().await
    }
    .await;
    remove_sqlite_files(&scratch);
    result.map(|()| summary)
}

/// A table of [`TABLES`] and its columns, as a SQLite database holds them.
pub(crate) type TableColumns = (&'static str, Vec<(String, ColumnKind)>);

/// The tables of [`TABLES`] that the SQLite database on `conn` has (a backup of an older
/// schema lacks the later ones), parents first.
pub(crate) async fn tables_in(conn: &mut sqlx::AnyConnection) -> Result<Vec<TableColumns>> {
    let mut present = Vec::new();
    for table in TABLES {
        let columns = sqlite_columns(&mut *conn, table).await?;
        if !columns.is_empty() {
            present.push((*table, columns));
        }
    }
    Ok(present)
}

/// Replaces the rows of the `present` tables of `dest` with those of `source`, inside
/// the caller's transaction on `dest`.
pub(crate) async fn replace_rows(
    source: &mut sqlx::AnyConnection,
    dest: &mut sqlx::AnyConnection,
    dest_backend: Backend,
    present: &[TableColumns],
) -> Result<()> {
    // Opens the append-only audit trail to this transaction alone; the row goes with
    // the `maintenance` table's own DELETE below and is never committed.
    sqlx::query("INSERT INTO maintenance (key) VALUES ('restore')")
        .execute(&mut *dest)
        .await?;
    for (table, _) in present.iter().rev() {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *dest)
            .await?;
    }
    for (table, columns) in present {
        copy_table(&mut *source, &mut *dest, table, columns).await?;
        if dest_backend == Backend::Postgres && columns.iter().any(|(name, _)| name == "id") {
            // Explicit ids do not move an identity sequence forward.
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )))
            .execute(&mut *dest)
            .await?;
        }
    }
    Ok(())
}

/// Removes a scratch SQLite file and the journal files SQLite may have left beside it.
pub(crate) fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn scratch_copy(file: &Path) -> Result<PathBuf> {
    let scratch = std::env::temp_dir().join(format!(
        "mamori-restore-{}-{}.sqlite3",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::copy(file, &scratch)?;
    Ok(scratch)
}

/// The kind of value a column holds, from its declared SQLite type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Integer,
    Real,
    Text,
    Blob,
}

async fn sqlite_columns(
    conn: &mut sqlx::AnyConnection,
    table: &str,
) -> Result<Vec<(String, ColumnKind)>> {
    let rows = sqlx::query(AssertSqlSafe(format!("PRAGMA table_info({table})")))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let name: String = row.try_get("name")?;
            let declared: String = row.try_get("type")?;
            let kind = match declared.to_ascii_uppercase().as_str() {
                "INTEGER" | "BIGINT" => ColumnKind::Integer,
                "REAL" | "DOUBLE PRECISION" => ColumnKind::Real,
                "BLOB" => ColumnKind::Blob,
                _ => ColumnKind::Text,
            };
            Ok((name, kind))
        })
        .collect()
}

enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl Value {
    /// Roughly how much memory the value holds.
    fn weight(&self) -> usize {
        match self {
            Value::Text(Some(text)) => text.len(),
            Value::Blob(Some(bytes)) => bytes.len(),
            _ => 8,
        }
    }
}

/// The most bytes of row values a copy batch holds before it is written.
const BATCH_BYTES: usize = 4 * 1024 * 1024;

fn read_value(row: &AnyRow, index: usize, kind: ColumnKind) -> Result<Value> {
    Ok(match kind {
        ColumnKind::Integer => Value::Integer(row.try_get(index)?),
        ColumnKind::Real => Value::Real(row.try_get(index)?),
        ColumnKind::Text => Value::Text(row.try_get(index)?),
        ColumnKind::Blob => Value::Blob(row.try_get(index)?),
    })
}

/// Copies every row of `table` in batches of multi-row INSERTs.
async fn copy_table(
    source: &mut sqlx::AnyConnection,
    dest: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[(String, ColumnKind)],
) -> Result<()> {
    let names = columns
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // Stay well under SQLite's bound-parameter limit.
    let rows_per_batch = (900 / columns.len().max(1)).max(1);
    let mut pending: Vec<Vec<Value>> = Vec::with_capacity(rows_per_batch);
    let mut pending_bytes = 0usize;
    let select = format!("SELECT {names} FROM {table}");
    // Each batch is written as soon as it is read, so a backup of a large register
    // never holds a whole table in memory.
    let mut stream = sqlx::query(AssertSqlSafe(select)).fetch(&mut *source);
    while let Some(row) = stream.try_next().await? {
        let values = columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| read_value(&row, i, *kind))
            .collect::<Result<Vec<_>>>()?;
        pending_bytes += values.iter().map(Value::weight).sum::<usize>();
        pending.push(values);
        // File chunks are 256 KiB each: a batch is also bounded by its bytes.
        if pending.len() == rows_per_batch || pending_bytes >= BATCH_BYTES {
            pending_bytes = 0;
            let batch = std::mem::replace(&mut pending, Vec::with_capacity(rows_per_batch));
            insert_batch(dest, table, &names, columns.len(), batch).await?;
        }
    }
    drop(stream);
    if !pending.is_empty() {
        insert_batch(dest, table, &names, columns.len(), pending).await?;
    }
    Ok(())
}

async fn insert_batch(
    dest: &mut sqlx::AnyConnection,
    table: &str,
    names: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let mut placeholder = 0;
    let tuples = rows
        .iter()
        .map(|_| {
            let slots = (0..width)
                .map(|_| {
                    placeholder += 1;
                    format!("${placeholder}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("({slots})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("INSERT INTO {table} ({names}) VALUES {tuples}");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for value in rows.into_iter().flatten() {
        query = match value {
            Value::Integer(v) => query.bind(v),
            Value::Real(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Blob(v) => query.bind(v),
        };
    }
    query.execute(&mut *dest).await?;
    Ok(())
}

/// File name for a backup taken at `at`, sorting by time.
pub fn backup_file_name(prefix: &str, at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{prefix}-{:04}{:02}{:02}-{:02}{:02}{:02}.sqlite3",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

pub const DAILY_PREFIX: &str = "mamori-daily";
const PRE_UPGRADE_PREFIX: &str = "mamori-before-upgrade-";

/// The name of the backup taken before migrating schema `from` to `to`, without its time.
pub fn pre_upgrade_prefix(from: i64, to: i64) -> String {
    format!("{PRE_UPGRADE_PREFIX}{from}-to-{to}")
}

/// The newest backup taken before an upgrade in `dir`, if any: the one a rollback puts
/// back.
pub fn newest_pre_upgrade(dir: &Path) -> Result<Option<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    // "{from}-to-{to}-{stamp}[-n].sqlite3": ordered by the stamp, not by the versions.
    let stamp = |name: &str| -> Option<String> {
        let rest = name
            .strip_prefix(PRE_UPGRADE_PREFIX)?
            .strip_suffix(".sqlite3")?;
        let (_, after) = rest.split_once("-to-")?;
        Some(after.split_once('-')?.1.to_owned())
    };
    Ok(entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| {
            let key = stamp(path.file_name()?.to_str()?)?;
            Some((key, path))
        })
        .max()
        .map(|(_, path)| path))
}

/// A file in `dir` named for `prefix` and now that does not exist yet (two backups in the
/// same second get `-2`, `-3`, …).
pub fn fresh_backup_path(dir: &Path, prefix: &str) -> PathBuf {
    let name = backup_file_name(prefix, time::OffsetDateTime::now_utc());
    let first = dir.join(&name);
    if !first.exists() {
        return first;
    }
    let stem = name.trim_end_matches(".sqlite3");
    (2..)
        .map(|n| dir.join(format!("{stem}-{n}.sqlite3")))
        .find(|p| !p.exists())
        .expect("an unused name exists")
}

/// The daily backups in `dir` (sealed ones too), oldest first.
pub fn daily_backups(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with(DAILY_PREFIX)
                        && (n.ends_with(".sqlite3") || n.ends_with(".sqlite3.age"))
                })
            })
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    files.sort();
    Ok(files)
}

/// Keeps the newest `keep` daily backups and removes the rest.
pub fn prune_daily(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let files = daily_backups(dir)?;
    let excess = files.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = files.into_iter().take(excess).collect();
    for file in &removed {
        std::fs::remove_file(file)?;
    }
    Ok(removed)
}
