//! Acknowledgements of a published policy (clause 5: every user complies). A member or
//! secretariat staff user confirms the exact version they read (its content hash); the
//! security officer and the auditor follow who has and who has not, and the officer
//! records reminders (督促).

use mamori_domain::access::{Act, Register};
use mamori_domain::policy_lifecycle::{self, VersionStatus};
use mamori_store::policies;
use mamori_store::{AuditEntry, StoreError};
use time::OffsetDateTime;

use super::{AcknowledgementRow, Document, VersionSummary};
use crate::notifications::{self, Notice, NoticeKind};
use crate::{Acting, App, Failure};

/// A recorded acknowledgement.
#[derive(Debug, Clone)]
pub struct Acknowledged {
    pub version: VersionSummary,
    pub user_id: i64,
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// Records that the person acting has read and will comply with version `vid` of
/// document `id`, as shown to them (`content_hash`). Denied to anyone the policy does
/// not bind; refused when the version is not published, the text changed under the
/// reader, or it was acknowledged already.
pub async fn acknowledge(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    content_hash: &str,
) -> Result<Acknowledged, Failure> {
    let what = "policies.acknowledge";
    let permit = app
        .permit(acting, Register::Policies, Act::Read, what)
        .await?;
    let Some(user) = acting.user.as_ref() else {
        return Err(Failure::NotFound);
    };
    if !policy_lifecycle::must_acknowledge(user.user_type) {
        app.record_denial(acting, what).await;
        return Err(Failure::Denied {
            register: Register::Policies,
            act: Act::Read,
        });
    }
    let version = super::version_of(app, id, vid).await?.summary;
    if version.status != VersionStatus::Published {
        return Err(Failure::conflict(
            "not_published",
            "policy.ack.error.not_published",
        ));
    }
    if content_hash.trim() != version.content_hash {
        return Err(Failure::conflict(
            "content_changed",
            "policy.ack.error.hash_mismatch",
        ));
    }
    let mut tx = permit.write(app).await?;
    match policies::acknowledge(&mut tx, vid, user.id, &version.content_hash).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "already_acknowledged",
                "policy.ack.error.already",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    let acknowledged_at = policies::acknowledgements(app.store(), vid)
        .await?
        .into_iter()
        .find(|a| a.user_id == user.id)
        .and_then(|a| a.acknowledged_at);
    Ok(Acknowledged {
        version,
        user_id: user.id,
        acknowledged_at,
    })
}

/// The published versions the person acting is bound by and has not acknowledged yet,
/// with their documents (the home page lists them).
pub async fn pending_acknowledgements(
    app: &App,
    acting: &Acting,
) -> Result<Vec<(Document, VersionSummary)>, Failure> {
    match acting.user_id() {
        Some(me) => Ok(policies::pending_for_user(app.store(), me).await?),
        None => Ok(Vec::new()),
    }
}

/// The published version's standing: every bound user, pending ones first.
#[derive(Debug, Clone)]
pub struct PublishedStatus {
    pub version: VersionSummary,
    pub rows: Vec<AcknowledgementRow>,
    pub last_reminder: Option<OffsetDateTime>,
}

impl PublishedStatus {
    pub fn done(&self) -> usize {
        self.rows
            .iter()
            .filter(|a| a.acknowledged_at.is_some())
            .count()
    }

