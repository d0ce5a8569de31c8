//! Password guessing under attack: look-alike user names, parallel guesses, oversized
//! names, guesses through a password change, and a flood of anonymous sign-ins.
//! Each test replays an attack seen on a running server.

use crate::support::test_app::{PASSWORD, TestApp, call, client};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    call(
        &client(),
        &app.base,
        "auth/sign_in",
        json!({ "username": username, "password": password }),
    )
    .await
}

/// A sign-in of its own, started now and answered whenever the server answers.
fn in_parallel(
    app: &TestApp,
    username: String,
    password: String,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let base = app.base.clone();
    tokio::spawn(async move {
        call(
            &client(),
            &base,
            "auth/sign_in",
            json!({ "username": username, "password": password }),
        )
        .await
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_alike_names_reach_no_account_and_cannot_dodge_the_throttle() {
    let app = TestApp::spawn().await;

    // The database's collation would match each of these to `admin`.
    for look_alike in ["ädmin", "admin\0", "ad\u{200b}min", "admin\u{feff}"] {
        let (status, body) = sign_in(&app, look_alike, PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{look_alike:?}: {body}");
        assert_eq!(body["message"], "wrong user name or password");
    }
    // An input method's full-width letters and capitals are the same account, by design.
    let (status, body) = sign_in(&app, "ＡＤＭＩＮ", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "admin");

    for _ in 0..3 {
        let (status, _) = sign_in(&app, "admin", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The account is throttled, under whichever spelling (asked at once: each refusal
    // takes a second to arrive, and the first wait is only two).
    let spellings = ["admin", "ａｄｍｉｎ", " Admin "];
    let (a, b, c) = tokio::join!(
        sign_in(&app, spellings[0], PASSWORD),
        sign_in(&app, spellings[1], PASSWORD),
        sign_in(&app, spellings[2], PASSWORD),
    );
    for (spelling, (status, body)) in spellings.iter().zip([a, b, c]) {
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{spelling:?}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_checked_no_more_than_the_free_attempts() {
    let app = TestApp::spawn().await;

    let guesses =
        (0..20).map(|i| in_parallel(&app, "admin".to_owned(), format!("guess number {i}")));
    let mut statuses = Vec::new();
    for guess in guesses.collect::<Vec<_>>() {
        statuses.push(guess.await.unwrap().0);
    }

    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, throttled), (3, 17), "{statuses:?}");
}

/// Only wrong passwords count: one person signing in from four tabs at once is let in
/// four times, round after round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_right_passwords_are_never_throttled() {
    let app = TestApp::spawn().await;
    for round in 0..5 {
        let tabs = (0..4).map(|_| in_parallel(&app, "admin".to_owned(), PASSWORD.to_owned()));
        for tab in tabs.collect::<Vec<_>>() {
            let (status, body) = tab.await.unwrap();
            assert_eq!(status, StatusCode::OK, "round {round}: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_or_strange_name_is_refused_and_recorded() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(100);
    let multibyte = "名".repeat(300);

    for typed in [long.as_str(), multibyte.as_str(), "nul\0name"] {
        let (status, body) = sign_in(&app, typed, PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["message"], "wrong user name or password");
    }

    // Refusals that cost nothing to repeat are recorded once per client and window.
    let entries = app.audit_entries("auth/sign_in").await;
    let refused: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e["outcome"] == "refused")
        .map(|e| {
            (
                e["actor_name"].as_str().unwrap(),
                e["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [(&*"x".repeat(64), "not a valid user name")],
        "the first refusal recorded, the typed name cut to its column"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_is_stored_under_the_name_sign_in_looks_up() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;
    let user = |username: &str| {
        json!({ "user": { "username": username, "display_name": "", "role": "operator",
                          "password": "a first password" } })
    };

    let (status, created) = app.call(&admin, "users/create", user("Ｌｉ.Wei")).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["username"], "li.wei");

    let (status, body) = app
        .call(&admin, "users/create", user("li\u{200b}.wei"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "username", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_current_password_through_a_password_change_is_throttled() {
    let app = TestApp::spawn().await;
    let stolen_session = app.signed_in("admin", PASSWORD).await;
    let change = |current: &str| json!({ "current_password": current, "new_password": "a brand new password" });

    for i in 0..3 {
        let (status, body) = app
            .call(
                &stolen_session,
                "auth/change_password",
                change(&format!("guess {i} of the password")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (status, body) = app
        .call(&stolen_session, "auth/change_password", change(PASSWORD))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, _) = sign_in(&app, "admin", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "one count per account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_is_shed_early_and_signed_in_reads_go_on() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(app::domain::role::Role::Operator).await;

    // 200 parallel guesses for as many names: more than the hashing queue holds.
    let flood: Vec<_> = (0..200)
        .map(|i| in_parallel(&app, format!("flood-{i}"), "guess".to_owned()))
        .collect();
    // Reads by a signed-in operator are answered meanwhile: the flood holds no database
    // connection while it waits.
    for _ in 0..20 {
        let (status, body) = app.call(&operator, "plans/list", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut checked: i64 = 0;
    let mut shed = 0;
    for answer in flood {
        let (status, body) = answer.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(body["message"].as_str().unwrap().contains("busy"), "{body}");
                shed += 1;
            }
            other => panic!("a flooded sign-in answered {other}: {body}"),
        }
    }
    assert!(shed > 0 && checked > 0, "checked {checked}, shed {shed}");

    // Every checked password is recorded; the shed ones once, counted.
    let mut conn = app.db.connect().await;
    let reasons: Vec<Reason> = diesel::sql_query(
        "SELECT reason, COUNT(*) AS n FROM audit_log \
         WHERE action = 'auth/sign_in' AND outcome = 'refused' GROUP BY reason",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let count = |pick: &dyn Fn(&str) -> bool| -> i64 {
        reasons
            .iter()
            .filter(|r| pick(&r.reason))
            .map(|r| r.n)
            .sum()
    };
    let wrong = count(&|r| r == "wrong user name or password");
    let busy = count(&|r| r.contains("busy"));
    assert_eq!(
        (wrong, busy),
        (checked, 1),
        "{:?}",
        reasons.iter().map(|r| &r.reason).collect::<Vec<_>>()
    );
}

#[derive(diesel::QueryableByName)]
struct Reason {
    #[diesel(sql_type = diesel::sql_types::Text)]
    reason: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
