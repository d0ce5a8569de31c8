-- Every execution gets a random id at creation, and every idempotency key the engine sends
-- carries it. Keys built from auto-increment ids alone repeat after the database is
-- restored from a backup or created anew against the same platforms, and a platform
-- would then answer a new run's call with an old run's operation without acting.
ALTER TABLE executions ADD COLUMN run_key CHAR(36) NULL COLLATE utf8mb4_bin AFTER id;
UPDATE executions SET run_key = UUID() WHERE run_key IS NULL;
ALTER TABLE executions
    MODIFY run_key CHAR(36) NOT NULL COLLATE utf8mb4_bin,
    ADD UNIQUE KEY executions_run_key (run_key);
