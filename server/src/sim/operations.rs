//! Operations the simulator accepted, by id and by idempotency key. Each ends at its
//! own time: until then it answers `running`. Only the latest [`KEPT`] are kept (and
//! their keys), oldest forgotten first, so a flood of calls cannot grow it without bound.

use app::domain::platform::{ErrorCode, Operation, OperationState, PlatformError};
use std::collections::{HashMap, VecDeque};
use tokio::time::Instant;

/// At most this many operations (and their idempotency keys) are kept.
pub const KEPT: usize = 10_000;

#[derive(Debug)]
struct Entry {
    /// How it ends.
    outcome: Operation,
    ends: Instant,
}

#[derive(Debug, Default)]
pub struct Operations {
    next: u64,
    by_id: HashMap<String, Entry>,
    /// Idempotency key → (what was asked, the operation it made).
    by_key: HashMap<String, (String, String)>,
    /// (id, key), oldest first, for forgetting.
    order: VecDeque<(String, String)>,
}

impl Operations {
    /// The operation a key made before, if any; refused when the key was used for
    /// another request.
    pub fn made_by(&self, key: &str, asked: &str) -> Result<Option<String>, PlatformError> {
        match self.by_key.get(key) {
            Some((first, _)) if first != asked => Err(PlatformError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for another request",
            )),
            Some((_, id)) if self.by_id.contains_key(id) => Ok(Some(id.clone())),
            _ => Ok(None),
        }
    }

    /// Records an accepted operation that ends at `ends` as `state` with `message`;
    /// answers its id.
    pub fn add(
        &mut self,
        key: &str,
        asked: String,
        kind: &str,
        (state, message): (OperationState, String),
        ends: Instant,
    ) -> String {
        self.next += 1;
        let id = format!("op-{}", self.next);
        let outcome = Operation {
            id: id.clone(),
            kind: kind.to_owned(),
            state,
            log: vec![format!("accepted {kind}"), message.clone()],
            message,
        };
        self.by_key.insert(key.to_owned(), (asked, id.clone()));
        self.by_id.insert(id.clone(), Entry { outcome, ends });
        self.order.push_back((id.clone(), key.to_owned()));
        while self.order.len() > KEPT {
            if let Some((old_id, old_key)) = self.order.pop_front() {
                self.by_id.remove(&old_id);
                self.by_key.remove(&old_key);
            }
        }
        id
    }

    /// The operation as it stands at `now`: running until it ends, then its outcome.
    /// When operation `id` ends (or ended).
    pub fn ends(&self, id: &str) -> Option<Instant> {
        self.by_id.get(id).map(|entry| entry.ends)
    }

    pub fn get(&self, id: &str, now: Instant) -> Option<Operation> {
        let entry = self.by_id.get(id)?;
        if now >= entry.ends {
            return Some(entry.outcome.clone());
        }
        Some(Operation {
            state: OperationState::Running,
            message: "running".to_owned(),
            log: entry.outcome.log[..1].to_vec(),
            ..entry.outcome.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_operation_runs_until_its_end_and_its_key_finds_it() {
        let mut ops = Operations::default();
        let now = Instant::now();
        let done = (OperationState::Succeeded, "done".to_owned());
        let id = ops.add(
            "k1",
            "cut A".into(),
            "traffic.cut",
            done,
            now + Duration::from_secs(1),
        );
        assert_eq!(ops.get(&id, now).unwrap().state, OperationState::Running);
        let later = now + Duration::from_secs(1);
        assert_eq!(
            ops.get(&id, later).unwrap().state,
            OperationState::Succeeded
        );
        assert_eq!(ops.made_by("k1", "cut A").unwrap(), Some(id));
        assert_eq!(
            ops.made_by("k1", "cut B").unwrap_err().code,
            ErrorCode::IdempotencyKeyReused
        );
        assert_eq!(ops.made_by("k2", "cut A").unwrap(), None);
    }

    #[test]
    fn only_the_latest_operations_are_kept() {
        let mut ops = Operations::default();
        let now = Instant::now();
        for n in 0..=KEPT {
            let done = (OperationState::Succeeded, String::new());
            ops.add(&format!("k{n}"), String::new(), "traffic.cut", done, now);
        }
        assert_eq!(ops.by_id.len(), KEPT);
        assert_eq!(ops.made_by("k0", "").unwrap(), None);
        assert!(ops.get("op-1", now).is_none());
    }
}
