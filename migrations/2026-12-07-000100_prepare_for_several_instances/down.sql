DROP TABLE instances;
ALTER TABLE execution_leases DROP COLUMN writes;
DROP INDEX execution_steps_status ON execution_steps;
DROP INDEX executions_updated ON executions;
