//! Rule checks: the 三会一课 cadence and the other rules, as data, evaluated against the ledgers.
//!
//! A rule (see `rules.toml`, parsed by [`Rules::from_toml`]) names the units it applies to, what
//! each must show (a number of meetings of a type, or a ratio of two summed meeting fields) and
//! the period it is counted over. [`check`] runs one query per rule in the database, grouped by
//! unit and period; every (unit, period) that falls short, in a period that has ended by the
//! as-of date, is a [`Finding`] with its evidence and the records considered. A meeting counts
//! for the unit named in its 组织单位 only, never for that unit's parent. Nothing here reads the
//! clock: "today" comes from the caller, through [`default_as_of`].

mod definition;
mod error;
mod evaluate;
pub mod grid;
pub mod pages;
pub mod participation;
mod period;
mod queries;
pub mod service;
mod stored;
mod summary;
use crate::web::svg;

pub use definition::{AppliesTo, NumberField, Requirement, Rule, Rules};
pub use error::{FileProblem, RulesError};
pub use period::Period;
pub use stored::Rectification;
pub use summary::{render_text, summarize};

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::catalogue::{FieldDef, FieldType};
use crate::ledger::value::{self, Raw};

/// One (unit, period) that falls short of a rule. Serialises to the JSON of `check --format
/// json`: rule, unit, period, article, evidence and record_ids.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// The unit's name.
    pub unit: String,
    /// `2025-03`, `2025-Q3` or `2025`.
    pub period: String,
    /// The rule's basis; empty for a park's own practice.
    pub article: String,
    /// What was found, in a sentence.
    pub evidence: String,
    /// The meetings considered: those of the period and those cited around it. For a task rule
    /// (`task_overdue`), the ids of the overdue tasks (`/tasks/{id}`), not of ledger records.
    pub record_ids: Vec<i64>,
    /// The rule's title, for sentences ([`summarize`]).
    #[serde(skip)]
    pub title: String,
    /// The type of unit the rule applies to, for "3个支部".
    #[serde(skip)]
    pub unit_type: String,
    /// The measured rate of a ratio rule.
    #[serde(skip)]
    pub measured: Option<f64>,
    /// The enterprise a 包联 visit rule's finding is about (`visit_coverage`): its `unit` is
    /// the enterprise's name, and the checks page links to its visits of the period.
    #[serde(skip)]
    pub enterprise_id: Option<i64>,
}

/// The findings of the park's rules (its own copy, or the default) for one year, counting only
/// periods that have ended by `as_of`; sorted by rule id, then unit (in roster order), then period.
pub async fn check(
    db: &Db,
    park_id: i64,
    year: Year,
    as_of: NaiveDate,
) -> Result<Vec<Finding>, AppError> {
    let rules = service::park_rules(db, park_id).await?;
    check_with(db, park_id, &rules, year, as_of).await
}

/// [`check`] with a rule catalogue of the caller's (a park's own copy).
pub async fn check_with(
    db: &Db,
    park_id: i64,
    rules: &Rules,
    year: Year,
    as_of: NaiveDate,
) -> Result<Vec<Finding>, AppError> {
    Ok(check_with_and(db, park_id, rules, year, as_of, &[])
        .await?
        .0)
}

/// [`check_with`], and the grids of `extra` specs over the same window (the year up to
/// `as_of`), read in the same statement as the meeting rules' (`evaluate::rules`).
pub(crate) async fn check_with_and(
    db: &Db,
    park_id: i64,
    rules: &Rules,
    year: Year,
    as_of: NaiveDate,
    extra: &[queries::Spec<'_>],
) -> Result<(Vec<Finding>, Vec<queries::Tally>), AppError> {
    let first = year.first_day();
    let scope = grid::window(park_id, year, as_of);
    // Before the year starts nothing of it has ended, so nothing can be violated.
    if as_of < first {
        return Ok((Vec::new(), queries::grids(db, scope, extra).await?));
    }
    let all: Vec<&Rule> = rules.rules.iter().collect();
    let (mut findings, extra) = evaluate::rules(db, scope, &all, extra).await?;
    // Each rule's findings come in roster order of units (by id, as the 组织架构 lists them,
    // which reads better than code-point order of Chinese names) and then by period; a stable
    // sort by rule id keeps that order within each rule.
    findings.sort_by(|a, b| a.rule.cmp(&b.rule));
    Ok((findings, extra))
}

/// The as-of date when none is given: the year's end, or `today` if sooner.
pub fn default_as_of(year: Year, today: NaiveDate) -> NaiveDate {
    year.last_day().min(today)
}

/// Reads an as-of date in any spelling a ledger date accepts (`2025-05-15`, `2025/5/15`,
/// `2025年5月15日`, full-width digits …), through the one value parser.
pub fn parse_as_of(text: &str) -> Result<NaiveDate, RulesError> {
    let field = FieldDef {
        key: "as_of".to_string(),
        label: "截止日期".to_string(),
        field_type: FieldType::Date,
        required: true,
        choices: Vec::new(),
        default: None,
        scale: None,
        aliases: Vec::new(),
        set_by: Vec::new(),
    };
    let date = value::parse(&field, Raw::Text(text)).map_err(|reason| RulesError::InvalidAsOf {
        input: text.to_string(),
        reason,
    })?;
    // A required date field gives a date or an error; `EmptyAsOf` only guards that invariant.
    date.and_then(|v| v.as_date()).ok_or(RulesError::EmptyAsOf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn as_of_defaults_to_the_year_end_or_today() {
        let y = |y| Year::new(y).unwrap();
        assert_eq!(default_as_of(y(2024), d(2025, 6, 15)), d(2024, 12, 31));
        assert_eq!(default_as_of(y(2025), d(2025, 6, 15)), d(2025, 6, 15));
    }

    #[test]
    fn as_of_reads_the_spellings_people_type() {
        for text in [
            "2025-05-15",
            "2025/5/15",
            "2025.5.15",
            "2025年5月15日",
            " ２０２５-０５-１５ ",
        ] {
            assert_eq!(parse_as_of(text).unwrap(), d(2025, 5, 15), "{text}");
        }
        let err = parse_as_of("明天").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("截止日期（--as-of）“明天”有误：无法识别的日期"),
            "{err}"
        );
        assert!(parse_as_of("").is_err());
    }
}
