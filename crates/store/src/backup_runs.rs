//! The record of daily backups, their copies to a second location and restore drills:
//! when each last succeeded, and what the last failure said.

use sqlx::Row;
use time::OffsetDateTime;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, parse_timestamp, timestamp_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Backup,
    Copy,
    Drill,
}

impl RunKind {
    pub const ALL: [RunKind; 3] = [RunKind::Backup, RunKind::Copy, RunKind::Drill];

    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Backup => "backup",
            RunKind::Copy => "copy",
            RunKind::Drill => "drill",
        }
    }

    fn parse(text: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub kind: RunKind,
    pub at: OffsetDateTime,
    pub ok: bool,
    pub file: String,
    pub detail: String,
}

impl Run {
    pub fn succeeded(kind: RunKind, file: &std::path::Path, detail: &str) -> Run {
        Run::new(kind, true, file, detail)
    }

    pub fn failed(kind: RunKind, file: &std::path::Path, detail: &str) -> Run {
        Run::new(kind, false, file, detail)
    }

    fn new(kind: RunKind, ok: bool, file: &std::path::Path, detail: &str) -> Run {
        Run {
            kind,
            at: OffsetDateTime::now_utc(),
            ok,
            file: file.display().to_string(),
            detail: detail.to_owned(),
        }
    }
}

/// Records a run without an audit entry: for a caller that writes its own.
pub async fn insert(tx: &mut WriteTx, run: &Run) -> Result<()> {
    sqlx::query("INSERT INTO backup_runs (kind, at, ok, file, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(run.kind.as_str())
        .bind(timestamp_text(run.at))
        .bind(i64::from(run.ok))
        .bind(run.file.clone())
        .bind(run.detail.clone())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Records a run, with its audit entry (`backup.<kind>` or `backup.<kind>_failed`), in
/// the caller's transaction.
pub async fn record(tx: &mut WriteTx, run: &Run) -> Result<()> {
    insert(tx, run).await?;
    let action = match (run.kind, run.ok) {
        (RunKind::Backup, true) => "backup.create",
        (RunKind::Backup, false) => "backup.create_failed",
        (RunKind::Copy, true) => "backup.copy",
        (RunKind::Copy, false) => "backup.copy_failed",
        (RunKind::Drill, true) => "backup.drill",
        (RunKind::Drill, false) => "backup.drill_failed",
    };
    let mut entry =
        AuditEntry::new(action, "database").change("file", None::<&str>, run.file.clone());
    if !run.detail.is_empty() {
        entry = entry.change("detail", None::<&str>, run.detail.clone());
    }
    tx.audit(entry).await
}

/// For each kind: the last successful run and the last run, when they differ (a failure
/// since).
#[derive(Debug, Clone, Default)]
pub struct Latest {
    pub succeeded: Vec<Run>,
    pub failed_since: Vec<Run>,
}

impl Latest {
    pub fn succeeded(&self, kind: RunKind) -> Option<&Run> {
        self.succeeded.iter().find(|r| r.kind == kind)
    }

    pub fn failed_since(&self, kind: RunKind) -> Option<&Run> {
        self.failed_since.iter().find(|r| r.kind == kind)
    }
}

pub async fn latest(store: &Store) -> Result<Latest> {
    let rows = sqlx::query(
        "SELECT id, kind, at, ok, file, detail FROM backup_runs WHERE id IN \
         (SELECT MAX(id) FROM backup_runs GROUP BY kind, ok)",
    )
    .fetch_all(store.pool())
    .await?;
    // By id, not time: two runs may share a second.
    let runs = rows
        .iter()
        .map(|row| Ok((row.try_get::<i64, _>("id")?, run_from_row(row)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut latest = Latest::default();
    for kind in RunKind::ALL {
        let last = |ok: bool| runs.iter().find(|(_, r)| r.kind == kind && r.ok == ok);
        let (succeeded, failed) = (last(true), last(false));
        if let Some((failed_id, failed)) = failed
            && succeeded.is_none_or(|(ok_id, _)| ok_id < failed_id)
        {
            latest.failed_since.push(failed.clone());
        }
        latest.succeeded.extend(succeeded.map(|(_, r)| r.clone()));
    }
    Ok(latest)
}

fn run_from_row(row: &sqlx::any::AnyRow) -> Result<Run> {
    let corrupt = |column: &'static str, value: String| StoreError::Corrupt {
        table: "backup_runs",
        row: String::new(),
        column,
        value,
    };
    let kind: String = row.try_get("kind")?;
    let at: String = row.try_get("at")?;
    let ok: i64 = row.try_get("ok")?;
    Ok(Run {
        kind: RunKind::parse(&kind).ok_or_else(|| corrupt("kind", kind.clone()))?,
        at: parse_timestamp(&at).ok_or_else(|| corrupt("at", at.clone()))?,
        ok: ok == 1,
        file: row.try_get("file")?,
        detail: row.try_get("detail")?,
    })
}
