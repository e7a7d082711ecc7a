//! Writing policies: a text read and previewed, stored as a draft version, approved
//! (決裁) by a CISO or 統括情報セキュリティ責任者 who did not write it, published; and
//! review records (clause 8).

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::policy::{self, PolicyText};
use mamori_domain::policy_input::{self, ApprovalInput, ReviewInput};
use mamori_domain::policy_lifecycle::{self, LifecycleProblem, PolicyKind};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::review::ReviewRule;
use mamori_domain::user::LoginId;
use mamori_sheet::SheetError;
use mamori_sheet::document::{self, DocumentFormat};
use mamori_store::policies::{self, NewReview, NewVersion};

use super::{VersionSummary, text_problem};
use crate::{Acting, App, Failure, Refusal, approvals};

const EDIT: &str = "policies.edit";

/// Reads an uploaded file or a pasted text and parses it; nothing is stored. Returns the
/// text as read and its clause tree. A file is told apart by its content, never its
/// name: a zip is a Word .docx, a page starting with "<!DOCTYPE html"/"<html" is HTML
/// saved from a 例規集 system (its body without the page's chrome), anything else plain
/// text in UTF-8 or Shift_JIS. The text of a Word file or page is what is stored.
pub async fn preview_import(
    app: &App,
    acting: &Acting,
    file: Option<&[u8]>,
    pasted: &str,
) -> Result<(String, PolicyText), Failure> {
    app.permit(acting, Register::Policies, Act::Edit, EDIT)
        .await?;
    let source = match file {
        Some(bytes) => {
            // At most a few files are parsed at once (see `parsing`), off the async
            // threads: a Word file is unpacked and parsed.
            let slot = app.parse_slot().await?;
            let bytes = bytes.to_vec();
            tokio::task::spawn_blocking(move || {
                let _slot = slot;
                read_file(&bytes)
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading an uploaded policy failed");
                Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(
                    "reading the file failed",
                )))
            })??
        }
        None => pasted.to_owned(),
    };
    let parsed = policy::parse(&source).map_err(text_problem)?;
    Ok((source, parsed))
}

/// The text of an uploaded policy file (see [`preview_import`]).
pub fn read_file(bytes: &[u8]) -> Result<String, Failure> {
    if bytes.len() > policy::MAX_BYTES {
        return Err(text_problem(policy::PolicyProblem::TooLarge));
    }
    let read = match document::detect(bytes) {
        DocumentFormat::Text => return policy::decode(bytes).map_err(text_problem),
        DocumentFormat::Docx => document::docx_text(bytes),
        DocumentFormat::Html => document::html_text(bytes),
    };
    read.map_err(|e| {
        let problem = match e {
            SheetError::Empty => {
                FieldProblem::new("text", policy::PolicyProblem::Empty.message_key())
            }
            SheetError::Encoding => {
                FieldProblem::new("text", policy::PolicyProblem::Undecodable.message_key())
            }
            // The sheet's own key names a limit in MiB this message does not need.
            SheetError::TooLarge { .. } => {
                FieldProblem::new("text", "policy.error.unpacks_too_large")
            }
            other => other.params().into_iter().fold(
                FieldProblem::new("text", other.message_key()),
                |p, (name, value)| p.with(name, value),
            ),
        };
        Failure::invalid(problem)
    })
}

/// A text to store as a new draft version.
#[derive(Debug, Clone)]
pub struct SaveVersion {
    /// The kind of a new document (ignored when `document_id` is given).
    pub kind: PolicyKind,
    /// Add the version to this document instead of creating one.
    pub document_id: Option<i64>,
    pub source: String,
    pub change_note: String,
    /// Sends the draft for 決裁 as it is saved (the API's and command line's default);
    /// `None` saves it only, to be sent from its page ([`send_version`]).
    pub send: Option<approvals::SendInput>,
}

/// A stored draft.
#[derive(Debug, Clone)]
pub struct Saved {
    pub document_id: i64,
    pub version_id: i64,
    pub number: i64,
    pub parsed: PolicyText,
}

