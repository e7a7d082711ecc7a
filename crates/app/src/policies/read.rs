//! Reading policies: the list, a document with its versions and reviews, a version with
//! what the reader may do with it, the text of a version, comparisons, a clause with what
//! links to it, and the public page of the basic policy.

use mamori_domain::access::{Act, Register};
use mamori_domain::policy::{Clause, PolicyText};
use mamori_domain::policy_diff::{self, VersionDiff};
use mamori_domain::policy_lifecycle::{self, PolicyKind, VersionStatus};
use mamori_store::policies;

use super::{AcknowledgementRow, ClauseLink, Document, Review, Version, VersionSummary};
use crate::{Acting, App, Failure};

const READ: &str = "policies.view";

/// THE rule of which versions a reader sees: those who edit or approve (決裁) policies see
/// every version, drafts included; members and other staff see the published version
/// and those it replaced (`VersionStatus::is_public`). Every reading use case goes
/// through [`visible`], so a draft is "not found" for them on every page and API route.
fn sees_drafts(acting: &Acting) -> bool {
    acting.may(Register::Policies, Act::Edit) || acting.may(Register::Policies, Act::Decide)
}

/// Whether `acting` may see version `summary` (see [`sees_drafts`]).
pub fn visible(acting: &Acting, summary: &VersionSummary) -> bool {
    sees_drafts(acting) || summary.status.is_public()
}

/// The versions of document `id` that `acting` sees, newest first; a document of which
/// they see none is not found for them.
async fn visible_versions(
    app: &App,
    acting: &Acting,
    id: i64,
) -> Result<Vec<VersionSummary>, Failure> {
    let mut versions = policies::versions(app.store(), id).await?;
    versions.retain(|v| visible(acting, v));
    if versions.is_empty() && !sees_drafts(acting) {
        return Err(Failure::NotFound);
    }
    Ok(versions)
}

/// Version `vid` of document `id`, if `acting` sees it (else not found).
pub(super) async fn visible_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
) -> Result<Version, Failure> {
    let version = super::version_of(app, id, vid).await?;
    if !visible(acting, &version.summary) {
        return Err(Failure::NotFound);
    }
    Ok(version)
}

/// A document in the list, with its newest and its published version.
#[derive(Debug, Clone)]
pub struct DocumentListing {
    pub document: Document,
    pub latest: Option<VersionSummary>,
    pub published: Option<VersionSummary>,
}

/// Every policy document the reader sees a version of, by id.
pub async fn list_documents(app: &App, acting: &Acting) -> Result<Vec<DocumentListing>, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let mut out = Vec::new();
    for document in policies::documents(app.store()).await? {
        let versions = match visible_versions(app, acting, document.id).await {
            Ok(versions) => versions,
            Err(Failure::NotFound) => continue,
            Err(other) => return Err(other),
        };
        out.push(DocumentListing {
            latest: versions.first().cloned(),
            published: published_of(&versions).cloned(),
            document,
        });
    }
    Ok(out)
}

fn published_of(versions: &[VersionSummary]) -> Option<&VersionSummary> {
    versions
        .iter()
        .find(|v| v.status == VersionStatus::Published)
}

/// The version a document is shown with: the published one, else the newest that was not
/// withdrawn, else the newest.
fn current_of(versions: &[VersionSummary]) -> Option<&VersionSummary> {
    published_of(versions)
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.status != VersionStatus::Withdrawn)
        })
        .or(versions.first())
}

/// A document, its versions (newest first) and its review records.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document: Document,
    pub versions: Vec<VersionSummary>,
    pub reviews: Vec<Review>,
}

pub async fn show_document(app: &App, acting: &Acting, id: i64) -> Result<DocumentView, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let document = policies::document(app.store(), id).await?;
    Ok(DocumentView {
        versions: visible_versions(app, acting, id).await?,
        document,
        reviews: policies::reviews(app.store(), id).await?,
    })
}

