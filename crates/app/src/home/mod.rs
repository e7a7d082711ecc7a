//! What the home page shows: where the installation stands, and what waits for the
//! person signed in (policies to acknowledge, take-outs to decide, risks to follow up).
//! It reads the other registers' records directly (reads only). The navigation's count
//! is in `count`, the checklist of first steps in `getting_started`.

mod count;
mod getting_started;
pub use count::{WaitingCount, waiting_count};
pub use getting_started::{
    Checklist, DISMISSED, Step, getting_started, set_getting_started_dismissed, sets_up,
};

use mamori_domain::access::{Act, Register};
use mamori_store::{risks, users};
use time::Date;

use crate::{Acting, App, Failure};

pub use mamori_store::risks::{Acceptance, AcceptanceStatus, Action};

/// How far ahead expiring risk acceptances are shown.
pub const ACCEPTANCE_NOTICE_DAYS: i64 = 30;

/// The installation's state, shown to everyone once set up.
#[derive(Debug, Clone)]
pub struct Installation {
    pub setup_done: bool,
    pub backend: &'static str,
    pub schema_version: i64,
    pub active_users: i64,
}

pub async fn installation(app: &App) -> Result<Installation, Failure> {
    Ok(Installation {
        setup_done: users::active_admin_exists(app.store()).await?,
        backend: app.backend().name(),
        schema_version: app.store().schema_version().await?,
        active_users: users::count(app.store()).await?,
    })
}

/// A policy version waiting for this person's acknowledgement.
#[derive(Debug, Clone)]
pub struct PendingAcknowledgement {
    pub title: String,
    pub document_id: i64,
    pub version_id: i64,
    /// A pledge (誓約書) to sign rather than a policy to acknowledge.
    pub pledge: bool,
}

/// What waits for the person signed in.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    pub acknowledgements: Vec<PendingAcknowledgement>,
    /// Treatment actions past their due date (for those who keep or decide risks).
    pub overdue_actions: Vec<Action>,
    /// Acceptances pending a decision or expiring within [`ACCEPTANCE_NOTICE_DAYS`].
    pub acceptances: Vec<Acceptance>,
    /// The newest unread notices (at most [`HOME_NOTICES`]): everything a mail says is
    /// here too, for those who read no mail.
    pub notices: Vec<crate::notifications::Notification>,
    /// Approval requests (決裁) waiting for this person's decision, due date first.
    pub approvals: Vec<crate::approvals::Seen>,
    /// Reviews due and corrective actions overdue (the cycle blocks).
    pub cycle: CycleWaiting,
    /// Exceptions (例外措置) ending within 30 days or expired and not closed, for those
    /// who keep or permit them.
    pub exceptions: Vec<crate::exceptions::Listed>,
    /// Closed records past their retention period and not yet proposed for redaction
    /// (`{kind}:{id}`), for those who propose redactions.
    pub retention_due: Vec<String>,
    /// Awareness notices (注意喚起) addressed to the person and not read yet, nearest
    /// deadline first.
    pub awareness: Vec<crate::awareness::Listed>,
    /// Training sessions the person is invited to from today on, soonest first.
    pub training_upcoming: Vec<crate::training::SessionRecord>,
    /// The person's own training standing this 年度, when the rule binds them.
    pub training_standing: Option<crate::training::Standing>,
    /// For those who see everyone's coverage: who is overdue and how many are not yet
    /// trained this 年度.
    pub training_outstanding: Option<crate::training::Outstanding>,
    /// Incidents not closed: every one for those who see all, one's own for the rest.
    pub incidents: Vec<crate::incidents::Listed>,
    /// Outside reports of incidents past their deadline, for those who handle incidents
    /// and the CISO.
    pub incident_reports_overdue: Vec<crate::incidents::reports::Overdue>,
    /// For those who keep the continuity plan: how many critical services have no
    /// alternate staff.
    pub continuity_uncovered: Option<usize>,
    /// Term changes (改選) not finished, for those who keep them.
    pub term_changes: Vec<crate::term_changes::Summary>,
    /// The person's requests sent back or rejected, until they send them again.
    pub returned: Vec<crate::approvals::Request>,
    /// The assets the person holds (the newest [`HOME_HELD`]), and how many in all.
    pub held: Vec<(i64, String)>,
    pub held_total: i64,
    /// Attached evidence past its expiry on records this person may change: (the
    /// attachment, the record it is attached to).
    pub expired_files: Vec<(crate::files::Attachment, crate::files::Seen)>,
}

