//! Mail: the SMTP server mamori sends through (host, port, none / STARTTLS / TLS, an
//! optional login and an optional CA file for an internal mail server's certificate),
//! and the message a queued mail becomes — UTF-8 text, the subject as an RFC 2047
//! encoded word, the body in base64, with the notice's text, its link on this server and
//! closing lines in the recipient's language. Nothing else goes into a mail.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, Message, Tokio1Executor};

use mamori_domain::wareki::Lang;

use crate::i18n::Tr;
use crate::notifications::{Backoff, QueuedMail};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on the same host or a closed network segment.
    None,
    /// Plain connection upgraded with STARTTLS (required, never optional).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpSecurity {
    pub fn parse(value: &str) -> Option<SmtpSecurity> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" | "smtps" => Some(SmtpSecurity::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::None => "none",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }

    /// The usual port: 25, 587 (submission) or 465.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

/// The mail server and the sender address.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    /// Never logged nor shown (see the `Debug` implementation).
    pub password: Option<String>,
    /// The From address, e.g. `mamori@gikai.city.example.lg.jp`.
    pub from: String,
    /// A PEM file of the CA that signed an internal mail server's certificate.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl SmtpConfig {
    /// `host:port (security)`, for the log and the mail queue page.
    pub fn describe(&self) -> String {
        format!("{}:{} ({})", self.host, self.port, self.security.as_str())
    }
}

/// Why the mail settings cannot be used; `serve` refuses to start with them.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("the mail From address {0:?} is not a valid address")]
    From(String),
    #[error("the mail server host is empty")]
    Host,
    #[error("cannot read the CA file {path}: {error}")]
    CaFile { path: PathBuf, error: String },
    #[error("the mail TLS settings are refused: {0}")]
    Tls(String),
    #[error("a mail user needs a password (MAMORI_SMTP_PASSWORD or --smtp-password-file)")]
    Password,
}

/// Everything the background sender needs.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp: SmtpConfig,
    /// The address people use, put in front of each link.
    pub public_url: String,
    pub backoff: Backoff,
    /// How often the queue is looked at.
    pub poll: Duration,
    /// How long one delivery may take before it counts as failed.
    pub timeout: Duration,
}

impl MailConfig {
    pub fn new(smtp: SmtpConfig, public_url: String) -> MailConfig {
        MailConfig {
            smtp,
            public_url,
            backoff: Backoff::default(),
            poll: Duration::from_secs(15),
            timeout: Duration::from_secs(60),
        }
    }
}

/// A connection setting ready to send, and the From mailbox.
pub struct Mailer {
    pub(crate) transport: AsyncSmtpTransport<Tokio1Executor>,
    pub(crate) from: Mailbox,
    pub(crate) config: MailConfig,
}

impl Mailer {
    /// Checks the settings (From address, CA file, TLS) and prepares the transport.
    pub fn new(config: MailConfig) -> Result<Mailer, MailSetupError> {
        let smtp = &config.smtp;
        if smtp.host.trim().is_empty() {
            return Err(MailSetupError::Host);
        }
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|_| MailSetupError::From(smtp.from.clone()))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.trim())
            .port(smtp.port)
            .timeout(Some(config.timeout))
            .hello_name(client_id(&hello_name(&config.public_url)));
        if smtp.security != SmtpSecurity::None {
            let mut tls = TlsParameters::builder(smtp.host.trim().to_owned());
            if let Some(path) = &smtp.ca_file {
                let pem = std::fs::read(path).map_err(|e| MailSetupError::CaFile {
                    path: path.clone(),
                    error: e.to_string(),
                })?;
                let certificate =
                    Certificate::from_pem(&pem).map_err(|e| MailSetupError::CaFile {
                        path: path.clone(),
                        error: e.to_string(),
                    })?;
                tls = tls.add_root_certificate(certificate);
            }
            let parameters = tls
                .build_rustls()
                .map_err(|e| MailSetupError::Tls(e.to_string()))?;
            builder = builder.tls(match smtp.security {
                SmtpSecurity::StartTls => Tls::Required(parameters),
                _ => Tls::Wrapper(parameters),
            });
        }
        match (&smtp.user, &smtp.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (Some(_), None) => return Err(MailSetupError::Password),
            _ => {}
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            config,
        })
    }
}

/// The name mamori greets the mail server with: the host of its public address.
fn hello_name(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let host = match rest.strip_prefix('[') {
        // An IPv6 address: http://[::1]:8080
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => rest.split(['/', ':']).next().unwrap_or(""),
    };
    if host.is_empty() {
        "localhost".to_owned()
    } else {
        host.to_owned()
    }
}

/// An address literal when the public address is an IP address (EHLO [127.0.0.1]).
fn client_id(host: &str) -> ClientId {
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ClientId::Ipv4(ip),
        Ok(std::net::IpAddr::V6(ip)) => ClientId::Ipv6(ip),
        Err(_) => ClientId::Domain(host.to_owned()),
    }
}

/// The right-hand side of a Message-ID: a domain, or an address literal (`[::1]`).
fn id_domain(host: &str) -> String {
    match host.parse::<std::net::IpAddr>() {
        Ok(_) => format!("[{host}]"),
        Err(_) => host.to_owned(),
    }
}

/// The whole text of a queued mail: the notice's sentence, the link on this server and
/// the closing lines, in the mail's language.
pub fn compose_body(mail: &QueuedMail, public_url: &str) -> String {
    let tr = Tr::new(mail.lang);
    let url = format!("{}{}", public_url.trim_end_matches('/'), mail.link);
    [
        mail.body.clone(),
        String::new(),
        tr.f("notify.mail.open", &[("url", url)]),
        String::new(),
        "--".to_owned(),
        tr.t("notify.mail.footer").to_owned(),
        tr.t("notify.mail.preferences").to_owned(),
    ]
    .join("\n")
}

