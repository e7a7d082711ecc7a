//! The scenarios of an emergency response plan (緊急時対応計画, issue 18 item 6), kept per
//! policy version: see `mamori_domain::response_plan`. Lists are stored as JSON arrays.

use mamori_domain::response_plan::{Family, Scenario};
use sqlx::Row;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode};

const TABLE: &str = "response_plan_scenarios";

/// A stored scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScenario {
    pub id: i64,
    pub version_id: i64,
    pub position: i64,
    pub scenario: Scenario,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredScenario> {
    let id: i64 = row.try_get("id")?;
    let family: String = row.try_get("family")?;
    let actions: String = row.try_get("actions")?;
    let calls: String = row.try_get("calls")?;
    let reports: String = row.try_get("reports")?;
    let lines = |column, text: &str| {
        decode(TABLE, id, column, text, |t| {
            serde_json::from_str::<Vec<String>>(t).ok()
        })
    };
    Ok(StoredScenario {
        id,
        version_id: row.try_get("version_id")?,
        position: row.try_get("position")?,
        scenario: Scenario {
            family: decode(TABLE, id, "family", &family, Family::parse)?,
            title: row.try_get("title")?,
            actions: lines("actions", &actions)?,
            calls: decode(TABLE, id, "calls", &calls, |t| serde_json::from_str(t).ok())?,
            reports: lines("reports", &reports)?,
        },
    })
}

const COLUMNS: &str = "id, version_id, position, family, title, actions, calls, reports";

/// The scenarios of a version, in their order.
pub async fn scenarios(store: &Store, version_id: i64) -> Result<Vec<StoredScenario>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE version_id = $1 ORDER BY position"
    )))
    .bind(version_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn scenario(store: &Store, id: i64) -> Result<StoredScenario> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Adds the scenarios of a new version, in the order given; each has its audit entry.
pub async fn add_all(tx: &mut WriteTx, version_id: i64, scenarios: &[Scenario]) -> Result<()> {
    for (i, s) in scenarios.iter().enumerate() {
        let position = i as i64 + 1;
        let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {TABLE} (version_id, position, family, title, actions, calls, reports) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )))
        .bind(version_id)
        .bind(position)
        .bind(s.family.as_str())
        .bind(s.title.clone())
        .bind(json(&s.actions))
        .bind(json(&s.calls))
        .bind(json(&s.reports))
        .fetch_one(&mut *tx.tx)
        .await?;
        tx.audit(
            AuditEntry::new("response_plan.scenario_add", "response_plan_scenario")
                .target(id)
                .change("version_id", None::<i64>, version_id)
                .change("family", None::<&str>, s.family.as_str())
                .change("title", None::<&str>, &s.title)
                .change("actions", None::<&[String]>, &s.actions)
                .change("calls", None::<&[i64]>, &s.calls)
                .change("reports", None::<&[String]>, &s.reports),
        )
        .await?;
    }
    Ok(())
}

/// Rewrites scenario `before` as `after`, recording what changed.
pub async fn update(tx: &mut WriteTx, before: &StoredScenario, after: &Scenario) -> Result<()> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {TABLE} SET family = $1, title = $2, actions = $3, calls = $4, reports = $5 \
         WHERE id = $6"
    )))
    .bind(after.family.as_str())
    .bind(after.title.clone())
    .bind(json(&after.actions))
    .bind(json(&after.calls))
    .bind(json(&after.reports))
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    let old = &before.scenario;
    let mut entry =
        AuditEntry::new("response_plan.scenario_edit", "response_plan_scenario").target(before.id);
    if old.family != after.family {
        entry = entry.change("family", old.family.as_str(), after.family.as_str());
    }
    if old.title != after.title {
        entry = entry.change("title", &old.title, &after.title);
    }
    if old.actions != after.actions {
        entry = entry.change("actions", &old.actions, &after.actions);
    }
    if old.calls != after.calls {
        entry = entry.change("calls", &old.calls, &after.calls);
    }
    if old.reports != after.reports {
        entry = entry.change("reports", &old.reports, &after.reports);
    }
    tx.audit(entry).await
}
