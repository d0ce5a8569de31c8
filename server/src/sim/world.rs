//! The simulator's world: which data centers serve each product group's traffic, how each
//! application is doing in each data center, and where each cluster's primary is. Every
//! change is checked the way a real platform would check it, so a refusal here is the
//! refusal the engine must handle.

use super::estate::Estate;
use app::domain::platform::{
    ApplicationHealth, ApplicationRestart, ApplicationState, ClusterMove, ClusterState, ErrorCode,
    PlatformError, ServingSite, TrafficCut, TrafficRestore, TrafficState,
};
use std::collections::{BTreeMap, BTreeSet};
use tokio::time::Instant;

/// Everything the simulated platforms hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    data_centers: BTreeSet<String>,
    /// Product group → data center → traffic share.
    traffic: BTreeMap<String, BTreeMap<String, u8>>,
    /// Product group → application → data center → health.
    applications: BTreeMap<String, BTreeMap<String, BTreeMap<String, ApplicationHealth>>>,
    /// Cluster → (members, primary).
    clusters: BTreeMap<String, (BTreeSet<String>, String)>,
    /// (group, application, data center) → when its restart ends; it reports
    /// `restarting` until then.
    restarting: BTreeMap<(String, String, String), Instant>,
}

/// `value` in every data center.
fn everywhere<T: Copy>(data_centers: &[String], value: T) -> BTreeMap<String, T> {
    data_centers.iter().map(|dc| (dc.clone(), value)).collect()
}

impl World {
    /// A consistent world: every group served by every data center in equal shares, every
    /// application running everywhere, every cluster's primary where the estate says.
    pub fn new(estate: &Estate) -> Self {
        let (data_centers, groups, clusters) =
            (&estate.data_centers, &estate.groups, &estate.clusters);
        let share = u8::try_from(100 / data_centers.len().max(1)).unwrap_or(100);
        World {
            data_centers: data_centers.iter().cloned().collect(),
            traffic: groups
                .iter()
                .map(|g| (g.name.clone(), everywhere(data_centers, share)))
                .collect(),
            applications: groups
                .iter()
                .map(|g| {
                    let apps = g
                        .applications
                        .iter()
                        .map(|a| {
                            (
                                a.clone(),
                                everywhere(data_centers, ApplicationHealth::Running),
                            )
                        })
                        .collect();
                    (g.name.clone(), apps)
                })
                .collect(),
            clusters: clusters
                .iter()
                .map(|c| {
                    let members = c.members.iter().cloned().collect();
                    (c.name.clone(), (members, c.primary.clone()))
                })
                .collect(),
            restarting: BTreeMap::new(),
        }
    }

    pub fn data_centers(&self) -> Vec<String> {
        self.data_centers.iter().cloned().collect()
    }

    /// Where every group's traffic goes.
    pub fn all_traffic(&self) -> Vec<TrafficState> {
        let groups = self.traffic.keys();
        groups
            .filter_map(|group| self.traffic(group).ok())
            .collect()
    }

    /// Every application in every data center, as at `now`.
    pub fn all_applications(&self, now: Instant) -> Vec<ApplicationState> {
        let sites = self.applications.iter().flat_map(|(group, apps)| {
            apps.iter()
                .flat_map(move |(app, sites)| sites.keys().map(move |dc| (group, app, dc)))
        });
        sites
            .filter_map(|(group, app, dc)| self.application(group, app, dc, now).ok())
            .collect()
    }

    /// Every cluster.
    pub fn all_clusters(&self) -> Vec<ClusterState> {
        let names = self.clusters.keys();
        names.filter_map(|name| self.cluster(name).ok()).collect()
    }

    fn data_center(&self, name: &str) -> Result<(), PlatformError> {
        if self.data_centers.contains(name) {
            Ok(())
        } else {
            Err(PlatformError::new(
                ErrorCode::UnknownDataCenter,
                format!("there is no data center {name:?}"),
            ))
        }
    }

