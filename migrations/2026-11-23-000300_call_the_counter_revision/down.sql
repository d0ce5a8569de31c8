ALTER TABLE executions RENAME COLUMN revision TO version;
ALTER TABLE plans RENAME COLUMN revision TO version;
ALTER TABLE database_clusters RENAME COLUMN revision TO version;
ALTER TABLE product_groups RENAME COLUMN revision TO version;
ALTER TABLE connection_configs RENAME COLUMN revision TO version;
ALTER TABLE data_centers RENAME COLUMN revision TO version;
ALTER TABLE users RENAME COLUMN revision TO version;
