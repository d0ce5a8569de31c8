//! The execution book: what this instance knows of the executions whose lease it holds —
//! each one's detail (summary and steps), its run key and step keys, its calls and the
//! log lines it has seen, and until when its lease holds. In normal mode the store keeps
//! it up to date from every change it commits; in degraded mode the engine drives the
//! executions from here, and every change is journaled before it is kept.
//!
//! The book also knows which executions have a MySQL write in flight. The switch to
//! degraded mode closes it to MySQL writes and waits for those in flight ([`Book::settle`]),
//! so that what it then saves for a restart ([`Book::all`]) misses nothing MySQL holds.

use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{ExecutionDetail, ExecutionStepId, StepCall, StepLogLine};
use crate::domain::ids::ExecutionId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// How many log lines the book keeps of one execution (the oldest go first).
pub const LINES_KEPT: usize = 2000;

/// An execution whose lease this instance holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Held {
    /// The fencing token of the lease.
    pub token: u64,
    /// Until when the lease surely holds, by this instance's clock: when its last grant
    /// or renewal was sent, plus its length, less a margin.
    pub lease_until: DateTime<Utc>,
    /// Its detail as the book knows it; `None` until the engine first read it.
    pub known: Option<Known>,
}

/// An execution as the book knows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Known {
    /// Part of every idempotency key its calls carry.
    pub run_key: String,
    pub step_keys: HashMap<ExecutionStepId, String>,
    pub detail: ExecutionDetail,
    pub calls: Vec<(ExecutionStepId, StepCall)>,
    /// The latest log lines the book saw (at most [`LINES_KEPT`]).
    pub lines: VecDeque<(ExecutionStepId, StepLogLine)>,
}

impl Known {
    /// Whether the execution may still move: it is not over, or a step still runs.
    pub fn may_go_on(&self) -> bool {
        self.detail.summary.state.is_live()
            || self
                .detail
                .steps
                .iter()
                .any(|s| s.status == crate::domain::execution::StepStatus::Running)
    }

    /// Applies one event, when it follows on; `false` when it leaves a gap (the book no
    /// longer knows the execution for sure).
    fn apply(&mut self, event: &ExecutionEvent) -> bool {
        let last = self.detail.summary.last_seq;
        if event.seq <= last {
            return true;
        }
        if event.seq != last + 1 {
            return false;
        }
        match &event.change {
            Change::Execution(summary) => self.detail.summary = summary.clone(),
            Change::Step(step) => {
                if let Some(known) = self.detail.steps.iter_mut().find(|s| s.id == step.id) {
                    *known = step.clone();
                }
            }
            Change::Logged { step, line } => {
                if self.lines.len() >= LINES_KEPT {
                    self.lines.pop_front();
                }
                self.lines.push_back((*step, line.clone()));
            }
            Change::Commented(comment) => self.detail.comments.push(comment.clone()),
            Change::Called { step, call } => {
                match self
                    .calls
                    .iter_mut()
                    .find(|(_, c)| c.idempotency_key == call.idempotency_key)
                {
                    Some((_, known)) => *known = call.clone(),
                    None => self.calls.push((*step, call.clone())),
                }
            }
        }
        self.detail.summary.last_seq = event.seq;
        true
    }
}

/// The book, shared by every clone.
#[derive(Debug, Clone)]
pub struct Book {
    held: Arc<Mutex<HashMap<ExecutionId, Held>>>,
    writes: Arc<Mutex<Writes>>,
    /// Woken when the last MySQL write in flight ends.
    settled: Arc<Notify>,
    /// Ids for log lines and calls made while degraded (MySQL gives them theirs at
    /// reconcile): above any id MySQL gives, and rising across restarts.
    local_ids: Arc<AtomicU64>,
}

impl Default for Book {
    fn default() -> Self {
        let start = (1u64 << 62) + Utc::now().timestamp_micros().unsigned_abs();
        Self {
            held: Arc::default(),
            writes: Arc::default(),
            settled: Arc::default(),
            local_ids: Arc::new(AtomicU64::new(start)),
        }
    }
}

