//! Connection configs: passwords encrypted at rest and never answered, usernames hidden
//! from auditors, and the connection test against real HTTP endpoints.

use crate::support::test_app::{SIMULATOR_PASSWORD, SIMULATOR_USER, TestApp, secret};
use crate::support::test_db::TestDb;
use app::auth::keys::Keys;
use app::domain::role::Role;
use app::store::stored_secret;
use diesel::prelude::*;
use diesel_async::{AsyncMigrationHarness, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::MigrationHarness;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::migrate::{MIGRATIONS, run_pending};

const PASSWORD: &str = "gw-pass-8472";

async fn first_data_center(app: &TestApp, client: &reqwest::Client) -> Value {
    app.call(client, "data_centers/list", json!({})).await.1[0]["id"].clone()
}

fn form(dc: &Value, host: &str, port: u16, password: Value) -> Value {
    json!({ "name": "gateway-a", "data_center": dc, "platform": "traffic_gateway", "kind": "cloud",
            "protocol": "http", "host": host, "port": port, "username": "ops", "password": password })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_stored_encrypted_and_never_answered() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;

    let (status, created) = app
        .call(&operator, "connection_configs/create", json!({ "form": form(&dc, "gw.example.com", 8443, json!({ "action": "set", "password": PASSWORD })) }))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["password_set"], true);
    assert!(!created.to_string().contains(PASSWORD));
    let id = created["id"].as_u64().unwrap();

    let mut conn = app.db.connect().await;
    let stored: Option<Vec<u8>> = {
        use app::store::schema::connection_configs;
        connection_configs::table
            .find(id)
            .select(connection_configs::password_ciphertext)
            .first(&mut conn)
            .await
            .unwrap()
    };
    let stored = stored.unwrap();
    assert!(
        !stored
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes()),
        "plaintext in the column"
    );
    let keys = Keys::derive(secret().bytes());
    assert_eq!(
        stored_secret::open(&keys.stored_secrets, "connection_configs", id, &stored).as_deref(),
        Some(PASSWORD)
    );
    assert_eq!(
        stored_secret::open(&[9; 32], "connection_configs", id, &stored),
        None,
        "a wrong key fails"
    );

    let (_, list) = app
        .call(&operator, "connection_configs/list", json!({}))
        .await;
    assert!(!list.to_string().contains(PASSWORD));
    let (_, audit) = app
        .call(
            &app.as_role(Role::Admin).await,
            "audit/list",
            json!({ "query": {} }),
        )
        .await;
    assert!(!audit.to_string().contains(PASSWORD));

    // Keep, then clear.
    let keep = json!({ "id": id, "revision": created["revision"], "form": form(&dc, "gw.example.com", 8443, json!({ "action": "keep" })) });
    let (_, kept) = app.call(&operator, "connection_configs/update", keep).await;
    assert_eq!(kept["password_set"], true);
    let clear = json!({ "id": id, "revision": kept["revision"], "form": form(&dc, "gw.example.com", 8443, json!({ "action": "clear" })) });
    let (_, cleared) = app
        .call(&operator, "connection_configs/update", clear)
        .await;
    assert_eq!(cleared["password_set"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_do_not_see_usernames_and_bad_fields_are_refused() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;
    app.call(
        &operator,
        "connection_configs/create",
        json!({ "form": form(&dc, "10.1.2.3", 80, json!({ "action": "keep" })) }),
    )
    .await;

    let (_, seen) = app
        .call(&operator, "connection_configs/list", json!({}))
        .await;
    let ours = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "gateway-a")
            .unwrap()
            .clone()
    };
    assert_eq!(ours(&seen)["username"], "ops");
    let (_, audited) = app
        .call(
            &app.as_role(Role::Auditor).await,
            "connection_configs/list",
            json!({}),
        )
        .await;
    assert_eq!(ours(&audited)["username"], Value::Null);
    assert!(
        audited
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["username"].is_null())
    );

    let (status, body) = app
        .call(
            &operator,
            "connection_configs/create",
            json!({ "form": form(&dc, "bad host!", 0, json!({ "action": "keep" })) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["host", "port"]);
}

/// Something that answers `/v1/health` with 200, but not as the platform API says.
async fn stranger() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route("/v1/health", axum::routing::get(|| async { "OK" }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_tells_reachable_bad_credentials_refused_and_timed_out() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;
    // The test app's own simulator, which wants SIMULATOR_USER / SIMULATOR_PASSWORD.
    let simulator = app.services.simulator.base().rsplit(':').next().unwrap();
    let simulator_port: u16 = simulator.parse().unwrap();
    let stranger_port = stranger().await;
    // A listener that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    // A port nothing listens on.
    let closed_port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    // Each in a place of its own: a data center has one config per platform and kind.
    let other_dc = app.call(&operator, "data_centers/list", json!({})).await.1[1]["id"].clone();
    let mut results = Vec::new();
    for (name, port, password, dc, platform) in [
        (
            "right",
            simulator_port,
            SIMULATOR_PASSWORD,
            &dc,
            "traffic_gateway",
        ),
        ("wrong", simulator_port, "not it", &dc, "app_platform"),
        ("closed", closed_port, PASSWORD, &dc, "database"),
        (
            "silent",
            silent_port,
            PASSWORD,
            &other_dc,
            "traffic_gateway",
        ),
        ("stranger", stranger_port, PASSWORD, &other_dc, "database"),
    ] {
        let mut f = form(
            dc,
            "127.0.0.1",
            port,
            json!({ "action": "set", "password": password }),
        );
        f["name"] = json!(name);
        f["platform"] = json!(platform);
        f["username"] = json!(SIMULATOR_USER);
        let (_, created) = app
            .call(&operator, "connection_configs/create", json!({ "form": f }))
            .await;
        let (status, result) = app
            .call(
                &operator,
                "connection_configs/test",
                json!({ "id": created["id"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        results.push(result);
    }
    drop(silent);

    let kinds: Vec<&str> = results
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "reachable",
            "bad_credentials",
            "refused",
            "timed_out",
            "unexpected"
        ]
    );
    assert_eq!(
        results[0]["detail"]["platform"], "simulator",
        "it says it reached the simulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_is_read_one_at_a_time_names_are_unique_and_deletes_check_the_version() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;
    let (_, created) = app
        .call(&operator, "connection_configs/create", json!({ "form": form(&dc, "gw.example.com", 443, json!({ "action": "set", "password": PASSWORD })) }))
        .await;

    let (status, one) = app
        .call(
            &operator,
            "connection_configs/get",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, created);
    let (_, hidden) = app
        .call(
            &app.as_role(Role::Auditor).await,
            "connection_configs/get",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(hidden["username"], Value::Null);

    let (status, body) = app
        .call(
            &operator,
            "connection_configs/create",
            json!({ "form": form(&dc, "other.example.com", 443, json!({ "action": "keep" })) }),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::CONFLICT, Some("name"))
    );

    let stale =
        json!({ "id": created["id"], "revision": created["revision"].as_u64().unwrap() + 5 });
    assert_eq!(
        app.call(&operator, "connection_configs/delete", stale)
            .await
            .0,
        StatusCode::CONFLICT
    );
    let current = json!({ "id": created["id"], "revision": created["revision"] });
    assert_eq!(
        app.call(&operator, "connection_configs/delete", current)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.call(
            &operator,
            "connection_configs/get",
            json!({ "id": created["id"] })
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_valid_password_is_stored_in_any_script() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;
    // 200 characters of four bytes each: the most a valid password can take.
    let longest = "🔑".repeat(200);

    let (status, created) = app
        .call(&operator, "connection_configs/create", json!({ "form": form(&dc, "gw.example.com", 8443, json!({ "action": "set", "password": longest })) }))
        .await;

    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["password_set"], true);
    let (status, body) = app
        .call(&operator, "connection_configs/create", json!({ "form": form(&dc, "gw2.example.com", 8443, json!({ "action": "set", "password": "🔑".repeat(201) })) }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_password_never_follows_the_config_to_another_endpoint() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dc = first_data_center(&app, &operator).await;
    let set = |password: &str| json!({ "action": "set", "password": password });
    let (_, created) = app
        .call(
            &operator,
            "connection_configs/create",
            json!({ "form": form(&dc, "gw.example.com", 8443, set(PASSWORD)) }),
        )
        .await;
    let id = created["id"].clone();
    let update =
        |version: &Value, form: Value| json!({ "id": id, "revision": version, "form": form });
    let keep = json!({ "action": "keep" });

    // The attack: point the config at a listener of one's own, keep the password, test it.
    let mut elsewhere = form(&dc, "listener.attacker.example", 8443, keep.clone());
    for moved in [
        elsewhere.clone(),
        form(&dc, "gw.example.com", 9443, keep.clone()),
        {
            let mut other_user = form(&dc, "gw.example.com", 8443, keep.clone());
            other_user["username"] = json!("someone-else");
            other_user
        },
        {
            let mut other_kind = form(&dc, "gw.example.com", 8443, keep.clone());
            other_kind["kind"] = json!("test");
            other_kind
        },
    ] {
        let (status, body) = app
            .call(
                &operator,
                "connection_configs/update",
                update(&created["revision"], moved),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "password", "{body}");
    }
    let (_, unchanged) = app
        .call(&operator, "connection_configs/get", json!({ "id": id }))
        .await;
    assert_eq!(unchanged["host"], "gw.example.com");
    assert_eq!(unchanged["revision"], created["revision"]);

    // Renaming keeps the password where it goes; entering it again moves it.
    let mut renamed = form(&dc, "gw.example.com", 8443, keep);
    renamed["name"] = json!("gateway-renamed");
    let (status, renamed) = app
        .call(
            &operator,
            "connection_configs/update",
            update(&created["revision"], renamed),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    elsewhere["password"] = set("the new host's own password");
    let (status, moved) = app
        .call(
            &operator,
            "connection_configs/update",
            update(&renamed["revision"], elsewhere),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["password_set"], true);

    let entries = app.audit_entries("connection_configs/update").await;
    let reasons: Vec<&Value> = entries.iter().map(|e| &e["reason"]).collect();
    assert_eq!(
        reasons[0],
        "destination changed (host) from ops@gw.example.com:8443 (cloud, http) to \
         ops@listener.attacker.example:8443 (cloud, http); password entered again"
    );
    assert!(
        reasons[2..]
            .iter()
            .all(|r| r.as_str().unwrap().contains("enter the password again")),
        "each refused move is recorded with its reason: {reasons:?}"
    );
}

/// The race: an operator pointed a config at a listener of their own (the password was
/// cleared with it); an admin repairs it (host back, password entered), and at the same
/// moment the operator saves the listener again, keeping "the" password, with the revision
/// the repair is about to make. The password must never end up bound for the listener.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repair_racing_an_edit_never_sends_the_password_elsewhere() {
    let app = TestApp::spawn_with_demo().await;
    let (operator, admin) = (
        app.as_role(Role::Operator).await,
        app.as_role(Role::Admin).await,
    );
    let dc = first_data_center(&app, &operator).await;
    let set = json!({ "action": "set", "password": PASSWORD });
    let (clear, keep) = (json!({ "action": "clear" }), json!({ "action": "keep" }));
    let listener = "listener.attacker.example";
    let (_, created) = app
        .call(
            &admin,
            "connection_configs/create",
            json!({ "form": form(&dc, "gw.example.com", 8443, set.clone()) }),
        )
        .await;
    let id = created["id"].clone();
    let update = |client: &reqwest::Client, revision: u64, form: Value| {
        let body = json!({ "id": id, "revision": revision, "form": form });
        let app = &app;
        let client = client.clone();
        async move { app.call(&client, "connection_configs/update", body).await }
    };
    let mut revision = created["revision"].as_u64().unwrap();
    let mut stolen = 0;
    for _ in 0..200 {
        let (status, pointed) = update(
            &operator,
            revision,
            form(&dc, listener, 8443, clear.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{pointed}");
        let pointed = pointed["revision"].as_u64().unwrap();
        let repair = update(
            &admin,
            pointed,
            form(&dc, "gw.example.com", 8443, set.clone()),
        );
        let steal = |revision| update(&operator, revision, form(&dc, listener, 8443, keep.clone()));
        let (repaired, _, _) = tokio::join!(repair, steal(pointed + 1), steal(pointed + 1));
        let (_, now) = app
            .call(&admin, "connection_configs/get", json!({ "id": id }))
            .await;
        if now["host"] == listener && now["password_set"] == true {
            stolen += 1;
        }
        assert_eq!(repaired.0, StatusCode::OK, "{}", repaired.1);
        revision = now["revision"].as_u64().unwrap();
    }
    assert_eq!(
        stolen, 0,
        "the password was bound for the listener {stolen} times in 200"
    );
    // Where a password went is in the audit log, entry by entry.
    let reasons: Vec<String> = app
        .audit_entries("connection_configs/update")
        .await
        .iter()
        .filter_map(|e| e["reason"].as_str().map(str::to_owned))
        .collect();
    assert!(
        reasons.iter().any(|r| r
            == "destination changed (host) from ops@gw.example.com:8443 (cloud, http) to \
                ops@listener.attacker.example:8443 (cloud, http); password cleared"),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_center_has_one_config_per_platform_and_kind() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let (_, data_centers) = app.call(&operator, "data_centers/list", json!({})).await;
    let (dc, dc_name) = (&data_centers[0]["id"], &data_centers[0]["name"]);
    let dc_name = dc_name.as_str().unwrap();
    let keep = || json!({ "action": "keep" });

    // The demo already has a test config for every platform in every data center.
    let mut second = form(dc, "gw.example.com", 443, keep());
    second["kind"] = json!("test");
    let (status, body) = app
        .call(
            &operator,
            "connection_configs/create",
            json!({ "form": second }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["field"], "platform", "{body}");
    assert_eq!(
        body["message"],
        format!(
            "{dc_name} already has a test config for the traffic gateway: {dc_name} gateway (simulator)"
        )
    );

    // The cloud one is a place of its own; moving it onto the test one's is refused too.
    let (status, cloud) = app
        .call(
            &operator,
            "connection_configs/create",
            json!({ "form": form(dc, "gw.example.com", 443, keep()) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cloud}");
    let mut moved = form(dc, "gw.example.com", 443, keep());
    moved["platform"] = json!("app_platform");
    moved["kind"] = json!("test");
    let (status, body) = app
        .call(
            &operator,
            "connection_configs/update",
            json!({ "id": cloud["id"], "revision": cloud["revision"], "form": moved }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["field"], "platform", "{body}");
    assert_eq!(
        body["message"],
        format!(
            "{dc_name} already has a test config for the application platform: {dc_name} apps (simulator)"
        )
    );
    let (_, unchanged) = app
        .call(
            &operator,
            "connection_configs/get",
            json!({ "id": cloud["id"] }),
        )
        .await;
    assert_eq!(unchanged, cloud);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_over_two_configs_in_one_place_stops_and_changes_nothing() {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let mut harness = AsyncMigrationHarness::new(db.connect().await);
    tokio::task::block_in_place(|| {
        loop {
            let reverted = harness.revert_last_migration(MIGRATIONS).unwrap();
            if reverted.to_string() == "20261123000200" {
                break;
            }
        }
    });
    drop(harness);
    let mut conn = db.connect().await;
    conn.batch_execute(
        "INSERT INTO regions (id, name) VALUES (1, 'East China');
         INSERT INTO data_centers (id, region_id, name) VALUES (1, 1, 'Shanghai-A');
         INSERT INTO connection_configs (name, data_center_id, platform, kind, host, port)
             VALUES ('gw-b', 1, 'traffic_gateway', 'cloud', 'b.example.com', 443),
                    ('gw-a', 1, 'traffic_gateway', 'cloud', 'a.example.com', 443),
                    ('gw-test', 1, 'traffic_gateway', 'test', '127.0.0.1', 3900);",
    )
    .await
    .unwrap();

    let error = run_pending(&db.url).await.unwrap_err().to_string();

    assert!(
        error.contains(
            "Keep one config per data center, platform and kind: \
             Shanghai-A has 2 cloud traffic_gateway configs: gw-a, gw-b"
        ),
        "{error}"
    );
    let configs: i64 = {
        use app::store::schema::connection_configs;
        connection_configs::table
            .count()
            .get_result(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(configs, 3, "the upgrade deleted a config");

    // Once an operator keeps one, the upgrade goes through (after any later migrations).
    conn.batch_execute("DELETE FROM connection_configs WHERE name = 'gw-b'")
        .await
        .unwrap();
    assert!(run_pending(&db.url).await.unwrap() >= 1);
    let duplicate = conn
        .batch_execute(
            "INSERT INTO connection_configs (name, data_center_id, platform, kind, host, port)
             VALUES ('gw-c', 1, 'traffic_gateway', 'cloud', 'c.example.com', 443)",
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(duplicate.contains("'platform'"), "{duplicate}");
    let routines: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE())",
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(routines, 0, "the upgrade left its check behind");
}
