-- Comments operators and auditors add to an execution while it runs and after.
CREATE TABLE execution_comments (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    execution_id BIGINT UNSIGNED NOT NULL,
    author_id    BIGINT UNSIGNED NULL,
    at           DATETIME(6)     NOT NULL,
    body         TEXT            NOT NULL,
    KEY execution_comments_execution (execution_id, id),
    CONSTRAINT execution_comments_execution FOREIGN KEY (execution_id)
        REFERENCES executions (id) ON DELETE CASCADE,
    CONSTRAINT execution_comments_author FOREIGN KEY (author_id)
        REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
