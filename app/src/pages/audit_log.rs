//! The audit log page (admins and auditors): newest first, paged, filterable by actor,
//! action, target and time range (in the reader's time zone).

use crate::api::audit::list_audit_entries;
use crate::components::error_view::ErrorView;
use crate::components::role_gate::RoleGate;
use crate::components::text_field::TextField;
use crate::components::text_field::parse_time;
use crate::domain::audit::{AuditPage, AuditQuery};
use crate::domain::role::Action;
use crate::language::tr;
use crate::local_time::{LocalTime, ZoneNote, use_reader_zone};
use leptos::prelude::*;
use leptos_meta::Title;

fn non_empty(text: String) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! {
        <Title text=tr!(administration.audit.title) />
        <h1>{tr!(administration.audit.title)}</h1>
        <p class="lede">{tr!(administration.audit.lede)} " " <ZoneNote /></p>
        <RoleGate action=Action::ListAuditEntries refusal=tr!(administration.audit.refusal)>
            <AuditBrowser />
        </RoleGate>
    }
}

#[component]
fn AuditBrowser() -> impl IntoView {
    let query = RwSignal::new(AuditQuery::default());
    let entries = Resource::new(move || query.get(), list_audit_entries);
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let target_kind = RwSignal::new(String::new());
    let target_id = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let zone = use_reader_zone();

    view! {
        <form
            class="toolbar"
            aria-label=tr!(administration.audit.filter)
            on:submit=move |ev| {
                ev.prevent_default();
                query.set(AuditQuery {
                    actor: non_empty(actor.get()),
                    action: non_empty(action.get()),
                    target_kind: non_empty(target_kind.get()),
                    target_id: non_empty(target_id.get()),
                    from: parse_time(&from.get(), &zone),
                    to: parse_time(&to.get(), &zone),
                    page: 0,
                });
            }
        >
            <TextField label=tr!(administration.audit.actor) value=actor />
            <label>
                {tr!(administration.audit.action)}
                <select on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{tr!(administration.audit.any)}</option>
                    {Action::ALL.map(|a| view! { <option value=a.endpoint()>{a.endpoint()}</option> }).collect_view()}
                </select>
            </label>
            <TextField label=tr!(administration.audit.target_kind) value=target_kind />
            <TextField label=tr!(administration.audit.target_id) value=target_id />
            <TextField label=tr!(administration.audit.from, zone = use_reader_zone()) kind="datetime-local" value=from />
            <TextField label=tr!(administration.audit.to, zone = use_reader_zone()) kind="datetime-local" value=to />
            <button type="submit">{tr!(administration.audit.apply)}</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">{tr!(administration.audit.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move { entries.await.map(|page| view! { <AuditTable page query /> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage, query: RwSignal<AuditQuery>) -> impl IntoView {
    let pages = page.total.div_ceil(u64::from(page.page_size)).max(1);
    let current = page.page;
    let first_page = current == 0;
    let last_page = u64::from(current) + 1 >= pages;
    let go = move |page: u32| query.update(|q| q.page = page);
    view! {
        <p class="muted" data-testid="audit-count">
            {tr!(administration.audit.count, total = page.total, page = current + 1, pages = pages)}
        </p>
        <table class="data-table" data-testid="audit-log">
            <thead>
                <tr>
                    <th scope="col">{tr!(administration.audit.column.time)}</th>
                    <th scope="col">{tr!(administration.audit.column.actor)}</th>
                    <th scope="col">{tr!(administration.audit.column.action)}</th>
                    <th scope="col">{tr!(administration.audit.column.target)}</th>
                    <th scope="col">{tr!(administration.audit.column.outcome)}</th>
                    <th scope="col">{tr!(administration.audit.column.reason)}</th>
                    <th scope="col">{tr!(administration.audit.column.client)}</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .entries
                    .into_iter()
                    .map(|e| {
                        let target = match (e.target_kind, e.target_id) {
                            (Some(kind), Some(id)) => format!("{kind} {id}"),
                            (Some(kind), None) => kind,
                            _ => String::new(),
                        };
                        let role = e.actor_role.map(|r| format!(" ({})", r.as_str())).unwrap_or_default();
                        view! {
                            <tr>
                                <td><LocalTime at=e.at /></td>
                                <td>{e.actor_name}{role}</td>
                                <td><code>{e.action}</code></td>
                                <td>{target}</td>
                                <td><span class=format!("badge outcome-{}", e.outcome.as_str())>{e.outcome.as_str()}</span></td>
                                <td>{e.reason.unwrap_or_default()}</td>
                                <td>{e.client_addr.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <div class="pager">
            <button type="button" disabled=first_page on:click=move |_| go(current.saturating_sub(1))>{tr!(administration.audit.newer)}</button>
            <button type="button" disabled=last_page on:click=move |_| go(current + 1)>{tr!(administration.audit.older)}</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_times_are_read_in_the_readers_zone() {
        let at = parse_time("2026-11-22T08:00", "UTC").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T08:00:00+00:00");
        let at = parse_time("2026-11-22T08:00:30", "Asia/Shanghai").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T00:00:30+00:00");
        assert_eq!(parse_time("", "UTC"), None);
        assert_eq!(parse_time("22/11/2026", "UTC"), None);
    }
}
