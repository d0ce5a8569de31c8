//! Connection configs. The password column holds only ciphertext (see
//! `store::stored_secret`); nothing here returns it to a caller but `credentials`, which the
//! connection test uses on the server.

use super::audit::AuditRecord;
use super::schema::{connection_configs, data_centers};
use super::stored_secret;
use super::tx::{Stored, Table, delete_row};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::connection::{
    ConfigKind, ConnectionConfig, ConnectionConfigForm, PasswordChange, Platform, Protocol,
};
use crate::domain::environment::DataCenterRef;
use crate::domain::ids::{ConnectionConfigId, DataCenterId};
use crate::domain::valid::Valid;
use crate::error::ConflictCode;
use crate::mode::mirror::SealedPassword;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

const TABLE: &str = "connection_configs";

/// A config as read, with its data center's name and whether a password is stored
/// (never the password itself).
#[derive(Queryable, Selectable)]
#[diesel(table_name = connection_configs, check_for_backend(diesel::mysql::Mysql))]
struct ConnectionConfigRow {
    id: u64,
    name: String,
    data_center_id: u64,
    #[diesel(select_expression = data_centers::name)]
    data_center_name: String,
    platform: String,
    kind: String,
    protocol: String,
    host: String,
    port: u16,
    username: String,
    #[diesel(
        select_expression = connection_configs::password_ciphertext.is_not_null(),
        select_expression_type = diesel::dsl::IsNotNull<connection_configs::password_ciphertext>
    )]
    password_set: bool,
    revision: u32,
}

impl TryFrom<ConnectionConfigRow> for ConnectionConfig {
    type Error = StoreError;

    fn try_from(row: ConnectionConfigRow) -> Result<Self, StoreError> {
        let unknown = |what: &str, value: &str| {
            StoreError::internal(format!(
                "unknown {what} {value:?} in connection config {}",
                row.id
            ))
        };
        Ok(ConnectionConfig {
            platform: Platform::parse(&row.platform)
                .ok_or_else(|| unknown("platform", &row.platform))?,
            kind: ConfigKind::parse(&row.kind).ok_or_else(|| unknown("kind", &row.kind))?,
            protocol: Protocol::parse(&row.protocol)
                .ok_or_else(|| unknown("protocol", &row.protocol))?,
            id: ConnectionConfigId(row.id),
            name: row.name,
            data_center: DataCenterRef {
                id: DataCenterId(row.data_center_id),
                name: row.data_center_name,
            },
            host: row.host,
            port: row.port,
            username: Some(row.username),
            password_set: row.password_set,
            revision: row.revision,
        })
    }
}

/// What the connection test needs of a config: where, as whom, and the sealed password.
#[derive(Queryable, Selectable)]
#[diesel(table_name = connection_configs, check_for_backend(diesel::mysql::Mysql))]
struct CredentialsRow {
    host: String,
    port: u16,
    username: String,
    password_ciphertext: Option<Vec<u8>>,
}

/// The config that already holds a data center's place for one platform and kind.
#[derive(Queryable, Selectable)]
#[diesel(table_name = connection_configs, check_for_backend(diesel::mysql::Mysql))]
struct HolderRow {
    #[diesel(select_expression = data_centers::name)]
    data_center_name: String,
    name: String,
}

#[diesel::dsl::auto_type]
fn select() -> _ {
    let row: diesel::dsl::AsSelect<ConnectionConfigRow, diesel::mysql::Mysql> =
        ConnectionConfigRow::as_select();
    connection_configs::table
        .inner_join(data_centers::table)
        .select(row)
}

pub async fn list(store: &Store) -> Result<Vec<ConnectionConfig>, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| Ok(c.connection_configs.clone())) {
        return mirrored;
    }
    let rows: Vec<ConnectionConfigRow> = select()
        .order((data_centers::name, connection_configs::name))
        .load(&mut *store.conn().await?)
        .await?;
    rows.into_iter().map(ConnectionConfig::try_from).collect()
}

