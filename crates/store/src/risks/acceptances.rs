//! Acceptances of a risk: proposed, then decided by the CISO.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceStatus {
    Pending,
    Accepted,
    Rejected,
}

impl AcceptanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptanceStatus::Pending => "pending",
            AcceptanceStatus::Accepted => "accepted",
            AcceptanceStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<AcceptanceStatus> {
        match value {
            "pending" => Some(AcceptanceStatus::Pending),
            "accepted" => Some(AcceptanceStatus::Accepted),
            "rejected" => Some(AcceptanceStatus::Rejected),
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
    pub created_at: OffsetDateTime,
}

pub(super) const ACCEPTANCE_COLUMNS: &str = "c.id, c.risk_id, r.title AS risk_title, c.proposed_by, \
     p.display_name AS proposed_by_name, c.reason, c.expires_on, c.status, \
     d.display_name AS decided_by_name, c.decided_at, c.decision_note, c.created_at \
     FROM risk_acceptances c JOIN risks r ON r.id = c.risk_id \
     LEFT JOIN users p ON p.id = c.proposed_by LEFT JOIN users d ON d.id = c.decided_by";

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
        "SELECT {ACCEPTANCE_COLUMNS} WHERE c.status = 'pending' \
         OR (c.status = 'accepted' AND c.expires_on <= $1) ORDER BY c.expires_on"
    )))
    .bind(until.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(acceptance_from_row).collect()
}

pub async fn propose_acceptance(
    tx: &mut WriteTx,
    risk_id: i64,
    reason: &str,
    expires_on: Date,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risk_acceptances (risk_id, proposed_by, reason, expires_on, status, \
         decision_note, created_at) VALUES ($1, $2, $3, $4, 'pending', '', $5) RETURNING id",
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

/// Records the CISO's decision on a pending acceptance (the caller has checked who may).
pub async fn decide_acceptance(
    tx: &mut WriteTx,
    acceptance_id: i64,
    accept: bool,
    note: &str,
) -> Result<()> {
    let status = if accept {
        AcceptanceStatus::Accepted
    } else {
        AcceptanceStatus::Rejected
    };
    let risk_id: Option<i64> = sqlx::query_scalar(
        "UPDATE risk_acceptances SET status = $1, decided_by = $2, decided_at = $3, \
         decision_note = $4 WHERE id = $5 AND status = 'pending' RETURNING risk_id",
    )
    .bind(status.as_str())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .bind(note.to_owned())
    .bind(acceptance_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let risk_id = risk_id.ok_or(StoreError::NotFound)?;
    tx.audit(
        AuditEntry::new("risk.accept_decide", "risk")
            .target(risk_id)
            .change("acceptance_id", None::<i64>, acceptance_id)
            .change("status", "pending", status.as_str())
            .change("note", None::<&str>, note),
    )
    .await
}
