//! taizhang: the ledgers (台账) of an industrial park's Party Working Committee, and the annual
//! duty report (述职报告) computed from them.

pub mod app;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod excel;
pub mod ledger;
pub mod meetings;
pub mod notify;
pub mod org;
pub mod policies;
#[cfg(test)]
mod properties;
pub mod report;
pub mod requests;
pub mod rules;
pub mod tasks;
pub mod telemetry;
pub mod visits;
pub mod web;
pub mod workdays;
