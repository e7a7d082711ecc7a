//! The information asset register: assets, their tags and clause links, classification
//! history and lifecycle records. Every read takes a [`Viewer`], so an asset at the top
//! confidentiality level never reaches anyone who may not know it exists — not in a
//! list, a count, a search, an export or the API.
//!
//! Reads are here; registering and changing assets are in `write`, classification
//! history and lifecycle records in `events`. Records leave with dates as dates and codes
//! as enums: a code the domain cannot read is [`StoreError::Corrupt`].

mod events;
pub mod imports;
mod search_pg;
mod write;

pub use events::{
    ClassificationRecord, EventRecord, NewEvent, classifications, event, events, pending_approvals,
    record_event,
};
pub use write::{create, create_many, insert_many, record_export, update, withdraw};

use std::collections::HashMap;

use mamori_domain::asset::{Asset, Category, Form, HolderType, Retention, Segment, Status};
use mamori_domain::search::Query;
use mamori_domain::user::OrgRole;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::sql::{Bind, Conditions};
use crate::{Backend, Result, Store, StoreError, decode, decode_date, decode_timestamp};

/// Who is reading the register.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user_id: Option<i64>,
    /// The security officer and the auditor oversee the register and see every asset.
    pub sees_restricted: bool,
}

impl Viewer {
    /// The command line, run by whoever administers the server itself.
    pub fn everything() -> Viewer {
        Viewer {
            user_id: None,
            sees_restricted: true,
        }
    }
}

/// Which assets a list, count or export covers. Empty fields do not filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Filter {
    pub q: String,
    pub category: Option<Category>,
    pub form: Option<Form>,
    pub holder_type: Option<HolderType>,
    pub holder_id: Option<i64>,
    pub segment: Option<Segment>,
    pub status: Option<Status>,
    pub confidentiality: Option<i64>,
    pub integrity: Option<i64>,
    pub availability: Option<i64>,
    pub tag: Option<String>,
}

impl Filter {
    /// Whether anything but the search words narrows the list.
    fn narrows_beyond_search(&self) -> bool {
        self.category.is_some()
            || self.form.is_some()
            || self.holder_type.is_some()
            || self.holder_id.is_some()
            || self.segment.is_some()
            || self.status.is_some()
            || self.confidentiality.is_some()
            || self.integrity.is_some()
            || self.availability.is_some()
            || self.tag.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
    Updated,
    Confidentiality,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Newest,
        Sort::Oldest,
        Sort::Name,
        Sort::Updated,
        Sort::Confidentiality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Name => "name",
            Sort::Updated => "updated",
            Sort::Confidentiality => "confidentiality",
        }
    }

    pub fn parse(value: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == value)
    }

    fn order_by(self) -> &'static str {
        match self {
            Sort::Newest => "a.id DESC",
            Sort::Oldest => "a.id ASC",
            Sort::Name => "a.name ASC, a.id ASC",
            Sort::Updated => "a.updated_at DESC, a.id DESC",
            Sort::Confidentiality => {
                "(SELECT rank FROM classification_levels l WHERE l.id = a.confidentiality_id) \
                 DESC, a.id DESC"
            }
        }
    }
}

/// An asset as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub category: Category,
    pub form: Form,
    pub holder_type: HolderType,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub managing_role: Option<OrgRole>,
    pub location: String,
    pub segment: Segment,
    pub confidentiality_id: i64,
    pub integrity_id: i64,
    pub availability_id: i64,
    pub restricted: bool,
    /// 個人情報の有無.
    pub holds_personal_info: bool,
    pub retention: Option<Retention>,
    pub disposal_due: Option<Date>,
    pub status: Status,
    pub notes: String,
    pub tags: Vec<String>,
    pub clauses: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl AssetRecord {
    /// The record as the checked form it was made from, for comparing and re-saving.
    pub fn as_asset(&self) -> Asset {
        Asset {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category,
            form: self.form,
            holder_type: self.holder_type,
            holder_id: self.holder_id,
            managing_role: self.managing_role,
            location: self.location.clone(),
            segment: self.segment,
            confidentiality: self.confidentiality_id,
            integrity: self.integrity_id,
            availability: self.availability_id,
            retention: self.retention.clone(),
            disposal_due: self.disposal_due,
            status: self.status,
            tags: self.tags.clone(),
            notes: self.notes.clone(),
            clauses: self.clauses.clone(),
            holds_personal_info: self.holds_personal_info,
        }
    }
}

