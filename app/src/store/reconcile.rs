//! Reconcile: writes what degraded mode put in the local journal into MySQL, on the way
//! back to normal mode, idempotently: an execution's events by `(execution, seq)` (their
//! changes applied to its steps, log lines and call records as they go), audit entries by
//! their journal key. Consecutive records of one execution are written together, in one
//! transaction (a run); any other record in a transaction of its own. A record found
//! written already is counted and skipped, so reconciling twice writes nothing new. The
//! journal is marked every few hundred records: a reconcile cut off in between writes
//! nothing twice, it finds those records written.
//!
//! A record is refused, and said why, when writing it would make the database lie: its
//! execution's lease was taken over meanwhile by another instance (its fencing token
//! moved on), or an earlier record of the same execution was refused (its `seq` would
//! leave a gap).

use super::audit;
use super::retry::retrying;
use super::schema::{
    connection_configs, execution_calls, execution_events, execution_leases, execution_step_logs,
    execution_steps, executions, users,
};
use super::{Db, Store, StoreError};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{ExecutionStep, ExecutionSummary, StepCall};
use crate::domain::ids::ExecutionId;
use crate::domain::run_mode::{Reconciled, Refusal};
use crate::mode::journal::{Fenced, Record};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::BTreeSet;

/// What writing one record did.
#[derive(Clone)]
enum Outcome {
    Written {
        events: u64,
        step_records: u64,
        audit: u64,
    },
    AlreadyWritten,
    Refused(String),
}

/// Writes every unwritten journal record into MySQL, in order, and marks them written.
/// Uses the database whatever the mode says (it runs before the switch back).
pub async fn reconcile(store: &Store) -> Result<Reconciled, StoreError> {
    let written = store
        .on_disk(|mode| mode.journal_file().written_mark())
        .await?;
    reconcile_after(store, written).await
}

/// Writes the whole journal again, from its first record: what a reconcile interrupted
/// after writing but before marking would do. Writes nothing that is there already.
pub async fn reconcile_from_start(store: &Store) -> Result<Reconciled, StoreError> {
    reconcile_after(store, 0).await
}

async fn reconcile_after(store: &Store, after: u64) -> Result<Reconciled, StoreError> {
    let records = store
        .on_disk(move |mode| mode.journal_file().records_after(after))
        .await?;
    let mut done = Reconciled {
        at: Utc::now(),
        ..Reconciled::default()
    };
    let mut touched = BTreeSet::new();
    let mut refused_executions = BTreeSet::new();
    let mut conn = store.database().await?;
    let mut last = None;
    for run in runs(&records) {
        let execution = run[0].1.execution.map(|f| f.execution);
        let outcomes = match execution {
            Some(id) if refused_executions.contains(&id) => run
                .iter()
                .map(|_| {
                    Outcome::Refused(
                        "an earlier journal record of this execution was not written, so this \
                         one would leave a gap in its events"
                            .to_owned(),
                    )
                })
                .collect(),
            _ if run.len() == 1 => vec![write_record(&mut conn, &run[0].1).await?],
            _ => write_run(&mut conn, run).await?,
        };
        for ((number, record), outcome) in run.iter().zip(outcomes) {
            match outcome {
                Outcome::Written {
                    events,
                    step_records,
                    audit,
                } => {
                    done.events += events;
                    done.step_records += step_records;
                    done.audit_entries += audit;
                    if let Some(id) = execution.filter(|_| events > 0) {
                        touched.insert(id);
                    }
                }
                Outcome::AlreadyWritten => done.already_written += 1,
                Outcome::Refused(why) => {
                    if let Some(id) = execution {
                        refused_executions.insert(id);
                    }
                    done.refused.push(Refusal {
                        what: describe(record),
                        why,
                    });
                }
            }
            if number % MARK_EVERY == 0 {
                mark(store, *number).await?;
            }
            last = Some(*number);
        }
    }
    if let Some(number) = last {
        mark(store, number).await?;
    }
    done.executions = touched.into_iter().collect();
    Ok(done)
}

/// How many records reconcile writes between two marks in the journal (each mark waits
/// for the disk). A reconcile cut off between two marks writes those records again next
/// time, where they are found written already.
const MARK_EVERY: u64 = 256;

async fn mark(store: &Store, number: u64) -> Result<(), StoreError> {
    store
        .on_disk(move |mode| mode.journal_file().mark_written(number))
        .await
}

