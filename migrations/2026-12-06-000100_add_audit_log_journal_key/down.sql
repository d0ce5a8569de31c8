ALTER TABLE audit_log DROP KEY audit_log_journal_key, DROP COLUMN journal_key;