const COLUMNS: &str = "a.id, a.name, a.description, a.category, a.form, a.holder_type, \
     a.holder_id, u.display_name AS holder_name, a.managing_role, a.location, a.segment, \
     a.confidentiality_id, a.integrity_id, a.availability_id, a.restricted, a.retention, \
     a.disposal_due, a.status, a.notes, a.holds_personal_info, a.created_at, a.updated_at";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AssetRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let code = |column: &'static str| -> Result<String> { text(column) };
    let restricted: i64 = row.try_get("restricted")?;
    let personal: i64 = row.try_get("holds_personal_info")?;
    let managing_role: Option<String> = row.try_get("managing_role")?;
    let retention: Option<String> = row.try_get("retention")?;
    let disposal_due: Option<String> = row.try_get("disposal_due")?;
    Ok(AssetRecord {
        id,
        name: text("name")?,
        description: text("description")?,
        category: decode(TABLE, id, "category", &code("category")?, Category::parse)?,
        form: decode(TABLE, id, "form", &code("form")?, Form::parse)?,
        holder_type: decode(
            TABLE,
            id,
            "holder_type",
            &code("holder_type")?,
            HolderType::parse,
        )?,
        holder_id: row.try_get("holder_id")?,
        holder_name: row.try_get("holder_name")?,
        managing_role: managing_role
            .map(|v| decode(TABLE, id, "managing_role", &v, OrgRole::parse))
            .transpose()?,
        location: text("location")?,
        segment: decode(TABLE, id, "segment", &code("segment")?, Segment::parse)?,
        confidentiality_id: row.try_get("confidentiality_id")?,
        integrity_id: row.try_get("integrity_id")?,
        availability_id: row.try_get("availability_id")?,
        restricted: restricted != 0,
        holds_personal_info: personal != 0,
        // Free text, kept as written (0008 turned older codes into words).
        retention: retention.and_then(|v| Retention::new(&v)),
        disposal_due: disposal_due
            .map(|v| decode_date(TABLE, id, "disposal_due", &v))
            .transpose()?,
        status: decode(TABLE, id, "status", &code("status")?, Status::parse)?,
        notes: text("notes")?,
        tags: Vec::new(),
        clauses: Vec::new(),
        created_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
        updated_at: decode_timestamp(TABLE, id, "updated_at", &text("updated_at")?)?,
    })
}

const TABLE: &str = "assets";

/// Which rows a query covers, as far as restriction goes.
#[derive(Debug, Clone, Copy)]
enum Rows {
    /// What the viewer may see.
    Visible(Viewer),
    /// The restricted assets the viewer may not see (to subtract from a count of all).
    Hidden(Viewer),
    All,
}

impl Rows {
    fn of(viewer: Viewer) -> Rows {
        if viewer.sees_restricted {
            Rows::All
        } else {
            Rows::Visible(viewer)
        }
    }
}

/// How SQLite should walk the rows. PostgreSQL's planner weighs these choices itself, so
/// there the hints change nothing.
#[derive(Debug, Clone, Copy, Default)]
struct Hints {
    /// Walk the table in the order of the sort instead of through a filter's index: when
    /// most rows match, the first page is found after reading a few more rows than it
    /// shows. A leading `+` keeps SQLite from choosing an index for a column.
    walk_in_order: bool,
    /// Test each row against the search's matches instead of walking the matches: when
    /// other conditions pick few rows, or a covering index answers them.
    probe_search: bool,
    /// The query joins the full-text table as `f` and reads matches in id order from it,
    /// so the first page of a search stops at its last row.
    search_joined: bool,
    /// Withdrawn assets too, though the filter asks for no status: one asset by its id
    /// (its page says it is withdrawn), never a list.
    any_status: bool,
}

