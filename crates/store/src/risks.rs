//! Threats, the risk matrix, the risk register with its treatment actions and
//! acceptances, and frozen risk analyses (clauses 3 and 8).

use mamori_domain::risk::{Matrix, Score, ThreatFamily, Treatment};
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::assets::Viewer;
use sqlx::any::AnyRow;

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_date, decode_timestamp,
};

pub use mamori_domain::risk_input::RiskInput;

// ---------------------------------------------------------------- typed columns

/// A required date column (`2026-04-01`); unreadable is corrupt.
fn date(table: &'static str, id: i64, column: &'static str, row: &AnyRow) -> Result<Date> {
    let text: String = row.try_get(column)?;
    decode_date(table, id, column, &text)
}

fn opt_date(
    table: &'static str,
    id: i64,
    column: &'static str,
    text: Option<String>,
) -> Result<Option<Date>> {
    text.map(|t| decode_date(table, id, column, &t)).transpose()
}

/// A required RFC 3339 timestamp column; unreadable is corrupt.
fn timestamp(
    table: &'static str,
    id: i64,
    column: &'static str,
    row: &AnyRow,
) -> Result<OffsetDateTime> {
    let text: String = row.try_get(column)?;
    decode_timestamp(table, id, column, &text)
}

fn opt_timestamp(
    table: &'static str,
    id: i64,
    column: &'static str,
    text: Option<String>,
) -> Result<Option<OffsetDateTime>> {
    text.map(|t| decode_timestamp(table, id, column, &t))
        .transpose()
}

// ---------------------------------------------------------------- threats

#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    pub id: i64,
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
    pub clause_ref: String,
    pub retired_at: Option<OffsetDateTime>,
}

fn threat_from_row(row: &sqlx::any::AnyRow) -> Result<Threat> {
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

const THREAT_COLUMNS: &str = "id, family, name, description, clause_ref, retired_at";

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

async fn insert_threat(
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

// ---------------------------------------------------------------- the matrix

#[derive(Debug, Clone, Serialize)]
pub struct StoredMatrix {
    pub id: i64,
    pub version: i64,
    pub matrix: Matrix,
    pub created_at: OffsetDateTime,
}

fn matrix_from_row(row: &sqlx::any::AnyRow) -> Result<StoredMatrix> {
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
fn decode_matrix(id: i64, definition: &str) -> Result<Matrix> {
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

async fn insert_matrix(tx: &mut WriteTx, matrix: &Matrix) -> Result<(i64, i64)> {
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
        for (family, name) in mamori_domain::risk::seed_catalogue() {
            insert_threat(tx, family, name, "").await?;
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

// ---------------------------------------------------------------- risks

#[derive(Debug, Clone, Serialize)]
pub struct RiskRecord {
    pub id: i64,
    pub title: String,
    pub threat_id: i64,
    pub threat_name: String,
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

const RISK_COLUMNS: &str = "r.id, r.title, r.threat_id, t.name AS threat_name, \
     t.family AS threat_family, r.asset_group, r.existing_measures, r.matrix_id, \
     r.inherent_likelihood, r.inherent_impact, r.inherent_level, r.treatment, \
     r.residual_likelihood, r.residual_impact, r.residual_level, r.owner_id, \
     u.display_name AS owner_name, r.proposed_by, r.review_due, r.created_at, r.updated_at \
     FROM risks r JOIN threats t ON t.id = r.threat_id LEFT JOIN users u ON u.id = r.owner_id";

/// A stored position on a scale or level; a negative one is corrupt.
fn position(id: i64, column: &'static str, value: i64) -> Result<usize> {
    decode("risks", id, column, &value.to_string(), |_| {
        usize::try_from(value).ok()
    })
}

fn risk_from_row(row: &sqlx::any::AnyRow) -> Result<RiskRecord> {
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
async fn attach_assets(store: &Store, viewer: Viewer, risks: &mut [RiskRecord]) -> Result<()> {
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

async fn write_assets(tx: &mut WriteTx, risk_id: i64, asset_ids: &[i64]) -> Result<()> {
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

fn as_i64(value: usize) -> i64 {
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

// ---------------------------------------------------------------- treatment actions

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

const ACTION_COLUMNS: &str = "x.id, x.risk_id, r.title AS risk_title, x.description, \
     x.owner_id, u.display_name AS owner_name, x.due_on, x.done_on FROM risk_actions x \
     JOIN risks r ON r.id = x.risk_id LEFT JOIN users u ON u.id = x.owner_id";

fn action_from_row(row: &sqlx::any::AnyRow) -> Result<Action> {
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

// ---------------------------------------------------------------- acceptances

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

const ACCEPTANCE_COLUMNS: &str = "c.id, c.risk_id, r.title AS risk_title, c.proposed_by, \
     p.display_name AS proposed_by_name, c.reason, c.expires_on, c.status, \
     d.display_name AS decided_by_name, c.decided_at, c.decision_note, c.created_at \
     FROM risk_acceptances c JOIN risks r ON r.id = c.risk_id \
     LEFT JOIN users p ON p.id = c.proposed_by LEFT JOIN users d ON d.id = c.decided_by";

fn acceptance_from_row(row: &sqlx::any::AnyRow) -> Result<Acceptance> {
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

// ---------------------------------------------------------------- analyses

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

fn analysis_from_row(row: &sqlx::any::AnyRow) -> Result<Analysis> {
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
