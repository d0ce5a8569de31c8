//! The audit log table: written inside the transaction of the change it records, read by
//! the audit page. Rows are never changed (the database refuses it).

use super::schema::audit_log;
use super::{Db, Store, StoreError};
use crate::domain::audit::{AUDIT_PAGE_SIZE, AuditEntry, AuditPage, AuditQuery, Outcome};
use crate::domain::role::{Action, Role};
use crate::domain::user::SessionUser;
use crate::mode::journal::{AuditLine, Record};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// Who acts, and how: everything an audit entry says besides target and outcome.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub actor_id: Option<u64>,
    pub actor_name: String,
    pub actor_role: Option<Role>,
    pub action: &'static str,
    pub client_addr: Option<String>,
    /// What the entry says besides its outcome (a refusal's reason, a change's remark).
    pub note: Option<String>,
}

impl AuditRecord {
    pub fn of(user: &SessionUser, action: Action, client_addr: Option<String>) -> Self {
        Self {
            actor_id: Some(user.id.0),
            actor_name: user.username.clone(),
            actor_role: Some(user.role),
            action: action.endpoint(),
            client_addr,
            note: None,
        }
    }

    /// The same caller and action, with `note` for the entry.
    pub fn noted(&self, note: Option<String>) -> Self {
        Self {
            note,
            ..self.clone()
        }
    }

    /// A caller who is not signed in.
    pub fn anonymous(action: Action, client_addr: Option<String>) -> Self {
        Self {
            actor_id: None,
            actor_name: "(anonymous)".to_owned(),
            actor_role: None,
            action: action.endpoint(),
            client_addr,
            note: None,
        }
    }

    /// The system itself (start-up tasks such as creating the first admin).
    pub fn system(action: &'static str) -> Self {
        Self {
            actor_id: None,
            actor_name: "(system)".to_owned(),
            actor_role: None,
            action,
            client_addr: None,
            note: None,
        }
    }
}

/// What an entry is about.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
}

impl Target {
    pub fn new(kind: &'static str, id: impl ToString) -> Self {
        Self {
            kind,
            id: id.to_string(),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::mysql::Mysql))]
struct AuditRow {
    id: u64,
    at: NaiveDateTime,
    actor_name: String,
    actor_role: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    outcome: String,
    reason: Option<String>,
    client_addr: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        let unknown = |what: &str, value: &str| {
            StoreError::internal(format!(
                "unknown {what} {value:?} in audit entry {}",
                row.id
            ))
        };
        let actor_role = match row.actor_role.as_deref() {
            None => None,
            Some(role) => Some(Role::parse(role).ok_or_else(|| unknown("role", role))?),
        };
        let outcome =
            Outcome::parse(&row.outcome).ok_or_else(|| unknown("outcome", &row.outcome))?;
        Ok(AuditEntry {
            id: row.id,
            at: row.at.and_utc(),
            actor_name: row.actor_name,
            actor_role,
            action: row.action,
            target_kind: row.target_kind,
            target_id: row.target_id,
            outcome,
            reason: row.reason,
            client_addr: row.client_addr,
        })
    }
}

/// Width, in characters, of the entry's columns that hold text a client chose (a typed
/// user name, a target id, a forwarded address): see the audit_log migration.
const TEXT_COLUMN_WIDTH: usize = 64;

/// `text` cut to fit its column, so that what a client typed can never make the entry
/// fail to be written.
fn fit(text: &str) -> &str {
    text.char_indices()
        .nth(TEXT_COLUMN_WIDTH)
        .map_or(text, |(end, _)| &text[..end])
}

