//! The annual duty report (述职报告): metrics computed from the ledgers, templates, and their
//! renderings. `taizhang report --year Y [--template FILE] --format md|html|docx|json [--out FILE]`.
//!
//! The flow is one way: [`metrics`] defines the figures as data (`metrics.toml`);
//! [`compute`](mod@compute) runs one SQL query per metric on either backend, each giving a value
//! and the ids it counted; [`gather`] adds the key projects and the year's documents into a
//! [`ReportData`]; [`render`](mod@render)
//! turns that data and a template into Markdown, HTML, JSON or ([`docx`]) a 公文-style Word
//! document, with no IO at all.
//!
//! Templates are Markdown with Jinja syntax (minijinja), locked down (strict undefined, fuel and
//! recursion limits, no file access). They see `park`, `year`, `m` (metrics by id), `projects`,
//! `documents`, `findings`, `problems`, `causes`, `measures`, `next_plans` and `signed_on`, and
//! the filters of FILTERS.md. Every report is checked ([`health`]) before it is shown or
//! written: its `warnings` list what a reader would question.

pub mod api;
pub mod compile;
pub mod compile_pages;
pub mod compute;
pub mod data;
mod describe;
pub mod docx;
pub mod error;
mod filters;
pub mod health;
pub mod html;
pub mod json;
pub mod metrics;
mod metrics_pages;
pub mod numbers;
pub mod overlay;
pub mod pages;
pub mod park_metrics;
pub mod pdf;
mod queries;
pub mod render;
pub mod scaffold;
pub mod scaffold_pages;
mod scan;
pub mod service;
mod sql;
mod template_pages;
mod view;
pub mod worker;

pub use compute::{
    bare_aggregates, compute, compute_all, compute_with_previous, MetricValue, MetricValues, Number,
};
pub use data::gather;
pub use docx::{
    fontconfig_aliases, fontconfig_for_conversion, render_docx, render_docx_with, DocxFonts,
    FontChoice,
};
pub use error::ReportError;
pub use health::Warning;
pub use metrics::{Metric, MetricCatalogue};
pub use park_metrics::park_metrics;
pub use render::{render, render_bytes, render_markdown, Format, ReportTemplate, DEFAULT_TEMPLATE};
pub use service::{report_data, TemplateChoice};
#[cfg(test)]
pub(crate) use view::sample_data;
pub use view::{Document, Finding, NextPlan, Project, ReportData};
