//! DR plans (容灾预案): phases of ordered steps, the lifecycle of a plan and its versions,
//! and the rules a plan must meet — checked the same way in the browser and on the server.

pub mod diff;
pub mod document;
pub mod lifecycle;
pub mod readiness;
mod validate;

pub use validate::step_field;

use crate::domain::choice::choice;
use crate::domain::ids::{PlanId, PlanVersionId};
use crate::domain::step::ParamKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashSet};

/// The most steps one phase may hold.
pub const MAX_STEPS_PER_PHASE: usize = 200;

choice! {
    /// The two halves of a plan: moving away from the failed site, and moving back.
    Phase {
        /// 容灾切换: required, at least one step.
        Switchover = "switchover", "Switchover";
        /// 容灾恢复: optional.
        Recovery = "recovery", "Recovery";
    }
}

choice! {
    /// Where a plan stands. Only an active plan can be executed.
    PlanStatus {
        /// Never approved; its draft is being written.
        Draft = "draft", "Draft";
        /// Never approved; its draft waits for a reviewer.
        InReview = "in_review", "In review";
        /// An approved version runs (生效), whatever drafts are in the works.
        Active = "active", "Active";
        /// Deactivated: nothing runs until a version is approved again.
        Inactive = "inactive", "Inactive";
    }
}

impl PlanStatus {
    /// The status a plan has, from whether a version is active (`active`), whether it was
    /// ever deactivated since (`deactivated`), and the state of its working version.
    pub fn of(active: bool, deactivated: bool, working: Option<VersionState>) -> Self {
        match (active, deactivated, working) {
            (true, _, _) => Self::Active,
            (false, true, _) => Self::Inactive,
            (false, false, Some(VersionState::InReview)) => Self::InReview,
            (false, false, _) => Self::Draft,
        }
    }
}

choice! {
    /// Where one version of a plan stands. An approved version never changes again.
    VersionState {
        Draft = "draft", "Draft";
        InReview = "in_review", "In review";
        Approved = "approved", "Approved";
    }
}

choice! {
    /// What a reviewer decided about a version.
    ReviewDecision {
        Approved = "approved", "Approved";
        Rejected = "rejected", "Rejected";
        /// The plan was taken out of service while this version was active.
        Deactivated = "deactivated", "Deactivated";
    }
}

/// One step of a phase: a step type of the catalog and the values of its parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStep {
    /// Stays with the step across edits, versions, clones and exports, so a review diff
    /// can tell a moved step from a new one. Left empty, the server assigns one.
    #[serde(default)]
    pub key: String,
    pub opcode: String,
    /// What the operator reads in the run; empty means the step type's name.
    #[serde(default)]
    pub title: String,
    /// Values by parameter name; product groups and clusters by name.
    #[serde(default)]
    pub params: Map<String, Value>,
}

/// Everything a version of a plan says: what is reviewed, exported and run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub name: String,
    pub description: String,
    /// The recovery-time target (RTO) in minutes: how long the switchover may take, from
    /// its start until the service runs in the emergency data center. Optional.
    #[serde(default)]
    pub rto_minutes: Option<u32>,
    pub switchover: Vec<PlanStep>,
    pub recovery: Vec<PlanStep>,
}

/// The longest recovery-time target a plan may set: a week.
pub const MAX_RTO_MINUTES: u32 = 7 * 24 * 60;

/// The names steps may refer to: what the Environment holds now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRefs {
    pub product_groups: BTreeSet<String>,
    pub database_clusters: BTreeSet<String>,
}

impl PlanContent {
    pub fn steps(&self, phase: Phase) -> &[PlanStep] {
        match phase {
            Phase::Switchover => &self.switchover,
            Phase::Recovery => &self.recovery,
        }
    }

    pub fn steps_mut(&mut self, phase: Phase) -> &mut Vec<PlanStep> {
        match phase {
            Phase::Switchover => &mut self.switchover,
            Phase::Recovery => &mut self.recovery,
        }
    }

