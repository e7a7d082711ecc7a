//! Classification schemes as data: the presets are stored on first start, one scheme is
//! active, and an assembly edits level names, definitions and handling rules.

use std::collections::BTreeMap;

use mamori_domain::classification::{Axis, Level, LifecycleStep, Scheme};
use mamori_domain::classification_presets;
use serde::Serialize;
use sqlx::Row;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode};

#[derive(Debug, Clone, Serialize)]
pub struct SchemeSummary {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub active: bool,
}

/// Stores the presets when no scheme exists yet, in the installation's transaction;
/// the first preset becomes active.
pub(crate) async fn seed(tx: &mut WriteTx) -> Result<Vec<&'static str>> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM classification_schemes")
        .fetch_one(&mut *tx.tx)
        .await?;
    if count > 0 {
        return Ok(Vec::new());
    }
    let now = crate::now_text();
    for (index, scheme) in classification_presets::all().into_iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO classification_schemes (key, name, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(scheme.key.clone())
        .bind(scheme.name.clone())
        .bind(i64::from(index == 0))
        .bind(now.clone())
        .fetch_one(&mut *tx.tx)
        .await?;
        for level in &scheme.levels {
            sqlx::query(
                "INSERT INTO classification_levels (scheme_id, axis, code, name, rank, definition, \
                 takeout_requires_approval, rules, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(level.axis.as_str())
            .bind(level.code.clone())
            .bind(level.name.clone())
            .bind(level.rank)
            .bind(level.definition.clone())
            .bind(i64::from(level.takeout_requires_approval))
            .bind(rules_json(&level.rules))
            .bind(now.clone())
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    Ok(vec!["classification_schemes"])
}

fn rules_json(rules: &BTreeMap<LifecycleStep, String>) -> String {
    serde_json::to_string(rules).unwrap_or_else(|_| "{}".to_owned())
}

/// A stored level; an axis or rules the domain cannot read are [`StoreError::Corrupt`].
fn level_from_row(row: &sqlx::any::AnyRow) -> Result<Level> {
    const TABLE: &str = "classification_levels";
    let id: i64 = row.try_get("id")?;
    let axis: String = row.try_get("axis")?;
    let rules: String = row.try_get("rules")?;
    let takeout: i64 = row.try_get("takeout_requires_approval")?;
    Ok(Level {
        id,
        axis: decode(TABLE, id, "axis", &axis, Axis::parse)?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        rank: row.try_get("rank")?,
        definition: row.try_get("definition")?,
        takeout_requires_approval: takeout != 0,
        rules: decode(TABLE, id, "rules", &rules, |r| serde_json::from_str(r).ok())?,
    })
}

pub async fn schemes(store: &Store) -> Result<Vec<SchemeSummary>> {
    let rows = sqlx::query("SELECT id, key, name, active FROM classification_schemes ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let active: i64 = row.try_get("active")?;
            Ok(SchemeSummary {
                id: row.try_get("id")?,
                key: row.try_get("key")?,
                name: row.try_get("name")?,
                active: active != 0,
            })
        })
        .collect()
}

/// One scheme by id, or the active one, with its levels in one statement (the active
/// scheme is read by nearly every request about assets).
async fn load(conn: &mut sqlx::AnyConnection, id: Option<i64>) -> Result<Scheme> {
    macro_rules! scheme_with_levels {
        ($condition:literal) => {
            concat!(
                "SELECT s.id AS scheme_id, s.key AS scheme_key, s.name AS scheme_name, l.id, ",
                "l.axis, l.code, l.name, l.rank, l.definition, l.takeout_requires_approval, ",
                "l.rules FROM classification_schemes s LEFT JOIN classification_levels l ",
                "ON l.scheme_id = s.id WHERE ",
                $condition,
                " ORDER BY l.axis, l.rank DESC"
            )
        };
    }
    let query = match id {
        Some(id) => sqlx::query(scheme_with_levels!("s.id = $1")).bind(id),
        None => sqlx::query(scheme_with_levels!("s.active = 1")),
    };
    let rows = query.fetch_all(&mut *conn).await?;
    let first = rows.first().ok_or(StoreError::NotFound)?;
    let mut levels = Vec::with_capacity(rows.len());
    for row in &rows {
        // A scheme without levels has one row, its level columns empty.
        if row.try_get::<Option<i64>, _>("id")?.is_some() {
            levels.push(level_from_row(row)?);
        }
    }
    Ok(Scheme {
        id: first.try_get("scheme_id")?,
        key: first.try_get("scheme_key")?,
        name: first.try_get("scheme_name")?,
        levels,
    })
}

/// The scheme assets are classified by now.
pub async fn active(store: &Store) -> Result<Scheme> {
    let mut conn = store.pool().acquire().await?;
    load(&mut conn, None).await
}

pub(crate) async fn active_in(tx: &mut WriteTx) -> Result<Scheme> {
    load(&mut tx.tx, None).await
}

pub async fn scheme(store: &Store, id: i64) -> Result<Scheme> {
    let mut conn = store.pool().acquire().await?;
    load(&mut conn, Some(id)).await
}

/// Why a scheme cannot become the active one.
#[derive(Debug, thiserror::Error)]
pub enum ActivateRefusal {
    #[error("assets are classified under the current scheme")]
    AssetsClassified(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes `scheme_id` the active scheme. Refused while any asset is classified under
/// another scheme: switching would silently change what those levels mean.
pub async fn activate(
    tx: &mut WriteTx,
    scheme_id: i64,
) -> std::result::Result<(), ActivateRefusal> {
    let current = active_in(tx).await?;
    if current.id == scheme_id {
        return Ok(());
    }
    let target = load(&mut tx.tx, Some(scheme_id)).await?;
    let classified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM assets a JOIN classification_levels l \
         ON l.id = a.confidentiality_id WHERE l.scheme_id <> $1",
    )
    .bind(scheme_id)
    .fetch_one(&mut *tx.tx)
    .await
    .map_err(StoreError::from)?;
    if classified > 0 {
        return Err(ActivateRefusal::AssetsClassified(classified));
    }
    let now = crate::now_text();
    sqlx::query("UPDATE classification_schemes SET active = 0, updated_at = $1 WHERE active = 1")
        .bind(now.clone())
        .execute(&mut *tx.tx)
        .await
        .map_err(StoreError::from)?;
    sqlx::query("UPDATE classification_schemes SET active = 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(scheme_id)
        .execute(&mut *tx.tx)
        .await
        .map_err(StoreError::from)?;
    tx.audit(
        AuditEntry::new("classification.activate", "classification_scheme")
            .target(scheme_id)
            .change("active", &current.key, &target.key),
    )
    .await?;
    Ok(())
}

/// What an assembly may change of a level.
pub struct LevelEdit<'a> {
    pub name: &'a str,
    pub definition: &'a str,
    pub takeout_requires_approval: bool,
    pub rules: &'a BTreeMap<LifecycleStep, String>,
}

/// Changes a level's name, definition, take-out approval and handling rules; the
/// audit entry keeps what each changed field was before.
pub async fn update_level(tx: &mut WriteTx, level_id: i64, edit: LevelEdit<'_>) -> Result<()> {
    let row = sqlx::query(
        "SELECT id, axis, code, name, rank, definition, takeout_requires_approval, rules \
         FROM classification_levels WHERE id = $1",
    )
    .bind(level_id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let before = level_from_row(&row)?;
    let mut entry =
        AuditEntry::new("classification.level_update", "classification_level").target(level_id);
    if before.name != edit.name {
        entry = entry.change("name", &before.name, edit.name);
    }
    if before.definition != edit.definition {
        entry = entry.change("definition", &before.definition, edit.definition);
    }
    if before.takeout_requires_approval != edit.takeout_requires_approval {
        entry = entry.change(
            "takeout_requires_approval",
            before.takeout_requires_approval,
            edit.takeout_requires_approval,
        );
    }
    for step in LifecycleStep::ALL {
        let old = before.rules.get(&step);
        let new = edit.rules.get(&step);
        if old != new {
            entry = entry.change(&format!("rule.{}", step.as_str()), old, new);
        }
    }
    sqlx::query(
        "UPDATE classification_levels SET name = $1, definition = $2, \
         takeout_requires_approval = $3, rules = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(edit.name.to_owned())
    .bind(edit.definition.to_owned())
    .bind(i64::from(edit.takeout_requires_approval))
    .bind(rules_json(edit.rules))
    .bind(crate::now_text())
    .bind(level_id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(entry).await
}
