//! Pure rules and types of mamori: no I/O, no async, no SQL.

pub mod access;
pub mod asset;
pub mod classification;
pub mod classification_presets;
pub mod field;
pub mod file;
pub mod mfa;
pub mod once;
pub mod password;
pub mod policy;
pub mod policy_diff;
pub mod policy_input;
pub mod policy_lifecycle;
pub mod risk;
pub mod risk_input;
pub mod search;
pub mod session;
pub mod text;
pub mod threat;
pub mod user;
pub mod user_input;
pub mod wareki;
