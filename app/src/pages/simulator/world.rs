//! The simulated world: which data centers serve each product group's traffic, how each
//! application is doing in each data center, and where each cluster's primary is.

use crate::domain::platform::{ApplicationHealth, ApplicationState};
use crate::domain::simulator::SimulatorState;
use leptos::prelude::*;

/// One application's health in each data center, in the order of the columns.
struct AppRow {
    group: String,
    application: String,
    health: Vec<Option<ApplicationHealth>>,
}

/// The applications as rows (in the simulator's order) against the data center columns.
fn app_rows(applications: &[ApplicationState], data_centers: &[String]) -> Vec<AppRow> {
    let mut rows: Vec<AppRow> = Vec::new();
    for state in applications {
        let same = rows
            .last()
            .is_some_and(|r| r.group == state.product_group && r.application == state.application);
        if !same {
            rows.push(AppRow {
                group: state.product_group.clone(),
                application: state.application.clone(),
                health: vec![None; data_centers.len()],
            });
        }
        let column = data_centers.iter().position(|dc| *dc == state.data_center);
        if let (Some(row), Some(column)) = (rows.last_mut(), column) {
            row.health[column] = Some(state.health);
        }
    }
    rows
}

/// Column headings, one per data center.
fn dc_headings(data_centers: &[String]) -> impl IntoView + use<> {
    data_centers
        .iter()
        .map(|dc| view! { <th scope="col">{dc.clone()}</th> })
        .collect_view()
}

#[component]
pub fn World(state: SimulatorState) -> impl IntoView {
    let SimulatorState {
        data_centers,
        traffic,
        applications,
        clusters,
        ..
    } = state;
    let rows = app_rows(&applications, &data_centers);
    let traffic_rows = traffic
        .into_iter()
        .map(|group| {
            let cells = data_centers
                .iter()
                .map(|dc| {
                    let share = group.serving.iter().find(|s| s.data_center == *dc);
                    match share {
                        Some(s) => {
                            view! { <td>{format!("{} %", s.weight_percent)}</td> }.into_any()
                        }
                        None => view! { <td class="muted">"cut"</td> }.into_any(),
                    }
                })
                .collect_view();
            view! {
                <tr data-group=group.product_group.clone()>
                    <th scope="row">{group.product_group.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let application_rows = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .health
                .into_iter()
                .map(|health| match health {
                    Some(h) => view! {
                        <td><span class=format!("badge health-{}", h.as_str())>{h.label()}</span></td>
                    }
                    .into_any(),
                    None => view! { <td class="muted">"—"</td> }.into_any(),
                })
                .collect_view();
            view! {
                <tr data-application=row.application.clone()>
                    <td>{row.group}</td>
                    <th scope="row">{row.application.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let cluster_rows = clusters
        .into_iter()
        .map(|c| {
            view! {
                <tr data-cluster=c.cluster.clone()>
                    <th scope="row">{c.cluster.clone()}</th>
                    <td><strong>{c.primary}</strong></td>
                    <td>{c.members.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="card" aria-label="World">
            <h2>"World"</h2>
            <h3>"Traffic"</h3>
            <table class="data-table compact" data-testid="sim-traffic">
                <thead><tr><th scope="col">"Product group"</th>{dc_headings(&data_centers)}</tr></thead>
                <tbody>{traffic_rows}</tbody>
            </table>
            <h3>"Applications"</h3>
            <table class="data-table compact" data-testid="sim-applications">
                <thead>
                    <tr><th scope="col">"Product group"</th><th scope="col">"Application"</th>{dc_headings(&data_centers)}</tr>
                </thead>
                <tbody>{application_rows}</tbody>
            </table>
            <h3>"Database clusters"</h3>
            <table class="data-table compact" data-testid="sim-clusters">
                <thead><tr><th scope="col">"Cluster"</th><th scope="col">"Primary"</th><th scope="col">"Members"</th></tr></thead>
                <tbody>{cluster_rows}</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(
        group: &str,
        application: &str,
        dc: &str,
        health: ApplicationHealth,
    ) -> ApplicationState {
        ApplicationState {
            product_group: group.into(),
            application: application.into(),
            data_center: dc.into(),
            health,
        }
    }

    #[test]
    fn applications_become_one_row_each_with_a_cell_per_data_center() {
        let dcs = ["A", "B", "C"].map(String::from).to_vec();
        let apps = [
            app("Payments", "ledger", "A", ApplicationHealth::Running),
            app("Payments", "ledger", "C", ApplicationHealth::Restarting),
            app("Portal", "ledger", "B", ApplicationHealth::Stopped),
        ];
        let rows = app_rows(&apps, &dcs);
        assert_eq!(rows.len(), 2, "same name in another group is another row");
        assert_eq!(
            rows[0].health,
            [
                Some(ApplicationHealth::Running),
                None,
                Some(ApplicationHealth::Restarting)
            ]
        );
        assert_eq!(rows[1].group, "Portal");
        assert_eq!(rows[1].health[1], Some(ApplicationHealth::Stopped));
    }
}
