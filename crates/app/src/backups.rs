//! Backups: one written on demand (`mamori backup`), a restore that keeps what it
//! replaces, and the daily backup that `serve` writes into the data directory. Taking
//! or restoring a backup is a security act: the command line, or an administrator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mamori_domain::access::{Act, Register};
use mamori_store::AuditEntry;
use mamori_store::backup::{self, DAILY_PREFIX};
use mamori_store::backup_runs;
pub use mamori_store::backup_runs::{Latest, Run, RunKind};
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
    backup_runs::insert(&mut tx, &Run::succeeded(RunKind::Backup, file, "")).await?;
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

/// Replaces the database with the backup in `file` (opened with `key` first when it is
/// sealed), after checking the file and keeping a copy of what it replaces in the data
/// directory's backups.
pub async fn restore(
    app: &App,
    acting: &Acting,
    file: &Path,
    data_dir: &Path,
    key: Option<&crate::sealing::OpenKey>,
) -> Result<Restored, Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "backup.restore")
        .await?;
    let opened = open_if_sealed(file, &backup_dir(data_dir), key)?;
    let plain = opened.as_ref().map_or(file, |o| o.0.as_path());
    let restored = async {
        // Check the file before touching anything.
        let summary = backup::inspect(plain).await?;
        let safety = backup::fresh_backup_path(&backup_dir(data_dir), "mamori-before-restore");
        backup::write_backup(app.store(), &safety).await?;
        let tx = permit.write(app).await?;
        backup::restore(app.store(), plain, file, tx).await?;
        Ok(Restored { summary, safety })
    }
    .await;
    drop(opened);
    restored
}

/// A sealed backup opened into a plain file, removed when dropped.
struct Opened(PathBuf);