/// A version, and what the reader may do with it.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub version: Version,
    /// The approver's display name.
    pub approver: Option<String>,
    /// The reader may approve (決裁) it now: a draft, an approving post, not the author.
    pub may_approve: bool,
    /// The reader may send it for 決裁: a draft not waiting for one, and they edit
    /// policies.
    pub may_send: bool,
    pub may_publish: bool,
    /// The reader may withdraw (取下げ) it: a draft, and they edit policies.
    pub may_withdraw: bool,
    /// The reader's standing, when the version is published and binds them.
    pub mine: Option<AcknowledgementRow>,
    /// The version's approval requests (決裁), oldest first.
    pub approvals: Vec<crate::approvals::Request>,
    /// A pledge (誓約書): acknowledging it is signing it.
    pub pledge: bool,
    /// An emergency response plan: the version has scenarios on their own page.
    pub response_plan: bool,
}

pub async fn show_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
) -> Result<VersionView, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let version = visible_version(app, acting, id, vid).await?;
    let summary = &version.summary;
    // Its approval history; a draft is approved only while a request waits (not once
    // it was sent back or rejected).
    let subject = mamori_domain::record::RecordRef::new(
        mamori_domain::record::RecordKind::PolicyVersion,
        vid,
    );
    let approvals = mamori_store::approvals::for_subject(app.store(), subject).await?;
    let pending = approvals
        .iter()
        .find(|r| r.state == mamori_domain::approval::State::Pending);
    let waiting = pending.is_some();
    // A draft sent to one person is theirs to decide (a deputy decides from the request).
    let asked_me = pending.is_some_and(|r| match r.asked {
        mamori_domain::approval::Asked::Person(p) => acting.user_id() == Some(p),
        _ => true,
    });
    let may_approve = asked_me
        && acting.may(Register::Policies, Act::Decide)
        && acting.user_id().is_some_and(|me| {
            policy_lifecycle::check_approval(summary.status, summary.created_by, me, &acting.posts)
                .is_ok()
        });
    let mine = match acting.user_id() {
        Some(me) if summary.status == VersionStatus::Published => {
            policies::acknowledgements(app.store(), vid)
                .await?
                .into_iter()
                .find(|a| a.user_id == me)
        }
        _ => None,
    };
    let approver = match summary.approved_by {
        Some(id) => mamori_store::users::get(app.store(), id)
            .await
            .ok()
            .map(|u| u.display_name),
        None => None,
    };
    let may_withdraw = policy_lifecycle::check_withdrawal(summary.status).is_ok()
        && acting.may(Register::Policies, Act::Edit);
    let may_send = summary.status == VersionStatus::Draft
        && !waiting
        && acting.may(Register::Policies, Act::Edit);
    let kind = policies::document(app.store(), id).await?.kind;
    Ok(VersionView {
        pledge: kind == PolicyKind::Pledge,
        response_plan: kind == PolicyKind::ResponsePlan,
        may_send,
        may_publish: summary.status == VersionStatus::Approved
            && acting.may(Register::Policies, Act::Edit),
        version,
        approver,
        may_withdraw,
        may_approve,
        mine,
        approvals,
    })
}

/// A version by its id alone (the command line names versions so).
pub async fn find_version(app: &App, acting: &Acting, vid: i64) -> Result<Version, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let version = policies::version(app.store(), vid).await?;
    if !visible(acting, &version.summary) {
        return Err(Failure::NotFound);
    }
    Ok(version)
}

/// A document with its versions and the text of one: number `number`, else the published
/// one, else the newest not withdrawn (none when the document has no version yet).
#[derive(Debug, Clone)]
pub struct DocumentText {
    pub document: Document,
    pub versions: Vec<VersionSummary>,
    pub chosen: Option<Version>,
}

