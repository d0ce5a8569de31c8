//! Writing refusals to the audit log. A signed-in caller's refusal is written every time.
//! Refusals anyone can cause at will without an account (not signed in, too many
//! guesses, server busy, a name that is no user name) are written at most once per
//! client, action and reason every [`WINDOW`]; each entry says how many like it went
//! unwritten since the previous one. A flood costs the database a row per client and
//! reason every few seconds, and every refusal is still counted.

use super::Auth;
use crate::domain::audit::Outcome;
use crate::store::audit::AuditRecord;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(10);
/// Most (client, action, reason) keys remembered; beyond, clients share one key.
const MOST_KEYS: usize = 4096;

type Key = (Option<String>, &'static str, &'static str);

#[derive(Debug, Clone, Copy)]
struct Window {
    written_at: Instant,
    unwritten: u32,
}

/// Which anonymous refusals to write, and how many went unwritten.
#[derive(Debug, Default)]
pub struct RefusalSampler {
    windows: Mutex<HashMap<Key, Window>>,
}

impl RefusalSampler {
    /// `Some(n)` when this refusal is to be written, `n` like it having gone unwritten
    /// since the last entry; `None` when it is only counted.
    fn admit(
        &self,
        client: Option<&str>,
        action: &'static str,
        reason: &'static str,
        now: Instant,
    ) -> Option<u32> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let mut key = (client.map(str::to_owned), action, reason);
        if !windows.contains_key(&key) && windows.len() >= MOST_KEYS {
            windows.retain(|_, w| now.duration_since(w.written_at) < WINDOW);
            if windows.len() >= MOST_KEYS {
                key.0 = None;
            }
        }
        match windows.get_mut(&key) {
            Some(window) if now.duration_since(window.written_at) < WINDOW => {
                window.unwritten = window.unwritten.saturating_add(1);
                None
            }
            Some(window) => {
                let unwritten = window.unwritten;
                *window = Window {
                    written_at: now,
                    unwritten: 0,
                };
                Some(unwritten)
            }
            None => {
                windows.insert(
                    key,
                    Window {
                        written_at: now,
                        unwritten: 0,
                    },
                );
                Some(0)
            }
        }
    }
}

/// Writes a refusal. A database outage must not turn a refusal into an error, so a
/// failed write is logged and otherwise ignored.
pub async fn record(auth: &Auth, record: &AuditRecord, reason: &str) {
    let written =
        crate::store::audit::record(&auth.store, record, None, Outcome::Refused, Some(reason))
            .await;
    if let Err(error) = written {
        tracing::warn!(action = record.action, %error, "could not record a refusal in the audit log");
    }
}

/// Writes a refusal an anonymous caller caused, unless one like it from the same client
/// was written within the window.
pub async fn record_sampled(auth: &Auth, entry: &AuditRecord, reason: &'static str) {
    let client = entry.client_addr.as_deref();
    match auth
        .refusals
        .admit(client, entry.action, reason, Instant::now())
    {
        None => {}
        Some(0) => record(auth, entry, reason).await,
        Some(unwritten) => {
            let reason = format!(
                "{reason} (and {unwritten} more like it from this client since the last entry)"
            );
            record(auth, entry, &reason).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_window_counting_the_rest() {
        let sampler = RefusalSampler::default();
        let start = Instant::now();
        let admit = |client, now| sampler.admit(client, "plans/list", "not signed in", now);
        assert_eq!(admit(Some("10.0.0.1"), start), Some(0));
        for _ in 0..5 {
            assert_eq!(admit(Some("10.0.0.1"), start), None);
        }
        assert_eq!(admit(Some("10.0.0.2"), start), Some(0), "another client");
        assert_eq!(admit(Some("10.0.0.1"), start + WINDOW), Some(5));
        assert_eq!(admit(Some("10.0.0.1"), start + WINDOW), None);
    }

    #[test]
    fn memory_stays_bounded_when_clients_are_many() {
        let sampler = RefusalSampler::default();
        let now = Instant::now();
        for n in 0..(MOST_KEYS + 100) {
            sampler.admit(Some(&n.to_string()), "plans/list", "not signed in", now);
        }
        assert!(sampler.windows.lock().unwrap().len() <= MOST_KEYS + 1);
    }
}
