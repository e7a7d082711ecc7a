//! The command line of mamori: every `mamori` subcommand, each a thin shell over the
//! use cases of `mamori-app`. `serve` prepares the configuration, logging, database and
//! daily backups, then hands the listening socket to the web server that the binary
//! passes in (see `crates/mamori`), so this crate never depends on the web crate.

mod assets;
mod audit;
mod calendar;
mod config;
mod incidents;
mod jsonlog;
mod logfile;
mod people;
mod policy;
mod progress;
mod serve;
mod training;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mamori_app::backups::BackupProblem;
use mamori_app::i18n::Tr;
use mamori_app::{App, StoreError};
use mamori_domain::user::{Role, UserType};

use config::{DataConfig, FileConfig};
pub use serve::{ServeRequest, Tls};

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
    Serve(Box<serve::ServeArgs>),
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent backup to FILE while mamori keeps running
    Backup { file: PathBuf },
    /// Check FILE (a backup, or a sealed copy with --identity or --passphrase-file), then
    /// replace all data with the backup's
    Restore {
        file: PathBuf,
        #[command(flatten)]
        key: config::OpenKeyFlags,
    },
    /// Restore the newest daily backup (from the copy location when one is set), or FILE,
    /// into a scratch file, check it and its audit chain, and record the drill
    RestoreDrill {
        file: Option<PathBuf>,
        #[command(flatten)]
        backups: config::BackupFlags,
        #[command(flatten)]
        key: config::OpenKeyFlags,
    },
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
    /// Incidents: the list and a 年度's figures
    #[command(subcommand)]
    Incidents(incidents::IncidentCommand),
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
    /// A training session's sign-in sheet (出席簿, .xlsx or .csv) into its attendance:
    /// a name or login column, and an attendance column (出席・欠席・公欠, ○・×); an
    /// unknown name or an unreadable mark is listed by its line and nothing is written
    Attendance {
        file: PathBuf,
        /// The session's number (as in /training/sessions/N)
        #[arg(long)]
        session: i64,
    },
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
    /// A 年度's incident figures and list (.xlsx), without personal information unless
    /// --personal is given (recorded in the audit trail)
    Incidents {
        file: PathBuf,
        /// 年度: 2026 or 令和8年度 [default: this 年度]
        #[arg(long)]
        year: Option<String>,
        /// Include the reporter, contact, place and description
        #[arg(long)]
        personal: bool,
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
        Command::Serve(args) => serve::serve(*args, &file, data, tr, serve_web).await,
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
        Command::Restore { file: backup, key } => {
            people::restore(&data, &tr, &backup, key.resolve()?.as_ref()).await
        }
        Command::RestoreDrill {
            file: backup,
            backups,
            key,
        } => {
            let policy = backups.resolve(&file)?;
            let key = key.resolve()?;
            people::restore_drill(&data, &tr, &policy, backup.as_deref(), key.as_ref()).await
        }
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
        Command::Import(ImportCommand::Attendance { file, session }) => {
            training::import_attendance(&data, &tr, &file, session).await
        }
        Command::Export(ExportCommand::AssetTemplate { file, format }) => {
            assets::export_template(&data, &tr, &file, format).await
        }
        Command::Export(ExportCommand::Assets { file, format }) => {
            assets::export(&data, &tr, &file, format).await
        }
        Command::Export(ExportCommand::Incidents {
            file,
            year,
            personal,
        }) => incidents::export(&data, &tr, &file, year.as_deref(), personal).await,
        Command::Incidents(command) => incidents::run(&data, &tr, command).await,
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
