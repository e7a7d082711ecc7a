//! The audit trail, read by those who oversee security: the chain check, a filtered
//! page of entries, and the export (which records itself before the first row leaves).

use mamori_domain::access::{Act, Register};
use mamori_store::AuditEntry;
use mamori_store::audit;

use crate::{Acting, App, Failure};

pub use mamori_store::audit::{
    ACTIONS, AuditExport, AuditFilter, AuditRecord, ChainBreak, ChainReport,
};
use mamori_store::audit_checks;
pub use mamori_store::audit_checks::{AnchorCheck, ChainCheck, ChainHead};

/// Checks the hash chain — the whole of it (`full`), or the entries after the last intact
/// check — and keeps the result, which the audit page and the API then show. Those who
/// may read the trail may check it; a check changes nothing in the trail, so it is kept
/// with the checks (naming who asked) rather than as an entry of its own.
pub async fn check_chain(app: &App, acting: &Acting, full: bool) -> Result<ChainCheck, Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.verify")
        .await?;
    Ok(audit_checks::run(app.store(), full, &acting.actor().label).await?)
}

/// The last check and the last full check, as kept: what the page shows instead of
/// walking the chain on every view.
#[derive(Debug, Clone)]
pub struct ChainStatus {
    pub latest: Option<ChainCheck>,
    pub latest_full: Option<ChainCheck>,
}

impl ChainStatus {
    /// The break found by the newest check, if the newest check found one.
    pub fn broken(&self) -> Option<&ChainBreak> {
        self.latest.as_ref().and_then(|c| c.first_break.as_ref())
    }
}

pub async fn chain_status(app: &App, acting: &Acting) -> Result<ChainStatus, Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.view")
        .await?;
    Ok(ChainStatus {
        latest: audit_checks::latest(app.store()).await?,
        latest_full: audit_checks::latest_full(app.store()).await?,
    })
}

/// The newest entry of the trail, to keep outside the database (`None` while empty).
pub async fn head(app: &App, acting: &Acting) -> Result<Option<ChainHead>, Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.view")
        .await?;
    Ok(audit_checks::head(app.store()).await?)
}

/// Checks the trail against an anchor kept outside: the entry `id` is there with `hash`
/// and the chain holds up to it, so cutting off the newest entries shows.
pub async fn check_anchor(
    app: &App,
    acting: &Acting,
    id: i64,
    hash: &str,
) -> Result<AnchorCheck, Failure> {
    app.permit(acting, Register::AuditTrail, Act::Read, "audit.verify")
        .await?;
    Ok(audit_checks::check_anchor(app.store(), id, hash).await?)
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
