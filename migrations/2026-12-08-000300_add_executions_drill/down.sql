ALTER TABLE executions DROP COLUMN drill;
