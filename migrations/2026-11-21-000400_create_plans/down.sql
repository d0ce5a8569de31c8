DROP TABLE plan_steps;
DROP TABLE plan_reviews;
DROP TABLE plan_version_editors;
ALTER TABLE plans DROP FOREIGN KEY plans_active_version_fk;
DROP TABLE plan_versions;
DROP TABLE plans;
