//! Shared state of the running application.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mamori_app::App;
use mamori_domain::session::{LockoutPolicy, SessionPolicy};

/// How the server is reached and where it keeps its files.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people type, e.g. `https://mamori.gikai.lg.jp` or `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Holds backups and logs (and the SQLite database by default).
    pub data_dir: PathBuf,
    pub sessions: SessionPolicy,
    pub lockout: LockoutPolicy,
    /// Failed sign-ins allowed per client address in [`RATE_WINDOW`].
    pub sign_in_rate: u32,
    /// How long a repeated form submission waits for the first one to finish before it
    /// is told that the first is still being processed (see `http::once`).
    pub once_wait: Duration,
    /// The mail server notices are sent through (`host:port (security)`), or `None`
    /// when mail is not configured and mails stay queued.
    pub mail_server: Option<String>,
    /// The largest file accepted into the file store, enforced while the upload is read.
    pub max_file_bytes: u64,
    /// Addresses that may read `/metrics`; none (the default) turns it off.
    pub metrics_allow: Vec<mamori_domain::address::AddressRange>,
    /// How daily backups are kept, copied and drilled: what the administrator's page
    /// measures them against.
    pub backups: mamori_app::backups::BackupPolicy,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<mamori_domain::address::AddressRange>,
}

/// The window of the per-address sign-in rate limit.
pub const RATE_WINDOW: Duration = Duration::from_secs(300);

impl WebConfig {
    pub fn new(public_url: String, data_dir: PathBuf) -> WebConfig {
        WebConfig {
            public_url,
            data_dir,
            sessions: SessionPolicy::default(),
            lockout: LockoutPolicy::default(),
            sign_in_rate: 30,
            once_wait: Duration::from_secs(20),
            mail_server: None,
            max_file_bytes: mamori_app::files::DEFAULT_MAX_FILE_BYTES,
            metrics_allow: Vec::new(),
            trusted_proxies: Vec::new(),
            backups: mamori_app::backups::BackupPolicy::new(14),
        }
    }
}

impl WebConfig {
    /// Served over TLS: HSTS is sent and cookies are marked Secure.
    pub fn is_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Where uploads are spooled while they arrive: on disk beside the data, never in
    /// memory (a tmpfs /tmp would be).
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}

#[derive(Clone)]
pub struct AppState {
    /// The use cases: the only way to the data.
    pub app: App,
    pub config: Arc<WebConfig>,
    /// The one-time first-run token, while no administrator exists.
    pub setup_token: Arc<Mutex<Option<String>>>,
    sign_in_attempts: Arc<Mutex<HashMap<IpAddr, Vec<Instant>>>>,
    /// Requests counted for `/metrics`.
    pub metrics: Arc<crate::http::metrics::RequestMetrics>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        AppState {
            app,
            config: Arc::new(config),
            setup_token: Arc::new(Mutex::new(None)),
            sign_in_attempts: Arc::new(Mutex::new(HashMap::new())),
            metrics: Arc::default(),
        }
    }

    /// Whether `client` has failed to sign in too often within the window (whatever
    /// logins it tried). Only failures count, so a busy office behind one address is not
    /// held up by its own successful sign-ins.
    pub fn sign_in_blocked(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut failures = self.sign_in_attempts.lock().expect("rate limiter lock");
        let times = failures.entry(client).or_default();
        times.retain(|t| now - *t < RATE_WINDOW);
        times.len() >= self.config.sign_in_rate as usize
    }

    pub fn record_sign_in_failure(&self, client: IpAddr) {
        let now = Instant::now();
        let mut failures = self.sign_in_attempts.lock().expect("rate limiter lock");
        if failures.len() > 10_000 {
            failures.retain(|_, times| times.iter().any(|t| now - *t < RATE_WINDOW));
        }
        failures.entry(client).or_default().push(now);
    }

    /// Issues a fresh setup token when no administrator exists, and returns the URL that
    /// opens the setup page. Each start issues a new token; earlier ones stop working.
    pub async fn open_setup(&self) -> Result<Option<String>, mamori_app::Failure> {
        if !mamori_app::setup::is_open(&self.app).await? {
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
            Some(expected) => crate::http::auth::constant_time_eq(expected, offered),
            None => false,
        }
    }

    pub fn close_setup(&self) {
        *self.setup_token.lock().expect("setup token lock") = None;
    }
}

pub use mamori_app::random_token;
