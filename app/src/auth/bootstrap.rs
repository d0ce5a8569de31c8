//! Accounts that must exist at start: the demo users (demo mode only, into an empty user
//! table) and, whenever no enabled admin exists, the first admin.

use super::password::PasswordHasher;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::store::Store;
use crate::store::audit::AuditRecord;
use crate::store::users::{self, UserChange};
use base64::Engine;

/// The demo users' password. For the demo only: the README says so.
pub const DEMO_PASSWORD: &str = "switchyard";
const FIRST_ADMIN: &str = "admin";

/// Creates the demo users and the first admin when they are missing.
pub async fn ensure_users(
    store: &Store,
    hasher: &PasswordHasher,
    demo: bool,
    admin_password: Option<String>,
) -> Result<(), AppError> {
    let record = AuditRecord::system("users/create");
    if demo && users::list(store).await?.is_empty() {
        for role in Role::ALL {
            let hash = hasher.hash(DEMO_PASSWORD.to_owned()).await?;
            let display_name = format!("Demo {}", role.label().to_lowercase());
            users::create(
                store,
                &record,
                role.as_str(),
                &display_name,
                role,
                hash,
                false,
            )
            .await?;
        }
        tracing::info!("created the demo users admin, operator, reviewer and auditor");
    }
    if users::has_enabled_admin(store).await? {
        return Ok(());
    }

    let (password, one_time) = match admin_password {
        Some(password) => (password, false),
        None => (generate_password(), true),
    };
    let hash = hasher.hash(password.clone()).await?;
    match users::find_by_username(store, FIRST_ADMIN).await? {
        Some(existing) => {
            let id = existing.session_user().id;
            let restore = AuditRecord::system("users/set_role");
            users::change(store, &restore, id, None, UserChange::role(Role::Admin)).await?;
            users::change(store, &restore, id, None, UserChange::enabled(true)).await?;
            users::change(
                store,
                &restore,
                id,
                None,
                UserChange::password(hash, one_time),
            )
            .await?;
        }
        None => {
            users::create(
                store,
                &record,
                FIRST_ADMIN,
                "Administrator",
                Role::Admin,
                hash,
                one_time,
            )
            .await?;
        }
    }
    if one_time {
        // Printed once, here, and nowhere else; it must be changed at first sign-in.
        tracing::warn!(
            "no admin existed: created user '{FIRST_ADMIN}' with the one-time password {password} \
             (set SWITCHYARD_ADMIN_PASSWORD to choose it)"
        );
    } else {
        tracing::info!(
            "no admin existed: created user '{FIRST_ADMIN}' with SWITCHYARD_ADMIN_PASSWORD"
        );
    }
    Ok(())
}

fn generate_password() -> String {
    let mut bytes = [0u8; 15];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
