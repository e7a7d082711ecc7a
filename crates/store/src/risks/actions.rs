//! Treatment actions of a risk.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub id: i64,
    pub risk_id: i64,
    pub risk_title: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_on: Date,
    pub done_on: Option<Date>,
}

pub(super) const ACTION_COLUMNS: &str = "x.id, x.risk_id, r.title AS risk_title, x.description, \
     x.owner_id, u.display_name AS owner_name, x.due_on, x.done_on FROM risk_actions x \
     JOIN risks r ON r.id = x.risk_id LEFT JOIN users u ON u.id = x.owner_id";

pub(super) fn action_from_row(row: &sqlx::any::AnyRow) -> Result<Action> {
    let id: i64 = row.try_get("id")?;
    Ok(Action {
        id,
        risk_id: row.try_get("risk_id")?,
        risk_title: row.try_get("risk_title")?,
        description: row.try_get("description")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        due_on: date("risk_actions", id, "due_on", row)?,
        done_on: opt_date("risk_actions", id, "done_on", row.try_get("done_on")?)?,
    })
}

pub async fn actions(store: &Store, risk_id: i64) -> Result<Vec<Action>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} WHERE x.risk_id = $1 ORDER BY x.due_on, x.id"
    )))
    .bind(risk_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(action_from_row).collect()
}

/// Open actions due before `today`.
pub async fn overdue_actions(store: &Store, today: Date) -> Result<Vec<Action>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} WHERE x.done_on IS NULL AND x.due_on < $1 ORDER BY x.due_on"
    )))
    .bind(today.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(action_from_row).collect()
}

pub async fn add_action(
    tx: &mut WriteTx,
    risk_id: i64,
    description: &str,
    owner_id: Option<i64>,
    due_on: Date,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risk_actions (risk_id, description, owner_id, due_on, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(risk_id)
    .bind(description.to_owned())
    .bind(owner_id)
    .bind(due_on.to_string())
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("risk.action_add", "risk")
            .target(risk_id)
            .change("action_id", None::<i64>, id)
            .change("description", None::<&str>, description)
            .change("due_on", None::<String>, due_on.to_string()),
    )
    .await?;
    Ok(id)
}

/// Marks an action done on `done_on`.
pub async fn complete_action(tx: &mut WriteTx, action_id: i64, done_on: Date) -> Result<i64> {
    let risk_id: Option<i64> = sqlx::query_scalar(
        "UPDATE risk_actions SET done_on = $1 WHERE id = $2 AND done_on IS NULL RETURNING risk_id",
    )
    .bind(done_on.to_string())
    .bind(action_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let risk_id = risk_id.ok_or(StoreError::NotFound)?;
    tx.audit(
        AuditEntry::new("risk.action_done", "risk")
            .target(risk_id)
            .change("action_id", None::<i64>, action_id)
            .change("done_on", None::<String>, done_on.to_string()),
    )
    .await?;
    Ok(risk_id)
}
