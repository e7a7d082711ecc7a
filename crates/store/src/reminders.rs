//! The due-work digests sent: per person, the day of the last one and its items.

use std::collections::HashMap;

use time::Date;

use crate::{Result, Store, WriteTx, date_text, decode_date};

/// The people a digest may go to: active accounts, by id.
pub async fn active_people(store: &Store) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM users WHERE active = 1 ORDER BY id")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Every person's last digest: the day and the items (as stored).
pub async fn last_digests(store: &Store) -> Result<HashMap<i64, (Date, String)>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT user_id, sent_on, items FROM reminder_digests")
            .fetch_all(store.pool())
            .await?;
    rows.into_iter()
        .map(|(user_id, sent_on, items)| {
            let day = decode_date("reminder_digests", user_id, "sent_on", &sent_on)?;
            Ok((user_id, (day, items)))
        })
        .collect()
}

/// Records that a digest of `items` went to `user_id` on `sent_on`.
pub async fn record(tx: &mut WriteTx, user_id: i64, sent_on: Date, items: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO reminder_digests (user_id, sent_on, items) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET sent_on = excluded.sent_on, items = excluded.items",
    )
    .bind(user_id)
    .bind(date_text(sent_on))
    .bind(items.to_owned())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}
