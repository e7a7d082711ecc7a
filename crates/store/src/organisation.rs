//! The organisation register as stored: bodies, posts and the terms of their holders
//! (`mamori_domain::organisation`), and people's contact details. The posts a person
//! holds on a day, and so their grants, are read from the terms here.

use mamori_domain::organisation::{BodyKind, Contact, HeldTerm, TermInput};
use mamori_domain::user::OrgRole;
use sqlx::{AssertSqlSafe, Row};
use time::Date;

use crate::sql::{Bind, bind_all};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date, now_text,
};

/// The one definition of "a term in force on a day" for SQL: the term `alias` (of
/// `post_terms`) has begun by `day` (a bound parameter such as `$1`) and not ended
/// before it (`ends_on` is inclusive; none is open-ended).
pub(crate) fn in_force(alias: &str, day: &str) -> String {
    format!("{alias}.starts_on <= {day} AND ({alias}.ends_on IS NULL OR {alias}.ends_on >= {day})")
}

/// The terms in force on the day bound as `$1`, as (holder, role code) for posts with a
/// role: what "holds a post on a day" means for SQL that filters by it.
pub(crate) fn roles_held_on() -> String {
    format!(
        "SELECT t.holder_id, p.role_code FROM post_terms t \
         JOIN org_posts p ON p.id = t.post_id \
         WHERE p.role_code IS NOT NULL AND {}",
        in_force("t", "$1")
    )
}

/// A body posts belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub id: i64,
    /// Set for the bodies mamori ships (their names come from the page's language).
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: BodyKind,
    pub call_order: i64,
}

/// A post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: i64,
    /// The role whose grants the post carries, and whose name it takes.
    pub role: Option<OrgRole>,
    /// The assembly's own name for a post it added.
    pub name: Option<String>,
    pub body_id: Option<i64>,
    pub single_holder: bool,
    pub call_order: i64,
}

/// A term of a post's holder, with the names it mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: i64,
    pub post_id: i64,
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_active: bool,
    pub deputy_id: Option<i64>,
    pub deputy_name: Option<String>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub note: String,
}

/// A person's contact details and the day their service began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub reading: Option<String>,
    pub mail: Option<String>,
    pub active: bool,
    pub starts_on: Option<Date>,
    pub contact: Contact,
}

pub async fn bodies(store: &Store) -> Result<Vec<Body>> {
    let rows = sqlx::query(
        "SELECT id, code, name, kind, call_order FROM org_bodies \
         WHERE retired_at IS NULL ORDER BY call_order, id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            Ok(Body {
                id,
                code: row.try_get("code")?,
                name: row.try_get("name")?,
                kind: decode("org_bodies", id, "kind", &kind, BodyKind::parse)?,
                call_order: row.try_get("call_order")?,
            })
        })
        .collect()
}

fn post_from_row(row: &sqlx::any::AnyRow) -> Result<Post> {
    let id: i64 = row.try_get("id")?;
    let role: Option<String> = row.try_get("role_code")?;
    Ok(Post {
        id,
        role: role
            .map(|r| decode("org_posts", id, "role_code", &r, OrgRole::parse))
            .transpose()?,
        name: row.try_get("name")?,
        body_id: row.try_get("body_id")?,
        single_holder: row.try_get::<i64, _>("single_holder")? != 0,
        call_order: row.try_get("call_order")?,
    })
}

const POST_COLUMNS: &str = "id, role_code, name, body_id, single_holder, call_order";

/// Every post in use, in the order of calling.
pub async fn posts(store: &Store) -> Result<Vec<Post>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {POST_COLUMNS} FROM org_posts WHERE retired_at IS NULL ORDER BY call_order, id"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(post_from_row).collect()
}

pub async fn post(store: &Store, id: i64) -> Result<Post> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {POST_COLUMNS} FROM org_posts WHERE id = $1 AND retired_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    post_from_row(&row)
}

/// The post that carries `role`.
pub async fn post_of_role(store: &Store, role: OrgRole) -> Result<Post> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {POST_COLUMNS} FROM org_posts WHERE role_code = $1"
    )))
    .bind(role.as_str())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    post_from_row(&row)
}

