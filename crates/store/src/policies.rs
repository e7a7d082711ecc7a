//! Policy documents and their versions, acknowledgements, reminders, reviews and the
//! links from other registers to clauses. The clause tree of a version is kept as JSON
//! (parsed and checked by the caller) beside the text it came from. Records leave here
//! typed: dates as dates, codes as enums, the tree as the domain's `PolicyText`; a row
//! that does not read is `StoreError::Corrupt`, never a default.

use mamori_domain::pledge::PledgeWay;
use mamori_domain::policy::PolicyText;
use mamori_domain::policy_lifecycle::{PolicyKind, ReviewTrigger, VersionStatus};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::review::{Assignee, ReviewRecord, ReviewRule, Schedule};
use mamori_domain::user::{OrgRole, UserType};
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date};
use crate::{decode_timestamp, now_text};

const VERSIONS: &str = "policy_versions";

/// An optional stored timestamp of `table`'s row `id`.
fn optional_timestamp(
    table: &'static str,
    id: i64,
    column: &'static str,
    value: Option<String>,
) -> Result<Option<OffsetDateTime>> {
    value
        .map(|v| decode_timestamp(table, id, column, &v))
        .transpose()
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub kind: PolicyKind,
    pub title: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct VersionSummary {
    pub id: i64,
    pub document_id: i64,
    pub number: i64,
    pub status: VersionStatus,
    pub title: String,
    pub content_hash: String,
    pub change_note: String,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub approved_by: Option<i64>,
    pub approved_on: Option<Date>,
    pub published_at: Option<OffsetDateTime>,
    /// Why a withdrawn draft was withdrawn (取下げ).
    pub withdrawal_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Version {
    pub summary: VersionSummary,
    pub source_text: String,
    /// The clause tree, as the parser wrote it.
    pub tree: PolicyText,
}

/// What a new version carries.
pub struct NewVersion<'a> {
    pub title: &'a str,
    pub source_text: &'a str,
    pub tree_json: &'a str,
    pub content_hash: &'a str,
    pub change_note: &'a str,
}

/// Who approved a version and on which day are read from its approved request (the one
/// record of a decision, `approvals`).
const VERSION_COLUMNS: &str = "id, document_id, number, status, title, content_hash, change_note, \
     created_by, created_at, \
     (SELECT q.decided_by FROM approval_requests q WHERE q.subject_kind = 'policy_version' \
      AND q.subject_id = policy_versions.id AND q.state = 'approved' ORDER BY q.id DESC LIMIT 1) \
      AS approved_by, \
     (SELECT q.decided_on FROM approval_requests q WHERE q.subject_kind = 'policy_version' \
      AND q.subject_id = policy_versions.id AND q.state = 'approved' ORDER BY q.id DESC LIMIT 1) \
      AS approved_on, \
     published_at, withdrawal_reason";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<VersionSummary> {
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let created_at: String = row.try_get("created_at")?;
    let approved_on: Option<String> = row.try_get("approved_on")?;
    Ok(VersionSummary {
        id,
        document_id: row.try_get("document_id")?,
        number: row.try_get("number")?,
        status: decode(VERSIONS, id, "status", &status, VersionStatus::parse)?,
        title: row.try_get("title")?,
        content_hash: row.try_get("content_hash")?,
        change_note: row.try_get("change_note")?,
        created_by: row.try_get("created_by")?,
        created_at: decode_timestamp(VERSIONS, id, "created_at", &created_at)?,
        approved_by: row.try_get("approved_by")?,
        approved_on: approved_on
            .map(|d| decode_date(VERSIONS, id, "approved_on", &d))
            .transpose()?,
        published_at: optional_timestamp(
            VERSIONS,
            id,
            "published_at",
            row.try_get("published_at")?,
        )?,
        withdrawal_reason: row.try_get("withdrawal_reason")?,
    })
}

fn document_from_row(row: &sqlx::any::AnyRow) -> Result<Document> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(Document {
        id,
        kind: decode("policy_documents", id, "kind", &kind, PolicyKind::parse)?,
        title: row.try_get("title")?,
        created_at: decode_timestamp("policy_documents", id, "created_at", &created_at)?,
    })
}

