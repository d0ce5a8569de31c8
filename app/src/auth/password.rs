//! Password hashing with Argon2id at the OWASP minimum (19 MiB, 2 iterations, 1 lane).
//! Hashing is deliberately expensive, so it runs on blocking threads behind a semaphore:
//! a burst of sign-ins queues up instead of starving the server.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified against when the user does not exist, so
/// that an unknown name takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("decoy password that never matches"));

fn hash_now(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides randomness");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing succeeds")
        .to_string()
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes and verifies passwords, a bounded number at a time.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    /// At most `concurrency` hashes run at once (the number of cores is a good choice).
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work).await.map_err(|error| {
            tracing::error!(%error, "password hashing task failed");
            AppError::Internal
        })
    }

    /// The PHC string to store for `password`.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password)).await
    }

    /// Whether `password` matches `hash`; with no hash (unknown user) it spends the same
    /// effort and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || match hash {
            Some(hash) => verify_now(&password, &hash),
            None => {
                verify_now(&password, &DECOY_HASH);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_the_owasp_minimum_and_verify() {
        let hash = hash_now("correct horse battery");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("correct horse battery", &hash));
        assert!(!verify_now("wrong horse battery", &hash));
        assert!(!verify_now("anything", "not a hash"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(hash_now("same password"), hash_now("same password"));
    }
}
