//! Waiting for a condition, never for a time: a check asked again every 20 ms until it
//! holds, and a test that fails saying what never happened (and what was seen last).

use std::time::Duration;

/// Asks `check` until it gives `Ok`, for at most `limit`; panics with `what` and the last
/// `Err` (what was seen) otherwise.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) => assert!(
                tokio::time::Instant::now() < deadline,
                "{what} never happened; last seen: {seen}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
