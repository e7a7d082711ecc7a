//! What every handler stands on: authentication and CSRF, errors, extractors, the
//! request's language, security headers, the page layout and redirects; and what a page
//! and its API share: request parsing (`params`), CSV downloads, sign-in, labels of
//! coded values. Nothing here imports a page or API module (`layering` checks it).

pub mod approval_view;
pub mod auth;
pub mod cite;
pub mod context;
pub mod download;
pub mod error;
pub mod extract;
pub mod files_section;
pub mod forms;
pub mod forwarded;
pub mod headers;
pub mod labels;
#[cfg(test)]
mod layering;
pub mod layout;
pub mod linked_incidents;
pub mod metrics;
pub mod once;
pub mod params;
pub mod print;
pub mod respond;
pub mod response_plan;
pub mod sign_in;
pub mod upload;

pub use layout::Layout;
pub use respond::{local_path, render, see_other};
