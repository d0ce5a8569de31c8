-- Who did what, when, to what, with which outcome. Append-only: the triggers refuse
-- any change to a written entry, whoever asks.
CREATE TABLE audit_log (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at          DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    actor_id    BIGINT UNSIGNED NULL,
    actor_name  VARCHAR(64)     NOT NULL,
    actor_role  VARCHAR(16)     NULL,
    action      VARCHAR(64)     NOT NULL,
    target_kind VARCHAR(32)     NULL,
    target_id   VARCHAR(64)     NULL,
    outcome     VARCHAR(16)     NOT NULL,
    reason      TEXT            NULL,
    client_addr VARCHAR(64)     NULL,
    KEY audit_log_at (at),
    KEY audit_log_actor (actor_name, at),
    KEY audit_log_action (action, at),
    KEY audit_log_target (target_kind, target_id, at),
    CONSTRAINT audit_log_actor_fk FOREIGN KEY (actor_id) REFERENCES users (id),
    CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('ok', 'refused', 'failed'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