/// Creates a policy document with its review schedule (every 年度, by the
/// 統括情報セキュリティ責任者, first due on `first_review_due`).
pub async fn create_document(
    tx: &mut WriteTx,
    kind: PolicyKind,
    title: &str,
    first_review_due: Date,
) -> Result<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO policy_documents (kind, title, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(title.to_owned())
    .bind(tx.actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    let schedule = Schedule {
        rule: ReviewRule::POLICY_DEFAULT,
        reviewer: Assignee::Post(OrgRole::ChiefSecurityOfficer),
    };
    crate::reviews::insert_schedule(
        tx,
        RecordRef::new(RecordKind::PolicyDocument, id),
        &schedule,
        first_review_due,
    )
    .await?;
    tx.audit(
        AuditEntry::new("policy.create", "policy_document")
            .target(id)
            .change("kind", None::<&str>, kind.as_str())
            .change("title", None::<&str>, title)
            .change("review_due_on", None::<&str>, date_text(first_review_due)),
    )
    .await?;
    Ok(id)
}

/// Adds a draft version with the next number; returns its id.
pub async fn add_version(
    tx: &mut WriteTx,
    document_id: i64,
    version: NewVersion<'_>,
) -> Result<i64> {
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM policy_versions WHERE document_id = $1",
    )
    .bind(document_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO policy_versions (document_id, number, status, title, source_text, tree, \
         content_hash, change_note, created_by, created_at) \
         VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(document_id)
    .bind(next)
    .bind(version.title.to_owned())
    .bind(version.source_text.to_owned())
    .bind(version.tree_json.to_owned())
    .bind(version.content_hash.to_owned())
    .bind(version.change_note.to_owned())
    .bind(tx.actor.user_id)
    .bind(now.clone())
    .fetch_one(&mut *tx.tx)
    .await?;
    sqlx::query("UPDATE policy_documents SET title = $1, updated_at = $2 WHERE id = $3")
        .bind(version.title.to_owned())
        .bind(now)
        .bind(document_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("policy.version_create", "policy_version")
            .target(id)
            .change("document_id", None::<i64>, document_id)
            .change("number", None::<i64>, next)
            .change("content_hash", None::<&str>, version.content_hash)
            .change("change_note", None::<&str>, version.change_note),
    )
    .await?;
    Ok(id)
}

pub async fn documents(store: &Store) -> Result<Vec<Document>> {
    let rows = sqlx::query("SELECT id, kind, title, created_at FROM policy_documents ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(document_from_row).collect()
}

pub async fn document(store: &Store, id: i64) -> Result<Document> {
    let row = sqlx::query("SELECT id, kind, title, created_at FROM policy_documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    document_from_row(&row)
}

/// A document's versions, newest first.
pub async fn versions(store: &Store, document_id: i64) -> Result<Vec<VersionSummary>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM policy_versions WHERE document_id = $1 ORDER BY number DESC"
    )))
    .bind(document_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(summary_from_row).collect()
}

pub async fn version(store: &Store, id: i64) -> Result<Version> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS}, source_text, tree FROM policy_versions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let tree: String = row.try_get("tree")?;
    Ok(Version {
        summary: summary_from_row(&row)?,
        source_text: row.try_get("source_text")?,
        tree: decode(VERSIONS, id, "tree", &tree, |t| {
            serde_json::from_str(t).ok()
        })?,
    })
}

/// The published version of a document, if any.
pub async fn published(store: &Store, document_id: i64) -> Result<Option<Version>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM policy_versions WHERE document_id = $1 AND status = 'published'",
    )
    .bind(document_id)
    .fetch_optional(store.pool())
    .await?;
    match id {
        Some(id) => Ok(Some(version(store, id).await?)),
        None => Ok(None),
    }
}

/// The published basic policy (the one the public page shows): the newest published
/// version among documents of that kind.
pub async fn published_basic_policy(store: &Store) -> Result<Option<Version>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT v.id FROM policy_versions v JOIN policy_documents d ON d.id = v.document_id \
         WHERE d.kind = 'basic_policy' AND v.status = 'published' \
         ORDER BY v.published_at DESC, v.id DESC LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    match id {
        Some(id) => Ok(Some(version(store, id).await?)),
        None => Ok(None),
    }
}

