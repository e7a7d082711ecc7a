//! Password hashing: argon2id, m = 19 MiB, t = 2, p = 1 (the OWASP baseline), with a
//! random 16-byte salt, stored as a PHC string. Each hash holds ~19 MiB, so at most two
//! run at once; hashing runs off the async workers.

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::{Result, StoreError};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

static HASHING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: &str) -> Result<String> {
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .expect("semaphore never closes");
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| StoreError::Hashing(e.to_string()))?
}

/// True when `password` matches the stored PHC string. A malformed stored hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .expect("semaphore never closes");
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || {
        hasher()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let a = super::hash("correct horse battery").await.unwrap();
        let b = super::hash("correct horse battery").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(super::verify("correct horse battery", &a).await);
        assert!(!super::verify("correct horse batterz", &a).await);
        assert!(!super::verify("anything", "not a hash").await);
    }
}