/// The one way a text becomes a stored draft version (pages, API and command line).
pub async fn save_version(
    app: &App,
    acting: &Acting,
    input: SaveVersion,
) -> Result<Saved, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, EDIT)
        .await?;
    let parsed = policy::parse(&input.source).map_err(text_problem)?;
    let change_note = policy_input::change_note(&input.change_note)?;
    let title = policy_input::title(parsed.name());
    let tree = serde_json::to_string(&parsed)
        .map_err(|e| Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(e))))?;
    let hash = mamori_store::sha256_hex(parsed.canonical_text().as_bytes());
    let kind = match input.document_id {
        Some(id) => policies::document(app.store(), id).await?.kind,
        None => input.kind,
    };
    // A response plan's version carries its scenarios from the start (issue 18 item 6).
    let scenarios = match kind {
        PolicyKind::ResponsePlan => {
            Some(super::response_plan::starting_scenarios(app, input.document_id).await?)
        }
        _ => None,
    };
    let send = match &input.send {
        Some(send) => Some(approvals::check_send(app, acting, Register::Policies, send).await?),
        None => None,
    };
    let mut tx = permit.write(app).await?;
    let document_id = match input.document_id {
        Some(id) => id,
        None => {
            let first_review = ReviewRule::POLICY_DEFAULT.first_due(crate::today());
            policies::create_document(&mut tx, input.kind, &title, first_review).await?
        }
    };
    let version_id = policies::add_version(
        &mut tx,
        document_id,
        NewVersion {
            title: &title,
            source_text: &input.source,
            tree_json: &tree,
            content_hash: &hash,
            change_note: &change_note,
        },
    )
    .await?;
    if let Some(scenarios) = &scenarios {
        mamori_store::response_plan::add_all(&mut tx, version_id, scenarios).await?;
    }
    if let Some(send) = send {
        open_for_decision(
            app,
            &mut tx,
            document_id,
            version_id,
            &title,
            &change_note,
            send,
        )
        .await?;
    }
    tx.commit().await?;
    let number = policies::version(app.store(), version_id)
        .await?
        .summary
        .number;
    Ok(Saved {
        document_id,
        version_id,
        number,
        parsed,
    })
}

/// Opens the 決裁 of a draft: the note the sender wrote, else the draft's change note.
async fn open_for_decision(
    app: &App,
    tx: &mut mamori_store::WriteTx,
    document_id: i64,
    version_id: i64,
    title: &str,
    change_note: &str,
    send: approvals::CheckedSend,
) -> Result<i64, Failure> {
    let note = if send.note.is_empty() {
        change_note
    } else {
        &send.note
    };
    approvals::open_in(
        app,
        tx,
        approvals::NewRequest {
            subject: RecordRef::new(RecordKind::PolicyVersion, version_id),
            parent_id: Some(document_id),
            title,
            asked: send.asked,
            note,
            due_on: None,
        },
    )
    .await
}

/// Those who may be asked to decide draft `vid` of document `id`: the holders of an
/// approving post, neither the sender nor the draft's author.
pub async fn version_deciders(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
) -> Result<Vec<approvals::Decider>, Failure> {
    app.permit(acting, Register::Policies, Act::Edit, "policies.send")
        .await?;
    let version = super::version_of(app, id, vid).await?;
    let mut found = approvals::deciders(app, acting, Register::Policies).await?;
    found.retain(|d| Some(d.id) != version.summary.created_by);
    Ok(found)
}

/// Sends draft `vid` of document `id` for 決裁 (決裁に回す) to the person chosen (or any
/// holder of an approving post) with a note; again after it was sent back. Returns the
/// approval request's id. A draft already waiting, or no longer a draft, is a conflict.
pub async fn send_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    input: &approvals::SendInput,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, "policies.send")
        .await?;
    let version = super::version_of(app, id, vid).await?;
    if version.summary.status != policy_lifecycle::VersionStatus::Draft {
        return Err(refusal(LifecycleProblem::NotDraft));
    }
    let subject = RecordRef::new(RecordKind::PolicyVersion, vid);
    if approvals::pending_for(app, subject).await?.is_some() {
        return Err(Failure::conflict(
            "already_sent",
            "policy.error.already_sent",
        ));
    }
    let send = approvals::check_send(app, acting, Register::Policies, input).await?;
    if let mamori_domain::approval::Asked::Person(chosen) = send.asked
        && Some(chosen) == version.summary.created_by
    {
        return Err(Failure::invalid(FieldProblem::new(
            "decider",
            "approval.error.decider_author",
        )));
    }
    let mut tx = permit.write(app).await?;
    let request = open_for_decision(
        app,
        &mut tx,
        id,
        vid,
        &version.summary.title,
        &version.summary.change_note,
        send,
    )
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// A step of the life cycle refused in the version's present state.
fn refusal(problem: LifecycleProblem) -> Failure {
    let code = match problem {
        LifecycleProblem::OwnDraft => "own_draft",
        LifecycleProblem::NotDraft | LifecycleProblem::NotApproved => "invalid_state",
        LifecycleProblem::NotAnApprover => "not_an_approver",
        LifecycleProblem::NotWithdrawable => "invalid_state",
    };
    Failure::Conflict(Refusal::new(code, problem.message_key()))
}

