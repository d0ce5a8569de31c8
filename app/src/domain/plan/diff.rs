//! The review diff: what changed between two versions of a plan, per phase — steps
//! added, removed, moved, and fields changed — laid out for a side-by-side view.
//!
//! Steps are matched by their key, which stays with a step across versions. Among the
//! steps both versions hold, the longest run kept in the same order counts as unmoved;
//! the others moved.

use super::{Phase, PlanContent, PlanStep, param_text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A step as one side of the diff shows it: its 1-based position and the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberedStep {
    pub position: u32,
    pub step: PlanStep,
}

/// How one step differs between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepChange {
    Unchanged,
    Added,
    Removed,
    /// Same step, other content.
    Changed,
}

/// One field of a step that differs: `title`, `opcode` or a parameter name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// Empty when the field was not set.
    pub old: String,
    pub new: String,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    pub change: StepChange,
    /// Whether the step changed its place relative to the steps around it.
    pub moved: bool,
    pub old: Option<NumberedStep>,
    pub new: Option<NumberedStep>,
    pub fields: Vec<FieldChange>,
}

impl DiffRow {
    pub fn is_unchanged(&self) -> bool {
        self.change == StepChange::Unchanged && !self.moved
    }
}

/// The rows of one phase, in the new version's order, removed steps where they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseDiff {
    pub phase: Phase,
    pub rows: Vec<DiffRow>,
}

/// Everything that differs between an old and a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDiff {
    /// The version numbers compared; `None` for a side with no version (nothing active yet).
    pub old_version: Option<u32>,
    pub new_version: Option<u32>,
    /// Name, description and recovery-time target changes, as fields.
    pub basics: Vec<FieldChange>,
    pub phases: Vec<PhaseDiff>,
}

impl PlanDiff {
    /// Whether the two versions say the same thing.
    pub fn is_empty(&self) -> bool {
        self.basics.is_empty()
            && self
                .phases
                .iter()
                .all(|phase| phase.rows.iter().all(DiffRow::is_unchanged))
    }

    /// How many rows of a kind, over both phases (for the summary line).
    pub fn count(&self, change: StepChange) -> usize {
        self.rows().filter(|row| row.change == change).count()
    }

    /// How many steps moved, over both phases.
    pub fn moved(&self) -> usize {
        self.rows().filter(|row| row.moved).count()
    }

    fn rows(&self) -> impl Iterator<Item = &DiffRow> {
        self.phases.iter().flat_map(|phase| phase.rows.iter())
    }
}

/// A recovery-time target as the diff shows it.
fn rto_label(minutes: Option<u32>) -> String {
    minutes.map_or_else(|| "none".to_owned(), |m| format!("{m} min"))
}

/// Compares `old` (the active version, or nothing) with `new` (the draft).
pub fn diff(old: Option<(u32, &PlanContent)>, new: Option<(u32, &PlanContent)>) -> PlanDiff {
    let empty = PlanContent::default();
    let old_content = old.map_or(&empty, |(_, content)| content);
    let new_content = new.map_or(&empty, |(_, content)| content);
    let mut basics = Vec::new();
    for (field, before, after) in [
        ("name", old_content.name.clone(), new_content.name.clone()),
        (
            "description",
            old_content.description.clone(),
            new_content.description.clone(),
        ),
        (
            "recovery-time target",
            rto_label(old_content.rto_minutes),
            rto_label(new_content.rto_minutes),
        ),
    ] {
        if before != after {
            basics.push(FieldChange {
                field: field.to_owned(),
                old: before,
                new: after,
            });
        }
    }
    PlanDiff {
        old_version: old.map(|(number, _)| number),
        new_version: new.map(|(number, _)| number),
        basics,
        phases: Phase::ALL
            .into_iter()
            .map(|phase| PhaseDiff {
                phase,
                rows: diff_steps(old_content.steps(phase), new_content.steps(phase)),
            })
            .collect(),
    }
}

fn diff_steps(old: &[PlanStep], new: &[PlanStep]) -> Vec<DiffRow> {
    let old_at: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.as_str(), i))
        .collect();
    let new_keys: HashSet<&str> = new.iter().map(|s| s.key.as_str()).collect();
    let common_old: Vec<&str> = old
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| new_keys.contains(k))
        .collect();
    let common_new: Vec<&str> = new
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| old_at.contains_key(k))
        .collect();
    let in_order = longest_common_subsequence(&common_old, &common_new);

    let numbered = |steps: &[PlanStep], i: usize| NumberedStep {
        position: i as u32 + 1,
        step: steps[i].clone(),
    };
    let mut rows = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if let Some(step) = old.get(i) {
            if !new_keys.contains(step.key.as_str()) {
                rows.push(DiffRow {
                    change: StepChange::Removed,
                    moved: false,
                    old: Some(numbered(old, i)),
                    new: None,
                    fields: Vec::new(),
                });
                i += 1;
                continue;
            }
            if !in_order.contains(step.key.as_str()) {
                // A moved step is shown where it is now, not where it was.
                i += 1;
                continue;
            }
        }
        let Some(step) = new.get(j) else {
            break;
        };
        let row = match old_at.get(step.key.as_str()) {
            None => DiffRow {
                change: StepChange::Added,
                moved: false,
                old: None,
                new: Some(numbered(new, j)),
                fields: Vec::new(),
            },
            Some(&before) => {
                let moved = !in_order.contains(step.key.as_str());
                if !moved {
                    i += 1;
                }
                let fields = field_changes(&old[before], step);
                DiffRow {
                    change: if fields.is_empty() {
                        StepChange::Unchanged
                    } else {
                        StepChange::Changed
                    },
                    moved,
                    old: Some(numbered(old, before)),
                    new: Some(numbered(new, j)),
                    fields,
                }
            }
        };
        rows.push(row);
        j += 1;
    }
    rows
}

