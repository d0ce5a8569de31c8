//! One module a page; each page component's name ends in `Page`.

pub mod account;
pub mod audit_log;
pub mod cluster;
pub mod connection_configs;
pub mod counted;
pub mod database_clusters;
pub mod environment;
pub mod execution;
pub mod execution_list;
pub mod execution_report;
pub mod execution_view;
pub mod home;
pub mod not_found;
pub mod plan_detail;
pub mod plan_editor;
pub mod plan_list;
pub mod plan_readiness;
pub mod product_groups;
pub mod run_mode;
pub mod sign_in;
pub mod simulator;
pub mod step_catalog;
pub mod users;
pub mod webhooks;
