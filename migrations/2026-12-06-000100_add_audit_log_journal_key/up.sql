-- An audit entry made while an instance was in degraded mode comes from its local journal
-- with a key of its own; reconcile writes it once, however often it runs.
ALTER TABLE audit_log
    ADD COLUMN journal_key CHAR(32) NULL COLLATE ascii_bin,
    ADD UNIQUE KEY audit_log_journal_key (journal_key);
