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