/// Appends an entry on its own: a refusal, or a change that failed (after its
/// transaction rolled back). A change's `ok` entry is written inside its transaction.
/// In degraded mode the entry goes to the journal, and into MySQL at reconcile.
pub async fn record(
    store: &Store,
    record: &AuditRecord,
    target: Option<Target>,
    outcome: Outcome,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    if store.mode().is_degraded() {
        let line = journal_line(record, target.clone(), outcome, reason);
        let entry = Record {
            at: line.at,
            execution: None,
            events: Vec::new(),
            audit: vec![line],
        };
        if store.journal(&[entry]).await? {
            return Ok(());
        }
    }
    write(&mut *store.conn().await?, record, target, outcome, reason).await
}

/// The journal's form of an entry made while degraded, with a key of its own so that
/// reconcile writes it once however often it runs.
pub(super) fn journal_line(
    record: &AuditRecord,
    target: Option<Target>,
    outcome: Outcome,
    reason: Option<&str>,
) -> AuditLine {
    AuditLine {
        key: uuid::Uuid::new_v4().simple().to_string(),
        at: chrono::Utc::now(),
        actor_id: record.actor_id,
        actor_name: fit(&record.actor_name).to_owned(),
        actor_role: record.actor_role.map(|r| r.as_str().to_owned()),
        action: record.action.to_owned(),
        target_kind: target.as_ref().map(|t| t.kind.to_owned()),
        target_id: target.as_ref().map(|t| fit(&t.id).to_owned()),
        outcome: outcome.as_str().to_owned(),
        reason: reason.map(str::to_owned),
        client_addr: record.client_addr.as_deref().map(|a| fit(a).to_owned()),
    }
}

/// Writes an entry made while degraded, once: a second reconcile finds its key taken.
/// Says whether it was written now.
pub(super) async fn write_journaled(conn: &mut Db, line: &AuditLine) -> Result<bool, StoreError> {
    let written = diesel::insert_or_ignore_into(audit_log::table)
        .values((
            audit_log::journal_key.eq(Some(&line.key)),
            audit_log::at.eq(line.at.naive_utc()),
            audit_log::actor_id.eq(line.actor_id),
            audit_log::actor_name.eq(&line.actor_name),
            audit_log::actor_role.eq(line.actor_role.as_deref()),
            audit_log::action.eq(&line.action),
            audit_log::target_kind.eq(line.target_kind.as_deref()),
            audit_log::target_id.eq(line.target_id.as_deref()),
            audit_log::outcome.eq(&line.outcome),
            audit_log::reason.eq(line.reason.as_deref()),
            audit_log::client_addr.eq(line.client_addr.as_deref()),
        ))
        .execute(conn)
        .await?;
    Ok(written == 1)
}

