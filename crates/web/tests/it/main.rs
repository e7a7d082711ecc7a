//! The integration tests of this crate, in one binary: linking the crate once instead of
//! once per file is most of the test build time on two cores.

mod access;
mod approvals;
mod asset_files;
mod asset_imports;
mod asset_values;
mod assets;
mod audit_trail;
mod browser;
mod classification;
mod cycle_actions;
mod cycle_calendar;
mod cycle_reviews;
mod exceptions;
mod files;
mod home;
mod http;
mod kit;
mod locales;
mod notifications;
mod once;
mod once_forms;
mod once_forms_blocks;
mod past_dates;
mod policies;
mod policy_acks;
mod policy_drafts;
mod risks;
mod risks_api;
mod security;
mod threats;
mod users;
mod users_reading;
