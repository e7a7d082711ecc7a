//! The mail queue as the security officer sees it: mails waiting (with the last error
//! when an attempt failed) and mails given up, and sending a failed mail again.

use mamori_domain::access::{Act, Register};
use mamori_store::StoreError;
use mamori_store::notifications::{self as store, MailState, QueuedMail};

use crate::{Acting, App, Failure};

/// Mails listed per state.
pub const LISTED: i64 = 200;

/// A mail with the login of the person it is for.
#[derive(Debug, Clone)]
pub struct MailRow {
    pub mail: QueuedMail,
    pub login: String,
}

/// The queue: failed mails first (they need someone), then those waiting.
#[derive(Debug, Clone)]
pub struct MailQueue {
    pub failed: Vec<MailRow>,
    pub failed_total: i64,
    pub waiting: Vec<MailRow>,
    pub waiting_total: i64,
}

pub async fn mail_queue(app: &App, acting: &Acting) -> Result<MailQueue, Failure> {
    app.permit(acting, Register::Notices, Act::Read, "notifications.mail")
        .await?;
    let rows = |list: Vec<(QueuedMail, String)>| {
        list.into_iter()
            .map(|(mail, login)| MailRow { mail, login })
            .collect()
    };
    let (failed, failed_total) =
        store::list_mail(app.store(), &[MailState::Failed], LISTED).await?;
    let (waiting, waiting_total) =
        store::list_mail(app.store(), &[MailState::Queued], LISTED).await?;
    Ok(MailQueue {
        failed: rows(failed),
        failed_total,
        waiting: rows(waiting),
        waiting_total,
    })
}

/// Puts a failed (or waiting) mail back for an attempt now, with its attempts counted
/// afresh. A sent mail is refused (`already_sent`).
pub async fn retry_mail(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::Notices,
            Act::Edit,
            "notifications.mail_retry",
        )
        .await?;
    let mut tx = permit.write(app).await?;
    match store::retry(&mut tx, id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "already_sent",
                "notify.error.already_sent",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}
