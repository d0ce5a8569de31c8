//! What the simulator's world starts from: the data centers, the product groups with
//! their applications, and the database clusters — read from the console's database
//! when the simulator runs with the console, the demo estate when it runs alone.

use app::store::{Store, demo};

/// A product group as the simulator knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub applications: Vec<String>,
}

/// A database cluster as the simulator knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub members: Vec<String>,
    pub primary: String,
}

/// The names a world is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estate {
    pub data_centers: Vec<String>,
    pub groups: Vec<Group>,
    pub clusters: Vec<Cluster>,
}

impl Estate {
    /// The demo estate, as `make run` loads it into the console.
    pub fn demo() -> Self {
        Estate {
            data_centers: demo::REGIONS
                .iter()
                .flat_map(|(_, dcs)| dcs.iter().map(|(dc, _)| (*dc).to_owned()))
                .collect(),
            groups: demo::PRODUCT_GROUPS
                .iter()
                .map(|(name, _, apps)| Group {
                    name: (*name).to_owned(),
                    applications: apps.iter().map(|(app, _, _)| (*app).to_owned()).collect(),
                })
                .collect(),
            clusters: demo::CLUSTERS
                .iter()
                .map(|(name, _, primary, members)| Cluster {
                    name: (*name).to_owned(),
                    members: members.iter().map(|m| (*m).to_owned()).collect(),
                    primary: (*primary).to_owned(),
                })
                .collect(),
        }
    }

    /// The estate the console's database holds now.
    pub async fn read(store: &Store) -> anyhow::Result<Self> {
        use app::store::{data_centers, database_clusters, product_groups};
        Ok(Estate {
            data_centers: data_centers::list(store)
                .await?
                .into_iter()
                .map(|dc| dc.name)
                .collect(),
            groups: product_groups::list(store)
                .await?
                .into_iter()
                .map(|g| Group {
                    name: g.name,
                    applications: g.applications.into_iter().map(|a| a.name).collect(),
                })
                .collect(),
            clusters: database_clusters::list(store)
                .await?
                .into_iter()
                .map(|c| Cluster {
                    name: c.name,
                    members: c.members.into_iter().map(|m| m.name).collect(),
                    primary: c.primary.name,
                })
                .collect(),
        })
    }
}
