//! What a report template sees: the report's data as view structs, and each metric as a
//! template object that prints its figure (and, for HTML, remembers which metric it came from).

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use serde::Serialize;

use super::compute::{MetricValue, MetricValues, Number};
use super::numbers;

/// Everything one report is rendered from. Rendering is a pure function of this and a template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportData {
    /// The park's name.
    pub park: String,
    pub year: i32,
    pub metrics: MetricValues,
    /// Key projects: the latest row of each, dated up to the year's end.
    pub projects: Vec<Project>,
    /// The year's 工作要点 and 工作清单.
    pub documents: Vec<Document>,
    /// Rule-check findings (filled by the caller from `rules::check`).
    pub findings: Vec<Finding>,
    /// The findings grouped into sentences a secretary would write (`rules::summarize`).
    pub problems: Vec<String>,
    /// The user's cause analysis (原因分析) for the problems section; empty when not written.
    pub causes: String,
    /// The user's rectification measures (整改措施); empty when not written.
    pub measures: String,
    /// Next year's 工作要点 and 工作清单 with their top-level tasks, for 下一步工作打算.
    pub next_plans: Vec<NextPlan>,
    /// The day the report is signed (落款), the day it is made; `None` leaves the date out.
    pub signed_on: Option<NaiveDate>,
    /// Stored records counted in the figures that break a plausibility rule (the service
    /// finds them; the health check names them).
    pub implausible: Vec<super::health::Implausible>,
    /// The health check's findings (`health::apply`), empty until it ran.
    pub warnings: Vec<super::health::Warning>,
}

/// One of next year's plans, as 下一步工作打算 drafts from it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NextPlan {
    /// 工作要点 or 工作清单.
    pub category: String,
    pub title: String,
    /// The plan's top-level tasks, in order.
    pub tasks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Project {
    /// The record id of the row described.
    pub id: i64,
    pub name: String,
    /// Total investment in 亿元.
    pub investment: f64,
    pub stage: String,
    pub updated_on: NaiveDate,
    /// True when the row was updated within the report year.
    pub in_year: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub id: i64,
    /// The title without 《》, which templates add.
    pub title: String,
    /// 工作要点 or 工作清单.
    pub category: String,
    pub issued_on: NaiveDate,
}

/// One rule-check finding: the rule checks' own type, so the report's JSON carries the same
/// fields (with the record ids) as `check --format json`.
pub use crate::rules::Finding;

/// Marks around a figure in HTML mode: `START id MID text END`. Private-use characters, which no
/// ledger text holds; the HTML writer turns them into links and drops any stray one.
pub(crate) const FIGURE_START: char = '\u{E000}';
pub(crate) const FIGURE_MID: char = '\u{E001}';
pub(crate) const FIGURE_END: char = '\u{E002}';
/// Marks around a highlight (`{% filter highlight %}`), kept only for the health check.
pub(crate) const HIGHLIGHT_START: char = '\u{E003}';
pub(crate) const HIGHLIGHT_END: char = '\u{E004}';

/// A metric as a template sees it: `{{ m.honors }}` prints the figure; `.value`, `.prev`,
/// `.change` (value − prev), `.direction` (增加, 减少, 持平), `.label`, `.unit`, `.id`,
/// `.decimals` and `.records` (ids) are its attributes, and `.whole`, `.numerator`,
/// `.denominator` the metrics its relations name; it is true in a condition when its value is
/// not zero.
#[derive(Debug)]
pub(crate) struct MetricView {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub value: Number,
    pub prev: Option<Number>,
    pub decimals: u32,
    pub records: Vec<i64>,
    /// Whether figures carry the HTML marks.
    pub mark: bool,
    /// The metrics its relations name: `whole`, `numerator`, `denominator`.
    pub related: Vec<(&'static str, Value)>,
}

impl MetricView {
    pub fn new(metric: &MetricValue, mark: bool) -> MetricView {
        MetricView {
            id: metric.id.clone(),
            label: metric.label.clone(),
            unit: metric.unit.clone(),
            value: metric.value,
            prev: metric.prev,
            decimals: metric.decimals,
            records: metric.records.clone(),
            mark,
            related: Vec::new(),
        }
    }

