//! How the console and the simulator take connections, with every limit on sockets in
//! one place: a request's header must arrive within the header timeout (a kept-alive
//! connection waiting for its next request counts the same), at most so many connections
//! are open at once, and at most so many from one address (a trusted reverse proxy is
//! exempt: every connection through it comes from it). A connection over a limit is
//! closed at once. The console, the simulator, the database pool and the calls to the
//! platforms share one limit of open files, raised at start to what the system allows.

use app::auth::client::TrustedProxies;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

const HEADER_TIMEOUT_SECONDS: u64 = 10;
const MAX_CONNECTIONS: usize = 2048;
/// Generous: a whole office behind one NAT address watches a disaster together.
const MAX_CONNECTIONS_PER_ADDRESS: usize = 256;
/// What a connection over a limit is told before it is closed.
const OVER_LIMIT: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\
Connection: close\r\nContent-Length: 41\r\n\r\ntoo many connections; try again shortly\r\n";
/// Open files kept for what is not a listener's: the database pool, calls to platforms,
/// the files served, the log.
const OTHER_FILES: u64 = 256;

/// The socket limits of one listener.
#[derive(Debug, Clone, clap::Args)]
pub struct SocketLimits {
    /// Seconds a client has to send a request's whole header, and that a kept-alive
    /// connection may wait for its next request.
    #[arg(long, env = "SWITCHYARD_HEADER_TIMEOUT_SECONDS", default_value_t = HEADER_TIMEOUT_SECONDS)]
    pub header_timeout_seconds: u64,

    /// Most HTTP connections open at once (live channels are counted by their own cap).
    #[arg(long, env = "SWITCHYARD_MAX_CONNECTIONS", default_value_t = MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Most HTTP connections open at once from one address (trusted proxies are exempt).
    #[arg(long, env = "SWITCHYARD_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = MAX_CONNECTIONS_PER_ADDRESS)]
    pub max_connections_per_address: usize,

    /// Peers exempt from the per-address limit (the trusted reverse proxies).
    #[arg(skip)]
    pub exempt: TrustedProxies,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            header_timeout_seconds: HEADER_TIMEOUT_SECONDS,
            max_connections: MAX_CONNECTIONS,
            max_connections_per_address: MAX_CONNECTIONS_PER_ADDRESS,
            exempt: TrustedProxies::default(),
        }
    }
}

impl SocketLimits {
    /// Fits `listeners` listeners with these limits, `watchers` live channels and the
    /// rest into the open files this process may have (raised first to what the system
    /// allows): when they do not fit, fewer connections are allowed, and the log says so.
    pub fn fit_open_files(&mut self, listeners: usize, watchers: usize) {
        let files = raise_open_files_limit();
        let room = files.saturating_sub(watchers as u64 + OTHER_FILES) / listeners.max(1) as u64;
        if (self.max_connections as u64) > room {
            let fitted = room.max(16) as usize;
            tracing::warn!(
                files,
                watchers,
                wanted = self.max_connections,
                allowed = fitted,
                "this process may open too few files for the connection limit; it is lowered \
                 (raise `ulimit -n`, or set SWITCHYARD_MAX_CONNECTIONS)"
            );
            self.max_connections = fitted;
        }
    }

    fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_seconds.max(1))
    }
}

/// Open connections by address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its address until dropped.
struct Counted {
    table: Arc<PerAddress>,
    addr: IpAddr,
}

impl PerAddress {
    fn take(table: &Arc<Self>, addr: IpAddr, most: usize) -> Option<Counted> {
        let mut open = table.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(addr).or_default();
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(Counted {
            table: Arc::clone(table),
            addr,
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.addr) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.addr);
            }
        }
    }
}

/// Serves `app` on `listener` within `limits` until `stop` completes, then lets open
/// requests finish (for at most `grace`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: SocketLimits,
    stop: impl Future<Output = ()>,
    grace: Duration,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout());
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(PerAddress::default());
    let (connections, stopping) = (TaskTracker::new(), CancellationToken::new());
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: the ones open close soon.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tracing::debug!(%peer, "connection refused: the most connections are open");
            let _ = stream.try_write(OVER_LIMIT);
            continue;
        };
        let counted = if limits.exempt.trusts(peer.ip()) {
            None
        } else {
            match PerAddress::take(&per_address, peer.ip(), limits.max_connections_per_address) {
                Some(counted) => Some(counted),
                None => {
                    tracing::debug!(%peer, "connection refused: the most from one address are open");
                    let _ = stream.try_write(OVER_LIMIT);
                    continue;
                }
            }
        };
        // A streamed page is several small writes; with Nagle's algorithm on, each one
        // after the first waits for the browser's delayed ACK (40 ms on Linux).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
        }
        let service = app
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let stopping = stopping.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopping.cancelled() => {
                    // The request in progress is answered; the connection then closes.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop((permit, counted));
        });
    }
    drop(listener);
    stopping.cancel();
    connections.close();
    if tokio::time::timeout(grace, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period are dropped");
    }
}

/// Raises this process's limit of open files to what the system allows, and says how
/// many there are.
fn raise_open_files_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "cannot raise the limit of open files");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}
