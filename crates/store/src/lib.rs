//! Persistence for mamori: one `sqlx::AnyPool` over SQLite (the default) or PostgreSQL.
//! Handlers never see SQL or driver types; every write goes through [`WriteTx`], which
//! appends the audit entry in the same transaction.

pub mod approvals;
pub mod assets;
pub mod audit;
pub mod audit_checks;
pub mod audit_redaction;
pub mod awareness;
pub mod backup;
pub mod backup_runs;
pub mod calendar;
pub mod classification;
pub mod continuity;
pub mod corrective;
pub mod drill;
pub mod exceptions;
pub mod files;
pub mod incident_reports;
pub mod incidents;
mod migrations;
pub mod notifications;
pub mod once;
pub mod organisation;
pub mod password;
pub mod pledges;
pub mod policies;
pub mod progress;
pub mod reminders;
pub mod response_plan;
pub mod retention;
pub mod reviews;
pub mod risks;
pub mod rollback;
pub mod sessions;
pub mod settings;
pub mod sql;
pub mod term_changes;
pub mod tokens;
pub mod training;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use audit::{Actor, AuditEntry};
pub use migrations::migrate_before;
pub use migrations::schema_version as binary_schema_version;
pub use migrations::{UpgradePlan, upgrade_plan};

/// Which database engine sits behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error(
        "the database has schema version {database}, newer than this mamori binary knows ({binary}); \
         run the newer mamori release that wrote it, or restore a backup made with this release"
    )]
    SchemaTooNew { database: i64, binary: i64 },
    #[error("the database was migrated by a different build of mamori: {0}")]
    MigrationMismatch(String),
    #[error("not found")]
    NotFound,
    /// A stored value the domain cannot read: never replaced by a default, since an
    /// audit-grade register must show corruption rather than hide it.
    #[error("corrupt record: table {table}, row {row}, column {column}: {value:?}")]
    Corrupt {
        table: &'static str,
        row: String,
        column: &'static str,
        value: String,
    },
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("a write was committed without its audit entry")]
    MissingAudit,
    #[error("backup refused: {0}")]
    Backup(#[from] backup::BackupProblem),
    #[error("rollback refused: {0}")]
    Rollback(#[from] rollback::RollbackProblem),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// The database is momentarily unavailable (pool exhausted, or SQLite locked past the
    /// busy timeout): worth a 503 and a retry, not a 500.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(e)) => {
                let message = e.message();
                message.contains("database is locked") || message.contains("database is busy")
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Reads a stored code into its domain value, or names what is corrupt.
pub fn decode<T>(
    table: &'static str,
    row: impl ToString,
    column: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T> {
    parse(value).ok_or_else(|| StoreError::Corrupt {
        table,
        row: row.to_string(),
        column,
        value: value.chars().take(100).collect(),
    })
}

/// A stored RFC 3339 timestamp, or what is corrupt.
pub fn decode_timestamp(
    table: &'static str,
    row: impl ToString,
    column: &'static str,
    value: &str,
) -> Result<time::OffsetDateTime> {
    decode(table, row, column, value, parse_timestamp)
}

/// A stored ISO 8601 date (`2026-04-01`), or what is corrupt.
pub fn decode_date(
    table: &'static str,
    row: impl ToString,
    column: &'static str,
    value: &str,
) -> Result<time::Date> {
    decode(table, row, column, value, parse_date)
}

pub fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// Today's date in Japan, where terms of posts and deadlines are counted.
pub fn japan_today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(mamori_domain::wareki::JST)
        .date()
}

pub fn date_text(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The SQLite URL for the database file inside a data directory.
pub fn sqlite_url_for_data_dir(data_dir: &Path) -> String {
    sqlite_url(&data_dir.join("mamori.sqlite3"))
}

pub fn sqlite_url(file: &Path) -> String {
    sqlite_url_with_mode(file, "rwc")
}

/// An absolute, percent-encoded `sqlite://` URL, so that paths with spaces, `%`, `?` or
/// `#` (令和8年 3月.sqlite3) and relative paths (read as a host otherwise) work.
pub fn sqlite_url_with_mode(file: &Path, mode: &str) -> String {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    let mut encoded = String::new();
    for byte in absolute.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(*byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    format!("sqlite://{encoded}?mode={mode}")
}

/// How a SQLite file is used: the live database (WAL, shared with the CLI while the
/// server runs), or a self-contained file such as a backup (rollback journal, so no
/// `-wal`/`-shm` files are left beside it), or a file only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqliteUse {
    Live,
    SingleFile,
    ReadOnly,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects, refuses a schema newer than this binary, and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_keeping(url, None).await
    }

    /// Like [`Store::open`]; when migrations are pending on a database that has data, a
    /// backup of it as it stands is written into `backups` first (the way back should
    /// the upgrade go wrong), named `mamori-before-upgrade-<from>-to-<to>-<time>`.
    pub async fn open_keeping(url: &str, backups: Option<&Path>) -> Result<Store> {
        let store = Store::connect(url, 8, SqliteUse::Live).await?;
        if let Some(dir) = backups
            && let Some(database) = migrations::database_version(&store).await?
            && database < migrations::schema_version()
        {
            let prefix = backup::pre_upgrade_prefix(database, migrations::schema_version());
            let file = backup::fresh_backup_path(dir, &prefix);
            backup::write_backup(&store, &file).await?;
            tracing::info!(file = %file.display(), from = database, to = migrations::schema_version(), "backup written before the upgrade");
        }
        migrations::apply(&store).await?;
        install_reference_data(&store).await?;
        Ok(store)
    }

    /// Connects without touching the schema.
    pub(crate) async fn connect(
        url: &str,
        max_connections: u32,
        usage: SqliteUse,
    ) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        let pragmas = match usage {
                            // WAL lets the server keep reading while the CLI writes or backs up.
                            SqliteUse::Live => {
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; \
                                 PRAGMA cache_size = -1024;"
                            }
                            SqliteUse::SingleFile => {
                                "PRAGMA journal_mode = DELETE; PRAGMA foreign_keys = ON;"
                            }
                            SqliteUse::ReadOnly => "PRAGMA query_only = ON;",
                        };
                        conn.execute(pragmas).await?;
                    } else {
                        // mamori's queries are short: compiling one (which the search's
                        // costly index expression would set off) took 50-150 ms.
                        conn.execute("SET jit = off").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The newest migration applied to this database.
    pub async fn schema_version(&self) -> Result<i64> {
        migrations::database_version(self)
            .await
            .map(|v| v.unwrap_or(0))
    }

    /// Starts a write. Writes are serialised: SQLite takes the write lock at once
    /// (`BEGIN IMMEDIATE`, so two writers never deadlock upgrading a read lock), and
    /// PostgreSQL takes a transaction-scoped advisory lock, which also keeps the audit
    /// hash chain linear.
    pub async fn write(&self, actor: Actor) -> Result<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7262021)")
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(WriteTx {
            tx,
            backend: self.backend,
            actor,
            audited: false,
        })
    }
}

