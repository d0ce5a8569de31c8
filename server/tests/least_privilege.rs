//! Serving with a least-privilege account: the owner account migrates and grants; the
//! serving account reads and writes, appends to the audit log, and can do nothing worse.

use crate::support::test_app::{NO_SIMULATOR, PASSWORD, TestApp, secret, serve, start_options};
use crate::support::test_db::{TestDb, server_url};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};
use reqwest::StatusCode;
use serde_json::json;

/// A database account made for one test, dropped at its end.
struct Account {
    name: String,
}

impl Account {
    async fn create() -> Self {
        let name = format!("sy_serve_{}_{}", std::process::id(), rand_part());
        let mut root = AsyncMysqlConnection::establish(&server_url())
            .await
            .unwrap();
        root.batch_execute(&format!(
            "CREATE USER '{name}'@'%' IDENTIFIED BY 'serving password'"
        ))
        .await
        .unwrap();
        Self { name }
    }

    fn url(&self, db: &TestDb) -> String {
        let mut url = url::Url::parse(&db.url).unwrap();
        url.set_username(&self.name).unwrap();
        url.set_password(Some("serving password")).unwrap();
        url.to_string()
    }

    async fn drop_now(self) {
        let mut root = AsyncMysqlConnection::establish(&server_url())
            .await
            .unwrap();
        root.batch_execute(&format!("DROP USER IF EXISTS '{}'@'%'", self.name))
            .await
            .unwrap();
    }
}

fn rand_part() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_serving_account_can_serve_and_cannot_erase_the_audit_log() {
    let db = TestDb::empty().await;
    let account = Account::create().await;
    let serving_url = account.url(&db);
    let nobody = app::simulator_link::SimulatorLink::new(NO_SIMULATOR, "nobody", "");
    let options = server::StartOptions {
        owner_database_url: Some(db.url.clone()),
        pool_size: 2,
        ..start_options(true, nobody, crate::support::state_dir::journal())
    };
    let services = server::prepare(&serving_url, &secret(), &options)
        .await
        .unwrap()
        .services;
    let base = serve(services.clone()).await;
    let app = TestApp { base, services, db };

    // Serving works: sign in, change something, read the audit log.
    let operator = app.signed_in("operator", PASSWORD).await;
    let (status, answer) = app
        .call(
            &operator,
            "data_centers/create",
            json!({ "form": { "region": "North", "name": "DC-9", "description": "" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(!app.audit_entries("data_centers/create").await.is_empty());

    // The serving account can do nothing worse.
    let mut serving = AsyncMysqlConnection::establish(&serving_url).await.unwrap();
    for attack in [
        "TRUNCATE audit_log",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET reason = 'nothing happened'",
        "DROP TABLE plans",
        "ALTER TABLE users ADD COLUMN backdoor INT",
        "CREATE TABLE loot (x INT)",
        "DROP DATABASE IF EXISTS mysql",
    ] {
        let result = serving.batch_execute(attack).await;
        assert!(result.is_err(), "{attack} was allowed");
    }
    drop(serving);
    account.drop_now().await;
}
