-- When an execution's row last changed: operators' commands go through the same audited
-- change as every other record (lock, revision, `updated_at`, work, audit entry).
ALTER TABLE executions
    ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) AFTER finished_at;
