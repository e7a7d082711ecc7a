//! The information asset register: assets, their tags and clause links, classification
//! history and lifecycle records. Every read takes a [`Viewer`], so an asset at the top
//! confidentiality level never reaches anyone who may not know it exists — not in a
//! list, a count, a search, an export or the API.

use std::collections::HashMap;

use mamori_domain::asset::{
    Approval, Asset, Category, EventKind, Form, HolderType, Retention, Segment, Status,
};
use mamori_domain::classification::Scheme;
use mamori_domain::search::{Query, grams};
use mamori_domain::user::OrgRole;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use time::Date;

use crate::{AuditEntry, Backend, Result, Store, StoreError, WriteTx};

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
    pub retention: Option<Retention>,
    pub disposal_due: Option<String>,
    pub status: Status,
    pub notes: String,
    pub tags: Vec<String>,
    pub clauses: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
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
            retention: self.retention,
            disposal_due: self.disposal_due.as_deref().and_then(|d| {
                Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
            }),
            status: self.status,
            tags: self.tags.clone(),
            notes: self.notes.clone(),
            clauses: self.clauses.clone(),
        }
    }
}

const COLUMNS: &str = "a.id, a.name, a.description, a.category, a.form, a.holder_type, \
     a.holder_id, u.display_name AS holder_name, a.managing_role, a.location, a.segment, \
     a.confidentiality_id, a.integrity_id, a.availability_id, a.restricted, a.retention, \
     a.disposal_due, a.status, a.notes, a.created_at, a.updated_at";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AssetRecord> {
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let restricted: i64 = row.try_get("restricted")?;
    let managing_role: Option<String> = row.try_get("managing_role")?;
    let retention: Option<String> = row.try_get("retention")?;
    Ok(AssetRecord {
        id: row.try_get("id")?,
        name: text("name")?,
        description: text("description")?,
        category: Category::parse(&text("category")?).unwrap_or(Category::Information),
        form: Form::parse(&text("form")?).unwrap_or(Form::Electronic),
        holder_type: HolderType::parse(&text("holder_type")?).unwrap_or(HolderType::Secretariat),
        holder_id: row.try_get("holder_id")?,
        holder_name: row.try_get("holder_name")?,
        managing_role: managing_role.as_deref().and_then(OrgRole::parse),
        location: text("location")?,
        segment: Segment::parse(&text("segment")?).unwrap_or(Segment::None),
        confidentiality_id: row.try_get("confidentiality_id")?,
        integrity_id: row.try_get("integrity_id")?,
        availability_id: row.try_get("availability_id")?,
        restricted: restricted != 0,
        retention: retention.as_deref().and_then(Retention::parse),
        disposal_due: row.try_get("disposal_due")?,
        status: Status::parse(&text("status")?).unwrap_or(Status::InUse),
        notes: text("notes")?,
        tags: Vec::new(),
        clauses: Vec::new(),
        created_at: text("created_at")?,
        updated_at: text("updated_at")?,
    })
}

enum Bind {
    Int(i64),
    Text(String),
    MaybeInt(Option<i64>),
    MaybeText(Option<String>),
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
            Bind::MaybeInt(v) => query.bind(v),
            Bind::MaybeText(v) => query.bind(v),
        };
    }
    query
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows of `width` parameters.
fn multi_insert(table: &str, columns: &str, width: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * width + column + 1));
        }
        sql.push(')');
    }
    sql
}

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
}

/// The WHERE clause for a viewer and a filter, with its parameters from `$1`.
struct Conditions {
    sql: String,
    binds: Vec<Bind>,
}

impl Conditions {
    fn new(backend: Backend, viewer: Viewer, filter: &Filter) -> Conditions {
        Conditions::shaped(backend, Rows::of(viewer), filter, Hints::default())
    }

