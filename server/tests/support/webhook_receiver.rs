//! A tiny webhook receiver: it keeps every message it is sent (headers and body) and
//! answers each with the next status of a script (the last one for the rest), or never
//! answers at all.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use std::sync::{Arc, Mutex};

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub event: String,
    pub delivery: String,
    pub signature: String,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Debug, Default)]
struct Log {
    received: Vec<Received>,
    /// Requests that arrived and have not been answered (a hanging answer).
    open: usize,
}

/// A receiver on 127.0.0.1, at `url`.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    pub url: String,
    log: Arc<Mutex<Log>>,
}

impl WebhookReceiver {
    /// Never answers: the request arrives and the connection stays silent.
    pub const HANG: u16 = 0;

    /// Answers the first message with `script[0]`, the second with `script[1]`, and every
    /// later one with the script's last status.
    pub async fn start(script: &[u16]) -> Self {
        let log = Arc::new(Mutex::new(Log::default()));
        let script: Arc<[u16]> = script.into();
        let kept = log.clone();
        let app = Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (log, script) = (kept.clone(), script.clone());
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let status = {
                    let mut log = log.lock().unwrap();
                    let index = log.received.len().min(script.len() - 1);
                    log.received.push(Received {
                        event: header("x-switchyard-event"),
                        delivery: header("x-switchyard-delivery"),
                        signature: header("x-switchyard-signature"),
                        body,
                    });
                    script[index]
                };
                if status == Self::HANG {
                    log.lock().unwrap().open += 1;
                    std::future::pending::<()>().await;
                }
                StatusCode::from_u16(status).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/switchyard", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, log }
    }

    /// Every message so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    /// How many requests are waiting for an answer that never comes.
    pub fn open(&self) -> usize {
        self.log.lock().unwrap().open
    }
}
