//! What a step of an execution acts on, resolved when the execution is created: names
//! become the data centers, applications (with their restart levels) and clusters as
//! they were then, so a later edit of the Environment changes nothing in a run. The
//! connection config is not pinned: it is looked up when the step runs, so a config
//! added or fixed after a failure is what the retry uses.

use crate::domain::connection::Platform;
use crate::domain::environment::{DataCenterRef, DatabaseCluster, ProductGroup};
use crate::domain::step::{Site, StepSpec};
use serde::{Deserialize, Serialize};

/// The platform a step calls, and in which data center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Via {
    pub data_center: DataCenterRef,
    pub platform: Platform,
}

impl Via {
    /// "the traffic gateway in Hangzhou-B".
    pub fn describe(&self) -> String {
        format!(
            "the {} in {}",
            self.platform.label().to_lowercase(),
            self.data_center.name
        )
    }
}

/// A step's resolved target. Steps that reach no platform (`wait`, `manual.confirm`,
/// `http.call`) have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepTarget {
    /// `traffic.cut` / `traffic.restore`: the group's traffic to `data_center`.
    Traffic {
        product_group: String,
        data_center: DataCenterRef,
        via: Via,
    },
    /// `app.restart`: the group's applications in `data_center`, level by level
    /// (dependencies first; one level's applications in parallel).
    Restart {
        product_group: String,
        data_center: DataCenterRef,
        levels: Vec<Vec<String>>,
        via: Via,
    },
    /// `db.switchover` / `db.switchback`: the cluster's primary moves to `to`.
    Cluster {
        cluster: String,
        to: DataCenterRef,
        via: Via,
    },
}

impl StepTarget {
    /// The platform the step calls, if any.
    pub fn via(&self) -> &Via {
        match self {
            Self::Traffic { via, .. } | Self::Restart { via, .. } | Self::Cluster { via, .. } => {
                via
            }
        }
    }

    /// How many applications a restart covers.
    pub fn application_count(&self) -> usize {
        match self {
            Self::Restart { levels, .. } => levels.iter().map(Vec::len).sum(),
            _ => 0,
        }
    }
}

/// The two data centers an execution is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sites {
    pub failed: DataCenterRef,
    pub emergency: DataCenterRef,
}

impl Sites {
    pub fn get(&self, site: Site) -> &DataCenterRef {
        match site {
            Site::Failed => &self.failed,
            Site::Emergency => &self.emergency,
        }
    }
}

