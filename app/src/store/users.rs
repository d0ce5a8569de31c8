//! Users: sign-in lookups, the directory mirror, and every change to an account. Each
//! change runs in one transaction with its audit entry, checks the version it was made
//! from, and never leaves the console without an enabled admin.

use super::audit::AuditRecord;
use super::schema::users;
use super::tx::{Stored, Table};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::user::{Preferences, SessionUser, UserState, UserSummary};
use crate::error::ConflictCode;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

/// A user as stored (the password hash never leaves the server).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::mysql::Mysql))]
pub struct UserRow {
    id: u64,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    must_change_password: bool,
    language: Option<String>,
    time_zone: Option<String>,
    enabled: bool,
    session_generation: u32,
    revision: u32,
}

impl UserRow {
    fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or_else(|| {
            // The column's CHECK constraint makes this unreachable; fail closed regardless.
            tracing::error!(user.id = self.id, role = %self.role, "unknown role in the database");
            Role::Auditor
        })
    }

    pub fn session_user(&self) -> SessionUser {
        SessionUser {
            id: UserId(self.id),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            must_change_password: self.must_change_password,
            preferences: Preferences {
                language: self.language.clone(),
                time_zone: self.time_zone.clone(),
            },
        }
    }

    pub fn state(&self) -> UserState {
        UserState {
            user: self.session_user(),
            enabled: self.enabled,
            session_generation: self.session_generation,
        }
    }

    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: UserId(self.id),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            enabled: self.enabled,
            must_change_password: self.must_change_password,
            revision: self.revision,
        }
    }

    pub fn password_hash(&self) -> &str {
        &self.password_hash
    }

    fn is_enabled_admin(&self) -> bool {
        self.enabled && self.role() == Role::Admin
    }
}

/// What a change does to an account; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChange {
    role: Option<String>,
    enabled: Option<bool>,
    password_hash: Option<String>,
    must_change_password: Option<bool>,
    language: Option<Option<String>>,
    time_zone: Option<Option<String>>,
}

impl UserChange {
    pub fn role(role: Role) -> Self {
        Self {
            role: Some(role.as_str().to_owned()),
            ..Self::default()
        }
    }

    pub fn enabled(enabled: bool) -> Self {
        Self {
            enabled: Some(enabled),
            ..Self::default()
        }
    }

    /// A new password; `one_time` makes its owner choose another at next sign-in.
    pub fn password(hash: String, one_time: bool) -> Self {
        Self {
            password_hash: Some(hash),
            must_change_password: Some(one_time),
            ..Self::default()
        }
    }

    /// Their language and time zone; the only change that leaves their sessions alone.
    pub fn preferences(preferences: Preferences) -> Self {
        Self {
            language: Some(preferences.language),
            time_zone: Some(preferences.time_zone),
            ..Self::default()
        }
    }

    /// Whether it ends the user's sessions: every change but one of preferences does
    /// (a new role, a new password, disabling, signing out).
    fn ends_sessions(&self) -> bool {
        self.role.is_some()
            || self.enabled.is_some()
            || self.password_hash.is_some()
            || self.must_change_password.is_some()
            || (self.language.is_none() && self.time_zone.is_none())
    }

    /// Ends the user's sessions and nothing else (sign-out).
    pub fn end_sessions() -> Self {
        Self::default()
    }

    fn removes_admin(&self, before: &UserRow) -> bool {
        let demoted = self
            .role
            .as_deref()
            .is_some_and(|r| r != Role::Admin.as_str());
        let disabled = self.enabled == Some(false);
        before.is_enabled_admin() && (demoted || disabled)
    }
}

fn select()
-> diesel::dsl::Select<users::table, diesel::dsl::AsSelect<UserRow, diesel::mysql::Mysql>> {
    users::table.select(UserRow::as_select())
}

/// Every user's session-relevant state, for the directory.
pub async fn session_states(store: &Store) -> Result<Vec<UserState>, StoreError> {
    let conn = &mut *store.conn().await?;
    Ok(select()
        .load(conn)
        .await?
        .iter()
        .map(UserRow::state)
        .collect())
}

pub async fn find_by_username(
    store: &Store,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    let conn = &mut *store.conn().await?;
    Ok(select()
        .filter(users::username.eq(username))
        .first(conn)
        .await
        .optional()?)
}

pub async fn list(store: &Store) -> Result<Vec<UserSummary>, StoreError> {
    let conn = &mut *store.conn().await?;
    Ok(select()
        .order(users::username)
        .load(conn)
        .await?
        .iter()
        .map(UserRow::summary)
        .collect())
}

/// How many enabled admins there are, not counting `except`.
async fn enabled_admins(conn: &mut Db, except: Option<UserId>) -> Result<i64, StoreError> {
    let except = except.map_or(0, |id| id.0); // ids start at 1
    let admin = users::role
        .eq(Role::Admin.as_str())
        .and(users::enabled.eq(true));
    Ok(users::table
        .filter(admin.and(users::id.ne(except)))
        .count()
        .get_result(conn)
        .await?)
}

pub async fn has_enabled_admin(store: &Store) -> Result<bool, StoreError> {
    Ok(enabled_admins(&mut *store.conn().await?, None).await? > 0)
}

/// Creates a user (its username must be free); audited as `record`.
pub async fn create(
    store: &Store,
    record: &AuditRecord,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: String,
    one_time_password: bool,
) -> Result<UserRow, StoreError> {
    let password_hash = &password_hash;
    store
        .create(record, Table::Users, move |conn| {
            async move {
                let now = chrono::Utc::now().naive_utc();
                diesel::insert_into(users::table)
                    .values((
                        users::username.eq(username),
                        users::display_name.eq(display_name),
                        users::role.eq(role.as_str()),
                        users::password_hash.eq(&password_hash),
                        users::must_change_password.eq(one_time_password),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                let id = inserted_id(conn).await?;
                Ok((id, select().find(id).first(conn).await?))
            }
            .scope_boxed()
        })
        .await
}

/// Applies `change` to user `id`, made from `revision` when given, and ends the user's
/// sessions (a higher session generation voids every token issued before).
pub async fn change(
    store: &Store,
    record: &AuditRecord,
    id: UserId,
    revision: Option<u32>,
    change: UserChange,
) -> Result<UserRow, StoreError> {
    let row = match revision {
        Some(revision) => Stored::new(Table::Users, id.0, revision),
        None => Stored::as_it_is(Table::Users, id.0),
    };
    let change = &change;
    store
        .change(record, row, move |conn, _| {
            async move {
                let before: UserRow = select().find(id.0).first(conn).await?;
                if change.removes_admin(&before) {
                    let other_admins = enabled_admins(conn, Some(id)).await?;
                    if other_admins == 0 {
                        let field = if change.enabled == Some(false) {
                            "enabled"
                        } else {
                            "role"
                        };
                        return Err(StoreError::conflict(
                            ConflictCode::LastAdmin,
                            Some(field),
                            "this is the last enabled admin; make someone else admin first",
                        ));
                    }
                }
                let generation = match change.ends_sessions() {
                    true => users::session_generation + 1,
                    false => users::session_generation + 0,
                };
                diesel::update(users::table.find(id.0))
                    .set((change, users::session_generation.eq(generation)))
                    .execute(conn)
                    .await?;
                Ok(select().find(id.0).first(conn).await?)
            }
            .scope_boxed()
        })
        .await
}
