//! How the server gives memory back (glibc's allocator on Linux). Measured with
//! `mamori-bench memory` (README, "Memory"): by default glibc keeps one heap arena per
//! busy thread, raises its mmap threshold after every large free (so a 20 MB export
//! buffer comes back from the heap next time and stays), and returns freed heap pages to
//! the system only from the heap's top. So the server caps its arenas (one per database
//! connection: two made the pool's threads queue for the allocator's locks and cost a
//! third of the throughput under load), fixes the mmap threshold (large buffers are
//! mapped and unmapped whole), and trims every few seconds. `MAMORI_MALLOC_TUNING=off` leaves glibc as it is (for measuring); an explicit
//! `MALLOC_ARENA_MAX` in the environment is kept.

use std::time::Duration;

/// Buffers from this size on are mapped on their own and unmapped when freed.
const MMAP_THRESHOLD: i32 = 256 * 1024;
/// As many arenas as the SQLite pool has connections (glibc's default is eight per core).
const ARENAS: i32 = 8;
/// How often freed heap pages go back to the system.
const TRIM_EVERY: Duration = Duration::from_secs(5);

/// Applies the settings and starts the trimming thread, unless switched off.
pub fn tune() {
    if std::env::var("MAMORI_MALLOC_TUNING").is_ok_and(|v| v == "off") {
        return;
    }
    imp::tune();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use super::*;

    pub fn tune() {
        // SAFETY: mallopt and malloc_trim only change glibc's allocator settings and may
        // be called at any time from any thread.
        unsafe {
            if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
                libc::mallopt(libc::M_ARENA_MAX, ARENAS);
            }
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
        let spawned = std::thread::Builder::new()
            .name("malloc-trim".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(TRIM_EVERY);
                    // SAFETY: as above.
                    unsafe {
                        libc::malloc_trim(0);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the memory trimming thread");
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    /// Other allocators (musl, other systems) give memory back on their own terms.
    pub fn tune() {}
}