/// Audit entries a new installation starts with: the storing of its reference data.
pub const INSTALL_AUDIT_ENTRIES: u64 = 1;

/// Stores what a new installation starts from — the classification presets, the threat
/// catalogue of clause 3 and the default risk matrix — whichever of them is missing
/// (an upgrade adds what a new release brings), in one transaction with one audit entry.
async fn install_reference_data(store: &Store) -> Result<()> {
    let mut tx = store.write(Actor::system("mamori")).await?;
    let mut seeded = classification::seed(&mut tx).await?;
    seeded.extend(risks::seed(&mut tx).await?);
    if seeded.is_empty() {
        return Ok(());
    }
    tx.audit(AuditEntry::new("setup.reference_data", "database").change(
        "seeded",
        None::<&str>,
        &seeded,
    ))
    .await?;
    tx.commit().await
}

/// A write transaction. `commit` refuses to commit a change that wrote no audit entry.
pub struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
    pub(crate) actor: Actor,
    audited: bool,
}

impl WriteTx {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub async fn audit(&mut self, entry: AuditEntry) -> Result<()> {
        audit::append(&mut self.tx, &self.actor, entry, audit::FORMAT).await?;
        self.audited = true;
        Ok(())
    }

    /// [`WriteTx::audit`] on a database whose schema is `schema` (a rollback): in the
    /// format that schema's release writes.
    pub(crate) async fn audit_for_schema(&mut self, entry: AuditEntry, schema: i64) -> Result<()> {
        let format = if schema < audit::FORMAT_SINCE_SCHEMA {
            1
        } else {
            audit::FORMAT
        };
        audit::append(&mut self.tx, &self.actor, entry, format).await?;
        self.audited = true;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        if !self.audited {
            self.tx.rollback().await?;
            return Err(StoreError::MissingAudit);
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// The current time as stored: RFC 3339 UTC with seconds precision.
pub fn now_text() -> String {
    timestamp_text(time::OffsetDateTime::now_utc())
}

pub fn timestamp_text(at: time::OffsetDateTime) -> String {
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn parse_timestamp(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// 32 random bytes as lower-case hex: session, CSRF and API tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Bytes in lowercase hex: digests as the audit trail and the file store write them.
pub fn hex(bytes: &[u8]) -> String {
    // Without a `format!` per byte: the chain check hashes a million entries.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
