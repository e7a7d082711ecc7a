//! Policy documents (clauses 1, 5 and 8 of the basic policy): reading documents,
//! versions, comparisons and clauses; importing a text as a draft; approval (決裁) and
//! publication; review records; and acknowledgements with reminders. Each use case
//! checks the grants of `Register::Policies` or `Register::Acknowledgements`.

mod acknowledgements;
mod citations;
mod pledges;
mod read;
mod response_plan;
mod versions;

pub use acknowledgements::{
    Acknowledged, AcknowledgementExport, AcknowledgementOverview, PublishedStatus, Reminded,
    acknowledge, acknowledgement_overview, export_acknowledgements, pending_acknowledgements,
    remind,
};
pub use citations::{Citations, citations};
pub use mamori_domain::policy_input::{ApprovalInput, ReviewInput};
pub use mamori_store::policies::{
    AcknowledgementRow, ClauseLink, Document, Review, Version, VersionSummary,
};
pub use mamori_store::response_plan::StoredScenario;
pub use pledges::{
    PaperRecorded, Scan, paper_gate, record_paper_pledge, signature_document, signatures,
};
pub use read::{
    ClauseView, Comparison, DocumentListing, DocumentText, DocumentView, PublicPolicy, VersionView,
    clause, compare, find_version, latest_text, list_documents, public_policy, show_document,
    show_text, show_version, visible,
};
pub use response_plan::{
    Call, PlanView, edit_scenario, plan, plan_edit_gate, plan_print, plan_read_gate,
    published_plan, scenario_form,
};
pub use versions::{
    Published, SaveVersion, Saved, add_review, approve_version, preview_import, publish_version,
    read_file, save_version, send_version, signatory, version_deciders, withdraw_version,
};

use mamori_domain::field::FieldProblem;
use mamori_domain::policy::PolicyProblem;
use mamori_store::policies;

use crate::{App, Failure};

/// Version `version_id` of document `document_id` (not found when it belongs to another).
async fn version_of(app: &App, document_id: i64, version_id: i64) -> Result<Version, Failure> {
    let version = policies::version(app.store(), version_id).await?;
    if version.summary.document_id != document_id {
        return Err(Failure::NotFound);
    }
    Ok(version)
}

/// A text that cannot be read, as a problem of the field `text`. The shells tell a text
/// too large (413) from one that does not read (422) by [`PolicyProblem::TooLarge`]'s key.
pub fn text_problem(problem: PolicyProblem) -> Failure {
    Failure::invalid(FieldProblem::new("text", problem.message_key()))
}

/// The locale key of a text too large to read.
pub fn too_large_key() -> &'static str {
    PolicyProblem::TooLarge.message_key()
}

/// A clause tree as JSON, as the parser wrote it: every clause with its `ref`.
pub fn tree_json(tree: &mamori_domain::policy::PolicyText) -> String {
    serde_json::to_string(tree).unwrap_or_default()
}
