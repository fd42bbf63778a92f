//! The one integration-test binary: every area's tests as modules over a shared `TestApp`.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot unwrap should fail loudly"
)]

mod helpers;

mod api_auth;
mod api_org;
mod api_records;
mod audit_chain;
mod backup;
mod catalogue_upgrade;
mod checks;
mod cli;
mod closed_kinds;
mod compile;
mod drilldown;
mod excel;
mod faults;
mod grid_drawing;
mod health;
mod home;
mod layers;
mod ledger_list;
mod meetings;
mod metrics;
mod notify;
mod openapi;
mod pages_admin;
mod pages_matrix;
mod passwords;
mod personal_data;
mod policies;
mod probing;
mod report;
mod report_pages;
mod request_metrics;
mod request_settings;
mod requests;
mod requests_queue;
mod roles_matrix;
mod route_rows;
mod rules;
mod scaffold;
mod second_factor;
mod tasks;
mod visits;
mod web;
mod workdays;