/// `execution 12, events 40..52` or `3 audit entries`.
fn describe(record: &Record) -> String {
    let mut parts = Vec::new();
    if let (Some(fenced), Some(first), Some(last)) = (
        record.execution,
        <[_]>::first(&record.events),
        <[_]>::last(&record.events),
    ) {
        parts.push(format!(
            "execution {}, events {}..{}",
            fenced.execution, first.seq, last.seq
        ));
    }
    if !record.audit.is_empty() {
        parts.push(format!("{} audit entries", record.audit.len()));
    }
    parts.join("; ")
}

/// How many records of one execution are written in one transaction at most.
const RUN: usize = 500;

/// The records in runs: consecutive records of one execution's events (at most [`RUN`])
/// are written together; any other record is a run of its own.
fn runs(records: &[(u64, Record)]) -> Vec<&[(u64, Record)]> {
    let execution_of = |record: &Record| {
        record
            .execution
            .filter(|_| !record.events.is_empty())
            .map(|f| f.execution)
    };
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=records.len() {
        let ends = i == records.len()
            || i - start == RUN
            || execution_of(&records[i].1).is_none()
            || execution_of(&records[i].1) != execution_of(&records[start].1)
            || records[i].1.execution != records[start].1.execution;
        if ends {
            runs.push(&records[start..i]);
            start = i;
        }
    }
    runs
}

/// Writes a run of one execution's records in one transaction: those the database holds
/// already are counted as such; the rest go in as one range of events (with their
/// changes) and their audit entries. The outcomes come in the records' order.
async fn write_run(conn: &mut Db, run: &[(u64, Record)]) -> Result<Vec<Outcome>, StoreError> {
    let run: &Vec<Record> = &run.iter().map(|(_, record)| record.clone()).collect();
    retrying!(
        conn.transaction(async move |conn| {
            let fenced = run[0]
                .execution
                .ok_or_else(|| StoreError::internal("a run without its execution"))?;
            let held: Option<u64> = executions::table
                .find(fenced.execution.0)
                .select(executions::last_seq)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let held = held.unwrap_or(0);
            let last_of = |record: &Record| record.events.last().map_or(0, |e| e.seq);
            let already = run.iter().take_while(|r| last_of(r) <= held).count();
            // Numbered as already written, but by this instance only if the stored event
            // is this one: another instance may have driven the execution meanwhile.
            let written_last = run[..already].iter().rev().find_map(|r| r.events.last());
            if let Some(event) = written_last
                && !stored_is(conn, event).await?
            {
                let why = overtaken(fenced.execution, held);
                return Ok(run.iter().map(|_| Outcome::Refused(why.clone())).collect());
            }
            let mut outcomes: Vec<Outcome> = run[..already]
                .iter()
                .map(|_| Outcome::AlreadyWritten)
                .collect();
            let rest = &run[already..];
            if rest.is_empty() {
                return Ok(outcomes);
            }
            let events: Vec<ExecutionEvent> = rest.iter().flat_map(|r| r.events.clone()).collect();
            match write_events(conn, fenced, &events).await? {
                Err(outcome) => {
                    outcomes.extend(rest.iter().map(|_| outcome.clone()));
                }
                Ok((written, step_records)) => {
                    for (i, record) in rest.iter().enumerate() {
                        let mut audit_written = 0;
                        for line in &record.audit {
                            if audit::write_journaled(conn, line).await? {
                                audit_written += 1;
                            }
                        }
                        // The run's totals are counted with its first record.
                        let (events, step_records) = match i {
                            0 => (written, step_records),
                            _ => (0, 0),
                        };
                        outcomes.push(Outcome::Written {
                            events,
                            step_records,
                            audit: audit_written,
                        });
                    }
                }
            }
            Ok(outcomes)
        })
        .await
    )
}

/// Writes one record in one transaction.
async fn write_record(conn: &mut Db, record: &Record) -> Result<Outcome, StoreError> {
    retrying!(
        conn.transaction(async move |conn| {
            let mut events = 0;
            let mut step_records = 0;
            if let (Some(fenced), false) = (record.execution, record.events.is_empty()) {
                match write_events(conn, fenced, &record.events).await? {
                    Ok((written, records)) => {
                        events = written;
                        step_records = records;
                    }
                    Err(outcome) => return Ok(outcome),
                }
            }
            let mut audit_written = 0;
            for line in &record.audit {
                if audit::write_journaled(conn, line).await? {
                    audit_written += 1;
                }
            }
            if events == 0
                && audit_written == 0
                && !(record.events.is_empty() && record.audit.is_empty())
            {
                return Ok(Outcome::AlreadyWritten);
            }
            Ok(Outcome::Written {
                events,
                step_records,
                audit: audit_written,
            })
        })
        .await
    )
}

