//! A hostile platform: speaks the platform API's shape (every mutating call answered
//! `202` with an operation, `GET /v1/operations/{id}` answered with it) but answers
//! strangely in one chosen way, and counts the mutating calls it receives.

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The one way the platform misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// Accepts with an operation id of 300 characters, which no engine can keep.
    LongOperationId,
    /// Succeeds at once with a 100,000-character message and 300 log lines, five of them
    /// 100,000 characters long.
    HugeLog,
    /// Answers with two megabytes of JSON.
    HugeAnswer,
    /// Succeeds, echoing the `Authorization` header it got and the credentials in it in
    /// the operation's message, log and kind, and in its health answer's platform name.
    Tattles,
    /// Refuses (400), echoing the credentials it got in the refusal's message.
    TattlesWhenRefusing,
}

#[derive(Debug)]
pub struct FakePlatform {
    pub host: String,
    pub port: u16,
    posts: Arc<AtomicUsize>,
}

impl FakePlatform {
    /// Serves on 127.0.0.1:0, misbehaving as `hostile` says.
    pub async fn start(hostile: Hostile) -> Self {
        let posts = Arc::new(AtomicUsize::new(0));
        let counted = posts.clone();
        let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
            let counted = counted.clone();
            async move {
                if method == Method::POST {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
                if hostile == Hostile::Tattles && uri.path() == "/v1/health" {
                    let (header, credentials) = tattle(&headers);
                    let platform = format!("{credentials} {header}");
                    let health =
                        json!({ "status": "ok", "platform": platform, "api_version": "v1" });
                    return axum::Json(health).into_response();
                }
                answer(hostile, &headers)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            host: "127.0.0.1".to_owned(),
            port,
            posts,
        }
    }

    /// How many mutating calls arrived.
    pub fn posts(&self) -> usize {
        self.posts.load(Ordering::SeqCst)
    }
}

/// What a platform that tattles says it got: the header, and the user and password in it.
fn tattle(headers: &HeaderMap) -> (String, String) {
    use base64::Engine;
    let header = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let decoded = header
        .strip_prefix("Basic ")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let (user, password) = decoded.split_once(':').unwrap_or_default();
    (
        format!("Authorization: {header}"),
        format!("user {user} password {password}"),
    )
}

fn answer(hostile: Hostile, headers: &HeaderMap) -> Response {
    let big = "x".repeat(100_000);
    let operation = match hostile {
        Hostile::LongOperationId => json!({
            "id": "o".repeat(300), "kind": "traffic.cut", "state": "running",
            "message": "", "log": [],
        }),
        Hostile::HugeLog => {
            let mut log: Vec<String> = (0..295).map(|n| format!("line {n}")).collect();
            log.extend(std::iter::repeat_n(big.clone(), 5));
            json!({
                "id": "op-1", "kind": "traffic.cut", "state": "succeeded",
                "message": big, "log": log,
            })
        }
        Hostile::HugeAnswer => json!({
            "id": "op-1", "kind": "traffic.cut", "state": "succeeded",
            "message": "y".repeat(2 << 20), "log": [],
        }),
        Hostile::Tattles => {
            let (header, credentials) = tattle(headers);
            json!({
                "id": "op-1", "kind": format!("traffic.cut {credentials}"),
                "state": "succeeded",
                "message": format!("done; you sent {header}"),
                "log": [header, credentials],
            })
        }
        Hostile::TattlesWhenRefusing => {
            let (header, credentials) = tattle(headers);
            let error = json!({
                "code": "bad_request",
                "message": format!("cannot take {credentials} ({header})"),
            });
            return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
        }
    };
    (StatusCode::ACCEPTED, axum::Json(operation)).into_response()
}
