//! Password hashing with Argon2id at the OWASP minimum (19 MiB, 2 iterations, 1 lane).
//! Hashing is deliberately expensive, so it runs on a few dedicated threads fed by a
//! short queue: a burst of sign-ins waits its turn, and one that finds no place in the
//! queue within a second is refused (429) instead of piling up, holding memory and
//! starving everyone else. Keeping the work on the same few threads also keeps the
//! 19 MiB blocks in the same few allocator arenas, so memory stays bounded after a flood.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Hashes that may wait for a free thread; the next one waits for a place in this queue.
pub const QUEUE: usize = 8;
/// How long a request waits for a place in the queue before it is refused.
pub const PATIENCE: Duration = Duration::from_secs(1);

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

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on its own threads, a bounded number waiting.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
    places: Arc<Semaphore>,
}

/// A place in the hashing queue, taken before any other work is spent on a request.
#[derive(Debug)]
pub struct Turn {
    jobs: SyncSender<Job>,
    place: OwnedSemaphorePermit,
}

impl PasswordHasher {
    /// Starts `threads` hashing threads. They end when the last clone of the hasher (and
    /// of any turn it gave) is dropped.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let places = threads + QUEUE;
        let (jobs, queue) = sync_channel::<Job>(places);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&queue))
                .expect("the operating system starts a thread");
        }
        Self {
            jobs,
            places: Arc::new(Semaphore::new(places)),
        }
    }

    /// A place in the queue, waiting for one at most `patience`, else 429. The wait costs
    /// no CPU, so a flood that finds the queue full is slowed down rather than answered
    /// as fast as it can ask.
    pub async fn turn(&self, patience: Duration) -> Result<Turn, AppError> {
        let busy = || AppError::Throttled {
            message: BUSY.to_owned(),
        };
        let place = tokio::time::timeout(patience, Arc::clone(&self.places).acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        Ok(Turn {
            jobs: self.jobs.clone(),
            place,
        })
    }

    /// The PHC string to store for `password`, waiting for a place up to `PATIENCE`.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.turn(PATIENCE).await?.hash(password).await
    }
}

/// What a refusal for a full queue says.
pub const BUSY: &str = "the server is busy checking other passwords; try again in a moment";

impl Turn {
    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (answer, answered) = oneshot::channel();
        let place = self.place;
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
            drop(place);
        });
        // Never full: the channel has room for every place.
        self.jobs.try_send(job).map_err(|error| {
            tracing::error!(%error, "cannot queue a password hashing job");
            AppError::Internal
        })?;
        answered.await.map_err(|_| {
            tracing::error!("a password hashing job ended without an answer");
            AppError::Internal
        })
    }

    /// The PHC string to store for `password`.
    pub async fn hash(self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password)).await
    }

    /// Whether `password` matches `hash`; with no hash (unknown user) it spends the same
    /// effort and answers false.
    pub async fn verify(self, password: String, hash: Option<String>) -> Result<bool, AppError> {
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

/// One hashing thread: takes the next job until the hasher is dropped. A job that panics
/// drops its answer (the caller gets an internal error) and the thread goes on.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(job) = next else { return };
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
            tracing::error!("a password hashing job panicked");
        }
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
