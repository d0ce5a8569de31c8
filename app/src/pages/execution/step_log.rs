//! An expanded step's record: its log lines and platform calls, loaded when the step is
//! expanded and then grown from the live channel's `Logged` and `Called` events. Events
//! that arrive while the record is still loading are kept and merged into what loads, so
//! none is lost or shown twice.

use super::clock::time_of_day;
use crate::api::executions::get_step_record;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{ExecutionStepId, StepCall, StepLogLine, StepRecord};
use crate::domain::ids::ExecutionId;
use crate::error::AppError;
use crate::language::labels::Localized;
use crate::language::{self, tr};
use leptos::prelude::*;
use std::collections::HashMap;

/// A line, unless it is there already; lines stay in the order they were written.
fn add_line(record: &mut StepRecord, line: &StepLogLine) {
    if record.lines.iter().all(|held| held.id != line.id) {
        record.lines.push(line.clone());
        record.lines.sort_by_key(|l| l.id);
    }
}

/// A call recorded, or a newer word on one already held (same id).
fn put_call(record: &mut StepRecord, call: &StepCall) {
    match record.calls.iter_mut().find(|held| held.id == call.id) {
        Some(held) => *held = call.clone(),
        None => {
            record.calls.push(call.clone());
            record.calls.sort_by_key(|c| c.id);
        }
    }
}

/// What loaded, with what the live channel said meanwhile on top (it is newer).
fn merge(loaded: StepRecord, live: &StepRecord) -> StepRecord {
    let mut record = loaded;
    for line in &live.lines {
        add_line(&mut record, line);
    }
    for call in &live.calls {
        put_call(&mut record, call);
    }
    record
}

/// One expanded step's record as far as it is known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held {
    pub record: StepRecord,
    /// Whether the stored record has arrived (until then, only live events are held).
    pub loaded: bool,
    pub error: Option<AppError>,
}

/// The records of the expanded steps of one page; a step is expanded while it is here.
#[derive(Clone, Copy, Default)]
pub struct Records(RwSignal<HashMap<ExecutionStepId, Held>>);

impl Records {
    pub fn is_open(&self, step: ExecutionStepId) -> bool {
        self.0.with(|held| held.contains_key(&step))
    }

    /// The step's record, while it is expanded.
    pub fn get(&self, step: ExecutionStepId) -> Option<Held> {
        self.0.with(|held| held.get(&step).cloned())
    }

    /// Expands the step: its events are kept from now on, and its record is loaded.
    pub fn open(&self, execution: ExecutionId, step: ExecutionStepId) {
        let this = *self;
        self.0.update(|held| {
            held.insert(step, Held::default());
        });
        leptos::task::spawn_local(async move {
            let answer = get_step_record(execution, step).await;
            this.0.update(|held| {
                // Collapsed meanwhile: nothing to fill.
                let Some(entry) = held.get_mut(&step) else {
                    return;
                };
                match answer {
                    Ok(loaded) => {
                        entry.record = merge(loaded, &entry.record);
                        entry.loaded = true;
                        entry.error = None;
                    }
                    Err(error) => entry.error = Some(error),
                }
            });
        });
    }

    pub fn close(&self, step: ExecutionStepId) {
        self.0.update(|held| {
            held.remove(&step);
        });
    }

    /// A live event: a log line or a call of an expanded step joins its record.
    pub fn apply(&self, event: &ExecutionEvent) {
        let (Change::Logged { step, .. } | Change::Called { step, .. }) = &event.change else {
            return;
        };
        if !self.is_open(*step) {
            return;
        }
        self.0.update(|held| {
            let Some(entry) = held.get_mut(step) else {
                return;
            };
            match &event.change {
                Change::Logged { line, .. } => add_line(&mut entry.record, line),
                Change::Called { call, .. } => put_call(&mut entry.record, call),
                Change::Execution(_) | Change::Step(_) | Change::Commented(_) => {}
            }
        });
    }
}

