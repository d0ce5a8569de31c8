//! The built-in simulator's control API, through the console: everyone signed in reads
//! its world, faults, timing and call log; operators and admins inject and clear faults,
//! set the timing and reset the world. Every change is audited; the simulator is reached
//! through `SimulatorLink`, and what goes wrong there is said in one place, `link_error`.

use crate::domain::simulator::{Fault, FaultSpec, SimulatorState, Timing};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The spec trimmed, or the field that is wrong: the check the simulator runs too, here
/// so the form shows it before the round trip and the server refuses it before sending.
pub fn check_fault_spec(spec: FaultSpec) -> Result<FaultSpec, AppError> {
    spec.checked()
        .map_err(|error| AppError::invalid(vec![error]))
}

/// The timing, or the kind that is wrong, as `check_fault_spec`.
pub fn check_timing(timing: Timing) -> Result<Timing, AppError> {
    timing
        .checked()
        .map_err(|error| AppError::invalid(vec![error]))
}

/// A `bad_request` the simulator itself answered (the console checked first, so only a
/// simulator of another version gets here), shown with the form as a whole.
#[cfg(feature = "ssr")]
fn refused_spec(message: String) -> AppError {
    use crate::domain::simulator::fields;
    AppError::invalid(vec![crate::error::FieldError::new(fields::SPEC, message)])
}

/// What a failed control call means for the person who made it. `invalid` says which
/// field a `bad_request` refusal is about, for the calls that send something.
#[cfg(feature = "ssr")]
fn link_error(
    error: crate::simulator_link::LinkError,
    invalid: Option<fn(String) -> AppError>,
) -> AppError {
    use crate::domain::platform::ErrorCode;
    use crate::error::ConflictCode;
    use crate::simulator_link::LinkError;
    match error {
        LinkError::Unreachable(base) => AppError::Unavailable {
            message: format!(
                "the simulator at {base} does not answer; `make run` starts it, or run `server simulator`"
            ),
        },
        LinkError::Refused(refusal) => match (refusal.code, invalid) {
            (ErrorCode::BadRequest, Some(invalid)) => invalid(refusal.message),
            (ErrorCode::NotPossible | ErrorCode::NoSiteLeft, _) => {
                AppError::conflict(ConflictCode::WrongState, None, refusal.message)
            }
            (ErrorCode::Unauthorized, _) => AppError::Unavailable {
                message: "the simulator refused the console's credentials; start both with the \
                          same SWITCHYARD_SIMULATOR_USERNAME and SWITCHYARD_SIMULATOR_PASSWORD"
                    .to_owned(),
            },
            _ => AppError::Unavailable {
                message: format!("the simulator refused: {}", refusal.message),
            },
        },
        LinkError::Unexpected(detail) => {
            tracing::warn!(%detail, "the simulator answered unexpectedly");
            AppError::Unavailable {
                message: "the simulator answered something the console does not understand; \
                          is another program listening on its address?"
                    .to_owned(),
            }
        }
    }
}

/// The audit target of a change to the simulator: `what` names the part changed.
#[cfg(feature = "ssr")]
fn target(what: impl ToString) -> crate::store::audit::Target {
    crate::store::audit::Target::new("simulator", what)
}

/// Writes the `ok` entry of a change the simulator made (it has no transaction of ours
/// to write it in); `note` says what changed.
#[cfg(feature = "ssr")]
async fn audited(
    actor: &crate::auth::guard::Actor,
    what: impl ToString,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::Outcome;
    let (store, record) = (&actor.auth.store, actor.record());
    let target = Some(target(what));
    crate::store::audit::record(store, &record, target, Outcome::Ok, note.as_deref()).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn link() -> Result<crate::simulator_link::SimulatorLink, AppError> {
    Ok(crate::services::Services::current()?.simulator)
}

/// The simulator's world, active faults, timing and latest calls.
// Named apart from `domain::simulator::SimulatorState`, which it answers.
#[server(name = GetSimulatorState, endpoint = "simulator/state", input = Json, output = Json)]
pub async fn simulator_state() -> Result<SimulatorState, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::SimulatorState, None, async |_actor| {
        link()?.state().await.map_err(|e| link_error(e, None))
    })
    .await
}

