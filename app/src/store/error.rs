//! The one place where diesel and pool errors become `AppError`s.

use crate::error::{AppError, ConflictCode};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A failure to set the store up (at start-up, before any request).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot build the connection pool: {0}")]
    Pool(String),
}

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => AppError::not_found("the record"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let field = duplicate_key_field(info.message());
                let message = match &field {
                    Some(field) => format!("that {field} is already taken"),
                    None => "that value is already taken".to_owned(),
                };
                AppError::Conflict {
                    code: ConflictCode::NameTaken,
                    field,
                    message,
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::info!(error = info.message(), "refused by a foreign key");
                AppError::conflict(
                    ConflictCode::InUse,
                    None,
                    "it is still referenced by other records, or refers to one that does not exist",
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                unavailable(error)
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// Maps a failure to reach the database to `Unavailable`, logging the detail once.
pub fn unavailable(error: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %error, "database unavailable");
    AppError::Unavailable {
        message: "the database is unavailable right now".to_owned(),
    }
}

/// The field a unique key protects. Our unique keys are named after their field
/// (see `migrations/`); MariaDB says `... for key 'name'`, MySQL 8 `... for key 'table.name'`.
fn duplicate_key_field(message: &str) -> Option<String> {
    let key = message.rsplit_once("for key '")?.1.strip_suffix('\'')?;
    let field = key.rsplit_once('.').map_or(key, |(_, field)| field);
    (!field.is_empty() && field != "PRIMARY").then(|| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::duplicate_key_field;

    #[test]
    fn reads_the_field_from_mariadb_and_mysql_messages() {
        assert_eq!(
            duplicate_key_field("Duplicate entry 'Shanghai-A' for key 'name'").as_deref(),
            Some("name")
        );
        assert_eq!(
            duplicate_key_field("Duplicate entry 'x' for key 'data_centers.name'").as_deref(),
            Some("name")
        );
        assert_eq!(
            duplicate_key_field("Duplicate entry '1' for key 'PRIMARY'"),
            None
        );
        assert_eq!(duplicate_key_field("something else"), None);
    }
}
