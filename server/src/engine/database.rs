//! `db.switchover` and `db.switchback`: one call to the database service of the data
//! center that becomes primary.

use super::operation::call;
use super::step::{Outcome, StepRun};
use app::domain::execution::target::StepTarget;
use app::domain::execution::view::LogLevel;
use app::domain::platform::{ClusterMove, paths};
use app::store::executions::transitions::StepEnd;
use tokio::time::Instant;

/// How long a primary move may take.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Moves the cluster's primary: `switchover` to the emergency data center, or back.
pub(super) async fn move_primary(
    run: &StepRun<'_>,
    target: &StepTarget,
    switchover: bool,
) -> Outcome {
    let StepTarget::Cluster { cluster, to, via } = target else {
        return Ok(StepEnd::Failed(
            "the step's target is not a database cluster".to_owned(),
        ));
    };
    let body = ClusterMove {
        cluster: cluster.clone(),
        to: to.name.clone(),
    };
    run.log(
        LogLevel::Info,
        format!(
            "moving the primary of {cluster} to {} through {}",
            to.name,
            via.describe()
        ),
    )
    .await;
    let path = if switchover {
        paths::CLUSTER_SWITCHOVER
    } else {
        paths::CLUSTER_SWITCHBACK
    };
    call(run, via, path, &body, Instant::now() + LIMIT).await
}