/// Injects a fault; answers it with its id.
#[server(endpoint = "simulator/inject_fault", input = Json, output = Json)]
pub async fn inject_fault(spec: FaultSpec) -> Result<Fault, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::InjectFault, Some(target("faults")), async |actor| {
        let spec = check_fault_spec(spec)?;
        let fault = link()?
            .inject(&spec)
            .await
            .map_err(|e| link_error(e, Some(refused_spec)))?;
        let note = Some(fault.spec.describe());
        audited(&actor, format!("fault/{}", fault.id), note).await?;
        Ok(fault)
    })
    .await
}

/// Clears one fault; answers the state after.
#[server(endpoint = "simulator/clear_fault", input = Json, output = Json)]
pub async fn clear_fault(id: u64) -> Result<SimulatorState, AppError> {
    use crate::domain::role::Action;
    let what = format!("fault/{id}");
    super::server_side::run(Action::ClearFault, Some(target(&what)), async |actor| {
        let state = link()?.clear(id).await.map_err(|e| link_error(e, None))?;
        audited(&actor, what, None).await?;
        Ok(state)
    })
    .await
}

/// Clears every fault; answers the state after.
#[server(endpoint = "simulator/clear_faults", input = Json, output = Json)]
pub async fn clear_faults() -> Result<SimulatorState, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ClearFaults, Some(target("faults")), async |actor| {
        let state = link()?.clear_all().await.map_err(|e| link_error(e, None))?;
        audited(&actor, "faults", None).await?;
        Ok(state)
    })
    .await
}

/// Puts the simulated world back as the estate says (faults and timing stay); answers
/// the state after.
#[server(endpoint = "simulator/reset", input = Json, output = Json)]
pub async fn reset_simulator() -> Result<SimulatorState, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(
        Action::ResetSimulator,
        Some(target("world")),
        async |actor| {
            let state = link()?.reset().await.map_err(|e| link_error(e, None))?;
            audited(&actor, "world", None).await?;
            Ok(state)
        },
    )
    .await
}

/// Sets how long simulated operations take; answers the state after.
#[server(endpoint = "simulator/set_timing", input = Json, output = Json)]
pub async fn set_simulator_timing(timing: Timing) -> Result<SimulatorState, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(
        Action::SetSimulatorTiming,
        Some(target("timing")),
        async |actor| {
            let timing = check_timing(timing)?;
            let state = link()?
                .set_timing(&timing)
                .await
                .map_err(|e| link_error(e, Some(refused_spec)))?;
            let [traffic, restart, cluster] = [timing.traffic, timing.restart, timing.cluster]
                .map(|l| format!("{}–{} ms", l.min_ms, l.max_ms));
            let note = format!("traffic {traffic}, restart {restart}, cluster {cluster}");
            audited(&actor, "timing", Some(note)).await?;
            Ok(state)
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::simulator::{Call, FaultEffect, Latency, fields};

    fn spec(effect: FaultEffect) -> FaultSpec {
        FaultSpec {
            call: Call::ApplicationRestart,
            data_center: None,
            target: None,
            effect,
            times: None,
            delay_ms: None,
        }
    }

    fn field(error: AppError) -> String {
        match error {
            AppError::Validation { errors } => errors[0].field.clone(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_refused_spec_names_the_field_at_fault() {
        let slow = check_fault_spec(spec(FaultEffect::Slow)).unwrap_err();
        assert_eq!(field(slow), fields::DELAY_MS);
        let never = FaultSpec {
            times: Some(0),
            ..spec(FaultEffect::Fail)
        };
        assert_eq!(field(check_fault_spec(never).unwrap_err()), fields::TIMES);
        let long = FaultSpec {
            target: Some("x".repeat(101)),
            ..spec(FaultEffect::Fail)
        };
        assert_eq!(field(check_fault_spec(long).unwrap_err()), fields::TARGET);
        let flap = check_fault_spec(spec(FaultEffect::Flap)).unwrap_err();
        assert_eq!(field(flap), fields::EFFECT);
        let drop = FaultSpec {
            call: Call::TrafficRead,
            ..spec(FaultEffect::Drop)
        };
        assert_eq!(field(check_fault_spec(drop).unwrap_err()), fields::EFFECT);
        assert!(check_fault_spec(spec(FaultEffect::Fail)).is_ok());
    }

    #[test]
    fn a_refused_timing_names_its_kind() {
        let backwards = Timing {
            cluster: Latency {
                min_ms: 9,
                max_ms: 1,
            },
            ..Timing::ZERO
        };
        assert_eq!(field(check_timing(backwards).unwrap_err()), "cluster");
        assert!(check_timing(Timing::REALISTIC).is_ok());
    }
}