    /// A key no step of this plan uses yet.
    pub fn fresh_key(&self) -> String {
        let used: HashSet<&str> = self.all_steps().map(|s| s.key.as_str()).collect();
        (1..)
            .map(|n| format!("s{n}"))
            .find(|key| !used.contains(key.as_str()))
            .unwrap_or_default()
    }

    fn all_steps(&self) -> impl Iterator<Item = &PlanStep> {
        self.switchover.iter().chain(self.recovery.iter())
    }

    /// Gives every step without a key a fresh one.
    pub fn assign_missing_keys(&mut self) {
        for phase in Phase::ALL {
            for index in 0..self.steps(phase).len() {
                if self.steps(phase)[index].key.trim().is_empty() {
                    let key = self.fresh_key();
                    self.steps_mut(phase)[index].key = key;
                }
            }
        }
    }
}

/// A parameter value as a form shows it.
pub fn param_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A form field's text as the value a parameter of `kind` takes; the check then says
/// whether it fits. Empty text means "not given".
pub fn param_value(kind: &ParamKind, text: &str) -> Value {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Value::Null;
    }
    match kind {
        ParamKind::Integer { .. } => trimmed
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_owned())),
        _ => Value::String(text.to_owned()),
    }
}

/// A plan as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: PlanId,
    pub name: String,
    pub description: String,
    pub status: PlanStatus,
    /// The version being written or reviewed, when there is one.
    pub working: Option<VersionState>,
    /// Steps of the newest version (the working one if any, else the active one).
    pub switchover_steps: u32,
    pub recovery_steps: u32,
    /// UTC.
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    /// Optimistic concurrency: every change names the version it was made from.
    pub revision: u32,
}

choice! {
    /// The list's status filter.
    StatusFilter {
        All = "all", "All statuses";
        Draft = "draft", "Draft";
        /// Any plan with a version waiting for a reviewer, active or not.
        AwaitingReview = "awaiting_review", "Awaiting review";
        Active = "active", "Active";
        Inactive = "inactive", "Inactive";
    }
}

impl PlanSummary {
    /// Whether the plan matches a search (name or description, ignoring case) and filter.
    pub fn matches(&self, query: &str, filter: StatusFilter) -> bool {
        let query = query.trim().to_lowercase();
        let status = match filter {
            StatusFilter::All => true,
            StatusFilter::Draft => self.status == PlanStatus::Draft,
            StatusFilter::AwaitingReview => self.working == Some(VersionState::InReview),
            StatusFilter::Active => self.status == PlanStatus::Active,
            StatusFilter::Inactive => self.status == PlanStatus::Inactive,
        };
        status
            && (query.is_empty()
                || self.name.to_lowercase().contains(&query)
                || self.description.to_lowercase().contains(&query))
    }
}

/// A reviewer's decision on one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReview {
    pub version_number: u32,
    pub reviewer: String,
    pub decision: ReviewDecision,
    pub comment: String,
    /// UTC.
    pub at: DateTime<Utc>,
}

/// One version of a plan with everything it says and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub id: PlanVersionId,
    pub number: u32,
    pub state: VersionState,
    pub content: PlanContent,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Everyone who changed this version; none of them may approve it.
    pub editors: Vec<String>,
}

/// A plan with all its versions (newest first) and every review decision (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub plan: PlanSummary,
    /// The number of the version that runs, if any.
    pub active_version: Option<u32>,
    pub versions: Vec<PlanVersion>,
    pub reviews: Vec<PlanReview>,
}

impl PlanDetail {
    /// The version that runs.
    pub fn active(&self) -> Option<&PlanVersion> {
        let number = self.active_version?;
        self.versions.iter().find(|v| v.number == number)
    }

    /// The version being written or reviewed.
    pub fn working(&self) -> Option<&PlanVersion> {
        self.versions
            .iter()
            .find(|v| v.state != VersionState::Approved)
    }

