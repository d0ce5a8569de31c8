//! Malformed calls: a client that sends arguments of the wrong shape hears, in its own
//! terms, what is wrong (never the server's type names) and gets 400.

use crate::support::test_app::TestApp;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::Value;

/// Posts `body` as it is (JSON or not) to `endpoint`; the status and the JSON answer.
async fn post_raw(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    body: &'static str,
) -> (StatusCode, Value) {
    let response = client
        .post(format!("{}/api/{endpoint}", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_shapes_are_explained_in_the_callers_terms() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let cases = [
        (
            "auth/sign_in",
            r#"{"username": 5, "password": "x"}"#,
            "expected a string",
        ),
        (
            "auth/sign_in",
            r#"{"username": "x"}"#,
            "missing field `password`",
        ),
        ("auth/sign_in", "not json", "not valid JSON"),
        (
            "plans/get",
            r#"{"id": "seven"}"#,
            "expected a whole number, 0 or more",
        ),
        (
            "plans/get",
            r#"{"id": -1}"#,
            "expected a whole number, 0 or more",
        ),
        ("plans/get", "[]", "a list of 0, expected an object"),
        ("plans/create", r#"{"content": []}"#, "expected an object"),
    ];
    for (endpoint, body, says) in cases {
        let (status, answer) = post_raw(&app, &operator, endpoint, body).await;
        let message = answer["message"].as_str().unwrap();
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{endpoint} {body}: {answer}"
        );
        assert!(message.contains(says), "{endpoint} {body}: {message}");
        for rust in ["u64", "struct", "server function", "GetPlan", "PlanContent"] {
            assert!(!message.contains(rust), "{endpoint} {body}: {message}");
        }
    }
}

/// The door comes before the arguments: a caller who may not call an endpoint at all
/// hears 401 or 403 whatever it sent, and nothing about the arguments' shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_without_the_right_is_refused_before_its_arguments_are_read() {
    let app = TestApp::spawn_with_demo().await;
    let anonymous = crate::support::test_app::client();
    let auditor = app.as_role(Role::Auditor).await;
    let cases = [
        (
            &anonymous,
            "plans/get",
            r#"{"id": "seven"}"#,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &anonymous,
            "executions/start",
            "not json",
            StatusCode::UNAUTHORIZED,
        ),
        (
            &anonymous,
            "plans/get",
            r#"{"id": 1}"#,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &auditor,
            "data_centers/create",
            r#"{"form": 5}"#,
            StatusCode::FORBIDDEN,
        ),
    ];
    for (client, endpoint, body, expected) in cases {
        let (status, answer) = post_raw(&app, client, endpoint, body).await;
        assert_eq!(status, expected, "{endpoint} {body}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("argument") && !message.contains("expected"),
            "{endpoint} {body}: {message}"
        );
    }
}
