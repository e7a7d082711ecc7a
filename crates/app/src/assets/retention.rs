//! The disposal date a 保存期間 gives: one use case for the form's "propose" button and
//! the API, over the domain's reading. It proposes and never stores: the person puts
//! the date in the disposal field and saves it, or does not.

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{MAX_RETENTION, NoProposal, Retention};
use mamori_domain::field::FieldProblem;
use mamori_domain::text::{TextProblem, single_line};
use time::Date;

use crate::{Acting, App, Failure};

/// When the keeping starts, for counting N年: what the count is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Today: a new asset, which is being made now.
    Today(Date),
    /// The registration date of an existing asset.
    Registered(Date),
    /// A date the caller gave (the API).
    Given(Date),
}

impl Start {
    pub fn date(self) -> Date {
        match self {
            Start::Today(date) | Start::Registered(date) | Start::Given(date) => date,
        }
    }
}

/// Why no date is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// No 保存期間 was given.
    Blank,
    /// The text is kept as written, but no reading fits it.
    NotRecognised,
    /// The reading has no date (永年, 任期中, 随時 …).
    Reading(NoProposal),
}

impl Gap {
    pub fn code(self) -> &'static str {
        match self {
            Gap::Blank => "blank",
            Gap::NotRecognised => "not_recognised",
            Gap::Reading(NoProposal::KeptWithoutEnd) => "kept_without_end",
            Gap::Reading(NoProposal::EndsWithEvent) => "ends_with_event",
            Gap::Reading(NoProposal::WhenNoLongerNeeded) => "when_no_longer_needed",
        }
    }

    /// The message, with `{text}` for the retention period.
    pub fn message_key(self) -> &'static str {
        match self {
            Gap::Blank => "asset.retention.no_proposal_empty",
            Gap::NotRecognised => "asset.retention.kept_as_written",
            Gap::Reading(reason) => reason.message_key(),
        }
    }
}

/// A 保存期間, what it was read as, and the disposal date it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub retention: Option<Retention>,
    pub start: Start,
    pub disposal: Result<Date, Gap>,
}

/// Reads `text` and proposes a disposal date, for anyone who may read the register.
/// Text that is not one line of at most [`MAX_RETENTION`] characters is refused as the
/// form's field would be.
pub async fn propose_disposal(
    app: &App,
    acting: &Acting,
    text: &str,
    start: Start,
) -> Result<Proposal, Failure> {
    app.permit(acting, Register::Assets, Act::Read, "assets.retention")
        .await?;
    let text = match single_line(text, MAX_RETENTION) {
        Ok(text) => text,
        Err(TextProblem::Empty) => String::new(),
        Err(problem) => {
            return Err(Failure::Invalid(vec![FieldProblem::text(
                "retention",
                problem,
            )]));
        }
    };
    let retention = Retention::new(&text);
    let disposal = match retention.as_ref().map(|r| r.reading) {
        None => Err(Gap::Blank),
        Some(None) => Err(Gap::NotRecognised),
        Some(Some(reading)) => reading
            .proposed_disposal(start.date())
            .map_err(Gap::Reading),
    };
    Ok(Proposal {
        retention,
        start,
        disposal,
    })
}