/// The WHERE clause for a viewer and a filter, with its parameters from `$1`.
fn conditions(backend: Backend, viewer: Viewer, filter: &Filter) -> Conditions {
    shaped(backend, Rows::of(viewer), filter, Hints::default())
}

/// The WHERE clause for `rows` and a filter, shaped by `hints` for SQLite's planner.
fn shaped(backend: Backend, rows: Rows, filter: &Filter, hints: Hints) -> Conditions {
    let mut c = Conditions::new();
    let sqlite = backend == Backend::Sqlite;
    // Hidden rows are few: find them through the restriction's index, which holds
    // every filtered column too, rather than through a filter's index.
    let unindexed = hints.walk_in_order || matches!(rows, Rows::Hidden(_));
    let column = |name: &str| {
        if sqlite && unindexed {
            format!("+a.{name}")
        } else {
            format!("a.{name}")
        }
    };
    match rows {
        Rows::All => {}
        Rows::Visible(Viewer {
            user_id: Some(id), ..
        }) => c.push(
            &format!(
                "({} = 0 OR {} = ?)",
                column("restricted"),
                column("holder_id")
            ),
            Bind::Int(id),
        ),
        Rows::Visible(Viewer { user_id: None, .. }) => {
            c.push_sql(&format!("{} = 0", column("restricted")))
        }
        Rows::Hidden(Viewer {
            user_id: Some(id), ..
        }) => c.push(
            "a.restricted = 1 AND (a.holder_id IS NULL OR a.holder_id <> ?)",
            Bind::Int(id),
        ),
        Rows::Hidden(Viewer { user_id: None, .. }) => c.push_sql("a.restricted = 1"),
    }
    let codes = [
        ("category", filter.category.map(Category::as_str)),
        ("form", filter.form.map(Form::as_str)),
        ("holder_type", filter.holder_type.map(HolderType::as_str)),
        ("segment", filter.segment.map(Segment::as_str)),
        ("status", filter.status.map(Status::as_str)),
    ];
    for (name, value) in codes {
        if let Some(value) = value {
            c.push(
                &format!("{} = ?", column(name)),
                Bind::Text(value.to_owned()),
            );
        }
    }
    // An asset withdrawn (取消) as registered by mistake is listed only when asked for.
    if filter.status.is_none() && !hints.any_status {
        c.push_sql(&format!("{} <> 'withdrawn'", column("status")));
    }
    let ids = [
        ("holder_id", filter.holder_id),
        ("confidentiality_id", filter.confidentiality),
        ("integrity_id", filter.integrity),
        ("availability_id", filter.availability),
    ];
    for (name, value) in ids {
        if let Some(value) = value {
            c.push(&format!("{} = ?", column(name)), Bind::Int(value));
        }
    }
    if let Some(tag) = &filter.tag {
        c.push(
            "EXISTS (SELECT 1 FROM asset_tags t WHERE t.asset_id = a.id AND t.tag = ?)",
            Bind::Text(tag.clone()),
        );
    }
    let query = Query::parse(&filter.q);
    if !query.is_empty() {
        match backend {
            Backend::Sqlite if hints.search_joined => {
                c.push("assets_fts MATCH ?", Bind::Text(query.to_fts5()))
            }
            Backend::Sqlite => c.push(
                if hints.probe_search {
                    "+a.id IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?)"
                } else {
                    "a.id IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?)"
                },
                Bind::Text(query.to_fts5()),
            ),
            Backend::Postgres => search_pg::condition(&mut c, &query),
        }
    } else if !filter.q.trim().is_empty() {
        // Only punctuation was typed: nothing can match.
        c.push_sql("1 = 0");
    }
    c
}

/// Whether a statement may be kept prepared: not a search on PostgreSQL, whose generic
/// plan (made without the words, after a few runs) may walk the table computing each
/// row's grams where the index answers in a moment.
fn keep_prepared(backend: Backend, query: &Query) -> bool {
    backend != Backend::Postgres || query.is_empty()
}

/// One page of the register and how many assets match in all.
pub struct Page {
    pub assets: Vec<AssetRecord>,
    pub total: i64,
}

