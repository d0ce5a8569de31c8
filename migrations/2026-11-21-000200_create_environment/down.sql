DROP TABLE database_cluster_members;
DROP TABLE database_clusters;
DROP TABLE application_dependencies;
DROP TABLE applications;
DROP TABLE product_groups;
DROP TABLE connection_configs;
DROP TABLE data_centers;
DROP TABLE regions;