    fn shaped(backend: Backend, rows: Rows, filter: &Filter, hints: Hints) -> Conditions {
        let mut c = Conditions {
            sql: String::new(),
            binds: Vec::new(),
        };
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
                Backend::Postgres => c.push(
                    "a.search_vector @@ to_tsquery('simple', ?)",
                    Bind::Text(query.to_tsquery()),
                ),
            }
        } else if !filter.q.trim().is_empty() {
            // Only punctuation was typed: nothing can match.
            c.push_sql("1 = 0");
        }
        c
    }

    fn push_sql(&mut self, condition: &str) {
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(condition);
    }

    /// Adds a condition with one `?`, numbered in turn.
    fn push(&mut self, condition: &str, bind: Bind) {
        self.binds.push(bind);
        let numbered = condition.replace('?', &format!("${}", self.binds.len()));
        self.push_sql(&numbered);
    }

    fn next_placeholder(&self, offset: usize) -> String {
        format!("${}", self.binds.len() + offset)
    }

    fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for bind in &self.binds {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.clone()),
                Bind::MaybeInt(v) => query.bind(*v),
                Bind::MaybeText(v) => query.bind(v.clone()),
            };
        }
        query
    }
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
    let all = count_rows(store, Rows::All, filter).await?;
    if viewer.sees_restricted {
        return Ok(all);
    }
    Ok(all - count_rows(store, Rows::Hidden(viewer), filter).await?)
}

async fn count_rows(store: &Store, rows: Rows, filter: &Filter) -> Result<i64> {
    let query = Query::parse(&filter.q);
    if store.backend() == Backend::Sqlite
        && matches!(rows, Rows::All)
        && !query.is_empty()
        && !filter.narrows_beyond_search()
    {
        // A search and nothing else: the full-text index counts its own matches.
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM assets_fts WHERE assets_fts MATCH $1")
                .bind(query.to_fts5())
                .fetch_one(store.pool())
                .await?;
        return Ok(total);
    }
    let hints = Hints {
        probe_search: true,
        ..Hints::default()
    };
    let c = Conditions::shaped(store.backend(), rows, filter, hints);
    let sql = format!("SELECT COUNT(*) FROM assets a{}", c.sql);
    let row = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_one(store.pool())
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
    let total = count(store, viewer, filter).await?;
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM assets")
        .fetch_one(store.pool())
        .await?;
    // When at least one row in twenty matches, reading rows in the sort's order finds the
    // page sooner than collecting every match through an index and sorting them.
    let search_joined = store.backend() == Backend::Sqlite
        && matches!(sort, Sort::Newest | Sort::Oldest)
        && !Query::parse(&filter.q).is_empty();
    let hints = Hints {
        walk_in_order: sort != Sort::Confidentiality
            && total.saturating_mul(20) >= newest.unwrap_or(0),
        probe_search: false,
        search_joined,
    };
    let c = Conditions::shaped(store.backend(), Rows::of(viewer), filter, hints);
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
        .fetch_all(store.pool())
        .await?;
    let mut assets = rows
        .iter()
        .map(record_from_row)
        .collect::<Result<Vec<_>>>()?;
    attach_lists(&mut *store.pool().acquire().await?, &mut assets).await?;
    Ok(Page { assets, total })
}

/// Every matching asset in id order, handed over in batches so that an export of the
/// whole register never holds it all in memory.
pub async fn each_batch(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    mut handle: impl FnMut(Vec<AssetRecord>) -> Result<()>,
) -> Result<()> {
    const BATCH: i64 = 2000;
    let mut after = 0i64;
    loop {
        let mut c = Conditions::new(store.backend(), viewer, filter);
        c.push("a.id > ?", Bind::Int(after));
        let sql = format!(
            "SELECT {COLUMNS} FROM assets a LEFT JOIN users u ON u.id = a.holder_id{} \
             ORDER BY a.id LIMIT {BATCH}",
            c.sql
        );
        let rows = c
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .fetch_all(store.pool())
            .await?;
        let mut assets = rows
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>>>()?;
        let Some(last) = assets.last() else {
            return Ok(());
        };
        after = last.id;
        let done = (assets.len() as i64) < BATCH;
        attach_lists(&mut *store.pool().acquire().await?, &mut assets).await?;
        handle(assets)?;
        if done {
            return Ok(());
        }
    }
}

