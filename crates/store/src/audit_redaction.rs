//! Removing personal information from audit entries once its retention period has
//! passed, without breaking the chain. A format-2 entry chains the digest of its changes;
//! a redaction replaces the personal values with a mark, keeps the original digest in
//! the entry and names the `record.redact` entry that did it. That entry lists, for each
//! entry it changed, the id, the original digest and the digest of the redacted text, so
//! the redacted text is covered by the chain as well: nobody can rewrite an entry and
//! call it a redaction.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sqlx::Row;

use crate::audit::{AuditRecord, RECORD_COLUMNS, changes_digest, record_from_row};
use crate::{AuditEntry, Result, Store, WriteTx};

/// The action of the entry that records a redaction.
pub const REDACT_ACTION: &str = "record.redact";

/// What stands in an entry where a personal value was.
pub fn redacted_mark() -> Value {
    json!({ "redacted": true })
}

/// `changes` with the values of `fields` replaced by the mark, or `None` when it holds
/// none of them (or only empty values).
fn redact_changes(changes: &str, fields: &[&str]) -> Option<String> {
    let mut value: Value = serde_json::from_str(changes).ok()?;
    let map = value.as_object_mut()?;
    let mut changed = false;
    for field in fields {
        if let Some(Value::Array(pair)) = map.get_mut(*field) {
            for side in pair.iter_mut() {
                if !side.is_null() && *side != redacted_mark() {
                    *side = redacted_mark();
                    changed = true;
                }
            }
        }
    }
    // serde_json sorts object keys, so the text stays canonical.
    changed.then(|| value.to_string())
}

/// One record whose audit entries lose `fields`.
#[derive(Debug, Clone)]
pub struct RedactTarget {
    pub target_type: &'static str,
    pub target_id: String,
    pub fields: &'static [&'static str],
}

/// What a redaction did to the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailRedaction {
    /// The `record.redact` entry written.
    pub entry_id: i64,
    /// Entries whose personal values were replaced.
    pub redacted: u64,
    /// Entries written before schema 22 (format 1) that hold such values: their chain
    /// covers the text itself, so they are kept as written.
    pub kept_format1: u64,
}

/// Redacts the personal values of `targets` in the trail and appends `entry` (a
/// `record.redact` entry, to which the list of changed entries is added), in the
/// caller's transaction.
pub async fn redact(
    tx: &mut WriteTx,
    targets: &[RedactTarget],
    entry: AuditEntry,
) -> Result<TrailRedaction> {
    let mut changed: Vec<(i64, String, String)> = Vec::new();
    let mut kept_format1 = 0;
    for target in targets {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log \
             WHERE target_type = $1 AND target_id = $2 AND redacted_by IS NULL ORDER BY id"
        )))
        .bind(target.target_type)
        .bind(target.target_id.clone())
        .fetch_all(&mut *tx.tx)
        .await?;
        for row in rows {
            let record = record_from_row(&row)?;
            let Some(redacted) = redact_changes(&record.changes, target.fields) else {
                continue;
            };
            if record.format == 1 {
                kept_format1 += 1;
            } else {
                changed.push((record.id, changes_digest(&record.changes), redacted));
            }
        }
    }
    let listing: Vec<Value> = changed
        .iter()
        .map(|(id, original, redacted)| json!([id, original, changes_digest(redacted)]))
        .collect();
    tx.audit(entry.change("entries", None::<()>, listing).change(
        "kept_format1",
        None::<()>,
        kept_format1,
    ))
    .await?;
    // The write lock is held: the newest entry is the one just written.
    let entry_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
        .fetch_one(&mut *tx.tx)
        .await?;
    for (id, original, redacted) in &changed {
        sqlx::query(
            "UPDATE audit_log SET changes = $1, original_digest = $2, redacted_by = $3 \
             WHERE id = $4 AND redacted_by IS NULL",
        )
        .bind(redacted.clone())
        .bind(original.clone())
        .bind(entry_id)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(TrailRedaction {
        entry_id,
        redacted: changed.len() as u64,
        kept_format1,
    })
}

