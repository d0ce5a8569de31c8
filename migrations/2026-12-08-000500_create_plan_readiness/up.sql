-- Each active plan's latest readiness evaluation: would it still work today?
CREATE TABLE plan_readiness (
    plan_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    state      VARCHAR(16)     NOT NULL,
    problems   JSON            NOT NULL,
    pairs      JSON            NOT NULL,
    checked_at DATETIME(6)     NOT NULL,
    CONSTRAINT plan_readiness_plan FOREIGN KEY (plan_id)
        REFERENCES plans (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