/// Fills in tags and clause references for a set of assets, two queries in all.
async fn attach_lists(conn: &mut sqlx::AnyConnection, assets: &mut [AssetRecord]) -> Result<()> {
    if assets.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = assets.iter().map(|a| a.id.to_string()).collect();
    let ids = ids.join(",");
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, asset) in assets.iter().enumerate() {
        index.insert(asset.id, i);
    }
    // The ids are integers from the database, so listing them inline is safe. Each such
    // statement is used once: not kept prepared, or an export would leave thousands of
    // them cached on its connection.
    for (table, column) in [("asset_tags", "tag"), ("asset_clauses", "clause_ref")] {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT asset_id, {column} FROM {table} WHERE asset_id IN ({ids}) \
             ORDER BY asset_id, {column}"
        )))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let id: i64 = row.try_get(0)?;
            let value: String = row.try_get(1)?;
            if let Some(&i) = index.get(&id) {
                if table == "asset_tags" {
                    assets[i].tags.push(value);
                } else {
                    assets[i].clauses.push(value);
                }
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

async fn get_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    viewer: Viewer,
    id: i64,
) -> Result<AssetRecord> {
    let mut c = Conditions::new(backend, viewer, &Filter::default());
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
    let mut c = Conditions::new(store.backend(), viewer, &Filter::default());
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

fn is_restricted(scheme: &Scheme, confidentiality: i64) -> bool {
    let rank = scheme.level(confidentiality).map(|l| l.rank);
    rank.is_some() && rank == scheme.top_confidentiality_rank()
}

fn search_text(asset: &Asset) -> String {
    grams(&format!(
        "{}\n{}\n{}",
        asset.name, asset.description, asset.notes
    ))
}

fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

async fn insert(tx: &mut WriteTx, asset: &Asset, scheme: &Scheme, now: &str) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assets (name, description, category, form, holder_type, holder_id, \
         managing_role, location, segment, confidentiality_id, integrity_id, availability_id, \
         restricted, retention, disposal_due, status, notes, search_grams, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id",
    )
    .bind(asset.name.clone())
    .bind(asset.description.clone())
    .bind(asset.category.as_str())
    .bind(asset.form.as_str())
    .bind(asset.holder_type.as_str())
    .bind(asset.holder_id)
    .bind(asset.managing_role.map(OrgRole::as_str))
    .bind(asset.location.clone())
    .bind(asset.segment.as_str())
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(i64::from(is_restricted(scheme, asset.confidentiality)))
    .bind(asset.retention.map(Retention::code))
    .bind(date_text(asset.disposal_due))
    .bind(asset.status.as_str())
    .bind(asset.notes.clone())
    .bind(search_text(asset))
    .bind(tx.actor.user_id)
    .bind(now.to_owned())
    .fetch_one(&mut *tx.tx)
    .await?;
    write_lists(tx, id, asset).await?;
    record_classification(tx, id, asset, "", now).await?;
    Ok(id)
}

