//! The use cases of mamori. Each is one function taking who acts ([`Acting`]) and a
//! typed input, returning a typed result or a [`Failure`]. A use case checks access
//! (through [`App::permit`], which records a refusal in the audit trail), checks the
//! input with the domain's rules, writes, and writes its audit entry in the same
//! transaction. Pages, the API and the command line are thin shells over these
//! functions; nothing here knows HTTP, HTML or templates.

mod acting;
mod failure;
pub mod i18n;
pub mod risks;
pub mod settings;
pub mod threats;

pub use acting::{Acting, Permit};
pub use failure::{Failure, Refusal};
pub use mamori_store::{Backend, Store};

/// The application: the store behind every use case.
#[derive(Clone)]
pub struct App {
    store: Store,
}

impl App {
    pub fn new(store: Store) -> App {
        App { store }
    }

    /// Opens (and migrates) the database at `url`.
    pub async fn open(url: &str) -> Result<App, Failure> {
        Ok(App::new(Store::open(url).await?))
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The store, for the use cases of this crate and for test fixtures.
    #[doc(hidden)]
    pub fn store(&self) -> &Store {
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
    time::OffsetDateTime::now_utc()
        .to_offset(mamori_domain::wareki::JST)
        .date()
}
