//! Search on PostgreSQL, through the narrow `asset_search` table (migration 0019): one
//! short row per asset with the normalised text, the visibility and the status, and an
//! index of each asset's grams without positions. The index finds the assets holding
//! every gram of the query; LIKE on the short text then keeps those where a term's
//! characters follow each other. The same matches as SQLite's phrase search.
//!
//! A search and nothing else (the common case) is answered from that table alone: the
//! exact total and the page's ids in one statement, then the page's rows from `assets`.
//! With other filters, the search is a condition on `assets` like any other.

use mamori_domain::search::Query;
use sqlx::{AssertSqlSafe, Row};

use super::{COLUMNS, Filter, Page, Rows, Sort, Viewer, attach_lists, record_from_row};
use crate::Result;
use crate::sql::{Bind, Conditions};

/// The condition on `asset_search s` that picks a query's matches, with a `?` for each
/// of its values.
fn search_condition(query: &Query) -> (String, Vec<Bind>) {
    crate::sql::pg_search("s.search_text", query)
}

/// The search as a condition on `assets a`, for queries that filter by more than it.
pub(super) fn condition(c: &mut Conditions, query: &Query) {
    let (sql, binds) = search_condition(query);
    c.push_each(
        &format!("a.id IN (SELECT s.asset_id FROM asset_search s WHERE {sql})"),
        binds,
    );
}

/// Whether the narrow table alone answers this filter: a search, with nothing else but
/// the status every list leaves out (withdrawn).
pub(super) fn answers_alone(filter: &Filter) -> bool {
    !Query::parse(&filter.q).is_empty() && !filter.narrows_beyond_search()
}

/// The search, visibility and status conditions on `asset_search s`.
fn narrow_conditions(viewer: Viewer, query: &Query) -> Conditions {
    let mut c = Conditions::new();
    match Rows::of(viewer) {
        Rows::Visible(Viewer {
            user_id: Some(id), ..
        }) => c.push("(s.restricted = 0 OR s.holder_id = ?)", Bind::Int(id)),
        Rows::Visible(Viewer { user_id: None, .. }) => c.push_sql("s.restricted = 0"),
        Rows::All | Rows::Hidden(_) => {}
    }
    c.push_sql("s.status <> 'withdrawn'");
    let (sql, binds) = search_condition(query);
    c.push_each(&sql, binds);
    c
}

/// How many assets the viewer may see match a search (see [`answers_alone`]).
pub(super) async fn count(
    conn: &mut sqlx::AnyConnection,
    viewer: Viewer,
    filter: &Filter,
) -> Result<i64> {
    let c = narrow_conditions(viewer, &Query::parse(&filter.q));
    let sql = format!("SELECT COUNT(*) FROM asset_search s{}", c.sql);
    // Unnamed, so planned with the query's own words, never a generic plan.
    let row = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// One page of a search (see [`answers_alone`]) newest or oldest first, and its total.
pub(super) async fn list(
    conn: &mut sqlx::AnyConnection,
    viewer: Viewer,
    filter: &Filter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<Page> {
    let c = narrow_conditions(viewer, &Query::parse(&filter.q));
    let direction = if sort == Sort::Oldest { "ASC" } else { "DESC" };
    // The matches are gathered once (MATERIALIZED: through the index, never by walking
    // the table in id order and computing each row's grams), counted, and the page's
    // ids picked from them.
    let sql = format!(
        "WITH m AS MATERIALIZED (SELECT s.asset_id FROM asset_search s{}), \
         page AS (SELECT asset_id FROM m ORDER BY asset_id {direction} LIMIT {} OFFSET {}) \
         SELECT {COLUMNS}, (SELECT COUNT(*) FROM m) AS total \
         FROM page JOIN assets a ON a.id = page.asset_id \
         LEFT JOIN users u ON u.id = a.holder_id ORDER BY a.id {direction}",
        c.sql,
        c.next_placeholder(1),
        c.next_placeholder(2),
    );
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .bind(limit)
        .bind(offset)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        // Past the last page: no row carries the total.
        None => count(conn, viewer, filter).await?,
    };
    let mut assets = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    attach_lists(conn, &mut assets).await?;
    Ok(Page { assets, total })
}
