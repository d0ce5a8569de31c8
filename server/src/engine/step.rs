//! What a step's code works with while it runs: its execution's fence, its attempt, a
//! durable log that everyone watching sees grow, and the idempotency keys of its calls —
//! with what earlier attempts (or this one, before a restart) left to ask about.

use super::Engine;
use super::step_records::StepRecords;
use app::domain::execution::view::{CallStatus, LogLevel, StepCall};
use app::domain::plan::Phase;
use app::store::StoreError;
use app::store::executions::leases::Fence;
use app::store::executions::run::{self, Run, RunStep};
use app::store::executions::step_records::Write;
use app::store::executions::transitions::StepEnd;
use tokio::sync::OnceCell;

/// How a step's code ends: with the step's end, or with the engine unable to keep its
/// own records (the database did not answer). Then the step stays running and is carried
/// out again shortly, asking about its calls by their keys as after a restart.
pub(super) type Outcome = Result<StepEnd, StoreError>;

/// One attempt of one step, running.
pub(super) struct StepRun<'a> {
    pub engine: &'a Engine,
    pub fence: Fence,
    /// The execution: its random id is part of every key, so no other installation, and
    /// no database restored from a backup, ever sends the same key; a drill calls only
    /// test (simulator) configs.
    pub run: &'a Run,
    pub step: &'a RunStep,
    pub attempt: u32,
    /// The step was found running (after a restart, or after the engine could not
    /// record something): its calls are asked about again by their keys.
    pub recovering: bool,
    /// Where the step's log lines and call records are written.
    pub records: &'a StepRecords,
    /// Every call the step made before, in any attempt: read once, when needed.
    earlier: OnceCell<Vec<StepCall>>,
}

impl<'a> StepRun<'a> {
    pub fn new(
        engine: &'a Engine,
        fence: Fence,
        run: &'a Run,
        step: &'a RunStep,
        attempt: u32,
        recovering: bool,
        records: &'a StepRecords,
    ) -> Self {
        Self {
            engine,
            fence,
            run,
            step,
            attempt,
            recovering,
            records,
            earlier: OnceCell::new(),
        }
    }

    /// Adds a line to the step's log (and sends it to watchers). The line is queued in
    /// the step's records: the step goes on while it is written, in order.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>) {
        self.records
            .queue(Write::Log {
                step: self.step.id,
                attempt: self.attempt,
                level,
                message: message.into(),
            })
            .await;
    }

    /// The idempotency key of the step's `n`-th call in this attempt: the same for the
    /// same call after a restart, different for another attempt or another execution.
    pub fn key(&self, n: usize) -> String {
        StepCall::key(&self.run.run_key, self.step.id, self.attempt, n)
    }

    pub fn phase(&self) -> Phase {
        self.step.phase
    }

    /// The recorded call that call `n` must be settled by before anything new is sent:
    /// after a restart, this attempt's own call `n`, whatever became of it; on a later
    /// attempt (an operator's Retry), call `n` of the latest earlier attempt that made it,
    /// unless that one failed (then the call is made anew). `None`: make the call anew.
    pub async fn earlier_call(&self, n: usize) -> Result<Option<StepCall>, StoreError> {
        if self.attempt <= 1 && !self.recovering {
            return Ok(None);
        }
        let calls = self
            .earlier
            .get_or_try_init(|| run::step_calls(&self.engine.store, self.step.id))
            .await?;
        // By the key's end rather than the whole key, so a call recorded before keys
        // carried the execution's random id is still found (and asked by its own key).
        let made = |attempt: u32| {
            let end = StepCall::key_end(attempt, n);
            calls
                .iter()
                .find(|c| c.attempt == attempt && c.idempotency_key.ends_with(&end))
        };
        if self.recovering
            && let Some(call) = made(self.attempt)
        {
            return Ok(Some(call.clone()));
        }
        Ok((1..self.attempt)
            .rev()
            .find_map(made)
            .filter(|call| call.status != CallStatus::Failed)
            .cloned())
    }
}
