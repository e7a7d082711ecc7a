//! Corrective actions (改善措置) of every register: what must be done, by whom, by when,
//! and where it stands; the record each came from (a risk now, an incident or an audit
//! finding later).

use mamori_domain::calendar::DayCount;
use mamori_domain::corrective::{ActionStatus, NewAction, StatusChange};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::review::Assignee;
use mamori_domain::user::OrgRole;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::reviews::{corrupt, opt_date};
use crate::sql::{Bind, Conditions};
use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date,
    decode_timestamp, now_text,
};

const T: &str = "corrective_actions";

/// One corrective action as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CorrectiveAction {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// None only for risk actions recorded before owners were required.
    pub owner: Option<Assignee>,
    pub owner_name: Option<String>,
    pub due_on: Date,
    pub due_kind: DayCount,
    pub due_days: Option<u32>,
    pub status: ActionStatus,
    pub done_on: Option<Date>,
    /// The completion note, or the reason it was cancelled.
    pub closing_note: String,
    pub source: Option<RecordRef>,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "a.id, a.title, a.description, a.owner_post, a.owner_id, \
     u.display_name AS owner_name, a.due_on, a.due_kind, a.due_days, a.status, a.done_on, \
     a.closing_note, a.source_kind, a.source_id, a.created_by, a.created_at, a.updated_at \
     FROM corrective_actions a LEFT JOIN users u ON u.id = a.owner_id";

fn from_row(row: &AnyRow) -> Result<CorrectiveAction> {
    let id: i64 = row.try_get("id")?;
    let post: Option<String> = row.try_get("owner_post")?;
    let user: Option<i64> = row.try_get("owner_id")?;
    let owner = match (post, user) {
        (None, None) => None,
        (Some(p), None) => Some(Assignee::Post(decode(
            T,
            id,
            "owner_post",
            &p,
            OrgRole::parse,
        )?)),
        (None, Some(u)) => Some(Assignee::User(u)),
        (p, u) => return Err(corrupt(T, id, "owner_post", &format!("{p:?} / {u:?}"))),
    };
    let due_on: String = row.try_get("due_on")?;
    let due_kind: String = row.try_get("due_kind")?;
    let due_days: Option<i64> = row.try_get("due_days")?;
    let status: String = row.try_get("status")?;
    let source_kind: Option<String> = row.try_get("source_kind")?;
    let source_id: Option<i64> = row.try_get("source_id")?;
    let source = match (source_kind, source_id) {
        (None, None) => None,
        (Some(kind), Some(sid)) => Some(RecordRef {
            kind: decode(T, id, "source_kind", &kind, RecordKind::parse)?,
            id: sid,
        }),
        (k, s) => return Err(corrupt(T, id, "source_kind", &format!("{k:?} / {s:?}"))),
    };
    let created: String = row.try_get("created_at")?;
    let updated: String = row.try_get("updated_at")?;
    Ok(CorrectiveAction {
        id,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        owner,
        owner_name: row.try_get("owner_name")?,
        due_on: decode_date(T, id, "due_on", &due_on)?,
        due_kind: decode(T, id, "due_kind", &due_kind, DayCount::parse)?,
        due_days: due_days
            .map(|d| u32::try_from(d).map_err(|_| corrupt(T, id, "due_days", &d.to_string())))
            .transpose()?,
        status: decode(T, id, "status", &status, ActionStatus::parse)?,
        done_on: opt_date(id, T, "done_on", row)?,
        closing_note: row.try_get("closing_note")?,
        source,
        created_by: row.try_get("created_by")?,
        created_at: decode_timestamp(T, id, "created_at", &created)?,
        updated_at: decode_timestamp(T, id, "updated_at", &updated)?,
    })
}

/// Which actions a list shows.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub status: Option<ActionStatus>,
    /// Only those still to be done whose due date is before this day.
    pub overdue_on: Option<Date>,
    /// Only those owned by this person, or by one of these posts.
    pub owned_by: Option<(i64, Vec<OrgRole>)>,
    pub source: Option<RecordRef>,
}

impl ActionFilter {
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::new();
        if let Some(status) = self.status {
            c.push("a.status = ?", Bind::Text(status.as_str().into()));
        }
        if let Some(day) = self.overdue_on {
            c.push_sql("a.status IN ('open', 'in_progress')");
            c.push("a.due_on < ?", Bind::Text(date_text(day)));
        }
        if let Some((user, posts)) = &self.owned_by {
            let mut alternatives = vec![format!("a.owner_id = ${}", c.binds.len() + 1)];
            c.binds.push(Bind::Int(*user));
            for post in posts {
                c.binds.push(Bind::Text(post.as_str().into()));
                alternatives.push(format!("a.owner_post = ${}", c.binds.len()));
            }
            c.push_sql(&format!("({})", alternatives.join(" OR ")));
        }
        if let Some(source) = self.source {
            c.push("a.source_kind = ?", Bind::Text(source.kind.as_str().into()));
            c.push("a.source_id = ?", Bind::Int(source.id));
        }
        c
    }
}

