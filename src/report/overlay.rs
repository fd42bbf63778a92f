//! A park's own metric file laid over the default metrics.
//!
//! The park file has the format of `metrics.toml` (one `[[metric]]` table each) with one more
//! key, `enabled`. A table whose id is a default metric's replaces that metric; a new id adds a
//! metric after the defaults; `enabled = false` with a default id turns that metric off. So a
//! metric added to the defaults later reaches every park, whatever the park saved. Every table
//! of the park file is checked against the park's own ledger catalogue (which may hold kinds and
//! fields the default lacks); a refusal names the line and the metric. Pure: no IO.

use std::collections::HashSet;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::error::{MetricProblem as P, ReportError};
use super::metrics::{Metric, MetricCatalogue};
use crate::ledger::catalogue::Catalogue;

/// The key of a park file's table that turns a default metric off (`enabled = false`).
pub const ENABLED_KEY: &str = "enabled";

/// The park file as checked: what it changes, for the catalogue page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlay {
    /// Metrics the park file defines: replacing a default (same id) or new.
    pub defined: Vec<Metric>,
    /// Ids of default metrics the park turned off.
    pub disabled: Vec<String>,
}

impl Overlay {
    /// Parses a park file, checking each of its metrics against the park's ledger catalogue
    /// `ledgers` and its ids against the `defaults`.
    pub fn parse(
        text: &str,
        defaults: &MetricCatalogue,
        ledgers: &Catalogue,
    ) -> Result<Overlay, ReportError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            metric: Vec<Spanned<toml::Table>>,
        }
        let file: File = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let mut overlay = Overlay::default();
        let mut ids = HashSet::new();
        for spanned in file.metric {
            let span = spanned.span();
            let mut table = spanned.into_inner();
            let fail = |keys: Vec<String>, message: String| ReportError::MetricsFile {
                line: line_in(text, &span, &keys),
                message,
            };
            let id = match table.get("id") {
                Some(toml::Value::String(id)) => id.clone(),
                Some(_) => {
                    return Err(fail(keys(&["id"]), "指标标识（id）应为文字".into()));
                }
                None => return Err(fail(Vec::new(), "指标缺少标识（id）".into())),
            };
            let enabled = match table.remove(ENABLED_KEY) {
                None => true,
                Some(toml::Value::Boolean(b)) => b,
                Some(_) => {
                    return Err(fail(
                        keys(&[ENABLED_KEY]),
                        format!("指标“{id}”的 enabled 只能是 true 或 false"),
                    ))
                }
            };
            if !ids.insert(id.clone()) {
                let problem = ReportError::metric(&id, P::DuplicateId);
                return Err(fail(keys(&["id"]), problem.to_string()));
            }
            if !enabled {
                if defaults.get(&id).is_none() {
                    return Err(fail(
                        keys(&["id"]),
                        format!(
                            "系统默认指标中没有“{id}”，enabled = false 只用于停用默认指标{}",
                            hint(&id, defaults)
                        ),
                    ));
                }
                if let Some(extra) = table.keys().find(|k| *k != "id") {
                    return Err(fail(
                        keys(&[extra]),
                        format!("停用指标“{id}”只需写 id 和 enabled = false，不必写 {extra}"),
                    ));
                }
                overlay.disabled.push(id);
                continue;
            }
            match Metric::from_table(table, ledgers) {
                Ok(metric) => overlay.defined.push(metric),
                Err(problem) => {
                    let keys = problem_keys(&problem);
                    return Err(fail(keys, ReportError::metric(&id, problem).to_string()));
                }
            }
        }
        Ok(overlay)
    }

    /// The park's catalogue: the defaults in their order, each replaced by the park's
    /// definition of the same id or left out when turned off, then the park's new metrics.
    pub fn apply(&self, defaults: &MetricCatalogue) -> MetricCatalogue {
        let mut metrics: Vec<Metric> = defaults
            .metrics
            .iter()
            .filter(|m| !self.disabled.contains(&m.id))
            .map(|m| {
                self.defined
                    .iter()
                    .find(|d| d.id == m.id)
                    .unwrap_or(m)
                    .clone()
            })
            .collect();
        metrics.extend(
            self.defined
                .iter()
                .filter(|d| defaults.get(&d.id).is_none())
                .cloned(),
        );
        MetricCatalogue { metrics }
    }

    /// What the park file does to a default metric, or to a metric it adds.
    pub fn origin(&self, id: &str, defaults: &MetricCatalogue) -> Origin {
        let defined = self.defined.iter().any(|m| m.id == id);
        match (defined, defaults.get(id).is_some()) {
            (true, true) => Origin::Replaced,
            (true, false) => Origin::Added,
            _ => Origin::Default,
        }
    }
}

