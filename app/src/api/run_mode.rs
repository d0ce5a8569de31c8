//! The run mode (运行模式): everyone signed in sees it (the banner on every page); an admin
//! switches it (切换模式).

use crate::domain::run_mode::{RunMode, RunModeStatus};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The instance's run mode now: since when, why, the mirror's age, the journal.
#[server(endpoint = "run_mode/get", input = Json, output = Json)]
pub async fn get_run_mode() -> Result<RunModeStatus, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetRunMode, None, async |actor| {
        Ok(crate::store::run_mode::status(&actor.auth.store))
    })
    .await
}

/// Switches to `to`. To degraded: at once, and the admin takes responsibility that no
/// other instance drives this instance's executions (asked again while already degraded
/// by itself, it records that). To normal: the journal is written into the database
/// first; the answer's `last_reconcile` says what was written and what was refused.
#[server(endpoint = "run_mode/switch", input = Json, output = Json)]
pub async fn switch_run_mode(to: RunMode) -> Result<RunModeStatus, AppError> {
    use crate::domain::role::Action;
    use crate::domain::run_mode::Switched;
    use crate::error::ConflictCode;
    use crate::store::run_mode;
    let target = Some(crate::store::audit::Target::new("run_mode", "instance"));
    super::server_side::run(Action::SwitchRunMode, target, async |actor| {
        let store = &actor.auth.store;
        let by_admin = Switched::ByAdmin {
            name: actor.user.username.clone(),
        };
        let now = store.mode().now();
        match to {
            RunMode::Degraded => {
                if !run_mode::degrade(store, by_admin, &actor.record()).await? {
                    return Err(AppError::conflict(
                        ConflictCode::WrongState,
                        None,
                        format!(
                            "this instance is in degraded mode already ({})",
                            now.switched.describe()
                        ),
                    ));
                }
            }
            RunMode::Normal => {
                if !now.is_degraded() {
                    return Err(AppError::conflict(
                        ConflictCode::WrongState,
                        None,
                        "this instance is in normal mode already",
                    ));
                }
                run_mode::restore(store, by_admin, &actor.record())
                    .await
                    .map_err(|error| match error {
                        crate::store::StoreError::Unavailable(detail) => {
                            tracing::warn!(error = %detail, "cannot switch back to normal mode");
                            AppError::Unavailable {
                                message: "the database does not answer yet: this instance stays \
                                          in degraded mode, and nothing was written"
                                    .to_owned(),
                            }
                        }
                        other => other.into(),
                    })?;
            }
        }
        Ok(run_mode::status(store))
    })
    .await
}
