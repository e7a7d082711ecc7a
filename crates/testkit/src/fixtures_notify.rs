//! Notification fixtures: a server whose background mail sender delivers to a real
//! local SMTP receiver ([`crate::smtp`]) with a quick backoff, and helpers to set a
//! person's mail address and wait for the queue.

use std::time::Duration;

use mamori_app::notifications::Backoff;
use mamori_app::notifications::mail::{MailConfig, SmtpConfig, SmtpSecurity};
use serde_json::{Value, json};

use crate::smtp::SmtpReceiver;
use crate::{Backend, TestServer, Web};

/// The From address of the test mails.
pub const FROM: &str = "mamori@gikai.example.lg.jp";

/// A backoff for tests: `attempts` tries, 200 ms then 400 ms apart.
pub fn quick_backoff(attempts: u32) -> Backoff {
    Backoff {
        first: Duration::from_millis(200),
        max: Duration::from_millis(400),
        attempts,
    }
}

/// A test server with the mail sender running against `smtp`.
pub struct MailingServer {
    pub server: TestServer,
    pub smtp: SmtpReceiver,
    sender: tokio::task::JoinHandle<()>,
}

impl MailingServer {
    pub async fn start(backend: Backend, backoff: Backoff) -> MailingServer {
        let smtp = SmtpReceiver::start().await;
        let config = SmtpConfig {
            host: "127.0.0.1".to_owned(),
            port: smtp.port(),
            security: SmtpSecurity::None,
            user: None,
            password: None,
            from: FROM.to_owned(),
            ca_file: None,
        };
        let described = config.describe();
        let server = TestServer::start_configured(backend, move |web| {
            web.mail_server = Some(described);
        })
        .await;
        let mut mail = MailConfig::new(config, server.base.clone());
        mail.backoff = backoff;
        mail.poll = Duration::from_millis(100);
        mail.timeout = Duration::from_secs(5);
        let sender = mamori_app::notifications::sender::spawn(server.state.app.clone(), mail)
            .expect("mail settings");
        MailingServer {
            server,
            smtp,
            sender,
        }
    }

    pub async fn stop(self) {
        self.sender.abort();
        let _ = self.sender.await;
        self.server.stop().await;
    }
}

/// Sets the signed-in person's own mail address through the API.
pub async fn set_my_mail(web: &Web<'_>, address: &str) {
    let response = web
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            &json!({ "mail": address }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200, "mail settings");
}

/// The mail queue as the security officer's API shows it.
pub async fn mail_queue(officer: &Web<'_>) -> Value {
    officer.json("/api/v1/notifications/mail").await
}

/// Polls the queue until `done` holds (at most 20 s).
pub async fn wait_for_queue(officer: &Web<'_>, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let queue = mail_queue(officer).await;
        if done(&queue) {
            return queue;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue never got there: {queue}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client signed in as the existing user `login`.
pub async fn signed_in<'a>(server: &'a TestServer, login: &str) -> Web<'a> {
    Web {
        server,
        client: server.sign_in(login).await,
    }
}
