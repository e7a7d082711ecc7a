//! Term changes (改選) as stored: the change, the people who leave or join, the
//! secretariat's own marks on their checklists, and what the other registers say about
//! those people (posts held, assets held, take-outs not returned, policies not
//! acknowledged), each read for every person of one change in one query.

use mamori_domain::asset::EventKind;
use mamori_domain::term_change::{ChangeInput, ChangeKind, Direction, Item, ItemState};
use mamori_domain::user::{OrgRole, UserType};
use sqlx::Row;
use time::{Date, OffsetDateTime};

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

const TABLE: &str = "term_changes";

/// A change, with how many leave and join.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub id: i64,
    pub kind: ChangeKind,
    pub title: String,
    pub effective_on: Date,
    pub note: String,
    pub carried_out_at: Option<OffsetDateTime>,
    /// Who carried the leaving out; none when the daily sweep did on the day.
    pub carried_out_by_name: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub leaving: i64,
    pub joining: i64,
}

const COLUMNS: &str = "c.id, c.kind, c.title, c.effective_on, c.note, c.carried_out_at, \
     ob.display_name AS carried_out_by_name, cb.display_name AS created_by_name, c.created_at, \
     (SELECT COUNT(*) FROM term_change_people p WHERE p.change_id = c.id \
      AND p.direction = 'leaving') AS leaving, \
     (SELECT COUNT(*) FROM term_change_people p WHERE p.change_id = c.id \
      AND p.direction = 'joining') AS joining \
     FROM term_changes c LEFT JOIN users ob ON ob.id = c.carried_out_by \
     LEFT JOIN users cb ON cb.id = c.created_by";

fn change_from(row: &sqlx::any::AnyRow) -> Result<ChangeRecord> {
    let id: i64 = row.try_get("id")?;
    let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
    let carried: Option<String> = row.try_get("carried_out_at")?;
    Ok(ChangeRecord {
        id,
        kind: decode(TABLE, id, "kind", &text("kind")?, ChangeKind::parse)?,
        title: text("title")?,
        effective_on: decode_date(TABLE, id, "effective_on", &text("effective_on")?)?,
        note: text("note")?,
        carried_out_at: carried
            .map(|v| decode_timestamp(TABLE, id, "carried_out_at", &v))
            .transpose()?,
        carried_out_by_name: row.try_get("carried_out_by_name")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: decode_timestamp(TABLE, id, "created_at", &text("created_at")?)?,
        leaving: row.try_get("leaving")?,
        joining: row.try_get("joining")?,
    })
}

/// Every change, the latest day first.
pub async fn all(store: &Store) -> Result<Vec<ChangeRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY c.effective_on DESC, c.id DESC"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(change_from).collect()
}

pub async fn get(store: &Store, id: i64) -> Result<ChangeRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    change_from(&row)
}

/// The changes whose day has come and whose leaving is not carried out yet.
pub async fn due_to_carry_out(store: &Store, today: Date) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM term_changes WHERE carried_out_at IS NULL AND effective_on <= $1 \
         ORDER BY id",
    )
    .bind(date_text(today))
    .fetch_all(store.pool())
    .await?)
}

pub async fn create(tx: &mut WriteTx, input: &ChangeInput) -> Result<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO term_changes (kind, title, effective_on, note, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(input.kind.as_str())
    .bind(&input.title)
    .bind(date_text(input.effective_on))
    .bind(&input.note)
    .bind(tx.actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("term_change.create", "term_change")
            .target(id)
            .change("kind", None::<&str>, input.kind.as_str())
            .change("title", None::<&str>, input.title.as_str())
            .change(
                "effective_on",
                None::<String>,
                date_text(input.effective_on),
            )
            .change("note", None::<&str>, input.note.as_str()),
    )
    .await?;
    Ok(id)
}

/// Records that the leaving of a change was carried out (the caller ended the terms
/// and closed the accounts in the same write).
pub async fn mark_carried_out(tx: &mut WriteTx, id: i64, people: usize) -> Result<()> {
    let now = now_text();
    sqlx::query(
        "UPDATE term_changes SET carried_out_at = $1, carried_out_by = $2, updated_at = $1 \
         WHERE id = $3",
    )
    .bind(now)
    .bind(tx.actor.user_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("term_change.carry_out", "term_change")
            .target(id)
            .change("people", None::<usize>, people),
    )
    .await
}

/// A person of a change, with their account when they have one.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: i64,
    pub direction: Direction,
    pub user_id: Option<i64>,
    /// The account's name, or the name typed for someone without an account yet.
    pub name: String,
    pub reading: String,
    pub login: Option<String>,
    pub active: bool,
    pub user_type: Option<UserType>,
    pub starts_on: Option<Date>,
}

