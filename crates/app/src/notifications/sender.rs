//! The background sender that `serve` runs: every few seconds it takes the queued mails
//! that are due, sends each through the configured server, and records the outcome. A
//! failed attempt is tried again after the backoff (1, 2, 4 … minutes up to an hour);
//! after the last attempt the mail is listed as failed for the security officer. A mail
//! is never removed: a server that is down only delays it.

use std::time::Duration;

use lettre::AsyncTransport;
use mamori_store::notifications as store;
use mamori_store::{Actor, Store};
use time::OffsetDateTime;

use crate::notifications::QueuedMail;
use crate::notifications::mail::{self, MailConfig, MailSetupError, Mailer};
use crate::{App, Failure};

/// Mails taken per pass.
const BATCH: i64 = 50;
/// How long a taken mail is left to this attempt before another pass may take it again
/// (a sender that stopped mid-send); longer than any delivery's timeout.
const LEASE: Duration = Duration::from_secs(600);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    /// Failed, to be tried again.
    pub deferred: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// Checks the settings and starts the sender; it runs until the task is aborted.
pub fn spawn(app: App, config: MailConfig) -> Result<tokio::task::JoinHandle<()>, MailSetupError> {
    let mailer = Mailer::new(config)?;
    tracing::info!(server = %mailer.config.smtp.describe(), "mail sender started");
    Ok(tokio::spawn(async move {
        loop {
            match send_due(&app, &mailer).await {
                Ok(pass) if pass != Pass::default() => {
                    tracing::info!(
                        sent = pass.sent,
                        deferred = pass.deferred,
                        failed = pass.failed,
                        "mail queue"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the mail queue could not be read"),
            }
            tokio::time::sleep(mailer.config.poll).await;
        }
    }))
}

/// How one attempt ended.
enum Attempt {
    Sent,
    /// Worth trying again later (the server is down, busy or slow).
    Transient(String),
    /// Refused for good (an address the server rejects, a message that cannot be built).
    Permanent(String),
}

async fn attempt(mailer: &Mailer, mail: &QueuedMail) -> Attempt {
    let message = match mail::compose(mail, &mailer.from, &mailer.config.public_url) {
        Ok(message) => message,
        Err(problem) => return Attempt::Permanent(problem),
    };
    match mailer.transport.send(message).await {
        Ok(_) => Attempt::Sent,
        Err(e) if e.is_permanent() => Attempt::Permanent(e.to_string()),
        Err(e) => Attempt::Transient(e.to_string()),
    }
}

/// Sends every mail that is due now, one by one. A transient failure ends the pass (the
/// server is likely down for the others too); they wait for the next one.
pub async fn send_due(app: &App, mailer: &Mailer) -> Result<Pass, Failure> {
    let store = app.store();
    let mut pass = Pass::default();
    let now = OffsetDateTime::now_utc();
    for mail in store::due(store, now, BATCH).await? {
        if !store::claim(store, &mail, now + LEASE).await? {
            continue;
        }
        match attempt(mailer, &mail).await {
            Attempt::Sent => {
                let mut tx = store.write(Actor::system("mailer")).await?;
                store::mark_sent(&mut tx, &mail).await?;
                tx.commit().await?;
                pass.sent += 1;
            }
            Attempt::Permanent(error) => {
                give_up(store, &mail, &error).await?;
                pass.failed += 1;
            }
            Attempt::Transient(error) => {
                if record_failure(store, mailer, &mail, &error).await? {
                    pass.deferred += 1;
                } else {
                    pass.failed += 1;
                }
                break;
            }
        }
    }
    Ok(pass)
}

async fn give_up(store: &Store, mail: &QueuedMail, error: &str) -> Result<(), Failure> {
    tracing::warn!(mail = mail.id, %error, "mail given up");
    let mut tx = store.write(Actor::system("mailer")).await?;
    store::mark_failed(&mut tx, mail, error).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt; true when the mail will be tried again.
async fn record_failure(
    store: &Store,
    mailer: &Mailer,
    mail: &QueuedMail,
    error: &str,
) -> Result<bool, Failure> {
    let failures = u32::try_from(mail.attempts + 1).unwrap_or(u32::MAX);
    tracing::warn!(mail = mail.id, attempt = failures, %error, "mail not delivered");
    match mailer.config.backoff.delay_after(failures) {
        Some(delay) => {
            let next = OffsetDateTime::now_utc() + delay;
            store::record_failure(store, mail, next, error).await?;
            Ok(true)
        }
        None => {
            give_up(store, mail, error).await?;
            Ok(false)
        }
    }
}
