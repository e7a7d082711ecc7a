//! Continuity as stored: critical services with their recovery times, workarounds and
//! the assets they depend on; the alternate-staff roster; what a drill exercised. Every
//! write appends its audit entry in the same transaction.

use mamori_domain::continuity::{CoverInput, Covered, DrillInput, ServiceInput};
use sqlx::Row;
use time::OffsetDateTime;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx, decode_timestamp, now_text};

const SERVICES: &str = "continuity_services";

/// A critical service, in both languages (the same words twice for one the assembly
/// wrote itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: i64,
    pub code: Option<String>,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub workarounds_ja: Vec<String>,
    pub workarounds_en: Vec<String>,
    pub priority: i64,
    pub rto_hours: i64,
    pub rto_text: String,
    pub post_id: Option<i64>,
    pub retired: bool,
    pub asset_ids: Vec<i64>,
}

fn lines_of(id: i64, column: &'static str, json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt {
        table: SERVICES,
        row: id.to_string(),
        column,
        value: json.chars().take(100).collect(),
    })
}

/// Every service, active ones first, then by priority.
pub async fn services(store: &Store) -> Result<Vec<Service>> {
    let rows = sqlx::query(
        "SELECT id, code, name_ja, name_en, description_ja, description_en, workarounds_ja, \
         workarounds_en, priority, rto_hours, rto_text, post_id, retired_at \
         FROM continuity_services \
         ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, priority, id",
    )
    .fetch_all(store.pool())
    .await?;
    let links =
        sqlx::query("SELECT service_id, asset_id FROM continuity_service_assets ORDER BY asset_id")
            .fetch_all(store.pool())
            .await?;
    let links: Vec<(i64, i64)> = links
        .iter()
        .map(|r| Ok((r.try_get("service_id")?, r.try_get("asset_id")?)))
        .collect::<Result<_>>()?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
            let retired: Option<String> = row.try_get("retired_at")?;
            Ok(Service {
                id,
                code: row.try_get("code")?,
                name_ja: text("name_ja")?,
                name_en: text("name_en")?,
                description_ja: text("description_ja")?,
                description_en: text("description_en")?,
                workarounds_ja: lines_of(id, "workarounds_ja", &text("workarounds_ja")?)?,
                workarounds_en: lines_of(id, "workarounds_en", &text("workarounds_en")?)?,
                priority: row.try_get("priority")?,
                rto_hours: row.try_get("rto_hours")?,
                rto_text: text("rto_text")?,
                post_id: row.try_get("post_id")?,
                retired: retired.is_some(),
                asset_ids: links
                    .iter()
                    .filter(|(s, _)| *s == id)
                    .map(|(_, a)| *a)
                    .collect(),
            })
        })
        .collect()
}

pub async fn service(store: &Store, id: i64) -> Result<Service> {
    services(store)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(StoreError::NotFound)
}

/// A service's words as the use case settled them for each language.
#[derive(Debug, Clone)]
pub struct Words {
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub workarounds_ja: Vec<String>,
    pub workarounds_en: Vec<String>,
}

fn json(lines: &[String]) -> String {
    serde_json::to_string(lines).unwrap_or_else(|_| "[]".to_owned())
}

/// Adds a service; its id.
pub async fn create(
    tx: &mut WriteTx,
    input: &ServiceInput,
    rto_text: &str,
    assets: &[i64],
) -> Result<i64> {
    let now = now_text();
    let lines = json(&input.workarounds);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO continuity_services (code, name_ja, name_en, description_ja, \
         description_en, workarounds_ja, workarounds_en, priority, rto_hours, rto_text, \
         post_id, retired_at, created_at, updated_at) \
         VALUES (NULL, $1, $1, $2, $2, $3, $3, $4, $5, $6, $7, NULL, $8, $8) RETURNING id",
    )
    .bind(&input.name)
    .bind(&input.description)
    .bind(&lines)
    .bind(input.priority)
    .bind(input.rto_hours)
    .bind(rto_text)
    .bind(input.post_id)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    set_assets(tx, id, assets).await?;
    tx.audit(
        AuditEntry::new("continuity.service_create", "continuity_service")
            .target(id)
            .change("name", None::<&str>, input.name.as_str())
            .change("priority", None::<i64>, input.priority)
            .change("rto_hours", None::<i64>, input.rto_hours)
            .change("post_id", None::<i64>, input.post_id)
            .change("workarounds", None::<&str>, lines.as_str())
            .change("assets", None::<&[i64]>, assets),
    )
    .await?;
    Ok(id)
}

