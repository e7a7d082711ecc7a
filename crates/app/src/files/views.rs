//! Who viewed what (item 8 of issue 12): opening a record at the top confidentiality
//! level, or the personal information of a record that holds it, is a `record.viewed`
//! entry of the audit trail; the auditor lists them per record and per person.

use mamori_domain::access::{Act, Register};
use mamori_store::AuditEntry;
use mamori_store::audit::{self, AuditFilter, AuditRecord};

use super::RecordRef;
use crate::{Acting, App, Failure};

/// The audit action of a view.
pub const VIEWED: &str = "record.viewed";

/// Records that `acting` opened `record`; `why` says how (`page`, `api`, `file:12/3`).
/// Written in a transaction of its own: a view is a fact whether or not anything else
/// happens.
pub async fn record_view(
    app: &App,
    acting: &Acting,
    record: RecordRef,
    why: &str,
) -> Result<(), Failure> {
    // The person has just been allowed to read the record: this holds, and gives the
    // permit every write goes through.
    let permit = app
        .permit(
            acting,
            super::register_of(record.kind),
            Act::Read,
            "files.view",
        )
        .await?;
    let mut tx = permit.write(app).await?;
    tx.audit(
        AuditEntry::new(VIEWED, record.kind.as_str())
            .target(record.id)
            .change("via", None::<&str>, why),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which views to list.
#[derive(Debug, Clone, Default)]
pub struct ViewFilter {
    /// One record.
    pub record: Option<RecordRef>,
    /// One person, by login.
    pub login: Option<String>,
    /// From this instant (RFC 3339), inclusive.
    pub from: Option<String>,
    /// Before this instant (RFC 3339), exclusive.
    pub to: Option<String>,
}

/// A page of views matching `filter`, newest first, and how many match. For those who
/// read the audit trail.
pub async fn views(
    app: &App,
    acting: &Acting,
    filter: &ViewFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRecord>, u64), Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.view")
        .await?;
    let filter = AuditFilter {
        action: Some(VIEWED.to_owned()),
        target_type: filter.record.map(|r| r.kind.as_str().to_owned()),
        target_id: filter.record.map(|r| r.id.to_string()),
        actor_login: filter.login.clone(),
        from: filter.from.clone(),
        to: filter.to.clone(),
        ..AuditFilter::default()
    };
    Ok(audit::search(app.store(), &filter, limit, offset).await?)
}
