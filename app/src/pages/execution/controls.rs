//! An operator's controls of one execution: each is a server action whose answer, the
//! execution as it is now, replaces the page's copy at once (the live channel would bring
//! the same a moment later). A refusal is kept to show next to the controls that asked:
//! the execution's own (start, pause, resume, cancel) or one step's.

use crate::api::executions::{
    AbandonStep, CancelExecution, ConfirmStep, MarkStepDone, PauseExecution, ResumeExecution,
    RetryStep, SkipStep, StartExecution,
};
use crate::domain::execution::view::{ExecutionDetail, ExecutionStepId};
use crate::domain::ids::ExecutionId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_navigate;

/// Puts `fresh` in the page unless the page holds a newer word on the same execution
/// (an event that overtook the answer).
pub fn keep_newest(detail: RwSignal<Option<ExecutionDetail>>, fresh: ExecutionDetail) {
    let older = detail.with_untracked(|held| {
        held.as_ref().is_some_and(|held| {
            held.summary.id == fresh.summary.id && held.summary.last_seq > fresh.summary.last_seq
        })
    });
    if !older {
        detail.set(Some(fresh));
    }
}

/// The page's server actions and their refusals.
#[derive(Clone, Copy)]
pub struct Controls {
    start: ServerAction<StartExecution>,
    pause: ServerAction<PauseExecution>,
    resume: ServerAction<ResumeExecution>,
    cancel: ServerAction<CancelExecution>,
    retry: ServerAction<RetryStep>,
    skip: ServerAction<SkipStep>,
    mark_done: ServerAction<MarkStepDone>,
    abandon: ServerAction<AbandonStep>,
    confirm: ServerAction<ConfirmStep>,
    /// The last refusal of start, pause, resume or cancel.
    pub error: RwSignal<Option<AppError>>,
    /// The step the last step command was about, and its refusal.
    acted_on: RwSignal<Option<ExecutionStepId>>,
    step_error: RwSignal<Option<AppError>>,
}

/// Follows `action`'s answers: the execution into the page, a refusal into `error`.
fn follow<S>(
    action: ServerAction<S>,
    detail: RwSignal<Option<ExecutionDetail>>,
    error: RwSignal<Option<AppError>>,
) where
    S: ServerFn<Output = ExecutionDetail, Error = AppError> + Clone + Send + Sync + 'static,
{
    Effect::new(move || match action.value().get() {
        Some(Ok(fresh)) => {
            error.set(None);
            keep_newest(detail, fresh);
        }
        Some(Err(refusal)) => error.set(Some(refusal)),
        None => {}
    });
}

impl Controls {
    /// The actions of a page that holds its execution in `detail`; a cancel that removes
    /// the execution (it never started) leads to the executions list.
    pub fn new(detail: RwSignal<Option<ExecutionDetail>>) -> Self {
        let this = Self {
            start: ServerAction::new(),
            pause: ServerAction::new(),
            resume: ServerAction::new(),
            cancel: ServerAction::new(),
            retry: ServerAction::new(),
            skip: ServerAction::new(),
            mark_done: ServerAction::new(),
            abandon: ServerAction::new(),
            confirm: ServerAction::new(),
            error: RwSignal::new(None),
            acted_on: RwSignal::new(None),
            step_error: RwSignal::new(None),
        };
        follow(this.start, detail, this.error);
        follow(this.pause, detail, this.error);
        follow(this.resume, detail, this.error);
        follow(this.retry, detail, this.step_error);
        follow(this.skip, detail, this.step_error);
        follow(this.mark_done, detail, this.step_error);
        follow(this.abandon, detail, this.step_error);
        follow(this.confirm, detail, this.step_error);
        let navigate = use_navigate();
        let error = this.error;
        let cancel = this.cancel;
        Effect::new(move || match cancel.value().get() {
            Some(Ok(Some(fresh))) => {
                error.set(None);
                keep_newest(detail, fresh);
            }
            Some(Ok(None)) => navigate("/executions", Default::default()),
            Some(Err(refusal)) => error.set(Some(refusal)),
            None => {}
        });
        this
    }

    /// Whether any command is on its way: the buttons wait for its answer.
    pub fn pending(&self) -> bool {
        self.start.pending().get()
            || self.pause.pending().get()
            || self.resume.pending().get()
            || self.cancel.pending().get()
            || self.retry.pending().get()
            || self.skip.pending().get()
            || self.mark_done.pending().get()
            || self.abandon.pending().get()
            || self.confirm.pending().get()
    }

    /// The last refusal of a command about `step`.
    pub fn step_error(&self, step: ExecutionStepId) -> Signal<Option<AppError>> {
        let this = *self;
        Signal::derive(move || {
            if this.acted_on.get() == Some(step) {
                this.step_error.get()
            } else {
                None
            }
        })
    }

    /// Starts switchover (a created execution) or recovery (switchover done).
    pub fn start(&self, id: ExecutionId) {
        self.error.set(None);
        self.start.dispatch(StartExecution { id });
    }

    pub fn pause(&self, id: ExecutionId) {
        self.error.set(None);
        self.pause.dispatch(PauseExecution { id });
    }

    pub fn resume(&self, id: ExecutionId) {
        self.error.set(None);
        self.resume.dispatch(ResumeExecution { id });
    }

    pub fn cancel(&self, id: ExecutionId) {
        self.error.set(None);
        self.cancel.dispatch(CancelExecution { id });
    }

    fn about(&self, step: ExecutionStepId) {
        self.acted_on.set(Some(step));
        self.step_error.set(None);
    }

    pub fn retry(&self, id: ExecutionId, step: ExecutionStepId) {
        self.about(step);
        self.retry.dispatch(RetryStep { id, step });
    }

    pub fn skip(&self, id: ExecutionId, step: ExecutionStepId, reason: String) {
        self.about(step);
        self.skip.dispatch(SkipStep { id, step, reason });
    }

    pub fn mark_done(&self, id: ExecutionId, step: ExecutionStepId, reason: String) {
        self.about(step);
        self.mark_done.dispatch(MarkStepDone { id, step, reason });
    }

    pub fn abandon(&self, id: ExecutionId, step: ExecutionStepId, reason: String) {
        self.about(step);
        self.abandon.dispatch(AbandonStep { id, step, reason });
    }

    pub fn confirm(&self, id: ExecutionId, step: ExecutionStepId) {
        self.about(step);
        self.confirm.dispatch(ConfirmStep { id, step });
    }

    /// Shows `refusal` next to `step`'s controls (the form's own check, before sending).
    pub fn refuse_step(&self, step: ExecutionStepId, refusal: AppError) {
        self.acted_on.set(Some(step));
        self.step_error.set(Some(refusal));
    }
}
