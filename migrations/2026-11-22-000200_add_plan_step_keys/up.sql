-- A step keeps its key from version to version (and into clones and exports), so the
-- review diff can tell a moved or changed step from one removed and another added.
ALTER TABLE plan_steps
    ADD COLUMN step_key VARCHAR(36) NOT NULL AFTER position,
    ADD UNIQUE KEY step_key (plan_version_id, step_key);
