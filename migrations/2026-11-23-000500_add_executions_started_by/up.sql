-- Who pressed Start: the Executions list shows it (the one who created the execution
-- may be someone else).
ALTER TABLE executions
    ADD COLUMN started_by BIGINT UNSIGNED NULL AFTER started_at,
    ADD CONSTRAINT executions_started_by_fk FOREIGN KEY (started_by) REFERENCES users (id);