/// The log and the calls of one expanded step.
#[component]
pub fn StepLog(records: Records, step: ExecutionStepId) -> impl IntoView {
    let held = Memo::new(move |_| records.get(step));
    move || {
        let Held {
            record,
            loaded,
            error,
        } = held.get()?;
        let log = if record.lines.is_empty() {
            let text = match (loaded, &error) {
                (true, _) => tr!(executions.log.nothing),
                (false, None) => tr!(executions.log.loading),
                (false, Some(_)) => tr!(executions.log.failed),
            };
            view! { <p class="muted small">{text}</p> }.into_any()
        } else {
            view! { <LogLines lines=record.lines /> }.into_any()
        };
        let calls = (!record.calls.is_empty()).then(|| view! { <Calls calls=record.calls /> });
        Some(view! {
            <div class="step-record" id=format!("step-record-{step}")>
                {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                <h4>{tr!(executions.log.title)}</h4>
                {log}
                {calls}
            </div>
        })
    }
}

#[component]
fn LogLines(lines: Vec<StepLogLine>) -> impl IntoView {
    view! {
        <table class="data-table compact" data-testid="step-log">
            <thead><tr>
                <th scope="col">{tr!(executions.log.time)}</th>
                <th scope="col">{tr!(executions.log.attempt)}</th>
                <th scope="col">{tr!(executions.log.level)}</th>
                <th scope="col">{tr!(executions.log.message)}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|line| view! {
                    <tr class=format!("log-{}", line.level.as_str())>
                        <td><time datetime=line.at.to_rfc3339()>{time_of_day(line.at)}</time></td>
                        <td>{line.attempt}</td>
                        <td>{line.level.localized(language::locale())}</td>
                        <td class="log-message">{line.message}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Calls(calls: Vec<StepCall>) -> impl IntoView {
    view! {
        <h4>{tr!(executions.log.calls)}</h4>
        <table class="data-table compact" data-testid="step-calls">
            <thead><tr>
                <th scope="col">{tr!(executions.log.attempt)}</th>
                <th scope="col">{tr!(executions.log.call)}</th>
                <th scope="col">{tr!(executions.log.config)}</th>
                <th scope="col">{tr!(executions.log.operation)}</th>
                <th scope="col">{tr!(executions.log.status)}</th>
                <th scope="col">{tr!(executions.log.http)}</th>
            </tr></thead>
            <tbody>
                {calls.into_iter().map(|call| view! {
                    <tr data-call-status=call.status.as_str()>
                        <td>{call.attempt}</td>
                        <td><code>{call.method} " " {call.path}</code></td>
                        <td>{call.config_name.unwrap_or_else(|| "—".to_owned())}</td>
                        <td><code>{call.operation_id.unwrap_or_else(|| "—".to_owned())}</code></td>
                        <td class=format!("call-{}", call.status.as_str())>{call.status.localized(language::locale())}</td>
                        <td>{call.http_status.map_or("—".to_owned(), |s| s.to_string())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::view::{CallStatus, LogLevel};
    use chrono::DateTime;

    fn line(id: u64) -> StepLogLine {
        StepLogLine {
            id,
            attempt: 1,
            at: DateTime::from_timestamp(1_800_000_000 + id as i64, 0).unwrap(),
            level: LogLevel::Info,
            message: format!("line {id}"),
        }
    }

    fn call(id: u64, status: CallStatus) -> StepCall {
        StepCall {
            id,
            attempt: 1,
            idempotency_key: format!("key-{id}"),
            config_name: Some("gw-b".to_owned()),
            method: "POST".to_owned(),
            path: "/v1/traffic/cut".to_owned(),
            operation_id: None,
            status,
            http_status: None,
            sent_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            finished_at: None,
        }
    }

    #[test]
    fn lines_are_added_once_in_order() {
        let mut record = StepRecord::default();
        add_line(&mut record, &line(2));
        add_line(&mut record, &line(1));
        add_line(&mut record, &line(2));
        let ids: Vec<u64> = record.lines.iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn a_call_is_replaced_by_its_newer_word() {
        let mut record = StepRecord::default();
        put_call(&mut record, &call(7, CallStatus::Sent));
        put_call(&mut record, &call(7, CallStatus::Accepted));
        put_call(&mut record, &call(3, CallStatus::Succeeded));
        let calls: Vec<(u64, CallStatus)> = record.calls.iter().map(|c| (c.id, c.status)).collect();
        assert_eq!(
            calls,
            [(3, CallStatus::Succeeded), (7, CallStatus::Accepted)]
        );
    }

    #[test]
    fn what_arrived_while_loading_is_merged_and_wins() {
        let loaded = StepRecord {
            lines: vec![line(1), line(2)],
            calls: vec![call(7, CallStatus::Sent)],
        };
        let live = StepRecord {
            lines: vec![line(2), line(3)],
            calls: vec![call(7, CallStatus::Succeeded), call(8, CallStatus::Sent)],
        };
        let merged = merge(loaded, &live);
        let ids: Vec<u64> = merged.lines.iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 2, 3]);
        let calls: Vec<(u64, CallStatus)> = merged.calls.iter().map(|c| (c.id, c.status)).collect();
        assert_eq!(calls, [(7, CallStatus::Succeeded), (8, CallStatus::Sent)]);
    }
}