pub async fn people(store: &Store, change_id: i64) -> Result<Vec<PersonRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.id, p.direction, p.user_id, p.name, p.reading, u.display_name, \
         u.reading AS user_reading, u.login, u.active, u.user_type, u.starts_on \
         FROM term_change_people p LEFT JOIN users u ON u.id = p.user_id \
         WHERE p.change_id = $1 ORDER BY p.direction DESC, {}",
        "COALESCE(u.reading, p.reading), COALESCE(u.display_name, p.name), p.id"
    )))
    .bind(change_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(person_from).collect()
}

fn person_from(row: &sqlx::any::AnyRow) -> Result<PersonRow> {
    const PEOPLE: &str = "term_change_people";
    let id: i64 = row.try_get("id")?;
    let direction: String = row.try_get("direction")?;
    let account_name: Option<String> = row.try_get("display_name")?;
    let account_reading: Option<String> = row.try_get("user_reading")?;
    let user_type: Option<String> = row.try_get("user_type")?;
    let starts_on: Option<String> = row.try_get("starts_on")?;
    let active: Option<i64> = row.try_get("active")?;
    Ok(PersonRow {
        id,
        direction: decode(PEOPLE, id, "direction", &direction, Direction::parse)?,
        user_id: row.try_get("user_id")?,
        name: account_name.unwrap_or(row.try_get("name")?),
        reading: account_reading.unwrap_or(row.try_get("reading")?),
        login: row.try_get("login")?,
        active: active.is_some_and(|a| a != 0),
        user_type: user_type
            .map(|t| decode("users", id, "user_type", &t, UserType::parse))
            .transpose()?,
        starts_on: starts_on
            .map(|d| decode_date("users", id, "starts_on", &d))
            .transpose()?,
    })
}

/// Adds a person; an account already on the change is a conflict.
pub async fn add_person(
    tx: &mut WriteTx,
    change_id: i64,
    direction: Direction,
    user_id: Option<i64>,
    name: &str,
    reading: &str,
) -> Result<i64> {
    if let Some(user_id) = user_id {
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM term_change_people WHERE change_id = $1 AND user_id = $2",
        )
        .bind(change_id)
        .bind(user_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        if taken > 0 {
            return Err(StoreError::Conflict("person"));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO term_change_people (change_id, direction, user_id, name, reading, \
         added_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(change_id)
    .bind(direction.as_str())
    .bind(user_id)
    .bind(name)
    .bind(reading)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("term_change.person_add", "term_change")
            .target(change_id)
            .change("person_id", None::<i64>, id)
            .change("direction", None::<&str>, direction.as_str())
            .change("user_id", None::<i64>, user_id)
            .change("name", None::<&str>, name),
    )
    .await?;
    Ok(id)
}

/// Takes a person off a change, with their marks (kept in the audit trail).
pub async fn remove_person(tx: &mut WriteTx, change_id: i64, person: &PersonRow) -> Result<()> {
    sqlx::query("DELETE FROM term_change_marks WHERE person_id = $1")
        .bind(person.id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM term_change_people WHERE id = $1 AND change_id = $2")
        .bind(person.id)
        .bind(change_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("term_change.person_remove", "term_change")
            .target(change_id)
            .change("person_id", Some(person.id), None::<i64>)
            .change("direction", Some(person.direction.as_str()), None::<&str>)
            .change("user_id", person.user_id, None::<i64>)
            .change("name", Some(person.name.as_str()), None::<&str>),
    )
    .await
}

/// Links the account made for someone joining; an account already on the change is a
/// conflict.
pub async fn link_account(
    tx: &mut WriteTx,
    change_id: i64,
    person_id: i64,
    user_id: i64,
) -> Result<()> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM term_change_people WHERE change_id = $1 AND user_id = $2",
    )
    .bind(change_id)
    .bind(user_id)
    .fetch_one(&mut *tx.tx)
    .await?;
    if taken > 0 {
        return Err(StoreError::Conflict("person"));
    }
    sqlx::query("UPDATE term_change_people SET user_id = $1 WHERE id = $2 AND change_id = $3")
        .bind(user_id)
        .bind(person_id)
        .bind(change_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("term_change.account_link", "term_change")
            .target(change_id)
            .change("person_id", None::<i64>, person_id)
            .change("user_id", None::<i64>, user_id),
    )
    .await
}

/// A mark of the secretariat's on a person's checklist.
#[derive(Debug, Clone)]
pub struct MarkRow {
    pub id: i64,
    pub person_id: i64,
    pub item: Item,
    pub label: String,
    pub state: ItemState,
    pub note: String,
    pub marked_by_name: Option<String>,
    pub marked_at: OffsetDateTime,
}

pub async fn marks(store: &Store, change_id: i64) -> Result<Vec<MarkRow>> {
    const MARKS: &str = "term_change_marks";
    let rows = sqlx::query(
        "SELECT m.id, m.person_id, m.item, m.label, m.state, m.note, m.marked_at, \
         u.display_name AS marked_by_name FROM term_change_marks m \
         JOIN term_change_people p ON p.id = m.person_id \
         LEFT JOIN users u ON u.id = m.marked_by WHERE p.change_id = $1 ORDER BY m.id",
    )
    .bind(change_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let text = |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(name)?) };
            Ok(MarkRow {
                id,
                person_id: row.try_get("person_id")?,
                item: decode(MARKS, id, "item", &text("item")?, Item::parse)?,
                label: text("label")?,
                state: decode(MARKS, id, "state", &text("state")?, ItemState::parse)?,
                note: text("note")?,
                marked_by_name: row.try_get("marked_by_name")?,
                marked_at: decode_timestamp(MARKS, id, "marked_at", &text("marked_at")?)?,
            })
        })
        .collect()
}

