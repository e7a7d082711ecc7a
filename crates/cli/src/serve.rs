//! `mamori serve`: its settings, the socket(s) it listens on, logging, and the
//! background tasks (daily backups, digests, the mail sender) around the web server
//! that the binary passes in.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use mamori_app::App;
use mamori_app::i18n::Tr;

use crate::config::{self, DataConfig, FileConfig};
use crate::{SmtpFlags, jsonlog, logfile};

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MAMORI_LISTEN")]
    listen: Option<String>,
    /// The address people use, e.g. https://mamori.example.lg.jp; https turns on HSTS and
    /// Secure cookies [default: http://LISTEN]
    #[arg(long, env = "MAMORI_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    backups: config::BackupFlags,
    /// Minutes without activity after which a session ends [default: 30]
    #[arg(long, env = "MAMORI_SESSION_IDLE_MINUTES")]
    session_idle_minutes: Option<u32>,
    /// Hours after sign-in after which a session ends regardless [default: 12]
    #[arg(long, env = "MAMORI_SESSION_ABSOLUTE_HOURS")]
    session_absolute_hours: Option<u32>,
    /// Failed sign-ins in a row that lock a login [default: 5]
    #[arg(long, env = "MAMORI_LOCKOUT_ATTEMPTS")]
    lockout_attempts: Option<u32>,
    /// Minutes a locked login stays locked [default: 15]
    #[arg(long, env = "MAMORI_LOCKOUT_MINUTES")]
    lockout_minutes: Option<u32>,
    /// Largest file, in MB (MiB), accepted as an attachment; larger uploads are refused
    /// while they arrive [default: 20]
    #[arg(long, env = "MAMORI_MAX_FILE_MB")]
    max_file_mb: Option<u64>,
    /// Uploaded files (registers, Word files) read at the same time; another waits a few
    /// seconds for a free slot, else is refused with 503 and Retry-After [default: 2]
    #[arg(long, env = "MAMORI_PARALLEL_IMPORTS")]
    parallel_imports: Option<usize>,
    /// Addresses that may read /metrics (Prometheus text format), e.g.
    /// "127.0.0.1, 10.1.2.0/24"; without any, /metrics is off
    #[arg(long, env = "MAMORI_METRICS_ALLOW")]
    metrics_allow: Option<String>,
    /// The server's certificate chain (PEM, the server's certificate first); with
    /// --tls-key, serve speaks HTTPS itself and reads both again on SIGHUP
    #[arg(long, env = "MAMORI_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, RSA or EC)
    #[arg(long, env = "MAMORI_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// With TLS, a second address (e.g. 0.0.0.0:80) answering plain HTTP with a redirect
    /// to the HTTPS address
    #[arg(long, env = "MAMORI_REDIRECT_LISTEN")]
    redirect_listen: Option<String>,
    /// Reverse proxies whose X-Forwarded-For names the client, e.g. "127.0.0.1"
    #[arg(long, env = "MAMORI_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    #[command(flatten)]
    smtp: SmtpFlags,
}

/// What the web server needs to run: the use cases, a bound socket, and the settings
/// read from the command line, `mamori.toml` and the environment.
pub struct ServeRequest {
    pub app: App,
    pub listener: tokio::net::TcpListener,
    /// The certificate chain and key when serve speaks HTTPS itself.
    pub tls: Option<Tls>,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub sessions: mamori_domain::session::SessionPolicy,
    pub lockout: mamori_domain::session::LockoutPolicy,
    /// The largest attachment accepted, in bytes.
    pub max_file_bytes: u64,
    /// `host:port (security)` of the mail server, when one is configured.
    pub mail_server: Option<String>,
    /// Addresses that may read `/metrics`.
    pub metrics_allow: Vec<mamori_domain::address::AddressRange>,
    /// How daily backups are kept, copied and drilled (for the administrator's page).
    pub backups: mamori_app::backups::BackupPolicy,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<mamori_domain::address::AddressRange>,
    /// The console's language, for the setup URL line.
    pub tr: Tr,
    /// When the command started, for the time-to-ready log line.
    pub started: Instant,
}

