//! A restore drill: a backup brought up on a scratch copy, as a restore would, and its
//! audit chain walked there — proof that the backup can be restored, without touching
//! the live database.

use std::path::Path;

use crate::audit::{self, ChainReport};
use crate::backup::{self, BackupSummary};
use crate::{Result, SqliteUse, Store};

/// What a drill found in a backup.
#[derive(Debug, Clone)]
pub struct DrillReport {
    pub summary: BackupSummary,
    pub chain: ChainReport,
}

/// Checks `file` (header, integrity, mamori's migrations), copies it to `scratch`
/// (which must not exist), migrates the copy to this binary's schema and walks its audit
/// chain. The scratch file is removed afterwards, whatever happened.
pub async fn drill(file: &Path, scratch: &Path) -> Result<DrillReport> {
    let summary = backup::inspect(file).await?;
    std::fs::copy(file, scratch)?;
    let result = async {
        let copy = Store::connect(&crate::sqlite_url(scratch), 1, SqliteUse::SingleFile).await?;
        let walked = async {
            crate::migrations::apply(&copy).await?;
            audit::verify(&copy).await
        }
        .await;
        copy.close().await;
        walked
    }
    .await;
    backup::remove_sqlite_files(scratch);
    Ok(DrillReport {
        summary,
        chain: result?,
    })
}
