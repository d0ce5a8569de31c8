//! The state of the plan form: the plan's fields and each phase's steps, as signals.

use crate::domain::plan::{Phase, PlanContent, PlanStep, param_text, param_value};
use crate::domain::step::{ParamDef, StepType};
use leptos::prelude::*;

/// One step being edited; its fields have signals of their own so typing keeps focus.
#[derive(Clone)]
pub(super) struct StepRow {
    pub(super) key: String,
    pub(super) opcode: String,
    pub(super) title: RwSignal<String>,
    /// The text of each parameter field, in the catalog's order.
    pub(super) params: Vec<(ParamDef, RwSignal<String>)>,
}

impl StepRow {
    fn new(step: &PlanStep, catalog: &[StepType]) -> Self {
        let defs = catalog
            .iter()
            .find(|t| t.opcode == step.opcode)
            .map(|t| t.params.clone())
            .unwrap_or_default();
        Self {
            key: step.key.clone(),
            opcode: step.opcode.clone(),
            title: RwSignal::new(step.title.clone()),
            params: defs
                .into_iter()
                .map(|def| {
                    let text = param_text(step.params.get(&def.name));
                    (def, RwSignal::new(text))
                })
                .collect(),
        }
    }

    fn to_step(&self) -> PlanStep {
        PlanStep {
            key: self.key.clone(),
            opcode: self.opcode.clone(),
            title: self.title.get(),
            params: self
                .params
                .iter()
                .map(|(def, text)| (def.name.clone(), param_value(&def.kind, &text.get())))
                .filter(|(_, value)| !value.is_null())
                .collect(),
        }
    }
}

/// Everything the form holds.
#[derive(Clone, Copy)]
pub(super) struct Draft {
    pub(super) name: RwSignal<String>,
    pub(super) description: RwSignal<String>,
    /// The recovery-time target in minutes, as typed.
    pub(super) rto_minutes: RwSignal<String>,
    switchover: RwSignal<Vec<StepRow>>,
    recovery: RwSignal<Vec<StepRow>>,
    /// Whether anything changed since the form opened or was saved.
    pub(super) dirty: RwSignal<bool>,
}

impl Draft {
    pub(super) fn new(content: &PlanContent, catalog: &[StepType]) -> Self {
        let rows = |steps: &[PlanStep]| steps.iter().map(|s| StepRow::new(s, catalog)).collect();
        Self {
            name: RwSignal::new(content.name.clone()),
            description: RwSignal::new(content.description.clone()),
            rto_minutes: RwSignal::new(
                content
                    .rto_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            ),
            switchover: RwSignal::new(rows(&content.switchover)),
            recovery: RwSignal::new(rows(&content.recovery)),
            dirty: RwSignal::new(false),
        }
    }

    pub(super) fn rows(&self, phase: Phase) -> RwSignal<Vec<StepRow>> {
        match phase {
            Phase::Switchover => self.switchover,
            Phase::Recovery => self.recovery,
        }
    }

    pub(super) fn content(&self) -> PlanContent {
        let steps =
            |rows: RwSignal<Vec<StepRow>>| rows.get().iter().map(StepRow::to_step).collect();
        PlanContent {
            name: self.name.get(),
            description: self.description.get(),
            rto_minutes: typed_minutes(&self.rto_minutes.get()),
            switchover: steps(self.switchover),
            recovery: steps(self.recovery),
        }
    }

    pub(super) fn add(&self, phase: Phase, step_type: &StepType, catalog: &[StepType]) {
        let step = PlanStep {
            key: self.content().fresh_key(),
            opcode: step_type.opcode.clone(),
            ..Default::default()
        };
        self.rows(phase)
            .update(|rows| rows.push(StepRow::new(&step, catalog)));
        self.dirty.set(true);
    }

    /// Moves the step `key` to position `to` of its phase.
    pub(super) fn move_to(&self, phase: Phase, key: &str, to: usize) {
        self.rows(phase).update(|rows| {
            if let Some(from) = rows.iter().position(|r| r.key == key) {
                let row = rows.remove(from);
                rows.insert(to.min(rows.len()), row);
            }
        });
        self.dirty.set(true);
    }
}

/// A typed target: empty is none; what is not a whole number of minutes becomes 0, which
/// the plan check refuses next to the field with the rule.
fn typed_minutes(text: &str) -> Option<u32> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(0))
}