/// Which version of which document is the published basic policy, and its content hash:
/// one small read, for those who keep what they derived from it per published text.
pub async fn published_basic_policy_key(store: &Store) -> Result<Option<(i64, i64, String)>> {
    let row = sqlx::query(
        "SELECT v.id, v.document_id, v.content_hash FROM policy_versions v \
         JOIN policy_documents d ON d.id = v.document_id \
         WHERE d.kind = 'basic_policy' AND v.status = 'published' \
         ORDER BY v.published_at DESC, v.id DESC LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .transpose()
}

/// Marks a draft approved once its approval request was decided (the request holds who
/// decided, when and why). A version no longer a draft is `Conflict("status")`.
pub async fn mark_approved(
    tx: &mut WriteTx,
    version_id: i64,
    approved_on: Date,
    note: &str,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE policy_versions SET status = 'approved' WHERE id = $1 AND status = 'draft'",
    )
    .bind(version_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("status"));
    }
    tx.audit(
        AuditEntry::new("policy.approve", "policy_version")
            .target(version_id)
            .change("status", "draft", "approved")
            .change("approved_by", None::<i64>, tx.actor.user_id)
            .change("approved_on", None::<&str>, date_text(approved_on).as_str())
            .change("note", None::<&str>, note),
    )
    .await
}

/// Withdraws (取下げ) a draft that was never approved. The caller has checked
/// `policy_lifecycle::check_withdrawal`; a version no longer a draft is a conflict.
pub async fn withdraw(
    tx: &mut WriteTx,
    version_id: i64,
    withdrawn_by: Option<i64>,
    reason: &str,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE policy_versions SET status = 'withdrawn', withdrawn_by = $1, withdrawn_at = $2, \
         withdrawal_reason = $3 WHERE id = $4 AND status = 'draft'",
    )
    .bind(withdrawn_by)
    .bind(now_text())
    .bind(reason)
    .bind(version_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("status"));
    }
    tx.audit(
        AuditEntry::new("policy.withdraw", "policy_version")
            .target(version_id)
            .change("status", "draft", "withdrawn")
            .change("reason", None::<&str>, reason),
    )
    .await
}

/// Publishes an approved version; the version published before it is superseded.
pub async fn publish(tx: &mut WriteTx, version_id: i64) -> Result<()> {
    let now = now_text();
    let document_id: i64 =
        sqlx::query_scalar("SELECT document_id FROM policy_versions WHERE id = $1")
            .bind(version_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let previous: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM policy_versions WHERE document_id = $1 AND status = 'published'",
    )
    .bind(document_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let updated = sqlx::query(
        "UPDATE policy_versions SET status = 'published', published_at = $1 \
         WHERE id = $2 AND status = 'approved'",
    )
    .bind(now.clone())
    .bind(version_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Conflict("status"));
    }
    if let Some(previous) = previous {
        sqlx::query(
            "UPDATE policy_versions SET status = 'superseded', superseded_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(previous)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            AuditEntry::new("policy.supersede", "policy_version")
                .target(previous)
                .change("status", "published", "superseded"),
        )
        .await?;
    }
    tx.audit(
        AuditEntry::new("policy.publish", "policy_version")
            .target(version_id)
            .change("status", "approved", "published"),
    )
    .await
}

/// One user's standing on a published version.
#[derive(Debug, Clone)]
pub struct AcknowledgementRow {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub user_type: UserType,
    pub acknowledged_at: Option<OffsetDateTime>,
    /// How it was given (a pledge signed in mamori or on paper); None while pending.
    pub way: Option<PledgeWay>,
    /// The day written on a paper pledge.
    pub signed_on: Option<Date>,
    /// The scan of a paper pledge in the file store.
    pub attachment_id: Option<i64>,
}

