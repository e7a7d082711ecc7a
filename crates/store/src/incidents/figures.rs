//! What a year's figures read of each incident: one row per incident of the 年度, with
//! its threat's family and the time of the handlers' first entry after the report.

use mamori_domain::incident::{Personal, Stage};
use mamori_domain::incident_figures::Handled;
use mamori_domain::risk::ThreatFamily;
use sqlx::Row;

use super::TABLE;
use crate::{Result, Store, decode, decode_timestamp};

/// One incident of the year, as the figures and the export read it.
#[derive(Debug, Clone)]
pub struct YearRow {
    pub id: i64,
    pub handled: Handled,
}

/// The incidents numbered in the 年度 `year`, in number order.
pub async fn year_rows(store: &Store, year: i32) -> Result<Vec<YearRow>> {
    let rows = sqlx::query(
        "SELECT i.id, i.stage, i.severity, t.family, i.personal, i.people, i.noticed_at, \
         i.created_at, i.closed_at, \
         (SELECT MIN(n.at) FROM incident_entries n WHERE n.incident_id = i.id \
          AND n.kind <> 'reported') AS first_response_at \
         FROM incidents i LEFT JOIN threats t ON t.id = i.threat_id \
         WHERE i.fiscal_year = $1 ORDER BY i.number",
    )
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
            let maybe = |name: &'static str| -> Result<Option<_>> {
                let value: Option<String> = row.try_get(name)?;
                value
                    .map(|v| decode_timestamp(TABLE, id, name, &v))
                    .transpose()
            };
            let family: Option<String> = row.try_get("family")?;
            Ok(YearRow {
                id,
                handled: Handled {
                    family: family
                        .map(|f| decode("threats", id, "family", &f, ThreatFamily::parse))
                        .transpose()?,
                    severity: row.try_get("severity")?,
                    stage: decode(TABLE, id, "stage", &text("stage")?, Stage::parse)?,
                    personal: decode(TABLE, id, "personal", &text("personal")?, Personal::parse)?,
                    people: row.try_get("people")?,
                    noticed_at: decode_timestamp(TABLE, id, "noticed_at", &text("noticed_at")?)?,
                    reported_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
                    first_response_at: maybe("first_response_at")?,
                    closed_at: maybe("closed_at")?,
                },
            })
        })
        .collect()
}