/// How many assets match. For someone who may not see every asset, this is all that
/// match less the restricted ones hidden from them: both counts are read from indexes,
/// where testing each matching row for visibility would read the table.
pub async fn count(store: &Store, viewer: Viewer, filter: &Filter) -> Result<i64> {
    let mut conn = store.pool().acquire().await?;
    count_in(&mut conn, store.backend(), viewer, filter).await
}

/// [`count`] on one connection: a list reads its total, its page and their tags on the
/// connection it took once, instead of queueing for the pool for each of its queries.
async fn count_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    viewer: Viewer,
    filter: &Filter,
) -> Result<i64> {
    if backend == Backend::Postgres && search_pg::answers_alone(filter) {
        return search_pg::count(conn, viewer, filter).await;
    }
    let withdrawn_exist = filter.status.is_none() && register_shape(conn).await?.any_withdrawn;
    count_shaped(conn, backend, viewer, filter, withdrawn_exist).await
}

async fn count_shaped(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    viewer: Viewer,
    filter: &Filter,
    withdrawn_exist: bool,
) -> Result<i64> {
    let all = if kept_in_totals(filter) {
        count_from_totals(conn, filter).await?
    } else {
        count_rows(conn, backend, Rows::All, filter, withdrawn_exist).await?
    };
    if viewer.sees_restricted {
        return Ok(all);
    }
    let hidden = count_rows(conn, backend, Rows::Hidden(viewer), filter, withdrawn_exist).await?;
    Ok(all - hidden)
}

/// Whether `asset_counts` holds the total: nothing searched, nothing narrowed but the
/// category and the status.
fn kept_in_totals(filter: &Filter) -> bool {
    let other = Filter {
        category: None,
        status: None,
        ..filter.clone()
    };
    Query::parse(&filter.q).is_empty() && !other.narrows_beyond_search()
}

/// Every asset of the filter's category and status (without a status, all but the
/// withdrawn, as lists show), summed from the totals the triggers of migration 0020 keep.
async fn count_from_totals(conn: &mut sqlx::AnyConnection, filter: &Filter) -> Result<i64> {
    let mut c = Conditions::new();
    if let Some(category) = filter.category {
        c.push("category = ?", Bind::Text(category.as_str().to_owned()));
    }
    match filter.status {
        Some(status) => c.push("status = ?", Bind::Text(status.as_str().to_owned())),
        None => c.push_sql("status <> 'withdrawn'"),
    }
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM asset_counts{}",
        c.sql
    );
    let row = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// What decides the shape of a list's queries, read in one statement.
struct RegisterShape {
    /// While no asset is withdrawn, lists and counts leave out no status, and keep the
    /// shapes their indexes were chosen for.
    any_withdrawn: bool,
    newest_id: i64,
}

async fn register_shape(conn: &mut sqlx::AnyConnection) -> Result<RegisterShape> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(id), 0) AS newest, \
         (SELECT COUNT(*) FROM (SELECT 1 FROM assets WHERE status = 'withdrawn' LIMIT 1) w) \
         AS withdrawn FROM assets",
    )
    .fetch_one(&mut *conn)
    .await?;
    let withdrawn: i64 = row.try_get("withdrawn")?;
    Ok(RegisterShape {
        any_withdrawn: withdrawn > 0,
        newest_id: row.try_get("newest")?,
    })
}

async fn count_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: Rows,
    filter: &Filter,
    withdrawn_exist: bool,
) -> Result<i64> {
    if !withdrawn_exist {
        return count_any_status(conn, backend, rows, filter).await;
    }
    // Without a status, withdrawn assets are left out. Counting "all but withdrawn" makes
    // the database read every row; counting all (which an index or the full-text table
    // answers) less the few withdrawn (through the status index) does not.
    let all = count_any_status(conn, backend, rows, filter).await?;
    let withdrawn = Filter {
        status: Some(Status::Withdrawn),
        ..filter.clone()
    };
    Ok(all - count_any_status(conn, backend, rows, &withdrawn).await?)
}

