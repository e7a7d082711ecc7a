//! The office's closed days (national holidays and the assembly's own), for counting
//! working days (開庁日).

use mamori_domain::calendar::{ClosedDay, ClosedKind, CsvHoliday};
use sqlx::Row;
use time::Date;

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, date_text, decode, decode_date, now_text,
};

fn closed_day(row: &sqlx::any::AnyRow) -> Result<ClosedDay> {
    let on: String = row.try_get("on_date")?;
    let kind: String = row.try_get("kind")?;
    Ok(ClosedDay {
        on: decode_date("closed_days", &on, "on_date", &on)?,
        name: row.try_get("name")?,
        kind: decode("closed_days", &on, "kind", &kind, ClosedKind::parse)?,
    })
}

/// Closed days from `from` to `until` (both included), in date order.
pub async fn closed_days(store: &Store, from: Date, until: Date) -> Result<Vec<ClosedDay>> {
    let rows = sqlx::query(
        "SELECT on_date, name, kind FROM closed_days WHERE on_date >= $1 AND on_date <= $2 \
         ORDER BY on_date",
    )
    .bind(date_text(from))
    .bind(date_text(until))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(closed_day).collect()
}

/// The years that have closed days recorded, newest first.
pub async fn years(store: &Store) -> Result<Vec<i32>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT substr(on_date, 1, 4) FROM closed_days ORDER BY 1 DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|y| decode("closed_days", y, "on_date", y, |t| t.parse().ok()))
        .collect()
}

/// Adds a closed day; `Conflict` when that date already has one.
pub async fn add(tx: &mut WriteTx, day: &ClosedDay) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO closed_days (on_date, name, kind, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (on_date) DO NOTHING",
    )
    .bind(date_text(day.on))
    .bind(day.name.clone())
    .bind(day.kind.as_str())
    .bind(now_text())
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("closed_day"));
    }
    tx.audit(
        AuditEntry::new("calendar.closed_day_add", "closed_day")
            .target(date_text(day.on))
            .change("name", None::<&str>, &day.name)
            .change("kind", None::<&str>, day.kind.as_str()),
    )
    .await
}

/// Removes the closed day on `on`; `NotFound` when there is none.
pub async fn remove(tx: &mut WriteTx, on: Date) -> Result<ClosedDay> {
    let row =
        sqlx::query("DELETE FROM closed_days WHERE on_date = $1 RETURNING on_date, name, kind")
            .bind(date_text(on))
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    let day = closed_day(&row)?;
    tx.audit(
        AuditEntry::new("calendar.closed_day_remove", "closed_day")
            .target(date_text(on))
            .change("name", &day.name, None::<&str>)
            .change("kind", day.kind.as_str(), None::<&str>),
    )
    .await?;
    Ok(day)
}

/// What an import of the national holiday list changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub added: usize,
    pub renamed: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// Replaces the national holidays of the years the list covers with the list (a day the
/// Cabinet Office moved or dropped goes; the assembly's own closed days stay). One audit
/// entry names the years and the counts.
pub async fn import_national(
    tx: &mut WriteTx,
    list: &[CsvHoliday],
    file_sha256: &str,
) -> Result<ImportCounts> {
    let (Some(first), Some(last)) = (
        list.iter().map(|h| h.on.year()).min(),
        list.iter().map(|h| h.on.year()).max(),
    ) else {
        return Ok(ImportCounts::default());
    };
    let from = format!("{first:04}-01-01");
    let until = format!("{last:04}-12-31");
    let rows = sqlx::query(
        "SELECT on_date, name, kind FROM closed_days WHERE on_date >= $1 AND on_date <= $2",
    )
    .bind(from.clone())
    .bind(until.clone())
    .fetch_all(&mut *tx.tx)
    .await?;
    let existing: Vec<ClosedDay> = rows.iter().map(closed_day).collect::<Result<_>>()?;
    let mut counts = ImportCounts::default();
    for day in existing.iter().filter(|d| d.kind == ClosedKind::National) {
        if !list.iter().any(|h| h.on == day.on) {
            sqlx::query("DELETE FROM closed_days WHERE on_date = $1")
                .bind(date_text(day.on))
                .execute(&mut *tx.tx)
                .await?;
            counts.removed += 1;
        }
    }
    for holiday in list {
        match existing.iter().find(|d| d.on == holiday.on) {
            Some(d) if d.name == holiday.name && d.kind == ClosedKind::National => {
                counts.unchanged += 1
            }
            Some(_) => {
                // The national list wins over an assembly closed day on the same date.
                sqlx::query(
                    "UPDATE closed_days SET name = $1, kind = 'national' WHERE on_date = $2",
                )
                .bind(holiday.name.clone())
                .bind(date_text(holiday.on))
                .execute(&mut *tx.tx)
                .await?;
                counts.renamed += 1;
            }
            None => {
                sqlx::query(
                    "INSERT INTO closed_days (on_date, name, kind, created_at) \
                     VALUES ($1, $2, 'national', $3)",
                )
                .bind(date_text(holiday.on))
                .bind(holiday.name.clone())
                .bind(now_text())
                .execute(&mut *tx.tx)
                .await?;
                counts.added += 1;
            }
        }
    }
    tx.audit(
        AuditEntry::new("calendar.holidays_import", "closed_day")
            .change("years", None::<&str>, format!("{first}–{last}"))
            .change("file_sha256", None::<&str>, file_sha256)
            .change("added", None::<usize>, counts.added)
            .change("renamed", None::<usize>, counts.renamed)
            .change("removed", None::<usize>, counts.removed),
    )
    .await?;
    Ok(counts)
}
