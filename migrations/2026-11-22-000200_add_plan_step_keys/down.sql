ALTER TABLE plan_steps
    DROP INDEX step_key,
    DROP COLUMN step_key;
