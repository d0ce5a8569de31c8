//! What can go wrong in the store, as a program branches on it: the database is
//! unavailable, the record is not there, the change conflicts (with a kind), the caller's
//! hold on an execution was fenced off, or an internal fault whose source is kept for
//! the log. Diesel and pool errors become these in one place; they become `AppError`s
//! once, at the API boundary (`From<StoreError> for AppError`).

use crate::error::{AppError, ConflictCode, FieldError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached now; the detail is for the log.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The instance is in degraded mode and does not use the database; the message says
    /// so for people.
    #[error("{0}")]
    Degraded(String),
    /// The record (named for people, e.g. `plan 7`) does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The change cannot be made as asked; `code` says why for programs.
    #[error("{message}")]
    Conflict {
        code: ConflictCode,
        field: Option<String>,
        message: String,
    },
    /// Values the store found wrong (against stored data), next to their fields.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A rule that depends on who asks refused the change (four eyes, for one).
    #[error("{0}")]
    Refused(String),
    /// The database refused the transaction for a concurrent one (a deadlock, a lock
    /// wait that timed out, or a Galera certification conflict), and so did every try
    /// again (`retry`); the detail is for the log.
    #[error("the transaction was refused for a concurrent one: {0}")]
    Contended(String),
    /// Another instance owns the record now (its fencing token moved on); this writer
    /// must stop.
    #[error("another instance has taken this over")]
    Fenced,
    /// A fault of ours or of the database; the source is logged, never shown.
    #[error("internal store error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn conflict(code: ConflictCode, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// Whether the database may answer again later: it is unreachable, or this instance
    /// does not use it now (degraded mode). Writers try again; readers say "unavailable".
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_) | Self::Degraded(_) | Self::Contended(_)
        )
    }

    /// An internal fault described in words (a broken invariant, an unreadable row).
    pub fn internal(what: impl Into<String>) -> Self {
        Self::Internal(what.into().into())
    }
}

/// Whether a driver's error message says the connection was lost mid-query (the network
/// or the server went away): the database is unavailable, not at fault. The MySQL driver
/// reports these as errors of an unknown kind, known by their words.
fn lost_connection(message: &str) -> bool {
    const LOST: [&str; 5] = [
        "Input/output error:",
        "Connection to the server is closed",
        "Pool was disconnected",
        "Server shutdown in progress",
        // A Galera node cut off from the cluster's majority serves no queries.
        "WSREP has not yet prepared node for application use",
    ];
    LOST.iter().any(|words| message.contains(words))
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::not_found("the record"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let field = duplicate_key_field(info.message());
                let message = match &field {
                    Some(field) => format!("that {field} is already taken"),
                    None => "that value is already taken".to_owned(),
                };
                Self::Conflict {
                    code: ConflictCode::NameTaken,
                    field,
                    message,
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::info!(error = info.message(), "refused by a foreign key");
                Self::conflict(
                    ConflictCode::InUse,
                    None,
                    "it is still referenced by other records, or refers to one that does not exist",
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable(error.to_string())
            }
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if lost_connection(info.message()) =>
            {
                Self::Unavailable(error.to_string())
            }
            // 1213 (a deadlock, or a Galera certification conflict) and 1205 (a lock wait
            // timed out) both say so.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if info.message().contains("try restarting transaction") =>
            {
                Self::Contended(error.to_string())
            }
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> for StoreError {
    fn from(
        error: deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>,
    ) -> Self {
        Self::Unavailable(error.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable");
                AppError::Unavailable {
                    message: "the database is unavailable right now".to_owned(),
                }
            }
            StoreError::Degraded(message) => AppError::Unavailable { message },
            StoreError::Contended(detail) => {
                tracing::warn!(error = %detail, "transaction refused for a concurrent one");
                AppError::Unavailable {
                    message: "the database was busy with a concurrent change; try again".to_owned(),
                }
            }
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict {
                code,
                field,
                message,
            } => AppError::Conflict {
                code,
                field,
                message,
            },
            StoreError::Invalid(errors) => AppError::invalid(errors),
            StoreError::Refused(message) => AppError::Forbidden { message },
            StoreError::Fenced => AppError::conflict(
                ConflictCode::Fenced,
                None,
                "another instance has taken this execution over; reload to follow it there",
            ),
            StoreError::Internal(source) => {
                tracing::error!(error = %source, "store fault");
                AppError::Internal
            }
        }
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
    use super::*;

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

    #[test]
    fn maps_to_the_api_error_a_caller_branches_on() {
        let stale: AppError =
            StoreError::conflict(ConflictCode::StaleRevision, None, "changed").into();
        assert!(matches!(
            stale,
            AppError::Conflict {
                code: ConflictCode::StaleRevision,
                ..
            }
        ));
        let fenced: AppError = StoreError::Fenced.into();
        assert!(matches!(
            fenced,
            AppError::Conflict {
                code: ConflictCode::Fenced,
                ..
            }
        ));
        let internal: AppError = StoreError::internal("broken invariant").into();
        assert_eq!(internal, AppError::Internal);
        assert_eq!(internal.to_string(), AppError::Internal.to_string());
        let gone: AppError = StoreError::Unavailable("connection refused".into()).into();
        assert!(!gone.to_string().contains("refused"), "{gone}");
    }

    #[test]
    fn a_connection_lost_mid_query_is_unavailable_and_a_server_refusal_is_not() {
        let error = |message: &str| {
            StoreError::from(DieselError::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(message.to_owned()),
            ))
        };
        let reset = error("Input/output error: Input/output error: Connection reset by peer");
        assert!(reset.is_transient(), "{reset:?}");
        assert!(error("Connection to the server is closed.").is_transient());
        let refused = error("refused by the test");
        assert!(matches!(refused, StoreError::Internal(_)), "{refused:?}");
    }
}
