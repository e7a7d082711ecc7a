//! Rollback: the database put back exactly as a backup holds it, at the backup's own
//! (older) schema, so that the release that wrote the backup starts on it again. Used
//! when an upgrade went wrong: the backup taken before the upgrade is the one put back.
//!
//! Unlike a restore, nothing is migrated: every table of mamori is dropped, the schema
//! is built again up to the backup's version, and the backup's rows are copied in — all
//! in one transaction, both backends having transactional DDL. What it replaces is first
//! kept as a backup of its own.

use std::path::{Path, PathBuf};

use sqlx::{AssertSqlSafe, Row};

use crate::backup::{self, BackupSummary, replace_rows, tables_in};
use crate::migrations::{database_version, migrator};
use crate::{Actor, AuditEntry, Backend, Result, SqliteUse, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RollbackProblem {
    #[error("no backup taken before an upgrade in {0}")]
    NoPreUpgradeBackup(PathBuf),
    #[error("the database has no mamori schema to roll back")]
    NoDatabase,
    #[error(
        "the database (schema {database}) is older than the backup (schema {backup}): \
         that is an upgrade, which restore does"
    )]
    DatabaseOlder { database: i64, backup: i64 },
}

/// A rollback done.
#[derive(Debug, Clone)]
pub struct RolledBack {
    pub file: PathBuf,
    /// The schema the database had, and now has.
    pub from: i64,
    pub to: i64,
    pub summary: BackupSummary,
    /// Where the replaced database was kept.
    pub safety: PathBuf,
}

/// Puts back `file`, or the newest pre-upgrade backup of `backups`, into the database at
/// `url`, keeping what it replaces in `backups` first.
pub async fn rollback(url: &str, file: Option<&Path>, backups: &Path) -> Result<RolledBack> {
    let file = match file {
        Some(file) => file.to_owned(),
        None => backup::newest_pre_upgrade(backups)?
            .ok_or_else(|| RollbackProblem::NoPreUpgradeBackup(backups.to_owned()))?,
    };
    let summary = backup::inspect(&file).await?;
    let to = summary.schema_version;
    let store = Store::connect(url, 2, SqliteUse::Live).await?;
    let result = async {
        let from = database_version(&store)
            .await?
            .ok_or(RollbackProblem::NoDatabase)?;
        if from < to {
            return Err(RollbackProblem::DatabaseOlder {
                database: from,
                backup: to,
            }
            .into());
        }
        let safety =
            backup::fresh_backup_path(backups, &format!("mamori-before-rollback-{from}-to-{to}"));
        backup::write_backup(&store, &safety).await?;
        put_back(&store, &file, to).await?;
        let mut tx = store.write(Actor::system("mamori rollback")).await?;
        tx.audit_for_schema(
            AuditEntry::new("backup.rollback", "database")
                .change("file", None::<&str>, file.display().to_string())
                .change("schema_version", from, to)
                .change("kept", None::<&str>, safety.display().to_string()),
            to,
        )
        .await?;
        tx.commit().await?;
        Ok(RolledBack {
            file: file.clone(),
            from,
            to,
            summary,
            safety,
        })
    }
    .await;
    store.close().await;
    result
}

/// Drops mamori's tables and functions, builds the schema up to `version` and copies
/// the backup's rows, in one transaction.
async fn put_back(store: &Store, file: &Path, version: i64) -> Result<()> {
    let backup = Store::connect(
        &crate::sqlite_url_with_mode(file, "ro"),
        1,
        SqliteUse::ReadOnly,
    )
    .await?;
    let result = async {
        let mut source = backup.pool().begin().await?;
        let present = tables_in(&mut source).await?;
        let mut tx = store.pool().begin().await?;
        drop_schema(&mut tx, store.backend()).await?;
        migrator(store.backend())
            .run_to(version, &mut *tx)
            .await
            .map_err(|e| StoreError::MigrationMismatch(e.to_string()))?;
        replace_rows(&mut source, &mut tx, store.backend(), &present).await?;
        tx.commit().await?;
        source.rollback().await?;
        Ok(())
    }
    .await;
    backup.close().await;
    result
}

/// Every table (children first) and, on PostgreSQL, every function of the schema: the
/// database is mamori's own.
async fn drop_schema(tx: &mut sqlx::AnyConnection, backend: Backend) -> Result<()> {
    let (tables_sql, functions_sql) = match backend {
        Backend::Sqlite => (
            // Virtual tables first: their shadow tables go with them.
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY sql LIKE 'CREATE VIRTUAL%' DESC",
            None,
        ),
        Backend::Postgres => (
            "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()",
            Some(
                "SELECT p.oid::regprocedure::text AS name FROM pg_proc p \
                 JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE n.nspname = current_schema() AND NOT EXISTS \
                 (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
            ),
        ),
    };
    let mut names: Vec<String> = sqlx::query(tables_sql)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.try_get("name"))
        .collect::<std::result::Result<_, _>>()?;
    // Children before parents, so that no foreign key stands in the way.
    let order = |name: &str| backup::TABLES.iter().position(|t| *t == name);
    names.sort_by_key(|name| std::cmp::Reverse(order(name)));
    for name in names {
        let cascade = if backend == Backend::Postgres {
            " CASCADE"
        } else {
            ""
        };
        sqlx::query(AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS \"{name}\"{cascade}"
        )))
        .execute(&mut *tx)
        .await?;
    }
    if let Some(sql) = functions_sql {
        let functions: Vec<String> = sqlx::query(sql)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("name"))
            .collect::<std::result::Result<_, _>>()?;
        for function in functions {
            sqlx::query(AssertSqlSafe(format!(
                "DROP FUNCTION IF EXISTS {function} CASCADE"
            )))
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}
