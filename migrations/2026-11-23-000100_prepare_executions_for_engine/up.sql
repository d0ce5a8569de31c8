-- What the execution engine needs to run, and to run again after a restart or on another
-- instance: states that remember their phase, who owns a running execution, the step keys
-- and resolved targets of each copied step, and a record of every platform call.

-- Paused and blocked remember their phase (`ExecutionState::as_str`). Nothing created
-- executions before this, but a `paused` row would have been paused in switchover.
ALTER TABLE executions DROP CONSTRAINT executions_state_known;
UPDATE executions SET state = 'switchover_paused' WHERE state = 'paused';
ALTER TABLE executions ADD CONSTRAINT executions_state_known CHECK (state IN ('created',
    'switchover_running', 'switchover_paused', 'switchover_blocked', 'switchover_done',
    'recovery_running', 'recovery_paused', 'recovery_blocked', 'completed', 'cancelled'));

-- Which instance runs an execution, until when, and the fencing token every engine write
-- is checked against (a takeover bumps it, so a stale owner's writes are refused).
-- A row of its own rather than columns on `executions`: the owner renews its lease every
-- few seconds, and those writes must neither wait for nor hold the execution row that
-- operators' commands lock, nor pass for a change of the execution (`version`, `last_seq`).
-- The row stays when released (owner NULL), so the token never starts again from 0.
CREATE TABLE execution_leases (
    execution_id  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    owner         VARCHAR(64)     NULL,
    fencing_token BIGINT UNSIGNED NOT NULL DEFAULT 0,
    expires_at    DATETIME(6)     NULL,
    KEY execution_leases_expiry (expires_at),
    CONSTRAINT execution_leases_execution_fk FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE,
    CONSTRAINT execution_leases_owned_until CHECK ((owner IS NULL) = (expires_at IS NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO execution_leases (execution_id) SELECT id FROM executions;

-- `step_key` is the key of the plan step a step was copied from, compared exactly as in
-- `plan_steps`. `resolved` holds the targets named in its parameters, resolved when the
-- execution was created (applications with their dependency levels, cluster members, the
-- connection config per data center); NULL for steps that reach no platform.
-- `decided_by` and `reason`: who confirmed, skipped or marked the step done, and why.
ALTER TABLE execution_steps
    ADD COLUMN step_key VARCHAR(36) NULL COLLATE utf8mb4_bin AFTER position,
    ADD COLUMN resolved JSON NULL AFTER params,
    ADD COLUMN decided_by BIGINT UNSIGNED NULL AFTER last_error,
    ADD COLUMN reason TEXT NULL AFTER decided_by,
    DROP CONSTRAINT execution_steps_status_known;

-- Steps copied before keys existed take the key of their plan step, or a new one.
UPDATE execution_steps s
    JOIN executions e ON e.id = s.execution_id
    JOIN plan_steps p ON p.plan_version_id = e.plan_version_id AND p.phase = s.phase AND p.position = s.position
    SET s.step_key = p.step_key;
UPDATE execution_steps SET step_key = UUID() WHERE step_key IS NULL;

ALTER TABLE execution_steps
    MODIFY step_key VARCHAR(36) NOT NULL COLLATE utf8mb4_bin,
    ADD UNIQUE KEY step_key (execution_id, step_key),
    ADD CONSTRAINT execution_steps_decided_by_fk FOREIGN KEY (decided_by) REFERENCES users (id),
    ADD CONSTRAINT execution_steps_status_known CHECK (status IN ('pending', 'running', 'waiting',
        'succeeded', 'failed', 'interrupted', 'skipped', 'cancelled'));

-- One row per call a step makes to a platform, written before the request leaves. The
-- idempotency key goes out as `Idempotency-Key`: after a restart, a call still `sent` or
-- `accepted` is asked about by that key instead of being made again. The config's name is
-- kept so the record still reads right after the config is deleted or renamed.
CREATE TABLE execution_calls (
    id                     BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT PRIMARY KEY,
    execution_step_id      BIGINT UNSIGNED   NOT NULL,
    attempt                INT UNSIGNED      NOT NULL,
    idempotency_key        VARCHAR(128)      NOT NULL COLLATE utf8mb4_bin,
    -- Both NULL for an `http.call` step, which calls a URL of its own.
    connection_config_id   BIGINT UNSIGNED   NULL,
    connection_config_name VARCHAR(100)      NULL,
    method                 VARCHAR(8)        NOT NULL,
    -- The path on the config's host, or the whole URL when there is no config.
    path                   TEXT              NOT NULL,
    operation_id           VARCHAR(128)      NULL,
    status                 VARCHAR(16)       NOT NULL DEFAULT 'sent',
    http_status            SMALLINT UNSIGNED NULL,
    sent_at                DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at             DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at            DATETIME(6)       NULL,
    UNIQUE KEY idempotency_key (idempotency_key),
    KEY execution_calls_step (execution_step_id, attempt),
    CONSTRAINT execution_calls_step_fk FOREIGN KEY (execution_step_id) REFERENCES execution_steps (id) ON DELETE CASCADE,
    CONSTRAINT execution_calls_connection_config_fk FOREIGN KEY (connection_config_id) REFERENCES connection_configs (id) ON DELETE SET NULL,
    CONSTRAINT execution_calls_method_known CHECK (method IN ('GET', 'POST', 'PUT', 'DELETE')),
    CONSTRAINT execution_calls_status_known CHECK (status IN ('sent', 'accepted', 'succeeded', 'failed', 'unknown')),
    CONSTRAINT execution_calls_http_status_range CHECK (http_status BETWEEN 100 AND 599)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
