//! The threat catalogue of clause 3: a threat is never deleted, only retired.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    pub id: i64,
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
    pub clause_ref: String,
    pub retired_at: Option<OffsetDateTime>,
}

pub(super) fn threat_from_row(row: &sqlx::any::AnyRow) -> Result<Threat> {
    let family: String = row.try_get("family")?;
    let id: i64 = row.try_get("id")?;
    Ok(Threat {
        id,
        family: decode("threats", id, "family", &family, ThreatFamily::parse)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        clause_ref: row.try_get("clause_ref")?,
        retired_at: opt_timestamp("threats", id, "retired_at", row.try_get("retired_at")?)?,
    })
}

pub(super) const THREAT_COLUMNS: &str = "id, family, name, description, clause_ref, retired_at";

/// The catalogue by family, retired threats last within each family.
pub async fn threats(store: &Store) -> Result<Vec<Threat>> {
    let rows = sqlx::query(
        "SELECT id, family, name, description, clause_ref, retired_at FROM threats \
         ORDER BY clause_ref, CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(threat_from_row).collect()
}

pub async fn threat(store: &Store, id: i64) -> Result<Threat> {
    let row = sqlx::query(
        "SELECT id, family, name, description, clause_ref, retired_at FROM threats WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    threat_from_row(&row)
}

pub(super) async fn insert_threat(
    tx: &mut WriteTx,
    family: ThreatFamily,
    name: &str,
    description: &str,
) -> Result<i64> {
    let now = crate::now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO threats (family, name, description, clause_ref, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(family.as_str())
    .bind(name.to_owned())
    .bind(description.to_owned())
    .bind(family.clause())
    .bind(tx.actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?)
}

pub async fn create_threat(
    tx: &mut WriteTx,
    family: ThreatFamily,
    name: &str,
    description: &str,
) -> Result<i64> {
    let id = insert_threat(tx, family, name, description).await?;
    tx.audit(
        AuditEntry::new("threat.create", "threat")
            .target(id)
            .change("family", None::<&str>, family.as_str())
            .change("name", None::<&str>, name),
    )
    .await?;
    Ok(id)
}

pub async fn update_threat(
    tx: &mut WriteTx,
    id: i64,
    family: ThreatFamily,
    name: &str,
    description: &str,
) -> Result<()> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {THREAT_COLUMNS} FROM threats WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let before = threat_from_row(&row)?;
    sqlx::query(
        "UPDATE threats SET family = $1, name = $2, description = $3, clause_ref = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(family.as_str())
    .bind(name.to_owned())
    .bind(description.to_owned())
    .bind(family.clause())
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("threat.update", "threat")
            .target(id)
            .change("family", before.family.as_str(), family.as_str())
            .change("name", &before.name, name)
            .change("description", &before.description, description),
    )
    .await
}

/// Retires a threat (or brings it back): it stays in the catalogue and in every risk
/// that names it.
pub async fn set_retired(tx: &mut WriteTx, id: i64, retired: bool) -> Result<()> {
    let now = crate::now_text();
    let sql = if retired {
        "UPDATE threats SET retired_at = $1, updated_at = $2 WHERE id = $3 AND retired_at IS NULL"
    } else {
        "UPDATE threats SET retired_at = $1, updated_at = $2 WHERE id = $3 \
         AND retired_at IS NOT NULL"
    };
    let changed = sqlx::query(sql)
        .bind(retired.then(|| now.clone()))
        .bind(now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    tx.audit(
        AuditEntry::new(
            if retired {
                "threat.retire"
            } else {
                "threat.restore"
            },
            "threat",
        )
        .target(id),
    )
    .await
}
