//! A fresh database for one test: created on a real server, dropped when the test ends
//! (even when it fails).

use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The server the tests use, without a database name.
pub fn server_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
    let mut url = url::Url::parse(&url).expect("TEST_DATABASE_URL is not a URL");
    url.set_path("");
    url.to_string().trim_end_matches('/').to_owned()
}

#[derive(Debug)]
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// The server it is on, without a database name.
    server: String,
}

impl TestDb {
    /// An empty database with a name no other test uses.
    pub async fn empty() -> Self {
        Self::empty_on(&server_url()).await
    }

    /// An empty database on the server at `server` (without a database name).
    pub async fn empty_on(server: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "switchyard_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = AsyncMysqlConnection::establish(server).await.expect(
            "cannot reach the test database server; set TEST_DATABASE_URL or run `make test`",
        );
        conn.batch_execute(&format!("CREATE DATABASE `{name}`"))
            .await
            .unwrap();
        let url = format!("{server}/{name}");
        Self {
            name,
            url,
            server: server.to_owned(),
        }
    }

    /// A connection to this database, for checks the store offers no function for.
    pub async fn connect(&self) -> AsyncMysqlConnection {
        AsyncMysqlConnection::establish(&self.url).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (name, server) = (self.name.clone(), self.server.clone());
        // Drop runs inside the test's runtime, where we cannot block on async work:
        // a small runtime on its own thread drops the database.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut conn = AsyncMysqlConnection::establish(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}
