//! Gathering what a report is rendered from: the metrics (with last year's values), the key
//! projects, the year's documents and next year's plans. The only part of the report that reads the database.

use serde_json::Value as Json;

use super::compute::compute_with_previous;
use super::metrics::MetricCatalogue;
use super::queries::{self, FieldsRow};
use super::view::{Document, NextPlan, Project, ReportData};
use crate::calendar::Year;
use crate::db::{Db, DbError};
use crate::error::AppError;

/// The document categories a report names, in the order it names them.
pub const DOCUMENT_CATEGORIES: [&str; 2] = ["工作要点", "工作清单"];

/// Everything the report of `year` needs from the ledgers; the caller adds the rule findings
/// (they depend on an as-of date) and the user's cause analysis.
pub async fn gather(
    db: &Db,
    park_id: i64,
    park_name: &str,
    year: Year,
    catalogue: &MetricCatalogue,
) -> Result<ReportData, AppError> {
    let (first, last) = year.bounds();
    let metrics = compute_with_previous(db, park_id, year, catalogue).await?;

    let mut projects = Vec::new();
    for row in queries::latest_projects(db, park_id, last).await? {
        let (id, updated_on, fields) = parse(row)?;
        let Some(name) = text(&fields, "name") else {
            continue;
        };
        projects.push(Project {
            id,
            name,
            investment: fields
                .get("investment")
                .and_then(Json::as_f64)
                .unwrap_or(0.0),
            stage: text(&fields, "stage").unwrap_or_default(),
            updated_on,
            in_year: updated_on >= first,
        });
    }
    // Larger projects first, as reports list them.
    projects.sort_by(|a, b| {
        b.investment
            .total_cmp(&a.investment)
            .then_with(|| a.name.cmp(&b.name))
    });

    let mut documents = Vec::new();
    for row in queries::documents(db, park_id, (first, last), &DOCUMENT_CATEGORIES).await? {
        let (id, issued_on, fields) = parse(row)?;
        let title = text(&fields, "title").unwrap_or_default();
        let title = title
            .trim()
            .trim_start_matches('《')
            .trim_end_matches('》')
            .to_string();
        documents.push(Document {
            id,
            title,
            category: text(&fields, "category").unwrap_or_default(),
            issued_on,
        });
    }
    documents.sort_by_key(|d| {
        (
            DOCUMENT_CATEGORIES.iter().position(|c| *c == d.category),
            d.issued_on,
            d.id,
        )
    });

    let mut next_plans: Vec<NextPlan> = Vec::new();
    for (kind, title, task) in queries::next_plans(db, park_id, year.get() + 1).await? {
        let category = match kind.as_str() {
            "work_points" => "工作要点",
            _ => "工作清单",
        };
        if next_plans.last().is_none_or(|p| p.title != title) {
            next_plans.push(NextPlan {
                category: category.to_string(),
                title: title
                    .trim()
                    .trim_start_matches('《')
                    .trim_end_matches('》')
                    .to_string(),
                tasks: Vec::new(),
            });
        }
        if let (Some(plan), Some(task)) = (next_plans.last_mut(), task) {
            let task = task.trim().trim_end_matches(['。', '；', ';']).to_string();
            if !task.is_empty() {
                plan.tasks.push(task);
            }
        }
    }

    Ok(ReportData {
        park: park_name.to_string(),
        year: year.get(),
        metrics,
        projects,
        documents,
        findings: Vec::new(),
        problems: Vec::new(),
        causes: String::new(),
        measures: String::new(),
        next_plans,
        signed_on: None,
        implausible: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A row's fields as JSON; stored fields are always a JSON object, so anything else is a
/// database error, never a silently empty record.
fn parse((id, date, fields): FieldsRow) -> Result<(i64, chrono::NaiveDate, Json), AppError> {
    let json: Json = serde_json::from_str(&fields)
        .map_err(|e| AppError::Db(DbError::Other(sqlx::Error::Decode(Box::new(e)))))?;
    Ok((id, date, json))
}

fn text(fields: &Json, key: &str) -> Option<String> {
    fields
        .get(key)
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
