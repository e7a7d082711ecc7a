//! Settings from, in order of precedence: command-line flags, `MAMORI_*` environment
//! variables, an optional `mamori.toml`, and defaults.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./mamori-data";
pub const DEFAULT_BACKUP_KEEP: usize = 14;
pub const DEFAULT_CONFIG_FILE: &str = "mamori.toml";

/// The keys of `mamori.toml`; each is also a flag and an environment variable.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub backup_keep: Option<usize>,
    /// A second location (a mounted share) each daily backup is copied to and checked.
    pub backup_copy_to: Option<PathBuf>,
    /// Days after which a restore drill is due again.
    pub restore_drill_days: Option<u32>,
    /// Copies to the second location are sealed (age) for these recipients ("age1…"
    /// keys, or a file of them, one a line).
    pub backup_recipients: Option<String>,
    /// … or with the passphrase on the first line of this file.
    pub backup_passphrase_file: Option<PathBuf>,
    pub session_idle_minutes: Option<u32>,
    pub session_absolute_hours: Option<u32>,
    pub lockout_attempts: Option<u32>,
    pub lockout_minutes: Option<u32>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<String>,
    pub smtp_user: Option<String>,
    /// A file holding the mail password (its first line); the password itself is never
    /// a key of this file nor a flag, so that it does not end up in shell history.
    pub smtp_password_file: Option<PathBuf>,
    pub smtp_from: Option<String>,
    pub smtp_ca_file: Option<PathBuf>,
    pub max_file_mb: Option<u64>,
    pub parallel_imports: Option<usize>,
    /// Addresses that may read `/metrics`, e.g. "127.0.0.1, 10.1.2.0/24".
    pub metrics_allow: Option<String>,
    /// The server's certificate chain (PEM); with `tls_key`, serve speaks HTTPS itself.
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// With TLS, a second address answering plain HTTP with a redirect to `public_url`.
    pub redirect_listen: Option<String>,
    /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
    pub trusted_proxies: Option<String>,
}

impl FileConfig {
    /// Reads `explicit` (which must exist) or `./mamori.toml` when present.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => PathBuf::from(DEFAULT_CONFIG_FILE),
            None => return Ok(FileConfig::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
    }
}

