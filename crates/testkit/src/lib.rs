//! Test support shared by the integration tests: every test runs against a fresh SQLite
//! file and a fresh PostgreSQL database, through the real store and the real router.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod fixtures_files;
pub mod fixtures_in_use;
pub mod fixtures_people;
pub mod fixtures_policies;
pub mod fixtures_words;

pub use mamori_store::{Backend, Store};

pub mod fixtures_risks;
pub mod fixtures_start;
use mamori_web::{AppState, WebConfig};
use sqlx::{Connection, Executor};

/// The password of every user made by [`TestServer::add_user`].
pub const PASSWORD: &str = "a long enough test passphrase";

/// Set by `scripts/test`; points at a server where test databases may be created.
pub const POSTGRES_ENV: &str = "MAMORI_TEST_DATABASE_URL";
/// Set to 1 to run without PostgreSQL (a quick local loop); CI always has it.
pub const SKIP_POSTGRES_ENV: &str = "MAMORI_TEST_SKIP_POSTGRES";

pub mod fixtures_approvals;
pub mod fixtures_assets;
pub mod fixtures_cycle;
pub mod fixtures_notify;
pub mod fixtures_once;
pub mod openapi;
pub mod smtp;

/// The backends every integration test runs on.
pub fn backends() -> Vec<Backend> {
    if std::env::var(POSTGRES_ENV).is_ok() {
        vec![Backend::Sqlite, Backend::Postgres]
    } else if std::env::var(SKIP_POSTGRES_ENV).as_deref() == Ok("1") {
        eprintln!("warning: {SKIP_POSTGRES_ENV}=1, running on SQLite only");
        vec![Backend::Sqlite]
    } else {
        panic!(
            "{POSTGRES_ENV} is not set. Run ./scripts/test, which starts PostgreSQL, \
             or set {SKIP_POSTGRES_ENV}=1 for a SQLite-only run."
        )
    }
}

/// A fresh, empty database and a data directory, removed (SQLite) when dropped.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match backend {
            Backend::Sqlite => mamori_store::sqlite_url_for_data_dir(dir.path()),
            Backend::Postgres => fresh_postgres_database().await,
        };
        TestDb { backend, url, dir }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open store")
    }

    /// A raw connection for tests that must go around the store (tampering, schema checks).
    pub async fn raw(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("raw connection")
    }

    /// One number read on a raw connection: a count, a version.
    pub async fn number(&self, sql: &str) -> i64 {
        let mut conn = self.raw().await;
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs one statement on a raw connection, returning the database's refusal if any.
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        let mut conn = self.raw().await;
        conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Removes the triggers that keep the audit trail append-only, as someone with direct
    /// access to the database file or server could; the hash chain must still tell.
    pub async fn drop_audit_triggers(&self) {
        for trigger in ["audit_log_no_update", "audit_log_no_delete"] {
            match self.backend {
                Backend::Sqlite => {
                    self.execute(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                        .await
                }
                Backend::Postgres => {
                    self.execute(&format!("DROP TRIGGER IF EXISTS {trigger} ON audit_log"))
                        .await
                }
            }
        }
    }

    /// Runs one statement on a raw connection.
    pub async fn execute(&self, sql: &str) {
        let mut conn = self.raw().await;
        conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Test databases are never dropped by the test that made one (a failed test's database
/// is worth a look), so each test process removes, once, those of processes that have
/// ended: without it a developer's server fills the disk at ~9 MB a database.
async fn drop_leftover_databases(admin: &mut sqlx::AnyConnection) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    // Without /proc there is no telling which processes live.
    if DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
        || !std::path::Path::new("/proc/self").exists()
    {
        return;
    }
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'mamori\\_test\\_%\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    for name in names {
        let Some(pid) = name.split('_').nth(2) else {
            continue;
        };
        let ended =
            pid.parse::<u32>().is_ok() && !std::path::Path::new(&format!("/proc/{pid}")).exists();
        if ended {
            // Best effort: a database still in use is left for the next run.
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name}"
                )))
                .await;
        }
    }
}

