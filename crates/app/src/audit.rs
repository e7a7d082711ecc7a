//! The audit trail, read by those who oversee security: the chain check, a filtered
//! page of entries, and the export (which records itself before the first row leaves).

use mamori_domain::access::{Act, Register};
use mamori_store::AuditEntry;
use mamori_store::audit;

use crate::{Acting, App, Failure};

pub use mamori_store::audit::{
    ACTIONS, AuditExport, AuditFilter, AuditRecord, ChainBreak, ChainReport,
};

/// Whether the hash chain of the whole trail holds, and where it first breaks.
pub async fn verify_chain(app: &App, acting: &Acting) -> Result<ChainReport, Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.view")
        .await?;
    Ok(audit::verify(app.store()).await?)
}

/// A page of entries matching `filter`, newest first, and how many match.
pub async fn search(
    app: &App,
    acting: &Acting,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRecord>, u64), Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.view")
        .await?;
    Ok(audit::search(app.store(), filter, limit, offset).await?)
}

/// Checks that `acting` may read the trail (before their query is even read).
pub async fn may_read(app: &App, acting: &Acting, what: &str) -> Result<(), Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, what)
        .await?;
    Ok(())
}

/// Starts an export of the entries matching `filter`, oldest first. The export is
/// recorded first, naming the filter as given (`described`: field and value).
pub async fn export(
    app: &App,
    acting: &Acting,
    filter: &AuditFilter,
    described: &[(&str, String)],
) -> Result<AuditExport, Failure> {
    let permit = app
        .permit(acting, Register::AuditTrail, Act::Read, "audit.export")
        .await?;
    let mut entry = AuditEntry::new("audit.export", "audit_log");
    for (field, value) in described {
        entry = entry.change(field, None::<&str>, value);
    }
    let mut tx = permit.write(app).await?;
    tx.audit(entry).await?;
    tx.commit().await?;
    Ok(audit::export(app.store(), filter).await?)
}
