//! Embedded migrations, one folder per backend, kept in step (a test compares the
//! resulting tables and columns).

use std::borrow::Cow;
use std::sync::OnceLock;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, Result, Store, StoreError};

/// (version, description, sqlite, postgres)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "security",
        include_str!("../migrations/sqlite/0002_security.sql"),
        include_str!("../migrations/postgres/0002_security.sql"),
    ),
    (
        3,
        "policies",
        include_str!("../migrations/sqlite/0003_policies.sql"),
        include_str!("../migrations/postgres/0003_policies.sql"),
    ),
    (
        4,
        "assets",
        include_str!("../migrations/sqlite/0004_assets.sql"),
        include_str!("../migrations/postgres/0004_assets.sql"),
    ),
    (
        5,
        "risks",
        include_str!("../migrations/sqlite/0005_risks.sql"),
        include_str!("../migrations/postgres/0005_risks.sql"),
    ),
    (
        6,
        "policy_withdrawal",
        include_str!("../migrations/sqlite/0006_policy_withdrawal.sql"),
        include_str!("../migrations/postgres/0006_policy_withdrawal.sql"),
    ),
    (
        7,
        "imports",
        include_str!("../migrations/sqlite/0007_imports.sql"),
        include_str!("../migrations/postgres/0007_imports.sql"),
    ),
    (
        8,
        "retention",
        include_str!("../migrations/sqlite/0008_retention.sql"),
        include_str!("../migrations/postgres/0008_retention.sql"),
    ),
    (
        9,
        "once",
        include_str!("../migrations/sqlite/0009_once.sql"),
        include_str!("../migrations/postgres/0009_once.sql"),
    ),
    (
        10,
        "approvals",
        include_str!("../migrations/sqlite/0010_approvals.sql"),
        include_str!("../migrations/postgres/0010_approvals.sql"),
    ),
    (
        11,
        "notifications",
        include_str!("../migrations/sqlite/0011_notifications.sql"),
        include_str!("../migrations/postgres/0011_notifications.sql"),
    ),
    (
        12,
        "files",
        include_str!("../migrations/sqlite/0012_files.sql"),
        include_str!("../migrations/postgres/0012_files.sql"),
    ),
    (
        13,
        "cycle",
        include_str!("../migrations/sqlite/0013_cycle.sql"),
        include_str!("../migrations/postgres/0013_cycle.sql"),
    ),
    (
        14,
        "exceptions",
        include_str!("../migrations/sqlite/0014_exceptions.sql"),
        include_str!("../migrations/postgres/0014_exceptions.sql"),
    ),
    (
        15,
        "user_reading",
        include_str!("../migrations/sqlite/0015_user_reading.sql"),
        include_str!("../migrations/postgres/0015_user_reading.sql"),
    ),
    (
        16,
        "threat_origin",
        include_str!("../migrations/sqlite/0016_threat_origin.sql"),
        include_str!("../migrations/postgres/0016_threat_origin.sql"),
    ),
    (
        17,
        "reminders",
        include_str!("../migrations/sqlite/0017_reminders.sql"),
        include_str!("../migrations/postgres/0017_reminders.sql"),
    ),
    (
        18,
        "audit_checks",
        include_str!("../migrations/sqlite/0018_audit_checks.sql"),
        include_str!("../migrations/postgres/0018_audit_checks.sql"),
    ),
    (
        19,
        "search",
        include_str!("../migrations/sqlite/0019_search.sql"),
        include_str!("../migrations/postgres/0019_search.sql"),
    ),
    (
        20,
        "asset_counts",
        include_str!("../migrations/sqlite/0020_asset_counts.sql"),
        include_str!("../migrations/postgres/0020_asset_counts.sql"),
    ),
    (
        21,
        "backup_runs",
        include_str!("../migrations/sqlite/0021_backup_runs.sql"),
        include_str!("../migrations/postgres/0021_backup_runs.sql"),
    ),
    (
        22,
        "retention",
        include_str!("../migrations/sqlite/0022_retention.sql"),
        include_str!("../migrations/postgres/0022_retention.sql"),
    ),
    (
        23,
        "organisation",
        include_str!("../migrations/sqlite/0023_organisation.sql"),
        include_str!("../migrations/postgres/0023_organisation.sql"),
    ),
    (
        24,
        "awareness",
        include_str!("../migrations/sqlite/0024_awareness.sql"),
        include_str!("../migrations/postgres/0024_awareness.sql"),
    ),
    (
        25,
        "training",
        include_str!("../migrations/sqlite/0025_training.sql"),
        include_str!("../migrations/postgres/0025_training.sql"),
    ),
    (
        26,
        "pledges",
        include_str!("../migrations/sqlite/0026_pledges.sql"),
        include_str!("../migrations/postgres/0026_pledges.sql"),
    ),
    (
        27,
        "term_changes",
        include_str!("../migrations/sqlite/0027_term_changes.sql"),
        include_str!("../migrations/postgres/0027_term_changes.sql"),
    ),
    (
        28,
        "incidents",
        include_str!("../migrations/sqlite/0028_incidents.sql"),
        include_str!("../migrations/postgres/0028_incidents.sql"),
    ),
    (
        29,
        "response_plan",
        include_str!("../migrations/sqlite/0029_response_plan.sql"),
        include_str!("../migrations/postgres/0029_response_plan.sql"),
    ),
    (
        30,
        "incident_reports",
        include_str!("../migrations/sqlite/0030_incident_reports.sql"),
        include_str!("../migrations/postgres/0030_incident_reports.sql"),
    ),
    (
        31,
        "continuity",
        include_str!("../migrations/sqlite/0031_continuity.sql"),
        include_str!("../migrations/postgres/0031_continuity.sql"),
    ),
    (
        32,
        "incident_links",
        include_str!("../migrations/sqlite/0032_incident_links.sql"),
        include_str!("../migrations/postgres/0032_incident_links.sql"),
    ),
];

