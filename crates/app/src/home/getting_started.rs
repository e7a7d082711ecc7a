//! The getting-started checklist (はじめに行うこと) shown to those who set the
//! installation up — administrators and the security officer — until every step is
//! done or they close it. Each step is ticked from the data, never by hand; closing it
//! is an installation-wide setting, written with its audit entry, and can be undone.

use mamori_domain::access::{Act, Register};
use mamori_store::progress::Progress;

use crate::{Acting, App, Failure};

/// The setting that records the checklist was closed ("1"), or reopened ("0").
pub const DISMISSED: &str = "home.getting_started_dismissed";

/// One step, in the order they are best done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The assembly's name is set (at setup) and its security settings looked at.
    Settings,
    /// More people than the first administrator, and someone holds the CISO post.
    People,
    /// A basic policy imported, approved (決裁) and published.
    BasicPolicy,
    /// At least one information asset registered or imported.
    Assets,
    /// The classification scheme saved once (a level reviewed or a scheme chosen).
    Classification,
    /// A first risk analysed.
    Risks,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Settings,
        Step::People,
        Step::BasicPolicy,
        Step::Assets,
        Step::Classification,
        Step::Risks,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Settings => "settings",
            Step::People => "people",
            Step::BasicPolicy => "basic_policy",
            Step::Assets => "assets",
            Step::Classification => "classification",
            Step::Risks => "risks",
        }
    }

    /// The page where the step is done.
    pub fn path(self) -> &'static str {
        match self {
            Step::Settings => "/admin/security",
            Step::People => "/users",
            Step::BasicPolicy => "/policies",
            Step::Assets => "/assets/import",
            Step::Classification => "/settings/classification",
            Step::Risks => "/risks",
        }
    }

    /// Whether the data shows the step done.
    pub fn done(self, progress: &Progress) -> bool {
        match self {
            Step::Settings => progress.organisation_named,
            Step::People => progress.active_users > 1 && progress.ciso_held,
            Step::BasicPolicy => progress.basic_policy_published,
            Step::Assets => progress.assets > 0,
            Step::Classification => progress.classification_saved,
            Step::Risks => progress.risks > 0,
        }
    }
}

/// The checklist as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub steps: Vec<(Step, bool)>,
    /// Closed by someone (it is then shown only on request).
    pub dismissed: bool,
}

impl Checklist {
    pub fn all_done(&self) -> bool {
        self.steps.iter().all(|(_, done)| *done)
    }

    /// Shown on the home page: something is left and nobody closed it.
    pub fn shown(&self) -> bool {
        !self.dismissed && !self.all_done()
    }
}

/// Who sets the installation up: those who edit the security settings or the policies.
pub fn sets_up(acting: &Acting) -> bool {
    acting.may(Register::Security, Act::Edit) || acting.may(Register::Policies, Act::Edit)
}

/// The register whose edit grant lets the acting person set the installation up.
fn setup_register(acting: &Acting) -> Register {
    if acting.may(Register::Policies, Act::Edit) && !acting.may(Register::Security, Act::Edit) {
        Register::Policies
    } else {
        Register::Security
    }
}

/// The checklist, for those who set the installation up (anyone else is refused, and the
/// refusal recorded: ask [`sets_up`] first to show it only to them).
pub async fn getting_started(app: &App, acting: &Acting) -> Result<Checklist, Failure> {
    app.permit(
        acting,
        setup_register(acting),
        Act::Edit,
        "home.getting_started",
    )
    .await?;
    let progress = mamori_store::progress::progress(app.store()).await?;
    let dismissed = mamori_store::settings::get(app.store(), DISMISSED)
        .await?
        .is_some_and(|v| v == "1");
    Ok(Checklist {
        steps: Step::ALL.iter().map(|s| (*s, s.done(&progress))).collect(),
        dismissed,
    })
}

/// Closes (`true`) or reopens the checklist for the installation, with an audit entry.
pub async fn set_getting_started_dismissed(
    app: &App,
    acting: &Acting,
    dismissed: bool,
) -> Result<Checklist, Failure> {
    let permit = app
        .permit(
            acting,
            setup_register(acting),
            Act::Edit,
            "home.getting_started",
        )
        .await?;
    let mut tx = permit.write(app).await?;
    mamori_store::settings::set(&mut tx, DISMISSED, if dismissed { "1" } else { "0" }).await?;
    // Closing it twice changes nothing and writes nothing.
    match tx.commit().await {
        Ok(()) | Err(mamori_store::StoreError::MissingAudit) => {}
        Err(e) => return Err(e.into()),
    }
    getting_started(app, acting).await
}
