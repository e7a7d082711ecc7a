//! How many uploaded files are parsed at once. Reading a workbook or a Word file takes
//! memory (bounded per file by the sheet crate's limits) and a CPU core: a few at a time
//! keep the server's memory and its other requests safe; a file that finds no free slot
//! soon is refused with a time to try again, not queued without end.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{App, Failure};

/// Files parsed at once unless the server is configured otherwise.
pub const DEFAULT_PARALLEL_IMPORTS: usize = 2;
/// How long a file waits for a free slot before it is refused.
pub const IMPORT_WAIT: Duration = Duration::from_secs(3);
/// The time a refused upload is told to wait before trying again (`Retry-After`).
pub const IMPORT_RETRY_AFTER_SECS: u64 = 10;

/// The slots of one application (shared by its clones).
#[derive(Clone)]
pub(crate) struct ParseSlots(Arc<Semaphore>, usize);

impl ParseSlots {
    pub(crate) fn new(count: usize) -> Self {
        let count = count.max(1);
        Self(Arc::new(Semaphore::new(count)), count)
    }
}

/// A free slot, held while a file is parsed and given back when dropped.
pub struct ParseSlot(#[allow(dead_code)] OwnedSemaphorePermit);

impl App {
    /// Parses at most `count` uploaded files at once (at least one).
    pub fn with_parallel_imports(mut self, count: usize) -> App {
        self.parse_slots = ParseSlots::new(count);
        self
    }

    /// Files being parsed now, and how many may be at once.
    pub fn parse_slots_in_use(&self) -> (usize, usize) {
        let slots = &self.parse_slots;
        (slots.1.saturating_sub(slots.0.available_permits()), slots.1)
    }

    /// Waits up to [`IMPORT_WAIT`] for a slot to parse a file in; [`Failure::Busy`]
    /// when none frees up.
    pub async fn parse_slot(&self) -> Result<ParseSlot, Failure> {
        let wait = self.parse_slots.0.clone().acquire_owned();
        match tokio::time::timeout(IMPORT_WAIT, wait).await {
            Ok(Ok(permit)) => Ok(ParseSlot(permit)),
            _ => Err(Failure::Busy {
                retry_after_secs: IMPORT_RETRY_AFTER_SECS,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_past_the_slots_is_refused_after_a_short_wait() {
        let slots = ParseSlots::new(2);
        let first = slots.0.clone().try_acquire_owned().unwrap();
        let _second = slots.0.clone().try_acquire_owned().unwrap();
        assert!(slots.0.clone().try_acquire_owned().is_err());
        drop(first);
        assert!(slots.0.clone().try_acquire_owned().is_ok());
        assert_eq!(ParseSlots::new(0).0.available_permits(), 1);
    }
}
