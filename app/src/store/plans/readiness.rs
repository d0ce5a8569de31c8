//! Where plan readiness is kept: each active plan's latest evaluation (one row a plan,
//! replaced by the next), read back with its newest ended drill. The evaluation itself is
//! the top-level `readiness` module.

use crate::domain::ids::PlanId;
use crate::domain::plan::PlanStatus;
use crate::domain::plan::readiness::{PlanReadiness, ReadinessState};
use crate::domain::step::StepSpec;
use crate::store::schema::{plan_readiness, plan_steps, plans, settings};
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::BTreeMap;

/// Every active plan with the steps of its active version (both phases).
pub async fn active_plans(store: &Store) -> Result<Vec<(PlanId, Vec<StepSpec>)>, StoreError> {
    let conn = &mut *store.conn().await?;
    let rows: Vec<(u64, String, serde_json::Value)> = plans::table
        .inner_join(
            plan_steps::table
                .on(plans::active_version_id.eq(plan_steps::plan_version_id.nullable())),
        )
        .filter(plans::status.eq(PlanStatus::Active.as_str()))
        .order((plans::id, plan_steps::phase.desc(), plan_steps::position))
        .select((plans::id, plan_steps::opcode, plan_steps::params))
        .load(conn)
        .await?;
    let mut plans: BTreeMap<u64, Vec<StepSpec>> = BTreeMap::new();
    for (plan, opcode, params) in rows {
        let spec = params
            .as_object()
            .ok_or_else(|| format!("params of {opcode} are not an object"))
            .and_then(|params| StepSpec::parse(&opcode, params))
            .map_err(|why| StoreError::internal(format!("plan {plan}: {why}")))?;
        plans.entry(plan).or_default().push(spec);
    }
    Ok(plans
        .into_iter()
        .map(|(id, steps)| (PlanId(id), steps))
        .collect())
}

/// Replaces the plan's evaluation; a flip to needing attention, or back to ready, is
/// queued for the webhooks that want it in the same transaction.
pub async fn record(
    store: &Store,
    plan: PlanId,
    problems: &[String],
    pairs: &[String],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    use diesel_async::AsyncConnection;
    let state = if problems.is_empty() {
        ReadinessState::Ready
    } else {
        ReadinessState::NeedsAttention
    };
    let json = |list: &[String]| serde_json::Value::from(list.to_vec());
    let mut conn = store.conn().await?;
    crate::store::retry::retrying!(
        conn.transaction(async move |conn| -> Result<(), StoreError> {
            // The plan may be gone meanwhile: its evaluation then has nothing to belong to.
            let name: Option<String> = plans::table
                .find(plan.0)
                .select(plans::name)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(name) = name else {
                return Ok(());
            };
            let before: Option<String> = plan_readiness::table
                .find(plan.0)
                .select(plan_readiness::state)
                .first(conn)
                .await
                .optional()?;
            diesel::replace_into(plan_readiness::table)
                .values((
                    plan_readiness::plan_id.eq(plan.0),
                    plan_readiness::state.eq(state.as_str()),
                    plan_readiness::problems.eq(json(problems)),
                    plan_readiness::pairs.eq(json(pairs)),
                    plan_readiness::checked_at.eq(at.naive_utc()),
                ))
                .execute(conn)
                .await?;
            let before = before.as_deref().and_then(ReadinessState::parse);
            let told =
                crate::domain::webhook::for_readiness(plan, &name, before, state, problems, at);
            if let Some(notification) = told {
                crate::store::webhooks::outbox::enqueue(conn, &notification, None).await?;
            }
            Ok(())
        })
        .await
    )
}

/// Every active plan's readiness (not evaluated yet when it has no evaluation), with its
/// newest ended drill.
pub async fn list(store: &Store) -> Result<Vec<PlanReadiness>, StoreError> {
    if store.mode().is_degraded() {
        return Err(StoreError::Degraded(
            "plan readiness is read from the database, and this instance is in degraded mode"
                .to_owned(),
        ));
    }
    let conn = &mut *store.conn().await?;
    let active: Vec<u64> = plans::table
        .filter(plans::status.eq(PlanStatus::Active.as_str()))
        .select(plans::id)
        .load(conn)
        .await?;
    let rows: Vec<(
        u64,
        String,
        serde_json::Value,
        serde_json::Value,
        NaiveDateTime,
    )> = plan_readiness::table
        .filter(plan_readiness::plan_id.eq_any(&active))
        .select((
            plan_readiness::plan_id,
            plan_readiness::state,
            plan_readiness::problems,
            plan_readiness::pairs,
            plan_readiness::checked_at,
        ))
        .load(conn)
        .await?;
    let mut drills = crate::store::executions::last_drills(conn, &active).await?;
    let texts = |value: serde_json::Value| -> Vec<String> {
        serde_json::from_value(value).unwrap_or_default()
    };
    let mut evaluated: BTreeMap<u64, PlanReadiness> = rows
        .into_iter()
        .map(|(plan, state, problems, pairs, at)| {
            let state = ReadinessState::parse(&state)
                .ok_or_else(|| StoreError::internal(format!("plan {plan}: readiness {state:?}")))?;
            Ok((
                plan,
                PlanReadiness {
                    plan_id: PlanId(plan),
                    state,
                    problems: texts(problems),
                    pairs: texts(pairs),
                    checked_at: Some(at.and_utc()),
                    last_drill: None,
                },
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(active
        .into_iter()
        .map(|plan| {
            let mut readiness = evaluated
                .remove(&plan)
                .unwrap_or_else(|| PlanReadiness::not_evaluated(PlanId(plan)));
            readiness.last_drill = drills.remove(&PlanId(plan));
            readiness
        })
        .collect())
}

/// The settings row whose time says when the last scheduled round began.
const ROUND: &str = "readiness_round";

/// Claims the scheduled round for this instance: `true` when no instance began one within
/// `every` (by the database's clock, so the instances' clocks do not matter).
pub async fn claim_round(store: &Store, every: std::time::Duration) -> Result<bool, StoreError> {
    let conn = &mut *store.conn().await?;
    diesel::insert_or_ignore_into(settings::table)
        .values((
            settings::name.eq(ROUND),
            settings::value.eq(""),
            settings::updated_at.eq(DateTime::UNIX_EPOCH.naive_utc()),
        ))
        .execute(conn)
        .await?;
    // A little short of the period, so the instance whose tick claimed the last round
    // claims the next on its next tick.
    let since = every.as_secs().saturating_sub(1).max(1);
    let claimed = diesel::sql_query(
        "UPDATE settings SET updated_at = NOW(6) \
         WHERE name = ? AND updated_at < NOW(6) - INTERVAL ? SECOND",
    )
    .bind::<diesel::sql_types::Text, _>(ROUND)
    .bind::<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>, _>(since)
    .execute(conn)
    .await?;
    Ok(claimed == 1)
}
