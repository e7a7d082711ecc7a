//! Pure rules and types of mamori: no I/O, no async, no SQL.

pub mod password;
pub mod text;
pub mod user;
pub mod wareki;