/// Reviews overdue or due within 30 days that the person reviews (the security officer:
/// all), and their overdue corrective actions (the security officer: everyone's) other
/// than the risk actions listed above.
#[derive(Debug, Clone, Default)]
pub struct CycleWaiting {
    pub reviews: Vec<crate::cycle::ScheduleRecord>,
    pub overdue_actions: Vec<crate::cycle::CorrectiveAction>,
}

/// How many of the assets a person holds the home page lists.
pub const HOME_HELD: i64 = 10;

/// How many unread notices the home page lists.
pub const HOME_NOTICES: i64 = 10;

pub async fn waiting(app: &App, acting: &Acting, today: Date) -> Result<Waiting, Failure> {
    let Some(user_id) = acting.user_id() else {
        return Ok(Waiting::default());
    };
    let store = app.store();
    let acknowledgements = crate::policies::pending_acknowledgements(app, acting)
        .await?
        .into_iter()
        .map(|(document, version)| PendingAcknowledgement {
            title: version.title,
            document_id: document.id,
            version_id: version.id,
            pledge: document.kind == mamori_domain::policy_lifecycle::PolicyKind::Pledge,
        })
        .collect();
    let follows_risks =
        acting.may(Register::Risks, Act::Edit) || acting.may(Register::Risks, Act::Decide);
    let (overdue_actions, acceptances) = if follows_risks {
        let until = today + time::Duration::days(ACCEPTANCE_NOTICE_DAYS);
        (
            risks::overdue_actions(store, today).await?,
            risks::acceptances_needing_attention(store, until).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let (notices, _) = crate::notifications::my_notices(app, acting, true, HOME_NOTICES, 0).await?;
    let approvals = if acting.may(Register::Approvals, Act::Read) {
        crate::approvals::inbox(app, acting).await?
    } else {
        Vec::new()
    };
    let listed: Vec<i64> = overdue_actions.iter().map(|a| a.id).collect();
    let cycle = CycleWaiting {
        reviews: crate::cycle::reviews::waiting(app, acting, today).await?,
        overdue_actions: crate::cycle::actions::overdue_for(app, acting, today)
            .await?
            .into_iter()
            .filter(|a| !listed.contains(&a.id))
            .collect(),
    };
    let held = if acting.may(Register::Assets, Act::Read) {
        let filter = mamori_store::assets::Filter {
            holder_id: Some(user_id),
            ..Default::default()
        };
        mamori_store::assets::list(
            store,
            acting.viewer(),
            &filter,
            mamori_store::assets::Sort::Newest,
            0,
            HOME_HELD,
        )
        .await?
    } else {
        mamori_store::assets::Page {
            assets: Vec::new(),
            total: 0,
        }
    };
    Ok(Waiting {
        acknowledgements,
        overdue_actions,
        acceptances,
        notices,
        approvals,
        returned: crate::approvals::returned_to_me(app, acting).await?,
        cycle,
        exceptions: crate::exceptions::needing_attention(app, acting).await?,
        retention_due: crate::retention::due_records(app, acting, today).await?,
        awareness: crate::awareness::unread_for(app, acting).await?,
        training_upcoming: crate::training::upcoming_for(app, acting).await?,
        training_standing: crate::training::my_standing(app, acting).await?,
        training_outstanding: crate::training::outstanding(app, acting).await?,
        term_changes: crate::term_changes::unfinished(app, acting).await?,
        incidents: crate::incidents::open_for(app, acting).await?,
        incident_reports_overdue: crate::incidents::reports::overdue_for(app, acting, today)
            .await?,
        continuity_uncovered: crate::continuity::uncovered_for(app, acting).await?,
        held: held.assets.into_iter().map(|a| (a.id, a.name)).collect(),
        held_total: held.total,
        expired_files: crate::files::expired_for(app, acting, today).await?,
    })
}
