//! A running step's records on a real MariaDB: a batch of log lines, calls and answers is one
//! transaction under the lease's fence, its events follow the writes' order, and a call
//! answered twice in one batch keeps the later answer and what the earlier one knew.

use crate::executions::{id, power_loss_created};
use crate::support::test_app::TestApp;
use app::domain::cluster::Claimant;
use app::domain::event::Change;
use app::domain::execution::view::{CallStatus, ExecutionStepId, LogLevel};
use app::domain::ids::ExecutionId;
use app::domain::role::Role;
use app::store::StoreError;
use app::store::executions::leases::claim;
use app::store::executions::step_records::{NewCall, Write, write};
use std::time::Duration;

fn sent(step: ExecutionStepId, n: u32) -> Write {
    Write::Sent(NewCall {
        step,
        attempt: 1,
        idempotency_key: format!("journal-test-{n}"),
        config: None,
        method: "POST",
        path: "/v1/applications/restart".to_owned(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_written_in_order_under_the_fence() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let detail = power_loss_created(&app, &operator).await;
    let execution = ExecutionId(id(&detail));
    let step = ExecutionStepId(detail["steps"][0]["id"].as_u64().unwrap());
    let store = app.services.store();
    let lease = Duration::from_secs(30);
    let fence = claim(store, execution, &Claimant::new("journal-test", lease))
        .await
        .unwrap()
        .unwrap();

    let log = |message: &str| Write::Log {
        step,
        attempt: 1,
        level: LogLevel::Info,
        message: message.to_owned(),
    };
    let first = write(
        store,
        fence,
        &[log("one"), sent(step, 1), log("two"), sent(step, 2)],
    )
    .await
    .unwrap();
    let seqs: Vec<u64> = first.iter().map(|w| w.event.seq).collect();
    assert!(
        seqs.windows(2).all(|p| p[1] == p[0] + 1),
        "one run of seq: {seqs:?}"
    );
    let lines: Vec<String> = first
        .iter()
        .filter_map(|w| match &w.event.change {
            Change::Logged { line, .. } => Some(line.message.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(lines, ["one", "two"]);
    let (a, b) = (first[1].call.unwrap(), first[3].call.unwrap());
    assert_ne!(a, b);

    let answered = write(
        store,
        fence,
        &[
            Write::Answered {
                key: "journal-test-1".to_owned(),
                status: CallStatus::Accepted,
                operation_id: Some("op-7".to_owned()),
                http_status: Some(202),
            },
            Write::Answered {
                key: "journal-test-2".to_owned(),
                status: CallStatus::Failed,
                operation_id: None,
                http_status: Some(409),
            },
            Write::Answered {
                key: "journal-test-1".to_owned(),
                status: CallStatus::Succeeded,
                operation_id: None,
                http_status: None,
            },
        ],
    )
    .await
    .unwrap();
    let Change::Called { call, .. } = &answered[2].event.change else {
        panic!("a call's event");
    };
    assert_eq!(call.id, a);
    assert_eq!(
        (call.status, call.operation_id.as_deref(), call.http_status),
        (CallStatus::Succeeded, Some("op-7"), Some(202))
    );
    assert!(call.finished_at.is_some());
    let Change::Called { call, .. } = &answered[1].event.change else {
        panic!("a call's event");
    };
    assert_eq!(
        (call.id, call.status, call.http_status),
        (b, CallStatus::Failed, Some(409))
    );

    // Once another holder takes the lease, this one's batches are refused whole.
    app::store::executions::leases::release(store, fence)
        .await
        .unwrap();
    claim(store, execution, &Claimant::new("another-instance", lease))
        .await
        .unwrap()
        .unwrap();
    let refused = write(store, fence, &[log("three"), sent(step, 3)]).await;
    assert!(matches!(refused, Err(StoreError::Fenced)), "{refused:?}");
    let record = app::store::executions::step_record(store, execution, step)
        .await
        .unwrap();
    assert_eq!(record.lines.len(), 2);
    assert_eq!(record.calls.len(), 2);
}
