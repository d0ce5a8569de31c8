ALTER TABLE executions DROP KEY executions_run_key, DROP COLUMN run_key;
