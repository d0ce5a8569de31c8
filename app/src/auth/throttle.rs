//! Slows down guessing: after a few wrong passwords for one account, each further attempt
//! must wait, twice as long each time. Names that do not exist are throttled exactly like
//! names that do, so the answers never tell them apart. Keys are canonical user names
//! (`auth::username`), one per account.
//!
//! Only wrong passwords count, yet parallel guesses cannot all pass the check before the
//! first one fails: an attempt let through is *in flight* until it settles, and one that
//! would have to wait if every attempt in flight were wrong waits for them to settle
//! first (a right one lets it through at once). An attempt that is dropped unsettled (its
//! request cut off) counts as wrong.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Wrong passwords allowed before waiting starts.
const FREE_ATTEMPTS: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// A name with no wrong password for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(900);
/// Names remembered before the forgettable ones are swept out: the sweep runs only when
/// the map has grown this much again, so a flood of new names costs constant work each.
const SWEEP_AT: usize = 10_000;
/// The longest an attempt waits for others of its account to settle (a password check
/// takes well under a second; the hashing queue refuses sooner).
const SETTLE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    in_flight: u32,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<Failed>,
    settled: Notify,
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

/// What the throttle says to one attempt now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Through,
    /// Wait this long (the account's wrong passwords say so).
    Wait(Duration),
    /// Only if the attempts in flight turn out wrong: wait for them to settle.
    AfterOthers,
}

impl SignInThrottle {
    /// Lets an attempt for `key` through (it is in flight until settled through the
    /// returned [`Attempt`]), or says how long `key` must still wait.
    pub async fn attempt(&self, key: &str) -> Result<Attempt<'_>, Duration> {
        let deadline = tokio::time::Instant::now() + SETTLE_WAIT;
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            match self.decide(key, Instant::now()) {
                Decision::Through => {
                    return Ok(Attempt {
                        throttle: self,
                        key: key.to_owned(),
                        settled: false,
                    });
                }
                Decision::Wait(wait) => return Err(wait),
                Decision::AfterOthers => {
                    if tokio::time::timeout_at(deadline, settled).await.is_err() {
                        return Err(FIRST_WAIT);
                    }
                }
            }
        }
    }

    fn failed(&self) -> std::sync::MutexGuard<'_, Failed> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lets an attempt through (counting it in flight) when the account may try now.
    fn decide(&self, key: &str, now: Instant) -> Decision {
        let mut failed = self.failed();
        if let Some(entry) = failed.by_name.get(key) {
            // Waits are asked for only when there is one: `now` was read before the lock,
            // so another attempt may have stamped `last` a moment later.
            let wait = wait_after(entry.count);
            if !wait.is_zero() && entry.last + wait > now {
                return Decision::Wait(entry.last + wait - now);
            }
            let wait_if_all_wrong = wait_after(entry.count + entry.in_flight);
            if !wait_if_all_wrong.is_zero() && entry.last + wait_if_all_wrong > now {
                return Decision::AfterOthers;
            }
        }
        if failed.by_name.len() >= failed.sweep_at.max(SWEEP_AT) {
            // Forget quiet names, and names that are not made to wait: forgetting them
            // lets them through no sooner than remembering would.
            failed.by_name.retain(|_, f| {
                f.in_flight > 0
                    || (now.duration_since(f.last) < FORGET_AFTER && f.count >= FREE_ATTEMPTS)
            });
            failed.sweep_at = failed.by_name.len() * 2;
        }
        let entry = failed.by_name.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
            in_flight: 0,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.in_flight += 1;
        Decision::Through
    }

    /// Settles one attempt in flight for `key`: wrong (`Some(now)`), or not counted.
    fn settle(&self, key: &str, wrong_at: Option<Instant>, right: bool) {
        {
            let mut failed = self.failed();
            if let Some(entry) = failed.by_name.get_mut(key) {
                entry.in_flight = entry.in_flight.saturating_sub(1);
                if let Some(now) = wrong_at {
                    entry.count += 1;
                    entry.last = now;
                }
                if right {
                    entry.count = 0;
                }
                if entry.count == 0 && entry.in_flight == 0 {
                    failed.by_name.remove(key);
                }
            }
        }
        self.settled.notify_waiters();
    }
}

/// One password check let through the throttle. Say how it ended; dropped unsaid, it
/// counts as a wrong password.
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a SignInThrottle,
    key: String,
    settled: bool,
}

