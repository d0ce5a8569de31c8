-- What a run is measured against and by: the recovery-time target of the plan version
-- it runs (copied, like its steps), when its switchover finished and when its recovery
-- started.
ALTER TABLE executions
    ADD COLUMN rto_minutes INT UNSIGNED NULL AFTER plan_version_number,
    ADD COLUMN switchover_done_at DATETIME(6) NULL AFTER started_by,
    ADD COLUMN recovery_started_at DATETIME(6) NULL AFTER switchover_done_at;
