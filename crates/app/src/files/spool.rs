//! An upload on its way in: written to a private file in pieces as they arrive, hashed
//! while written and stopped at the size limit, so no upload is ever held whole in
//! memory and nothing reaches the database before the whole file is in. The file is
//! deleted when the spool or its result is dropped.

use std::path::{Path, PathBuf};

use mamori_domain::file::{SNIFF_BYTES, sniff};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::Failure;

/// Why a piece was refused.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The upload is larger than `limit` bytes; what came so far is discarded.
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Removes the spool files a stopped server left behind (an upload cut off by a crash or
/// a power cut); how many. Called when the server starts, before any upload.
pub fn clear_spool(dir: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("upload-") && n.ends_with(".part"));
        if ours {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Deletes the spool file when dropped.
#[derive(Debug)]
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An upload being received.
#[derive(Debug)]
pub struct Spool {
    file: tokio::io::BufWriter<tokio::fs::File>,
    path: TempFile,
    digest: Sha256,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

impl Spool {
    /// A new spool file in `dir` (created if missing) for an upload of at most `limit`
    /// bytes. `dir` should be on disk (the data directory), not a memory file system.
    pub async fn create(dir: &Path, limit: u64) -> Result<Spool, SpoolError> {
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join(format!("upload-{}.part", crate::random_token()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Spool {
            file: tokio::io::BufWriter::with_capacity(64 * 1024, file),
            path: TempFile(path),
            digest: Sha256::new(),
            size: 0,
            limit,
            head: Vec::new(),
        })
    }

    /// Takes the next piece of the upload.
    pub async fn push(&mut self, piece: &[u8]) -> Result<(), SpoolError> {
        self.size += piece.len() as u64;
        if self.size > self.limit {
            return Err(SpoolError::TooLarge { limit: self.limit });
        }
        if self.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - self.head.len()).min(piece.len());
            self.head.extend_from_slice(&piece[..take]);
        }
        self.digest.update(piece);
        self.file.write_all(piece).await?;
        Ok(())
    }

    /// The upload complete: its size, hash and the media type its content shows.
    pub async fn finish(mut self) -> Result<Spooled, SpoolError> {
        self.file.flush().await?;
        self.file.get_ref().sync_data().await?;
        Ok(Spooled {
            sha256: crate::hex(&self.digest.finalize()),
            size: self.size,
            media_type: sniff(&self.head),
            path: self.path,
        })
    }
}

/// A complete upload waiting to be stored.
#[derive(Debug)]
pub struct Spooled {
    path: TempFile,
    pub size: u64,
    pub sha256: String,
    pub media_type: &'static str,
}

impl Spooled {
    pub(crate) fn path(&self) -> &Path {
        &self.path.0
    }
}

impl From<SpoolError> for Failure {
    fn from(error: SpoolError) -> Failure {
        match error {
            SpoolError::Io(e) => Failure::Store(e.into()),
            SpoolError::TooLarge { limit } => Failure::Conflict(
                crate::Refusal::new("payload_too_large", "file.error.too_large")
                    .with("limit", limit),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_spool_hashes_sniffs_and_stops_at_its_limit() {
        let dir = std::env::temp_dir().join(format!("mamori-spool-{}", crate::random_token()));
        let mut spool = Spool::create(&dir, 10).await.unwrap();
        spool.push(b"%PDF-").await.unwrap();
        spool.push(b"1.7\n").await.unwrap();
        let done = spool.finish().await.unwrap();
        assert_eq!(done.size, 9);
        assert_eq!(done.media_type, "application/pdf");
        assert_eq!(done.sha256, crate::sha256_hex(b"%PDF-1.7\n"));
        let path = done.path().to_owned();
        assert!(path.exists());
        drop(done);
        assert!(!path.exists(), "the spool file goes with its upload");

        let mut big = Spool::create(&dir, 10).await.unwrap();
        big.push(b"0123456789").await.unwrap();
        assert!(matches!(
            big.push(b"x").await,
            Err(SpoolError::TooLarge { limit: 10 })
        ));
        drop(big);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);

        // What a crash leaves is cleared at the next start; other files are not touched.
        std::fs::write(dir.join("upload-left.part"), b"half").unwrap();
        std::fs::write(dir.join("keep.txt"), b"not ours").unwrap();
        assert_eq!(clear_spool(&dir).unwrap(), 1);
        assert!(dir.join("keep.txt").exists());
        std::fs::remove_file(dir.join("keep.txt")).unwrap();
        std::fs::remove_dir(&dir).unwrap();
        assert_eq!(clear_spool(&dir).unwrap(), 0, "no spool directory yet");
    }
}
