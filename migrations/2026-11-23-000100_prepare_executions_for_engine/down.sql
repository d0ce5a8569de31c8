DROP TABLE execution_calls;

-- A step waiting for confirmation had been started: the old vocabulary calls it running.
UPDATE execution_steps SET status = 'running' WHERE status = 'waiting';
ALTER TABLE execution_steps DROP FOREIGN KEY execution_steps_decided_by_fk;
ALTER TABLE execution_steps
    DROP CONSTRAINT execution_steps_status_known,
    DROP INDEX step_key,
    DROP COLUMN step_key,
    DROP COLUMN resolved,
    DROP COLUMN decided_by,
    DROP COLUMN reason;
ALTER TABLE execution_steps ADD CONSTRAINT execution_steps_status_known CHECK (status IN ('pending', 'running', 'succeeded',
        'failed', 'skipped', 'interrupted', 'cancelled'));

DROP TABLE execution_leases;

-- The old vocabulary has one `paused` and no `blocked`: both wait for an operator.
ALTER TABLE executions DROP CONSTRAINT executions_state_known;
UPDATE executions SET state = 'paused'
    WHERE state IN ('switchover_paused', 'switchover_blocked', 'recovery_paused', 'recovery_blocked');
ALTER TABLE executions ADD CONSTRAINT executions_state_known CHECK (state IN ('created', 'switchover_running', 'paused',
        'switchover_done', 'recovery_running', 'completed', 'cancelled'));
