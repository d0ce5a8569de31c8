-- A plan version's recovery-time target (RTO) in minutes; NULL when it sets none.
ALTER TABLE plan_versions ADD COLUMN rto_minutes INT UNSIGNED NULL AFTER description;
