//! Switching the run mode (切换模式), and what the settings page shows of it. Going to
//! degraded mode is immediate and recorded in the journal; going back to normal writes
//! the journal into MySQL first (`reconcile`), the last pass with journal writes held,
//! so that nothing degraded mode did is left behind. Each switch is logged and audited.

use super::audit::{self, AuditRecord, Target};
use super::reconcile::reconcile;
use super::{Store, StoreError};
use crate::domain::audit::Outcome;
use crate::domain::run_mode::{Reconciled, RunMode, RunModeStatus, Switched};
use crate::mode::Mode;

/// The mode now, with the mirror's age, the journal and the last reconcile.
pub fn status(store: &Store) -> RunModeStatus {
    let mode = store.mode();
    let now = mode.now();
    RunModeStatus {
        mode: now.mode,
        since: now.since,
        switched: now.switched,
        mirrored_at: mode.mirrored_at(),
        mirror_age_seconds: mode
            .mirrored_at()
            .map(|at| (chrono::Utc::now() - at).num_seconds().max(0)),
        journal: mode.journal_status(),
        last_reconcile: mode.last_reconcile(),
    }
}

fn target() -> Option<Target> {
    Some(Target::new("run_mode", "instance"))
}

/// Switches to degraded mode (or, by an admin, takes responsibility for it); the audit
/// entry goes to the journal. Says whether anything changed.
pub async fn degrade(
    store: &Store,
    switched: Switched,
    record: &AuditRecord,
) -> Result<bool, StoreError> {
    let why = switched.describe();
    if !store.mode().switch(RunMode::Degraded, switched) {
        return Ok(false);
    }
    tracing::warn!(
        run_mode = "degraded",
        why,
        "switched to degraded mode: the database is no longer used"
    );
    let unsure = store.mode().book().settle(SETTLE).await;
    if !unsure.is_empty() {
        tracing::warn!(
            executions = ?unsure,
            "a database write of these executions was still in flight at the switch: \
             whether the database has it is unknown, so they are not driven from memory"
        );
    }
    save_for_restart(store).await;
    let note = format!("degraded mode, {why}");
    audit::record(store, record, target(), Outcome::Ok, Some(&note)).await?;
    Ok(true)
}

/// How long the switch to degraded mode waits for the database writes in flight.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(5);

/// Keeps the mode and the execution book in the journal file, so that a restart goes on
/// in degraded mode where this instance left off. A failure is logged: this instance
/// goes on, but a restart would come up in normal mode.
async fn save_for_restart(store: &Store) {
    if let Err(error) = store.on_disk(Mode::save_for_restart).await {
        tracing::error!(%error, "cannot keep the degraded mode for a restart");
    }
}

/// Writes the journal into MySQL and switches back to normal mode; returns what was
/// written. Refused (nothing changes) while the database does not answer.
pub async fn restore(
    store: &Store,
    switched: Switched,
    record: &AuditRecord,
) -> Result<Reconciled, StoreError> {
    store.ping().await?;
    // Most of it while degraded mode goes on writing; the rest with its writes held.
    let mut done = reconcile(store).await?;
    let gate = store.mode().gate().await;
    let rest = reconcile(store).await?;
    merge(&mut done, rest);
    let why = switched.describe();
    // The journal is written: a restart from now on starts in normal mode.
    if let Err(error) = store.on_disk(Mode::forget_for_restart).await {
        tracing::warn!(%error, "the journal still says degraded: a restart would start in degraded mode");
    }
    store.mode().switch(RunMode::Normal, switched);
    drop(gate);
    tracing::info!(
        run_mode = "normal",
        why,
        events = done.events,
        audit_entries = done.audit_entries,
        refused = done.refused.len(),
        "switched back to normal mode; the journal is written into the database"
    );
    let note = format!(
        "normal mode, {why}; reconciled {} events, {} step records, {} audit entries, {} \
         executions; {} records already written; {} refused",
        done.events,
        done.step_records,
        done.audit_entries,
        done.executions.len(),
        done.already_written,
        done.refused.len(),
    );
    audit::record(store, record, target(), Outcome::Ok, Some(&note)).await?;
    store.mode().set_last_reconcile(done.clone());
    Ok(done)
}

fn merge(done: &mut Reconciled, rest: Reconciled) {
    done.events += rest.events;
    done.step_records += rest.step_records;
    done.audit_entries += rest.audit_entries;
    done.already_written += rest.already_written;
    done.refused.extend(rest.refused);
    for id in rest.executions {
        if !done.executions.contains(&id) {
            done.executions.push(id);
        }
    }
}
