//! `traffic.cut` and `traffic.restore`: one call to the traffic gateway.

use super::operation::call;
use super::step::{Outcome, StepRun};
use app::domain::environment::DataCenterRef;
use app::domain::execution::target::{StepTarget, Via};
use app::domain::execution::view::LogLevel;
use app::domain::platform::{TrafficCut, TrafficRestore, paths};
use app::store::executions::transitions::StepEnd;
use tokio::time::Instant;

/// How long a traffic change may take, drain time aside.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

pub(super) async fn cut(run: &StepRun<'_>, target: &StepTarget, drain_seconds: u32) -> Outcome {
    let (product_group, data_center, via) = match traffic(target) {
        Ok(parts) => parts,
        Err(end) => return Ok(end),
    };
    let body = TrafficCut {
        product_group: product_group.clone(),
        data_center: data_center.name.clone(),
        drain_seconds,
    };
    run.log(
        LogLevel::Info,
        format!(
            "cutting {product_group} traffic to {} through {}",
            data_center.name,
            via.describe()
        ),
    )
    .await;
    let deadline = Instant::now() + LIMIT + std::time::Duration::from_secs(drain_seconds.into());
    call(run, via, paths::TRAFFIC_CUT, &body, deadline).await
}

pub(super) async fn restore(run: &StepRun<'_>, target: &StepTarget, weight_percent: u8) -> Outcome {
    let (product_group, data_center, via) = match traffic(target) {
        Ok(parts) => parts,
        Err(end) => return Ok(end),
    };
    let body = TrafficRestore {
        product_group: product_group.clone(),
        data_center: data_center.name.clone(),
        weight_percent,
    };
    run.log(
        LogLevel::Info,
        format!(
            "sending {weight_percent}% of {product_group} traffic to {} again through {}",
            data_center.name,
            via.describe()
        ),
    )
    .await;
    call(
        run,
        via,
        paths::TRAFFIC_RESTORE,
        &body,
        Instant::now() + LIMIT,
    )
    .await
}

/// The group, the data center and the gateway of a traffic step's target.
fn traffic(target: &StepTarget) -> Result<(&String, &DataCenterRef, &Via), StepEnd> {
    match target {
        StepTarget::Traffic {
            product_group,
            data_center,
            via,
        } => Ok((product_group, data_center, via)),
        _ => Err(StepEnd::Failed(
            "the step's target is not traffic".to_owned(),
        )),
    }
}
