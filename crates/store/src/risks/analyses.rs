//! Frozen analyses: the whole register as it stood on a day (clause 8).

use super::*;

/// One risk as a frozen analysis keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRisk {
    pub id: i64,
    pub title: String,
    pub threat: String,
    pub matrix_version: i64,
    pub inherent: Score,
    pub inherent_level: usize,
    pub inherent_level_name: String,
    pub treatment: Option<Treatment>,
    pub residual: Option<Score>,
    pub residual_level: Option<usize>,
    pub residual_level_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub id: i64,
    pub title: String,
    pub analysed_on: Date,
    pub risks: Vec<SnapshotRisk>,
    pub created_at: OffsetDateTime,
}

/// Freezes the whole register as it stands into a dated analysis (clause 8).
pub async fn freeze(tx: &mut WriteTx, title: &str, analysed_on: Date) -> Result<i64> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RISK_COLUMNS} ORDER BY r.id"
    )))
    .fetch_all(&mut *tx.tx)
    .await?;
    let records = rows.iter().map(risk_from_row).collect::<Result<Vec<_>>>()?;
    let mut snapshot = Vec::with_capacity(records.len());
    for record in records {
        let row = sqlx::query("SELECT version, definition FROM risk_matrices WHERE id = $1")
            .bind(record.matrix_id)
            .fetch_one(&mut *tx.tx)
            .await?;
        let definition: String = row.try_get(1)?;
        let matrix = decode_matrix(record.matrix_id, &definition)?;
        let name = |index: usize| {
            matrix
                .levels
                .get(index)
                .map(|l| l.name.clone())
                .unwrap_or_default()
        };
        snapshot.push(SnapshotRisk {
            id: record.id,
            title: record.title,
            threat: record.threat_name,
            matrix_version: row.try_get(0)?,
            inherent: record.inherent,
            inherent_level: record.inherent_level,
            inherent_level_name: name(record.inherent_level),
            treatment: record.treatment,
            residual: record.residual,
            residual_level: record.residual_level,
            residual_level_name: record.residual_level.map(name),
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risk_analyses (title, analysed_on, snapshot, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(title.to_owned())
    .bind(analysed_on.to_string())
    .bind(serde_json::to_string(&snapshot).unwrap_or_default())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("risk.analysis_freeze", "risk_analysis")
            .target(id)
            .change("title", None::<&str>, title)
            .change("analysed_on", None::<String>, analysed_on.to_string())
            .change("risks", None::<usize>, snapshot.len()),
    )
    .await?;
    Ok(id)
}

pub(super) fn analysis_from_row(row: &sqlx::any::AnyRow) -> Result<Analysis> {
    let snapshot: String = row.try_get("snapshot")?;
    let id: i64 = row.try_get("id")?;
    Ok(Analysis {
        id,
        title: row.try_get("title")?,
        analysed_on: date("risk_analyses", id, "analysed_on", row)?,
        risks: decode("risk_analyses", id, "snapshot", &snapshot, |text| {
            serde_json::from_str(text).ok()
        })?,
        created_at: timestamp("risk_analyses", id, "created_at", row)?,
    })
}

pub async fn analyses(store: &Store) -> Result<Vec<Analysis>> {
    let rows = sqlx::query(
        "SELECT id, title, analysed_on, snapshot, created_at FROM risk_analyses \
         ORDER BY analysed_on DESC, id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(analysis_from_row).collect()
}

pub async fn analysis(store: &Store, id: i64) -> Result<Analysis> {
    let row = sqlx::query(
        "SELECT id, title, analysed_on, snapshot, created_at FROM risk_analyses WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    analysis_from_row(&row)
}
