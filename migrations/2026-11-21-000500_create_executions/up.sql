-- Executions own a copy of the plan's steps as they were when the execution was created,
-- and keep the plan's name: deleting or editing the plan later changes nothing here.

CREATE TABLE executions (
    id                       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    plan_id                  BIGINT UNSIGNED NULL,
    plan_version_id          BIGINT UNSIGNED NULL,
    plan_name                VARCHAR(100)    NOT NULL,
    plan_version_number      INT UNSIGNED    NOT NULL,
    failed_data_center_id    BIGINT UNSIGNED NOT NULL,
    emergency_data_center_id BIGINT UNSIGNED NOT NULL,
    description              TEXT            NOT NULL DEFAULT '',
    state                    VARCHAR(32)     NOT NULL DEFAULT 'created',
    created_by               BIGINT UNSIGNED NULL,
    created_at               DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    started_at               DATETIME(6)     NULL,
    finished_at              DATETIME(6)     NULL,
    last_seq                 BIGINT UNSIGNED NOT NULL DEFAULT 0,
    version                  INT UNSIGNED    NOT NULL DEFAULT 1,
    KEY executions_state (state, created_at),
    KEY executions_created (created_at),
    KEY executions_plan (plan_id),
    CONSTRAINT executions_plan_fk FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE SET NULL,
    CONSTRAINT executions_plan_version_fk FOREIGN KEY (plan_version_id) REFERENCES plan_versions (id) ON DELETE SET NULL,
    CONSTRAINT executions_failed_dc_fk FOREIGN KEY (failed_data_center_id) REFERENCES data_centers (id),
    CONSTRAINT executions_emergency_dc_fk FOREIGN KEY (emergency_data_center_id) REFERENCES data_centers (id),
    CONSTRAINT executions_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT executions_distinct_sites CHECK (failed_data_center_id <> emergency_data_center_id),
    CONSTRAINT executions_state_known CHECK (state IN ('created', 'switchover_running', 'paused',
        'switchover_done', 'recovery_running', 'completed', 'cancelled'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE execution_steps (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    execution_id BIGINT UNSIGNED NOT NULL,
    phase        VARCHAR(16)     NOT NULL,
    position     INT UNSIGNED    NOT NULL,
    opcode       VARCHAR(64)     NOT NULL,
    title        VARCHAR(200)    NOT NULL DEFAULT '',
    params       JSON            NOT NULL,
    status       VARCHAR(16)     NOT NULL DEFAULT 'pending',
    attempts     INT UNSIGNED    NOT NULL DEFAULT 0,
    started_at   DATETIME(6)     NULL,
    finished_at  DATETIME(6)     NULL,
    last_error   TEXT            NULL,
    UNIQUE KEY position (execution_id, phase, position),
    CONSTRAINT execution_steps_execution_fk FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE,
    CONSTRAINT execution_steps_phase_known CHECK (phase IN ('switchover', 'recovery')),
    CONSTRAINT execution_steps_status_known CHECK (status IN ('pending', 'running', 'succeeded',
        'failed', 'skipped', 'interrupted', 'cancelled'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE execution_step_logs (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    execution_step_id BIGINT UNSIGNED NOT NULL,
    attempt           INT UNSIGNED    NOT NULL,
    at                DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    level             VARCHAR(8)      NOT NULL,
    message           TEXT            NOT NULL,
    KEY execution_step_logs_step (execution_step_id, id),
    CONSTRAINT execution_step_logs_step_fk FOREIGN KEY (execution_step_id) REFERENCES execution_steps (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every change of an execution, numbered per execution; the live channel replays from here.
CREATE TABLE execution_events (
    execution_id BIGINT UNSIGNED NOT NULL,
    seq          BIGINT UNSIGNED NOT NULL,
    at           DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    kind         VARCHAR(32)     NOT NULL,
    payload      JSON            NOT NULL,
    PRIMARY KEY (execution_id, seq),
    CONSTRAINT execution_events_execution_fk FOREIGN KEY (execution_id) REFERENCES executions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
