//! Backups: one written on demand (`mamori backup`), a restore that keeps what it
//! replaces, and the daily backup that `serve` writes into the data directory. Taking
//! or restoring a backup is a security act: the command line, or an administrator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mamori_domain::access::{Act, Register};
use mamori_store::AuditEntry;
use mamori_store::backup::{self, DAILY_PREFIX};
use time::OffsetDateTime;

use crate::{Acting, App, Failure};

pub use mamori_store::UpgradePlan;
pub use mamori_store::backup::{BackupProblem, BackupSummary};
pub use mamori_store::rollback::{RollbackProblem, RolledBack};

/// What this binary would migrate in the database at `url`, changing nothing.
pub async fn upgrade_plan(url: &str) -> Result<UpgradePlan, Failure> {
    Ok(mamori_store::upgrade_plan(url).await?)
}

/// Where the daily backups and the safety copies of a restore are kept.
pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// When the newest daily backup was taken, read from its file name.
pub fn latest_daily(data_dir: &Path) -> Option<OffsetDateTime> {
    let files = backup::daily_backups(&backup_dir(data_dir)).ok()?;
    files.iter().rev().find_map(|path| taken_at(path))
}

fn taken_at(path: &Path) -> Option<OffsetDateTime> {
    let name = path.file_name()?.to_str()?;
    let stamp = name
        .strip_prefix(DAILY_PREFIX)?
        .strip_prefix('-')?
        .strip_suffix(".sqlite3")?;
    let format = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    time::PrimitiveDateTime::parse(stamp, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// Writes a backup of the whole database to `file` and records it.
pub async fn write_backup(
    app: &App,
    acting: &Acting,
    file: &Path,
) -> Result<BackupSummary, Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "backup.create")
        .await?;
    let summary = backup::write_backup(app.store(), file).await?;
    let mut tx = permit.write(app).await?;
    tx.audit(
        AuditEntry::new("backup.create", "database")
            .change("file", None::<&str>, file.display().to_string())
            .change("schema_version", None::<i64>, summary.schema_version),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// A restore done: what the backup held, and where the replaced data was kept.
#[derive(Debug, Clone)]
pub struct Restored {
    pub summary: BackupSummary,
    pub safety: PathBuf,
}

/// Replaces the database with the backup in `file`, after checking the file and
/// keeping a copy of what it replaces in the data directory's backups.
pub async fn restore(
    app: &App,
    acting: &Acting,
    file: &Path,
    data_dir: &Path,
) -> Result<Restored, Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "backup.restore")
        .await?;
    // Check the file before touching anything.
    let summary = backup::inspect(file).await?;
    let safety = backup::fresh_backup_path(&backup_dir(data_dir), "mamori-before-restore");
    backup::write_backup(app.store(), &safety).await?;
    let tx = permit.write(app).await?;
    backup::restore(app.store(), file, tx).await?;
    Ok(Restored { summary, safety })
}

/// Held by `serve` for as long as it runs on a data directory, so that a rollback
/// cannot pull the database from under it.
#[derive(Debug)]
pub struct ServeLock {
    _file: std::fs::File,
}

impl ServeLock {
    /// The lock of `data_dir`, or `None` while a `serve` holds it.
    pub fn take(data_dir: &Path) -> std::io::Result<Option<ServeLock>> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(data_dir.join("serve.lock"))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ServeLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// Puts back the backup taken before the last upgrade (or `file`) exactly as it is, at
/// its older schema, so that the release before the upgrade starts on it again. Run
/// from the command line with `serve` stopped; what it replaces is kept first.
pub async fn rollback(
    url: &str,
    data_dir: &Path,
    file: Option<&Path>,
) -> Result<RolledBack, Failure> {
    let Some(_lock) = ServeLock::take(data_dir).map_err(mamori_store::StoreError::Io)? else {
        return Err(Failure::conflict(
            "serve_running",
            "cli.error.serve_running",
        ));
    };
    Ok(mamori_store::rollback::rollback(url, file, &backup_dir(data_dir)).await?)
}

/// The newest backup taken before an upgrade, if any.
pub fn newest_pre_upgrade(data_dir: &Path) -> Result<Option<PathBuf>, Failure> {
    Ok(backup::newest_pre_upgrade(&backup_dir(data_dir))?)
}

/// Writes a daily backup when the newest is a day old or missing, then keeps the newest
/// `keep`. Returns the file written, if any.
pub async fn run_daily(
    app: &App,
    data_dir: &Path,
    keep: usize,
) -> Result<Option<PathBuf>, Failure> {
    let now = OffsetDateTime::now_utc();
    if latest_daily(data_dir).is_some_and(|at| now - at < time::Duration::hours(24)) {
        return Ok(None);
    }
    let dir = backup_dir(data_dir);
    let file = dir.join(backup::backup_file_name(DAILY_PREFIX, now));
    write_backup(app, &Acting::system("mamori serve"), &file).await?;
    let removed = backup::prune_daily(&dir, keep)?;
    tracing::info!(file = %file.display(), pruned = removed.len(), "daily backup written");
    Ok(Some(file))
}

/// Checks once an hour (and at start) whether the daily backup is due.
pub fn spawn_daily(app: App, data_dir: PathBuf, keep: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = run_daily(&app, &data_dir, keep).await {
                tracing::error!(error = %e, "daily backup failed");
            }
        }
    })
}

/// What a backup file holds, checked without opening the database.
pub async fn inspect(file: &Path) -> Result<BackupSummary, Failure> {
    Ok(backup::inspect(file).await?)
}
