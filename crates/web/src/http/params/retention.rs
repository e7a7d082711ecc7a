//! How a redaction of personal information reads on its pages and in the API: where it
//! stands, as a code, and the days of its stored moments.

use mamori_app::retention::Redaction;

use crate::http::params::audit::parse_timestamp;

/// Where a redaction stands, as the API codes it: proposed and waiting for the CISO,
/// carried out, or dropped (sent back, rejected or withdrawn).
pub const STATES: [&str; 3] = ["proposed", "carried_out", "dropped"];

pub fn state_code(r: &Redaction) -> &'static str {
    if r.applied_at.is_some() {
        STATES[1]
    } else if r.dropped_at.is_some() {
        STATES[2]
    } else {
        STATES[0]
    }
}

/// A stored RFC 3339 moment as the day it was in Japan.
pub fn japan_day(text: &str) -> Option<time::Date> {
    parse_timestamp(text).map(mamori_app::japan_date)
}