    fn group_traffic(&mut self, group: &str) -> Result<&mut BTreeMap<String, u8>, PlatformError> {
        self.traffic.get_mut(group).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownProductGroup,
                format!("there is no product group {group:?}"),
            )
        })
    }

    /// Where a group's traffic goes now.
    pub fn traffic(&self, group: &str) -> Result<TrafficState, PlatformError> {
        let sites = self.traffic.get(group).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownProductGroup,
                format!("there is no product group {group:?}"),
            )
        })?;
        Ok(TrafficState {
            product_group: group.to_owned(),
            serving: sites
                .iter()
                .map(|(dc, weight)| ServingSite {
                    data_center: dc.clone(),
                    weight_percent: *weight,
                })
                .collect(),
        })
    }

    /// Stops a data center serving a group; refused when no other would serve it.
    pub fn cut(&mut self, cut: &TrafficCut) -> Result<String, PlatformError> {
        self.data_center(&cut.data_center)?;
        let sites = self.group_traffic(&cut.product_group)?;
        let others = sites
            .iter()
            .filter(|(dc, weight)| **dc != cut.data_center && **weight > 0)
            .count();
        if others == 0 {
            return Err(PlatformError::new(
                ErrorCode::NoSiteLeft,
                format!(
                    "cutting {} would leave {} with no data center serving it",
                    cut.data_center, cut.product_group
                ),
            ));
        }
        sites.remove(&cut.data_center);
        Ok(format!(
            "{} no longer serves {} (drained for {} s)",
            cut.data_center, cut.product_group, cut.drain_seconds
        ))
    }

    /// Sends a share of a group's traffic to a data center again.
    pub fn restore(&mut self, restore: &TrafficRestore) -> Result<String, PlatformError> {
        self.data_center(&restore.data_center)?;
        if !(1..=100).contains(&restore.weight_percent) {
            return Err(PlatformError::new(
                ErrorCode::BadRequest,
                "weight_percent must be between 1 and 100",
            ));
        }
        let sites = self.group_traffic(&restore.product_group)?;
        sites.insert(restore.data_center.clone(), restore.weight_percent);
        Ok(format!(
            "{} serves {} again ({} %)",
            restore.data_center, restore.product_group, restore.weight_percent
        ))
    }

    fn sites_of(
        &self,
        group: &str,
        application: &str,
        data_center: &str,
    ) -> Result<&BTreeMap<String, ApplicationHealth>, PlatformError> {
        self.data_center(data_center)?;
        let apps = self.applications.get(group).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownProductGroup,
                format!("there is no product group {group:?}"),
            )
        })?;
        apps.get(application).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownApplication,
                format!("{group} has no application {application:?}"),
            )
        })
    }

    /// How an application is doing in one data center at `now`.
    pub fn application(
        &self,
        group: &str,
        application: &str,
        data_center: &str,
        now: Instant,
    ) -> Result<ApplicationState, PlatformError> {
        let sites = self.sites_of(group, application, data_center)?;
        let key = (
            group.to_owned(),
            application.to_owned(),
            data_center.to_owned(),
        );
        let health = match self.restarting.get(&key) {
            Some(until) if *until > now => ApplicationHealth::Restarting,
            _ => sites
                .get(data_center)
                .copied()
                .unwrap_or(ApplicationHealth::Stopped),
        };
        Ok(ApplicationState {
            product_group: group.to_owned(),
            application: application.to_owned(),
            data_center: data_center.to_owned(),
            health,
        })
    }

    /// Restarts an application: it reports `restarting` until `until`, then `running`
    /// (or `unhealthy` when the restart is to fail).
    pub fn restart(
        &mut self,
        restart: &ApplicationRestart,
        until: Instant,
        fails: bool,
    ) -> Result<String, PlatformError> {
        self.sites_of(
            &restart.product_group,
            &restart.application,
            &restart.data_center,
        )?;
        let after = if fails {
            ApplicationHealth::Unhealthy
        } else {
            ApplicationHealth::Running
        };
        if let Some(sites) = self
            .applications
            .get_mut(&restart.product_group)
            .and_then(|apps| apps.get_mut(&restart.application))
        {
            sites.insert(restart.data_center.clone(), after);
        }
        self.restarting.retain(|_, end| *end > Instant::now());
        self.restarting.insert(
            (
                restart.product_group.clone(),
                restart.application.clone(),
                restart.data_center.clone(),
            ),
            until,
        );
        Ok(if fails {
            format!(
                "{} did not come up in {}: it reports unhealthy",
                restart.application, restart.data_center
            )
        } else {
            format!(
                "{} restarted in {} and reports healthy",
                restart.application, restart.data_center
            )
        })
    }

    /// Where a cluster's primary is.
    pub fn cluster(&self, name: &str) -> Result<ClusterState, PlatformError> {
        let (members, primary) = self.clusters.get(name).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownCluster,
                format!("there is no cluster {name:?}"),
            )
        })?;
        Ok(ClusterState {
            cluster: name.to_owned(),
            primary: primary.clone(),
            members: members.iter().cloned().collect(),
        })
    }

    /// Makes the copy in `to` the cluster's primary.
    pub fn move_primary(&mut self, change: &ClusterMove) -> Result<String, PlatformError> {
        self.data_center(&change.to)?;
        let (members, primary) = self.clusters.get_mut(&change.cluster).ok_or_else(|| {
            PlatformError::new(
                ErrorCode::UnknownCluster,
                format!("there is no cluster {:?}", change.cluster),
            )
        })?;
        if !members.contains(&change.to) {
            return Err(PlatformError::new(
                ErrorCode::NotPossible,
                format!("{} holds no copy of {}", change.to, change.cluster),
            ));
        }
        let from = std::mem::replace(primary, change.to.clone());
        Ok(format!(
            "{} primary moved from {from} to {}",
            change.cluster, change.to
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sim::estate::{Cluster, Group};

    fn world() -> World {
        let data_centers = ["A", "B"].map(String::from).to_vec();
        World::new(&Estate {
            groups: vec![Group {
                name: "Payments".into(),
                applications: vec!["ledger".into()],
            }],
            clusters: vec![Cluster {
                name: "payments-db".into(),
                members: data_centers.clone(),
                primary: "A".into(),
            }],
            data_centers,
        })
    }

    fn cut(dc: &str) -> TrafficCut {
        TrafficCut {
            product_group: "Payments".into(),
            data_center: dc.into(),
            drain_seconds: 0,
        }
    }

    #[test]
    fn the_last_site_serving_a_group_cannot_be_cut() {
        let mut world = world();
        world.cut(&cut("A")).unwrap();
        let error = world.cut(&cut("B")).unwrap_err();
        assert_eq!(error.code, ErrorCode::NoSiteLeft);
        assert_eq!(world.traffic("Payments").unwrap().serving.len(), 1);
    }

    #[test]
    fn unknown_names_are_refused_with_their_code() {
        let mut world = world();
        assert_eq!(
            world.cut(&cut("Z")).unwrap_err().code,
            ErrorCode::UnknownDataCenter
        );
        let change = ClusterMove {
            cluster: "orders-db".into(),
            to: "B".into(),
        };
        assert_eq!(
            world.move_primary(&change).unwrap_err().code,
            ErrorCode::UnknownCluster
        );
    }
}

#[cfg(test)]
mod restart_tests {
    use super::*;
    use crate::sim::estate::Group;
    use std::time::Duration;

    #[test]
    fn a_restarting_application_reports_so_until_its_end() {
        let mut world = World::new(&Estate {
            data_centers: vec!["A".into()],
            groups: vec![Group {
                name: "Payments".into(),
                applications: vec!["ledger".into()],
            }],
            clusters: vec![],
        });
        let now = Instant::now();
        let restart = ApplicationRestart {
            product_group: "Payments".into(),
            application: "ledger".into(),
            data_center: "A".into(),
        };
        world
            .restart(&restart, now + Duration::from_secs(2), true)
            .unwrap();
        let health = |at| {
            world
                .application("Payments", "ledger", "A", at)
                .unwrap()
                .health
        };
        assert_eq!(health(now), ApplicationHealth::Restarting);
        assert_eq!(
            health(now + Duration::from_secs(3)),
            ApplicationHealth::Unhealthy
        );
    }
}