/// MySQL writes of executions: whether they may start, and which are in flight.
#[derive(Debug, Default)]
struct Writes {
    closed: bool,
    in_flight: HashMap<ExecutionId, usize>,
}

/// A MySQL write of one execution in flight: the switch to degraded mode waits for it.
#[derive(Debug)]
pub struct SqlWrite {
    book: Book,
    execution: ExecutionId,
}

impl Drop for SqlWrite {
    fn drop(&mut self) {
        let mut writes = self.book.writes();
        if let Some(count) = writes.in_flight.get_mut(&self.execution) {
            *count -= 1;
            if *count == 0 {
                writes.in_flight.remove(&self.execution);
            }
        }
        if writes.in_flight.is_empty() {
            self.book.settled.notify_waiters();
        }
    }
}

impl Book {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ExecutionId, Held>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn writes(&self) -> std::sync::MutexGuard<'_, Writes> {
        self.writes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a MySQL write of `execution` (hold the answer until its events are
    /// applied); `None` once the book is closed to MySQL writes (degraded mode).
    pub fn sql_write(&self, execution: ExecutionId) -> Option<SqlWrite> {
        let mut writes = self.writes();
        if writes.closed {
            return None;
        }
        *writes.in_flight.entry(execution).or_default() += 1;
        Some(SqlWrite {
            book: self.clone(),
            execution,
        })
    }

    /// No MySQL write starts from now on (degraded mode).
    pub fn close_sql(&self) {
        self.writes().closed = true;
    }

    /// MySQL writes start again (normal mode).
    pub fn open_sql(&self) {
        self.writes().closed = false;
    }

    /// Waits, at most `limit`, for the MySQL writes in flight to end. The book forgets
    /// what it knew of executions whose write is still in flight then (it cannot know
    /// whether MySQL has it), so they are not driven from memory; returns them.
    pub async fn settle(&self, limit: Duration) -> Vec<ExecutionId> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let settled = self.settled.notified();
            let unsure: Vec<ExecutionId> = self.writes().in_flight.keys().copied().collect();
            if unsure.is_empty() {
                return unsure;
            }
            if tokio::time::timeout_at(deadline, settled).await.is_err() {
                let mut held = self.lock();
                for id in &unsure {
                    if let Some(h) = held.get_mut(id) {
                        h.known = None;
                    }
                }
                return unsure;
            }
        }
    }

    /// A book that knows `saved` (what [`Book::all`] gave before a restart), closed to
    /// MySQL writes.
    pub fn restored(saved: Vec<(ExecutionId, Held)>) -> Self {
        let book = Self::default();
        book.close_sql();
        *book.lock() = saved.into_iter().collect();
        book
    }

    /// The lease of `execution` was granted with `token`, and holds until `lease_until`.
    pub fn hold(&self, execution: ExecutionId, token: u64, lease_until: DateTime<Utc>) {
        let mut held = self.lock();
        // What it knew stays: the engine's next read checks it against MySQL.
        let known = held.remove(&execution).and_then(|h| h.known);
        held.insert(
            execution,
            Held {
                token,
                lease_until,
                known,
            },
        );
    }

    /// The lease held with `token` was renewed: it holds until `lease_until`.
    pub fn renewed(&self, execution: ExecutionId, token: u64, lease_until: DateTime<Utc>) {
        if let Some(held) = self.lock().get_mut(&execution)
            && held.token == token
        {
            held.lease_until = lease_until;
        }
    }

    /// The lease held with `token` was given back (the runner had nothing to do). An
    /// execution that is over leaves the book; one that may go on (paused, blocked,
    /// waiting for a person) stays, its lease lapsed, so that it can be watched while
    /// degraded — and driven again only by an admin's hand switch.
    pub fn let_go(&self, execution: ExecutionId, token: u64) {
        let mut held = self.lock();
        let Some(h) = held.get_mut(&execution).filter(|h| h.token == token) else {
            return;
        };
        match h.known.as_ref().is_some_and(Known::may_go_on) {
            true => h.lease_until = Utc::now(),
            false => {
                held.remove(&execution);
            }
        }
    }

    /// Forgets `execution` (it is over, or gone).
    pub fn forget(&self, execution: ExecutionId) {
        self.lock().remove(&execution);
    }

    /// The fencing token of the lease held on `execution`, without copying what the book
    /// knows of it.
    pub fn token(&self, execution: ExecutionId) -> Option<u64> {
        self.lock().get(&execution).map(|h| h.token)
    }

    pub fn held(&self, execution: ExecutionId) -> Option<Held> {
        self.lock().get(&execution).cloned()
    }

    /// The number of the latest event the book knows of `execution`, if it knows it.
    pub fn known_seq(&self, execution: ExecutionId) -> Option<u64> {
        self.lock()
            .get(&execution)?
            .known
            .as_ref()
            .map(|k| k.detail.summary.last_seq)
    }

    /// Keeps `known` as what the lease held with `token` covers.
    pub fn know(&self, execution: ExecutionId, token: u64, known: Known) {
        if let Some(held) = self.lock().get_mut(&execution)
            && held.token == token
        {
            held.known = Some(known);
        }
    }

    /// Applies committed (or journaled) events to the executions the book knows; one
    /// that leaves a gap makes the book forget that execution's detail (it is read again).
    pub fn apply(&self, events: &[ExecutionEvent]) {
        let mut held = self.lock();
        for event in events {
            if let Some(h) = held.get_mut(&event.execution_id)
                && let Some(known) = h.known.as_mut()
                && !known.apply(event)
            {
                h.known = None;
            }
        }
    }

    /// Every execution held.
    pub fn all(&self) -> Vec<(ExecutionId, Held)> {
        let mut all: Vec<_> = self.lock().iter().map(|(id, h)| (*id, h.clone())).collect();
        all.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        all
    }

    /// A new id for a log line or call made while degraded.
    pub fn local_id(&self) -> u64 {
        self.local_ids.fetch_add(1, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::examples;

    fn known(id: u64, last_seq: u64) -> Known {
        let step = examples::step(3);
        Known {
            run_key: format!("run-{id}"),
            step_keys: HashMap::from([(step.id, "step-3".to_owned())]),
            detail: ExecutionDetail {
                summary: examples::summary(id, last_seq),
                steps: vec![step],
                comments: Vec::new(),
            },
            calls: Vec::new(),
            lines: VecDeque::new(),
        }
    }

    fn book_holding(id: u64) -> Book {
        let book = Book::default();
        let execution = ExecutionId(id);
        book.hold(execution, 4, Utc::now());
        book.know(execution, 4, known(id, 2));
        book
    }

    #[tokio::test]
    async fn the_switch_waits_for_writes_in_flight_and_forgets_what_it_cannot_be_sure_of() {
        let book = book_holding(7);
        let writing = book.sql_write(ExecutionId(7)).unwrap();
        book.close_sql();
        assert!(book.sql_write(ExecutionId(8)).is_none(), "closed to MySQL");

        // The write ends while the switch waits: the book still knows the execution.
        let ends = tokio::spawn(async move { drop(writing) });
        assert!(book.settle(Duration::from_secs(10)).await.is_empty());
        ends.await.unwrap();
        assert!(book.held(ExecutionId(7)).unwrap().known.is_some());

        // A write that does not end in time: the book forgets what it knew.
        book.open_sql();
        let _stuck = book.sql_write(ExecutionId(7)).unwrap();
        book.close_sql();
        let unsure = book.settle(Duration::from_millis(50)).await;
        assert_eq!(unsure, [ExecutionId(7)]);
        assert!(book.held(ExecutionId(7)).unwrap().known.is_none());
    }

    #[test]
    fn a_saved_book_comes_back_whole_and_closed_to_mysql() {
        let book = book_holding(7);
        let saved = serde_json::to_string(&book.all()).unwrap();
        let restored = Book::restored(serde_json::from_str(&saved).unwrap());
        let held = restored.held(ExecutionId(7)).unwrap();
        assert_eq!(held.token, 4);
        let known = held.known.unwrap();
        assert_eq!(known.step_keys, self::known(7, 2).step_keys);
        assert_eq!(known.detail.summary.last_seq, 2);
        assert!(restored.sql_write(ExecutionId(7)).is_none());
    }
}