/// HTTPS served by mamori itself.
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// Plain HTTP that redirects to `public_url`.
    pub redirect: Option<tokio::net::TcpListener>,
}

impl ServeRequest {
    /// Says on the console and in the log that the server is ready; the binary calls it
    /// once the setup URL (if any) is printed, which scripts read before this line.
    pub fn announce(&self) -> anyhow::Result<()> {
        let address = self.listener.local_addr()?;
        tracing::info!(
            %address,
            ready_ms = self.started.elapsed().as_millis() as u64,
            "mamori is listening"
        );
        println!(
            "{}",
            self.tr
                .f("cli.listening", &[("address", address.to_string())])
        );
        if let Some(redirect) = self.tls.as_ref().and_then(|t| t.redirect.as_ref()) {
            let address = redirect.local_addr()?.to_string();
            tracing::info!(%address, to = %self.public_url, "redirecting plain HTTP");
            println!("{}", self.tr.f("cli.redirecting", &[("address", address)]));
        }
        Ok(())
    }
}

pub(crate) async fn serve<F, Fut>(
    args: ServeArgs,
    file: &FileConfig,
    data: DataConfig,
    tr: Tr,
    serve_web: F,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce(ServeRequest) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    init_logging(&data.data_dir)?;
    let listen = args
        .listen
        .or_else(|| file.listen.clone())
        .unwrap_or_else(|| config::DEFAULT_LISTEN.to_owned());
    let public_url = args.public_url.or_else(|| file.public_url.clone());
    let backup_policy = args.backups.resolve(file)?;

    let minutes = |n: u32| time::Duration::minutes(i64::from(n.max(1)));
    let sessions = mamori_domain::session::SessionPolicy {
        idle: minutes(
            args.session_idle_minutes
                .or(file.session_idle_minutes)
                .unwrap_or(30),
        ),
        absolute: minutes(
            args.session_absolute_hours
                .or(file.session_absolute_hours)
                .unwrap_or(12)
                * 60,
        ),
    };
    let lockout = mamori_domain::session::LockoutPolicy {
        max_failures: args
            .lockout_attempts
            .or(file.lockout_attempts)
            .unwrap_or(5)
            .max(1),
        lock_for: minutes(args.lockout_minutes.or(file.lockout_minutes).unwrap_or(15)),
    };
    let max_file_bytes = args
        .max_file_mb
        .or(file.max_file_mb)
        .map(|mb| mb.max(1) * 1024 * 1024)
        .unwrap_or(mamori_domain::file::DEFAULT_MAX_FILE_BYTES);
    let smtp = args.smtp.resolve(file)?;
    let metrics_allow = address_list(
        "metrics_allow",
        args.metrics_allow.or_else(|| file.metrics_allow.clone()),
    )?;
    let trusted_proxies = address_list(
        "trusted_proxies",
        args.trusted_proxies
            .or_else(|| file.trusted_proxies.clone()),
    )?;
    let tls_files = match (
        args.tls_cert.or_else(|| file.tls_cert.clone()),
        args.tls_key.or_else(|| file.tls_key.clone()),
    ) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => anyhow::bail!("tls_cert and tls_key go together: give both, or neither"),
    };
    let redirect_listen = args
        .redirect_listen
        .or_else(|| file.redirect_listen.clone())
        .filter(|a| !a.trim().is_empty());
    if redirect_listen.is_some() && tls_files.is_none() {
        anyhow::bail!(
            "redirect_listen redirects to HTTPS served by mamori: it needs tls_cert and tls_key"
        );
    }
    if tls_files.is_some()
        && let Some(url) = &public_url
        && !url.starts_with("https://")
    {
        anyhow::bail!("public_url {url}: with tls_cert and tls_key it must start with https://");
    }
    let parallel_imports = args
        .parallel_imports
        .or(file.parallel_imports)
        .unwrap_or(mamori_app::parsing::DEFAULT_PARALLEL_IMPORTS)
        .max(1);
    // Kept while serving, so that a rollback refuses to run beside this server.
    let _serving = match mamori_app::backups::ServeLock::take(&data.data_dir)? {
        Some(lock) => Some(lock),
        None => {
            tracing::warn!(data_dir = %data.data_dir.display(), "another mamori serve uses this data directory");
            None
        }
    };
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await?
        .with_parallel_imports(parallel_imports);
    tracing::info!(database = %data.redacted_url(), schema = app.schema_version().await?, "database ready");
    let listener = bind("--listen", &listen).await?;
    // By default the address actually bound (port 0 asks the system to choose one).
    let scheme = if tls_files.is_some() { "https" } else { "http" };
    let public_url = match public_url {
        Some(url) => url,
        None => format!("{scheme}://{}", listener.local_addr()?),
    };
    let tls = match tls_files {
        Some((cert, key)) => {
            let redirect = match redirect_listen {
                Some(listen) => Some(bind("--redirect-listen", &listen).await?),
                None => None,
            };
            Some(Tls {
                cert,
                key,
                redirect,
            })
        }
        None => None,
    };
    let backups =
        mamori_app::backups::spawn_daily(app.clone(), data.data_dir.clone(), backup_policy.clone());
    let digests = mamori_app::reminders::spawn_daily(app.clone());
    let (mail_server, mailer) = match smtp {
        Some(smtp) => {
            let server = smtp.describe();
            let config = mamori_app::notifications::mail::MailConfig::new(smtp, public_url.clone());
            let task = mamori_app::notifications::sender::spawn(app.clone(), config)?;
            (Some(server), Some(task))
        }
        None => {
            tracing::info!("no mail server configured: mails wait in the queue");
            (None, None)
        }
    };
    let served = serve_web(ServeRequest {
        app: app.clone(),
        listener,
        tls,
        public_url,
        data_dir: data.data_dir.clone(),
        sessions,
        lockout,
        max_file_bytes,
        mail_server,
        metrics_allow,
        backups: backup_policy,
        trusted_proxies,
        tr,
        started,
    })
    .await;
    backups.abort();
    digests.abort();
    if let Some(mailer) = mailer {
        mailer.abort();
    }
    app.close().await;
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn bind(setting: &str, listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    let address: SocketAddr = listen.parse().with_context(|| {
        format!("{setting} {listen}: expected an address such as 127.0.0.1:8080")
    })?;
    tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))
}

/// Addresses and networks of a setting, e.g. "127.0.0.1, 10.1.2.0/24".
fn address_list(
    setting: &str,
    text: Option<String>,
) -> anyhow::Result<Vec<mamori_domain::address::AddressRange>> {
    mamori_domain::address::parse_allow_list(text.as_deref().unwrap_or_default()).map_err(|entry| {
        anyhow::anyhow!("{setting}: \"{entry}\" is not an address or a network (address/prefix)")
    })
}

/// Logs go to standard error and to `DATA_DIR/logs/mamori.log`, rotated daily.
fn init_logging(data_dir: &std::path::Path) -> anyhow::Result<()> {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let dir = data_dir.join("logs");
    let log = logfile::DailyLog::open(&dir)
        .with_context(|| format!("cannot open the log in {}", dir.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("MAMORI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::io::stderr.and(log));
    match std::env::var("MAMORI_LOG_FORMAT").as_deref() {
        Ok("json") => lines.event_format(jsonlog::JsonLines).init(),
        Ok("text") | Err(_) => lines.init(),
        Ok(other) => anyhow::bail!("MAMORI_LOG_FORMAT: \"{other}\" is neither text nor json"),
    }
    Ok(())
}