/// Adds a mark: a line of the secretariat's own (open) or an item set aside.
pub async fn add_mark(
    tx: &mut WriteTx,
    change_id: i64,
    person_id: i64,
    item: Item,
    label: &str,
    state: ItemState,
    note: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO term_change_marks (person_id, item, label, state, note, marked_by, \
         marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(item.as_str())
    .bind(label)
    .bind(state.as_str())
    .bind(note)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("term_change.mark_add", "term_change")
            .target(change_id)
            .change("mark_id", None::<i64>, id)
            .change("person_id", None::<i64>, person_id)
            .change("item", None::<&str>, item.as_str())
            .change("label", None::<&str>, label)
            .change("state", None::<&str>, state.as_str())
            .change("note", None::<&str>, note),
    )
    .await?;
    Ok(id)
}

/// Changes a mark's state (a line done or open again, a setting-aside withdrawn).
pub async fn set_mark(
    tx: &mut WriteTx,
    change_id: i64,
    before: &MarkRow,
    state: ItemState,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE term_change_marks SET state = $1, note = $2, marked_by = $3, marked_at = $4 \
         WHERE id = $5",
    )
    .bind(state.as_str())
    .bind(note)
    .bind(tx.actor.user_id)
    .bind(now_text())
    .bind(before.id)
    .execute(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("term_change.mark_change", "term_change")
            .target(change_id)
            .change("mark_id", None::<i64>, before.id)
            .change("state", before.state.as_str(), state.as_str())
            .change("note", before.note.as_str(), note),
    )
    .await
}

/// A post (or deputyship) held from a day on by someone of a change.
#[derive(Debug, Clone)]
pub struct HeldPost {
    pub user_id: i64,
    pub term_id: i64,
    pub role: Option<OrgRole>,
    pub post_name: Option<String>,
    pub as_deputy: bool,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// The terms of the change's people that run on `day` or later, as holder or deputy.
pub async fn posts_from(store: &Store, change_id: i64, day: Date) -> Result<Vec<HeldPost>> {
    let rows = sqlx::query(
        "SELECT p.user_id, t.id AS term_id, t.holder_id, t.starts_on, t.ends_on, \
         o.role_code, o.name FROM term_change_people p \
         JOIN post_terms t ON t.holder_id = p.user_id OR t.deputy_id = p.user_id \
         JOIN org_posts o ON o.id = t.post_id \
         WHERE p.change_id = $1 AND (t.ends_on IS NULL OR t.ends_on >= $2) \
         ORDER BY o.call_order, t.id",
    )
    .bind(change_id)
    .bind(date_text(day))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let term_id: i64 = row.try_get("term_id")?;
            let user_id: i64 = row.try_get("user_id")?;
            let holder: i64 = row.try_get("holder_id")?;
            let role: Option<String> = row.try_get("role_code")?;
            let starts_on: String = row.try_get("starts_on")?;
            let ends_on: Option<String> = row.try_get("ends_on")?;
            Ok(HeldPost {
                user_id,
                term_id,
                role: role
                    .map(|r| decode("org_posts", term_id, "role_code", &r, OrgRole::parse))
                    .transpose()?,
                post_name: row.try_get("name")?,
                as_deputy: holder != user_id,
                starts_on: decode_date("post_terms", term_id, "starts_on", &starts_on)?,
                ends_on: ends_on
                    .map(|d| decode_date("post_terms", term_id, "ends_on", &d))
                    .transpose()?,
            })
        })
        .collect()
}

