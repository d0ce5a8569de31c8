//! Whether an active plan would still work today (就绪): every product group and cluster
//! it names exists, every cluster it moves has a copy where its primary must go, and
//! every connection config its steps would call answers. A plan is not tied to two data
//! centers: it can run between every pair (failed → emergency) where its clusters have
//! copies, and it is evaluated for all of them. This module is the estate's half of
//! the verdict (pure); the configs are asked by the evaluator on the server.

use crate::domain::choice::choice;
use crate::domain::environment::{DataCenterRef, DatabaseCluster, ProductGroup};
use crate::domain::execution::target::{Sites, Via, resolve};
use crate::domain::execution::view::ExecutionSummary;
use crate::domain::ids::PlanId;
use crate::domain::step::StepSpec;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

choice! {
    /// The plan list's and page's verdict.
    ReadinessState {
        Ready = "ready", "Ready";
        NeedsAttention = "needs_attention", "Needs attention";
        NotEvaluated = "not_evaluated", "Not evaluated yet";
    }
}

/// A plan's latest evaluation, and its latest finished drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReadiness {
    pub plan_id: PlanId,
    pub state: ReadinessState,
    /// What needs attention, one sentence each.
    pub problems: Vec<String>,
    /// The pairs it can run between ("Shanghai-A → Hangzhou-B").
    pub pairs: Vec<String>,
    pub checked_at: Option<DateTime<Utc>>,
    /// Its newest drill that has ended.
    pub last_drill: Option<ExecutionSummary>,
}

impl PlanReadiness {
    pub fn not_evaluated(plan_id: PlanId) -> Self {
        Self {
            plan_id,
            state: ReadinessState::NotEvaluated,
            problems: Vec::new(),
            pairs: Vec::new(),
            checked_at: None,
            last_drill: None,
        }
    }
}

/// What the estate says of a plan: the pairs it can run between, the platforms it would
/// call (each with the pairs that call it), and what is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EstateCheck {
    pub pairs: Vec<Sites>,
    pub calls: Vec<(Via, Vec<String>)>,
    pub problems: Vec<String>,
}

/// "Shanghai-A → Hangzhou-B".
pub fn pair_name(sites: &Sites) -> String {
    format!("{} → {}", sites.failed.name, sites.emergency.name)
}

