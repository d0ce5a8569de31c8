//! The run mode (运行模式) of this instance: kept in memory (a `watch` channel), never in
//! the database that may be down. In normal mode the store uses MySQL; in degraded mode
//! it does not touch MySQL at all: executions go on from memory and what they do goes to
//! the local [`journal`], which [`reconcile`] writes into MySQL on the way back to
//! normal. While degraded, the mode and the execution book are also kept in the journal
//! file, so that a restart comes back degraded and goes on ([`Mode::open`]). The store
//! is the only code that asks which mode it is in.

pub mod book;
pub mod journal;
pub mod mirror;

use crate::domain::ids::ExecutionId;
use crate::domain::run_mode::{JournalStatus, Reconciled, RunMode, Switched};
use book::{Book, Held};
use chrono::{DateTime, Utc};
use journal::{Journal, JournalError, Record};
use mirror::Configuration;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The mode now, why, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeNow {
    pub mode: RunMode,
    pub since: DateTime<Utc>,
    pub switched: Switched,
}

impl ModeNow {
    pub fn is_degraded(&self) -> bool {
        self.mode == RunMode::Degraded
    }

    /// Why something that needs MySQL is refused now: names the mode, since when and
    /// why, and what to do.
    pub fn refusal(&self) -> String {
        format!(
            "Not possible in degraded mode (降级模式): this instance has not used the database \
             since {} UTC ({}). Reading plans, the environment and the step catalog goes on from \
             memory; an admin switches back to normal mode on the Settings page once the \
             database is back",
            self.since.format("%Y-%m-%d %H:%M:%S"),
            self.switched.describe(),
        )
    }
}

/// What a restart in degraded mode starts from, kept in the journal file: the mode, and
/// the book as it was when MySQL writes stopped (the journal's unwritten records bring
/// it up to date).
#[derive(Debug, Serialize, Deserialize)]
struct Degraded {
    now: ModeNow,
    book: Vec<(ExecutionId, Held)>,
}

/// The instance's run mode and its journal: one per instance, shared by every clone.
#[derive(Debug, Clone)]
pub struct Mode {
    now: watch::Sender<ModeNow>,
    journal: Journal,
    last_reconcile: Arc<Mutex<Option<Reconciled>>>,
    mirror: Arc<Mutex<Option<Arc<Configuration>>>>,
    snapshot: PathBuf,
    /// Woken after this instance committed a configuration change: the mirror refreshes.
    /// Counts the configuration changes this instance committed; each watcher wakes on
    /// the next.
    configuration_changed: Arc<watch::Sender<u64>>,
    /// Held by every journal write and by the switch back to normal: nothing is written
    /// to the journal after reconcile's last pass.
    gate: Arc<tokio::sync::Mutex<()>>,
    book: Book,
}

impl Mode {
    /// The mode the instance was in when it stopped — normal, or degraded with the
    /// executions it drove, as its journal says — with the journal kept at `journal_path`
    /// and the configuration snapshot beside it (and read from there, when one was
    /// written before).
    pub fn open(journal_path: &Path) -> Result<Self, JournalError> {
        let journal = Journal::open(journal_path)?;
        let (now, book) = match journal.degraded::<Degraded>()? {
            Some(saved) => {
                let book = Book::restored(saved.book);
                for (_, record) in journal.unwritten()? {
                    book.apply(&record.events);
                }
                (saved.now, book)
            }
            None => {
                let now = ModeNow {
                    mode: RunMode::Normal,
                    since: Utc::now(),
                    switched: Switched::AtStart,
                };
                (now, Book::default())
            }
        };
        let snapshot = journal_path.with_file_name("configuration.json");
        let mirror = match mirror::read_snapshot(&snapshot) {
            Ok(found) => found.map(Arc::new),
            Err(error) => {
                tracing::warn!(%error, path = %snapshot.display(), "the configuration snapshot is unreadable; it is written again at the next refresh");
                None
            }
        };
        Ok(Self {
            now: watch::Sender::new(now),
            journal,
            last_reconcile: Arc::default(),
            mirror: Arc::new(Mutex::new(mirror)),
            snapshot,
            configuration_changed: Arc::new(watch::Sender::new(0)),
            gate: Arc::default(),
            book,
        })
    }

