-- Webhooks: where the console tells other systems what happened. The secret signs each
-- delivery; it is sealed like a connection password and never leaves the server.
CREATE TABLE webhooks (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name             VARCHAR(100)    NOT NULL,
    url              VARCHAR(2000)   NOT NULL,
    secret_sealed    VARBINARY(512)  NOT NULL,
    events           JSON            NOT NULL,
    enabled          BOOLEAN         NOT NULL,
    revision         INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at       DATETIME(6)     NOT NULL,
    updated_at       DATETIME(6)     NOT NULL,
    UNIQUE KEY name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The outbox: one row per message to one webhook, written in the same transaction as
-- what it tells (an execution's event, a readiness verdict), so none is lost or doubled;
-- every instance's sender claims due rows by moving `next_attempt_at` on.
CREATE TABLE webhook_deliveries (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    webhook_id      BIGINT UNSIGNED NOT NULL,
    event           VARCHAR(40)     NOT NULL,
    subject         VARCHAR(200)    NOT NULL,
    payload         MEDIUMTEXT      NOT NULL,
    status          VARCHAR(16)     NOT NULL,
    attempts        INT UNSIGNED    NOT NULL DEFAULT 0,
    last_status     SMALLINT UNSIGNED NULL,
    last_error      VARCHAR(500)    NULL,
    created_at      DATETIME(6)     NOT NULL,
    next_attempt_at DATETIME(6)     NOT NULL,
    finished_at     DATETIME(6)     NULL,
    CONSTRAINT webhook_deliveries_webhook FOREIGN KEY (webhook_id)
        REFERENCES webhooks (id) ON DELETE CASCADE,
    INDEX webhook_deliveries_due (status, next_attempt_at),
    INDEX webhook_deliveries_newest (webhook_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