/// Checks `steps` (an active version's, both phases) against the estate.
pub fn check_estate(
    steps: &[StepSpec],
    data_centers: &[DataCenterRef],
    groups: &[ProductGroup],
    clusters: &[DatabaseCluster],
) -> EstateCheck {
    let mut check = EstateCheck::default();
    let problem = |text: String, check: &mut EstateCheck| {
        if !check.problems.contains(&text) {
            check.problems.push(text);
        }
    };
    for spec in steps {
        match spec {
            StepSpec::TrafficCut { product_group, .. }
            | StepSpec::TrafficRestore { product_group, .. }
            | StepSpec::AppRestart { product_group, .. } => {
                match groups.iter().find(|g| &g.name == product_group) {
                    None => problem(
                        format!("product group {product_group} no longer exists"),
                        &mut check,
                    ),
                    Some(group) if group.applications.is_empty() => problem(
                        format!("product group {product_group} has no applications"),
                        &mut check,
                    ),
                    Some(_) => {}
                }
            }
            StepSpec::DbSwitchover { cluster } | StepSpec::DbSwitchback { cluster } => {
                if !clusters.iter().any(|c| &c.name == cluster) {
                    problem(
                        format!("database cluster {cluster} no longer exists"),
                        &mut check,
                    );
                }
            }
            StepSpec::Wait { .. } | StepSpec::ManualConfirm { .. } | StepSpec::HttpCall { .. } => {}
        }
    }
    if !check.problems.is_empty() {
        return check;
    }
    for failed in data_centers {
        for emergency in data_centers.iter().filter(|e| e.id != failed.id) {
            let sites = Sites {
                failed: failed.clone(),
                emergency: emergency.clone(),
            };
            // A pair where a cluster has no copy is one the plan does not run between.
            let Ok(targets) = steps
                .iter()
                .map(|spec| resolve(spec, &sites, groups, clusters))
                .collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            let name = pair_name(&sites);
            for via in targets.iter().flatten().map(|t| t.via()) {
                match check.calls.iter_mut().find(|(v, _)| v == via) {
                    Some((_, pairs)) if pairs.contains(&name) => {}
                    Some((_, pairs)) => pairs.push(name.clone()),
                    None => check.calls.push((via.clone(), vec![name.clone()])),
                }
            }
            check.pairs.push(sites);
        }
    }
    if check.pairs.is_empty() {
        let text = if data_centers.len() < 2 {
            format!(
                "it needs two data centers, and the environment has {}",
                data_centers.len()
            )
        } else {
            "no two data centers hold copies of every database cluster it moves".to_owned()
        };
        problem(text, &mut check);
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connection::Platform;
    use crate::domain::environment::Application;
    use crate::domain::ids::{DataCenterId, DatabaseClusterId, ProductGroupId};

    fn dc(id: u64, name: &str) -> DataCenterRef {
        DataCenterRef {
            id: DataCenterId(id),
            name: name.to_owned(),
        }
    }

    fn group(name: &str, apps: &[&str]) -> ProductGroup {
        ProductGroup {
            id: ProductGroupId(1),
            name: name.to_owned(),
            description: String::new(),
            applications: apps
                .iter()
                .map(|a| Application {
                    name: (*a).to_owned(),
                    description: String::new(),
                    needs: Vec::new(),
                })
                .collect(),
            revision: 1,
        }
    }

    fn cluster(name: &str, members: &[DataCenterRef]) -> DatabaseCluster {
        DatabaseCluster {
            id: DatabaseClusterId(1),
            name: name.to_owned(),
            description: String::new(),
            primary: members[0].clone(),
            members: members.to_vec(),
            revision: 1,
        }
    }

    #[test]
    fn a_plan_runs_between_the_pairs_where_its_clusters_have_copies() {
        let (a, b, c) = (dc(1, "A"), dc(2, "B"), dc(3, "C"));
        let steps = [
            StepSpec::TrafficCut {
                product_group: "Payments".into(),
                drain_seconds: 30,
            },
            StepSpec::DbSwitchover {
                cluster: "payments-db".into(),
            },
        ];
        let check = check_estate(
            &steps,
            &[a.clone(), b.clone(), c],
            &[group("Payments", &["core"])],
            &[cluster("payments-db", &[a, b])],
        );
        assert_eq!(check.problems, Vec::<String>::new());
        // The primary moves to the emergency data center: C holds no copy, so only
        // pairs with A or B as the emergency one.
        let pairs: Vec<String> = check.pairs.iter().map(pair_name).collect();
        assert_eq!(pairs, ["A → B", "B → A", "C → A", "C → B"]);
        let gateway_in_b = check
            .calls
            .iter()
            .find(|(via, _)| {
                via.data_center.name == "B" && via.platform == Platform::TrafficGateway
            })
            .unwrap();
        assert_eq!(gateway_in_b.1, ["A → B", "C → B"]);
    }

    #[test]
    fn what_is_gone_or_empty_needs_attention() {
        let (a, b) = (dc(1, "A"), dc(2, "B"));
        let steps = [
            StepSpec::TrafficCut {
                product_group: "Payments".into(),
                drain_seconds: 30,
            },
            StepSpec::DbSwitchback {
                cluster: "gone-db".into(),
            },
        ];
        let check = check_estate(
            &steps,
            &[a.clone(), b.clone()],
            &[group("Payments", &[])],
            &[],
        );
        assert_eq!(
            check.problems,
            [
                "product group Payments has no applications",
                "database cluster gone-db no longer exists"
            ]
        );
        let alone = check_estate(&[], &[a], &[], &[]);
        assert_eq!(
            alone.problems,
            ["it needs two data centers, and the environment has 1"]
        );
    }
}