pub async fn get(store: &Store, id: ConnectionConfigId) -> Result<ConnectionConfig, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| {
        super::mirror::find(&c.connection_configs, id, |d| d.id, "connection config")
    }) {
        return mirrored;
    }
    read(&mut *store.conn().await?, id).await
}

async fn read(conn: &mut Db, id: ConnectionConfigId) -> Result<ConnectionConfig, StoreError> {
    let row: Option<ConnectionConfigRow> = select()
        .filter(connection_configs::id.eq(id.0))
        .first(conn)
        .await
        .optional()?;
    row.ok_or_else(|| StoreError::not_found(format!("connection config {id}")))?
        .try_into()
}

/// Every stored password, sealed as it is kept: for the mirror.
pub async fn sealed_passwords(store: &Store) -> Result<Vec<SealedPassword>, StoreError> {
    let rows: Vec<(u64, Option<Vec<u8>>)> = connection_configs::table
        .filter(connection_configs::password_ciphertext.is_not_null())
        .select((
            connection_configs::id,
            connection_configs::password_ciphertext,
        ))
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, sealed)| {
            sealed.map(|sealed| SealedPassword {
                config: ConnectionConfigId(id),
                sealed,
            })
        })
        .collect())
}

/// Host, port, username and the decrypted password (if one is stored) of a config (in
/// degraded mode, from the mirror).
pub async fn credentials(
    store: &Store,
    key: &[u8; 32],
    id: ConnectionConfigId,
) -> Result<(String, u16, String, Option<String>), StoreError> {
    let mirrored = super::mirror::degraded(store, |c| {
        let config = super::mirror::find(&c.connection_configs, id, |d| d.id, "connection config")?;
        Ok(CredentialsRow {
            host: config.host,
            port: config.port,
            username: config.username.unwrap_or_default(),
            password_ciphertext: c
                .sealed_passwords
                .iter()
                .find(|p| p.config == id)
                .map(|p| p.sealed.clone()),
        })
    });
    let row = match mirrored {
        Some(row) => row?,
        None => connection_configs::table
            .find(id.0)
            .select(CredentialsRow::as_select())
            .first(&mut *store.conn().await?)
            .await
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("connection config {id}")))?,
    };
    let password = match row.password_ciphertext {
        None => None,
        Some(bytes) => Some(stored_secret::open(key, TABLE, id.0, &bytes).ok_or_else(|| {
            StoreError::internal(format!(
                "the stored password of connection config {id} does not open with this secret key"
            ))
        })?),
    };
    Ok((row.host, row.port, row.username, password))
}

pub(super) async fn apply_password(
    conn: &mut Db,
    key: &[u8; 32],
    id: u64,
    change: &PasswordChange,
) -> Result<(), StoreError> {
    let sealed = match change {
        PasswordChange::Keep => return Ok(()),
        PasswordChange::Clear => None,
        PasswordChange::Set(password) => Some(stored_secret::seal(key, TABLE, id, password)),
    };
    diesel::update(connection_configs::table.find(id))
        .set(connection_configs::password_ciphertext.eq(sealed))
        .execute(conn)
        .await?;
    Ok(())
}

/// The columns a form writes, on create and on edit alike (the password apart).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = connection_configs)]
struct ConfigValues<'a> {
    name: &'a str,
    data_center_id: u64,
    platform: &'static str,
    kind: &'static str,
    protocol: &'static str,
    host: &'a str,
    port: u16,
    username: &'a str,
}

impl<'a> ConfigValues<'a> {
    fn of(form: &'a ConnectionConfigForm, data_center: u64, port: u16) -> Self {
        Self {
            name: &form.name,
            data_center_id: data_center,
            platform: form.platform.as_str(),
            kind: form.kind.as_str(),
            protocol: form.protocol.as_str(),
            host: &form.host,
            port,
            username: &form.username,
        }
    }
}

/// The port and data center a checked form names (its check guarantees both).
fn destination(form: &Valid<ConnectionConfigForm>) -> Result<(u16, u64), StoreError> {
    let port = u16::try_from(form.port).ok();
    match (port, form.data_center) {
        (Some(port), Some(data_center)) => Ok((port, data_center.0)),
        _ => Err(StoreError::internal(
            "a checked connection config without port or data center",
        )),
    }
}