/// Every active user bound by the policy, with whether and when they acknowledged it.
pub async fn acknowledgements(store: &Store, version_id: i64) -> Result<Vec<AcknowledgementRow>> {
    let rows = sqlx::query(
        "SELECT u.id, u.login, u.display_name, u.user_type, a.acknowledged_at, a.way, \
         a.signed_on, a.attachment_id FROM users u \
         LEFT JOIN policy_acknowledgements a ON a.user_id = u.id AND a.version_id = $1 \
         WHERE u.active = 1 ORDER BY u.login",
    )
    .bind(version_id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let user_id: i64 = row.try_get("id")?;
        let user_type: String = row.try_get("user_type")?;
        let user_type = decode("users", user_id, "user_type", &user_type, UserType::parse)?;
        if !mamori_domain::policy_lifecycle::must_acknowledge(user_type) {
            continue;
        }
        const ACKS: &str = "policy_acknowledgements";
        let way: Option<String> = row.try_get("way")?;
        let signed_on: Option<String> = row.try_get("signed_on")?;
        out.push(AcknowledgementRow {
            way: way
                .map(|w| decode(ACKS, user_id, "way", &w, PledgeWay::parse))
                .transpose()?,
            signed_on: signed_on
                .map(|d| decode_date(ACKS, user_id, "signed_on", &d))
                .transpose()?,
            attachment_id: row.try_get("attachment_id")?,
            user_id,
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
            user_type,
            acknowledged_at: optional_timestamp(
                "policy_acknowledgements",
                user_id,
                "acknowledged_at",
                row.try_get("acknowledged_at")?,
            )?,
        });
    }
    Ok(out)
}

/// Records that `user_id` has read and will comply with the exact version (its hash).
pub async fn acknowledge(
    tx: &mut WriteTx,
    version_id: i64,
    user_id: i64,
    content_hash: &str,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO policy_acknowledgements (version_id, user_id, content_hash, acknowledged_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (version_id, user_id) DO NOTHING",
    )
    .bind(version_id)
    .bind(user_id)
    .bind(content_hash.to_owned())
    .bind(now_text())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::Conflict("acknowledgement"));
    }
    tx.audit(
        AuditEntry::new("policy.acknowledge", "policy_version")
            .target(version_id)
            .change("user_id", None::<i64>, user_id)
            .change("content_hash", None::<&str>, content_hash),
    )
    .await
}

/// Published versions that `user_id` is bound by and has not acknowledged yet.
pub async fn pending_for_user(
    store: &Store,
    user_id: i64,
) -> Result<Vec<(Document, VersionSummary)>> {
    let user_type: Option<String> =
        sqlx::query_scalar("SELECT user_type FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?;
    let bound = match user_type {
        Some(t) => mamori_domain::policy_lifecycle::must_acknowledge(decode(
            "users",
            user_id,
            "user_type",
            &t,
            UserType::parse,
        )?),
        None => false,
    };
    if !bound {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT v.id FROM policy_versions v WHERE v.status = 'published' AND NOT EXISTS \
         (SELECT 1 FROM policy_acknowledgements a WHERE a.version_id = v.id AND a.user_id = $1) \
         ORDER BY v.id",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let version = version(store, row.try_get("id")?).await?.summary;
        out.push((document(store, version.document_id).await?, version));
    }
    Ok(out)
}

/// Records a reminder to the users who have not acknowledged yet.
pub async fn remind(tx: &mut WriteTx, version_id: i64, recipients: i64) -> Result<()> {
    let sent_by = tx.actor.user_id;
    sqlx::query(
        "INSERT INTO policy_reminders (version_id, sent_by, sent_at, recipients) VALUES ($1, $2, $3, $4)",
    )
    .bind(version_id)
    .bind(sent_by)
    .bind(now_text())
    .bind(recipients)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("policy.remind", "policy_version")
            .target(version_id)
            .change("recipients", None::<i64>, recipients),
    )
    .await
}

/// When the last reminder for a version was sent.
pub async fn last_reminder(store: &Store, version_id: i64) -> Result<Option<OffsetDateTime>> {
    let at: Option<String> =
        sqlx::query_scalar("SELECT MAX(sent_at) FROM policy_reminders WHERE version_id = $1")
            .bind(version_id)
            .fetch_one(store.pool())
            .await?;
    optional_timestamp("policy_reminders", version_id, "sent_at", at)
}

#[derive(Debug, Clone)]
pub struct Review {
    pub id: i64,
    pub reviewed_on: Date,
    pub trigger: ReviewTrigger,
    pub analysis: String,
    pub decision: String,
    pub result_version_id: Option<i64>,
    pub recorded_by: Option<i64>,
}

