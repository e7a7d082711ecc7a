//! Treatment actions of a risk: corrective actions (`crate::corrective`) whose source is
//! the risk, read and written here in the shape the risk pages and API have always had.

use mamori_domain::corrective::{ActionStatus, StatusChange};

use super::*;
use crate::corrective;

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
    pub status: ActionStatus,
}

const ACTION_COLUMNS: &str = "x.id, x.source_id AS risk_id, r.title AS risk_title, x.title, \
     x.owner_id, u.display_name AS owner_name, x.due_on, x.done_on, x.status \
     FROM corrective_actions x JOIN risks r ON r.id = x.source_id AND x.source_kind = 'risk' \
     LEFT JOIN users u ON u.id = x.owner_id";

fn action_from_row(row: &sqlx::any::AnyRow) -> Result<Action> {
    const T: &str = "corrective_actions";
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    Ok(Action {
        id,
        risk_id: row.try_get("risk_id")?,
        risk_title: row.try_get("risk_title")?,
        description: row.try_get("title")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        due_on: date(T, id, "due_on", row)?,
        done_on: opt_date(T, id, "done_on", row.try_get("done_on")?)?,
        status: decode(T, id, "status", &status, ActionStatus::parse)?,
    })
}

pub async fn actions(store: &Store, risk_id: i64) -> Result<Vec<Action>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} WHERE x.source_id = $1 ORDER BY x.due_on, x.id"
    )))
    .bind(risk_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(action_from_row).collect()
}

/// Risk actions still to be done whose due date is before `today`.
pub async fn overdue_actions(store: &Store, today: Date) -> Result<Vec<Action>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} WHERE x.status IN ('open', 'in_progress') AND x.due_on < $1 \
         ORDER BY x.due_on"
    )))
    .bind(crate::date_text(today))
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
    let id = corrective::insert_risk_action(tx, description, owner_id, due_on, risk_id).await?;
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

/// Marks an action of a risk done on `done_on`; the risk's id. `NotFound` when the
/// action is not one still to be done.
pub async fn complete_action(tx: &mut WriteTx, action_id: i64, done_on: Date) -> Result<i64> {
    let current = sqlx::query(
        "SELECT source_id, status FROM corrective_actions WHERE id = $1 AND source_kind = 'risk'",
    )
    .bind(action_id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let risk_id: i64 = current.try_get("source_id")?;
    let status: String = current.try_get("status")?;
    let status = decode(
        "corrective_actions",
        action_id,
        "status",
        &status,
        ActionStatus::parse,
    )?;
    if !status.is_pending() {
        return Err(StoreError::NotFound);
    }
    let change = StatusChange::Done {
        on: done_on,
        note: String::new(),
    };
    corrective::apply_change(tx, action_id, status, &change).await?;
    tx.audit(
        AuditEntry::new("risk.action_done", "risk")
            .target(risk_id)
            .change("action_id", None::<i64>, action_id)
            .change("done_on", None::<String>, done_on.to_string()),
    )
    .await?;
    Ok(risk_id)
}
