//! Emergency response plans (緊急時対応計画, issue 18 item 6; clause 6(7)). The plan's
//! text is a policy document of kind `response_plan`, drafted, approved and published
//! through the versions workflow; each version also keeps structured scenarios
//! ([`mamori_domain::response_plan`]). A new draft copies the scenarios of the version it
//! starts from, or, for a new plan, one preset per family of clause 3. Whom to call is
//! kept as posts and resolved from the contact tree (緊急連絡網) when shown or printed.
//! Grants are those of `Register::Policies`; the numbers are those of
//! `Register::Organisation` read (the contact list).

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::policy_lifecycle::{PolicyKind, VersionStatus};
use mamori_domain::response_plan::{DEFAULTS, Scenario, ScenarioInput};
use mamori_store::organisation::{self as org_store, Post};
use mamori_store::policies::{self, Document, VersionSummary};
use mamori_store::response_plan::{self as store, StoredScenario};
use time::Date;

use crate::organisation::{self, ContactLine, ContactList};
use crate::{Acting, App, Failure};

const READ: &str = "policies.response_plan";
const EDIT: &str = "policies.response_plan_edit";

fn not_a_plan() -> Failure {
    Failure::conflict("not_a_response_plan", "response_plan.error.not_a_plan")
}

/// The scenarios a new version of a response plan starts with (read before the write
/// opens): those of the published version, else of the newest one not withdrawn; for a
/// new plan, or one whose versions kept none, the presets with their posts.
pub(super) async fn starting_scenarios(
    app: &App,
    document_id: Option<i64>,
) -> Result<Vec<Scenario>, Failure> {
    if let Some(id) = document_id {
        let versions = policies::versions(app.store(), id).await?;
        let from = versions
            .iter()
            .find(|v| v.status == VersionStatus::Published)
            .or_else(|| {
                versions
                    .iter()
                    .find(|v| v.status != VersionStatus::Withdrawn)
            });
        if let Some(from) = from {
            let kept = store::scenarios(app.store(), from.id).await?;
            if !kept.is_empty() {
                return Ok(kept.into_iter().map(|s| s.scenario).collect());
            }
        }
    }
    let posts = org_store::posts(app.store()).await?;
    Ok(DEFAULTS
        .iter()
        .map(|d| Scenario {
            family: d.family,
            title: d.title.to_owned(),
            actions: d.actions.iter().map(|s| (*s).to_owned()).collect(),
            calls: posts
                .iter()
                .filter(|p| p.role.is_some_and(|r| d.calls.contains(&r)))
                .map(|p| p.id)
                .collect(),
            reports: d.reports.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect())
}

/// A version of a plan with its scenarios.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub document: Document,
    pub version: VersionSummary,
    /// The plan's text as written, approved with the scenarios.
    pub text: String,
    pub scenarios: Vec<StoredScenario>,
    /// Every post in use, in the order of calling (the form's choices and their names).
    pub posts: Vec<Post>,
    /// The reader may edit the scenarios: a draft, and they edit policies.
    pub may_edit: bool,
}

/// Whom one scenario calls: each post in the order of calling, with its holders on the
/// day (none when the post is vacant).
#[derive(Debug, Clone)]
pub struct Call {
    pub post: Post,
    pub holders: Vec<ContactLine>,
}

impl PlanView {
    /// Posts `ids` in the contact tree's order, each with its holders in `contacts`
    /// (none when no list is given: the plan page names only the posts).
    pub fn calls_of(&self, ids: &[i64], contacts: Option<&ContactList>) -> Vec<Call> {
        self.posts
            .iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| Call {
                post: p.clone(),
                holders: contacts
                    .map(|c| {
                        c.lines
                            .iter()
                            .filter(|l| l.post.id == p.id)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Whom `scenario` calls, resolved from `contacts`.
    pub fn calls(&self, scenario: &Scenario, contacts: &ContactList) -> Vec<Call> {
        self.calls_of(&scenario.calls, Some(contacts))
    }

    /// Every post some scenario calls, in the order of calling: the wallet card.
    pub fn card(&self, contacts: &ContactList) -> Vec<Call> {
        let ids: Vec<i64> = self
            .scenarios
            .iter()
            .flat_map(|s| s.scenario.calls.iter().copied())
            .collect();
        self.calls_of(&ids, Some(contacts))
    }
}

async fn plan_document(app: &App, id: i64) -> Result<Document, Failure> {
    let document = policies::document(app.store(), id).await?;
    if document.kind != PolicyKind::ResponsePlan {
        return Err(not_a_plan());
    }
    Ok(document)
}

/// Version `vid` of plan `id` with its scenarios, to whoever reads policies and sees the
/// version (drafts only to those who edit).
pub async fn plan(app: &App, acting: &Acting, id: i64, vid: i64) -> Result<PlanView, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let document = plan_document(app, id).await?;
    let version = super::read::visible_version(app, acting, id, vid).await?;
    let scenarios = store::scenarios(app.store(), vid).await?;
    let may_edit =
        version.summary.status == VersionStatus::Draft && acting.may(Register::Policies, Act::Edit);
    Ok(PlanView {
        document,
        version: version.summary,
        text: version.source_text,
        scenarios,
        posts: org_store::posts(app.store()).await?,
        may_edit,
    })
}

/// A plan version and the contact list on `day`, for printing: the contact list needs
/// `Register::Organisation` read as well.
pub async fn plan_print(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    day: Date,
) -> Result<(PlanView, ContactList), Failure> {
    let plan = plan(app, acting, id, vid).await?;
    let contacts = organisation::contact_list(app, acting, day).await?;
    Ok((plan, contacts))
}

/// The published version of plan `id` with the contact list on `day`: the file for a USB
/// stick or a laptop.
pub async fn published_plan(
    app: &App,
    acting: &Acting,
    id: i64,
    day: Date,
) -> Result<(PlanView, ContactList), Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    plan_document(app, id).await?;
    let Some(version) = policies::published(app.store(), id).await? else {
        return Err(Failure::conflict(
            "not_published",
            "response_plan.error.not_published",
        ));
    };
    plan_print(app, acting, id, version.summary.id, day).await
}

/// Refuses (and records) one who may not read plans, before ids or bodies are read.
pub async fn plan_read_gate(app: &App, acting: &Acting) -> Result<(), Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    Ok(())
}

/// Refuses (and records) one who may not edit plans, before ids or bodies are read.
pub async fn plan_edit_gate(app: &App, acting: &Acting) -> Result<(), Failure> {
    app.permit(acting, Register::Policies, Act::Edit, EDIT)
        .await?;
    Ok(())
}

/// Scenario `sid` of draft `vid` of plan `id`, for its form: to those who edit policies,
/// and only while the version is a draft.
pub async fn scenario_form(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    sid: i64,
) -> Result<(PlanView, StoredScenario), Failure> {
    plan_edit_gate(app, acting).await?;
    let plan = plan(app, acting, id, vid).await?;
    let Some(scenario) = plan.scenarios.iter().find(|s| s.id == sid).cloned() else {
        return Err(Failure::NotFound);
    };
    if plan.version.status != VersionStatus::Draft {
        return Err(Failure::conflict(
            "not_draft",
            "response_plan.error.not_draft",
        ));
    }
    Ok((plan, scenario))
}

/// Rewrites scenario `sid` of draft `vid` of plan `id`. Bad input is refused with every
/// problem named and nothing written; a version no longer a draft is a conflict (a new
/// version is drafted instead).
pub async fn edit_scenario(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    sid: i64,
    input: &ScenarioInput,
) -> Result<StoredScenario, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, EDIT)
        .await?;
    plan_document(app, id).await?;
    let version = super::version_of(app, id, vid).await?;
    let before = store::scenario(app.store(), sid).await?;
    if before.version_id != vid {
        return Err(Failure::NotFound);
    }
    let mut problems = Vec::new();
    let checked = input.check().map_err(|p| problems.extend(p));
    let posts = org_store::posts(app.store()).await?;
    if input
        .calls
        .iter()
        .any(|c| !posts.iter().any(|p| p.id == *c))
    {
        problems.push(FieldProblem::new(
            "calls",
            "response_plan.error.unknown_post",
        ));
    }
    let (Ok(after), true) = (checked, problems.is_empty()) else {
        return Err(Failure::Invalid(problems));
    };
    if version.summary.status != VersionStatus::Draft {
        return Err(Failure::conflict(
            "not_draft",
            "response_plan.error.not_draft",
        ));
    }
    let mut tx = permit.write(app).await?;
    store::update(&mut tx, &before, &after).await?;
    tx.commit().await?;
    Ok(store::scenario(app.store(), sid).await?)
}