/// Adds a post of the assembly's own, last in its body's order of calling.
pub async fn add_post(
    tx: &mut WriteTx,
    name: &str,
    body_id: Option<i64>,
    single_holder: bool,
) -> Result<i64> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(call_order) FROM org_posts")
        .fetch_one(&mut *tx.tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO org_posts (role_code, name, body_id, single_holder, call_order, created_at) \
         VALUES (NULL, $1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(body_id)
    .bind(i64::from(single_holder))
    .bind(last.unwrap_or(0) + 10)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("organisation.post_add", "org_post")
            .target(id)
            .change("name", None::<&str>, name)
            .change("body_id", None::<i64>, body_id)
            .change("single_holder", None::<bool>, single_holder),
    )
    .await?;
    Ok(id)
}

const TERM_SELECT: &str = "SELECT t.id, t.post_id, t.holder_id, h.display_name AS holder_name, \
     h.active AS holder_active, t.deputy_id, d.display_name AS deputy_name, t.starts_on, \
     t.ends_on, t.note FROM post_terms t JOIN users h ON h.id = t.holder_id \
     LEFT JOIN users d ON d.id = t.deputy_id";

fn term_from_row(row: &sqlx::any::AnyRow) -> Result<Term> {
    let id: i64 = row.try_get("id")?;
    let starts_on: String = row.try_get("starts_on")?;
    let ends_on: Option<String> = row.try_get("ends_on")?;
    Ok(Term {
        id,
        post_id: row.try_get("post_id")?,
        holder_id: row.try_get("holder_id")?,
        holder_name: row.try_get("holder_name")?,
        holder_active: row.try_get::<i64, _>("holder_active")? != 0,
        deputy_id: row.try_get("deputy_id")?,
        deputy_name: row.try_get("deputy_name")?,
        starts_on: decode_date("post_terms", id, "starts_on", &starts_on)?,
        ends_on: ends_on
            .map(|e| decode_date("post_terms", id, "ends_on", &e))
            .transpose()?,
        note: row.try_get("note")?,
    })
}

async fn select_terms(store: &Store, condition: &str, binds: Vec<Bind>) -> Result<Vec<Term>> {
    let sql = format!("{TERM_SELECT} {condition} ORDER BY t.post_id, t.starts_on, t.id");
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(term_from_row).collect()
}

/// The terms in force on `day`, every post's.
pub async fn terms_on(store: &Store, day: Date) -> Result<Vec<Term>> {
    select_terms(
        store,
        &format!("WHERE {}", in_force("t", "$1")),
        vec![Bind::Text(date_text(day))],
    )
    .await
}

/// Every term of one post, earliest first: its history.
pub async fn terms_of_post(store: &Store, post_id: i64) -> Result<Vec<Term>> {
    select_terms(store, "WHERE t.post_id = $1", vec![Bind::Int(post_id)]).await
}

pub async fn term(store: &Store, id: i64) -> Result<Term> {
    select_terms(store, "WHERE t.id = $1", vec![Bind::Int(id)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The terms of a post as read inside a write, so that two people giving a post at the
/// same moment are checked one after the other.
pub async fn held_terms(tx: &mut WriteTx, post_id: i64) -> Result<Vec<HeldTerm>> {
    let rows = sqlx::query(
        "SELECT id, holder_id, starts_on, ends_on FROM post_terms WHERE post_id = $1 ORDER BY id",
    )
    .bind(post_id)
    .fetch_all(&mut *tx.tx)
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let starts_on: String = row.try_get("starts_on")?;
            let ends_on: Option<String> = row.try_get("ends_on")?;
            Ok(HeldTerm {
                id,
                holder_id: row.try_get("holder_id")?,
                starts_on: decode_date("post_terms", id, "starts_on", &starts_on)?,
                ends_on: ends_on
                    .map(|e| decode_date("post_terms", id, "ends_on", &e))
                    .transpose()?,
            })
        })
        .collect()
}

/// Records a term of `post_id`.
pub async fn add_term(tx: &mut WriteTx, post_id: i64, input: &TermInput) -> Result<i64> {
    let id = insert_term(tx, post_id, input).await?;
    tx.audit(
        AuditEntry::new("organisation.term_add", "post_term")
            .target(id)
            .change("post_id", None::<i64>, post_id)
            .change("holder_id", None::<i64>, input.holder_id)
            .change("deputy_id", None::<i64>, input.deputy_id)
            .change("starts_on", None::<String>, date_text(input.starts_on))
            .change("ends_on", None::<String>, input.ends_on.map(date_text))
            .change("note", None::<&str>, input.note.as_str()),
    )
    .await?;
    Ok(id)
}

/// Writes a term; the caller writes its audit entry (a term of its own, or a change of
/// a person's posts from the users page).
pub(crate) async fn insert_term(tx: &mut WriteTx, post_id: i64, input: &TermInput) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO post_terms (post_id, holder_id, deputy_id, starts_on, ends_on, note, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(post_id)
    .bind(input.holder_id)
    .bind(input.deputy_id)
    .bind(date_text(input.starts_on))
    .bind(input.ends_on.map(date_text))
    .bind(&input.note)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?)
}

