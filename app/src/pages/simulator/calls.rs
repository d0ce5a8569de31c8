//! The latest calls the simulator received, newest first: what was asked, of what, how it
//! was answered and which fault hit it.

use crate::domain::simulator::CallRecord;
use leptos::prelude::*;

/// How many calls the page shows.
const SHOWN: usize = 20;

/// The answer's status as a person reads it, and its class.
fn answer(status: u16) -> (String, &'static str) {
    match status {
        0 => ("no answer".to_owned(), "answer-none"),
        200..=299 => (status.to_string(), "answer-ok"),
        400..=499 => (status.to_string(), "answer-refused"),
        _ => (status.to_string(), "answer-failed"),
    }
}

#[component]
pub fn CallLog(calls: Vec<CallRecord>) -> impl IntoView {
    let total = calls.len();
    let rows = calls
        .into_iter()
        .take(SHOWN)
        .map(|record| {
            let (status, class) = answer(record.status);
            view! {
                <tr>
                    <td><time datetime=record.at.to_rfc3339()>{record.at.format("%H:%M:%S%.3f").to_string()}</time></td>
                    <td>{record.call.label()}</td>
                    <td>{record.subject}</td>
                    <td class=class>
                        {status}
                        {record.acted.then(|| view! { <span class="small" data-testid="acted">" · acted on"</span> })}
                        {record.replay.then(|| view! { <span class="muted small">" · same key again: not done twice"</span> })}
                    </td>
                    <td>{record.fault.map_or("—".to_owned(), |id| format!("#{id}"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-label="Call log">
            <h2>"Call log"</h2>
            {if total == 0 {
                view! { <p class="empty">"No calls yet. Run a plan, or test a connection config of kind test."</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">{format!("The latest {} of {total} calls kept, newest first; times in UTC.", total.min(SHOWN))}</p>
                    <table class="data-table compact" data-testid="sim-calls">
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Call"</th>
                                <th scope="col">"Subject"</th>
                                <th scope="col">"Answer"</th>
                                <th scope="col">"Fault"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}
