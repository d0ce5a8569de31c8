ALTER TABLE executions
    DROP FOREIGN KEY executions_started_by_fk,
    DROP COLUMN started_by;
