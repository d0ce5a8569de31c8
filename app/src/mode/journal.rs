//! The degraded-mode journal: an append-only local file of what this instance did while
//! it did not use MySQL — execution events (every transition, log line and call record
//! is one) and audit entries — in the order they happened, until reconcile has written
//! them into MySQL.
//!
//! Kept in redb, an embedded store in pure Rust: every append is one transaction,
//! committed durably (fsynced) before `append` returns, and a commit torn by a crash is
//! rolled back when the file is opened again (redb checksums its pages and keeps the last
//! good commit), so a torn last record is dropped and never misread. SQLite would do
//! too, but adds a C library, and our async database layer has no SQLite backend.

use crate::domain::event::ExecutionEvent;
use crate::domain::ids::ExecutionId;
use crate::domain::run_mode::JournalStatus;
use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Records by their number, in the order they were made: JSON.
const RECORDS: TableDefinition<u64, &[u8]> = TableDefinition::new("records");
/// Bookkeeping: the number of the last record reconcile wrote (`written`).
const MARKS: TableDefinition<&str, u64> = TableDefinition::new("marks");
const WRITTEN: &str = "written";
/// What a restart needs to go on in degraded mode (`mode::Degraded`), kept from the
/// switch to degraded mode until the journal is written back: JSON.
const STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("state");
const DEGRADED: &str = "degraded";

/// One thing degraded mode did, written into MySQL at once by reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub at: DateTime<Utc>,
    /// The execution the events belong to, and the fencing token of the lease they were
    /// made under (reconcile refuses them if another instance took it over meanwhile).
    pub execution: Option<Fenced>,
    pub events: Vec<ExecutionEvent>,
    pub audit: Vec<AuditLine>,
}

/// An execution and the fencing token its journal record was made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fenced {
    pub execution: ExecutionId,
    pub token: u64,
}

/// An audit entry made while degraded. `key` is unique to it: reconcile writes it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub key: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<u64>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub client_addr: Option<String>,
}

/// What can go wrong with the journal file.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal {path} cannot be used: {source}")]
    Storage {
        path: PathBuf,
        #[source]
        source: redb::Error,
    },
    #[error("journal record {0} is unreadable: {1}")]
    Unreadable(u64, serde_json::Error),
}

/// The journal file, open.
#[derive(Clone)]
pub struct Journal {
    db: Arc<Database>,
    path: PathBuf,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Journal {
    /// Opens the journal at `path`, creating it (and its directory) when missing. A commit
    /// torn by a crash is rolled back here.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let storage = |source: redb::Error| JournalError::Storage {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| storage(redb::Error::Io(e)))?;
        }
        let db = Database::create(path).map_err(|e| storage(e.into()))?;
        let journal = Self {
            db: Arc::new(db),
            path: path.to_owned(),
        };
        // Both tables exist from the start, so reads never meet a missing table.
        journal.write(|tx| {
            tx.open_table(RECORDS)?;
            tx.open_table(MARKS)?;
            tx.open_table(STATE)?;
            Ok(())
        })?;
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn storage(&self, source: impl Into<redb::Error>) -> JournalError {
        JournalError::Storage {
            path: self.path.clone(),
            source: source.into(),
        }
    }

    /// One durable write transaction.
    fn write<T>(
        &self,
        work: impl FnOnce(&redb::WriteTransaction) -> Result<T, redb::Error>,
    ) -> Result<T, JournalError> {
        let tx = self.db.begin_write().map_err(|e| self.storage(e))?;
        let value = work(&tx).map_err(|e| self.storage(e))?;
        tx.commit().map_err(|e| self.storage(e))?;
        Ok(value)
    }

    /// Appends `records` in order, in one durable commit: when this returns, they are on
    /// disk. Returns the number of the last.
    pub fn append(&self, records: &[Record]) -> Result<u64, JournalError> {
        let encoded: Vec<Vec<u8>> = records
            .iter()
            .map(|r| serde_json::to_vec(r).map_err(|e| JournalError::Unreadable(0, e)))
            .collect::<Result<_, _>>()?;
        self.write(|tx| {
            let mut table = tx.open_table(RECORDS)?;
            let mut last = table.last()?.map_or(0, |(number, _)| number.value());
            for bytes in &encoded {
                last += 1;
                table.insert(last, bytes.as_slice())?;
            }
            Ok(last)
        })
    }

    /// The number of the last record reconcile wrote into MySQL.
    pub fn written_mark(&self) -> Result<u64, JournalError> {
        let tx = self.db.begin_read().map_err(|e| self.storage(e))?;
        let marks = tx.open_table(MARKS).map_err(|e| self.storage(e))?;
        Ok(marks
            .get(WRITTEN)
            .map_err(|e| self.storage(e))?
            .map_or(0, |v| v.value()))
    }

    /// Every record after the last one reconcile wrote, with its number, oldest first.
    pub fn unwritten(&self) -> Result<Vec<(u64, Record)>, JournalError> {
        self.records_after(self.written_mark()?)
    }

    /// Every record after number `after`, oldest first.
    pub fn records_after(&self, after: u64) -> Result<Vec<(u64, Record)>, JournalError> {
        let tx = self.db.begin_read().map_err(|e| self.storage(e))?;
        let table = tx.open_table(RECORDS).map_err(|e| self.storage(e))?;
        let mut records = Vec::new();
        for entry in table.range(after + 1..).map_err(|e| self.storage(e))? {
            let (number, bytes) = entry.map_err(|e| self.storage(e))?;
            let number = number.value();
            let record = serde_json::from_slice(bytes.value())
                .map_err(|e| JournalError::Unreadable(number, e))?;
            records.push((number, record));
        }
        Ok(records)
    }

