//! The daily backup that `serve` writes into the data directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mamori_store::backup::{self, DAILY_PREFIX};
use mamori_store::{Actor, AuditEntry, Store};
use time::OffsetDateTime;

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

/// Writes a daily backup when the newest is a day old or missing, then keeps the newest
/// `keep`. Returns the file written, if any.
pub async fn run_daily(
    store: &Store,
    data_dir: &Path,
    keep: usize,
) -> anyhow::Result<Option<PathBuf>> {
    let now = OffsetDateTime::now_utc();
    if latest_daily(data_dir).is_some_and(|at| now - at < time::Duration::hours(24)) {
        return Ok(None);
    }
    let dir = backup_dir(data_dir);
    let file = dir.join(backup::backup_file_name(DAILY_PREFIX, now));
    let summary = backup::write_backup(store, &file).await?;
    let mut tx = store.write(Actor::system("mamori serve")).await?;
    tx.audit(
        AuditEntry::new("backup.create", "database")
            .change("file", None::<&str>, file.display().to_string())
            .change("schema_version", None::<i64>, summary.schema_version),
    )
    .await?;
    tx.commit().await?;
    let removed = backup::prune_daily(&dir, keep)?;
    tracing::info!(file = %file.display(), pruned = removed.len(), "daily backup written");
    Ok(Some(file))
}

/// Checks once an hour (and at start) whether the daily backup is due.
pub fn spawn_daily(store: Store, data_dir: PathBuf, keep: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = run_daily(&store, &data_dir, keep).await {
                tracing::error!(error = %e, "daily backup failed");
            }
        }
    })
}
