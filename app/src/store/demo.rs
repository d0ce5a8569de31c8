//! Demo data: a believable estate so a newcomer sees a working console at once.
//! Loaded once into a database that has no estate (or plans) yet, only when demo mode is on.

use super::audit::AuditRecord;
use super::schema::{
    application_dependencies, applications, connection_configs, data_centers,
    database_cluster_members, database_clusters, plans, product_groups, regions,
};
use super::{Db, Store, StoreError, inserted_id, settings};
use crate::domain::plan::{PlanContent, PlanStep};
use crate::domain::step::builtin_step_types;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;

pub const REGIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "East China",
        &[
            (
                "Shanghai-A",
                "Primary site, Pudong campus; carries most production traffic.",
            ),
            (
                "Hangzhou-B",
                "Secondary site 170 km away; hot standby for East China.",
            ),
        ],
    ),
    (
        "North China",
        &[(
            "Beijing-C",
            "Third site for the customer portal and trading replicas.",
        )],
    ),
];

/// (group, description, [(application, description, [depends on])])
pub type Group = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static [&'static str])],
);

pub const PRODUCT_GROUPS: &[Group] = &[
    (
        "Payments",
        "Card and wallet payments, from checkout to settlement.",
        &[
            ("ledger", "Double-entry ledger of every movement.", &[]),
            ("risk-engine", "Scores each payment for fraud.", &[]),
            (
                "payment-core",
                "Authorises and captures payments.",
                &["ledger"],
            ),
            (
                "payment-gateway",
                "Public payment API.",
                &["payment-core", "risk-engine"],
            ),
        ],
    ),
    (
        "Trading",
        "Order entry, matching and market data.",
        &[
            ("market-data", "Price feed aggregation.", &[]),
            ("account-service", "Trading accounts and balances.", &[]),
            (
                "matching-engine",
                "Matches buy and sell orders.",
                &["market-data"],
            ),
            (
                "order-service",
                "Accepts and tracks orders.",
                &["matching-engine", "account-service"],
            ),
        ],
    ),
    (
        "Customer portal",
        "The web site customers sign in to.",
        &[
            ("user-service", "Profiles and preferences.", &[]),
            (
                "api-gateway",
                "Routes portal calls to services.",
                &["user-service"],
            ),
            (
                "web-frontend",
                "Server-rendered portal pages.",
                &["api-gateway"],
            ),
        ],
    ),
];

/// (cluster, description, primary, [members])
pub const CLUSTERS: &[(&str, &str, &str, &[&str])] = &[
    (
        "payments-db",
        "MySQL cluster behind Payments.",
        "Shanghai-A",
        &["Shanghai-A", "Hangzhou-B"],
    ),
    (
        "trading-db",
        "MySQL cluster behind Trading.",
        "Shanghai-A",
        &["Shanghai-A", "Hangzhou-B", "Beijing-C"],
    ),
    (
        "portal-db",
        "MySQL cluster behind the customer portal.",
        "Beijing-C",
        &["Beijing-C", "Shanghai-A"],
    ),
];

/// Loads the demo estate unless it was loaded before or the database already has an
/// estate of its own. Says whether anything was loaded.
pub async fn load_once(store: &Store, simulator: SocketAddr) -> Result<bool, StoreError> {
    let mut conn = store.conn().await?;
    conn.transaction::<_, StoreError, _>(async |conn| {
        if !settings::insert_once(conn, settings::DEMO_DATA_LOADED, "true").await? {
            return Ok(false);
        }
        let existing: i64 = regions::table.count().get_result(conn).await?;
        if existing > 0 {
            return Ok(false);
        }
        let data_centers = insert_data_centers(conn).await?;
        insert_connection_configs(conn, &data_centers, simulator).await?;
        insert_product_groups(conn).await?;
        insert_clusters(conn, &data_centers).await?;
        Ok(true)
    })
    .await
}

async fn insert_data_centers(conn: &mut Db) -> Result<HashMap<&'static str, u64>, StoreError> {
    let mut ids = HashMap::new();
    for (region, centers) in REGIONS {
        diesel::insert_into(regions::table)
            .values(regions::name.eq(region))
            .execute(conn)
            .await?;
        let region_id = inserted_id(conn).await?;
        for (name, description) in *centers {
            diesel::insert_into(data_centers::table)
                .values((
                    data_centers::region_id.eq(region_id),
                    data_centers::name.eq(name),
                    data_centers::description.eq(description),
                ))
                .execute(conn)
                .await?;
            ids.insert(*name, inserted_id(conn).await?);
        }
    }
    Ok(ids)
}

