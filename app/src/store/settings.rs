//! Named console-wide settings: the run mode, and markers such as "demo data loaded".

use super::Db;
use super::schema::settings;
use crate::domain::run_mode::RunMode;
use crate::error::AppError;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub const RUN_MODE: &str = "run_mode";
pub const DEMO_DATA_LOADED: &str = "demo_data_loaded";
pub const DEMO_PLANS_LOADED: &str = "demo_plans_loaded";

/// The value of a setting, if it was ever written.
pub async fn get(conn: &mut Db, name: &str) -> Result<Option<String>, AppError> {
    Ok(settings::table
        .find(name)
        .select(settings::value)
        .first(conn)
        .await
        .optional()?)
}

/// Writes a setting only when it does not exist yet; says whether it was written.
/// Two servers starting at once cannot both win.
pub async fn insert_once(conn: &mut Db, name: &str, value: &str) -> Result<bool, AppError> {
    let inserted = diesel::insert_or_ignore_into(settings::table)
        .values((settings::name.eq(name), settings::value.eq(value)))
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// The run mode as last stored.
pub async fn run_mode(conn: &mut Db) -> Result<RunMode, AppError> {
    let stored = get(conn, RUN_MODE).await?;
    Ok(stored
        .as_deref()
        .and_then(RunMode::parse)
        .unwrap_or(RunMode::Normal))
}
