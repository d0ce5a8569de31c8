//! Database health -> run mode: the database is asked a trivial query every second;
//! after it has failed for `degrade_after` the instance switches to degraded mode by
//! itself. The way back is an admin's (Settings page), or automatic after the database
//! has answered for as long, when `restore_automatically` is set. Either way back
//! reconciles the journal first (`app::store::run_mode::restore`).
//!
//! In normal mode the configuration mirror is refreshed at once after every change this
//! instance commits, and every `MIRROR_EVERY` for changes other instances made.

use crate::tasks::Supervisor;
use app::domain::run_mode::{RunMode, Switched};
use app::services::Services;
use app::store::audit::AuditRecord;
use app::store::run_mode;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

/// How the run mode follows the database.
#[derive(Debug, Clone, clap::Args)]
pub struct ModeConfig {
    /// Where this instance keeps its degraded-mode journal (and the configuration
    /// snapshot): a local directory of its own. By default
    /// `.switchyard/state/<database>-<port>`, so instances of other databases or ports
    /// in the same folder never share one.
    #[arg(long, env = "SWITCHYARD_STATE_DIR")]
    pub state_dir: Option<PathBuf>,

    /// Seconds the database must fail its health checks before the instance switches to
    /// degraded mode by itself (0: never by itself).
    #[arg(long, env = "SWITCHYARD_DEGRADE_AFTER_SECONDS", default_value_t = 5.0)]
    pub degrade_after_seconds: f64,

    /// Switch back to normal mode by itself once the database has answered for as long
    /// (off: an admin switches back on the Settings page).
    #[arg(long, env = "SWITCHYARD_RESTORE_AUTOMATICALLY", default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub restore_automatically: bool,
}

impl ModeConfig {
    /// The journal's path, for an instance serving on `port` from `database_url`.
    pub fn journal_path(&self, database_url: &str, port: u16) -> PathBuf {
        let dir = self.state_dir.clone().unwrap_or_else(|| {
            let database = url::Url::parse(database_url)
                .ok()
                .map(|url| url.path().trim_start_matches('/').to_owned())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "switchyard".to_owned());
            let safe: String = database
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            PathBuf::from(".switchyard/state").join(format!("{safe}-{port}"))
        });
        dir.join("journal.redb")
    }

    /// `None`: never by itself.
    pub fn degrade_after(&self) -> Option<Duration> {
        (self.degrade_after_seconds > 0.0)
            .then(|| Duration::from_secs_f64(self.degrade_after_seconds))
    }

    /// How often the database is asked: every second, or more often when the configured
    /// time is shorter.
    fn check_every(&self) -> Duration {
        let second = Duration::from_secs(1);
        self.degrade_after()
            .map_or(second, |after| (after / 4).min(second))
    }

    /// Refuses a time that cannot be one.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.degrade_after_seconds.is_finite() && self.degrade_after_seconds >= 0.0,
            "SWITCHYARD_DEGRADE_AFTER_SECONDS must be 0 or a number of seconds, not {}",
            self.degrade_after_seconds
        );
        Ok(())
    }
}

/// How often the mirror is refreshed when no change of this instance asks for it.
pub const MIRROR_EVERY: Duration = Duration::from_secs(10);

/// Starts the health check that moves the run mode, and the refresh of the mirror and of
/// the execution book's copies of executions this instance no longer drives.
pub fn start(supervisor: &Supervisor, services: &Services, config: ModeConfig) {
    let store = services.store().clone();
    supervisor.spawn("configuration mirror", move |stop| async move {
        let mut changes = store.mode().configuration_changes();
        loop {
            if let Err(error) = app::store::mirror::refresh(&store).await {
                tracing::debug!(%error, "the configuration mirror was not refreshed");
            }
            if let Err(error) = app::store::executions::run::refresh_book(&store).await {
                tracing::debug!(%error, "the execution book was not refreshed");
            }
            tokio::select! {
                () = stop.cancelled() => return,
                _ = changes.changed() => {}
                () = tokio::time::sleep(MIRROR_EVERY) => {}
            }
        }
    });
    let store = services.store().clone();
    supervisor.spawn("run mode", move |stop| async move {
        let every = config.check_every();
        let mut failing_since: Option<Instant> = None;
        let mut answering_since: Option<Instant> = None;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            let answer =
                match tokio::time::timeout(every.max(Duration::from_millis(500)), store.ping())
                    .await
                {
                    Ok(answer) => answer.map_err(|e| e.to_string()),
                    Err(_) => Err("it did not answer in time".to_owned()),
                };
            let now = Instant::now();
            let mode = store.mode().now();
            match (mode.mode, answer) {
                (RunMode::Normal, Ok(())) => failing_since = None,
                (RunMode::Normal, Err(error)) => {
                    let since = *failing_since.get_or_insert(now);
                    let Some(after) = config.degrade_after() else {
                        continue;
                    };
                    if now - since >= after {
                        let reason = format!(
                            "the database failed its health checks for {:.1} s ({error})",
                            (now - since).as_secs_f64()
                        );
                        switch_by_itself(&store, RunMode::Degraded, reason).await;
                        failing_since = None;
                    }
                }
                (RunMode::Degraded, Err(_)) => answering_since = None,
                (RunMode::Degraded, Ok(())) => {
                    let since = *answering_since.get_or_insert(now);
                    let automatic = matches!(mode.switched, Switched::Automatically { .. });
                    let waited = config
                        .degrade_after()
                        .is_none_or(|after| now - since >= after);
                    if config.restore_automatically && automatic && waited {
                        let reason = format!(
                            "the database answered its health checks again for {:.1} s",
                            (now - since).as_secs_f64()
                        );
                        switch_by_itself(&store, RunMode::Normal, reason).await;
                        answering_since = None;
                    }
                }
            }
        }
    });
}

/// Switches the run mode to `to` by itself, for `reason`, audited by "(system)"; a switch
/// that fails (back to normal while the database fails again, say) is logged and tried
/// at the next check.
async fn switch_by_itself(store: &app::store::Store, to: RunMode, reason: String) {
    let switched = Switched::Automatically { reason };
    let record = AuditRecord::system("run_mode/switch");
    let failed = match to {
        RunMode::Degraded => run_mode::degrade(store, switched, &record).await.err(),
        RunMode::Normal => run_mode::restore(store, switched, &record).await.err(),
    };
    if let Some(error) = failed {
        tracing::warn!(%error, to = ?to, "could not switch the run mode by itself");
    }
}
