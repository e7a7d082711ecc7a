//! Session lifetime rules: an idle timeout and an absolute timeout, and account lockout
//! after repeated failed sign-ins.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// A session is live until it has been idle too long or has reached its absolute end.
    pub fn is_live(
        &self,
        created_at: OffsetDateTime,
        last_seen_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        now - last_seen_at < self.idle && now - created_at < self.absolute
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

impl LockoutPolicy {
    /// After this failure (counting it), is the login locked, and until when?
    pub fn after_failure(
        &self,
        failures_so_far: u32,
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        (failures_so_far + 1 >= self.max_failures).then(|| now + self.lock_for)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let policy = SessionPolicy::default();
        let start = datetime!(2026-03-18 09:00 UTC);
        assert!(policy.is_live(
            start,
            start + Duration::minutes(29),
            start + Duration::minutes(58)
        ));
        assert!(!policy.is_live(start, start, start + Duration::minutes(30)));
        assert!(!policy.is_live(
            start,
            start + Duration::hours(12),
            start + Duration::hours(12)
        ));
    }

    #[test]
    fn the_fifth_failure_locks() {
        let policy = LockoutPolicy::default();
        let now = datetime!(2026-03-18 09:00 UTC);
        assert_eq!(policy.after_failure(3, now), None);
        assert_eq!(
            policy.after_failure(4, now),
            Some(now + Duration::minutes(15))
        );
    }
}