    pub fn pending(&self) -> usize {
        self.rows.len() - self.done()
    }
}

/// A document and, when one is published, who has acknowledged it.
#[derive(Debug, Clone)]
pub struct AcknowledgementOverview {
    pub document: Document,
    pub published: Option<PublishedStatus>,
}

/// Pending users first (they are the ones to follow up), then by login.
fn sorted(mut rows: Vec<AcknowledgementRow>) -> Vec<AcknowledgementRow> {
    rows.sort_by(|a, b| {
        (a.acknowledged_at.is_some(), &a.login).cmp(&(b.acknowledged_at.is_some(), &b.login))
    });
    rows
}

async fn status_of(app: &App, id: i64) -> Result<AcknowledgementOverview, Failure> {
    let document = policies::document(app.store(), id).await?;
    let published = match policies::published(app.store(), id).await? {
        Some(version) => {
            let vid = version.summary.id;
            Some(PublishedStatus {
                rows: sorted(policies::acknowledgements(app.store(), vid).await?),
                last_reminder: policies::last_reminder(app.store(), vid).await?,
                version: version.summary,
            })
        }
        None => None,
    };
    Ok(AcknowledgementOverview {
        document,
        published,
    })
}

pub async fn acknowledgement_overview(
    app: &App,
    acting: &Acting,
    id: i64,
) -> Result<AcknowledgementOverview, Failure> {
    app.permit(
        acting,
        Register::Acknowledgements,
        Act::Read,
        "policies.acknowledgements",
    )
    .await?;
    status_of(app, id).await
}

/// A recorded reminder: to whom of which version.
#[derive(Debug, Clone, Copy)]
pub struct Reminded {
    pub version_id: i64,
    pub recipients: usize,
}

/// Records a reminder (督促) to the users who have not acknowledged the published
/// version of document `id`. They see the pending policy on their home page, get a
/// notice in mamori, and a mail when they have an address and want reminders.
pub async fn remind(app: &App, acting: &Acting, id: i64) -> Result<Reminded, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Acknowledgements,
            Act::Edit,
            "policies.remind",
        )
        .await?;
    let overview = status_of(app, id).await?;
    let Some(status) = overview.published else {
        return Err(Failure::conflict(
            "not_published",
            "policy.ack.error.not_published",
        ));
    };
    let pending = status.pending();
    if pending == 0 {
        return Err(Failure::conflict(
            "nothing_to_remind",
            "policy.ack.error.nothing_to_remind",
        ));
    }
    let recipients = status
        .rows
        .iter()
        .filter(|row| row.acknowledged_at.is_none())
        .map(|row| row.user_id)
        .collect();
    let mut tx = permit.write(app).await?;
    policies::remind(&mut tx, status.version.id, pending as i64).await?;
    // The title of a published policy, which everyone it binds may read.
    notifications::notify(
        &mut tx,
        Notice {
            recipients,
            // A pledge is signed (誓約), not acknowledged: its reminder says so.
            kind: if overview.document.kind == mamori_domain::policy_lifecycle::PolicyKind::Pledge {
                NoticeKind::PledgeReminder
            } else {
                NoticeKind::PolicyReminder
            },
            title: status.version.title.clone(),
            link: format!("/policies/{id}/versions/{}", status.version.id),
            urgent: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Reminded {
        version_id: status.version.id,
        recipients: pending,
    })
}

/// What the export holds.
#[derive(Debug, Clone)]
pub struct AcknowledgementExport {
    pub document: Document,
    pub version: VersionSummary,
    pub rows: Vec<AcknowledgementRow>,
}

/// The standing of the published version for a spreadsheet, recorded in the audit trail
/// before it is handed out. `None` when nothing is published.
pub async fn export_acknowledgements(
    app: &App,
    acting: &Acting,
    id: i64,
) -> Result<Option<AcknowledgementExport>, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Acknowledgements,
            Act::Read,
            "policies.acknowledgements_export",
        )
        .await?;
    let AcknowledgementOverview {
        document,
        published,
    } = status_of(app, id).await?;
    let Some(status) = published else {
        return Ok(None);
    };
    let mut tx = permit.write(app).await?;
    tx.audit(
        AuditEntry::new("policy.ack_export", "policy_document")
            .target(id)
            .change("export", None::<&str>, "policy_acknowledgements")
            .change("version_id", None::<i64>, status.version.id)
            .change("rows", None::<i64>, status.rows.len() as i64),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(AcknowledgementExport {
        document,
        version: status.version,
        rows: status.rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::user::UserType;

    fn row(login: &str, done: bool) -> AcknowledgementRow {
        AcknowledgementRow {
            user_id: 1,
            login: login.to_owned(),
            display_name: login.to_owned(),
            user_type: UserType::Member,
            acknowledged_at: done.then(OffsetDateTime::now_utc),
            way: None,
            signed_on: None,
            attachment_id: None,
        }
    }

    #[test]
    fn pending_users_come_first() {
        let rows = sorted(vec![row("a", true), row("c", false), row("b", false)]);
        let logins: Vec<&str> = rows.iter().map(|r| r.login.as_str()).collect();
        assert_eq!(logins, vec!["b", "c", "a"]);
    }
}
