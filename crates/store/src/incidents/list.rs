//! The incident list: who may read which rows (the use case's reach, a condition of the
//! query so that nothing else is ever read), the year, stage and severity filters, the
//! search over title, description and place (grams, as the asset register searches),
//! and a page of rows with the exact total.

use mamori_domain::incident::Stage;
use mamori_domain::search::Query;
use sqlx::{AssertSqlSafe, Row};

use super::{COLUMNS, FROM, IncidentRecord, from_row};
use crate::sql::{Bind, Conditions};
use crate::{Backend, Result, Store};

/// Which incidents a list may read: every one, or those a person reported, entered for
/// someone or was shared (the use case decides which).
#[derive(Debug, Clone, Copy)]
pub enum Reach {
    All,
    OwnOrShared(i64),
}

/// What a list shows.
#[derive(Debug, Clone)]
pub struct Filter {
    pub reach: Reach,
    /// The 年度 noticed in (numbered in).
    pub year: Option<i32>,
    /// Only incidents still open (any stage but closed).
    pub open_only: bool,
    pub stage: Option<Stage>,
    pub severity: Option<String>,
    /// Words to find in the title, description or place.
    pub q: String,
    pub offset: i64,
    /// At most this many rows; None: all of them (exports).
    pub limit: Option<i64>,
}

impl Filter {
    /// Everything within `reach`, the newest first.
    pub fn all(reach: Reach) -> Filter {
        Filter {
            reach,
            year: None,
            open_only: false,
            stage: None,
            severity: None,
            q: String::new(),
            offset: 0,
            limit: None,
        }
    }
}

/// A page of incidents, each with whether it is shared with the person reached (always
/// false for `All`), and how many match in all.
#[derive(Debug, Clone)]
pub struct Listing {
    pub rows: Vec<(IncidentRecord, bool)>,
    pub total: i64,
}

const SHARED: &str =
    "EXISTS (SELECT 1 FROM incident_shares s WHERE s.incident_id = i.id AND s.user_id = $1)";

fn conditions(backend: Backend, filter: &Filter) -> Conditions {
    let mut c = Conditions::new();
    // The reach first: its person is $1, which the shared column reads too. Each way
    // of reaching an incident is its own indexed lookup (an OR across them would read
    // every row).
    if let Reach::OwnOrShared(user) = filter.reach {
        c.push(
            "i.id IN (SELECT r.id FROM incidents r WHERE r.reporter_id = ? \
             UNION SELECT e.id FROM incidents e WHERE e.entered_by = $1 \
             UNION SELECT s.incident_id FROM incident_shares s WHERE s.user_id = $1)",
            Bind::Int(user),
        );
    }
    if let Some(year) = filter.year {
        c.push("i.fiscal_year = ?", Bind::Int(i64::from(year)));
    }
    if filter.open_only {
        c.push("i.stage <> ?", Bind::Text(Stage::Closed.as_str().into()));
    }
    if let Some(stage) = filter.stage {
        c.push("i.stage = ?", Bind::Text(stage.as_str().into()));
    }
    if let Some(severity) = &filter.severity {
        c.push("i.severity = ?", Bind::Text(severity.clone()));
    }
    let query = Query::parse(&filter.q);
    if !query.is_empty() {
        match backend {
            Backend::Sqlite => c.push(
                "i.id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)",
                Bind::Text(query.to_fts5()),
            ),
            Backend::Postgres => {
                let (sql, binds) = crate::sql::pg_search("i.search_text", &query);
                c.push_each(&sql, binds);
            }
        }
    }
    c
}

/// The incidents `filter` picks, the newest noticed first.
pub async fn list(store: &Store, filter: &Filter) -> Result<Listing> {
    let c = conditions(store.backend(), filter);
    let shared = match filter.reach {
        Reach::All => "CAST(0 AS BIGINT)".to_owned(),
        Reach::OwnOrShared(_) => format!("CAST(CASE WHEN {SHARED} THEN 1 ELSE 0 END AS BIGINT)"),
    };
    let mut conn = store.pool().acquire().await?;
    let count_sql = format!("SELECT COUNT(*) FROM incidents i{}", c.sql);
    // Unnamed, so planned with the query's own words, never a generic plan.
    let total: i64 = c
        .bind(sqlx::query(AssertSqlSafe(count_sql)))
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let limit = match filter.limit {
        Some(_) => format!(
            " LIMIT {} OFFSET {}",
            c.next_placeholder(1),
            c.next_placeholder(2)
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {COLUMNS}, {shared} AS shared {FROM}{} ORDER BY i.noticed_at DESC, i.id DESC{limit}",
        c.sql
    );
    let mut query = c.bind(sqlx::query(AssertSqlSafe(sql))).persistent(false);
    if let Some(limit) = filter.limit {
        query = query.bind(limit).bind(filter.offset);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let rows = rows
        .iter()
        .map(|row| Ok((from_row(row)?, row.try_get::<i64, _>("shared")? != 0)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { rows, total })
}

/// The 年度 that have incidents, newest first.
pub async fn years(store: &Store) -> Result<Vec<i32>> {
    let years: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT fiscal_year FROM incidents ORDER BY fiscal_year DESC")
            .fetch_all(store.pool())
            .await?;
    Ok(years
        .into_iter()
        .filter_map(|y| i32::try_from(y).ok())
        .collect())
}

/// Indexes for search the incidents written before search existed (their grams are
/// empty); run when the store opens. Returns how many it indexed.
pub async fn index_unindexed(store: &Store) -> Result<u64> {
    let rows =
        sqlx::query("SELECT id, title, description, place FROM incidents WHERE search_grams = ''")
            .fetch_all(store.pool())
            .await?;
    let mut done = 0;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let title: String = row.try_get("title")?;
        let description: String = row.try_get("description")?;
        let place: String = row.try_get("place")?;
        let (grams, text) = super::search_columns(&title, &description, &place);
        if grams.is_empty() {
            continue;
        }
        done +=
            sqlx::query("UPDATE incidents SET search_grams = $1, search_text = $2 WHERE id = $3")
                .bind(grams)
                .bind(text)
                .bind(id)
                .execute(store.pool())
                .await?
                .rows_affected();
    }
    Ok(done)
}