pub async fn show_text(
    app: &App,
    acting: &Acting,
    id: i64,
    number: Option<i64>,
) -> Result<DocumentText, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let document = policies::document(app.store(), id).await?;
    let versions = visible_versions(app, acting, id).await?;
    let chosen = match number {
        Some(n) => Some(
            versions
                .iter()
                .find(|v| v.number == n)
                .ok_or(Failure::NotFound)?,
        ),
        None => current_of(&versions),
    };
    let chosen = match chosen {
        Some(summary) => Some(policies::version(app.store(), summary.id).await?),
        None => None,
    };
    Ok(DocumentText {
        document,
        versions,
        chosen,
    })
}

/// The newest version's text of a document, where editing in the browser starts.
pub async fn latest_text(app: &App, acting: &Acting, id: i64) -> Result<String, Failure> {
    app.permit(acting, Register::Policies, Act::Edit, "policies.edit")
        .await?;
    Ok(match policies::versions(app.store(), id).await?.first() {
        Some(latest) => policies::version(app.store(), latest.id).await?.source_text,
        None => String::new(),
    })
}

/// Two versions of a document compared clause by clause.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub versions: Vec<VersionSummary>,
    pub from: VersionSummary,
    pub to: VersionSummary,
    pub diff: VersionDiff,
}

/// Compares `from` (default: the oldest) with `to` (default: the newest).
pub async fn compare(
    app: &App,
    acting: &Acting,
    id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Comparison, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let versions = visible_versions(app, acting, id).await?;
    let newest = versions.first().map(|v| v.id).ok_or(Failure::NotFound)?;
    let oldest = versions.last().map_or(newest, |v| v.id);
    let from = visible_version(app, acting, id, from.unwrap_or(oldest)).await?;
    let to = visible_version(app, acting, id, to.unwrap_or(newest)).await?;
    Ok(Comparison {
        diff: policy_diff::compare(&from.tree, &to.tree),
        versions,
        from: from.summary,
        to: to.summary,
    })
}

/// One clause as the published version has it (else the newest not withdrawn), with what
/// links to it.
#[derive(Debug, Clone)]
pub struct ClauseView {
    pub document: Document,
    /// The clause alone, as a text of one clause (for laying it out like the others).
    pub text: PolicyText,
    pub links: Vec<ClauseLink>,
    /// Information assets serving this clause of the basic policy that the reader may see.
    pub assets: Vec<(i64, String)>,
}

pub async fn clause(
    app: &App,
    acting: &Acting,
    id: i64,
    reference: &str,
) -> Result<ClauseView, Failure> {
    app.permit(acting, Register::Policies, Act::Read, READ)
        .await?;
    let document = policies::document(app.store(), id).await?;
    let versions = visible_versions(app, acting, id).await?;
    let chosen = current_of(&versions).ok_or(Failure::NotFound)?;
    let tree = policies::version(app.store(), chosen.id).await?.tree;
    let found: Clause = tree.find(reference).ok_or(Failure::NotFound)?.clone();
    let assets = if document.kind == PolicyKind::BasicPolicy {
        crate::assets::linked_to_clause(app, acting, reference).await?
    } else {
        Vec::new()
    };
    Ok(ClauseView {
        links: policies::links_to(app.store(), id, reference).await?,
        text: PolicyText {
            clauses: vec![found],
            supplementary: Vec::new(),
            ..tree
        },
        document,
        assets,
    })
}

/// The published basic policy, readable by anyone (the Local Autonomy Act asks that it
/// be published), with the assembly's name for the page heading.
#[derive(Debug, Clone)]
pub struct PublicPolicy {
    pub organisation: Option<String>,
    /// None until a basic policy is published.
    pub version: Option<Version>,
}

pub async fn public_policy(app: &App) -> Result<PublicPolicy, Failure> {
    Ok(PublicPolicy {
        organisation: crate::settings::organisation_name(app).await,
        version: policies::published_basic_policy(app.store()).await?,
    })
}
