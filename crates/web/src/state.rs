//! Shared state of the running application.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use mamori_store::Store;

/// How the server is reached and where it keeps its files.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people type, e.g. `https://mamori.gikai.lg.jp` or `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Holds backups and logs (and the SQLite database by default).
    pub data_dir: PathBuf,
}

impl WebConfig {
    /// Served over TLS: HSTS is sent and cookies are marked Secure.
    pub fn is_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// The one-time first-run token, while no administrator exists.
    pub setup_token: Arc<Mutex<Option<String>>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            setup_token: Arc::new(Mutex::new(None)),
        }
    }

    /// Issues a fresh setup token when no administrator exists, and returns the URL that
    /// opens the setup page. Each start issues a new token; earlier ones stop working.
    pub async fn open_setup(&self) -> mamori_store::Result<Option<String>> {
        if mamori_store::users::active_admin_exists(&self.store).await? {
            *self.setup_token.lock().expect("setup token lock") = None;
            return Ok(None);
        }
        let token = random_token();
        let url = format!(
            "{}/setup?token={token}",
            self.config.public_url.trim_end_matches('/')
        );
        *self.setup_token.lock().expect("setup token lock") = Some(token);
        Ok(Some(url))
    }

    /// Whether `offered` is the live setup token (constant-time comparison).
    pub fn setup_token_matches(&self, offered: &str) -> bool {
        let guard = self.setup_token.lock().expect("setup token lock");
        match guard.as_deref() {
            Some(expected) => constant_time_eq(expected.as_bytes(), offered.as_bytes()),
            None => false,
        }
    }

    pub fn close_setup(&self) {
        *self.setup_token.lock().expect("setup token lock") = None;
    }
}

/// 32 random bytes, URL-safe hex.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
