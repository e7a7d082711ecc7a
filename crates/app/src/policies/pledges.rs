//! Pledges (誓約書, issue 17 item 6; clause 5). A pledge text is a policy document of kind
//! `pledge`, drafted, approved and published through the versions workflow; signing it
//! in mamori is acknowledging it ([`super::acknowledge`]). Here is what only a pledge
//! has: the paper pledge the security officer records for a person (the day signed and,
//! optionally, the scan, kept through the file block in the same transaction), and the
//! signatures list. Grants are those of `Register::Acknowledgements`.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::file::{self as file_rules, Attach, Purpose, RecordKind, RecordRef};
use mamori_domain::pledge::{self, PaperPledgeInput};
use mamori_domain::policy_lifecycle::PolicyKind;
use mamori_store::StoreError;
use mamori_store::pledges::{self as store, NewPaperPledge};
use mamori_store::policies;
use time::Date;

use super::AcknowledgementOverview;
use crate::files::{self, Spooled};
use crate::{Acting, App, Failure};

/// A recorded paper pledge.
#[derive(Debug, Clone)]
pub struct PaperRecorded {
    /// The signature (the acknowledgement row).
    pub id: i64,
    pub version_id: i64,
    pub user_id: i64,
    pub signed_on: Date,
    /// The scan, when one was uploaded.
    pub attachment_id: Option<i64>,
}

/// A scan as uploaded: its name as sent and its spooled content.
pub type Scan = (String, Spooled);

fn not_a_pledge() -> Failure {
    Failure::conflict("not_a_pledge", "pledge.error.not_a_pledge")
}

/// Records that a person signed the published version of pledge `id` on paper, on the
/// day typed, with an optional scan (PDF or image) kept in the file store. Refused with
/// field problems (nothing written) for an unknown person or a date that does not read
/// or has not come; a conflict when the document is not a pledge, nothing is published,
/// or the person has already signed this version in either way.
pub async fn record_paper_pledge(
    app: &App,
    acting: &Acting,
    id: i64,
    input: &PaperPledgeInput,
    scan: Option<Scan>,
) -> Result<PaperRecorded, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Acknowledgements,
            Act::Edit,
            "policies.pledge_paper",
        )
        .await?;
    let document = policies::document(app.store(), id).await?;
    if document.kind != PolicyKind::Pledge {
        return Err(not_a_pledge());
    }
    let Some(version) = policies::published(app.store(), id).await? else {
        return Err(Failure::conflict(
            "not_published",
            "policy.ack.error.not_published",
        ));
    };
    let mut problems = Vec::new();
    let checked = input.check(crate::today()).map_err(|p| problems.extend(p));
    let scan = match scan {
        Some((name, upload)) if !pledge::is_scan(upload.media_type) => {
            problems.push(FieldProblem::new("file", "pledge.error.scan_type"));
            drop((name, upload));
            None
        }
        other => other,
    };
    let rows = policies::acknowledgements(app.store(), version.summary.id).await?;
    let person = checked.as_ref().ok().and_then(|c| {
        let found = rows.iter().find(|r| r.login == c.login);
        if found.is_none() {
            problems.push(FieldProblem::new("user", "pledge.error.unknown_user"));
        }
        found
    });
    let (Ok(checked), Some(person), true) = (checked, person, problems.is_empty()) else {
        return Err(Failure::Invalid(problems));
    };
    if person.acknowledged_at.is_some() {
        return Err(Failure::conflict(
            "already_signed",
            "pledge.error.already_signed",
        ));
    }
    let mut tx = permit.write(app).await?;
    let new = NewPaperPledge {
        version_id: version.summary.id,
        user_id: person.user_id,
        content_hash: &version.summary.content_hash,
        signed_on: checked.signed_on,
    };
    let signature = match store::record_paper(&mut tx, new).await {
        Ok(signature) => signature,
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "already_signed",
                "pledge.error.already_signed",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let mut attachment_id = None;
    if let Some((name, upload)) = scan {
        let file_name = file_rules::file_name(&name);
        let input = Attach {
            title: format!("{} {}", version.summary.title, person.display_name)
                .chars()
                .take(200)
                .collect(),
            purpose: Purpose::Pledge,
            expires_on: None,
        };
        let record = RecordRef::new(RecordKind::Pledge, signature);
        let attached = files::attach_in(&mut tx, record, &input, &file_name, &upload).await?;
        store::set_scan(&mut tx, signature, attached.attachment_id).await?;
        attachment_id = Some(attached.attachment_id);
    }
    tx.commit().await?;
    Ok(PaperRecorded {
        id: signature,
        version_id: version.summary.id,
        user_id: person.user_id,
        signed_on: checked.signed_on,
        attachment_id,
    })
}

/// Who has signed the published version of pledge `id`, in which way, and who has not
/// (pending first): the acknowledgement overview of a pledge.
pub async fn signatures(
    app: &App,
    acting: &Acting,
    id: i64,
) -> Result<AcknowledgementOverview, Failure> {
    let overview = super::acknowledgement_overview(app, acting, id).await?;
    if overview.document.kind != PolicyKind::Pledge {
        return Err(not_a_pledge());
    }
    Ok(overview)
}

/// The pledge document a signature belongs to (for links to a signature, such as the
/// file store's back link), to those who follow acknowledgements.
pub async fn signature_document(
    app: &App,
    acting: &Acting,
    signature: i64,
) -> Result<i64, Failure> {
    app.permit(
        acting,
        Register::Acknowledgements,
        Act::Read,
        "policies.pledge_signature",
    )
    .await?;
    Ok(store::signature(app.store(), signature).await?.document_id)
}

/// Refuses (and records) one who may not record paper pledges, before an upload is read:
/// nobody sends megabytes only to be refused.
pub async fn paper_gate(app: &App, acting: &Acting) -> Result<(), Failure> {
    app.permit(
        acting,
        Register::Acknowledgements,
        Act::Edit,
        "policies.pledge_paper",
    )
    .await?;
    Ok(())
}
