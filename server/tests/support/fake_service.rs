//! A tiny HTTP service that misbehaves on purpose, for steps that call a URL of their own
//! (`http.call`): it counts every request it receives and answers each with one status,
//! or never answers at all.

use axum::Router;
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A service on the loopback address, at `url`.
#[derive(Debug)]
pub struct FakeService {
    pub url: String,
    received: Arc<AtomicUsize>,
}

impl FakeService {
    /// Never answers: the request arrives and the connection stays silent.
    pub const HANG: u16 = 0;

    /// Serves on 127.0.0.1 (the one loopback address test engines may call), answering
    /// every request with `status` (or `HANG`).
    pub async fn start(status: u16) -> Self {
        Self::start_at("127.0.0.1", status).await
    }

    /// Serves on `ip`, answering every request with `status` (or `HANG`).
    pub async fn start_at(ip: &str, status: u16) -> Self {
        let received = Arc::new(AtomicUsize::new(0));
        let count = received.clone();
        let app = Router::new().fallback(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                match status {
                    Self::HANG => std::future::pending().await,
                    status => StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    /// How many requests arrived.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}
