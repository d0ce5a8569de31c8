ALTER TABLE plan_versions DROP COLUMN rto_minutes;
