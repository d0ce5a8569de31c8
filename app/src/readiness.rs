//! Evaluating plan readiness (就绪): for every active plan, the estate's verdict
//! (`domain::plan::readiness::check_estate`) and then every connection config its steps
//! would call, each asked once per round with the platform API's health call. The result
//! replaces each plan's stored evaluation. It runs when plans or the environment change
//! and on a schedule (the server's task), and when someone asks (`plans/evaluate`).
//! Server only.

use crate::domain::audit::Outcome;
use crate::domain::connection::ConnectionTest;
use crate::domain::environment::DataCenterRef;
use crate::domain::ids::{ConnectionConfigId, PlanId};
use crate::domain::plan::readiness::{check_estate, pair_name};
use crate::store::audit::{self, AuditRecord, Target};
use crate::store::{
    Store, StoreError, connection_configs, data_centers, database_clusters, product_groups,
};
use chrono::Utc;
use std::collections::BTreeMap;

/// Who a round on the schedule or after a change is audited as.
pub fn scheduled() -> AuditRecord {
    AuditRecord::system("readiness/evaluate")
}

/// Evaluates every active plan (or only `only`) and stores the verdicts; says how many
/// plans were evaluated. `secrets` opens the stored passwords the configs are asked with;
/// the round's audit entry is written as `record` (a person who asked, or the system's
/// round: [`scheduled`]).
pub async fn evaluate(
    store: &Store,
    secrets: &[u8; 32],
    only: Option<PlanId>,
    record: &AuditRecord,
) -> Result<usize, StoreError> {
    let data_centers: Vec<DataCenterRef> = data_centers::list(store)
        .await?
        .into_iter()
        .map(|dc| DataCenterRef {
            id: dc.id,
            name: dc.name,
        })
        .collect();
    let groups = product_groups::list(store).await?;
    let clusters = database_clusters::list(store).await?;
    let plans: Vec<_> = crate::store::plans::readiness::active_plans(store)
        .await?
        .into_iter()
        .filter(|(id, _)| only.is_none_or(|only| only == *id))
        .collect();
    let checks: Vec<_> = plans
        .iter()
        .map(|(id, steps)| (*id, check_estate(steps, &data_centers, &groups, &clusters)))
        .collect();

    // Each platform the plans call, once, with the config a real run would use.
    let mut configs: BTreeMap<String, Option<(ConnectionConfigId, String)>> = BTreeMap::new();
    for (_, check) in &checks {
        for (via, _) in &check.calls {
            if let std::collections::btree_map::Entry::Vacant(entry) = configs.entry(via.describe())
            {
                let config = crate::store::executions::config_for_run(store, via).await?;
                entry.insert(config);
            }
        }
    }
    let asked = configs.values().flatten().cloned();
    let target = only.map(|plan| Target::new("plan", plan));
    let answers = ask(store, secrets, asked, record, target).await?;

    let at = Utc::now();
    for ((plan, check), _) in checks.into_iter().zip(&plans) {
        let mut problems = check.problems;
        for (via, pairs) in &check.calls {
            let when = format!("(for {})", pairs.join(", "));
            let problem = match &configs[&via.describe()] {
                None => Some(format!(
                    "{} has no {} config {when}",
                    via.data_center.name,
                    via.platform.label().to_lowercase()
                )),
                Some((id, name)) => match answers.get(id) {
                    Some(ConnectionTest::Reachable { .. }) => None,
                    Some(answer) => Some(format!(
                        "config {name} ({}) does not answer: {} {when}",
                        via.describe(),
                        answer.message()
                    )),
                    None => Some(format!("config {name} could not be asked {when}")),
                },
            };
            problems.extend(problem);
        }
        let pairs: Vec<String> = check.pairs.iter().map(pair_name).collect();
        crate::store::plans::readiness::record(store, plan, &problems, &pairs, at).await?;
    }
    Ok(plans.len())
}

/// Asks each config the health call, in parallel, with its stored credentials; the
/// round's audit entry (about `target`), naming where stored passwords go, is written
/// first.
async fn ask(
    store: &Store,
    secrets: &[u8; 32],
    configs: impl Iterator<Item = (ConnectionConfigId, String)>,
    record: &AuditRecord,
    target: Option<Target>,
) -> Result<BTreeMap<ConnectionConfigId, ConnectionTest>, StoreError> {
    let mut asks = Vec::new();
    for (id, _) in configs {
        asks.push((
            id,
            connection_configs::credentials(store, secrets, id).await?,
        ));
    }
    let sent: Vec<String> = asks
        .iter()
        .filter(|(_, (_, _, _, password))| password.is_some())
        .map(|(_, (host, port, username, _))| format!("{username}@{host}:{port}"))
        .collect();
    let note = format!(
        "asked {} configs; stored passwords sent to: {}",
        asks.len(),
        if sent.is_empty() {
            "none".to_owned()
        } else {
            sent.join(", ")
        }
    );
    let record = record.noted(Some(note));
    audit::record(store, &record, target, Outcome::Ok, record.note.as_deref()).await?;
    let answers = asks
        .into_iter()
        .map(|(id, (host, port, username, password))| async move {
            let answer =
                crate::probe::test_connection(&host, port, &username, password.as_deref()).await;
            (id, answer)
        });
    Ok(futures::future::join_all(answers)
        .await
        .into_iter()
        .collect())
}