impl Drop for Opened {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The plain copy of `file` in `dir` when it is sealed; `None` when it is plain already.
fn open_if_sealed(
    file: &Path,
    dir: &Path,
    key: Option<&crate::sealing::OpenKey>,
) -> Result<Option<Opened>, Failure> {
    let io = |e: std::io::Error| Failure::Store(e.into());
    if !crate::sealing::is_sealed(file).map_err(io)? {
        return Ok(None);
    }
    let Some(key) = key else {
        return Err(io(std::io::Error::other(format!(
            "{} is sealed: give --identity (an age identity file) or --passphrase-file",
            file.display()
        ))));
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let plain = dir.join(format!("opened-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&plain);
    crate::sealing::open_file(file, &plain, key).map_err(|e| io(std::io::Error::other(e)))?;
    Ok(Some(Opened(plain)))
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

/// How the daily backups are kept: how many, and where each is copied.
#[derive(Debug, Clone)]
pub struct BackupPolicy {
    /// Daily backups kept, here and in the copy location.
    pub keep: usize,
    /// A second location (a mounted share) each daily backup is copied to and checked.
    pub copy_to: Option<PathBuf>,
    /// Days after which a restore drill is due again.
    pub drill_every_days: i64,
    /// Who can open the copies: set, each copy is sealed (age) before it leaves.
    pub seal: Option<std::sync::Arc<crate::sealing::SealKey>>,
}

/// Days between restore drills unless the settings say otherwise.
pub const DEFAULT_DRILL_DAYS: i64 = 90;

impl BackupPolicy {
    pub fn new(keep: usize) -> BackupPolicy {
        BackupPolicy {
            keep: keep.max(1),
            copy_to: None,
            drill_every_days: DEFAULT_DRILL_DAYS,
            seal: None,
        }
    }
}

/// Writes a daily backup when the newest is a day old or missing, copies it to the
/// second location when one is set, then keeps the newest `keep` in each. Returns the
/// file written, if any. A failure is recorded for the administrator's home page.
pub async fn run_daily(
    app: &App,
    data_dir: &Path,
    policy: &BackupPolicy,
) -> Result<Option<PathBuf>, Failure> {
    let now = OffsetDateTime::now_utc();
    if latest_daily(data_dir).is_some_and(|at| now - at < time::Duration::hours(24)) {
        return Ok(None);
    }
    let dir = backup_dir(data_dir);
    let file = dir.join(backup::backup_file_name(DAILY_PREFIX, now));
    if let Err(e) = write_backup(app, &Acting::system("mamori serve"), &file).await {
        record(app, Run::failed(RunKind::Backup, &file, &e.to_string())).await?;
        return Err(e);
    }
    let removed = backup::prune_daily(&dir, policy.keep)?;
    tracing::info!(file = %file.display(), pruned = removed.len(), "daily backup written");
    if let Some(copy_to) = &policy.copy_to {
        copy_daily(app, &file, copy_to, policy).await?;
    }
    Ok(Some(file))
}

/// Copies `file` into `dir` — sealed first when the policy says so — reads the copy
/// back and compares it (by SHA-256), then keeps the newest `keep` daily backups there.
/// Recorded either way.
pub async fn copy_daily(
    app: &App,
    file: &Path,
    dir: &Path,
    policy: &BackupPolicy,
) -> Result<(), Failure> {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    if policy.seal.is_some() {
        name.push(".age");
    }
    let copy = dir.join(name);
    let copied = {
        let (file, copy, seal) = (file.to_owned(), copy.clone(), policy.seal.clone());
        tokio::task::spawn_blocking(move || match seal {
            None => copy_checked(&file, &copy),
            Some(key) => {
                // Sealed beside the backup, then copied and checked like a plain one.
                let sealed = file.with_extension("sqlite3.age");
                let _ = std::fs::remove_file(&sealed);
                crate::sealing::seal_file(&file, &sealed, &key).map_err(std::io::Error::other)?;
                let copied = copy_checked(&sealed, &copy);
                let _ = std::fs::remove_file(&sealed);
                copied
            }
        })
        .await
        .map_err(|e| Failure::Store(std::io::Error::other(e).into()))?
    };
    match copied {
        Ok(digest) => {
            record(app, Run::succeeded(RunKind::Copy, &copy, &digest)).await?;
            let removed = backup::prune_daily(dir, policy.keep)?;
            tracing::info!(copy = %copy.display(), pruned = removed.len(), "daily backup copied");
            Ok(())
        }
        Err(e) => {
            tracing::error!(copy = %copy.display(), error = %e, "daily backup not copied");
            record(app, Run::failed(RunKind::Copy, &copy, &e.to_string())).await?;
            Err(Failure::Store(e.into()))
        }
    }
}

/// Writes `copy` (via a `.partial` file, synced, then renamed) and checks it against the
/// original; returns the SHA-256 both share.
fn copy_checked(file: &Path, copy: &Path) -> std::io::Result<String> {
    use std::io::Write;
    let partial = copy.with_extension("partial");
    let written = (|| {
        let source = sha256_of(file)?;
        std::fs::create_dir_all(copy.parent().unwrap_or(Path::new(".")))?;
        let mut out = std::fs::File::create(&partial)?;
        std::io::copy(&mut std::fs::File::open(file)?, &mut out)?;
        out.flush()?;
        out.sync_all()?;
        let copied = sha256_of(&partial)?;
        if copied != source {
            return Err(std::io::Error::other(format!(
                "the copy differs from the backup (SHA-256 {copied} against {source})"
            )));
        }
        std::fs::rename(&partial, copy)?;
        Ok(source)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(crate::hex(&hasher.finalize()))
}

/// Records a run of the background work in its own transaction.
async fn record(app: &App, run: Run) -> Result<(), Failure> {
    let mut tx = app
        .store()
        .write(Acting::system("mamori serve").actor())
        .await?;
    backup_runs::record(&mut tx, &run).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks once an hour (and at start) whether the daily backup is due.
pub fn spawn_daily(
    app: App,
    data_dir: PathBuf,
    policy: BackupPolicy,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = run_daily(&app, &data_dir, &policy).await {
                tracing::error!(error = %e, "daily backup failed");
            }
        }
    })
}

/// A restore drill done.
#[derive(Debug, Clone)]
pub struct Drilled {
    pub file: PathBuf,
    pub summary: BackupSummary,
    pub audit_entries: u64,
    pub seconds: f64,
}

/// Restores the newest daily backup (from the copy location when one is set: that is
/// the copy to be relied on) or `file` into a scratch file, checks it and its audit
/// chain, and records the drill in the live audit trail, whatever it found.
pub async fn restore_drill(
    app: &App,
    acting: &Acting,
    data_dir: &Path,
    policy: &BackupPolicy,
    file: Option<&Path>,
    key: Option<&crate::sealing::OpenKey>,
) -> Result<Drilled, Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "backup.drill")
        .await?;
    let file = match file {
        Some(file) => file.to_owned(),
        None => {
            let dir = policy
                .copy_to
                .clone()
                .unwrap_or_else(|| backup_dir(data_dir));
            backup::daily_backups(&dir)?
                .pop()
                .ok_or_else(|| Failure::conflict("no_daily_backup", "cli.error.no_daily_backup"))?
        }
    };
    let started = std::time::Instant::now();
    let scratch = backup_dir(data_dir).join(format!("drill-{}.sqlite3", std::process::id()));
    std::fs::create_dir_all(backup_dir(data_dir)).map_err(mamori_store::StoreError::Io)?;
    let outcome = drill_file(&file, &scratch, key).await;
    let seconds = started.elapsed().as_secs_f64();
    let (run, result) = match outcome {
        Ok(report) => match &report.chain.first_break {
            None => (
                Run::succeeded(
                    RunKind::Drill,
                    &file,
                    &format!(
                        "schema {}, {} audit entries intact, {seconds:.1} s",
                        report.summary.schema_version, report.chain.entries
                    ),
                ),
                Ok(Drilled {
                    file: file.clone(),
                    audit_entries: report.chain.entries,
                    summary: report.summary,
                    seconds,
                }),
            ),
            Some(found) => {
                let detail = format!("audit chain broken at entry {}", found.id());
                (
                    Run::failed(RunKind::Drill, &file, &detail),
                    Err(Failure::conflict(
                        "drill_chain_broken",
                        "cli.error.drill_chain_broken",
                    )),
                )
            }
        },
        Err(e) => (Run::failed(RunKind::Drill, &file, &e.to_string()), Err(e)),
    };
    let mut tx = permit.write(app).await?;
    backup_runs::record(&mut tx, &run).await?;
    tx.commit().await?;
    result
}

/// Drills `file`, opening it first into a plain file when it is sealed.
async fn drill_file(
    file: &Path,
    scratch: &Path,
    key: Option<&crate::sealing::OpenKey>,
) -> Result<mamori_store::drill::DrillReport, Failure> {
    let dir = scratch.parent().unwrap_or(Path::new("."));
    let opened = open_if_sealed(file, dir, key)?;
    let plain = opened.as_ref().map_or(file, |o| o.0.as_path());
    Ok(mamori_store::drill::drill(plain, scratch).await?)
}

/// The last backup, copy and drill, and which are overdue.
#[derive(Debug, Clone)]
pub struct BackupStatus {
    pub latest: backup_runs::Latest,
    pub copy_configured: bool,
    pub backup_overdue: bool,
    pub copy_overdue: bool,
    pub drill_overdue: bool,
    pub drill_every_days: i64,
}

impl BackupStatus {
    pub fn needs_attention(&self) -> bool {
        self.backup_overdue
            || self.copy_overdue
            || self.drill_overdue
            || !self.latest.failed_since.is_empty()
    }
}

/// A daily backup or copy older than this is overdue (a day and a margin for the hourly
/// check).
const DAILY_OVERDUE_HOURS: i64 = 26;

/// For administrators: the state of backups, copies and drills.
pub async fn status(
    app: &App,
    acting: &Acting,
    policy: &BackupPolicy,
) -> Result<BackupStatus, Failure> {
    app.permit(acting, Register::Security, Act::Read, "backup.status")
        .await?;
    let latest = backup_runs::latest(app.store()).await?;
    let now = OffsetDateTime::now_utc();
    let older_than = |kind: RunKind, limit: time::Duration| {
        latest
            .succeeded(kind)
            .is_none_or(|run| now - run.at > limit)
    };
    let daily = time::Duration::hours(DAILY_OVERDUE_HOURS);
    Ok(BackupStatus {
        backup_overdue: older_than(RunKind::Backup, daily),
        copy_overdue: policy.copy_to.is_some() && older_than(RunKind::Copy, daily),
        drill_overdue: older_than(
            RunKind::Drill,
            time::Duration::days(policy.drill_every_days),
        ),
        copy_configured: policy.copy_to.is_some(),
        drill_every_days: policy.drill_every_days,
        latest,
    })
}

/// What a backup file holds, checked without opening the database.
pub async fn inspect(file: &Path) -> Result<BackupSummary, Failure> {
    Ok(backup::inspect(file).await?)
}