/// Rows of every status the filter allows, withdrawn ones included.
async fn count_any_status(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: Rows,
    filter: &Filter,
) -> Result<i64> {
    let query = Query::parse(&filter.q);
    if backend == Backend::Sqlite
        && matches!(rows, Rows::All)
        && !query.is_empty()
        && !filter.narrows_beyond_search()
    {
        // A search and nothing else: the full-text index counts its own matches.
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM assets_fts WHERE assets_fts MATCH $1")
                .bind(query.to_fts5())
                .fetch_one(&mut *conn)
                .await?;
        return Ok(total);
    }
    let hints = Hints {
        probe_search: true,
        any_status: true,
        ..Hints::default()
    };
    let c = shaped(backend, rows, filter, hints);
    let sql = format!("SELECT COUNT(*) FROM assets a{}", c.sql);
    let row = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .persistent(keep_prepared(backend, &query))
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

pub async fn list(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<Page> {
    let backend = store.backend();
    let mut conn = store.pool().acquire().await?;
    let conn = &mut *conn;
    if backend == Backend::Postgres
        && matches!(sort, Sort::Newest | Sort::Oldest)
        && search_pg::answers_alone(filter)
    {
        return search_pg::list(conn, viewer, filter, sort, offset, limit).await;
    }
    let shape = register_shape(conn).await?;
    let withdrawn_exist = filter.status.is_none() && shape.any_withdrawn;
    let total = count_shaped(conn, backend, viewer, filter, withdrawn_exist).await?;
    // When at least one row in twenty matches, reading rows in the sort's order finds the
    // page sooner than collecting every match through an index and sorting them.
    let search_joined = backend == Backend::Sqlite
        && matches!(sort, Sort::Newest | Sort::Oldest)
        && !Query::parse(&filter.q).is_empty();
    let hints = Hints {
        walk_in_order: sort != Sort::Confidentiality && total.saturating_mul(20) >= shape.newest_id,
        probe_search: false,
        search_joined,
        any_status: filter.status.is_none() && !shape.any_withdrawn,
    };
    let c = shaped(backend, Rows::of(viewer), filter, hints);
    let (from, order_by) = if search_joined {
        (
            // CROSS JOIN fixes the order of the loops in SQLite: the search outside.
            "assets_fts f CROSS JOIN assets a ON a.id = f.rowid",
            if sort == Sort::Newest {
                "f.rowid DESC"
            } else {
                "f.rowid ASC"
            },
        )
    } else {
        ("assets a", sort.order_by())
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {from} LEFT JOIN users u ON u.id = a.holder_id{} \
         ORDER BY {order_by} LIMIT {} OFFSET {}",
        c.sql,
        c.next_placeholder(1),
        c.next_placeholder(2),
    );
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .bind(limit)
        .bind(offset)
        .persistent(keep_prepared(backend, &Query::parse(&filter.q)))
        .fetch_all(&mut *conn)
        .await?;
    let mut assets = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    attach_lists(conn, &mut assets).await?;
    Ok(Page { assets, total })
}

/// How many assets an export reads at a time.
pub const EXPORT_BATCH: i64 = 2000;

/// Every matching asset in id order, handed over in batches so that an export of the
/// whole register never holds it all in memory.
pub async fn each_batch(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    mut handle: impl FnMut(Vec<AssetRecord>) -> Result<()>,
) -> Result<()> {
    let mut after = 0i64;
    loop {
        let assets = batch_after(store, viewer, filter, after, EXPORT_BATCH).await?;
        let Some(last) = assets.last() else {
            return Ok(());
        };
        after = last.id;
        let done = (assets.len() as i64) < EXPORT_BATCH;
        handle(assets)?;
        if done {
            return Ok(());
        }
    }
}

/// Up to `limit` matching assets with ids after `after`, in id order: one step of an
/// export that reads as fast as its reader takes the rows.
pub async fn batch_after(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    after: i64,
    limit: i64,
) -> Result<Vec<AssetRecord>> {
    let mut c = conditions(store.backend(), viewer, filter);
    c.push("a.id > ?", Bind::Int(after));
    let sql = format!(
        "SELECT {COLUMNS} FROM assets a LEFT JOIN users u ON u.id = a.holder_id{} \
         ORDER BY a.id LIMIT {}",
        c.sql,
        c.next_placeholder(1),
    );
    let mut conn = store.pool().acquire().await?;
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut assets = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    attach_lists(&mut conn, &mut assets).await?;
    Ok(assets)
}

/// Ids per statement that reads tags and clause links: one statement of one shape, kept
/// prepared on each connection, however many pages a list or an export reads (a shorter
/// chunk repeats its last id).
const LISTS_CHUNK: usize = 50;

static LISTS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let placeholders = |from: usize| {
        (from..from + LISTS_CHUNK)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "SELECT asset_id, CAST(0 AS BIGINT) AS kind, tag AS value FROM asset_tags \
         WHERE asset_id IN ({}) UNION ALL SELECT asset_id, CAST(1 AS BIGINT), clause_ref \
         FROM asset_clauses WHERE asset_id IN ({}) ORDER BY 1, 2, 3",
        placeholders(1),
        placeholders(LISTS_CHUNK + 1)
    )
});

