//! The risk register (clauses 3 and 8): risks with their treatment actions and
//! acceptances, the versioned risk matrix, and frozen analyses. Read by those the access
//! declaration names (the CISO whatever their role), kept by the security officer,
//! acceptances decided by the CISO — never by the person who proposed them.

pub mod analyses;
pub mod matrices;
pub mod register;
pub mod treatment;

pub use mamori_domain::risk_input::{
    AcceptanceForm, ActionForm, FreezeForm, MAX_ASSETS, RiskForm, RiskInput,
};
pub use mamori_store::risks::{
    Acceptance, AcceptanceStatus, Action, Analysis, RiskRecord, SnapshotRisk, StoredMatrix,
};
pub use mamori_store::{date_text, timestamp_text};
pub use matrices::Matrices;