async fn fresh_postgres_database() -> String {
    let admin_url = std::env::var(POSTGRES_ENV).expect("PostgreSQL URL");
    sqlx::any::install_default_drivers();
    let name = format!(
        "mamori_test_{}_{:016x}",
        std::process::id(),
        rand::random::<u64>()
    );
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    drop_leftover_databases(&mut admin).await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
        )))
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    format!("{base}/{name}")
}

/// A real mamori server on a random local port.
pub struct TestServer {
    pub db: TestDb,
    pub store: Store,
    pub state: AppState,
    pub base: String,
    pub address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// API responses that did not fit the OpenAPI document; the test fails with them.
    mismatches: Mismatches,
}

type Mismatches = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Checks every API response against the OpenAPI document (see [`openapi`]), keeping
/// what does not fit for the test to fail on; the response itself goes on unchanged.
async fn check_against_document(
    axum::extract::State(mismatches): axum::extract::State<Mismatches>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if method == axum::http::Method::HEAD || !openapi::is_api_path(&path) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            mismatches
                .lock()
                .expect("mismatches")
                .push(format!("{method} {path}: the body could not be read: {e}"));
            return axum::response::Response::from_parts(parts, axum::body::Body::empty());
        }
    };
    let content_type = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if let Err(problem) = openapi::check_response(
        openapi::document(),
        method.as_str(),
        &path,
        parts.status.as_u16(),
        content_type,
        &bytes,
    ) {
        eprintln!("OpenAPI mismatch: {problem}");
        mismatches.lock().expect("mismatches").push(problem);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(backend, None).await
    }

    /// `public_url` overrides the address people use (e.g. an https:// URL to test HSTS).
    pub async fn start_with(backend: Backend, public_url: Option<&str>) -> TestServer {
        let public_url = public_url.map(str::to_owned);
        TestServer::start_configured(backend, move |config| {
            if let Some(url) = public_url {
                config.public_url = url;
            }
        })
        .await
    }

    /// Starts with the default configuration changed by `configure` (timeouts, limits).
    pub async fn start_configured(
        backend: Backend,
        configure: impl FnOnce(&mut WebConfig),
    ) -> TestServer {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let base = format!("http://{address}");
        let mut config = WebConfig::new(base.clone(), db.data_dir().to_owned());
        configure(&mut config);
        let state = AppState::new(mamori_app::App::new(store.clone()), config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mismatches = Mismatches::default();
        let app = mamori_web::router(state.clone())
            .layer(axum::middleware::from_fn_with_state(
                mismatches.clone(),
                check_against_document,
            ))
            .into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .expect("server");
        });
        TestServer {
            db,
            store,
            state,
            base,
            address,
            shutdown: Some(tx),
            task: Some(task),
            mismatches,
        }
    }

    /// The API responses so far that did not fit the OpenAPI document (and forgets them).
    pub fn take_openapi_mismatches(&self) -> Vec<String> {
        std::mem::take(&mut *self.mismatches.lock().expect("mismatches"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Opens first-run setup and returns its token.
    pub async fn setup_token(&self) -> String {
        let url = self
            .state
            .open_setup()
            .await
            .expect("open setup")
            .expect("no administrator yet");
        url.rsplit_once("token=")
            .expect("token in URL")
            .1
            .to_owned()
    }

    /// Creates an active user with `role` directly in the store, returning its id. The
    /// password is always [`PASSWORD`].
    pub async fn add_user(&self, login: &str, role: mamori_domain::user::Role) -> i64 {
        self.add_account(login, role, mamori_domain::user::UserType::Staff, false)
            .await
    }

    /// An active account with password [`PASSWORD`] and the reading left empty;
    /// `must_change_password` as an administrator's new account has it.
    pub async fn add_account(
        &self,
        login: &str,
        role: mamori_domain::user::Role,
        user_type: mamori_domain::user::UserType,
        must_change_password: bool,
    ) -> i64 {
        let login_id = mamori_domain::user::LoginId::parse(login).expect("login");
        let hash = mamori_store::password::hash(PASSWORD).await.expect("hash");
        let mut tx = self
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .expect("write");
        let id = mamori_store::users::create(
            &mut tx,
            mamori_store::users::NewUser {
                login: &login_id,
                display_name: login,
                reading: None,
                role,
                user_type,
                password_hash: &hash,
                must_change_password,
            },
        )
        .await
        .expect("create user");
        tx.commit().await.expect("commit");
        id
    }

    /// A cookie-keeping client signed in as `login` (which must exist, with [`PASSWORD`]).
    pub async fn sign_in(&self, login: &str) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/login"))
            .form(&[("login", login), ("password", PASSWORD)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "sign-in of {login}"
        );
        client
    }

    /// A new user with `role`, signed in.
    pub async fn user_client(
        &self,
        login: &str,
        role: mamori_domain::user::Role,
    ) -> (i64, reqwest::Client) {
        let id = self.add_user(login, role).await;
        (id, self.sign_in(login).await)
    }

    /// GETs `path` with `client` and returns the body.
    pub async fn text(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.store.close().await;
    }
}

impl Drop for TestServer {
    /// Fails the test on any API response that did not fit the OpenAPI document, unless
    /// it is failing already.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mismatches = self.take_openapi_mismatches();
        if !mismatches.is_empty() {
            panic!(
                "{} API response(s) do not fit the OpenAPI document (/api/openapi.json):\n{}",
                mismatches.len(),
                mismatches.join("\n")
            );
        }
    }
}

/// The workspace's root, for tests that read files of the repository.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_owned()
}