/// Passes on the outcome of writing `form`. The `platform` unique key gives a data center
/// one config per platform and kind, so the engine never has to choose; when that key
/// refuses the write, say which config already holds the place.
async fn explain_taken_target(
    conn: &mut Db,
    written: QueryResult<usize>,
    data_center: u64,
    form: &ConnectionConfigForm,
) -> Result<(), StoreError> {
    let error = match written {
        Ok(_) => return Ok(()),
        Err(error) => StoreError::from(error),
    };
    if !matches!(&error, StoreError::Conflict { field: Some(field), .. } if field == "platform") {
        return Err(error);
    }
    let holder: Option<HolderRow> = connection_configs::table
        .inner_join(data_centers::table)
        .filter(connection_configs::data_center_id.eq(data_center))
        .filter(connection_configs::platform.eq(form.platform.as_str()))
        .filter(connection_configs::kind.eq(form.kind.as_str()))
        .select(HolderRow::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(holder) = holder else {
        return Err(error);
    };
    Err(StoreError::conflict(
        ConflictCode::NameTaken,
        Some("platform"),
        format!(
            "{} already has a {} config for the {}: {}",
            holder.data_center_name,
            form.kind.as_str(),
            form.platform.label().to_lowercase(),
            holder.name,
        ),
    ))
}

pub async fn create(
    store: &Store,
    record: &AuditRecord,
    key: &[u8; 32],
    form: &Valid<ConnectionConfigForm>,
) -> Result<ConnectionConfig, StoreError> {
    let (port, data_center) = destination(form)?;
    store
        .create(record, Table::ConnectionConfigs, move |conn| {
            async move {
                let inserted = diesel::insert_into(connection_configs::table)
                    .values(ConfigValues::of(form, data_center, port))
                    .execute(conn)
                    .await;
                explain_taken_target(conn, inserted, data_center, form).await?;
                let id = inserted_id(conn).await?;
                apply_password(conn, key, id, &form.password).await?;
                Ok((id, read(conn, ConnectionConfigId(id)).await?))
            }
            .scope_boxed()
        })
        .await
}

/// Changes a config. A stored password never follows its config to another destination
/// unless it is entered again; the audit entry says when the destination changed.
pub async fn update(
    store: &Store,
    record: &AuditRecord,
    key: &[u8; 32],
    id: ConnectionConfigId,
    revision: u32,
    form: &Valid<ConnectionConfigForm>,
) -> Result<ConnectionConfig, StoreError> {
    let (port, data_center) = destination(form)?;
    // The password rule is checked against this read, and the change is made only to the
    // revision read: `change` refuses it when the row moved on in between (a repair that
    // entered a password, say), and a caller's revision that is not the one read (the next
    // one, guessed) is refused here.
    let current = get(store, id).await?;
    if current.revision != revision {
        return Err(StoreError::conflict(
            ConflictCode::StaleRevision,
            None,
            format!(
                "{} was changed since you opened it; nothing was saved — reload to see that \
                 change",
                current.name
            ),
        ));
    }
    let note = current
        .check_kept_password(form)
        .map_err(|error| StoreError::Invalid(vec![error]))?;
    let record = record.noted(note);
    let row = Stored::new(Table::ConnectionConfigs, id.0, revision);
    store
        .change(&record, row, move |conn, _| {
            async move {
                let updated = diesel::update(connection_configs::table.find(id.0))
                    .set(ConfigValues::of(form, data_center, port))
                    .execute(conn)
                    .await;
                explain_taken_target(conn, updated, data_center, form).await?;
                apply_password(conn, key, id.0, &form.password).await?;
                read(conn, id).await
            }
            .scope_boxed()
        })
        .await
}

pub async fn delete(
    store: &Store,
    record: &AuditRecord,
    id: ConnectionConfigId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::ConnectionConfigs, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            delete_row(conn, row).scope_boxed()
        })
        .await
}
