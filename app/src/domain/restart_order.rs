//! The order in which a product group's applications restart: levels, dependencies first;
//! the applications of one level do not depend on each other and restart in parallel.
//! A dependency cycle has no order, and is reported with the applications that form it.

use std::collections::{BTreeMap, BTreeSet};

/// A cycle of "needs" among applications, in order: each needs the next, the last the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<String>);

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names = self.0.clone();
        if let Some(first) = self.0.first() {
            names.push(first.clone());
        }
        write!(f, "{}", names.join(" → "))
    }
}

/// Restart levels for `needs` (each application with the applications it needs). Names
/// that are needed but not listed count as applications without needs. Levels and the
/// names within them are sorted, so the same graph always gives the same order.
pub fn restart_levels(
    needs: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<Vec<String>>, Cycle> {
    let mut all: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (app, deps) in needs {
        all.entry(app)
            .or_default()
            .extend(deps.iter().map(String::as_str));
        for dep in deps {
            all.entry(dep).or_default();
        }
    }
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut levels = Vec::new();
    while placed.len() < all.len() {
        let level: Vec<&str> = all
            .iter()
            .filter(|(app, deps)| !placed.contains(*app) && deps.iter().all(|d| placed.contains(d)))
            .map(|(app, _)| *app)
            .collect();
        if level.is_empty() {
            return Err(find_cycle(&all, &placed));
        }
        placed.extend(&level);
        levels.push(level.into_iter().map(str::to_owned).collect());
    }
    Ok(levels)
}

/// A cycle among the applications not yet placed: every one of them needs another
/// unplaced one, so walking "needs" from any of them must come back to a name seen before.
fn find_cycle(all: &BTreeMap<&str, BTreeSet<&str>>, placed: &BTreeSet<&str>) -> Cycle {
    let start = all
        .keys()
        .find(|app| !placed.contains(*app))
        .copied()
        .unwrap_or_default();
    let mut path: Vec<&str> = vec![start];
    loop {
        let current = path[path.len() - 1];
        let next = all[current]
            .iter()
            .find(|d| !placed.contains(*d))
            .copied()
            .unwrap_or(start);
        if let Some(at) = path.iter().position(|seen| *seen == next) {
            return Cycle(path[at..].iter().map(|s| (*s).to_owned()).collect());
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        edges
            .iter()
            .map(|(app, deps)| {
                (
                    (*app).to_owned(),
                    deps.iter().map(|d| (*d).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn dependencies_come_first_and_independent_apps_share_a_level() {
        let needs = graph(&[
            ("payment-gateway", &["payment-core", "risk-engine"]),
            ("payment-core", &["ledger"]),
            ("risk-engine", &[]),
            ("ledger", &[]),
        ]);
        assert_eq!(
            restart_levels(&needs).unwrap(),
            vec![
                vec!["ledger", "risk-engine"],
                vec!["payment-core"],
                vec!["payment-gateway"]
            ]
        );
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let needs = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]);
        let cycle = restart_levels(&needs).unwrap_err();
        assert_eq!(cycle.to_string(), "a → b → c → a");
    }

    #[test]
    fn an_application_needing_itself_is_a_cycle() {
        let cycle = restart_levels(&graph(&[("a", &["a"])])).unwrap_err();
        assert_eq!(cycle.0, vec!["a"]);
    }

    /// Random graphs over up to 12 applications.
    fn any_graph() -> impl Strategy<Value = BTreeMap<String, BTreeSet<String>>> {
        proptest::collection::btree_map(
            0u8..12,
            proptest::collection::btree_set(0u8..12, 0..4),
            0..12,
        )
        .prop_map(|raw| {
            raw.into_iter()
                .map(|(app, deps)| {
                    (
                        format!("app{app}"),
                        deps.into_iter().map(|d| format!("app{d}")).collect(),
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn every_dependency_restarts_before_its_dependant(needs in any_graph()) {
            if let Ok(levels) = restart_levels(&needs) {
                let level_of: BTreeMap<&str, usize> = levels.iter().enumerate()
                    .flat_map(|(i, level)| level.iter().map(move |app| (app.as_str(), i)))
                    .collect();
                for (app, deps) in &needs {
                    for dep in deps {
                        prop_assert!(level_of[dep.as_str()] < level_of[app.as_str()], "{dep} before {app}");
                    }
                }
                let listed: BTreeSet<&str> = needs.iter()
                    .flat_map(|(app, deps)| std::iter::once(app.as_str()).chain(deps.iter().map(String::as_str)))
                    .collect();
                prop_assert_eq!(level_of.len(), listed.len(), "every application is placed once");
            }
        }

        #[test]
        fn a_reported_cycle_is_real_and_acyclic_graphs_always_have_an_order(needs in any_graph()) {
            match restart_levels(&needs) {
                Err(Cycle(cycle)) => {
                    prop_assert!(!cycle.is_empty());
                    for (i, app) in cycle.iter().enumerate() {
                        let next = &cycle[(i + 1) % cycle.len()];
                        prop_assert!(needs.get(app).is_some_and(|deps| deps.contains(next)), "{app} needs {next}");
                    }
                }
                Ok(_) => {
                    // Acyclic: a depth-first search finds no back edge.
                    fn visit<'a>(app: &'a str, needs: &'a BTreeMap<String, BTreeSet<String>>,
                                 on_path: &mut BTreeSet<&'a str>, done: &mut BTreeSet<&'a str>) -> bool {
                        if done.contains(app) { return true; }
                        if !on_path.insert(app) { return false; }
                        let ok = needs.get(app).into_iter().flatten().all(|d| visit(d, needs, on_path, done));
                        on_path.remove(app);
                        done.insert(app);
                        ok
                    }
                    let mut done = BTreeSet::new();
                    for app in needs.keys() {
                        prop_assert!(visit(app, &needs, &mut BTreeSet::new(), &mut done), "missed a cycle");
                    }
                }
            }
        }
    }
}