    /// Notes that every record up to `number` is in MySQL now: they are kept, but not
    /// written again.
    pub fn mark_written(&self, number: u64) -> Result<(), JournalError> {
        self.write(|tx| {
            let mut marks = tx.open_table(MARKS)?;
            let now = marks.get(WRITTEN)?.map_or(0, |v| v.value());
            marks.insert(WRITTEN, number.max(now))?;
            Ok(())
        })
    }

    /// Keeps `state` (or, with `None`, forgets it) as what a restart in degraded mode
    /// starts from, durably.
    pub fn keep_degraded<T: Serialize>(&self, state: Option<&T>) -> Result<(), JournalError> {
        let encoded = state
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| JournalError::Unreadable(0, e))?;
        self.write(|tx| {
            let mut table = tx.open_table(STATE)?;
            match &encoded {
                Some(bytes) => table.insert(DEGRADED, bytes.as_slice())?,
                None => table.remove(DEGRADED)?,
            };
            Ok(())
        })
    }

    /// What [`Journal::keep_degraded`] kept last, if anything.
    pub fn degraded<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, JournalError> {
        let tx = self.db.begin_read().map_err(|e| self.storage(e))?;
        let table = tx.open_table(STATE).map_err(|e| self.storage(e))?;
        let Some(bytes) = table.get(DEGRADED).map_err(|e| self.storage(e))? else {
            return Ok(None);
        };
        serde_json::from_slice(bytes.value())
            .map(Some)
            .map_err(|e| JournalError::Unreadable(0, e))
    }

    /// How much is waiting for MySQL, for the settings page.
    pub fn status(&self) -> Result<JournalStatus, JournalError> {
        let written = self.written_mark()?;
        let tx = self.db.begin_read().map_err(|e| self.storage(e))?;
        let table = tx.open_table(RECORDS).map_err(|e| self.storage(e))?;
        let last = table
            .last()
            .map_err(|e| self.storage(e))?
            .map_or(0, |(n, _)| n.value());
        let oldest = match table
            .range(written + 1..)
            .map_err(|e| self.storage(e))?
            .next()
        {
            Some(entry) => {
                let (number, bytes) = entry.map_err(|e| self.storage(e))?;
                let record: Record = serde_json::from_slice(bytes.value())
                    .map_err(|e| JournalError::Unreadable(number.value(), e))?;
                Some(record.at)
            }
            None => None,
        };
        Ok(JournalStatus {
            unwritten: last.saturating_sub(written),
            bytes: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            oldest_unwritten: oldest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::examples;

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "switchyard-journal-{}-{name}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        dir.join("journal.redb")
    }

    fn record(seq: u64) -> Record {
        let summary = examples::summary(7, seq);
        Record {
            at: Utc::now(),
            execution: Some(Fenced {
                execution: summary.id,
                token: 3,
            }),
            events: vec![ExecutionEvent {
                execution_id: summary.id,
                seq,
                at: Utc::now(),
                change: crate::domain::event::Change::Execution(summary),
            }],
            audit: vec![],
        }
    }

    #[test]
    fn records_come_back_in_order_after_reopening_and_marked_ones_are_not_unwritten() {
        let path = temp_path("order");
        {
            let journal = Journal::open(&path).unwrap();
            assert_eq!(journal.append(&[record(1), record(2)]).unwrap(), 2);
            assert_eq!(journal.append(&[record(3)]).unwrap(), 3);
            journal.mark_written(2).unwrap();
        }
        let journal = Journal::open(&path).unwrap();
        let unwritten = journal.unwritten().unwrap();
        assert_eq!(unwritten.len(), 1);
        assert_eq!(unwritten[0].0, 3);
        assert_eq!(unwritten[0].1.events[0].seq, 3);
        let status = journal.status().unwrap();
        assert_eq!(status.unwritten, 1);
        assert!(status.oldest_unwritten.is_some());
        assert!(status.bytes > 0);
        assert_eq!(journal.records_after(0).unwrap().len(), 3);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    /// The file as a crash in the middle of the second commit leaves it: `header` bytes
    /// (the commit slots) from one version, the rest from the other.
    fn torn(before: &[u8], after: &[u8], header_from_after: bool) -> Vec<u8> {
        const HEADER: usize = 4096;
        let mut torn = after.to_vec();
        if header_from_after {
            // The header of the new commit reached the disk, its pages did not.
            for (i, byte) in torn.iter_mut().enumerate().skip(HEADER) {
                *byte = before.get(i).copied().unwrap_or(0);
            }
        } else {
            torn[..HEADER].copy_from_slice(&before[..HEADER]);
        }
        torn
    }

    #[test]
    fn a_torn_last_commit_is_dropped_and_the_rest_read_whole() {
        for header_from_after in [false, true] {
            let path = temp_path("torn");
            {
                let journal = Journal::open(&path).unwrap();
                journal.append(&[record(1)]).unwrap();
            }
            let before = std::fs::read(&path).unwrap();
            {
                let journal = Journal::open(&path).unwrap();
                journal.append(&[record(2)]).unwrap();
            }
            let after = std::fs::read(&path).unwrap();
            std::fs::write(&path, torn(&before, &after, header_from_after)).unwrap();
            match Journal::open(&path) {
                Ok(journal) => {
                    let records = journal.records_after(0).unwrap();
                    let seqs: Vec<u64> = records.iter().map(|(_, r)| r.events[0].seq).collect();
                    assert_eq!(seqs, [1], "the torn record is dropped, the first kept");
                }
                // A file that cannot be read back whole is refused, never misread.
                Err(error) => assert!(matches!(error, JournalError::Storage { .. })),
            }
            std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        }
    }
}