    /// This year's value less last year's, when last year is known.
    pub fn change(&self) -> Option<Number> {
        let prev = self.prev?;
        Some(match (self.value, prev) {
            (Number::Int(a), Number::Int(b)) => Number::Int(a - b),
            (a, b) => Number::Float(numbers::round_to(a.as_f64() - b.as_f64(), self.decimals)),
        })
    }

    /// 增加, 减少 or 持平 against last year, when last year is known.
    pub fn direction(&self) -> Option<&'static str> {
        let change = self.change()?.as_f64();
        Some(if change > 0.0 {
            "增加"
        } else if change < 0.0 {
            "减少"
        } else {
            "持平"
        })
    }

    /// The figure with the metric's own decimals: "12", "3.5", "93.9".
    pub fn text(&self) -> String {
        match self.value {
            Number::Int(n) => n.to_string(),
            Number::Float(x) => numbers::fixed(x, self.decimals),
        }
    }

    /// `text` as printed: marked as this metric's figure in HTML mode.
    pub fn figure(&self, text: &str) -> String {
        if self.mark {
            format!("{FIGURE_START}{}{FIGURE_MID}{text}{FIGURE_END}", self.id)
        } else {
            text.to_string()
        }
    }
}

fn number_value(n: Number) -> Value {
    match n {
        Number::Int(n) => Value::from(n),
        Number::Float(x) => Value::from(x),
    }
}

impl Object for MetricView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "value" => number_value(self.value),
            "prev" => self.prev.map_or(Value::from(()), number_value),
            "label" => Value::from(self.label.clone()),
            "unit" => Value::from(self.unit.clone()),
            "id" => Value::from(self.id.clone()),
            "decimals" => Value::from(self.decimals),
            "records" => Value::from(self.records.clone()),
            "change" => self.change().map_or(Value::from(()), number_value),
            "direction" => Value::from(self.direction()),
            "whole" | "numerator" | "denominator" => self
                .related
                .iter()
                .find(|(name, _)| *name == key.as_str().unwrap_or_default())
                .map_or(Value::from(()), |(_, v)| v.clone()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "value",
            "prev",
            "change",
            "direction",
            "label",
            "unit",
            "id",
            "decimals",
            "records",
            "whole",
            "numerator",
            "denominator",
        ])
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.value.as_f64() != 0.0
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.figure(&self.text()))
    }
}

/// The `m` of a template: every metric by id, each with the metrics its relations name (one
/// level deep: `m.a.whole` is a metric, `m.a.whole.whole` is none).
pub(crate) fn metric_map(metrics: &MetricValues, mark: bool) -> Value {
    let plain = |id: &str| {
        metrics
            .get(id)
            .map(|m| Value::from_object(MetricView::new(m, mark)))
    };
    metrics
        .metrics
        .iter()
        .map(|m| {
            let mut view = MetricView::new(m, mark);
            let relations = &m.relations;
            let named = [
                ("whole", relations.part_of.as_deref()),
                (
                    "numerator",
                    relations.rate_of.as_ref().map(|r| r.0.as_str()),
                ),
                (
                    "denominator",
                    relations.rate_of.as_ref().map(|r| r.1.as_str()),
                ),
            ];
            for (name, id) in named {
                if let Some(value) = id.and_then(plain) {
                    view.related.push((name, value));
                }
            }
            (m.id.clone(), Value::from_object(view))
        })
        .collect()
}

/// Report data for tests that need no database: every default metric at `n` (in the metric's
/// number shape), last year at `prev`, no records.
#[cfg(test)]
pub(crate) fn sample_data(park: &str, n: i64, prev: Option<i64>) -> ReportData {
    use super::compute::MetricValue;
    let metrics = super::metrics::MetricCatalogue::default_metrics()
        .metrics
        .iter()
        .map(|m| MetricValue {
            id: m.id.clone(),
            label: m.label.clone(),
            unit: m.unit.clone(),
            decimals: m.decimals,
            value: if m.integral {
                Number::Int(n)
            } else {
                Number::Float(n as f64)
            },
            records: vec![],
            prev: prev.map(Number::Int),
            relations: Default::default(),
        })
        .collect();
    ReportData {
        park: park.into(),
        year: 2024,
        metrics: MetricValues {
            year: 2024,
            metrics,
        },
        ..Default::default()
    }
}