/// The schema version this binary writes: its newest migration.
pub fn schema_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0)
}

pub(crate) fn migrator(backend: Backend) -> &'static Migrator {
    static SQLITE: OnceLock<Migrator> = OnceLock::new();
    static POSTGRES: OnceLock<Migrator> = OnceLock::new();
    let build = |pick: fn(&(i64, &str, &'static str, &'static str)) -> &'static str| {
        Migrator::with_migrations(
            MIGRATIONS
                .iter()
                .map(|m| {
                    Migration::new(
                        m.0,
                        Cow::Borrowed(m.1),
                        MigrationType::Simple,
                        pick(m).into_sql_str(),
                        false,
                    )
                })
                .collect(),
        )
    };
    match backend {
        Backend::Sqlite => SQLITE.get_or_init(|| build(|m| m.2)),
        Backend::Postgres => POSTGRES.get_or_init(|| build(|m| m.3)),
    }
}

use sqlx::SqlSafeStr;

/// The newest applied migration, or None on an empty database.
pub(crate) async fn database_version(store: &Store) -> Result<Option<i64>> {
    let exists_sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let exists: i64 = sqlx::query_scalar(exists_sql)
        .fetch_one(store.pool())
        .await?;
    if exists == 0 {
        return Ok(None);
    }
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(store.pool())
            .await?;
    Ok(version)
}

/// Applies the migrations before `version` only, leaving the database as a release
/// without `version` left it: for the tests that show a migration carries old rows over.
/// No reference data (presets, threats, matrix) is stored: this binary's seed writes the
/// newest schema's columns, so a test that needs such rows writes them as the old release
/// did.
#[doc(hidden)]
pub async fn migrate_before(url: &str, version: i64) -> Result<()> {
    let store = Store::connect(url, 1, crate::SqliteUse::Live).await?;
    migrator(store.backend())
        .run_to(version - 1, store.pool())
        .await
        .map_err(|e| StoreError::MigrationMismatch(e.to_string()))?;
    store.close().await;
    Ok(())
}

/// Refuses a database written by a newer mamori, then applies what is pending.
pub(crate) async fn apply(store: &Store) -> Result<()> {
    let binary = schema_version();
    if let Some(database) = database_version(store).await?
        && database > binary
    {
        return Err(StoreError::SchemaTooNew { database, binary });
    }
    migrator(store.backend())
        .run(store.pool())
        .await
        .map_err(|e| StoreError::MigrationMismatch(e.to_string()))?;
    // Text a migration cannot index (grams are cut in Rust) is indexed here, once.
    crate::incidents::index_unindexed(store).await?;
    Ok(())
}

/// What this binary would do to a database: read only, nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradePlan {
    /// The newest migration applied; `None` when there is no mamori database there yet.
    pub database: Option<i64>,
    /// The newest migration of this binary.
    pub binary: i64,
    /// The migrations that would be applied, oldest first (version, name).
    pub pending: Vec<(i64, String)>,
}

impl UpgradePlan {
    /// Written by a newer mamori: this binary refuses to start on it.
    pub fn too_new(&self) -> bool {
        self.database.is_some_and(|d| d > self.binary)
    }
}

/// Compares the database at `url` with this binary's migrations without changing
/// anything (a SQLite file is opened read-only, and not created when missing).
pub async fn upgrade_plan(url: &str) -> Result<UpgradePlan> {
    let read_only = match Backend::from_url(url)? {
        Backend::Sqlite if url.contains("mode=") => url
            .replace("mode=rwc", "mode=ro")
            .replace("mode=rw", "mode=ro"),
        Backend::Sqlite if url.contains('?') => format!("{url}&mode=ro"),
        Backend::Sqlite => format!("{url}?mode=ro"),
        Backend::Postgres => url.to_owned(),
    };
    let store = match Store::connect(&read_only, 1, crate::SqliteUse::ReadOnly).await {
        Ok(store) => store,
        // SQLITE_CANTOPEN: no file there yet.
        Err(StoreError::Database(sqlx::Error::Database(e)))
            if e.code().as_deref() == Some("14") =>
        {
            return Ok(plan(None));
        }
        Err(e) => return Err(e),
    };
    let database = database_version(&store).await;
    store.close().await;
    Ok(plan(database?))
}

fn plan(database: Option<i64>) -> UpgradePlan {
    let applied = database.unwrap_or(0);
    UpgradePlan {
        database,
        binary: schema_version(),
        pending: MIGRATIONS
            .iter()
            .filter(|m| m.0 > applied)
            .map(|m| (m.0, m.1.to_owned()))
            .collect(),
    }
}