/// Whether the PostgreSQL leg of a [`backend_test!`] runs: always under `scripts/test`;
/// skipped only when [`SKIP_POSTGRES_ENV`] is 1.
pub fn postgres_wanted() -> bool {
    backends().contains(&Backend::Postgres)
}

/// Declares an async test that runs once on SQLite and once on PostgreSQL, as two test
/// cases (`name::sqlite`, `name::postgres`) so that they run in parallel and fail apart.
///
/// ```ignore
/// backend_test!(async fn lists_assets(backend) { let server = TestServer::start(backend).await; … });
/// ```
#[macro_export]
macro_rules! backend_test {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: $crate::Backend) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                if $crate::postgres_wanted() {
                    run($crate::Backend::Postgres).await
                }
            }
        }
    };
}

/// A signed-in browser or script talking to a [`TestServer`]: every state-changing
/// request carries the site's `Origin`, as a browser's would.
pub struct Web<'a> {
    pub server: &'a TestServer,
    pub client: reqwest::Client,
}

impl TestServer {
    /// A new user with `role` (login `login`), signed in, as a [`Web`] client.
    pub async fn web_as(&self, login: &str, role: mamori_domain::user::Role) -> (i64, Web<'_>) {
        let (id, client) = self.user_client(login, role).await;
        (
            id,
            Web {
                server: self,
                client,
            },
        )
    }

    /// A client that is not signed in.
    pub fn web_anonymous(&self) -> Web<'_> {
        Web {
            server: self,
            client: self.client(),
        }
    }
}

impl Web<'_> {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.server.url(path))
            .send()
            .await
            .expect("GET")
    }

    /// The body of a GET, after checking its status is `expected`.
    pub async fn page(&self, path: &str, expected: u16) -> String {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert_eq!(status, expected, "GET {path}: {body}");
        body
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.json().await.expect("JSON body")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.server.url(path))
            .header("origin", &self.server.base)
            .form(form)
            .send()
            .await
            .expect("POST form")
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.server.url(path))
            .header("origin", &self.server.base)
            .json(body)
            .send()
            .await
            .expect("JSON request")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    /// POSTs raw bytes (a file sent as the request body).
    pub async fn post_bytes(&self, path: &str, bytes: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.server.url(path))
            .header("origin", &self.server.base)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("POST bytes")
    }

    /// POSTs a multipart form as a browser sends it: text fields and, if given, one file
    /// in the field `file` (name and bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> reqwest::Response {
        let boundary = "----mamoriTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                     filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.client
            .post(self.server.url(path))
            .header("origin", &self.server.base)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST multipart")
    }
}

/// Checks an API error: its status, the envelope `{"error": {"code", "message"}}` and its
/// code; returns the `error` object for further checks (its `fields`, say).
pub async fn assert_api_error(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    let got = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("error body is JSON");
    assert_eq!(got, status, "status of {body}");
    let error = body["error"].clone();
    assert_eq!(error["code"], code, "code of {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message in {body}"
    );
    error
}

/// The path a 303 sends to.
pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303, "a redirect");
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location header")
        .to_owned()
}
