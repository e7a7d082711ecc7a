//! The command line of mamori: every `mamori` subcommand, each a thin shell over the
//! use cases of `mamori-app`. `serve` prepares the configuration, logging, database and
//! daily backups, then hands the listening socket to the web server that the binary
//! passes in (see `crates/mamori`), so this crate never depends on the web crate.

mod assets;
mod audit;
mod calendar;
mod config;
mod jsonlog;
mod logfile;
mod people;
mod policy;
mod progress;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use mamori_app::backups::BackupProblem;
use mamori_app::i18n::Tr;
use mamori_app::{App, StoreError};
use mamori_domain::user::{Role, UserType};

use config::{DataConfig, FileConfig};

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    about = "Information-security management for Japanese local assemblies"
)]
struct Cli {
    #[command(flatten)]
    data: DataArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options of every command that touches data.
#[derive(Args)]
struct DataArgs {
    /// Settings file (default: ./mamori.toml when present)
    #[arg(long, env = "MAMORI_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Holds the SQLite database, backups and logs [default: ./mamori-data]
    #[arg(long, env = "MAMORI_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A postgres:// URL switches to PostgreSQL [default: SQLite in the data directory]
    #[arg(
        long,
        env = "MAMORI_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web application
    Serve(Box<ServeArgs>),
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent backup to FILE while mamori keeps running
    Backup { file: PathBuf },
    /// Check FILE, then replace all data with the backup's
    Restore { file: PathBuf },
    /// The audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Apply what this binary's newer schema needs (serve does it too when it starts);
    /// with --check, only say what that would be, changing nothing
    Upgrade {
        #[arg(long)]
        check: bool,
    },
    /// Put the database back as it was before the last upgrade (the backup the upgrade
    /// took, or FILE), at that older schema, for the previous release to start on; run
    /// it with serve stopped
    Rollback { file: Option<PathBuf> },
    /// Personal API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Information-security policy documents (基本方針, 対策基準, 実施手順)
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Read a register from a file into mamori
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a register from mamori to a file
    #[command(subcommand)]
    Export(ExportCommand),
    /// Mail of notifications
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// The asset register (情報資産台帳) from .xlsx or .csv (UTF-8 or Shift_JIS): every
    /// row is checked first, and either all rows are imported or none
    Assets {
        file: PathBuf,
        /// Check the file and report, writing nothing
        #[arg(long)]
        dry_run: bool,
        /// Why classifications change, for rows without a "change reason" column
        #[arg(long, default_value = "")]
        reason: String,
        /// What to do with rows that look like a registered asset: create, update or skip
        #[arg(long, value_parser = assets::parse_duplicates)]
        duplicates: Option<mamori_app::assets::imports::DuplicateChoice>,
        /// Register every row as a new asset, leaving the asset number column unread
        /// (a register exported from another mamori)
        #[arg(long)]
        as_new: bool,
        /// When no number of the number column is a registered asset (the register's own
        /// numbering): keep each in the asset's notes, or ignore them
        #[arg(long, value_parser = assets::parse_own_numbers)]
        own_numbers: Option<mamori_app::assets::imports::OwnNumbers>,
    },
    /// The Cabinet Office holiday list (syukujitsu.csv, Shift_JIS or UTF-8): the
    /// national holidays of the years it covers become the list's; the assembly's own
    /// closed days stay
    Holidays { file: PathBuf },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The whole asset register, in the console's language (MAMORI_LANG / LANG)
    Assets {
        file: PathBuf,
        /// xlsx or csv [default: from the file's extension]
        #[arg(long, value_parser = assets::parse_format)]
        format: Option<mamori_app::assets::files::Format>,
    },
    /// A blank asset register to fill in and import (情報資産台帳の取込テンプレート): the
    /// export's columns, one example row, drop-down lists and a guide sheet (.xlsx), or
    /// the headers and the example only (.csv)
    AssetTemplate {
        file: PathBuf,
        /// xlsx or csv [default: from the file's extension]
        #[arg(long, value_parser = assets::parse_format)]
        format: Option<mamori_app::assets::files::Format>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (shown once; only its hash is kept)
    Create {
        #[arg(long)]
        login: String,
        /// What the token is for
        #[arg(long)]
        name: String,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MAMORI_LISTEN")]
    listen: Option<String>,
    /// The address people use, e.g. https://mamori.example.lg.jp; https turns on HSTS and
    /// Secure cookies [default: http://LISTEN]
    #[arg(long, env = "MAMORI_PUBLIC_URL")]
    public_url: Option<String>,
    /// How many daily backups to keep [default: 14]
    #[arg(long, env = "MAMORI_BACKUP_KEEP")]
    backup_keep: Option<usize>,
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

/// The mail server's settings (`serve` and `mail test`).
#[derive(Args)]
struct SmtpFlags {
    /// The mail server notices are sent through; without it mails wait in the queue
    #[arg(long, env = "MAMORI_SMTP_HOST")]
    smtp_host: Option<String>,
    /// The mail server's port [default: 587 with starttls, 465 with tls, 25 with none]
    #[arg(long, env = "MAMORI_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// none, starttls or tls [default: starttls]
    #[arg(long, env = "MAMORI_SMTP_SECURITY")]
    smtp_security: Option<String>,
    /// The login at the mail server, if it asks for one
    #[arg(long, env = "MAMORI_SMTP_USER")]
    smtp_user: Option<String>,
    /// A file whose first line is the mail password (or set MAMORI_SMTP_PASSWORD)
    #[arg(long, env = "MAMORI_SMTP_PASSWORD_FILE")]
    smtp_password_file: Option<PathBuf>,
    /// The address mails come from, e.g. mamori@gikai.city.example.lg.jp
    #[arg(long, env = "MAMORI_SMTP_FROM")]
    smtp_from: Option<String>,
    /// A PEM file of the CA that signed an internal mail server's certificate
    #[arg(long, env = "MAMORI_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
}

impl SmtpFlags {
    /// The mail server, or `None` without a host. The password comes from the
    /// environment or a file, never from a flag.
    fn resolve(
        self,
        file: &FileConfig,
    ) -> anyhow::Result<Option<mamori_app::notifications::mail::SmtpConfig>> {
        config::smtp_config(
            config::SmtpArgs {
                host: self.smtp_host,
                port: self.smtp_port,
                security: self.smtp_security,
                user: self.smtp_user,
                password: std::env::var("MAMORI_SMTP_PASSWORD").ok(),
                password_file: self.smtp_password_file,
                from: self.smtp_from,
                ca_file: self.smtp_ca_file,
            },
            file,
        )
    }
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send a test mail to ADDRESS through the mail server given by the --smtp-* options
    /// (the same as serve's), to check them before serving
    Test {
        #[arg(long)]
        to: String,
        #[command(flatten)]
        smtp: SmtpFlags,
    },
    /// Send today's due-work digests now (serve sends them every day from 08:00 in
    /// Japan); they wait in the mail queue for serve's sender
    Digest,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user
    Add {
        #[arg(long)]
        login: String,
        /// Full name as shown in mamori
        #[arg(long)]
        name: String,
        /// Reading of the name (ふりがな) in hiragana or katakana; lists sort by it
        #[arg(long, default_value = "")]
        reading: String,
        /// admin, security_officer, user, auditor or contractor
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// member, staff, contractor or other
        #[arg(long = "type", default_value = "staff", value_parser = parse_user_type)]
        user_type: UserType,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 0 when intact, 1 naming the first broken entry
    Verify {
        /// Only the entries after the last intact check (the checkpoint)
        #[arg(long, conflicts_with = "anchor")]
        incremental: bool,
        /// A copy of the head kept outside, as `<entry number>:<hash>`: every entry up
        /// to it must still be there, unaltered
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Print the head of the chain (entry number, hash, time) to keep on paper or send
    Anchor,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("one of: {}", names.join(", "))
    })
}

fn parse_user_type(value: &str) -> Result<UserType, String> {
    UserType::parse(value).ok_or_else(|| {
        let names: Vec<_> = UserType::ALL.iter().map(|t| t.as_str()).collect();
        format!("one of: {}", names.join(", "))
    })
}

/// Console language: MAMORI_LANG, else LANG; Japanese unless English is asked for.
fn console_tr() -> Tr {
    let lang = std::env::var("MAMORI_LANG")
        .or_else(|_| std::env::var("LANG"))
        .unwrap_or_default();
    if lang.to_ascii_lowercase().starts_with("en") {
        Tr::new(mamori_domain::wareki::Lang::En)
    } else {
        Tr::new(mamori_domain::wareki::Lang::Ja)
    }
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

/// Runs the `mamori` command line; `serve_web` serves the pages and the API until a
/// shutdown signal.
pub fn main<F, Fut>(serve_web: F) -> ExitCode
where
    F: FnOnce(ServeRequest) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let cli = Cli::parse();
    let tr = console_tr();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mamori: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, tr, serve_web)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mamori: {}", describe(&e, &tr));
            ExitCode::FAILURE
        }
    }
}

/// A failure in the console's language where mamori knows the cause.
fn describe(error: &anyhow::Error, tr: &Tr) -> String {
    let store_error = match error.downcast_ref::<mamori_app::Failure>() {
        Some(mamori_app::Failure::Store(e)) => Some(e),
        _ => error.downcast_ref::<StoreError>(),
    };
    let Some(store_error) = store_error else {
        return format!("{error:#}");
    };
    match store_error {
        StoreError::SchemaTooNew { database, binary } => tr.f(
            "cli.error.schema_too_new",
            &[
                ("database", database.to_string()),
                ("binary", binary.to_string()),
            ],
        ),
        StoreError::Backup(problem) => {
            let (key, path) = match problem {
                BackupProblem::Missing(p) => ("cli.error.backup_missing", p),
                BackupProblem::AlreadyExists(p) => ("cli.error.backup_exists", p),
                BackupProblem::NotSqlite(p) => ("cli.error.backup_not_sqlite", p),
                BackupProblem::Damaged { path, .. } => ("cli.error.backup_damaged", path),
                BackupProblem::Foreign(p) => ("cli.error.backup_foreign", p),
                BackupProblem::Newer { path, .. } => ("cli.error.backup_newer", path),
            };
            format!(
                "{}\n({problem})",
                tr.f(key, &[("file", path.display().to_string())])
            )
        }
        StoreError::Rollback(problem) => {
            use mamori_app::backups::RollbackProblem;
            match problem {
                RollbackProblem::NoPreUpgradeBackup(dir) => tr.f(
                    "cli.error.rollback_none",
                    &[("dir", dir.display().to_string())],
                ),
                RollbackProblem::NoDatabase => tr.t("cli.error.rollback_no_database").to_owned(),
                RollbackProblem::DatabaseOlder { database, backup } => tr.f(
                    "cli.error.rollback_database_older",
                    &[
                        ("database", database.to_string()),
                        ("backup", backup.to_string()),
                    ],
                ),
            }
        }
        StoreError::Conflict("login") => tr.t("error.conflict_login").to_owned(),
        other => format!("{other}"),
    }
}

async fn run<F, Fut>(cli: Cli, tr: Tr, serve_web: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(ServeRequest) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let file = FileConfig::load(cli.data.config.as_deref())?;
    let data = DataConfig::resolve(cli.data.data_dir, cli.data.database_url, &file)?;
    match cli.command {
        Command::Serve(args) => serve(*args, &file, data, tr, serve_web).await,
        Command::User(UserCommand::Add {
            login,
            name,
            reading,
            role,
            user_type,
            password_stdin,
        }) => {
            let account = people::Account {
                login: &login,
                name: &name,
                reading: &reading,
                role,
                user_type,
            };
            people::add_user(&data, &tr, account, password_stdin).await
        }
        Command::Backup { file } => people::backup(&data, &tr, &file).await,
        Command::Restore { file } => people::restore(&data, &tr, &file).await,
        Command::Policy(command) => policy::run(&data, &tr, command).await,
        Command::Import(ImportCommand::Assets {
            file,
            dry_run,
            reason,
            duplicates,
            as_new,
            own_numbers,
        }) => {
            let choices = mamori_app::assets::imports::Choices {
                reason,
                all_duplicates: duplicates,
                own_numbers,
                ..Default::default()
            };
            assets::import(&data, &tr, &file, dry_run, as_new, &choices).await
        }
        Command::Import(ImportCommand::Holidays { file }) => {
            calendar::import_holidays(&data, &tr, &file).await
        }
        Command::Export(ExportCommand::AssetTemplate { file, format }) => {
            assets::export_template(&data, &tr, &file, format).await
        }
        Command::Export(ExportCommand::Assets { file, format }) => {
            assets::export(&data, &tr, &file, format).await
        }
        Command::Token(TokenCommand::Create { login, name }) => {
            people::create_token(&data, &tr, &login, &name).await
        }
        Command::Audit(AuditCommand::Verify {
            incremental,
            anchor,
        }) => match anchor {
            Some(anchor) => audit::verify_anchor(&data, &tr, &anchor).await,
            None => audit::verify(&data, &tr, !incremental).await,
        },
        Command::Audit(AuditCommand::Anchor) => audit::print_anchor(&data, &tr).await,
        Command::Upgrade { check } => people::upgrade(&data, &tr, check).await,
        Command::Rollback { file } => people::rollback(&data, &tr, file.as_deref()).await,
        Command::Mail(MailCommand::Test { to, smtp }) => {
            let Some(smtp) = smtp.resolve(&file)? else {
                anyhow::bail!("{}", tr.t("cli.error.mail_no_host"));
            };
            mamori_app::notifications::mail::send_test(smtp, &to, tr.lang)
                .await
                .map_err(|e| anyhow::anyhow!("{}", tr.f("cli.error.mail_test", &[("error", e)])))?;
            println!("{}", tr.f("cli.mail_test_sent", &[("to", to)]));
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail(MailCommand::Digest) => {
            let app = App::open_in(&data.database_url, &data.data_dir).await?;
            let sweep = mamori_app::reminders::send_digests(&app, mamori_app::today()).await;
            app.close().await;
            let sweep = sweep.map_err(|f| people::failed(f, &tr))?;
            let counts = [
                ("told", sweep.told.to_string()),
                ("checked", sweep.checked.to_string()),
            ];
            println!("{}", tr.f("cli.digests_sent", &counts));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve<F, Fut>(
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
    let backup_keep = args
        .backup_keep
        .or(file.backup_keep)
        .unwrap_or(config::DEFAULT_BACKUP_KEEP)
        .max(1);

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
    let backups = mamori_app::backups::spawn_daily(app.clone(), data.data_dir.clone(), backup_keep);
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
