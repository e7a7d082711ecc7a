//! Threats, the risk matrix, the risk register with its treatment actions and
//! acceptances, and frozen risk analyses (clauses 3 and 8).

use mamori_domain::risk::{Matrix, Score, ThreatFamily, Treatment};
use mamori_domain::threat::ThreatOrigin;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::assets::Viewer;
use sqlx::any::AnyRow;

use crate::{
    AuditEntry, Result, Store, StoreError, WriteTx, decode, decode_date, decode_timestamp,
};

pub use mamori_domain::risk_input::RiskInput;

mod acceptances;
mod actions;
mod analyses;
mod matrix;
mod register;
mod threats;

pub use acceptances::*;
pub use actions::*;
pub use analyses::*;
pub use matrix::*;
pub use register::*;
pub use threats::*;

// ---------------------------------------------------------------- typed columns

/// A required date column (`2026-04-01`); unreadable is corrupt.
fn date(table: &'static str, id: i64, column: &'static str, row: &AnyRow) -> Result<Date> {
    let text: String = row.try_get(column)?;
    decode_date(table, id, column, &text)
}

fn opt_date(
    table: &'static str,
    id: i64,
    column: &'static str,
    text: Option<String>,
) -> Result<Option<Date>> {
    text.map(|t| decode_date(table, id, column, &t)).transpose()
}

/// A required RFC 3339 timestamp column; unreadable is corrupt.
fn timestamp(
    table: &'static str,
    id: i64,
    column: &'static str,
    row: &AnyRow,
) -> Result<OffsetDateTime> {
    let text: String = row.try_get(column)?;
    decode_timestamp(table, id, column, &text)
}

fn opt_timestamp(
    table: &'static str,
    id: i64,
    column: &'static str,
    text: Option<String>,
) -> Result<Option<OffsetDateTime>> {
    text.map(|t| decode_timestamp(table, id, column, &t))
        .transpose()
}
