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
mod cli;
mod excel;
mod openapi;
mod report;
mod roles_matrix;
mod rules;
mod tasks;
mod web;
