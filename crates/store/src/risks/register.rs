//! The risk register: risks scored with a matrix version, and the assets they name.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct RiskRecord {
    pub id: i64,
    pub title: String,
    pub threat_id: i64,
    pub threat_name: String,
    /// The threat's English name while it is a built-in one as delivered (else empty).
    #[serde(skip)]
    pub threat_name_en: String,
    pub threat_family: ThreatFamily,
    pub asset_group: String,
    pub existing_measures: String,
    pub matrix_id: i64,
    pub inherent: Score,
    pub inherent_level: usize,
    pub treatment: Option<Treatment>,
    pub residual: Option<Score>,
    pub residual_level: Option<usize>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub proposed_by: Option<i64>,
    pub review_due: Option<Date>,
    /// Assets named by the risk that the viewer may see: (id, name).
    pub assets: Vec<(i64, String)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl RiskRecord {
    /// The threat's name as a page shows it: a built-in threat's English name on English
    /// pages, else the name as stored.
    pub fn shown_threat(&self, lang: mamori_domain::wareki::Lang) -> &str {
        if lang == mamori_domain::wareki::Lang::En && !self.threat_name_en.is_empty() {
            &self.threat_name_en
        } else {
            &self.threat_name
        }
    }
}

pub(super) const RISK_COLUMNS: &str = "r.id, r.title, r.threat_id, t.name AS threat_name, \
     t.name_en AS threat_name_en, t.family AS threat_family, r.asset_group, r.existing_measures, r.matrix_id, \
     r.inherent_likelihood, r.inherent_impact, r.inherent_level, r.treatment, \
     r.residual_likelihood, r.residual_impact, r.residual_level, r.owner_id, \
     u.display_name AS owner_name, r.proposed_by, r.review_due, r.created_at, r.updated_at \
     FROM risks r JOIN threats t ON t.id = r.threat_id LEFT JOIN users u ON u.id = r.owner_id";

/// A stored position on a scale or level; a negative one is corrupt.
pub(super) fn position(id: i64, column: &'static str, value: i64) -> Result<usize> {
    decode("risks", id, column, &value.to_string(), |_| {
        usize::try_from(value).ok()
    })
}

pub(super) fn risk_from_row(row: &sqlx::any::AnyRow) -> Result<RiskRecord> {
    let id: i64 = row.try_get("id")?;
    let family: String = row.try_get("threat_family")?;
    let treatment: Option<String> = row.try_get("treatment")?;
    let residual_l: Option<i64> = row.try_get("residual_likelihood")?;
    let residual_i: Option<i64> = row.try_get("residual_impact")?;
    let residual_level: Option<i64> = row.try_get("residual_level")?;
    let treatment = match treatment {
        Some(code) => Some(decode("risks", id, "treatment", &code, Treatment::parse)?),
        None => None,
    };
    let residual = match residual_l.zip(residual_i) {
        Some((l, i)) => Some(Score {
            likelihood: position(id, "residual_likelihood", l)?,
            impact: position(id, "residual_impact", i)?,
        }),
        None => None,
    };
    let residual_level = match residual_level {
        Some(level) => Some(position(id, "residual_level", level)?),
        None => None,
    };
    Ok(RiskRecord {
        id,
        title: row.try_get("title")?,
        threat_id: row.try_get("threat_id")?,
        threat_name: row.try_get("threat_name")?,
        threat_name_en: row.try_get("threat_name_en")?,
        threat_family: decode("threats", id, "family", &family, ThreatFamily::parse)?,
        asset_group: row.try_get("asset_group")?,
        existing_measures: row.try_get("existing_measures")?,
        matrix_id: row.try_get("matrix_id")?,
        inherent: Score {
            likelihood: position(
                id,
                "inherent_likelihood",
                row.try_get("inherent_likelihood")?,
            )?,
            impact: position(id, "inherent_impact", row.try_get("inherent_impact")?)?,
        },
        inherent_level: position(id, "inherent_level", row.try_get("inherent_level")?)?,
        treatment,
        residual,
        residual_level,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        proposed_by: row.try_get("proposed_by")?,
        review_due: opt_date("risks", id, "review_due", row.try_get("review_due")?)?,
        assets: Vec::new(),
        created_at: timestamp("risks", id, "created_at", row)?,
        updated_at: timestamp("risks", id, "updated_at", row)?,
    })
}

/// The whole register, newest first, with the assets each viewer may see.
pub async fn risks(store: &Store, viewer: Viewer) -> Result<Vec<RiskRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RISK_COLUMNS} ORDER BY r.id DESC"
    )))
    .fetch_all(store.pool())
    .await?;
    let mut risks = rows.iter().map(risk_from_row).collect::<Result<Vec<_>>>()?;
    attach_assets(store, viewer, &mut risks).await?;
    Ok(risks)
}

pub async fn risk(store: &Store, viewer: Viewer, id: i64) -> Result<RiskRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RISK_COLUMNS} WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut risks = vec![risk_from_row(&row)?];
    attach_assets(store, viewer, &mut risks).await?;
    Ok(risks.remove(0))
}

