ALTER TABLE executions
    DROP COLUMN recovery_started_at,
    DROP COLUMN switchover_done_at,
    DROP COLUMN rto_minutes;