impl Attempt<'_> {
    /// The password was right: the account's wrong ones are forgotten.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.throttle.settle(&self.key, None, true);
    }

    /// The password was wrong.
    pub fn failed(self) {
        // Dropping it says so.
    }

    /// The password was not checked after all (the server was busy): it does not count.
    pub fn withdraw(mut self) {
        self.settled = true;
        self.throttle.settle(&self.key, None, false);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle.settle(&self.key, Some(Instant::now()), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One wrong guess for `key` at `now`, if it is let through then.
    fn wrong(throttle: &SignInThrottle, key: &str, now: Instant) -> Decision {
        let decision = throttle.decide(key, now);
        if decision == Decision::Through {
            throttle.settle(key, Some(now), false);
        }
        decision
    }

    #[test]
    fn the_first_wrong_passwords_are_free_then_waits_double() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(wrong(&throttle, "ops", start), Decision::Through);
        }
        assert_eq!(wrong(&throttle, "ops", start), Decision::Wait(FIRST_WAIT));
        assert_eq!(wrong(&throttle, "someone-else", start), Decision::Through);
        let later = start + FIRST_WAIT;
        assert_eq!(wrong(&throttle, "ops", later), Decision::Through);
        assert_eq!(
            wrong(&throttle, "ops", later),
            Decision::Wait(FIRST_WAIT * 2)
        );
    }

    #[test]
    fn attempts_in_flight_hold_back_the_rest_until_they_settle() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        let let_through = (0..20)
            .filter(|_| throttle.decide("ops", start) == Decision::Through)
            .count();
        assert_eq!(let_through, FREE_ATTEMPTS as usize);
        assert_eq!(throttle.decide("ops", start), Decision::AfterOthers);
        // One of them was right: the rest go through.
        throttle.settle("ops", None, true);
        assert_eq!(throttle.decide("ops", start), Decision::Through);
        // All the others were wrong: now the account waits.
        for _ in 0..FREE_ATTEMPTS {
            throttle.settle("ops", Some(start), false);
        }
        assert_eq!(throttle.decide("ops", start), Decision::Wait(FIRST_WAIT));
    }

    #[test]
    fn an_attempt_that_read_the_clock_a_moment_earlier_is_not_made_to_wait() {
        let throttle = SignInThrottle::default();
        let earlier = Instant::now();
        let later = earlier + Duration::from_micros(5);
        assert_eq!(throttle.decide("ops", later), Decision::Through);
        assert_eq!(throttle.decide("ops", earlier), Decision::Through);
    }

    #[tokio::test]
    async fn right_passwords_in_parallel_all_go_through() {
        let throttle = SignInThrottle::default();
        let one = || async {
            let attempt = throttle.attempt("ops").await?;
            tokio::task::yield_now().await;
            attempt.succeeded();
            Ok::<(), Duration>(())
        };
        let outcomes = tokio::join!(one(), one(), one(), one());
        assert_eq!(outcomes, (Ok(()), Ok(()), Ok(()), Ok(())));
    }

    #[tokio::test]
    async fn an_attempt_dropped_unsettled_counts_as_wrong() {
        let throttle = SignInThrottle::default();
        for _ in 0..FREE_ATTEMPTS {
            drop(throttle.attempt("ops").await.unwrap());
        }
        assert!(throttle.attempt("ops").await.is_err());
    }

    /// Guesses wrong `count` times, each as soon as the throttle allows; returns the time after.
    fn guess(throttle: &SignInThrottle, count: u32, mut now: Instant) -> Instant {
        for _ in 0..count {
            while let Decision::Wait(wait) = wrong(throttle, "ops", now) {
                now += wait;
            }
        }
        now
    }

    #[test]
    fn waits_stop_growing_and_success_forgets_wrong_passwords() {
        let throttle = SignInThrottle::default();
        let now = guess(&throttle, 20, Instant::now());
        assert_eq!(throttle.decide("ops", now), Decision::Wait(LONGEST_WAIT));
        throttle.failed().by_name.get_mut("ops").unwrap().in_flight += 1;
        throttle.settle("ops", None, true);
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(wrong(&throttle, "ops", now), Decision::Through);
        }
    }

    #[test]
    fn a_flood_of_new_names_is_swept_and_the_waiting_ones_are_kept() {
        let throttle = SignInThrottle::default();
        let now = guess(&throttle, FREE_ATTEMPTS, Instant::now());
        for n in 0..(3 * SWEEP_AT) {
            assert_eq!(
                wrong(&throttle, &format!("flood-{n}"), now),
                Decision::Through
            );
        }
        let remembered = throttle.failed().by_name.len();
        assert!(remembered <= SWEEP_AT + 1, "{remembered} names remembered");
        assert!(
            matches!(throttle.decide("ops", now), Decision::Wait(_)),
            "ops still waits"
        );
    }

    #[test]
    fn a_quiet_account_starts_afresh() {
        let throttle = SignInThrottle::default();
        let quiet = guess(&throttle, 20, Instant::now()) + FORGET_AFTER;
        for _ in 0..FREE_ATTEMPTS {
            assert_eq!(wrong(&throttle, "ops", quiet), Decision::Through);
        }
    }
}