/// Approves (決裁) draft `vid` of document `id`: the person acting holds an approving
/// post (else denied) and did not write the draft (`policy_lifecycle::check_approval`).
pub async fn approve_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    input: ApprovalInput,
) -> Result<VersionSummary, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Decide, "policies.approve")
        .await?;
    let version = super::version_of(app, id, vid).await?;
    // The command line approves as a named person, never as itself.
    let approver = acting.user_id().ok_or(Failure::Denied {
        register: Register::Policies,
        act: Act::Decide,
    })?;
    let summary = version.summary;
    match policy_lifecycle::check_approval(
        summary.status,
        summary.created_by,
        approver,
        &acting.posts,
    ) {
        Ok(()) => {}
        Err(LifecycleProblem::NotAnApprover) => {
            app.record_denial(acting, "policies.approve").await;
            return Err(Failure::Denied {
                register: Register::Policies,
                act: Act::Decide,
            });
        }
        Err(problem) => return Err(refusal(problem)),
    }
    let approval = input.check()?;
    // The decision is the version's approval request's, decided through the block.
    let subject = RecordRef::new(RecordKind::PolicyVersion, vid);
    let request = approvals::pending_for(app, subject)
        .await?
        .ok_or_else(|| refusal(LifecycleProblem::NotDraft))?;
    let decision = approvals::legacy_decision(
        true,
        &approval.note,
        &crate::date_text(approval.approved_on),
    );
    approvals::decide_request(app, acting, &permit, request, &decision)
        .await
        .map_err(|failure| match approvals::reason_as_note(failure) {
            Failure::Invalid(problems) => Failure::Invalid(
                problems
                    .into_iter()
                    .map(|mut p| {
                        if p.field == "decided_on" {
                            p.field = "approved_on";
                        }
                        p
                    })
                    .collect(),
            ),
            other => other,
        })?;
    Ok(policies::version(app.store(), vid).await?.summary)
}

/// Withdraws (取下げ) draft `vid` of document `id` with a reason, e.g. a text imported by
/// mistake: it stays in the history as withdrawn and can no longer be approved or
/// published. An approved or published version cannot be withdrawn (conflict).
pub async fn withdraw_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
    reason: &str,
) -> Result<VersionSummary, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, "policies.withdraw")
        .await?;
    let version = super::version_of(app, id, vid).await?;
    policy_lifecycle::check_withdrawal(version.summary.status).map_err(refusal)?;
    let reason = policy_input::withdrawal_reason(reason)?;
    let waiting =
        approvals::pending_for(app, RecordRef::new(RecordKind::PolicyVersion, vid)).await?;
    let mut tx = permit.write(app).await?;
    policies::withdraw(&mut tx, vid, acting.user_id(), &reason)
        .await
        .map_err(|e| match e {
            mamori_store::StoreError::Conflict(_) => refusal(LifecycleProblem::NotWithdrawable),
            other => other.into(),
        })?;
    // A withdrawn draft no longer waits for its 決裁.
    if let Some(request) = waiting {
        approvals::withdraw_in(&mut tx, &request).await?;
    }
    tx.commit().await?;
    Ok(policies::version(app.store(), vid).await?.summary)
}

/// A published version and how many users are asked to acknowledge it.
#[derive(Debug, Clone)]
pub struct Published {
    pub version: VersionSummary,
    pub bound_users: usize,
}

/// Publishes approved version `vid` of document `id`; the one published before it is
/// superseded.
pub async fn publish_version(
    app: &App,
    acting: &Acting,
    id: i64,
    vid: i64,
) -> Result<Published, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, "policies.publish")
        .await?;
    let version = super::version_of(app, id, vid).await?;
    policy_lifecycle::check_publication(version.summary.status).map_err(refusal)?;
    let mut tx = permit.write(app).await?;
    policies::publish(&mut tx, vid).await.map_err(|e| match e {
        mamori_store::StoreError::Conflict(_) => refusal(LifecycleProblem::NotApproved),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(Published {
        version: policies::version(app.store(), vid).await?.summary,
        bound_users: policies::acknowledgements(app.store(), vid).await?.len(),
    })
}

/// Records a review of document `id` (clause 8); returns the record's id.
pub async fn add_review(
    app: &App,
    acting: &Acting,
    id: i64,
    input: ReviewInput,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Policies, Act::Edit, "policies.review")
        .await?;
    policies::document(app.store(), id).await?;
    let review = input.check()?;
    if let Some(vid) = review.result_version
        && super::version_of(app, id, vid).await.is_err()
    {
        return Err(Failure::invalid(FieldProblem::new(
            "result_version",
            "error.invalid_choice",
        )));
    }
    // Any review answers the one due (whatever prompted it) and moves the schedule on.
    let subject = RecordRef::new(RecordKind::PolicyDocument, id);
    let schedule = mamori_store::reviews::schedule(app.store(), subject).await?;
    let due_on = schedule.as_ref().and_then(|s| s.next_due_on);
    let next_due = match (&schedule, due_on) {
        (Some(s), Some(due)) => s.rule.next_due(due, review.reviewed_on),
        _ => None,
    };
    let mut tx = permit.write(app).await?;
    let review_id = policies::add_review(
        &mut tx,
        id,
        NewReview {
            reviewed_on: review.reviewed_on,
            trigger: review.trigger,
            analysis: &review.analysis,
            decision: &review.decision,
            result_version_id: review.result_version,
            due_on,
            next_due,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(review_id)
}

/// The active user `login`, acting with the posts they hold today: the command line
/// records a decision taken on paper in that person's name.
pub async fn signatory(app: &App, login: &LoginId) -> Result<Acting, Failure> {
    let user = mamori_store::users::find_by_login(app.store(), login)
        .await?
        .filter(|u| u.active)
        .ok_or(Failure::NotFound)?;
    Acting::user(app, user, None, crate::today()).await
}