/// The actions `filter` selects, by due date.
pub async fn list(store: &Store, filter: &ActionFilter) -> Result<Vec<CorrectiveAction>> {
    let c = filter.conditions();
    let sql = format!("SELECT {COLUMNS}{} ORDER BY a.due_on, a.id", c.sql);
    let rows = c
        .bind(sqlx::query(AssertSqlSafe(sql)))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(store: &Store, id: i64) -> Result<CorrectiveAction> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// A row to insert.
struct Insert<'a> {
    title: &'a str,
    description: &'a str,
    post: Option<&'static str>,
    user: Option<i64>,
    due_on: Date,
    due_kind: DayCount,
    due_days: Option<u32>,
    source: Option<RecordRef>,
}

/// Stores a new action; the caller writes the audit entry. Its id.
pub(crate) async fn insert(
    tx: &mut WriteTx,
    action: &NewAction,
    source: Option<RecordRef>,
) -> Result<i64> {
    let (post, user) = match action.owner {
        Assignee::Post(p) => (Some(p.as_str()), None),
        Assignee::User(u) => (None, Some(u)),
    };
    insert_row(
        tx,
        Insert {
            title: &action.title,
            description: &action.description,
            post,
            user,
            due_on: action.due_on,
            due_kind: action.due_kind,
            due_days: action.due_days,
            source,
        },
    )
    .await
}

/// Stores a risk action (a title and a due date), whose owner may be nobody yet.
pub(crate) async fn insert_risk_action(
    tx: &mut WriteTx,
    title: &str,
    owner: Option<i64>,
    due_on: Date,
    risk_id: i64,
) -> Result<i64> {
    insert_row(
        tx,
        Insert {
            title,
            description: "",
            post: None,
            user: owner,
            due_on,
            due_kind: DayCount::Calendar,
            due_days: None,
            source: Some(RecordRef::new(RecordKind::Risk, risk_id)),
        },
    )
    .await
}

async fn insert_row(tx: &mut WriteTx, row: Insert<'_>) -> Result<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO corrective_actions (title, description, owner_post, owner_id, due_on, due_kind, \
         due_days, status, done_on, closing_note, source_kind, source_id, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', NULL, '', $8, $9, $10, $11, $11) \
         RETURNING id",
    )
    .bind(row.title.to_owned())
    .bind(row.description.to_owned())
    .bind(row.post)
    .bind(row.user)
    .bind(date_text(row.due_on))
    .bind(row.due_kind.as_str())
    .bind(row.due_days.map(i64::from))
    .bind(row.source.map(|s| s.kind.as_str()))
    .bind(row.source.map(|s| s.id))
    .bind(tx.actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(id)
}

/// Records a new action of the register (from `source`, if any); its id.
pub async fn create(
    tx: &mut WriteTx,
    action: &NewAction,
    source: Option<RecordRef>,
) -> Result<i64> {
    let id = insert(tx, action, source).await?;
    tx.audit(
        AuditEntry::new("action.create", RecordKind::CorrectiveAction.as_str())
            .target(id)
            .change("title", None::<&str>, &action.title)
            .change("owner", None::<&str>, action.owner.code())
            .change("due_on", None::<&str>, date_text(action.due_on))
            .change("due_kind", None::<&str>, action.due_kind.as_str())
            .change(
                "source",
                None::<String>,
                source.map(|s| format!("{}:{}", s.kind.as_str(), s.id)),
            ),
    )
    .await?;
    Ok(id)
}

/// Applies a change of status to an action that is `from`; `NotFound` when it no longer
/// is (someone changed it meanwhile). The caller writes the audit entry.
pub(crate) async fn apply_change(
    tx: &mut WriteTx,
    id: i64,
    from: ActionStatus,
    change: &StatusChange,
) -> Result<()> {
    let (done_on, note) = match change {
        StatusChange::Start => (None, String::new()),
        StatusChange::Done { on, note } => (Some(date_text(*on)), note.clone()),
        StatusChange::Cancel { reason } => (None, reason.clone()),
    };
    let done = sqlx::query(
        "UPDATE corrective_actions SET status = $1, done_on = $2, closing_note = $3, updated_at = $4 \
         WHERE id = $5 AND status = $6",
    )
    .bind(change.status().as_str())
    .bind(done_on)
    .bind(note)
    .bind(now_text())
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Changes the status of action `id` from `from`.
pub async fn change_status(
    tx: &mut WriteTx,
    id: i64,
    from: ActionStatus,
    change: &StatusChange,
) -> Result<()> {
    apply_change(tx, id, from, change).await?;
    let mut entry = AuditEntry::new("action.status", RecordKind::CorrectiveAction.as_str())
        .target(id)
        .change("status", from.as_str(), change.status().as_str());
    if let StatusChange::Done { on, .. } = change {
        entry = entry.change("done_on", None::<&str>, date_text(*on));
    }
    tx.audit(entry).await
}
