//! Transactions the database refused because of a concurrent one are run again: InnoDB
//! picks a deadlock's victim, and a Galera cluster refuses, at commit, a transaction
//! whose rows another node changed first (certification, also error 1213). Both roll
//! the whole transaction back, so running it again from its start is safe; after a few
//! tries the caller gets `StoreError::Contended`.

use super::StoreError;
use std::time::Duration;

/// How many times a contended transaction runs in all.
pub const TRIES: u32 = 5;

/// The pause before try `next` (2, 3 ...): short, growing, and spread so two
/// transactions that collided do not collide again in step.
pub async fn pause(next: u32) {
    let base = 5u64 << next.min(6);
    let spread = getrandom::u64().unwrap_or(0) % (base + 1);
    tokio::time::sleep(Duration::from_millis(base + spread)).await;
}

/// Whether `result` failed for a concurrent transaction and try `done` + 1 may follow.
pub fn again<T>(result: &Result<T, StoreError>, done: u32) -> bool {
    matches!(result, Err(StoreError::Contended(_))) && done < TRIES
}

/// Evaluates `$transaction` (an expression that runs one whole transaction and yields
/// its `Result<_, StoreError>`) until it is not refused for a concurrent transaction, at
/// most [`TRIES`] times. The expression must not move what it needs out of its
/// surroundings: it runs again from the start.
macro_rules! retrying {
    ($transaction:expr) => {{
        let mut done = 0u32;
        loop {
            let result = $transaction;
            done += 1;
            if !$crate::store::retry::again(&result, done) {
                break result;
            }
            tracing::debug!(
                try_number = done + 1,
                "transaction refused for a concurrent one; running it again"
            );
            $crate::store::retry::pause(done + 1).await;
        }
    }};
}
pub(crate) use retrying;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_contended_transaction_runs_again_until_it_goes_through_or_the_tries_run_out() {
        let mut runs = 0;
        let through: Result<u32, StoreError> = retrying!({
            runs += 1;
            if runs < 3 {
                Err(StoreError::Contended("deadlock".into()))
            } else {
                Ok(runs)
            }
        });
        assert_eq!(through.unwrap(), 3);

        let mut runs = 0;
        let refused: Result<(), StoreError> = retrying!({
            runs += 1;
            Err(StoreError::Contended("deadlock".into()))
        });
        assert!(matches!(refused, Err(StoreError::Contended(_))));
        assert_eq!(runs, TRIES);

        let mut runs = 0;
        let other: Result<(), StoreError> = retrying!({
            runs += 1;
            Err(StoreError::Fenced)
        });
        assert!(matches!(other, Err(StoreError::Fenced)));
        assert_eq!(runs, 1, "only contention is tried again");
    }
}