async fn write_lists(tx: &mut WriteTx, id: i64, asset: &Asset) -> Result<()> {
    for tag in &asset.tags {
        sqlx::query("INSERT INTO asset_tags (asset_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    for clause in &asset.clauses {
        sqlx::query("INSERT INTO asset_clauses (asset_id, clause_ref) VALUES ($1, $2)")
            .bind(id)
            .bind(clause.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

async fn record_classification(
    tx: &mut WriteTx,
    id: i64,
    asset: &Asset,
    reason: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO asset_classifications (asset_id, confidentiality_id, integrity_id, \
         availability_id, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(reason.to_owned())
    .bind(tx.actor.user_id)
    .bind(now.to_owned())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The audit entry's fields for an asset. The name of a restricted asset stays out of
/// the audit trail, which more people read than may know the asset exists.
fn described(entry: AuditEntry, asset: &Asset, restricted: bool) -> AuditEntry {
    if restricted {
        entry.change("restricted", None::<bool>, true)
    } else {
        entry.change("name", None::<&str>, &asset.name)
    }
}

/// Registers one asset.
pub async fn create(tx: &mut WriteTx, asset: &Asset, scheme: &Scheme) -> Result<i64> {
    let now = crate::now_text();
    let id = insert(tx, asset, scheme, &now).await?;
    let entry = AuditEntry::new("asset.create", "asset")
        .target(id)
        .change("category", None::<&str>, asset.category.as_str())
        .change(
            "classification",
            None::<[i64; 3]>,
            [asset.confidentiality, asset.integrity, asset.availability],
        );
    tx.audit(described(
        entry,
        asset,
        is_restricted(scheme, asset.confidentiality),
    ))
    .await?;
    Ok(id)
}

/// Rows per INSERT statement in an import: one round trip per hundred assets rather
/// than several per asset, well inside both backends' limit on parameters.
const IMPORT_BATCH: usize = 100;

/// Registers many assets in the caller's transaction (an import): one audit entry names
/// the source, how many and the ids given. Returns the ids in input order.
///
/// The ids are given here rather than by the database, so that tags, clauses and
/// classification history can be written in batches too; this is safe because the
/// write transaction holds the store's single write lock.
pub async fn create_many(
    tx: &mut WriteTx,
    assets: &[Asset],
    scheme: &Scheme,
    source: &str,
    source_sha256: &str,
) -> Result<Vec<i64>> {
    let now = crate::now_text();
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM assets")
        .fetch_one(&mut *tx.tx)
        .await?;
    let ids: Vec<i64> = (first..).take(assets.len()).collect();
    for (chunk, chunk_ids) in assets.chunks(IMPORT_BATCH).zip(ids.chunks(IMPORT_BATCH)) {
        let mut rows = Vec::with_capacity(chunk.len() * 22);
        let mut history = Vec::with_capacity(chunk.len() * 7);
        let mut tags = Vec::new();
        let mut clauses = Vec::new();
        for (asset, &id) in chunk.iter().zip(chunk_ids) {
            rows.extend([
                Bind::Int(id),
                Bind::Text(asset.name.clone()),
                Bind::Text(asset.description.clone()),
                Bind::Text(asset.category.as_str().to_owned()),
                Bind::Text(asset.form.as_str().to_owned()),
                Bind::Text(asset.holder_type.as_str().to_owned()),
                Bind::MaybeInt(asset.holder_id),
                Bind::MaybeText(asset.managing_role.map(|r| r.as_str().to_owned())),
                Bind::Text(asset.location.clone()),
                Bind::Text(asset.segment.as_str().to_owned()),
                Bind::Int(asset.confidentiality),
                Bind::Int(asset.integrity),
                Bind::Int(asset.availability),
                Bind::Int(i64::from(is_restricted(scheme, asset.confidentiality))),
                Bind::MaybeText(asset.retention.map(Retention::code)),
                Bind::MaybeText(date_text(asset.disposal_due)),
                Bind::Text(asset.status.as_str().to_owned()),
                Bind::Text(asset.notes.clone()),
                Bind::Text(search_text(asset)),
                Bind::MaybeInt(tx.actor.user_id),
                Bind::Text(now.clone()),
                Bind::Text(now.clone()),
            ]);
            history.extend([
                Bind::Int(id),
                Bind::Int(asset.confidentiality),
                Bind::Int(asset.integrity),
                Bind::Int(asset.availability),
                Bind::Text(String::new()),
                Bind::MaybeInt(tx.actor.user_id),
                Bind::Text(now.clone()),
            ]);
            tags.extend(asset.tags.iter().map(|t| (id, t.clone())));
            clauses.extend(asset.clauses.iter().map(|c| (id, c.clone())));
        }
        let sql = multi_insert(
            "assets",
            "id, name, description, category, form, holder_type, holder_id, managing_role, \
             location, segment, confidentiality_id, integrity_id, availability_id, restricted, \
             retention, disposal_due, status, notes, search_grams, created_by, created_at, \
             updated_at",
            22,
            chunk.len(),
        );
        bind_all(sqlx::query(AssertSqlSafe(sql)), rows)
            .execute(&mut *tx.tx)
            .await?;
        let sql = multi_insert(
            "asset_classifications",
            "asset_id, confidentiality_id, integrity_id, availability_id, reason, changed_by, \
             changed_at",
            7,
            chunk.len(),
        );
        bind_all(sqlx::query(AssertSqlSafe(sql)), history)
            .execute(&mut *tx.tx)
            .await?;
        for (table, columns, pairs) in [
            ("asset_tags", "asset_id, tag", tags),
            ("asset_clauses", "asset_id, clause_ref", clauses),
        ] {
            for batch in pairs.chunks(IMPORT_BATCH * 4) {
                let sql = multi_insert(table, columns, 2, batch.len());
                let binds: Vec<Bind> = batch
                    .iter()
                    .flat_map(|(id, value)| [Bind::Int(*id), Bind::Text(value.clone())])
                    .collect();
                bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
                    .execute(&mut *tx.tx)
                    .await?;
            }
        }
    }
    if tx.backend == Backend::Postgres && !ids.is_empty() {
        // The identity sequence must move past the ids given here.
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('assets', 'id'), (SELECT MAX(id) FROM assets))",
        )
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.audit(
        AuditEntry::new("asset.import", "asset")
            .change("source", None::<&str>, source)
            .change("sha256", None::<&str>, source_sha256)
            .change("count", None::<usize>, ids.len())
            .change("first_id", None::<i64>, ids.first())
            .change("last_id", None::<i64>, ids.last()),
    )
    .await?;
    Ok(ids)
}

/// Saves a changed asset. A change of classification is kept in the asset's history
/// with `reason`; the caller has made sure a reason was given (see
/// `mamori_domain::asset::check_change`).
pub async fn update(
    tx: &mut WriteTx,
    id: i64,
    asset: &Asset,
    scheme: &Scheme,
    reason: &str,
) -> Result<()> {
    let before = get_in(&mut tx.tx, tx.backend, Viewer::everything(), id).await?;
    let old = before.as_asset();
    let now = crate::now_text();
    sqlx::query(
        "UPDATE assets SET name = $1, description = $2, category = $3, form = $4, \
         holder_type = $5, holder_id = $6, managing_role = $7, location = $8, segment = $9, \
         confidentiality_id = $10, integrity_id = $11, availability_id = $12, restricted = $13, \
         retention = $14, disposal_due = $15, status = $16, notes = $17, search_grams = $18, \
         updated_at = $19 WHERE id = $20",
    )
    .bind(asset.name.clone())
    .bind(asset.description.clone())
    .bind(asset.category.as_str())
    .bind(asset.form.as_str())
    .bind(asset.holder_type.as_str())
    .bind(asset.holder_id)
    .bind(asset.managing_role.map(OrgRole::as_str))
    .bind(asset.location.clone())
    .bind(asset.segment.as_str())
    .bind(asset.confidentiality)
    .bind(asset.integrity)
    .bind(asset.availability)
    .bind(i64::from(is_restricted(scheme, asset.confidentiality)))
    .bind(asset.retention.map(Retention::code))
    .bind(date_text(asset.disposal_due))
    .bind(asset.status.as_str())
    .bind(asset.notes.clone())
    .bind(search_text(asset))
    .bind(now.clone())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    for table in ["asset_tags", "asset_clauses"] {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE asset_id = $1"
        )))
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    }
    write_lists(tx, id, asset).await?;
    let restricted = before.restricted || is_restricted(scheme, asset.confidentiality);
    let mut entry = AuditEntry::new("asset.update", "asset").target(id);
    let levels = |a: &Asset| [a.confidentiality, a.integrity, a.availability];
    if levels(&old) != levels(asset) {
        record_classification(tx, id, asset, reason, &now).await?;
        entry = AuditEntry::new("asset.classify", "asset")
            .target(id)
            .change("classification", levels(&old), levels(asset))
            .change("reason", None::<&str>, reason);
    }
    let mut changed = Vec::new();
    macro_rules! compare {
        ($($field:ident),+) => {
            $(if old.$field != asset.$field { changed.push(stringify!($field)); })+
        };
    }
    compare!(
        name,
        description,
        category,
        form,
        holder_type,
        holder_id,
        managing_role,
        location,
        segment,
        retention,
        disposal_due,
        status,
        tags,
        notes,
        clauses
    );
    if restricted {
        entry = entry.change("fields", None::<&str>, changed);
    } else {
        for field in changed {
            let (before_value, after_value) = field_values(&old, asset, field);
            entry = entry.change(field, before_value, after_value);
        }
    }
    tx.audit(entry).await
}

fn field_values(old: &Asset, new: &Asset, field: &str) -> (serde_json::Value, serde_json::Value) {
    let old = serde_json::to_value(old).unwrap_or_default();
    let new = serde_json::to_value(new).unwrap_or_default();
    (old[field].clone(), new[field].clone())
}

/// One classification an asset had.
#[derive(Debug, Clone, Serialize)]
pub struct ClassificationRecord {
    pub confidentiality_id: i64,
    pub integrity_id: i64,
    pub availability_id: i64,
    pub reason: String,
    pub changed_by: Option<String>,
    pub changed_at: String,
}

/// The classification history of an asset the caller may see, newest first.
pub async fn classifications(store: &Store, asset_id: i64) -> Result<Vec<ClassificationRecord>> {
    let rows = sqlx::query(
        "SELECT c.confidentiality_id, c.integrity_id, c.availability_id, c.reason, \
         u.display_name, c.changed_at FROM asset_classifications c \
         LEFT JOIN users u ON u.id = c.changed_by WHERE c.asset_id = $1 ORDER BY c.id DESC",
    )
    .bind(asset_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ClassificationRecord {
                confidentiality_id: row.try_get(0)?,
                integrity_id: row.try_get(1)?,
                availability_id: row.try_get(2)?,
                reason: row.try_get(3)?,
                changed_by: row.try_get(4)?,
                changed_at: row.try_get(5)?,
            })
        })
        .collect()
}

