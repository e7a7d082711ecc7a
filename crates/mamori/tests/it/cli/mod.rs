//! End-to-end tests of the `mamori` binary. Each test runs the real executable as a child
//! process, on a fresh SQLite data directory and on a fresh PostgreSQL database, and
//! checks what an administrator would see: exit codes, console messages, HTTP answers
//! and files on disk.
//!
//! Children get a clean environment (no inherited `MAMORI_*` settings, English messages)
//! and a private working directory, so that neither the developer's shell nor a stray
//! `./mamori.toml` can change what is tested. Every child is killed if a test fails
//! while it still runs.
//!
//! This file is the harness (running the binary, waiting for it, reading its output);
//! the tests are in the modules below.

mod accounts;
mod audit;
mod backups;
mod crash;
mod hostile;
mod release;
mod serve;
mod tls;
mod upgrade;

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use mamori_store::Backend;
use mamori_testkit::{TestDb, backends};
use serde::Deserialize;

const PASSWORD: &str = "correct horse battery staple";
const DISPLAY_NAME: &str = "山田太郎";
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";
const HTTPS_PUBLIC_URL: &str = "https://mamori.example.lg.jp";

/// Longest any one-shot command may take before the test gives up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest `serve` may take to say it is listening (a hang guard, not the budget).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// From spawn to the first healthy answer. Generous for a loaded CI machine.
const STARTUP_BUDGET: Duration = Duration::from_secs(5);
/// From SIGTERM / SIGINT to exit.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

// ---------------------------------------------------------------------------------------
// Async glue: the tests are synchronous (child processes, pipes, threads); the few async
// calls (test databases, HTTP) run on one shared runtime.

fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime")
        })
        .block_on(future)
}

/// No idle connections are kept: each server lives briefly and ports may be reused.
fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("HTTP client")
    })
}

fn get(url: &str) -> reqwest::Response {
    // Built inside the runtime: reqwest arms its timeout when the request is sent.
    block_on(async { http().get(url).send().await }).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// Signs in over the API as `login` and GETs `path`: (status, JSON body).
fn get_signed_in(
    server: &Server,
    login: &str,
    password: &str,
    path: &str,
) -> (u16, serde_json::Value) {
    block_on(async {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let signed_in = client
            .post(server.url("/api/v1/session"))
            .json(&serde_json::json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 200, "{login} signs in");
        let response = client.get(server.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    })
}

#[derive(Debug, Deserialize)]
struct Health {
    status: String,
    schema_version: i64,
    backend: String,
}

// ---------------------------------------------------------------------------------------
// Child processes.

/// Kills the child when dropped, so a failed assertion never leaves mamori running.
struct ChildGuard(Child);

impl ChildGuard {
    fn id(&self) -> u32 {
        self.0.id()
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.0.try_wait().expect("try_wait")
    }

    /// Waits up to `limit` for the child to exit.
    fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// The binary with a clean environment, English messages, and `cwd` as its working
/// directory.
///
/// `MAMORI_TEST_BIN` runs another build instead (the hostile-file tests print the
/// server's memory, measured on a release build this way).
fn mamori(cwd: &Path) -> Command {
    let binary = std::env::var_os("MAMORI_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_mamori")));
    let mut command = Command::new(binary);
    for var in [
        "MAMORI_CONFIG",
        "MAMORI_DATA_DIR",
        "MAMORI_DATABASE_URL",
        "MAMORI_LISTEN",
        "MAMORI_PUBLIC_URL",
        "MAMORI_BACKUP_KEEP",
        "MAMORI_SESSION_IDLE_MINUTES",
        "MAMORI_SESSION_ABSOLUTE_HOURS",
        "MAMORI_LOCKOUT_ATTEMPTS",
        "MAMORI_LOCKOUT_MINUTES",
        "MAMORI_SMTP_HOST",
        "MAMORI_SMTP_PORT",
        "MAMORI_SMTP_SECURITY",
        "MAMORI_SMTP_USER",
        "MAMORI_SMTP_PASSWORD",
        "MAMORI_SMTP_PASSWORD_FILE",
        "MAMORI_SMTP_FROM",
        "MAMORI_SMTP_CA_FILE",
        "MAMORI_LOG",
        "MAMORI_MAX_FILE_MB",
        "MAMORI_PARALLEL_IMPORTS",
        "MAMORI_METRICS_ALLOW",
        "MAMORI_LOG_FORMAT",
        "MAMORI_TLS_CERT",
        "MAMORI_TLS_KEY",
        "MAMORI_REDIRECT_LISTEN",
        "MAMORI_TRUSTED_PROXIES",
        "MAMORI_BACKUP_COPY_TO",
        "MAMORI_RESTORE_DRILL_DAYS",
        "MAMORI_BACKUP_RECIPIENTS",
        "MAMORI_BACKUP_PASSPHRASE_FILE",
        "LANG",
        "LC_ALL",
    ] {
        command.env_remove(var);
    }
    command.env("MAMORI_LANG", "en").current_dir(cwd);
    command
}

fn describe(command: &Command) -> String {
    let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
    format!("mamori {}", args.join(" "))
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What a finished command did.
struct Outcome {
    what: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.what, self.status, self.stdout, self.stderr
        )
    }
}