/// What `spec` acts on for these sites, with the estate as it is now; `Err` says why it
/// cannot run there (a cluster without a copy in the data center it must move to).
///
/// Traffic is steered through the gateway of the emergency data center, the one known
/// to be up; applications are restarted by the platform of the data center they run in;
/// a cluster is moved by the database service of the data center that becomes primary.
pub fn resolve(
    spec: &StepSpec,
    sites: &Sites,
    groups: &[ProductGroup],
    clusters: &[DatabaseCluster],
) -> Result<Option<StepTarget>, String> {
    let via = |data_center: &DataCenterRef, platform| Via {
        data_center: data_center.clone(),
        platform,
    };
    let group = |name: &str| {
        groups
            .iter()
            .find(|g| g.name == name)
            .ok_or_else(|| format!("product group {name:?} no longer exists"))
    };
    let cluster_to = |name: &str, to: &DataCenterRef| {
        let cluster = clusters
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("database cluster {name:?} no longer exists"))?;
        if !cluster.members.iter().any(|m| m.id == to.id) {
            return Err(format!(
                "database cluster {name} has no copy in {}: its primary cannot move there",
                to.name
            ));
        }
        Ok(StepTarget::Cluster {
            cluster: name.to_owned(),
            to: to.clone(),
            via: via(to, Platform::Database),
        })
    };
    Ok(Some(match spec {
        StepSpec::TrafficCut { product_group, .. }
        | StepSpec::TrafficRestore { product_group, .. } => {
            group(product_group)?;
            StepTarget::Traffic {
                product_group: product_group.clone(),
                data_center: sites.failed.clone(),
                via: via(&sites.emergency, Platform::TrafficGateway),
            }
        }
        StepSpec::AppRestart {
            product_group,
            site,
            ..
        } => {
            let data_center = sites.get(*site);
            StepTarget::Restart {
                product_group: product_group.clone(),
                data_center: data_center.clone(),
                levels: group(product_group)?.restart_levels(),
                via: via(data_center, Platform::AppPlatform),
            }
        }
        StepSpec::DbSwitchover { cluster } => cluster_to(cluster, &sites.emergency)?,
        StepSpec::DbSwitchback { cluster } => cluster_to(cluster, &sites.failed)?,
        StepSpec::Wait { .. } | StepSpec::ManualConfirm { .. } | StepSpec::HttpCall { .. } => {
            return Ok(None);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::environment::Application;
    use crate::domain::ids::{DataCenterId, DatabaseClusterId, ProductGroupId};

    fn dc(id: u64, name: &str) -> DataCenterRef {
        DataCenterRef {
            id: DataCenterId(id),
            name: name.to_owned(),
        }
    }

    fn sites() -> Sites {
        Sites {
            failed: dc(1, "Shanghai-A"),
            emergency: dc(2, "Hangzhou-B"),
        }
    }

    fn payments() -> ProductGroup {
        let app = |name: &str, needs: &[&str]| Application {
            name: name.to_owned(),
            description: String::new(),
            needs: needs.iter().map(|n| (*n).to_owned()).collect(),
        };
        ProductGroup {
            id: ProductGroupId(1),
            name: "Payments".to_owned(),
            description: String::new(),
            applications: vec![app("payment-core", &["ledger"]), app("ledger", &[])],
            revision: 1,
        }
    }

    fn cluster(members: &[DataCenterRef]) -> DatabaseCluster {
        DatabaseCluster {
            id: DatabaseClusterId(1),
            name: "payments-db".to_owned(),
            description: String::new(),
            members: members.to_vec(),
            primary: members[0].clone(),
            revision: 1,
        }
    }

    #[test]
    fn each_step_calls_the_platform_of_the_data_center_that_must_act() {
        let groups = [payments()];
        let clusters = [cluster(&[dc(1, "Shanghai-A"), dc(2, "Hangzhou-B")])];
        let resolve = |spec: StepSpec| resolve(&spec, &sites(), &groups, &clusters).unwrap();

        let cut = resolve(StepSpec::TrafficCut {
            product_group: "Payments".into(),
            drain_seconds: 30,
        })
        .unwrap();
        assert_eq!(
            cut.via().data_center.name,
            "Hangzhou-B",
            "the surviving gateway"
        );
        let restart = resolve(StepSpec::AppRestart {
            product_group: "Payments".into(),
            site: Site::Failed,
            timeout_seconds: 60,
        })
        .unwrap();
        assert_eq!(restart.via().data_center.name, "Shanghai-A");
        assert!(matches!(&restart, StepTarget::Restart { levels, .. }
            if *levels == vec![vec!["ledger".to_owned()], vec!["payment-core".to_owned()]]));
        let back = resolve(StepSpec::DbSwitchback {
            cluster: "payments-db".into(),
        })
        .unwrap();
        assert_eq!(
            back.via().data_center.name,
            "Shanghai-A",
            "the new primary's site"
        );
        assert_eq!(resolve(StepSpec::Wait { seconds: 5 }), None);
    }

    #[test]
    fn a_cluster_without_a_copy_where_it_must_move_is_refused() {
        let clusters = [cluster(&[dc(1, "Shanghai-A"), dc(3, "Beijing-C")])];
        let problem = resolve(
            &StepSpec::DbSwitchover {
                cluster: "payments-db".into(),
            },
            &sites(),
            &[],
            &clusters,
        )
        .unwrap_err();
        assert_eq!(
            problem,
            "database cluster payments-db has no copy in Hangzhou-B: its primary cannot move there"
        );
    }
}
