//! The due-work digest: once a day mamori tells each person by mail how many things wait
//! for them (決裁, overdue corrective actions, due reviews, policies to confirm …) — but
//! only when something arrived since the last digest, or a week has passed with work
//! still waiting. A reminder that comes every day whatever happens is soon ignored.

use std::collections::BTreeSet;

use time::Date;

/// After this many days a digest is sent again even though nothing new arrived.
pub const REPEAT_DAYS: i64 = 7;

/// The hour (in Japan) from which the day's digests go out: not in the night.
pub const SEND_FROM_HOUR: u8 = 8;

/// One thing waiting for a person, as the digest remembers it: its kind and id
/// (`approval:12`, `action:5`). Only the keys are kept, never titles.
pub type ItemKey = String;

/// The last digest a person was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastDigest {
    pub sent_on: Date,
    pub items: BTreeSet<ItemKey>,
}

/// Whether a digest of `items` goes to a person today: something waits, nothing went out
/// today already, and either something is new since `last` or [`REPEAT_DAYS`] passed.
pub fn digest_due(last: Option<&LastDigest>, items: &BTreeSet<ItemKey>, today: Date) -> bool {
    if items.is_empty() {
        return false;
    }
    let Some(last) = last else {
        return true;
    };
    if last.sent_on >= today {
        return false;
    }
    !items.is_subset(&last.items) || (today - last.sent_on).whole_days() >= REPEAT_DAYS
}

/// The stored form of a digest's items: the keys joined by commas.
pub fn encode_items(items: &BTreeSet<ItemKey>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads [`encode_items`] back (an empty text is no items).
pub fn decode_items(text: &str) -> BTreeSet<ItemKey> {
    text.split(',')
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn items(keys: &[&str]) -> BTreeSet<ItemKey> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn a_first_digest_goes_out_when_something_waits() {
        let today = date!(2026 - 12 - 2);
        assert!(digest_due(None, &items(&["action:1"]), today));
        assert!(!digest_due(None, &items(&[]), today));
    }

    #[test]
    fn the_same_work_is_told_again_only_after_a_week() {
        let last = LastDigest {
            sent_on: date!(2026 - 12 - 1),
            items: items(&["action:1", "approval:2"]),
        };
        let same = items(&["approval:2"]);
        assert!(!digest_due(Some(&last), &same, date!(2026 - 12 - 2)));
        assert!(!digest_due(Some(&last), &same, date!(2026 - 12 - 7)));
        assert!(digest_due(Some(&last), &same, date!(2026 - 12 - 8)));
    }

    #[test]
    fn new_work_is_told_the_next_day_but_never_twice_a_day() {
        let last = LastDigest {
            sent_on: date!(2026 - 12 - 1),
            items: items(&["action:1"]),
        };
        let more = items(&["action:1", "review:4"]);
        assert!(!digest_due(Some(&last), &more, date!(2026 - 12 - 1)));
        assert!(digest_due(Some(&last), &more, date!(2026 - 12 - 2)));
    }

    #[test]
    fn items_round_trip_through_their_stored_form() {
        let keys = items(&["ack:3", "action:10", "approval:2"]);
        assert_eq!(encode_items(&keys), "ack:3,action:10,approval:2");
        assert_eq!(decode_items(&encode_items(&keys)), keys);
        assert!(decode_items("").is_empty());
    }
}