impl Outcome {
    #[track_caller]
    fn success(self) -> Outcome {
        assert!(self.status.success(), "expected success:\n{self}");
        self
    }

    /// A refusal: a normal exit with `code` (1 for mamori's own, 2 for clap's), never a
    /// panic or a signal.
    #[track_caller]
    fn failure(self, code: i32) -> Outcome {
        assert_eq!(
            self.status.code(),
            Some(code),
            "expected exit code {code}:\n{self}"
        );
        assert!(!self.stderr.contains("panicked"), "a panic:\n{self}");
        self
    }

    #[track_caller]
    fn stdout_has(self, needle: &str) -> Outcome {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{self}"
        );
        self
    }

    #[track_caller]
    fn stderr_has(self, needle: &str) -> Outcome {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{self}"
        );
        self
    }
}

/// Runs a one-shot command to completion, feeding it `stdin` (or nothing).
fn run(mut command: Command, stdin: Option<&str>) -> Outcome {
    let what = describe(&command);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = ChildGuard(command.spawn().expect("spawn mamori"));
    if let Some(text) = stdin {
        let mut pipe = child.0.stdin.take().expect("stdin pipe");
        // A command that refuses before reading closes the pipe; that is its business.
        let _ = pipe.write_all(text.as_bytes());
        // Dropping the pipe sends end-of-file.
    }
    let stdout = read_all(child.0.stdout.take().expect("stdout pipe"));
    let stderr = read_all(child.0.stderr.take().expect("stderr pipe"));
    let status = child
        .wait_for(COMMAND_TIMEOUT)
        .unwrap_or_else(|| panic!("{what} still running after {COMMAND_TIMEOUT:?}"));
    Outcome {
        what,
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// A free port different from `others`, so that a precedence test cannot pass by luck.
fn free_port_other_than(others: &[u16]) -> u16 {
    loop {
        let port = free_port();
        if !others.contains(&port) {
            return port;
        }
    }
}

/// The token of a printed setup URL, checked to be 64 lowercase hex digits.
#[track_caller]
fn setup_token(url: &str) -> &str {
    let (_, token) = url.split_once("/setup?token=").expect("a setup URL");
    assert!(
        token.len() == 64
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "setup token is not 64 hex digits: {url:?}"
    );
    token
}

/// A running `mamori serve`.
struct Server {
    child: ChildGuard,
    spawned: Instant,
    base: String,
    /// Standard output up to and including the "listening" line.
    stdout: Vec<String>,
    listening: String,
    setup_url: Option<String>,
    stderr: Arc<Mutex<String>>,
    _more_stdout: Receiver<String>,
}

impl Server {
    /// Spawns `command` (a `serve` expected to listen on 127.0.0.1:`port`) and reads its
    /// standard output until it says it is listening.
    fn spawn(mut command: Command, port: u16) -> Server {
        let what = describe(&command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let spawned = Instant::now();
        let mut child = ChildGuard(command.spawn().expect("spawn mamori serve"));

        let (lines_tx, lines) = mpsc::channel();
        let stdout = child.0.stdout.take().expect("stdout pipe");
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_pipe = child.0.stderr.take().expect("stderr pipe");
        let collected = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
                let mut text = collected.lock().expect("stderr lock");
                text.push_str(&line);
                text.push('\n');
            }
        });

        let mut seen = Vec::new();
        let mut setup_url = None;
        let deadline = spawned + START_TIMEOUT;
        let listening = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if line.contains("/setup?token=") {
                        setup_url = Some(line.trim().to_owned());
                    }
                    let done = line.contains("is listening on");
                    seen.push(line.clone());
                    if done {
                        break line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "{what}: no 'listening' line within {START_TIMEOUT:?}\nstdout: {seen:?}\n\
                         stderr:\n{}",
                        stderr.lock().expect("stderr lock")
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = child.wait_for(Duration::from_secs(5));
                    panic!(
                        "{what} closed its output before listening (exit {status:?})\n\
                         stdout: {seen:?}\nstderr:\n{}",
                        stderr.lock().expect("stderr lock")
                    )
                }
            }
        };
        Server {
            child,
            spawned,
            base: format!("http://127.0.0.1:{port}"),
            stdout: seen,
            listening,
            setup_url,
            stderr,
            _more_stdout: lines,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// Polls /healthz until it answers 200 with a sane body; returns the time from spawn.
    fn wait_healthy(&mut self, backend: Backend) -> Duration {
        let deadline = self.spawned + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.exited() {
                panic!(
                    "serve exited ({status}) before it was healthy\n{}",
                    self.stderr()
                );
            }
            let health = self.url("/healthz");
            match block_on(async { http().get(health).send().await }) {
                Ok(response) if response.status() == 200 => {
                    let ready = self.spawned.elapsed();
                    let health: Health = block_on(response.json()).expect("/healthz JSON");
                    assert_eq!(health.status, "ok", "{health:?}");
                    assert!(health.schema_version >= 1, "{health:?}");
                    assert_eq!(health.backend, backend.name(), "{health:?}");
                    return ready;
                }
                other if Instant::now() >= deadline => {
                    panic!("/healthz never answered 200: {other:?}\n{}", self.stderr())
                }
                _ => thread::sleep(POLL),
            }
        }
    }

    /// Sends SIG`signal` and requires a clean exit (status 0) within [`STOP_TIMEOUT`].
    fn stop_cleanly(mut self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} failed");
        let status = self.child.wait_for(STOP_TIMEOUT).unwrap_or_else(|| {
            panic!(
                "serve still running {STOP_TIMEOUT:?} after SIG{signal}\n{}",
                self.stderr()
            )
        });
        assert_eq!(
            status.code(),
            Some(0),
            "serve after SIG{signal}: {status}\n{}",
            self.stderr()
        );
    }
}