/// Writes an execution's events and applies their changes, when they follow on from what
/// the database holds. `Err(outcome)` when they are written already or refused.
/// Whether the database holds `event` itself at its `seq` (the same moment and kind),
/// rather than another instance's event under the same number.
async fn stored_is(conn: &mut Db, event: &ExecutionEvent) -> Result<bool, StoreError> {
    let stored: Option<(chrono::NaiveDateTime, String)> = execution_events::table
        .find((event.execution_id.0, event.seq))
        .select((execution_events::at, execution_events::kind))
        .first(conn)
        .await
        .optional()?;
    let at = event.at.naive_utc();
    Ok(stored.is_some_and(|(stored_at, kind)| {
        kind == event.change.kind()
            && stored_at.and_utc().timestamp_micros() == at.and_utc().timestamp_micros()
    }))
}

/// Why a journal's events that the database numbers otherwise are refused.
fn overtaken(id: crate::domain::ids::ExecutionId, held: u64) -> String {
    format!(
        "another instance drove execution {id} while this one did not use the database (the \
         database holds other events up to {held}): what that instance wrote stands"
    )
}

async fn write_events(
    conn: &mut Db,
    fenced: Fenced,
    events: &[ExecutionEvent],
) -> Result<Result<(u64, u64), Outcome>, StoreError> {
    let id = fenced.execution;
    let (first, last) = (events[0].seq, events[events.len() - 1].seq);
    let held: Option<u64> = executions::table
        .find(id.0)
        .select(executions::last_seq)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(held) = held else {
        return Ok(Err(Outcome::Refused(format!(
            "execution {id} is not in the database"
        ))));
    };
    if held >= last {
        return Ok(Err(
            match stored_is(conn, &events[events.len() - 1]).await? {
                true => Outcome::AlreadyWritten,
                false => Outcome::Refused(overtaken(id, held)),
            },
        ));
    }
    if held + 1 != first {
        return Ok(Err(Outcome::Refused(format!(
            "the database holds events of execution {id} up to {held}, so events {first}..{last} \
             would not follow on"
        ))));
    }
    let token: Option<u64> = execution_leases::table
        .find(id.0)
        .select(execution_leases::fencing_token)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if token != Some(fenced.token) {
        return Ok(Err(Outcome::Refused(format!(
            "another instance took execution {id} over while this one did not use the database \
             (its lease moved on from token {} to {}): what that instance wrote stands",
            fenced.token,
            token.map_or("none".to_owned(), |t| t.to_string()),
        ))));
    }
    // Each change applied to the execution's rows; log lines all in one insert.
    let mut step_records = 0;
    let mut lines = Vec::new();
    for event in events {
        match &event.change {
            Change::Logged { step, line } => lines.push((
                execution_step_logs::execution_step_id.eq(step.0),
                execution_step_logs::attempt.eq(line.attempt),
                execution_step_logs::at.eq(line.at.naive_utc()),
                execution_step_logs::level.eq(line.level.as_str()),
                execution_step_logs::message.eq(line.message.as_str()),
            )),
            Change::Execution(summary) => execution(conn, summary).await?,
            Change::Step(step) => step_row(conn, id, step).await?,
            Change::Called { step, call } => step_records += call_row(conn, step.0, call).await?,
            // Comments are refused while degraded (they need the database): no journal
            // holds one.
            Change::Commented(_) => {}
        }
    }
    if !lines.is_empty() {
        step_records += diesel::insert_into(execution_step_logs::table)
            .values(lines)
            .execute(conn)
            .await? as u64;
    }
    let rows: Vec<_> = events
        .iter()
        .map(|event| {
            let payload = serde_json::to_value(&event.change)
                .map_err(|e| StoreError::internal(format!("event not serialisable: {e}")))?;
            Ok((
                execution_events::execution_id.eq(id.0),
                execution_events::seq.eq(event.seq),
                execution_events::at.eq(event.at.naive_utc()),
                execution_events::kind.eq(event.change.kind()),
                execution_events::payload.eq(payload),
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    diesel::insert_into(execution_events::table)
        .values(rows)
        .execute(conn)
        .await?;
    // What the journaled events tell webhooks is sent now, late but not lost.
    super::webhooks::outbox::for_events(conn, events).await?;
    diesel::update(executions::table.find(id.0))
        .set(executions::last_seq.eq(last))
        .execute(conn)
        .await?;
    Ok(Ok((events.len() as u64, step_records)))
}

async fn user_id(conn: &mut Db, name: Option<&String>) -> Result<Option<u64>, StoreError> {
    let Some(name) = name else { return Ok(None) };
    Ok(users::table
        .filter(users::username.eq(name))
        .select(users::id)
        .first(conn)
        .await
        .optional()?)
}

async fn execution(conn: &mut Db, summary: &ExecutionSummary) -> Result<(), StoreError> {
    let started_by = user_id(conn, summary.started_by.as_ref()).await?;
    diesel::update(executions::table.find(summary.id.0))
        .set((
            executions::state.eq(summary.state.as_str()),
            executions::updated_at.eq(Utc::now().naive_utc()),
            executions::started_at.eq(summary.started_at.map(|t| t.naive_utc())),
            executions::started_by.eq(started_by),
            executions::switchover_done_at.eq(summary.switchover_done_at.map(|t| t.naive_utc())),
            executions::recovery_started_at.eq(summary.recovery_started_at.map(|t| t.naive_utc())),
            executions::finished_at.eq(summary.finished_at.map(|t| t.naive_utc())),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

async fn step_row(conn: &mut Db, id: ExecutionId, step: &ExecutionStep) -> Result<(), StoreError> {
    let decided_by = user_id(conn, step.decided_by.as_ref()).await?;
    diesel::update(
        execution_steps::table
            .find(step.id.0)
            .filter(execution_steps::execution_id.eq(id.0)),
    )
    .set((
        execution_steps::status.eq(step.status.as_str()),
        execution_steps::attempts.eq(step.attempts),
        execution_steps::started_at.eq(step.started_at.map(|t| t.naive_utc())),
        execution_steps::finished_at.eq(step.finished_at.map(|t| t.naive_utc())),
        execution_steps::last_error.eq(step.last_error.as_deref()),
        execution_steps::decided_by.eq(decided_by),
        execution_steps::reason.eq(step.reason.as_deref()),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a call record by its idempotency key: inserted when new, moved on when known.
async fn call_row(conn: &mut Db, step: u64, call: &StepCall) -> Result<u64, StoreError> {
    let known: Option<u64> = execution_calls::table
        .filter(execution_calls::idempotency_key.eq(&call.idempotency_key))
        .select(execution_calls::id)
        .first(conn)
        .await
        .optional()?;
    let now = Utc::now().naive_utc();
    match known {
        Some(row) => {
            diesel::update(execution_calls::table.find(row))
                .set((
                    execution_calls::status.eq(call.status.as_str()),
                    execution_calls::operation_id.eq(call.operation_id.as_deref()),
                    execution_calls::http_status.eq(call.http_status),
                    execution_calls::updated_at.eq(now),
                    execution_calls::finished_at.eq(call.finished_at.map(|t| t.naive_utc())),
                ))
                .execute(conn)
                .await?;
            Ok(0)
        }
        None => {
            let config: Option<u64> = match &call.config_name {
                Some(name) => connection_configs::table
                    .filter(connection_configs::name.eq(name))
                    .select(connection_configs::id)
                    .first(conn)
                    .await
                    .optional()?,
                None => None,
            };
            diesel::insert_into(execution_calls::table)
                .values((
                    execution_calls::execution_step_id.eq(step),
                    execution_calls::attempt.eq(call.attempt),
                    execution_calls::idempotency_key.eq(&call.idempotency_key),
                    execution_calls::connection_config_id.eq(config),
                    execution_calls::connection_config_name.eq(call.config_name.as_deref()),
                    execution_calls::method.eq(&call.method),
                    execution_calls::path.eq(&call.path),
                    execution_calls::operation_id.eq(call.operation_id.as_deref()),
                    execution_calls::status.eq(call.status.as_str()),
                    execution_calls::http_status.eq(call.http_status),
                    execution_calls::sent_at.eq(call.sent_at.naive_utc()),
                    execution_calls::updated_at.eq(now),
                    execution_calls::finished_at.eq(call.finished_at.map(|t| t.naive_utc())),
                ))
                .execute(conn)
                .await?;
            Ok(1)
        }
    }
}