/// Ends a term on `ends_on` (its last day), or changes its deputy; `None` leaves a field.
pub async fn change_term(
    tx: &mut WriteTx,
    before: &Term,
    ends_on: Option<Date>,
    deputy_id: Option<Option<i64>>,
) -> Result<()> {
    let mut entry = AuditEntry::new("organisation.term_change", "post_term").target(before.id);
    if let Some(end) = ends_on {
        entry = entry.change(
            "ends_on",
            before.ends_on.map(date_text),
            Some(date_text(end)),
        );
    }
    if let Some(deputy) = deputy_id {
        entry = entry.change("deputy_id", before.deputy_id, deputy);
    }
    sqlx::query(
        "UPDATE post_terms SET ends_on = COALESCE($1, ends_on), \
         deputy_id = CASE WHEN $2 = 1 THEN $3 ELSE deputy_id END, updated_at = $4 WHERE id = $5",
    )
    .bind(ends_on.map(date_text))
    .bind(i64::from(deputy_id.is_some()))
    .bind(deputy_id.flatten())
    .bind(now_text())
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(entry).await
}

/// The roles `user_id` holds on `day`.
pub async fn roles_on(store: &Store, user_id: i64, day: Date) -> Result<Vec<OrgRole>> {
    let names: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT DISTINCT h.role_code FROM ({}) h WHERE h.holder_id = $2 \
         ORDER BY h.role_code",
        roles_held_on()
    )))
    .bind(date_text(day))
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    let mut roles = names
        .iter()
        .map(|n| decode("org_posts", user_id, "role_code", n, OrgRole::parse))
        .collect::<Result<Vec<_>>>()?;
    roles.sort();
    Ok(roles)
}

/// Every person (active first, in 五十音順) with their contact details.
pub async fn people(store: &Store) -> Result<Vec<Person>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, display_name, reading, mail, active, starts_on, phone, extension, mobile \
         FROM users ORDER BY active DESC, {}",
        crate::users::PERSON_ORDER
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let starts_on: Option<String> = row.try_get("starts_on")?;
            Ok(Person {
                id,
                name: row.try_get("display_name")?,
                reading: row.try_get("reading")?,
                mail: row.try_get("mail")?,
                active: row.try_get::<i64, _>("active")? != 0,
                starts_on: starts_on
                    .map(|d| decode_date("users", id, "starts_on", &d))
                    .transpose()?,
                contact: Contact {
                    phone: row.try_get("phone")?,
                    extension: row.try_get("extension")?,
                    mobile: row.try_get("mobile")?,
                },
            })
        })
        .collect()
}

/// Sets a person's contact details and start date, recording what changed.
pub async fn set_contact(
    tx: &mut WriteTx,
    before: &Person,
    contact: &Contact,
    starts_on: Date,
) -> Result<()> {
    let mut entry = AuditEntry::new("organisation.contact", "user").target(before.id);
    let mut changed = false;
    for (field, old, new) in [
        ("phone", &before.contact.phone, &contact.phone),
        ("extension", &before.contact.extension, &contact.extension),
        ("mobile", &before.contact.mobile, &contact.mobile),
    ] {
        if old != new {
            entry = entry.change(field, old, new);
            changed = true;
        }
    }
    if before.starts_on != Some(starts_on) {
        entry = entry.change(
            "starts_on",
            before.starts_on.map(date_text),
            date_text(starts_on),
        );
        changed = true;
    }
    if !changed {
        return Ok(());
    }
    sqlx::query(
        "UPDATE users SET phone = $1, extension = $2, mobile = $3, starts_on = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(&contact.phone)
    .bind(&contact.extension)
    .bind(&contact.mobile)
    .bind(date_text(starts_on))
    .bind(now_text())
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(entry).await
}
