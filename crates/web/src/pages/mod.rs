//! Server-rendered pages.

pub mod account;
pub mod assets;
pub mod audit;
pub mod classification;
pub mod files;
pub mod home;
pub mod login;
pub mod policies;
pub mod preferences;
pub mod risks;
pub mod setup;
pub mod threats;
pub mod users;
