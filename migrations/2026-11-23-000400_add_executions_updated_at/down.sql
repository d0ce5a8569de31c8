ALTER TABLE executions DROP COLUMN updated_at;