    /// What an editor starts from: the working version, else the active one, else the newest.
    pub fn latest(&self) -> Option<&PlanVersion> {
        self.working()
            .or_else(|| self.active())
            .or_else(|| self.versions.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    use crate::domain::step::builtin_step_types;
    use serde_json::json;

    fn refs() -> PlanRefs {
        PlanRefs {
            product_groups: ["Payments".to_owned()].into(),
            database_clusters: ["orders-db".to_owned()].into(),
        }
    }

    fn step(opcode: &str, params: Value) -> PlanStep {
        PlanStep {
            key: String::new(),
            opcode: opcode.to_owned(),
            title: String::new(),
            params: params.as_object().unwrap().clone(),
        }
    }

    fn plan(switchover: Vec<PlanStep>, recovery: Vec<PlanStep>) -> PlanContent {
        PlanContent {
            name: " Power loss ".to_owned(),
            description: String::new(),
            rto_minutes: None,
            switchover,
            recovery,
        }
    }

    #[test]
    fn a_valid_plan_is_cleaned_and_keyed() {
        let valid = plan(
            vec![
                step(
                    "traffic.cut",
                    json!({"product_group": "Payments", "drain_seconds": null}),
                ),
                step("db.switchover", json!({"cluster": " orders-db "})),
            ],
            vec![step("wait", json!({"seconds": 30}))],
        )
        .validate(builtin_step_types(), &refs())
        .unwrap();
        assert_eq!(valid.name, "Power loss");
        assert_eq!(
            valid.switchover[1].params.get("cluster"),
            Some(&json!("orders-db"))
        );
        assert!(!valid.switchover[0].params.contains_key("drain_seconds"));
        let keys: Vec<&str> = valid
            .switchover
            .iter()
            .chain(&valid.recovery)
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(keys, ["s1", "s2", "s3"]);
    }

    #[test]
    fn every_problem_sits_next_to_its_step_and_field() {
        let errors = plan(
            vec![],
            vec![
                step("wait", json!({"seconds": 0, "colour": "red"})),
                step("traffic.cut", json!({"product_group": "Nope"})),
                step("teleport", json!({})),
                step(
                    "app.restart",
                    json!({"product_group": "Payments", "site": "moon"}),
                ),
            ],
        )
        .validate(builtin_step_types(), &refs())
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("switchover", "needs at least one step"),
                ("recovery[0].params.colour", "is not a parameter of Wait"),
                ("recovery[0].params.seconds", "must be between 1 and 86400"),
                (
                    "recovery[1].params.product_group",
                    "there is no product group named \"Nope\""
                ),
                ("recovery[2].opcode", "there is no step type \"teleport\""),
                ("recovery[3].params.site", "must be failed or emergency"),
            ]
        );
    }

    #[test]
    fn required_parameters_and_duplicate_keys_are_refused() {
        let mut first = step("traffic.cut", json!({"product_group": ""}));
        first.key = "a".into();
        let mut second = step("wait", json!({"seconds": 5}));
        second.key = "A".into();
        let errors = plan(vec![first, second], vec![])
            .validate(builtin_step_types(), &refs())
            .unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("switchover[0].params.product_group", "is required"),
                FieldError::new("switchover[1].key", "A is the key of another step too"),
            ]
        );
    }

    #[test]
    fn form_text_becomes_the_parameter_value() {
        let integer = ParamKind::Integer { min: 0, max: 9 };
        assert_eq!(param_value(&integer, " 7 "), json!(7));
        assert_eq!(param_value(&integer, "seven"), json!("seven"));
        assert_eq!(param_value(&integer, "  "), Value::Null);
        assert_eq!(param_text(Some(&json!(7))), "7");
        assert_eq!(param_text(Some(&json!("Payments"))), "Payments");
    }

    #[test]
    fn status_follows_the_active_version_then_the_working_one() {
        use VersionState::*;
        assert_eq!(PlanStatus::of(false, false, Some(Draft)), PlanStatus::Draft);
        assert_eq!(
            PlanStatus::of(false, false, Some(InReview)),
            PlanStatus::InReview
        );
        assert_eq!(
            PlanStatus::of(true, false, Some(InReview)),
            PlanStatus::Active
        );
        assert_eq!(
            PlanStatus::of(false, true, Some(Draft)),
            PlanStatus::Inactive
        );
        for status in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(status.as_str()), Some(status));
        }
    }
}
