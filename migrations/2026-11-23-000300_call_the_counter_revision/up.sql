-- The optimistic-concurrency counter is called `revision` everywhere, so that "version"
-- keeps one meaning: a numbered version of a plan (plan_versions.number).
ALTER TABLE users RENAME COLUMN version TO revision;
ALTER TABLE data_centers RENAME COLUMN version TO revision;
ALTER TABLE connection_configs RENAME COLUMN version TO revision;
ALTER TABLE product_groups RENAME COLUMN version TO revision;
ALTER TABLE database_clusters RENAME COLUMN version TO revision;
ALTER TABLE plans RENAME COLUMN version TO revision;
ALTER TABLE executions RENAME COLUMN version TO revision;