/// The entries a `record.redact` entry lists: id, original digest, redacted digest.
fn listing(changes: &str) -> Option<Vec<(i64, String, String)>> {
    let value: Value = serde_json::from_str(changes).ok()?;
    let list = value.get("entries")?.get(1)?.as_array()?;
    list.iter()
        .map(|item| {
            let item = item.as_array()?;
            Some((
                item.first()?.as_i64()?,
                item.get(1)?.as_str()?.to_owned(),
                item.get(2)?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// A redacted entry walked, waiting for the redaction that lists it.
struct Waiting {
    by: i64,
    original: String,
    current: String,
}

/// A listing for an entry before the walk's start, checked once the walk is done.
struct Earlier {
    by: i64,
    id: i64,
    original: String,
    redacted: String,
}

/// What a walk of the chain keeps to check redactions: every redacted entry must be
/// listed, with its digests, by the `record.redact` entry it names, and every entry a
/// redaction lists must carry that redaction.
#[derive(Default)]
pub(crate) struct Tally {
    waiting: BTreeMap<i64, Waiting>,
    earlier: Vec<Earlier>,
}

impl Tally {
    /// Notes an entry found in its place; the id of an entry that breaks a redaction.
    pub(crate) fn walked(&mut self, record: &AuditRecord) -> Option<i64> {
        if let Some(by) = record.redacted_by {
            if record.format == 1 || by <= record.id {
                return Some(record.id);
            }
            self.waiting.insert(
                record.id,
                Waiting {
                    by,
                    original: record.original_digest.clone().unwrap_or_default(),
                    current: changes_digest(&record.changes),
                },
            );
        }
        if record.action == REDACT_ACTION && record.redacted_by.is_none() {
            let Some(list) = listing(&record.changes) else {
                return Some(record.id);
            };
            for (id, original, redacted) in list {
                match self.waiting.remove(&id) {
                    Some(w)
                        if w.by == record.id && w.original == original && w.current == redacted => {
                    }
                    Some(_) => return Some(id),
                    None => self.earlier.push(Earlier {
                        by: record.id,
                        id,
                        original,
                        redacted,
                    }),
                }
            }
        }
        None
    }

    /// Checks what the walk from `walked_from` (exclusive) to `walked_to` left open: an
    /// entry listed by a redaction but walked unredacted, an earlier entry listed, and a
    /// redacted entry whose redaction lies beyond the walk. The smallest broken id.
    pub(crate) async fn settle(
        self,
        store: &Store,
        walked_from: i64,
        walked_to: i64,
    ) -> Result<Option<i64>> {
        let mut broken: Option<i64> = None;
        let mut note = |id: i64| broken = Some(broken.map_or(id, |b| b.min(id)));
        for listed in &self.earlier {
            if listed.id > walked_from {
                note(listed.by);
                continue;
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {RECORD_COLUMNS} FROM audit_log WHERE id = $1"
            )))
            .bind(listed.id)
            .fetch_optional(store.pool())
            .await?;
            let holds = match row {
                Some(row) => {
                    let record = record_from_row(&row)?;
                    record.redacted_by == Some(listed.by)
                        && record.original_digest.as_deref() == Some(listed.original.as_str())
                        && changes_digest(&record.changes) == listed.redacted
                }
                None => false,
            };
            if !holds {
                note(listed.id);
            }
        }
        for (id, waiting) in &self.waiting {
            if waiting.by <= walked_to || !listed_beyond(store, *id, waiting).await? {
                note(*id);
            }
        }
        Ok(broken)
    }
}

/// Whether the redaction `waiting.by`, beyond the walk (an anchor check stops early),
/// lists entry `id` with its digests.
async fn listed_beyond(store: &Store, id: i64, waiting: &Waiting) -> Result<bool> {
    let row = sqlx::query("SELECT action, changes FROM audit_log WHERE id = $1")
        .bind(waiting.by)
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else { return Ok(false) };
    let action: String = row.try_get(0)?;
    let changes: String = row.try_get(1)?;
    Ok(action == REDACT_ACTION
        && listing(&changes).is_some_and(|list| {
            list.iter().any(|(listed, original, redacted)| {
                *listed == id && *original == waiting.original && *redacted == waiting.current
            })
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_fields_are_marked_and_empty_values_stay_empty() {
        let out = redact_changes(
            r#"{"login":[null,"yamada"],"mail":["a@example.jp","b@example.jp"],"reading":[null,null]}"#,
            &["mail", "reading"],
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"login":[null,"yamada"],"mail":[{"redacted":true},{"redacted":true}],"reading":[null,null]}"#
        );
        assert_eq!(redact_changes(&out, &["mail"]), None);
        assert_eq!(
            redact_changes(r#"{"role":["user","admin"]}"#, &["mail"]),
            None
        );
        assert_eq!(redact_changes("not json", &["mail"]), None);
    }

    #[test]
    fn a_listing_is_read_from_the_entry_it_was_written_into() {
        let changes = json!({
            "entries": [null, [[12, "aa", "bb"], [15, "cc", "dd"]]],
            "kept_format1": [null, 0]
        })
        .to_string();
        assert_eq!(
            listing(&changes).unwrap(),
            vec![
                (12, "aa".to_owned(), "bb".to_owned()),
                (15, "cc".to_owned(), "dd".to_owned())
            ]
        );
        assert_eq!(listing(r#"{"entries":[null,[["x"]]]}"#), None);
    }
}
