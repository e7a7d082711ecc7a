//! The risk matrix, kept as versioned data: each save is a new active version.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct StoredMatrix {
    pub id: i64,
    pub version: i64,
    pub matrix: Matrix,
    pub created_at: OffsetDateTime,
}

pub(super) fn matrix_from_row(row: &sqlx::any::AnyRow) -> Result<StoredMatrix> {
    let definition: String = row.try_get("definition")?;
    let id: i64 = row.try_get("id")?;
    Ok(StoredMatrix {
        id,
        version: row.try_get("version")?,
        matrix: decode_matrix(id, &definition)?,
        created_at: timestamp("risk_matrices", id, "created_at", row)?,
    })
}

/// A stored matrix definition; one the domain cannot read is corrupt, never replaced.
pub(super) fn decode_matrix(id: i64, definition: &str) -> Result<Matrix> {
    decode("risk_matrices", id, "definition", definition, |text| {
        serde_json::from_str::<Matrix>(text).ok()
    })
}

pub async fn active_matrix(store: &Store) -> Result<StoredMatrix> {
    let row = sqlx::query(
        "SELECT id, version, definition, created_at FROM risk_matrices WHERE active = 1",
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    matrix_from_row(&row)
}

pub async fn matrix(store: &Store, id: i64) -> Result<StoredMatrix> {
    let row =
        sqlx::query("SELECT id, version, definition, created_at FROM risk_matrices WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
    matrix_from_row(&row)
}

pub(super) async fn insert_matrix(tx: &mut WriteTx, matrix: &Matrix) -> Result<(i64, i64)> {
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM risk_matrices")
            .fetch_one(&mut *tx.tx)
            .await?;
    sqlx::query("UPDATE risk_matrices SET active = 0 WHERE active = 1")
        .execute(&mut *tx.tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risk_matrices (version, definition, active, created_by, created_at) \
         VALUES ($1, $2, 1, $3, $4) RETURNING id",
    )
    .bind(version)
    .bind(serde_json::to_string(matrix).unwrap_or_default())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok((id, version))
}

/// Makes `matrix` (already checked) the active one as a new version. Assessments made
/// with an earlier version keep it.
pub async fn save_matrix(tx: &mut WriteTx, matrix: &Matrix) -> Result<i64> {
    let (id, version) = insert_matrix(tx, matrix).await?;
    tx.audit(
        AuditEntry::new("risk.matrix_update", "risk_matrix")
            .target(id)
            .change("version", None::<i64>, version)
            .change("matrix", None::<&Matrix>, matrix),
    )
    .await?;
    Ok(id)
}

/// The threat catalogue of clause 3 and the default matrix, for a new installation.
/// Runs inside the installation's own transaction.
pub(crate) async fn seed(tx: &mut WriteTx) -> Result<Vec<&'static str>> {
    let mut seeded = Vec::new();
    let threats: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threats")
        .fetch_one(&mut *tx.tx)
        .await?;
    if threats == 0 {
        for threat in mamori_domain::threat::seed_catalogue() {
            let new = NewThreat {
                family: threat.family,
                name: threat.name,
                name_en: threat.name_en,
                description: threat.description,
                origin: threat.origin,
            };
            insert_threat(tx, new).await?;
        }
        seeded.push("threats");
    }
    let matrices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM risk_matrices")
        .fetch_one(&mut *tx.tx)
        .await?;
    if matrices == 0 {
        insert_matrix(tx, &Matrix::default_3x3()).await?;
        seeded.push("risk_matrix");
    }
    Ok(seeded)
}
