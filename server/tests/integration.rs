//! Integration tests: the real router on a real MySQL/MariaDB, a fresh database per test.
//! Set TEST_DATABASE_URL (mysql://user:password@host:port) to choose the server;
//! `make test` finds or starts one.

mod support;

mod audit;
mod bad_arguments;
mod catalog_api;
mod client_address;
mod comments;
mod conformance;
mod connection_configs;
mod crash_recovery;
mod cut_off_queries;
mod data_centers;
mod database_clusters;
mod demo_data;
mod drills;
mod engine_faults;
mod execution_schema;
mod executions;
mod galera;
mod health;
mod instances;
mod least_privilege;
mod live;
mod live_limits;
mod migrations;
mod pages;
mod plan_references;
mod plans;
mod product_groups;
mod readiness;
mod reports;
mod roles;
mod run_mode;
mod schema;
mod sessions;
mod sign_in_abuse;
mod simulator;
mod simulator_faults;
mod simulator_page;
mod sockets;
mod step_records;
mod store_errors;
mod webhooks;
