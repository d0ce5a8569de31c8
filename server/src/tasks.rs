//! Background work under one supervisor. Every long-running task is started here, sees
//! the same stop signal, and is waited for at shutdown: on SIGTERM the server stops
//! taking requests, lets those in flight finish, and gives each task the chance to end
//! its current round before the process exits.

use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long shutdown waits for background tasks before it gives up on them.
pub const GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default)]
pub struct Supervisor {
    stop: CancellationToken,
    tracker: TaskTracker,
}

impl Supervisor {
    /// Runs the task `name` until it returns; it is handed the stop signal and should end
    /// soon after the signal fires. A task that panics is logged, and the rest go on.
    pub fn spawn<F>(&self, name: &'static str, task: impl FnOnce(CancellationToken) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let running = self.tracker.spawn(task(self.stop.clone()));
        self.tracker.spawn(async move {
            if let Err(error) = running.await
                && error.is_panic()
            {
                tracing::error!(task = name, "background task panicked");
            }
        });
    }

    /// The signal every task and the HTTP server stop on.
    pub fn stop_signal(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Fires the stop signal and waits, up to `grace`, for every task to end; says
    /// whether they all did.
    pub async fn shut_down(&self, grace: Duration) -> bool {
        self.stop.cancel();
        self.tracker.close();
        let ended = tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok();
        if !ended {
            tracing::warn!(
                "background tasks still running after {} s; stopping anyway",
                grace.as_secs()
            );
        }
        ended
    }
}

/// Does `round` every `period` until `stop` fires; a round in progress is finished.
pub async fn every<F>(period: Duration, stop: CancellationToken, mut round: impl FnMut() -> F)
where
    F: Future<Output = ()>,
{
    let mut tick = tokio::time::interval(period);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => round().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn shutdown_ends_every_task_and_survives_a_panicking_one() {
        let supervisor = Supervisor::default();
        let rounds = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&rounds);
        supervisor.spawn("counter", |stop| async move {
            every(Duration::from_millis(5), stop, || {
                counted.fetch_add(1, Ordering::Relaxed);
                async {}
            })
            .await
        });
        supervisor.spawn("doomed", |_| async { panic!("a task that fails") });
        // However slow the machine, the counter goes round while the other task is gone.
        while rounds.load(Ordering::Relaxed) < 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }

        assert!(supervisor.shut_down(Duration::from_secs(5)).await);
        let after = rounds.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(
            rounds.load(Ordering::Relaxed),
            after,
            "no round after the stop"
        );
    }

    #[tokio::test]
    async fn a_task_that_ignores_the_stop_does_not_hold_shutdown_for_ever() {
        let supervisor = Supervisor::default();
        supervisor.spawn("stubborn", |_| std::future::pending());
        assert!(!supervisor.shut_down(Duration::from_millis(20)).await);
    }
}
