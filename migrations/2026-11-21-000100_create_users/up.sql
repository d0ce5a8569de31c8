-- People who sign in. `session_generation` grows whenever a user's sessions must end
-- (disabled, role changed, password reset), which invalidates every token issued before.
CREATE TABLE users (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username           VARCHAR(64)     NOT NULL,
    display_name       VARCHAR(128)    NOT NULL DEFAULT '',
    role               VARCHAR(16)     NOT NULL,
    password_hash      VARCHAR(255)    NOT NULL,
    enabled            BOOL            NOT NULL DEFAULT TRUE,
    session_generation INT UNSIGNED    NOT NULL DEFAULT 0,
    failed_sign_ins    INT UNSIGNED    NOT NULL DEFAULT 0,
    last_failed_at     DATETIME(6)     NULL,
    version            INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY username (username),
    CONSTRAINT users_role_known CHECK (role IN ('admin', 'operator', 'reviewer', 'auditor'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