async fn insert_product_groups(conn: &mut Db) -> Result<(), StoreError> {
    for (group, description, apps) in PRODUCT_GROUPS {
        diesel::insert_into(product_groups::table)
            .values((
                product_groups::name.eq(group),
                product_groups::description.eq(description),
            ))
            .execute(conn)
            .await?;
        let group_id = inserted_id(conn).await?;
        let mut app_ids = HashMap::new();
        for (app, description, _) in *apps {
            diesel::insert_into(applications::table)
                .values((
                    applications::product_group_id.eq(group_id),
                    applications::name.eq(app),
                    applications::description.eq(description),
                ))
                .execute(conn)
                .await?;
            app_ids.insert(*app, inserted_id(conn).await?);
        }
        for (app, _, needs) in *apps {
            for needed in *needs {
                diesel::insert_into(application_dependencies::table)
                    .values((
                        application_dependencies::application_id.eq(app_ids[app]),
                        application_dependencies::depends_on_id.eq(app_ids[needed]),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

async fn insert_clusters(
    conn: &mut Db,
    data_centers: &HashMap<&str, u64>,
) -> Result<(), StoreError> {
    for (name, description, primary, members) in CLUSTERS {
        diesel::insert_into(database_clusters::table)
            .values((
                database_clusters::name.eq(name),
                database_clusters::description.eq(description),
                database_clusters::primary_data_center_id.eq(data_centers[primary]),
            ))
            .execute(conn)
            .await?;
        let cluster_id = inserted_id(conn).await?;
        for member in *members {
            diesel::insert_into(database_cluster_members::table)
                .values((
                    database_cluster_members::cluster_id.eq(cluster_id),
                    database_cluster_members::data_center_id.eq(data_centers[member]),
                ))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// A `test` config for every demo data center and platform, pointing at the built-in
/// simulator `make run` starts with the console (its user name is `switchyard`; its
/// password is given by [`give_simulator_password`]).
async fn insert_connection_configs(
    conn: &mut Db,
    data_centers: &HashMap<&'static str, u64>,
    simulator: SocketAddr,
) -> Result<(), StoreError> {
    let platforms = [
        ("traffic_gateway", "gateway"),
        ("app_platform", "apps"),
        ("database", "db"),
    ];
    let mut names: Vec<&&str> = data_centers.keys().collect();
    names.sort();
    for dc in names {
        for (platform, short) in platforms {
            diesel::insert_into(connection_configs::table)
                .values((
                    connection_configs::name.eq(format!("{dc} {short} (simulator)")),
                    connection_configs::data_center_id.eq(data_centers[*dc]),
                    connection_configs::platform.eq(platform),
                    connection_configs::kind.eq("test"),
                    connection_configs::protocol.eq("http"),
                    connection_configs::host.eq(simulator.ip().to_string()),
                    connection_configs::port.eq(simulator.port()),
                    connection_configs::username.eq("switchyard"),
                ))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// A demo plan step: opcode and parameters.
fn step(opcode: &str, params: serde_json::Value) -> PlanStep {
    PlanStep {
        key: String::new(),
        opcode: opcode.to_owned(),
        title: String::new(),
        params: params.as_object().cloned().unwrap_or_default(),
    }
}

/// (name, description, recovery-time target in minutes, switchover, recovery, approved)
type DemoPlan = (
    &'static str,
    &'static str,
    Option<u32>,
    Vec<PlanStep>,
    Vec<PlanStep>,
    bool,
);

fn demo_plans() -> Vec<DemoPlan> {
    vec![
        (
            "Data center power loss",
            "The failed data center is dark: move traffic and database primaries to the \
             emergency site; when power is back, restart there and move everything back.",
            Some(30),
            vec![
                step(
                    "traffic.cut",
                    json!({"product_group": "Payments", "drain_seconds": 30}),
                ),
                step(
                    "traffic.cut",
                    json!({"product_group": "Trading", "drain_seconds": 30}),
                ),
                step("db.switchover", json!({"cluster": "payments-db"})),
                step("db.switchover", json!({"cluster": "trading-db"})),
            ],
            vec![
                step(
                    "app.restart",
                    json!({"product_group": "Payments", "site": "failed"}),
                ),
                step(
                    "app.restart",
                    json!({"product_group": "Trading", "site": "failed"}),
                ),
                step(
                    "traffic.restore",
                    json!({"product_group": "Payments", "weight_percent": 100}),
                ),
                step(
                    "traffic.restore",
                    json!({"product_group": "Trading", "weight_percent": 100}),
                ),
                step("db.switchback", json!({"cluster": "payments-db"})),
                step("db.switchback", json!({"cluster": "trading-db"})),
            ],
            true,
        ),
        (
            "Data center network partition",
            "The failed data center runs but cannot be reached: confirm the partition, \
             fence it from traffic, then move the portal's database.",
            None,
            vec![
                step(
                    "manual.confirm",
                    json!({"instruction": "Confirm with the network team that the failed site is \
                            unreachable from outside and that its links will not come back on their own."}),
                ),
                step(
                    "traffic.cut",
                    json!({"product_group": "Customer portal", "drain_seconds": 10}),
                ),
                step(
                    "traffic.cut",
                    json!({"product_group": "Payments", "drain_seconds": 10}),
                ),
                step("wait", json!({"seconds": 60})),
                step("db.switchover", json!({"cluster": "portal-db"})),
            ],
            vec![
                step("db.switchback", json!({"cluster": "portal-db"})),
                step(
                    "traffic.restore",
                    json!({"product_group": "Customer portal", "weight_percent": 100}),
                ),
                step(
                    "traffic.restore",
                    json!({"product_group": "Payments", "weight_percent": 100}),
                ),
            ],
            true,
        ),
        (
            "Trading failover drill",
            "Quarterly drill: move Trading alone to the emergency site and back.",
            Some(15),
            vec![
                step(
                    "traffic.cut",
                    json!({"product_group": "Trading", "drain_seconds": 60}),
                ),
                step("db.switchover", json!({"cluster": "trading-db"})),
                step(
                    "app.restart",
                    json!({"product_group": "Trading", "site": "emergency"}),
                ),
            ],
            vec![
                step("db.switchback", json!({"cluster": "trading-db"})),
                step(
                    "traffic.restore",
                    json!({"product_group": "Trading", "weight_percent": 100}),
                ),
            ],
            false,
        ),
    ]
}

fn demo_record(user: &super::users::UserRow) -> AuditRecord {
    let user = user.session_user();
    AuditRecord {
        actor_id: Some(user.id.0),
        actor_name: user.username,
        actor_role: Some(user.role),
        action: "demo/load",
        client_addr: None,
        note: None,
    }
}

/// Loads the demo plans once, written by the demo operator and approved by the demo
/// reviewer, unless plans of one's own exist or the demo users do not. Each plan goes
/// through the same audited changes a person makes.
pub async fn load_plans_once(store: &Store) -> Result<bool, StoreError> {
    let operator = super::users::find_by_username(store, "operator").await?;
    let reviewer = super::users::find_by_username(store, "reviewer").await?;
    let (Some(operator), Some(reviewer)) = (operator, reviewer) else {
        return Ok(false);
    };
    let (author, approver) = (demo_record(&operator), demo_record(&reviewer));
    let first = {
        let mut conn = store.conn().await?;
        conn.transaction::<_, StoreError, _>(async |conn| {
            let existing: i64 = plans::table.count().get_result(conn).await?;
            Ok(existing == 0
                && settings::insert_once(conn, settings::DEMO_PLANS_LOADED, "true").await?)
        })
        .await?
    };
    if !first {
        return Ok(false);
    }
    let refs = super::plans::refs(store).await?;
    for (name, description, rto_minutes, switchover, recovery, approved) in demo_plans() {
        let content = PlanContent {
            name: name.to_owned(),
            description: description.to_owned(),
            rto_minutes,
            switchover,
            recovery,
        }
        .validate(builtin_step_types(), &refs)
        .map_err(StoreError::Invalid)?;
        let plan = super::plans::create(store, &author, &content).await?;
        let id = plan.plan.id;
        let plan = super::plans::submit(store, &author, id, plan.plan.revision).await?;
        if approved {
            let comment = "Walked through with the on-call team.";
            super::plans::approve(store, &approver, id, plan.plan.revision, comment).await?;
        }
    }
    Ok(true)
}

/// Gives the simulator's password to the `test` configs that point at it (its address and
/// user name) and hold none: the demo's, loaded without one, and those loaded before the
/// simulator wanted a password. Says how many were given it.
pub async fn give_simulator_password(
    store: &Store,
    key: &[u8; 32],
    address: SocketAddr,
    (username, password): (&str, &str),
) -> Result<usize, StoreError> {
    use crate::domain::connection::PasswordChange;
    let mut conn = store.conn().await?;
    conn.transaction::<_, StoreError, _>(async |conn| {
        let ids: Vec<u64> = connection_configs::table
            .filter(connection_configs::kind.eq("test"))
            .filter(connection_configs::host.eq(address.ip().to_string()))
            .filter(connection_configs::port.eq(address.port()))
            .filter(connection_configs::username.eq(username))
            .filter(connection_configs::password_ciphertext.is_null())
            .select(connection_configs::id)
            .load(conn)
            .await?;
        let set = PasswordChange::Set(password.to_owned());
        for id in &ids {
            super::connection_configs::apply_password(conn, key, *id, &set).await?;
        }
        Ok(ids.len())
    })
    .await
}
