//! The integration tests of this crate, in one binary: linking the crate once instead of
//! once per file is most of the test build time on two cores.

mod approvals;
mod assets;
mod cycle;
mod files;
mod once;
mod organisation;
mod risks;
mod search;
mod store;
mod threats;
