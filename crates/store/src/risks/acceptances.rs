//! Acceptances of a risk: proposed, then decided by the CISO through an approval request
//! (one per acceptance), which holds the decision: its state, who, when and why.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceStatus {
    Pending,
    Accepted,
    Rejected,
    /// 差戻し with a reason.
    Returned,
    /// 取下げ by the proposer.
    Withdrawn,
}

impl AcceptanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptanceStatus::Pending => "pending",
            AcceptanceStatus::Accepted => "accepted",
            AcceptanceStatus::Rejected => "rejected",
            AcceptanceStatus::Returned => "returned",
            AcceptanceStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<AcceptanceStatus> {
        match value {
            "pending" => Some(AcceptanceStatus::Pending),
            "accepted" => Some(AcceptanceStatus::Accepted),
            "rejected" => Some(AcceptanceStatus::Rejected),
            "returned" => Some(AcceptanceStatus::Returned),
            "withdrawn" => Some(AcceptanceStatus::Withdrawn),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Acceptance {
    pub id: i64,
    pub risk_id: i64,
    pub risk_title: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub reason: String,
    pub expires_on: Date,
    pub status: AcceptanceStatus,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: String,
    /// The proposal's approval request.
    pub approval_request_id: Option<i64>,
    pub created_at: OffsetDateTime,
}

/// An acceptance without its request has no status that reads ('' is corrupt).
pub(super) const ACCEPTANCE_COLUMNS: &str = "c.id, c.risk_id, r.title AS risk_title, c.proposed_by, \
     p.display_name AS proposed_by_name, c.reason, c.expires_on, \
     COALESCE(CASE q.state WHEN 'approved' THEN 'accepted' ELSE q.state END, '') AS status, \
     d.display_name AS decided_by_name, q.decided_at, COALESCE(q.reason, '') AS decision_note, \
     q.id AS approval_request_id, c.created_at \
     FROM risk_acceptances c JOIN risks r ON r.id = c.risk_id \
     LEFT JOIN approval_requests q ON q.subject_kind = 'risk_acceptance' AND q.subject_id = c.id \
     LEFT JOIN users p ON p.id = c.proposed_by LEFT JOIN users d ON d.id = q.decided_by";

pub(super) fn acceptance_from_row(row: &sqlx::any::AnyRow) -> Result<Acceptance> {
    let status: String = row.try_get("status")?;
    let id: i64 = row.try_get("id")?;
    Ok(Acceptance {
        id,
        risk_id: row.try_get("risk_id")?,
        risk_title: row.try_get("risk_title")?,
        proposed_by: row.try_get("proposed_by")?,
        proposed_by_name: row.try_get("proposed_by_name")?,
        reason: row.try_get("reason")?,
        expires_on: date("risk_acceptances", id, "expires_on", row)?,
        status: decode(
            "risk_acceptances",
            id,
            "status",
            &status,
            AcceptanceStatus::parse,
        )?,
        decided_by_name: row.try_get("decided_by_name")?,
        decided_at: opt_timestamp(
            "risk_acceptances",
            id,
            "decided_at",
            row.try_get("decided_at")?,
        )?,
        decision_note: row.try_get("decision_note")?,
        approval_request_id: row.try_get("approval_request_id")?,
        created_at: timestamp("risk_acceptances", id, "created_at", row)?,
    })
}

pub async fn acceptances(store: &Store, risk_id: i64) -> Result<Vec<Acceptance>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACCEPTANCE_COLUMNS} WHERE c.risk_id = $1 ORDER BY c.id DESC"
    )))
    .bind(risk_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(acceptance_from_row).collect()
}

pub async fn acceptance(store: &Store, id: i64) -> Result<Acceptance> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACCEPTANCE_COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    acceptance_from_row(&row)
}

/// Acceptances waiting for the CISO, and accepted ones expiring on or before `until`.
pub async fn acceptances_needing_attention(store: &Store, until: Date) -> Result<Vec<Acceptance>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACCEPTANCE_COLUMNS} WHERE q.state = 'pending' \
         OR (q.state = 'approved' AND c.expires_on <= $1) ORDER BY c.expires_on"
    )))
    .bind(until.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(acceptance_from_row).collect()
}

/// Records a proposal; the caller opens its approval request in the same transaction.
pub async fn propose_acceptance(
    tx: &mut WriteTx,
    risk_id: i64,
    reason: &str,
    expires_on: Date,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risk_acceptances (risk_id, proposed_by, reason, expires_on, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(risk_id)
    .bind(tx.actor.user_id)
    .bind(reason.to_owned())
    .bind(expires_on.to_string())
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("risk.accept_propose", "risk")
            .target(risk_id)
            .change("acceptance_id", None::<i64>, id)
            .change("reason", None::<&str>, reason)
            .change("expires_on", None::<String>, expires_on.to_string()),
    )
    .await?;
    Ok(id)
}
