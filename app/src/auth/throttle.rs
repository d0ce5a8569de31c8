//! Slows down guessing: after a few failed sign-ins for one account, each further attempt
//! must wait, twice as long each time. Names that do not exist are throttled exactly like
//! names that do, so the answers never tell them apart. Keys are canonical user names
//! (`auth::username`), one per account. An attempt counts as failed from the moment it
//! is let through, so parallel guesses cannot all pass the check before the first fails.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
const FREE_ATTEMPTS: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// A name with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(900);
/// Names remembered before the forgettable ones are swept out: the sweep runs only when
/// the map has grown this much again, so a flood of new names costs constant work each.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<Failed>,
}

#[derive(Debug, Default)]
struct Failed {
    by_name: HashMap<String, Failures>,
    /// The size at which the next sweep runs.
    sweep_at: usize,
}

fn wait_after(count: u32) -> Duration {
    if count < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_ATTEMPTS).min(16);
    (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT)
}

impl SignInThrottle {
    /// Lets an attempt for `key` through, counted as a failure until [`succeeded`]
    /// says otherwise; or says how long `key` must still wait.
    ///
    /// [`succeeded`]: Self::succeeded
    pub fn attempt(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut failed = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = failed.by_name.get(key) {
            let ready_at = entry.last + wait_after(entry.count);
            if ready_at > now {
                return Err(ready_at - now);
            }
        }
        if failed.by_name.len() >= failed.sweep_at.max(SWEEP_AT) {
            // Forget quiet names, and names that are not made to wait: forgetting them
            // lets them through no sooner than remembering would.
            failed.by_name.retain(|_, f| {
                now.duration_since(f.last) < FORGET_AFTER && f.count >= FREE_ATTEMPTS
            });
            failed.sweep_at = failed.by_name.len() * 2;
        }
        let entry = failed.by_name.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
        Ok(())
    }

    /// The attempt let through for `key` was not tried after all (the server was busy):
    /// it no longer counts as a failure.
    pub fn withdraw(&self, key: &str) {
        let mut failed = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = failed.by_name.get_mut(key) {
            entry.count = entry.count.saturating_sub(1);
        }
    }

    /// The attempt let through for `key` succeeded: its failures are forgotten.
    pub fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_name
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_free_then_waits_double() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(throttle.attempt("ops", start), Ok(()));
        }
        assert_eq!(throttle.attempt("ops", start), Err(FIRST_WAIT));
        assert_eq!(throttle.attempt("someone-else", start), Ok(()));
        let later = start + FIRST_WAIT;
        assert_eq!(throttle.attempt("ops", later), Ok(()));
        assert_eq!(throttle.attempt("ops", later), Err(FIRST_WAIT * 2));
    }

    #[test]
    fn attempts_in_flight_count_before_they_fail() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        let let_through = (0..20)
            .filter(|_| throttle.attempt("ops", start).is_ok())
            .count();
        assert_eq!(let_through, FREE_ATTEMPTS as usize);
    }

    /// Guesses `count` times, each as soon as the throttle allows; returns the time after.
    fn guess(throttle: &SignInThrottle, count: u32, mut now: Instant) -> Instant {
        for _ in 0..count {
            while let Err(wait) = throttle.attempt("ops", now) {
                now += wait;
            }
        }
        now
    }

    #[test]
    fn waits_stop_growing_and_success_forgets_failures() {
        let throttle = SignInThrottle::default();
        let now = guess(&throttle, 20, Instant::now());
        assert_eq!(throttle.attempt("ops", now), Err(LONGEST_WAIT));
        throttle.succeeded("ops");
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(throttle.attempt("ops", now), Ok(()));
        }
    }

    #[test]
    fn a_flood_of_new_names_is_swept_and_the_waiting_ones_are_kept() {
        let throttle = SignInThrottle::default();
        let now = guess(&throttle, FREE_ATTEMPTS, Instant::now());
        for n in 0..(3 * SWEEP_AT) {
            assert_eq!(throttle.attempt(&format!("flood-{n}"), now), Ok(()));
        }
        let remembered = throttle.failures.lock().unwrap().by_name.len();
        assert!(remembered <= SWEEP_AT + 1, "{remembered} names remembered");
        assert!(throttle.attempt("ops", now).is_err(), "ops still waits");
    }

    #[test]
    fn a_quiet_account_starts_afresh() {
        let throttle = SignInThrottle::default();
        let quiet = guess(&throttle, 20, Instant::now()) + FORGET_AFTER;
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(throttle.attempt("ops", quiet), Ok(()));
        }
    }
}