/// Appends one entry on `conn` (inside the transaction of the change it records).
async fn write(
    conn: &mut Db,
    record: &AuditRecord,
    target: Option<Target>,
    outcome: Outcome,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(chrono::Utc::now().naive_utc()),
            audit_log::actor_id.eq(record.actor_id),
            audit_log::actor_name.eq(fit(&record.actor_name)),
            audit_log::actor_role.eq(record.actor_role.map(Role::as_str)),
            audit_log::action.eq(record.action),
            audit_log::target_kind.eq(target.as_ref().map(|t| t.kind)),
            audit_log::target_id.eq(target.as_ref().map(|t| fit(&t.id))),
            audit_log::outcome.eq(outcome.as_str()),
            audit_log::reason.eq(reason),
            audit_log::client_addr.eq(record.client_addr.as_deref().map(fit)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends the `ok` entry of a change to `target`, inside the change's transaction.
pub(super) async fn write_ok(
    conn: &mut Db,
    record: &AuditRecord,
    target: Target,
) -> Result<(), StoreError> {
    let note = record.note.as_deref();
    write(conn, record, Some(target), Outcome::Ok, note).await
}

/// The `ok` entries of people's calls to `actions_under` (an endpoint prefix such as
/// `executions/`) about `target` but `leaving_out`, oldest first, at most `limit`.
pub async fn people_about(
    conn: &mut Db,
    target: &Target,
    actions_under: &str,
    leaving_out: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows: Vec<AuditRow> = audit_log::table
        .filter(audit_log::target_kind.eq(target.kind))
        .filter(audit_log::target_id.eq(&target.id))
        .filter(audit_log::outcome.eq(Outcome::Ok.as_str()))
        .filter(audit_log::action.like(format!("{actions_under}%")))
        .filter(audit_log::action.ne(leaving_out))
        .order(audit_log::id)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
        .await?;
    rows.into_iter().map(AuditEntry::try_from).collect()
}

/// One page of entries matching `query`, newest first.
pub async fn list(store: &Store, query: &AuditQuery) -> Result<AuditPage, StoreError> {
    let conn = &mut *store.conn().await?;
    let filtered = || {
        let mut select = audit_log::table.into_boxed();
        if let Some(actor) = query.actor.as_deref().filter(|s| !s.is_empty()) {
            select = select.filter(audit_log::actor_name.eq(actor.to_owned()));
        }
        if let Some(action) = query.action.as_deref().filter(|s| !s.is_empty()) {
            select = select.filter(audit_log::action.eq(action.to_owned()));
        }
        if let Some(kind) = query.target_kind.as_deref().filter(|s| !s.is_empty()) {
            select = select.filter(audit_log::target_kind.eq(kind.to_owned()));
        }
        if let Some(id) = query.target_id.as_deref().filter(|s| !s.is_empty()) {
            select = select.filter(audit_log::target_id.eq(id.to_owned()));
        }
        if let Some(from) = query.from {
            select = select.filter(audit_log::at.ge(from.naive_utc()));
        }
        if let Some(to) = query.to {
            select = select.filter(audit_log::at.lt(to.naive_utc()));
        }
        select
    };
    let total: i64 = filtered().count().get_result(conn).await?;
    let rows: Vec<AuditRow> = filtered()
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(i64::from(AUDIT_PAGE_SIZE))
        .offset(i64::from(query.page) * i64::from(AUDIT_PAGE_SIZE))
        .load(conn)
        .await?;
    Ok(AuditPage {
        entries: rows
            .into_iter()
            .map(AuditEntry::try_from)
            .collect::<Result<_, _>>()?,
        page: query.page,
        page_size: AUDIT_PAGE_SIZE,
        total: total as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(outcome: &str, role: Option<&str>) -> AuditRow {
        AuditRow {
            id: 12,
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
                .unwrap()
                .and_hms_micro_opt(8, 0, 0, 123_456)
                .unwrap(),
            actor_name: "operator".to_owned(),
            actor_role: role.map(str::to_owned),
            action: "plans/update".to_owned(),
            target_kind: Some("plan".to_owned()),
            target_id: Some("3".to_owned()),
            outcome: outcome.to_owned(),
            reason: None,
            client_addr: None,
        }
    }

    #[test]
    fn a_stored_time_is_read_as_utc() {
        let entry = AuditEntry::try_from(row("ok", Some("operator"))).unwrap();
        assert_eq!(
            serde_json::to_value(&entry).unwrap()["at"],
            "2026-11-22T08:00:00.123456Z"
        );
        assert_eq!(entry.actor_role, Some(Role::Operator));
    }

    #[test]
    fn an_unknown_outcome_or_role_is_an_internal_error() {
        for bad in [row("maybe", None), row("ok", Some("superuser"))] {
            let error = AuditEntry::try_from(bad).unwrap_err();
            assert!(matches!(error, StoreError::Internal(_)), "{error:?}");
        }
    }

    #[test]
    fn client_text_is_cut_to_its_column_by_characters() {
        assert_eq!(fit("operator"), "operator");
        let long = "é".repeat(100);
        assert_eq!(fit(&long).chars().count(), TEXT_COLUMN_WIDTH);
        assert_eq!(fit(&"a".repeat(TEXT_COLUMN_WIDTH)).len(), TEXT_COLUMN_WIDTH);
    }
}