    pub fn now(&self) -> ModeNow {
        self.now.borrow().clone()
    }

    pub fn is_degraded(&self) -> bool {
        self.now.borrow().is_degraded()
    }

    /// Every change of mode from now on.
    pub fn watch(&self) -> watch::Receiver<ModeNow> {
        self.now.subscribe()
    }

    /// Moves to `mode` for the reason given; `false` when it was in that mode already
    /// (nothing changes then, except that an admin who confirms degraded mode by hand
    /// takes responsibility for it).
    pub fn switch(&self, mode: RunMode, switched: Switched) -> bool {
        // MySQL writes stop before the mode says degraded, and start after it says normal.
        if mode == RunMode::Degraded {
            self.book.close_sql();
        }
        let changed = self.now.send_if_modified(|now| {
            let confirms = now.mode == mode
                && matches!(switched, Switched::ByAdmin { .. })
                && !matches!(now.switched, Switched::ByAdmin { .. });
            if now.mode == mode && !confirms {
                return false;
            }
            *now = ModeNow {
                mode,
                since: if confirms { now.since } else { Utc::now() },
                switched,
            };
            true
        });
        if mode == RunMode::Normal {
            self.book.open_sql();
        }
        changed
    }

    /// Keeps, in the journal file, what a restart needs to go on in degraded mode: the
    /// mode now and the book (waits for the disk: call it off the async threads).
    pub fn save_for_restart(&self) -> Result<(), JournalError> {
        let saved = Degraded {
            now: self.now(),
            book: self.book.all(),
        };
        self.journal.keep_degraded(Some(&saved))
    }

    /// Forgets what [`Mode::save_for_restart`] kept: the journal is written back, a
    /// restart starts in normal mode.
    pub fn forget_for_restart(&self) -> Result<(), JournalError> {
        self.journal.keep_degraded::<Degraded>(None)
    }

    /// The gate journal writes and the switch back to normal pass one at a time.
    pub async fn gate(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.gate.lock().await
    }

    /// Writes `records` to the journal, durably.
    pub fn journal(&self, records: &[Record]) -> Result<u64, JournalError> {
        self.journal.append(records)
    }

    /// The executions this instance holds the lease of, as it knows them.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Whether an admin put this instance in degraded mode by hand, taking responsibility
    /// for driving its executions whatever their leases say.
    pub fn by_admin(&self) -> bool {
        matches!(self.now.borrow().switched, Switched::ByAdmin { .. })
    }

    pub fn journal_file(&self) -> &Journal {
        &self.journal
    }

    pub fn journal_status(&self) -> JournalStatus {
        self.journal.status().unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read the journal's status");
            JournalStatus::default()
        })
    }

    pub fn last_reconcile(&self) -> Option<Reconciled> {
        self.last_reconcile
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_last_reconcile(&self, done: Reconciled) {
        *self
            .last_reconcile
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(done);
    }

    /// The configuration as MySQL last held it, if it was ever read (or found in the
    /// snapshot at start).
    pub fn mirror(&self) -> Option<Arc<Configuration>> {
        self.mirror
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn mirrored_at(&self) -> Option<DateTime<Utc>> {
        self.mirror().map(|c| c.taken_at)
    }

    /// Keeps `configuration` as the mirror and writes it to the snapshot file (waits for
    /// the disk: call it off the async threads).
    pub fn keep_mirror(&self, configuration: Configuration) -> std::io::Result<()> {
        let configuration = Arc::new(configuration);
        *self.mirror.lock().unwrap_or_else(|e| e.into_inner()) = Some(configuration.clone());
        mirror::write_snapshot(&self.snapshot, &configuration)
    }

    /// Says that this instance committed a configuration change.
    pub fn configuration_changed(&self) {
        self.configuration_changed
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A watch on the configuration changes this instance commits: its `changed()`
    /// resolves after the next one (several at once count as one).
    pub fn configuration_changes(&self) -> watch::Receiver<u64> {
        self.configuration_changed.subscribe()
    }
}