/// The tag and clause rows of up to [`LISTS_CHUNK`] assets.
async fn lists_of(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<Vec<sqlx::any::AnyRow>> {
    let padded = || {
        let last = ids.last().copied().unwrap_or(0);
        ids.iter()
            .copied()
            .chain(std::iter::repeat(last))
            .take(LISTS_CHUNK)
    };
    let mut query = sqlx::query(AssertSqlSafe(LISTS_SQL.as_str()));
    for id in padded().chain(padded()) {
        query = query.bind(id);
    }
    Ok(query.fetch_all(&mut *conn).await?)
}

/// Fills in tags and clause references for a set of assets, a chunk of ids at a time.
async fn attach_lists(conn: &mut sqlx::AnyConnection, assets: &mut [AssetRecord]) -> Result<()> {
    if assets.is_empty() {
        return Ok(());
    }
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, asset) in assets.iter().enumerate() {
        index.insert(asset.id, i);
    }
    let ids: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let mut rows = Vec::new();
    for chunk in ids.chunks(LISTS_CHUNK) {
        rows.extend(lists_of(conn, chunk).await?);
    }
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let kind: i64 = row.try_get(1)?;
        let value: String = row.try_get(2)?;
        if let Some(&i) = index.get(&id) {
            if kind == 0 {
                assets[i].tags.push(value);
            } else {
                assets[i].clauses.push(value);
            }
        }
    }
    Ok(())
}

/// One asset, if it exists and the viewer may know of it. An asset the viewer may not
/// see is reported as not found, exactly like one that does not exist.
pub async fn get(store: &Store, viewer: Viewer, id: i64) -> Result<AssetRecord> {
    let mut conn = store.pool().acquire().await?;
    get_in(&mut conn, store.backend(), viewer, id).await
}

pub(crate) async fn get_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    viewer: Viewer,
    id: i64,
) -> Result<AssetRecord> {
    let any_status = Hints {
        any_status: true,
        ..Hints::default()
    };
    let mut c = shaped(backend, Rows::of(viewer), &Filter::default(), any_status);
    c.push("a.id = ?", Bind::Int(id));
    let sql = format!(
        "SELECT {COLUMNS} FROM assets a LEFT JOIN users u ON u.id = a.holder_id{}",
        c.sql
    );
    let row = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut assets = vec![record_from_row(&row)?];
    attach_lists(conn, &mut assets).await?;
    Ok(assets.remove(0))
}

/// Assets the viewer may see that serve a clause of the basic policy: (id, name).
pub async fn linked_to_clause(
    store: &Store,
    viewer: Viewer,
    clause_ref: &str,
) -> Result<Vec<(i64, String)>> {
    let mut c = conditions(store.backend(), viewer, &Filter::default());
    c.push(
        "EXISTS (SELECT 1 FROM asset_clauses k WHERE k.asset_id = a.id AND k.clause_ref = ?)",
        Bind::Text(clause_ref.to_owned()),
    );
    let sql = format!(
        "SELECT a.id, a.name FROM assets a{} ORDER BY a.id LIMIT 500",
        c.sql
    );
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}
