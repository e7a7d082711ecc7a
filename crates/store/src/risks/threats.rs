//! The threat catalogue of clause 3: a threat is never deleted, only retired.

use super::*;
use mamori_domain::wareki::Lang;

#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    pub id: i64,
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
    pub clause_ref: String,
    /// Named by clause 3, or added by the assembly.
    pub origin: ThreatOrigin,
    /// The English name of a built-in threat; empty once renamed or for one entered here.
    pub name_en: String,
    pub retired_at: Option<OffsetDateTime>,
}

impl Threat {
    /// The name a page shows: a built-in threat's English name on English pages, else
    /// the name as stored.
    pub fn shown_name(&self, lang: Lang) -> &str {
        if lang == Lang::En && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name
        }
    }

    /// The description a page shows: a built-in description's English on English pages
    /// while it is as delivered, else the description as stored.
    pub fn shown_description(&self, lang: Lang) -> &str {
        match mamori_domain::threat::description_en(&self.description) {
            Some(english) if lang == Lang::En => english,
            _ => &self.description,
        }
    }
}

pub(super) fn threat_from_row(row: &sqlx::any::AnyRow) -> Result<Threat> {
    let family: String = row.try_get("family")?;
    let origin: String = row.try_get("origin")?;
    let id: i64 = row.try_get("id")?;
    Ok(Threat {
        id,
        family: decode("threats", id, "family", &family, ThreatFamily::parse)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        clause_ref: row.try_get("clause_ref")?,
        origin: decode("threats", id, "origin", &origin, ThreatOrigin::parse)?,
        name_en: row.try_get("name_en")?,
        retired_at: opt_timestamp("threats", id, "retired_at", row.try_get("retired_at")?)?,
    })
}

pub(super) const THREAT_COLUMNS: &str =
    "id, family, name, description, clause_ref, origin, name_en, retired_at";

/// The catalogue by family, retired threats last within each family.
pub async fn threats(store: &Store) -> Result<Vec<Threat>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {THREAT_COLUMNS} FROM threats \
         ORDER BY clause_ref, CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, id"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(threat_from_row).collect()
}

pub async fn threat(store: &Store, id: i64) -> Result<Threat> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {THREAT_COLUMNS} FROM threats WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    threat_from_row(&row)
}

/// A threat to store: one the security officer enters is the assembly's addition.
pub(super) struct NewThreat<'a> {
    pub family: ThreatFamily,
    pub name: &'a str,
    pub name_en: &'a str,
    pub description: &'a str,
    pub origin: ThreatOrigin,
}

pub(super) async fn insert_threat(tx: &mut WriteTx, threat: NewThreat<'_>) -> Result<i64> {
    let now = crate::now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO threats (family, name, description, clause_ref, origin, name_en, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(threat.family.as_str())
    .bind(threat.name.to_owned())
    .bind(threat.description.to_owned())
    .bind(threat.family.clause())
    .bind(threat.origin.as_str())
    .bind(threat.name_en.to_owned())
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
    let threat = NewThreat {
        family,
        name,
        name_en: "",
        description,
        origin: ThreatOrigin::Addition,
    };
    let id = insert_threat(tx, threat).await?;
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
    // A renamed threat's English name no longer says the same: English pages then show
    // the name as typed.
    let name_en = if before.name == name {
        before.name_en.as_str()
    } else {
        ""
    };
    sqlx::query(
        "UPDATE threats SET family = $1, name = $2, description = $3, clause_ref = $4, \
         name_en = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(family.as_str())
    .bind(name.to_owned())
    .bind(description.to_owned())
    .bind(family.clause())
    .bind(name_en.to_owned())
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