// ---------------------------------------------------------------------------------------
// A test site: one fresh database plus a working directory for the children.

struct Site {
    db: TestDb,
    cwd: tempfile::TempDir,
}

impl Site {
    fn new(backend: Backend) -> Site {
        Site {
            db: block_on(TestDb::new(backend)),
            cwd: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn backend(&self) -> Backend {
        self.db.backend
    }

    fn data_dir(&self) -> &Path {
        self.db.data_dir()
    }

    fn backups_dir(&self) -> PathBuf {
        self.data_dir().join("backups")
    }

    /// `mamori` pointed at this site's data: `--data-dir` always (backups and logs go
    /// there), `--database-url` on PostgreSQL.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = mamori(self.cwd.path());
        command.arg("--data-dir").arg(self.data_dir());
        if self.backend() == Backend::Postgres {
            command.arg("--database-url").arg(&self.db.url);
        }
        command.args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Outcome {
        run(self.command(args), None)
    }

    fn add_user_command(&self, login: &str, role: &str) -> Command {
        self.command(&[
            "user",
            "add",
            "--login",
            login,
            "--name",
            DISPLAY_NAME,
            "--role",
            role,
            "--password-stdin",
        ])
    }

    fn add_user(&self, login: &str, role: &str) -> Outcome {
        run(
            self.add_user_command(login, role),
            Some(&format!("{PASSWORD}\n")),
        )
    }

    /// Adding `login` again must fail: proves the user exists.
    #[track_caller]
    fn assert_login_taken(&self, login: &str) {
        self.add_user(login, "user")
            .failure(1)
            .stderr_has("This login ID is already in use.");
    }

    /// Starts `serve` on a free port, plus `extra` arguments.
    fn serve(&self, extra: &[&str]) -> Server {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = self.command(&["serve", "--listen", &listen]);
        command.args(extra);
        Server::spawn(command, port)
    }

    fn backup(&self, file: &Path) -> Outcome {
        self.run(&["backup", path_str(file)])
    }

    fn restore(&self, file: &Path) -> Outcome {
        self.run(&["restore", path_str(file)])
    }

    /// The entry count printed by a successful `audit verify`.
    fn audit_entries(&self) -> u64 {
        let outcome = self
            .run(&["audit", "verify"])
            .success()
            .stdout_has("intact");
        let count = outcome
            .stdout
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(" entries)"))
            .map(|(n, _)| n.parse::<u64>().expect("entry count"));
        count.unwrap_or_else(|| panic!("no entry count:\n{outcome}"))
    }

    fn execute(&self, sql: &str) {
        block_on(self.db.execute(sql));
    }

    /// Runs `sql` against the audit trail the way someone with direct access to the
    /// database could, past its append-only triggers.
    fn tamper_with_audit_log(&self, sql: &str) {
        block_on(self.db.drop_audit_triggers());
        self.execute(sql);
    }

    /// The `mamori-before-restore-*` safety copies in the data directory.
    fn safety_copies(&self) -> Vec<PathBuf> {
        files_named(&self.backups_dir(), "mamori-before-restore-", ".sqlite3")
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Files in `dir` whose names start with `prefix` and end with `suffix`, sorted.
fn files_named(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    found.sort();
    found
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A raw handle on a SQLite file outside any data directory (to build odd backups).
fn sqlite_file(path: &Path) -> TestDb {
    TestDb {
        backend: Backend::Sqlite,
        url: mamori_store::sqlite_url(path),
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

/// Deterministic filler bytes (xorshift64), so a failure can be reproduced.
fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn write_config(path: &Path, entries: &[(&str, toml::Value)]) {
    let table: toml::Table = entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    std::fs::write(path, toml::to_string(&table).expect("TOML")).expect("write config");
}

fn text(value: impl Into<String>) -> toml::Value {
    toml::Value::String(value.into())
}

/// Inserts a migration newer than this binary knows into `site`'s database.
fn fake_future_migration(site: &Site) {
    site.execute(match site.backend() {
        Backend::Sqlite => {
            "INSERT INTO _sqlx_migrations \
             (version, description, installed_on, success, checksum, execution_time) \
             VALUES (9999, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 0)"
        }
        Backend::Postgres => {
            "INSERT INTO _sqlx_migrations \
             (version, description, installed_on, success, checksum, execution_time) \
             VALUES (9999, 'future', now(), TRUE, '\\x00'::bytea, 0)"
        }
    });
}
