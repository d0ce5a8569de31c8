//! Comments on an execution: added by operators, admins and auditors while it runs and
//! after, each an event in the execution's stream (so watchers get it live) and an audit
//! entry with its text; bounded in length and in number.

use crate::executions::{command, id, power_loss_created, until_state};
use crate::support::test_app::TestApp;
use app::domain::execution::view::{MAX_COMMENT, MAX_COMMENT_BYTES, MAX_COMMENTS};
use app::domain::role::Role;
use app::store::schema::execution_events;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_and_auditors_comment_while_it_runs_and_after_and_watchers_get_each_once() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let auditor = app.as_role(Role::Auditor).await;
    let run = id(&power_loss_created(&app, &operator).await);
    command(&app, &operator, "executions/start", json!({ "id": run })).await;

    let first = command(
        &app,
        &operator,
        "executions/comment",
        json!({ "id": run, "text": "  Payments team is on the bridge.\nGo.  " }),
    )
    .await;
    assert_eq!(first["author"], "operator");
    assert_eq!(
        first["text"], "Payments team is on the bridge.\nGo.",
        "trimmed"
    );
    until_state(&app, &operator, run, "switchover_done").await;
    command(
        &app,
        &operator,
        "executions/cancel",
        json!({ "id": run, "reason": "drill over" }),
    )
    .await;
    let second = command(
        &app,
        &auditor,
        "executions/comment",
        json!({ "id": run, "text": "Checked against the change ticket." }),
    )
    .await;
    assert_eq!(second["author"], "auditor");

    let detail = command(&app, &auditor, "executions/get", json!({ "id": run })).await;
    let comments = detail["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(
        (&comments[0]["id"], &comments[1]["id"]),
        (&first["id"], &second["id"])
    );

    // Each is an event of the execution, in its place in the stream, as watchers get it.
    let mut conn = app.db.connect().await;
    let kinds: Vec<(u64, String)> = execution_events::table
        .filter(execution_events::execution_id.eq(run))
        .filter(execution_events::kind.eq("commented"))
        .select((execution_events::seq, execution_events::kind))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(kinds.len(), 2);
    assert_eq!(
        kinds[1].0,
        detail["summary"]["last_seq"].as_u64().unwrap(),
        "the last event"
    );

    // The audit log keeps who said what.
    let entries = app.audit_entries("executions/comment").await;
    assert_eq!(entries[0]["actor_name"], "auditor");
    assert_eq!(entries[0]["target_id"], run.to_string());
    assert_eq!(
        entries[0]["reason"],
        "comment: Checked against the change ticket."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_an_oversized_and_one_comment_too_many_are_refused_and_nothing_is_kept() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let run = id(&power_loss_created(&app, &operator).await);
    for text in ["   ".to_owned(), "x".repeat(MAX_COMMENT + 1)] {
        let (status, answer) = app
            .call(
                &operator,
                "executions/comment",
                json!({ "id": run, "text": text }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["errors"][0]["field"], "text");
    }
    for n in 0..MAX_COMMENTS {
        command(
            &app,
            &operator,
            "executions/comment",
            json!({ "id": run, "text": format!("note {n}") }),
        )
        .await;
    }
    let (status, answer) = app
        .call(
            &operator,
            "executions/comment",
            json!({ "id": run, "text": "one more" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("at most 200 comments"),
        "{answer}"
    );
    let detail = command(&app, &operator, "executions/get", json!({ "id": run })).await;
    assert_eq!(detail["comments"].as_array().unwrap().len(), MAX_COMMENTS);
    let (status, _) = app
        .call(
            &operator,
            "executions/comment",
            json!({ "id": 999_999, "text": "nowhere" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_stop_at_their_total_size_so_a_snapshot_stays_small() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let run = id(&power_loss_created(&app, &operator).await);
    // 2,000 characters of three bytes each: 6,000 bytes a comment; eight fit in 48 KiB.
    let long = "演".repeat(MAX_COMMENT);
    for _ in 0..MAX_COMMENT_BYTES / (3 * MAX_COMMENT) {
        command(
            &app,
            &operator,
            "executions/comment",
            json!({ "id": run, "text": long }),
        )
        .await;
    }
    let (status, answer) = app
        .call(
            &operator,
            "executions/comment",
            json!({ "id": run, "text": long }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("48 KiB"),
        "{answer}"
    );
    let (status, _) = app
        .call(
            &operator,
            "executions/comment",
            json!({ "id": run, "text": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a short one still fits");
}