/// The message for a queued mail: From the configured address To the recipient's
/// address only (no display name), UTF-8 plain text in base64.
pub fn compose(mail: &QueuedMail, from: &Mailbox, public_url: &str) -> Result<Message, String> {
    let to: Mailbox = mail
        .address
        .parse()
        .map_err(|e| format!("recipient address refused: {e}"))?;
    let body = Body::new_with_encoding(
        compose_body(mail, public_url),
        ContentTransferEncoding::Base64,
    )
    .map_err(|_| "the body cannot be encoded".to_owned())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!(
            "<mamori.{}.{}@{}>",
            mail.id,
            crate::random_token().get(..16).unwrap_or_default(),
            id_domain(&hello_name(public_url))
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("the message cannot be built: {e}"))
}

/// Sends one test mail to `to` at once (not through the queue), in `lang`, to check
/// the mail settings; the error says why the server refused or could not be reached.
pub async fn send_test(smtp: SmtpConfig, to: &str, lang: Lang) -> Result<(), String> {
    use lettre::AsyncTransport;
    let config = MailConfig::new(smtp, "http://localhost".to_owned());
    let mailer = Mailer::new(config).map_err(|e| e.to_string())?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| format!("recipient address refused: {e}"))?;
    let tr = Tr::new(lang);
    let body = Body::new_with_encoding(
        tr.t("notify.mail.test_body").to_owned(),
        ContentTransferEncoding::Base64,
    )
    .map_err(|_| "the body cannot be encoded".to_owned())?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(tr.t("notify.mail.test_subject"))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("the message cannot be built: {e}"))?;
    mailer
        .transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_store::notifications::MailState;

    fn queued(lang: Lang) -> QueuedMail {
        let now = time::OffsetDateTime::now_utc();
        QueuedMail {
            id: 7,
            user_id: 3,
            address: "giin@gikai.example.lg.jp".to_owned(),
            lang,
            subject: "[mamori] 確認のお願い：基本方針".to_owned(),
            body: "「基本方針」を読んで確認してください。".to_owned(),
            link: "/policies/1/versions/2".to_owned(),
            state: MailState::Queued,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }

    #[test]
    fn the_body_carries_the_link_on_this_server() {
        let body = compose_body(&queued(Lang::Ja), "https://mamori.gikai.example.lg.jp/");
        assert!(body.starts_with("「基本方針」を読んで確認してください。"));
        assert!(body.contains("https://mamori.gikai.example.lg.jp/policies/1/versions/2"));
    }

    #[test]
    fn japanese_is_mime_encoded() {
        let from: Mailbox = "mamori@gikai.example.lg.jp".parse().unwrap();
        let message = compose(&queued(Lang::Ja), &from, "http://127.0.0.1:8080").unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.is_ascii(), "{raw}");
        assert!(raw.contains("Subject: [mamori] =?utf-8?b?"), "{raw}");
        assert!(raw.contains("Content-Transfer-Encoding: base64"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("To: giin@gikai.example.lg.jp"), "{raw}");
    }

    #[test]
    fn the_password_is_never_in_debug_output() {
        let config = SmtpConfig {
            host: "mail.example.lg.jp".to_owned(),
            port: 587,
            security: SmtpSecurity::StartTls,
            user: Some("mamori".to_owned()),
            password: Some("s3cret-pass".to_owned()),
            from: "mamori@example.lg.jp".to_owned(),
            ca_file: None,
        };
        assert!(!format!("{config:?}").contains("s3cret-pass"));
        assert_eq!(config.describe(), "mail.example.lg.jp:587 (starttls)");
    }

    #[test]
    fn settings_are_checked_before_serving() {
        let mut smtp = SmtpConfig {
            host: "mail.example.lg.jp".to_owned(),
            port: 25,
            security: SmtpSecurity::None,
            user: None,
            password: None,
            from: "not an address".to_owned(),
            ca_file: None,
        };
        let config = |smtp: &SmtpConfig| MailConfig::new(smtp.clone(), "http://x".to_owned());
        assert!(matches!(
            Mailer::new(config(&smtp)),
            Err(MailSetupError::From(_))
        ));
        smtp.from = "mamori@example.lg.jp".to_owned();
        smtp.user = Some("mamori".to_owned());
        assert!(matches!(
            Mailer::new(config(&smtp)),
            Err(MailSetupError::Password)
        ));
        smtp.user = None;
        smtp.security = SmtpSecurity::Tls;
        smtp.ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
        assert!(matches!(
            Mailer::new(config(&smtp)),
            Err(MailSetupError::CaFile { .. })
        ));
        smtp.ca_file = None;
        assert!(Mailer::new(config(&smtp)).is_ok());
        assert_eq!(
            SmtpSecurity::parse("STARTTLS"),
            Some(SmtpSecurity::StartTls)
        );
        assert_eq!(SmtpSecurity::parse("ssl3"), None);
        assert_eq!(
            hello_name("https://mamori.gikai.lg.jp:8443/x"),
            "mamori.gikai.lg.jp"
        );
        assert_eq!(hello_name("http://[::1]:8080"), "::1");
        assert!(matches!(client_id("::1"), ClientId::Ipv6(_)));
        assert!(matches!(client_id("127.0.0.1"), ClientId::Ipv4(_)));
    }
}