pub struct NewReview<'a> {
    pub reviewed_on: Date,
    pub trigger: ReviewTrigger,
    pub analysis: &'a str,
    pub decision: &'a str,
    pub result_version_id: Option<i64>,
    /// The scheduled review this one answers (None when the document has no schedule)
    /// and the due date after it.
    pub due_on: Option<Date>,
    pub next_due: Option<Date>,
}

/// Records a review of a policy document through the review block (date, reviewer,
/// the decision as its outcome, the analysis as its note), with what is particular to a
/// policy review (trigger, resulting version) beside it; moves the schedule on.
pub async fn add_review(tx: &mut WriteTx, document_id: i64, review: NewReview<'_>) -> Result<i64> {
    let record = ReviewRecord {
        reviewed_on: review.reviewed_on,
        outcome: review.decision.to_owned(),
        note: review.analysis.to_owned(),
    };
    let subject = RecordRef::new(RecordKind::PolicyDocument, document_id);
    let id =
        crate::reviews::insert_review(tx, subject, &record, review.due_on, review.next_due).await?;
    sqlx::query(
        "INSERT INTO policy_reviews (review_id, document_id, review_trigger, result_version_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(document_id)
    .bind(review.trigger.as_str())
    .bind(review.result_version_id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("policy.review", "policy_document")
            .target(document_id)
            .change("review_id", None::<i64>, id)
            .change("trigger", None::<&str>, review.trigger.as_str())
            .change("reviewed_on", None::<&str>, date_text(review.reviewed_on))
            .change("result_version_id", None::<i64>, review.result_version_id)
            .change(
                "next_due_on",
                review.due_on.map(date_text),
                review.next_due.map(date_text),
            ),
    )
    .await?;
    Ok(id)
}

pub async fn reviews(store: &Store, document_id: i64) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT v.id, v.reviewed_on, p.review_trigger, v.note, v.outcome, p.result_version_id, \
         v.reviewer_id FROM reviews v JOIN policy_reviews p ON p.review_id = v.id \
         WHERE p.document_id = $1 ORDER BY v.reviewed_on DESC, v.id DESC",
    )
    .bind(document_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let trigger: String = row.try_get("review_trigger")?;
            let reviewed_on: String = row.try_get("reviewed_on")?;
            Ok(Review {
                id,
                reviewed_on: decode_date("reviews", id, "reviewed_on", &reviewed_on)?,
                trigger: decode(
                    "policy_reviews",
                    id,
                    "review_trigger",
                    &trigger,
                    ReviewTrigger::parse,
                )?,
                analysis: row.try_get("note")?,
                decision: row.try_get("outcome")?,
                result_version_id: row.try_get("result_version_id")?,
                recorded_by: row.try_get("reviewer_id")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct ClauseLink {
    pub target_type: String,
    pub target_id: String,
    pub created_at: OffsetDateTime,
}

/// What links to a clause (measures, risks, findings… as those registers arrive).
pub async fn links_to(
    store: &Store,
    document_id: i64,
    clause_ref: &str,
) -> Result<Vec<ClauseLink>> {
    let rows = sqlx::query(
        "SELECT target_type, target_id, created_at FROM clause_links \
         WHERE document_id = $1 AND clause_ref = $2 ORDER BY target_type, target_id",
    )
    .bind(document_id)
    .bind(clause_ref.to_owned())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let target_id: String = row.try_get("target_id")?;
            let created_at: String = row.try_get("created_at")?;
            Ok(ClauseLink {
                target_type: row.try_get("target_type")?,
                created_at: decode_timestamp(
                    "clause_links",
                    &target_id,
                    "created_at",
                    &created_at,
                )?,
                target_id,
            })
        })
        .collect()
}

/// Links a record of another register to a clause.
pub async fn link(
    tx: &mut WriteTx,
    document_id: i64,
    clause_ref: &str,
    target_type: &str,
    target_id: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO clause_links (document_id, clause_ref, target_type, target_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (document_id, clause_ref, target_type, target_id) DO NOTHING",
    )
    .bind(document_id)
    .bind(clause_ref.to_owned())
    .bind(target_type.to_owned())
    .bind(target_id.to_owned())
    .bind(now_text())
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("policy.link", "clause")
            .target(format!("{document_id}:{clause_ref}"))
            .change("target", None::<&str>, format!("{target_type}:{target_id}")),
    )
    .await
}
