//! The parts of the execution pages (预案执行单): the header, the controls, the phase tabs
//! with their steps and each step's log, the clock and the live status they share, and
//! the dialog that creates an execution from a plan.

pub mod clock;
pub mod comments;
pub mod controls;
pub mod drill_reset;
pub mod header;
pub mod live;
pub mod new_execution;
pub mod phases;
pub mod pre_check;
pub mod recovery_time;
pub mod step_controls;
pub mod step_log;
pub mod step_row;
pub mod toolbar;

use crate::domain::execution::view::ExecutionDetail;
use crate::domain::execution::{ExecutionState, Trigger};
use crate::domain::ids::ExecutionId;
use crate::domain::role::{Action, Role};
use crate::live_client::LiveStatus;
use chrono::{DateTime, Utc};
use controls::Controls;
use leptos::prelude::*;
use step_log::Records;

/// What every part of one execution's page reads: the execution (kept current by the
/// live channel and by the controls' answers), who is looking, and the page's clock.
#[derive(Clone, Copy)]
pub struct Page {
    pub id: ExecutionId,
    /// The page's one copy of the execution.
    pub detail: RwSignal<Option<ExecutionDetail>>,
    /// Its state; parts that depend on nothing else follow this, not every event.
    pub state: Memo<ExecutionState>,
    /// `None` when nobody is signed in (the page then shows no controls).
    pub role: Option<Role>,
    pub live: RwSignal<LiveStatus>,
    pub now: ReadSignal<Option<DateTime<Utc>>>,
    pub records: Records,
    pub controls: Controls,
    /// Buttons act only once the page runs in the browser.
    pub hydrated: RwSignal<bool>,
}

impl Page {
    /// Whether the role may do `action` (the server refuses the others anyway).
    pub fn can(&self, action: Action) -> bool {
        self.role.is_some_and(|role| action.allowed_for(role))
    }

    /// Whether the role may do `action` and the state table allows `trigger` now.
    pub fn may(&self, action: Action, trigger: Trigger) -> bool {
        self.can(action) && self.state.get().next(trigger).is_ok()
    }

    /// Whether buttons must wait: before hydration, or while a command is on its way.
    pub fn busy(&self) -> bool {
        !self.hydrated.get() || self.controls.pending()
    }
}
