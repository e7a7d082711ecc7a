//! The one number in the navigation: how many things wait for the person signed in.
//! Every page shows it, so it is a handful of counts, not the home page's lists.

use mamori_domain::access::{Act, Register};
use time::Date;

use crate::{Acting, App, Failure};

/// What waits for the person, part by part, and in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitingCount {
    /// Approval requests the person may decide now.
    pub approvals: i64,
    /// Their overdue corrective and treatment actions (the security officer: everyone's).
    pub actions: i64,
    pub unread_notices: i64,
    /// Published policy versions they have yet to acknowledge.
    pub acknowledgements: i64,
}

impl WaitingCount {
    pub fn total(&self) -> i64 {
        self.approvals + self.actions + self.unread_notices + self.acknowledgements
    }
}

/// Counts what waits for the acting person on `today` (nothing for the command line).
pub async fn waiting_count(
    app: &App,
    acting: &Acting,
    today: Date,
) -> Result<WaitingCount, Failure> {
    if acting.user_id().is_none() {
        return Ok(WaitingCount::default());
    }
    let store = app.store();
    // Most of the time nothing is pending at all: one COUNT settles it.
    let approvals = if acting.may(Register::Approvals, Act::Read)
        && mamori_store::approvals::pending_count(store).await? > 0
    {
        crate::approvals::inbox(app, acting).await?.len() as i64
    } else {
        0
    };
    let corrective = crate::cycle::actions::overdue_for(app, acting, today).await?;
    let follows_risks =
        acting.may(Register::Risks, Act::Edit) || acting.may(Register::Risks, Act::Decide);
    let treatment = if follows_risks {
        mamori_store::risks::overdue_actions(store, today).await?
    } else {
        Vec::new()
    };
    // The home page lists a treatment action once, even when it is also a cycle action.
    let actions = treatment.len() as i64
        + corrective
            .iter()
            .filter(|a| !treatment.iter().any(|t| t.id == a.id))
            .count() as i64;
    Ok(WaitingCount {
        approvals,
        actions,
        unread_notices: crate::notifications::unread_count(app, acting).await?,
        acknowledgements: crate::policies::pending_acknowledgements(app, acting)
            .await?
            .len() as i64,
    })
}
