//! What every handler stands on: authentication and CSRF, errors, extractors, the
//! request's language, security headers, the page layout and redirects. Nothing here
//! imports a page or API module.

pub mod auth;
pub mod context;
pub mod download;
pub mod error;
pub mod extract;
pub mod forms;
pub mod headers;
pub mod labels;
#[cfg(test)]
mod layering;
pub mod layout;
pub mod params;
pub mod respond;
pub mod sign_in;

pub use layout::Layout;
pub use respond::{local_path, render, see_other};
