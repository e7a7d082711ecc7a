//! The route table, one module per area, each listing method, path and handler. The
//! router is built from it, and the access test walks it for every role.

pub mod approvals;
pub mod assets;
pub mod awareness;
pub mod continuity;
pub mod cycle;
pub mod exceptions;
pub mod files;
pub mod incident_reports;
pub mod incidents;
pub mod notify;
pub mod organisation;
pub mod people;
pub mod policies;
pub mod retention;
pub mod risks;
pub mod system;
pub mod term_changes;
pub mod training;
