//! Named console-wide settings: markers such as "demo data loaded". (The run mode lives
//! in memory, not in the database that may be down.)

use super::schema::settings;
use super::{Db, StoreError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub(super) const DEMO_DATA_LOADED: &str = "demo_data_loaded";
pub(super) const DEMO_PLANS_LOADED: &str = "demo_plans_loaded";

/// Writes a setting only when it does not exist yet; says whether it was written.
/// Two servers starting at once cannot both win.
pub(super) async fn insert_once(
    conn: &mut Db,
    name: &str,
    value: &str,
) -> Result<bool, StoreError> {
    let inserted = diesel::insert_or_ignore_into(settings::table)
        .values((settings::name.eq(name), settings::value.eq(value)))
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}
