//! What an operator watches while mamori runs (`/metrics`): the mail queue, the files
//! being parsed, and how old the newest daily backup is. Read without a person: the web
//! lets only configured addresses ask.

use std::path::Path;

use time::OffsetDateTime;

use crate::{App, Failure, backups};

/// The state of the queues and the backups at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vitals {
    /// Mails waiting for their (next) attempt.
    pub mail_queued: i64,
    /// Mails given up after the last attempt, waiting for someone to send them again.
    pub mail_failed: i64,
    /// Uploaded files being parsed now, and how many may be at once.
    pub imports_parsing: usize,
    pub imports_parallel: usize,
    /// Seconds since the newest daily backup, or `None` when there is none.
    pub backup_age_seconds: Option<i64>,
}

pub async fn vitals(app: &App, data_dir: &Path) -> Result<Vitals, Failure> {
    let (mail_queued, mail_failed) =
        mamori_store::notifications::mail_queue_lengths(app.store()).await?;
    let (imports_parsing, imports_parallel) = app.parse_slots_in_use();
    let backup_age_seconds = backups::latest_daily(data_dir)
        .map(|at| (OffsetDateTime::now_utc() - at).whole_seconds().max(0));
    Ok(Vitals {
        mail_queued,
        mail_failed,
        imports_parsing,
        imports_parallel,
        backup_age_seconds,
    })
}
