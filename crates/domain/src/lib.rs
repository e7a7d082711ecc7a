//! Pure rules and types of mamori: no I/O, no async, no SQL.

pub mod mfa;
pub mod password;
pub mod session;
pub mod text;
pub mod user;
pub mod wareki;