/// A lifecycle record to add.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub occurred_on: Date,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: Option<Date>,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    pub id: i64,
    pub asset_id: i64,
    pub kind: EventKind,
    pub occurred_on: String,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: Option<String>,
    pub notes: String,
    pub approval: Approval,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub recorded_by_id: Option<i64>,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
}

const EVENT_COLUMNS: &str = "e.id, e.asset_id, e.kind, e.occurred_on, e.person, \
     e.counterparty, e.method, e.witness, e.due_back, e.notes, e.approval, \
     d.display_name AS decided_by, e.decided_at, e.decision_note, e.recorded_by AS recorded_by_id, \
     r.display_name AS recorded_by, e.recorded_at";
const EVENT_FROM: &str = "FROM asset_events e LEFT JOIN users d ON d.id = e.decided_by \
     LEFT JOIN users r ON r.id = e.recorded_by";

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<EventRecord> {
    let kind: String = row.try_get("kind")?;
    let approval: String = row.try_get("approval")?;
    Ok(EventRecord {
        id: row.try_get("id")?,
        asset_id: row.try_get("asset_id")?,
        kind: EventKind::parse(&kind).unwrap_or(EventKind::Transfer),
        occurred_on: row.try_get("occurred_on")?,
        person: row.try_get("person")?,
        counterparty: row.try_get("counterparty")?,
        method: row.try_get("method")?,
        witness: row.try_get("witness")?,
        due_back: row.try_get("due_back")?,
        notes: row.try_get("notes")?,
        approval: Approval::parse(&approval).unwrap_or(Approval::NotRequired),
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        decision_note: row.try_get("decision_note")?,
        recorded_by_id: row.try_get("recorded_by_id")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Adds a lifecycle record. A disposal marks the asset disposed; it stays in the register.
pub async fn record_event(
    tx: &mut WriteTx,
    asset_id: i64,
    event: &NewEvent,
    approval: Approval,
) -> Result<i64> {
    let now = crate::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO asset_events (asset_id, kind, occurred_on, person, counterparty, method, \
         witness, due_back, notes, approval, decision_note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12) RETURNING id",
    )
    .bind(asset_id)
    .bind(event.kind.as_str())
    .bind(event.occurred_on.to_string())
    .bind(event.person.clone())
    .bind(event.counterparty.clone())
    .bind(event.method.clone())
    .bind(event.witness.clone())
    .bind(date_text(event.due_back))
    .bind(event.notes.clone())
    .bind(approval.as_str())
    .bind(tx.actor.user_id)
    .bind(now.clone())
    .fetch_one(&mut *tx.tx)
    .await?;
    let mut entry = AuditEntry::new("asset.event", "asset")
        .target(asset_id)
        .change("event_id", None::<i64>, id)
        .change("kind", None::<&str>, event.kind.as_str())
        .change("occurred_on", None::<String>, event.occurred_on.to_string())
        .change("approval", None::<&str>, approval.as_str());
    if event.kind == EventKind::Disposal {
        sqlx::query("UPDATE assets SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(Status::Disposed.as_str())
            .bind(now)
            .bind(asset_id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry
            .change("status", None::<&str>, Status::Disposed.as_str())
            .change("method", None::<&str>, &event.method)
            .change("witness", None::<&str>, &event.witness);
    }
    tx.audit(entry).await?;
    Ok(id)
}

pub async fn event(store: &Store, id: i64) -> Result<EventRecord> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    event_from_row(&row)
}

pub async fn events(store: &Store, asset_id: i64) -> Result<Vec<EventRecord>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.asset_id = $1 ORDER BY e.occurred_on DESC, e.id DESC"
    )))
    .bind(asset_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// Take-outs waiting for approval, on assets the viewer may see.
pub async fn pending_approvals(
    store: &Store,
    viewer: Viewer,
) -> Result<Vec<(EventRecord, String)>> {
    let mut c = Conditions::new(store.backend(), viewer, &Filter::default());
    c.push_sql("e.approval = 'pending'");
    let sql = format!(
        "SELECT a.name AS asset_name, {EVENT_COLUMNS} {EVENT_FROM} \
         JOIN assets a ON a.id = e.asset_id{} ORDER BY e.id",
        c.sql
    );
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| Ok((event_from_row(row)?, row.try_get("asset_name")?)))
        .collect()
}