/// Names the assets of each risk, leaving out those the viewer may not know of.
pub(super) async fn attach_assets(
    store: &Store,
    viewer: Viewer,
    risks: &mut [RiskRecord],
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT ra.risk_id, a.id, a.name, a.restricted, a.holder_id FROM risk_assets ra \
         JOIN assets a ON a.id = ra.asset_id ORDER BY ra.risk_id, a.id",
    )
    .fetch_all(store.pool())
    .await?;
    for row in rows {
        let risk_id: i64 = row.try_get(0)?;
        let restricted: i64 = row.try_get(3)?;
        let holder: Option<i64> = row.try_get(4)?;
        let visible = viewer.sees_restricted
            || restricted == 0
            || (holder.is_some() && holder == viewer.user_id);
        if !visible {
            continue;
        }
        if let Some(risk) = risks.iter_mut().find(|r| r.id == risk_id) {
            risk.assets.push((row.try_get(1)?, row.try_get(2)?));
        }
    }
    Ok(())
}

pub(super) async fn write_assets(tx: &mut WriteTx, risk_id: i64, asset_ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM risk_assets WHERE risk_id = $1")
        .bind(risk_id)
        .execute(&mut *tx.tx)
        .await?;
    for asset_id in asset_ids {
        sqlx::query(
            "INSERT INTO risk_assets (risk_id, asset_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(risk_id)
        .bind(*asset_id)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

pub(super) fn as_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Registers a risk, scored with the matrix `matrix_id` (the active one, checked by the
/// caller): the levels are computed and stored with it.
pub async fn create_risk(
    tx: &mut WriteTx,
    input: &RiskInput,
    matrix: &StoredMatrix,
) -> Result<i64> {
    let now = crate::now_text();
    let inherent_level = matrix
        .matrix
        .level_index(input.inherent.likelihood, input.inherent.impact)
        .unwrap_or(0);
    let residual_level = input
        .residual
        .and_then(|s| matrix.matrix.level_index(s.likelihood, s.impact));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO risks (title, threat_id, asset_group, existing_measures, matrix_id, \
         inherent_likelihood, inherent_impact, inherent_level, treatment, residual_likelihood, \
         residual_impact, residual_level, owner_id, proposed_by, status, review_due, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         'open', $15, $16, $16) RETURNING id",
    )
    .bind(input.title.clone())
    .bind(input.threat_id)
    .bind(input.asset_group.clone())
    .bind(input.existing_measures.clone())
    .bind(matrix.id)
    .bind(as_i64(input.inherent.likelihood))
    .bind(as_i64(input.inherent.impact))
    .bind(as_i64(inherent_level))
    .bind(input.treatment.map(Treatment::as_str))
    .bind(input.residual.map(|s| as_i64(s.likelihood)))
    .bind(input.residual.map(|s| as_i64(s.impact)))
    .bind(residual_level.map(as_i64))
    .bind(input.owner_id)
    .bind(tx.actor.user_id)
    .bind(input.review_due.map(|d| d.to_string()))
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    write_assets(tx, id, &input.asset_ids).await?;
    tx.audit(
        AuditEntry::new("risk.create", "risk")
            .target(id)
            .change("title", None::<&str>, &input.title)
            .change("threat_id", None::<i64>, input.threat_id)
            .change("matrix_version", None::<i64>, matrix.version)
            .change("inherent_level", None::<usize>, inherent_level)
            .change(
                "treatment",
                None::<&str>,
                input.treatment.map(Treatment::as_str),
            ),
    )
    .await?;
    Ok(id)
}

/// Saves a reassessment. It is scored with `matrix` — the active one — and records
/// that version, so the change of scale is explicit, never silent.
pub async fn update_risk(
    tx: &mut WriteTx,
    id: i64,
    input: &RiskInput,
    matrix: &StoredMatrix,
) -> Result<()> {
    let before = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RISK_COLUMNS} WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let before = risk_from_row(&before)?;
    let inherent_level = matrix
        .matrix
        .level_index(input.inherent.likelihood, input.inherent.impact)
        .unwrap_or(0);
    let residual_level = input
        .residual
        .and_then(|s| matrix.matrix.level_index(s.likelihood, s.impact));
    sqlx::query(
        "UPDATE risks SET title = $1, threat_id = $2, asset_group = $3, existing_measures = $4, \
         matrix_id = $5, inherent_likelihood = $6, inherent_impact = $7, inherent_level = $8, \
         treatment = $9, residual_likelihood = $10, residual_impact = $11, residual_level = $12, \
         owner_id = $13, review_due = $14, updated_at = $15 WHERE id = $16",
    )
    .bind(input.title.clone())
    .bind(input.threat_id)
    .bind(input.asset_group.clone())
    .bind(input.existing_measures.clone())
    .bind(matrix.id)
    .bind(as_i64(input.inherent.likelihood))
    .bind(as_i64(input.inherent.impact))
    .bind(as_i64(inherent_level))
    .bind(input.treatment.map(Treatment::as_str))
    .bind(input.residual.map(|s| as_i64(s.likelihood)))
    .bind(input.residual.map(|s| as_i64(s.impact)))
    .bind(residual_level.map(as_i64))
    .bind(input.owner_id)
    .bind(input.review_due.map(|d| d.to_string()))
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    write_assets(tx, id, &input.asset_ids).await?;
    tx.audit(
        AuditEntry::new("risk.update", "risk")
            .target(id)
            .change("title", &before.title, &input.title)
            .change("matrix_id", before.matrix_id, matrix.id)
            .change("inherent", before.inherent, input.inherent)
            .change("inherent_level", before.inherent_level, inherent_level)
            .change(
                "treatment",
                before.treatment.map(Treatment::as_str),
                input.treatment.map(Treatment::as_str),
            )
            .change("residual", before.residual, input.residual),
    )
    .await
}
