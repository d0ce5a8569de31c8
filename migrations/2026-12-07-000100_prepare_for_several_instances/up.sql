-- Several instances share the database (one MariaDB, or a Galera cluster).
--
-- Each follows the event table through the executions changed lately (`updated_at`,
-- stamped with every event), and looks for running executions nobody runs (running
-- steps by status): both from an index, so instances that look often do not scan.
CREATE INDEX executions_updated ON executions (updated_at);
CREATE INDEX execution_steps_status ON execution_steps (status, execution_id);

-- Every fenced engine write counts itself here. On Galera a row lock taken on one node
-- does not hold on another; a write to the lease row does, at commit (certification).
-- So an engine write and a takeover on two nodes cannot both commit.
ALTER TABLE execution_leases
    ADD COLUMN writes BIGINT UNSIGNED NOT NULL DEFAULT 0;

-- One row per instance, written every few seconds (its heartbeat, by the database's
-- clock): the Cluster page lists them.
CREATE TABLE instances (
    name           VARCHAR(64)  NOT NULL PRIMARY KEY,
    data_center    VARCHAR(100) NULL,
    version        VARCHAR(40)  NOT NULL,
    run_mode       VARCHAR(20)  NOT NULL,
    database_node  VARCHAR(255) NOT NULL,
    started_at     DATETIME(6)  NOT NULL,
    heartbeat_at   DATETIME(6)  NOT NULL,
    KEY instances_heartbeat (heartbeat_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