/// Approves or rejects a pending take-out.
pub async fn decide(tx: &mut WriteTx, event_id: i64, approve: bool, note: &str) -> Result<()> {
    let approval = if approve {
        Approval::Approved
    } else {
        Approval::Rejected
    };
    let asset_id: Option<i64> = sqlx::query_scalar(
        "UPDATE asset_events SET approval = $1, decided_by = $2, decided_at = $3, \
         decision_note = $4 WHERE id = $5 AND approval = 'pending' RETURNING asset_id",
    )
    .bind(approval.as_str())
    .bind(tx.actor.user_id)
    .bind(crate::now_text())
    .bind(note.to_owned())
    .bind(event_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let asset_id = asset_id.ok_or(StoreError::NotFound)?;
    tx.audit(
        AuditEntry::new("asset.event_decide", "asset")
            .target(asset_id)
            .change("event_id", None::<i64>, event_id)
            .change("approval", Approval::Pending.as_str(), approval.as_str())
            .change("note", None::<&str>, note),
    )
    .await
}

/// Records that the register (or part of it) left mamori as a file.
pub async fn record_export(
    tx: &mut WriteTx,
    format: &str,
    count: u64,
    filter: &Filter,
) -> Result<()> {
    tx.audit(
        AuditEntry::new("asset.export", "asset")
            .change("format", None::<&str>, format)
            .change("count", None::<u64>, count)
            .change("filter", None::<&Filter>, filter),
    )
    .await
}
