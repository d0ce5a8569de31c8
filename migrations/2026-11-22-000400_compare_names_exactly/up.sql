-- Application names and step keys are compared exactly, as the console's own checks do
-- (which also refuse names differing only in case). Under the table's collation,
-- `pay`/`päy` or `a`/`ａ` collided in the unique keys after passing those checks, and the
-- save failed with a conflict on the wrong field.
ALTER TABLE applications MODIFY name VARCHAR(100) NOT NULL COLLATE utf8mb4_bin;
ALTER TABLE plan_steps MODIFY step_key VARCHAR(36) NOT NULL COLLATE utf8mb4_bin;
