-- DR plans. A plan is a name with a sequence of versions; the active version is the one
-- that runs, an approved version never changes, and at most one draft is being edited.

CREATE TABLE plans (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name              VARCHAR(100)    NOT NULL,
    description       TEXT            NOT NULL DEFAULT '',
    status            VARCHAR(16)     NOT NULL DEFAULT 'draft',
    active_version_id BIGINT UNSIGNED NULL,
    created_by        BIGINT UNSIGNED NULL,
    updated_by        BIGINT UNSIGNED NULL,
    version           INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at        DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY name (name),
    KEY plans_status (status, updated_at),
    CONSTRAINT plans_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT plans_updated_by_fk FOREIGN KEY (updated_by) REFERENCES users (id),
    CONSTRAINT plans_status_known CHECK (status IN ('draft', 'in_review', 'active', 'inactive'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE plan_versions (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    plan_id      BIGINT UNSIGNED NOT NULL,
    number       INT UNSIGNED    NOT NULL,
    state        VARCHAR(16)     NOT NULL DEFAULT 'draft',
    name         VARCHAR(100)    NOT NULL,
    description  TEXT            NOT NULL DEFAULT '',
    created_by   BIGINT UNSIGNED NULL,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_by   BIGINT UNSIGNED NULL,
    updated_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    submitted_by BIGINT UNSIGNED NULL,
    submitted_at DATETIME(6)     NULL,
    UNIQUE KEY number (plan_id, number),
    CONSTRAINT plan_versions_plan_fk FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE CASCADE,
    CONSTRAINT plan_versions_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT plan_versions_updated_by_fk FOREIGN KEY (updated_by) REFERENCES users (id),
    CONSTRAINT plan_versions_submitted_by_fk FOREIGN KEY (submitted_by) REFERENCES users (id),
    CONSTRAINT plan_versions_state_known CHECK (state IN ('draft', 'in_review', 'approved'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE plans
    ADD CONSTRAINT plans_active_version_fk FOREIGN KEY (active_version_id) REFERENCES plan_versions (id) ON DELETE SET NULL;

-- Everyone who changed a version: the four-eyes rule refuses their approval of it.
CREATE TABLE plan_version_editors (
    plan_version_id BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (plan_version_id, user_id),
    KEY plan_version_editors_user (user_id),
    CONSTRAINT plan_version_editors_version_fk FOREIGN KEY (plan_version_id) REFERENCES plan_versions (id) ON DELETE CASCADE,
    CONSTRAINT plan_version_editors_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE plan_reviews (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    plan_version_id BIGINT UNSIGNED NOT NULL,
    reviewer_id     BIGINT UNSIGNED NOT NULL,
    decision        VARCHAR(16)     NOT NULL,
    comment         TEXT            NOT NULL DEFAULT '',
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY plan_reviews_version (plan_version_id, created_at),
    CONSTRAINT plan_reviews_version_fk FOREIGN KEY (plan_version_id) REFERENCES plan_versions (id) ON DELETE CASCADE,
    CONSTRAINT plan_reviews_reviewer_fk FOREIGN KEY (reviewer_id) REFERENCES users (id),
    CONSTRAINT plan_reviews_decision_known CHECK (decision IN ('approved', 'rejected', 'deactivated'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE plan_steps (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    plan_version_id BIGINT UNSIGNED NOT NULL,
    phase           VARCHAR(16)     NOT NULL,
    position        INT UNSIGNED    NOT NULL,
    opcode          VARCHAR(64)     NOT NULL,
    title           VARCHAR(200)    NOT NULL DEFAULT '',
    params          JSON            NOT NULL,
    UNIQUE KEY position (plan_version_id, phase, position),
    KEY plan_steps_opcode (opcode),
    CONSTRAINT plan_steps_version_fk FOREIGN KEY (plan_version_id) REFERENCES plan_versions (id) ON DELETE CASCADE,
    CONSTRAINT plan_steps_opcode_fk FOREIGN KEY (opcode) REFERENCES step_types (opcode),
    CONSTRAINT plan_steps_phase_known CHECK (phase IN ('switchover', 'recovery'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