async fn set_assets(tx: &mut WriteTx, id: i64, assets: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM continuity_service_assets WHERE service_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for asset in assets {
        sqlx::query("INSERT INTO continuity_service_assets (service_id, asset_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*asset)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

/// Rewrites a service; the audit entry names what changed. Returns whether anything did.
pub async fn update(
    tx: &mut WriteTx,
    before: &Service,
    words: &Words,
    input: &ServiceInput,
    rto_text: &str,
    assets: &[i64],
) -> Result<bool> {
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    let mut note = |field: &'static str, b: String, a: String| {
        if b != a {
            changes.push((field, b, a));
        }
    };
    note("name_ja", before.name_ja.clone(), words.name_ja.clone());
    note("name_en", before.name_en.clone(), words.name_en.clone());
    note(
        "description_ja",
        before.description_ja.clone(),
        words.description_ja.clone(),
    );
    note(
        "description_en",
        before.description_en.clone(),
        words.description_en.clone(),
    );
    note(
        "workarounds_ja",
        json(&before.workarounds_ja),
        json(&words.workarounds_ja),
    );
    note(
        "workarounds_en",
        json(&before.workarounds_en),
        json(&words.workarounds_en),
    );
    note(
        "priority",
        before.priority.to_string(),
        input.priority.to_string(),
    );
    note("rto_text", before.rto_text.clone(), rto_text.to_owned());
    note(
        "post_id",
        format!("{:?}", before.post_id),
        format!("{:?}", input.post_id),
    );
    note(
        "retired",
        before.retired.to_string(),
        input.retired.to_string(),
    );
    let mut sorted = assets.to_vec();
    sorted.sort_unstable();
    note(
        "assets",
        format!("{:?}", before.asset_ids),
        format!("{sorted:?}"),
    );
    if changes.is_empty() {
        return Ok(false);
    }
    let mut entry =
        AuditEntry::new("continuity.service_update", "continuity_service").target(before.id);
    for (field, b, a) in &changes {
        entry = entry.change(field, b, a);
    }
    let now = now_text();
    sqlx::query(
        "UPDATE continuity_services SET name_ja = $1, name_en = $2, description_ja = $3, \
         description_en = $4, workarounds_ja = $5, workarounds_en = $6, priority = $7, \
         rto_hours = $8, rto_text = $9, post_id = $10, retired_at = $11, updated_at = $12 \
         WHERE id = $13",
    )
    .bind(&words.name_ja)
    .bind(&words.name_en)
    .bind(&words.description_ja)
    .bind(&words.description_en)
    .bind(json(&words.workarounds_ja))
    .bind(json(&words.workarounds_en))
    .bind(input.priority)
    .bind(input.rto_hours)
    .bind(rto_text)
    .bind(input.post_id)
    .bind(input.retired.then(|| now.clone()))
    .bind(&now)
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    set_assets(tx, before.id, &sorted).await?;
    tx.audit(entry).await?;
    Ok(true)
}

/// An entry of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub id: i64,
    pub covered: Covered,
    pub service_id: Option<i64>,
    pub note: String,
    /// The alternates in order: (user id, name, login, active).
    pub alternates: Vec<Alternate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternate {
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub active: bool,
}

/// The roster, in the order entries were added.
pub async fn covers(store: &Store) -> Result<Vec<Cover>> {
    let rows = sqlx::query(
        "SELECT id, person_id, post_id, service_id, note FROM continuity_covers ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?;
    let alternates = sqlx::query(
        "SELECT a.cover_id, a.user_id, u.display_name, u.login, u.active \
         FROM continuity_alternates a JOIN users u ON u.id = a.user_id \
         ORDER BY a.cover_id, a.position",
    )
    .fetch_all(store.pool())
    .await?;
    let alternates: Vec<(i64, Alternate)> = alternates
        .iter()
        .map(|r| {
            let active: i64 = r.try_get("active")?;
            Ok((
                r.try_get("cover_id")?,
                Alternate {
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("display_name")?,
                    login: r.try_get("login")?,
                    active: active != 0,
                },
            ))
        })
        .collect::<Result<_>>()?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let person: Option<i64> = row.try_get("person_id")?;
            let post: Option<i64> = row.try_get("post_id")?;
            let covered = match (person, post) {
                (Some(p), _) => Covered::Person(p),
                (None, Some(p)) => Covered::Post(p),
                (None, None) => {
                    return Err(StoreError::Corrupt {
                        table: "continuity_covers",
                        row: id.to_string(),
                        column: "person_id",
                        value: String::new(),
                    });
                }
            };
            Ok(Cover {
                id,
                covered,
                service_id: row.try_get("service_id")?,
                note: row.try_get("note")?,
                alternates: alternates
                    .iter()
                    .filter(|(c, _)| *c == id)
                    .map(|(_, a)| a.clone())
                    .collect(),
            })
        })
        .collect()
}

/// Adds an entry to the roster; its id.
pub async fn add_cover(tx: &mut WriteTx, input: &CoverInput) -> Result<i64> {
    let (person, post) = match input.covered {
        Covered::Person(p) => (Some(p), None),
        Covered::Post(p) => (None, Some(p)),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO continuity_covers (person_id, post_id, service_id, note, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person)
    .bind(post)
    .bind(input.service_id)
    .bind(&input.note)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    for (i, user) in input.alternates.iter().enumerate() {
        sqlx::query(
            "INSERT INTO continuity_alternates (cover_id, position, user_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(*user)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(
        AuditEntry::new("continuity.cover_add", "continuity_cover")
            .target(id)
            .change("covered", None::<&str>, input.covered.code())
            .change("service_id", None::<i64>, input.service_id)
            .change("alternates", None::<&[i64]>, input.alternates.as_slice())
            .change("note", None::<&str>, input.note.as_str()),
    )
    .await?;
    Ok(id)
}

/// Removes an entry of the roster (the audit trail keeps what it said).
pub async fn remove_cover(tx: &mut WriteTx, cover: &Cover) -> Result<()> {
    sqlx::query("DELETE FROM continuity_alternates WHERE cover_id = $1")
        .bind(cover.id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM continuity_covers WHERE id = $1")
        .bind(cover.id)
        .execute(&mut *tx.tx)
        .await?;
    let alternates: Vec<i64> = cover.alternates.iter().map(|a| a.user_id).collect();
    tx.audit(
        AuditEntry::new("continuity.cover_remove", "continuity_cover")
            .target(cover.id)
            .change("covered", Some(cover.covered.code()), None::<String>)
            .change("service_id", cover.service_id, None::<i64>)
            .change("alternates", Some(alternates), None::<Vec<i64>>),
    )
    .await
}

/// What a drill exercised and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub session_id: i64,
    pub scenario_id: Option<i64>,
    pub scenario_title: Option<String>,
    pub went_well: String,
    pub went_badly: String,
    pub services: Vec<i64>,
    pub updated_at: OffsetDateTime,
}

/// The drill records of `sessions` (those that have one).
pub async fn drills(store: &Store) -> Result<Vec<Drill>> {
    let rows = sqlx::query(
        "SELECT d.session_id, d.scenario_id, s.title, d.went_well, d.went_badly, d.updated_at \
         FROM continuity_drills d LEFT JOIN response_plan_scenarios s ON s.id = d.scenario_id \
         ORDER BY d.session_id",
    )
    .fetch_all(store.pool())
    .await?;
    let services = sqlx::query(
        "SELECT session_id, service_id FROM continuity_drill_services ORDER BY service_id",
    )
    .fetch_all(store.pool())
    .await?;
    let services: Vec<(i64, i64)> = services
        .iter()
        .map(|r| Ok((r.try_get("session_id")?, r.try_get("service_id")?)))
        .collect::<Result<_>>()?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("session_id")?;
            let at: String = row.try_get("updated_at")?;
            Ok(Drill {
                session_id: id,
                scenario_id: row.try_get("scenario_id")?,
                scenario_title: row.try_get("title")?,
                went_well: row.try_get("went_well")?,
                went_badly: row.try_get("went_badly")?,
                services: services
                    .iter()
                    .filter(|(s, _)| *s == id)
                    .map(|(_, v)| *v)
                    .collect(),
                updated_at: decode_timestamp("continuity_drills", id, "updated_at", &at)?,
            })
        })
        .collect()
}

pub async fn drill(store: &Store, session_id: i64) -> Result<Option<Drill>> {
    Ok(drills(store)
        .await?
        .into_iter()
        .find(|d| d.session_id == session_id))
}

/// Writes a drill's record (the first time, or again).
pub async fn save_drill(
    tx: &mut WriteTx,
    session_id: i64,
    before: Option<&Drill>,
    input: &DrillInput,
) -> Result<()> {
    let now = now_text();
    sqlx::query("DELETE FROM continuity_drill_services WHERE session_id = $1")
        .bind(session_id)
        .execute(&mut *tx.tx)
        .await?;
    if before.is_some() {
        sqlx::query(
            "UPDATE continuity_drills SET scenario_id = $1, went_well = $2, went_badly = $3, \
             recorded_by = $4, updated_at = $5 WHERE session_id = $6",
        )
    } else {
        sqlx::query(
            "INSERT INTO continuity_drills (scenario_id, went_well, went_badly, recorded_by, \
             updated_at, session_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
    }
    .bind(input.scenario_id)
    .bind(&input.went_well)
    .bind(&input.went_badly)
    .bind(tx.actor.user_id)
    .bind(&now)
    .bind(session_id)
    .execute(&mut *tx.tx)
    .await?;
    for service in &input.services {
        sqlx::query(
            "INSERT INTO continuity_drill_services (session_id, service_id) VALUES ($1, $2)",
        )
        .bind(session_id)
        .bind(*service)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(
        AuditEntry::new("continuity.drill_save", "training_session")
            .target(session_id)
            .change(
                "scenario_id",
                before.and_then(|b| b.scenario_id),
                input.scenario_id,
            )
            .change(
                "services",
                before.map(|b| b.services.clone()),
                input.services.as_slice(),
            )
            .change(
                "went_well",
                before.map(|b| b.went_well.as_str()),
                input.went_well.as_str(),
            )
            .change(
                "went_badly",
                before.map(|b| b.went_badly.as_str()),
                input.went_badly.as_str(),
            ),
    )
    .await
}
