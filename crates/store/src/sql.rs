//! The store's shared SQL helpers: a WHERE clause built condition by condition with
//! `$N` placeholders numbered in turn (sqlx's `QueryBuilder<Any>` writes `?`, which
//! PostgreSQL refuses), the values bound to them, and multi-row INSERT statements.
//! Every module builds its dynamic queries with these, so that scoping a query (many
//! assemblies, row-level security) is one change here.

use sqlx::any::AnyArguments;
use sqlx::query::Query;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Int(i64),
    Text(String),
    MaybeInt(Option<i64>),
    MaybeText(Option<String>),
}

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments>;

/// Binds `binds` to `query` in order.
pub fn bind_all<'q>(mut query: AnyQuery<'q>, binds: Vec<Bind>) -> AnyQuery<'q> {
    for bind in binds {
        query = bind_one(query, bind);
    }
    query
}

fn bind_one(query: AnyQuery<'_>, bind: Bind) -> AnyQuery<'_> {
    match bind {
        Bind::Int(v) => query.bind(v),
        Bind::Text(v) => query.bind(v),
        Bind::MaybeInt(v) => query.bind(v),
        Bind::MaybeText(v) => query.bind(v),
    }
}

/// A WHERE clause and its parameters, numbered from `$1`.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// Empty, or ` WHERE …` (with a leading space), ready to append to a FROM clause.
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Conditions {
    pub fn new() -> Conditions {
        Conditions::default()
    }

    /// Adds a condition that takes no parameter.
    pub fn push_sql(&mut self, condition: &str) {
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(condition);
    }

    /// Adds a condition with one `?`, which becomes the next `$N`.
    pub fn push(&mut self, condition: &str, bind: Bind) {
        self.binds.push(bind);
        let numbered = condition.replace('?', &format!("${}", self.binds.len()));
        self.push_sql(&numbered);
    }

    /// Adds a condition with one `?` for each value, numbered in turn.
    pub fn push_each(&mut self, condition: &str, binds: Vec<Bind>) {
        let mut numbered = String::with_capacity(condition.len() + 8);
        let mut binds = binds.into_iter();
        for (i, part) in condition.split('?').enumerate() {
            if i > 0 {
                let bind = binds.next().expect("a value for each ?");
                self.binds.push(bind);
                numbered.push_str(&format!("${}", self.binds.len()));
            }
            numbered.push_str(part);
        }
        assert!(binds.next().is_none(), "a ? for each value");
        self.push_sql(&numbered);
    }

    /// The placeholder `offset` places after the conditions' own (`$N+offset`), for a
    /// LIMIT or OFFSET bound after them.
    pub fn next_placeholder(&self, offset: usize) -> String {
        format!("${}", self.binds.len() + offset)
    }

    /// Binds the conditions' values to `query`, in order.
    pub fn bind<'q>(&self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        bind_all(query, self.binds.clone())
    }
}

/// A search on PostgreSQL over a column of normalised text (`mamori_domain::search`,
/// migration 0019): the query's grams through the GIN index of
/// `mamori_search_keys(column)`, then LIKE on the column for consecutive characters.
/// `column` is a column name of ours, never input; a `?` stands for each value.
pub fn pg_search(column: &str, query: &mamori_domain::search::Query) -> (String, Vec<Bind>) {
    let keys = format!("mamori_search_keys({column}) @@ CAST(? AS tsquery)");
    let patterns = query.like_patterns();
    if patterns.is_empty() {
        return (keys, vec![Bind::Text(query.to_tsquery())]);
    }
    // Patterns hold only letters, digits and '%', so '|' can join them.
    (
        format!("{keys} AND {column} LIKE ALL (string_to_array(?, '|'))"),
        vec![
            Bind::Text(query.to_tsquery()),
            Bind::Text(patterns.join("|")),
        ],
    )
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows of `width` parameters.
pub fn multi_insert(table: &str, columns: &str, width: usize, rows: usize) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_turn() {
        let mut c = Conditions::new();
        c.push_sql("a.restricted = 0");
        c.push("a.category = ?", Bind::Text("information".into()));
        c.push("a.id > ?", Bind::Int(5));
        assert_eq!(
            c.sql,
            " WHERE a.restricted = 0 AND a.category = $1 AND a.id > $2"
        );
        assert_eq!(c.next_placeholder(1), "$3");
        c.push_each("x IN (?, ?)", vec![Bind::Int(1), Bind::Int(2)]);
        assert!(c.sql.ends_with(" AND x IN ($3, $4)"));
        assert_eq!(c.binds.len(), 4);
    }

    #[test]
    fn writes_multi_row_inserts() {
        assert_eq!(
            multi_insert("t", "a, b", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