/// Where a metric of a park's catalogue comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    Replaced,
    Added,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Default => "系统默认",
            Origin::Replaced => "本园区修改",
            Origin::Added => "本园区新增",
        }
    }
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_string()).collect()
}

fn hint(id: &str, defaults: &MetricCatalogue) -> String {
    match crate::org::nearest(id, defaults.metrics.iter().map(|m| m.id.as_str())) {
        Some(near) => format!("（是否想写“{near}”？）"),
        None => String::new(),
    }
}

/// The keys or values a problem is about, to find its line inside the metric's table.
fn problem_keys(problem: &P) -> Vec<String> {
    let one = |k: &str| vec![k.to_string()];
    match problem {
        P::Format(message) => message
            .split('`')
            .nth(1)
            .map(|k| vec![k.to_string()])
            .unwrap_or_default(),
        P::DuplicateId | P::InvalidId => one("id"),
        P::MissingLabelOrUnit => vec!["label".into(), "unit".into()],
        P::TooManyDecimals(_) | P::DecimalsOnWhole => one("decimals"),
        P::UnknownPeriod(_) | P::RosterPeriod | P::MembersJoinedPeriod => one("period"),
        P::UnknownKind(_)
        | P::TasksMetric
        | P::RequestsMetric
        | P::PoliciesMetric
        | P::OrgMetric => one("kind"),
        P::UnknownUnitType { value, .. } => one(value),
        P::UnknownAggregate(_)
        | P::MissingParameter { .. }
        | P::RosterAggregateOnLedger(_)
        | P::LedgerAggregateOnRoster => one("aggregate"),
        P::UnusedParameter { parameter, .. } => one(parameter),
        P::BadRelation => vec!["part_of".into(), "rate_of".into()],
        P::RosterFilters => vec!["filters".into(), "date_field".into()],
        P::UnknownField { field, .. }
        | P::NotADateField(field)
        | P::NotNumeric(field)
        | P::NotAChoice { field, .. }
        | P::ValueDoesNotFit { field, .. }
        | P::BadCondition { field, .. } => one(field),
    }
}

/// The line of the metric table at `span` that names one of `keys` (as a key, `key =`, or as a
/// quoted value, `"key"`); the table's first line when none does.
fn line_in(text: &str, span: &Range<usize>, keys: &[String]) -> usize {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len());
    let first = line_of(text, start);
    let Some(body) = text.get(start..end) else {
        return first;
    };
    for key in keys {
        for (i, line) in body.lines().enumerate() {
            let code = line.split('#').next().unwrap_or_default();
            let as_key = code.split(['{', ',']).any(|part| {
                part.trim_start()
                    .strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            if as_key || code.contains(&format!("\"{key}\"")) {
                return first + i;
            }
        }
    }
    first
}

/// A TOML error as a refusal at its line.
fn syntax_error(text: &str, e: &toml::de::Error) -> ReportError {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    let message = e.message().trim();
    let message = if message.starts_with("unknown field") {
        format!(
            "不认识的键“{}”：文件只能由 [[metric]] 表组成",
            message.split('`').nth(1).unwrap_or(message)
        )
    } else {
        format!("TOML 格式错误：{message}")
    };
    ReportError::MetricsFile { line, message }
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;
