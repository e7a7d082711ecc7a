//! One-time submissions: a form's hidden token or an API `Idempotency-Key` claimed by
//! its first submission, whose answer every later submission with the same token gets
//! instead of running again. The web layer calls [`claim`] before a handler runs and
//! [`finish`] (an answer to give again) or [`release`] (nothing was written) after it.
//! The bookkeeping writes no audit entry: a replayed answer changes nothing.

use mamori_domain::once::OnceKey;
use mamori_store::once;
pub use mamori_store::once::{Answer, Claim, Kind};

use crate::{Acting, App, Failure};

/// One submission's identity: who sent which key to which path.
#[derive(Debug, Clone)]
pub struct Submission {
    user_id: i64,
    key: OnceKey,
    path: String,
    kind: Kind,
}

impl Submission {
    /// None for a caller that is not a signed-in user (the command line, the setup page):
    /// they have no one-time tokens.
    pub fn new(acting: &Acting, key: OnceKey, path: &str, kind: Kind) -> Option<Submission> {
        Some(Submission {
            user_id: acting.user_id()?,
            key,
            path: path.to_owned(),
            kind,
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }
}

/// Claims the submission's key: [`Claim::Fresh`] means "run it".
pub async fn claim(app: &App, submission: &Submission) -> Result<Claim, Failure> {
    let s = submission;
    Ok(once::claim(app.store(), s.user_id, s.key.as_str(), &s.path, s.kind).await?)
}

/// How the first submission stands now (while a second one waits for it).
pub async fn look(app: &App, submission: &Submission) -> Result<Claim, Failure> {
    let s = submission;
    Ok(once::look(app.store(), s.user_id, s.key.as_str(), &s.path).await?)
}

/// Keeps the first submission's answer for the submissions that follow.
pub async fn finish(app: &App, submission: &Submission, answer: &Answer) -> Result<(), Failure> {
    let s = submission;
    Ok(once::finish(app.store(), s.user_id, s.key.as_str(), &s.path, answer).await?)
}

/// Frees the key of a submission that wrote nothing, so it can be sent again.
pub async fn release(app: &App, submission: &Submission) -> Result<(), Failure> {
    let s = submission;
    Ok(once::release(app.store(), s.user_id, s.key.as_str(), &s.path).await?)
}
