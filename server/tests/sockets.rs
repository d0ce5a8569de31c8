//! Sockets cannot be held open for ever: a header that never ends, a kept-alive
//! connection that never asks again, one address opening connection after connection,
//! and a flood from everywhere are each closed, on a real listener.

use app::auth::client::TrustedProxies;
use axum::Router;
use axum::routing::get;
use server::listen::{SocketLimits, serve};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n";

async fn listening(limits: SocketLimits) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let app = Router::new().route("/", get(|| async { "ok" }));
    tokio::spawn(serve(
        listener,
        app,
        limits,
        std::future::pending(),
        Duration::ZERO,
    ));
    addr
}

fn limits(header_timeout_seconds: u64, max: usize, per_address: usize) -> SocketLimits {
    SocketLimits {
        header_timeout_seconds,
        max_connections: max,
        max_connections_per_address: per_address,
        exempt: TrustedProxies::default(),
    }
}

/// Reads until the server closes the connection (or 10 s pass); returns what came.
async fn until_closed(stream: &mut TcpStream) -> Result<String, &'static str> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.map(|()| String::from_utf8_lossy(&got).into_owned())
        .map_err(|_| "still open after 10 s")
}

/// A connection that was served one request and is kept alive.
async fn served(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(REQUEST).await.unwrap();
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "not served"
    );
    stream
}

/// Whether a new connection is told 503 and closed, unserved.
async fn refused(addr: &str) -> bool {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(REQUEST).await;
    until_closed(&mut stream)
        .await
        .is_ok_and(|answer| answer.starts_with("HTTP/1.1 503"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_header_and_an_idle_kept_alive_connection_are_closed_after_the_timeout() {
    let addr = listening(limits(1, 100, 100)).await;
    let mut half = TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: te").await.unwrap();
    let mut idle = served(&addr).await;
    let answer = until_closed(&mut half).await.unwrap();
    assert!(!answer.contains("200"), "{answer}");
    assert_eq!(until_closed(&mut idle).await, Ok(String::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_gets_so_many_connections_and_then_none() {
    let addr = listening(limits(30, 100, 3)).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(served(&addr).await);
    }
    assert!(refused(&addr).await, "a fourth connection from one address");
    drop(open.pop());
    // Its slot is free once the server has seen it close.
    crate::support::wait::eventually(
        "the closed connection's slot is free",
        Duration::from_secs(10),
        || {
            let addr = addr.clone();
            async move {
                let mut stream = TcpStream::connect(&addr).await.map_err(|e| e.to_string())?;
                let _ = stream.write_all(REQUEST).await;
                let mut buf = [0u8; 64];
                match stream.read(&mut buf).await {
                    Ok(n) if n > 0 => Ok(()),
                    _ => Err("refused".to_owned()),
                }
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_limit_holds_and_a_trusted_proxy_is_not_counted_per_address() {
    let mut limits = limits(30, 4, 2);
    limits.exempt = TrustedProxies::parse("127.0.0.1").unwrap();
    let addr = listening(limits).await;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(served(&addr).await);
    }
    assert!(
        refused(&addr).await,
        "a fifth connection over the limit of four"
    );
}
