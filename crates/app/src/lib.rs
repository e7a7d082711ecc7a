//! The use cases of mamori. Each is one function taking who acts ([`Acting`]) and a
//! typed input, returning a typed result or a [`Failure`]. A use case checks access
//! (through [`App::permit`], which records a refusal in the audit trail), checks the
//! input with the domain's rules, writes, and writes its audit entry in the same
//! transaction. Pages, the API and the command line are thin shells over these
//! functions; nothing here knows HTTP, HTML or templates.

pub mod account;
mod acting;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod audit_anchor;
pub mod auth;
pub mod awareness;
pub mod backups;
pub mod classification;
pub mod continuity;
pub mod cycle;
pub mod exceptions;
mod failure;
pub mod files;
pub mod help;
pub mod home;
pub mod i18n;
pub mod incidents;
pub mod notifications;
pub mod once;
pub mod operations;
pub mod organisation;
pub mod parsing;
pub mod policies;
pub mod reminders;
pub mod retention;
pub mod risks;
pub mod sealing;
pub mod settings;
pub mod setup;
pub mod sheets;
pub mod term_changes;
pub mod threats;
pub mod training;
pub mod users;

pub use acting::{Acting, Permit};
pub use failure::{Failure, Refusal, confirm_future_dates};
use mamori_store::Store;
pub use mamori_store::{Actor, Backend, StoreError, sqlite_url_for_data_dir};

/// The application: the store behind every use case.
#[derive(Clone)]
pub struct App {
    store: Store,
    /// Slots for parsing uploaded files, see [`parsing`].
    parse_slots: parsing::ParseSlots,
}

impl App {
    pub fn new(store: Store) -> App {
        App {
            store,
            parse_slots: parsing::ParseSlots::new(parsing::DEFAULT_PARALLEL_IMPORTS),
        }
    }

    /// Opens (and migrates) the database at `url`.
    pub async fn open(url: &str) -> Result<App, Failure> {
        Ok(App::new(Store::open(url).await?))
    }

    /// Opens (and migrates) the database at `url` of the installation in `data_dir`:
    /// before an upgrade's migrations, the database as it stands is backed up into the
    /// data directory's backups.
    pub async fn open_in(url: &str, data_dir: &std::path::Path) -> Result<App, Failure> {
        let backups = backups::backup_dir(data_dir);
        Ok(App::new(Store::open_keeping(url, Some(&backups)).await?))
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The newest migration applied: answers only when the database does.
    pub async fn schema_version(&self) -> Result<i64, Failure> {
        Ok(self.store.schema_version().await?)
    }

    /// The store, for the use cases of this crate only: outside it, every read and
    /// write goes through a use case.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// The result of a use case.
pub type Outcome<T> = Result<T, Failure>;

/// Today's date in Japan, where every deadline and 年度 is counted.
pub fn today() -> time::Date {
    mamori_store::japan_today()
}

/// The day in Japan on which `at` fell.
pub fn japan_date(at: time::OffsetDateTime) -> time::Date {
    at.to_offset(mamori_domain::wareki::JST).date()
}

/// A date as ISO 8601 (`2026-04-01`), as the API and files write it.
pub fn date_text(date: time::Date) -> String {
    mamori_store::date_text(date)
}

/// A moment as RFC 3339 in UTC, as the API writes it.
pub fn timestamp_text(at: time::OffsetDateTime) -> String {
    mamori_store::timestamp_text(at)
}

/// The SHA-256 of a file, in hex, as the audit trail names an imported file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    mamori_store::sha256_hex(bytes)
}

/// Bytes in lowercase hex (a digest finished in steps).
pub fn hex(bytes: &[u8]) -> String {
    mamori_store::hex(bytes)
}

/// A random token (an upload waiting for its preview, say).
pub fn random_token() -> String {
    mamori_store::random_token()
}

#[cfg(test)]
mod layering;
