//! Slows down guessing: after a few failed sign-ins for one user name, each further
//! attempt must wait, twice as long each time. Names that do not exist are throttled
//! exactly like names that do, so the answers never tell them apart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before waiting starts.
const FREE_ATTEMPTS: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(300);
/// A name with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(900);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

fn wait_after(count: u32) -> Duration {
    if count < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_ATTEMPTS).min(16);
    (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT)
}

impl SignInThrottle {
    /// How long `username` must still wait before the next attempt, if at all.
    pub fn wait_for(&self, username: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = failures.get(username)?;
        let ready_at = entry.last + wait_after(entry.count);
        (ready_at > now).then(|| ready_at - now)
    }

    pub fn failed(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        let entry = failures.entry(username.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
        });
        entry.count += 1;
        entry.last = now;
    }

    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_free_then_waits_double() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_ATTEMPTS - 1 {
            throttle.failed("ops", start);
        }
        assert_eq!(throttle.wait_for("ops", start), None);
        throttle.failed("ops", start);
        assert_eq!(throttle.wait_for("ops", start), Some(FIRST_WAIT));
        throttle.failed("ops", start);
        assert_eq!(throttle.wait_for("ops", start), Some(FIRST_WAIT * 2));
        assert_eq!(throttle.wait_for("ops", start + FIRST_WAIT * 2), None);
        assert_eq!(throttle.wait_for("someone-else", start), None);
    }

    #[test]
    fn success_and_time_forget_failures() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for _ in 0..20 {
            throttle.failed("ops", start);
        }
        assert_eq!(
            throttle.wait_for("ops", start),
            Some(LONGEST_WAIT),
            "waits stop growing"
        );
        throttle.succeeded("ops");
        assert_eq!(throttle.wait_for("ops", start), None);
    }
}