/// Where the data lives: the data directory, and the database inside it unless a URL
/// points elsewhere.
#[derive(Debug, Clone)]
pub struct DataConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl DataConfig {
    pub fn resolve(
        data_dir: Option<PathBuf>,
        database_url: Option<String>,
        file: &FileConfig,
    ) -> anyhow::Result<DataConfig> {
        let data_dir = data_dir
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let database_url = database_url
            .or_else(|| file.database_url.clone())
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| mamori_app::sqlite_url_for_data_dir(&data_dir));
        mamori_app::Backend::from_url(&database_url)?;
        Ok(DataConfig {
            data_dir,
            database_url,
        })
    }

    /// The URL with any password hidden, for logs.
    pub fn redacted_url(&self) -> String {
        redact(&self.database_url)
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How daily backups are kept (`serve` and `restore-drill`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct BackupFlags {
    /// How many daily backups to keep, here and in the copy location [default: 14]
    #[arg(long, env = "MAMORI_BACKUP_KEEP")]
    pub backup_keep: Option<usize>,
    /// A second location (e.g. a mounted file share) each daily backup is copied to; the
    /// copy is read back and compared
    #[arg(long, env = "MAMORI_BACKUP_COPY_TO")]
    pub backup_copy_to: Option<PathBuf>,
    /// Days after which a restore drill is due again [default: 90]
    #[arg(long, env = "MAMORI_RESTORE_DRILL_DAYS")]
    pub restore_drill_days: Option<u32>,
    /// Seal the copies for these age recipients ("age1…" public keys, or a file of
    /// them): only the holder of the secret key can open them
    #[arg(long, env = "MAMORI_BACKUP_RECIPIENTS")]
    pub backup_recipients: Option<String>,
    /// Seal the copies with the passphrase on the first line of this file instead
    #[arg(long, env = "MAMORI_BACKUP_PASSPHRASE_FILE")]
    pub backup_passphrase_file: Option<PathBuf>,
}

impl BackupFlags {
    pub fn resolve(self, file: &FileConfig) -> anyhow::Result<mamori_app::backups::BackupPolicy> {
        let mut policy = mamori_app::backups::BackupPolicy::new(
            self.backup_keep
                .or(file.backup_keep)
                .unwrap_or(DEFAULT_BACKUP_KEEP),
        );
        policy.copy_to = self
            .backup_copy_to
            .or_else(|| file.backup_copy_to.clone())
            .filter(|p| !p.as_os_str().is_empty());
        if let Some(days) = self.restore_drill_days.or(file.restore_drill_days) {
            policy.drill_every_days = i64::from(days.max(1));
        }
        let recipients = self
            .backup_recipients
            .or_else(|| file.backup_recipients.clone());
        let passphrase = self
            .backup_passphrase_file
            .or_else(|| file.backup_passphrase_file.clone());
        policy.seal = mamori_app::sealing::SealKey::from_settings(
            recipients.as_deref(),
            passphrase.as_deref(),
        )?
        .map(std::sync::Arc::new);
        if policy.seal.is_some() && policy.copy_to.is_none() {
            anyhow::bail!(
                "backup_recipients and backup_passphrase_file seal the copies of backup_copy_to: set it too"
            );
        }
        Ok(policy)
    }
}

/// What opens a sealed backup (`restore`, `restore-drill`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct OpenKeyFlags {
    /// An age identity file (AGE-SECRET-KEY-1…) that opens a sealed backup
    #[arg(long)]
    pub identity: Option<PathBuf>,
    /// A file whose first line is the passphrase of a sealed backup
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

impl OpenKeyFlags {
    pub fn resolve(self) -> anyhow::Result<Option<mamori_app::sealing::OpenKey>> {
        use mamori_app::sealing::OpenKey;
        Ok(match (self.identity, self.passphrase_file) {
            (Some(path), None) => Some(OpenKey::from_identity_file(&path)?),
            (None, Some(path)) => Some(OpenKey::from_passphrase_file(&path)?),
            (None, None) => None,
            (Some(_), Some(_)) => {
                anyhow::bail!("--identity and --passphrase-file: give one of them")
            }
        })
    }
}

/// The mail settings of `serve`, each from its flag, else `mamori.toml`.
#[derive(Debug, Default, Clone)]
pub struct SmtpArgs {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub user: Option<String>,
    /// From `MAMORI_SMTP_PASSWORD`.
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    pub from: Option<String>,
    pub ca_file: Option<PathBuf>,
}

/// The mail server, or `None` when no host is set (mails then wait in the queue).
pub fn smtp_config(
    args: SmtpArgs,
    file: &FileConfig,
) -> anyhow::Result<Option<mamori_app::notifications::mail::SmtpConfig>> {
    use mamori_app::notifications::mail::{SmtpConfig, SmtpSecurity};
    let Some(host) = args
        .host
        .or_else(|| file.smtp_host.clone())
        .filter(|h| !h.trim().is_empty())
    else {
        return Ok(None);
    };
    let security = match args.security.or_else(|| file.smtp_security.clone()) {
        Some(value) => SmtpSecurity::parse(&value)
            .with_context(|| format!("--smtp-security {value}: expected none, starttls or tls"))?,
        None => SmtpSecurity::StartTls,
    };
    let password = match (
        args.password,
        args.password_file
            .or_else(|| file.smtp_password_file.clone()),
    ) {
        (Some(password), _) => Some(password),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!("cannot read the mail password file {}", path.display())
            })?;
            Some(text.lines().next().unwrap_or_default().to_owned())
        }
        (None, None) => None,
    };
    let from = args.from.or_else(|| file.smtp_from.clone()).context(
        "--smtp-from (MAMORI_SMTP_FROM) is needed with --smtp-host: the address mails come from",
    )?;
    Ok(Some(SmtpConfig {
        host: host.trim().to_owned(),
        port: args
            .port
            .or(file.smtp_port)
            .unwrap_or_else(|| security.default_port()),
        security,
        user: args
            .user
            .or_else(|| file.smtp_user.clone())
            .filter(|u| !u.is_empty()),
        password: password.filter(|p| !p.is_empty()),
        from,
        ca_file: args.ca_file.or_else(|| file.smtp_ca_file.clone()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_logged_urls() {
        assert_eq!(
            redact("postgres://mamori:s3cret@db.local:5432/gikai"),
            "postgres://mamori:***@db.local:5432/gikai"
        );
        assert_eq!(
            redact("postgres://mamori@db/gikai"),
            "postgres://mamori@db/gikai"
        );
        assert_eq!(
            redact("sqlite://./x.sqlite3?mode=rwc"),
            "sqlite://./x.sqlite3?mode=rwc"
        );
    }

    #[test]
    fn mail_settings_come_from_flags_then_the_file() {
        let file: FileConfig = toml::from_str(
            "smtp_host = \"mail.gikai.lg.jp\"\nsmtp_from = \"mamori@gikai.lg.jp\"\nsmtp_security = \"tls\"",
        )
        .unwrap();
        let smtp = smtp_config(SmtpArgs::default(), &file).unwrap().unwrap();
        assert_eq!(smtp.describe(), "mail.gikai.lg.jp:465 (tls)");
        let flags = SmtpArgs {
            port: Some(2525),
            security: Some("none".to_owned()),
            ..SmtpArgs::default()
        };
        let smtp = smtp_config(flags, &file).unwrap().unwrap();
        assert_eq!(smtp.describe(), "mail.gikai.lg.jp:2525 (none)");
        assert!(
            smtp_config(SmtpArgs::default(), &FileConfig::default())
                .unwrap()
                .is_none()
        );
        let no_from = SmtpArgs {
            host: Some("mail.gikai.lg.jp".to_owned()),
            ..SmtpArgs::default()
        };
        assert!(smtp_config(no_from, &FileConfig::default()).is_err());
        let bad = SmtpArgs {
            security: Some("ssl3".to_owned()),
            ..SmtpArgs::default()
        };
        assert!(smtp_config(bad, &file).is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<FileConfig>("listen = \"0.0.0.0:80\"").is_ok());
        assert!(toml::from_str::<FileConfig>("lisen = \"0.0.0.0:80\"").is_err());
    }
}