fn field_changes(old: &PlanStep, new: &PlanStep) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut push = |field: &str, before: String, after: String| {
        if before != after {
            changes.push(FieldChange {
                field: field.to_owned(),
                old: before,
                new: after,
            });
        }
    };
    push("opcode", old.opcode.clone(), new.opcode.clone());
    push("title", old.title.clone(), new.title.clone());
    let names: BTreeSet<&String> = old.params.keys().chain(new.params.keys()).collect();
    for name in names {
        push(
            name,
            param_text(old.params.get(name)),
            param_text(new.params.get(name)),
        );
    }
    changes
}

/// The keys of the longest subsequence `a` and `b` share, in order.
fn longest_common_subsequence<'a>(a: &[&'a str], b: &[&'a str]) -> HashSet<&'a str> {
    let mut lengths = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut kept = HashSet::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            kept.insert(a[i]);
            i += 1;
            j += 1;
        } else if lengths[i][j + 1] >= lengths[i + 1][j] {
            // On a tie keep the earlier old step in place: the later one is said to move.
            j += 1;
        } else {
            i += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(key: &str, opcode: &str, params: serde_json::Value) -> PlanStep {
        PlanStep {
            key: key.to_owned(),
            opcode: opcode.to_owned(),
            title: String::new(),
            params: params.as_object().unwrap().clone(),
        }
    }

    fn content(switchover: Vec<PlanStep>) -> PlanContent {
        PlanContent {
            name: "Power loss".into(),
            description: String::new(),
            rto_minutes: None,
            switchover,
            recovery: Vec::new(),
        }
    }

    fn summary(rows: &[DiffRow]) -> Vec<(String, StepChange, bool)> {
        rows.iter()
            .map(|row| {
                let step = row.new.as_ref().or(row.old.as_ref()).unwrap();
                (step.step.key.clone(), row.change, row.moved)
            })
            .collect()
    }

    #[test]
    fn adds_removes_moves_and_changes_are_told_apart() {
        let old = content(vec![
            step("a", "wait", json!({"seconds": 5})),
            step("b", "traffic.cut", json!({"product_group": "Payments"})),
            step("c", "db.switchover", json!({"cluster": "orders-db"})),
            step("d", "manual.confirm", json!({"instruction": "call"})),
        ]);
        let new = content(vec![
            step("c", "db.switchover", json!({"cluster": "orders-db"})),
            step("a", "wait", json!({"seconds": 60})),
            step("e", "wait", json!({"seconds": 1})),
            step("d", "manual.confirm", json!({"instruction": "call"})),
        ]);
        let diff = diff(Some((1, &old)), Some((2, &new)));
        let rows = &diff.phases[0].rows;
        assert_eq!(
            summary(rows),
            [
                ("c".into(), StepChange::Unchanged, true),
                ("a".into(), StepChange::Changed, false),
                ("b".into(), StepChange::Removed, false),
                ("e".into(), StepChange::Added, false),
                ("d".into(), StepChange::Unchanged, false),
            ]
        );
        assert_eq!(
            rows[1].fields,
            [FieldChange {
                field: "seconds".into(),
                old: "5".into(),
                new: "60".into()
            }]
        );
        assert_eq!(rows[0].old.as_ref().unwrap().position, 3);
        assert_eq!(rows[0].new.as_ref().unwrap().position, 1);
        assert_eq!(
            (
                diff.count(StepChange::Added),
                diff.count(StepChange::Removed),
                diff.moved()
            ),
            (1, 1, 1)
        );
        assert!(!diff.is_empty());
    }

    #[test]
    fn a_first_version_is_all_additions() {
        let new = content(vec![step("a", "wait", json!({"seconds": 5}))]);
        let diff = diff(None, Some((1, &new)));
        assert_eq!(diff.basics[0].field, "name");
        assert_eq!(diff.phases[0].rows[0].change, StepChange::Added);
    }

    #[test]
    fn a_changed_recovery_time_target_is_a_basic_change() {
        let steps = vec![step("a", "wait", json!({"seconds": 5}))];
        let old = PlanContent {
            rto_minutes: None,
            ..content(steps.clone())
        };
        let new = PlanContent {
            rto_minutes: Some(45),
            ..content(steps)
        };
        let diff = diff(Some((1, &old)), Some((2, &new)));
        assert_eq!(
            diff.basics,
            vec![FieldChange {
                field: "recovery-time target".into(),
                old: "none".into(),
                new: "45 min".into()
            }]
        );
        assert!(!diff.is_empty());
    }
}