/// An asset in use or kept, held by someone of a change.
#[derive(Debug, Clone)]
pub struct HeldAsset {
    pub user_id: i64,
    pub asset_id: i64,
    pub name: String,
}

pub async fn assets_held(store: &Store, change_id: i64) -> Result<Vec<HeldAsset>> {
    let rows = sqlx::query(
        "SELECT p.user_id, a.id, a.name FROM term_change_people p \
         JOIN assets a ON a.holder_id = p.user_id \
         WHERE p.change_id = $1 AND a.status IN ('in_use', 'archived') ORDER BY a.id",
    )
    .bind(change_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HeldAsset {
                user_id: row.try_get("user_id")?,
                asset_id: row.try_get("id")?,
                name: row.try_get("name")?,
            })
        })
        .collect()
}

/// A take-out (持ち出し) or a lending (貸与) not yet returned.
#[derive(Debug, Clone)]
pub struct OpenTakeOut {
    pub user_id: i64,
    pub asset_id: i64,
    pub asset_name: String,
    pub kind: EventKind,
    pub occurred_on: Date,
    pub due_back: Option<Date>,
}

/// The take-outs and lendings not returned that a person of the change recorded or is
/// named in (as the one taking it out or the one it was lent to, by their name as the
/// account gives it): a record names people as written, so the name is what links them.
pub async fn open_take_outs(store: &Store, change_id: i64) -> Result<Vec<OpenTakeOut>> {
    let rows = sqlx::query(
        "SELECT p.user_id, e.asset_id, a.name AS asset_name, e.kind, e.occurred_on, \
         e.due_back FROM term_change_people p JOIN users u ON u.id = p.user_id \
         JOIN asset_events e ON (e.recorded_by = p.user_id OR e.person = u.display_name \
              OR e.counterparty = u.display_name) \
         JOIN assets a ON a.id = e.asset_id \
         LEFT JOIN approval_requests q ON q.subject_kind = 'asset_takeout' AND q.subject_id = e.id \
         WHERE p.change_id = $1 AND e.kind IN ('take_out', 'lending') \
         AND (q.id IS NULL OR q.state NOT IN ('rejected', 'returned', 'withdrawn')) \
         AND NOT EXISTS (SELECT 1 FROM asset_events r WHERE r.asset_id = e.asset_id \
              AND r.kind = CASE e.kind WHEN 'take_out' THEN 'return' ELSE 'lending_return' END \
              AND (r.occurred_on > e.occurred_on OR (r.occurred_on = e.occurred_on AND r.id > e.id))) \
         ORDER BY e.occurred_on, e.id",
    )
    .bind(change_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let asset_id: i64 = row.try_get("asset_id")?;
            let kind: String = row.try_get("kind")?;
            let occurred_on: String = row.try_get("occurred_on")?;
            let due_back: Option<String> = row.try_get("due_back")?;
            Ok(OpenTakeOut {
                user_id: row.try_get("user_id")?,
                asset_id,
                asset_name: row.try_get("asset_name")?,
                kind: decode("asset_events", asset_id, "kind", &kind, EventKind::parse)?,
                occurred_on: decode_date("asset_events", asset_id, "occurred_on", &occurred_on)?,
                due_back: due_back
                    .map(|d| decode_date("asset_events", asset_id, "due_back", &d))
                    .transpose()?,
            })
        })
        .collect()
}

/// Per person of a change with an account: published pledges and other published
/// documents they have not acknowledged (signed), as (user, pledges, others).
pub async fn unacknowledged(store: &Store, change_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT p.user_id, \
         SUM(CASE WHEN d.kind = 'pledge' THEN 1 ELSE 0 END) AS pledges, \
         SUM(CASE WHEN d.kind = 'pledge' THEN 0 ELSE 1 END) AS others \
         FROM term_change_people p JOIN policy_versions v ON v.status = 'published' \
         JOIN policy_documents d ON d.id = v.document_id \
         WHERE p.change_id = $1 AND p.user_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM policy_acknowledgements k WHERE k.version_id = v.id \
          AND k.user_id = p.user_id) GROUP BY p.user_id",
    )
    .bind(change_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("user_id")?,
                row.try_get("pledges")?,
                row.try_get("others")?,
            ))
        })
        .collect()
}

/// Whether a pledge (誓約書) is published: without one there is nothing to sign.
pub async fn pledge_published(store: &Store) -> Result<bool> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_versions v JOIN policy_documents d \
         ON d.id = v.document_id WHERE d.kind = 'pledge' AND v.status = 'published'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(count > 0)
}
