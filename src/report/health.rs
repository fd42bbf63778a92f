//! 报告体检: what a reader of the report would question, found before anyone else reads it.
//!
//! A pure function of the report's data and the template (rendered once more with every mark
//! kept): relations of `metrics.toml` broken (a part above its whole, a rate that is not its
//! numerator over its denominator); a rate of 0% or above 100%; a count fallen to 0, or by more
//! than half, against last year; an incident (`adverse`) printed inside a highlight
//! (`{% filter highlight %}`); stored records that break the catalogue's plausibility rules and
//! are counted in the figures (found by the service, [`Implausible`]); the cause analysis or
//! the measures left to fill; a section whose figures are all 0. Each warning names its metric,
//! the value, why, and where to look.

use serde::Serialize;

use super::compute::{percent, MetricValue, Number};
use super::error::ReportError;
use super::render::{render_marked, ReportTemplate};
use super::view::{
    ReportData, FIGURE_END, FIGURE_MID, FIGURE_START, HIGHLIGHT_END, HIGHLIGHT_START,
};

/// Below this, last year's figure is too small for a change to mean much.
pub const MANY: f64 = 5.0;

/// How many implausible records are named one by one; the rest are summed up in one warning.
const NAMED_RECORDS: usize = 10;

/// One thing a reader would question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// What kind of question: `relation`, `rate`, `fell_to_zero`, `dropped`, `contradiction`,
    /// `implausible`, `to_fill`, `no_data`.
    pub code: &'static str,
    /// The metric the warning is about, when it is about one.
    pub metric: Option<String>,
    /// The metric's value.
    pub value: Option<Number>,
    /// Why, in Chinese, with the figures.
    pub reason: String,
    /// Where to look: the records behind the figure, the record, or the page to fill in.
    pub link: String,
}

/// A stored record that breaks a plausibility rule of its kind and is counted in figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Implausible {
    pub id: i64,
    /// The kind's sheet name and the record's date and title, for the reader.
    pub what: String,
    /// The broken rules in words, with the values.
    pub problems: Vec<String>,
    /// The metrics counting it, in catalogue order.
    pub metrics: Vec<String>,
}

/// Every warning of the report, in the order a reader meets them: the figures in catalogue
/// order, then the template's sentences, then the parts left to fill.
pub fn check(data: &ReportData, template: &ReportTemplate) -> Vec<Warning> {
    let mut out = Vec::new();
    for metric in &data.metrics.metrics {
        relations(data, metric, &mut out);
        against_last_year(data, metric, &mut out);
    }
    implausible(data, &mut out);
    // A template that does not render (a metric the park turned off, say) is refused by the
    // render itself, with its line; the JSON, which needs no template, still gets the rest.
    if let Ok(marked) = render_marked(data, template) {
        contradictions(data, &marked, &mut out);
        empty_sections(data, &marked, &mut out);
    }
    to_fill(data, &mut out);
    out
}

/// Fills `data.warnings`.
pub fn apply(data: &mut ReportData, template: &ReportTemplate) -> Result<(), ReportError> {
    data.warnings = check(data, template);
    Ok(())
}

fn records_link(data: &ReportData, id: &str) -> String {
    format!("/report/records?metric={id}&year={}", data.year)
}

fn shown(metric: &MetricValue, value: Number) -> String {
    match value {
        Number::Int(n) => n.to_string(),
        // Without trailing zeros, as the report prints it: 105%, not 105.0%.
        Number::Float(x) => super::numbers::num(super::numbers::round_to(x, metric.decimals)),
    }
}

fn figure(metric: &MetricValue) -> String {
    format!(
        "“{}”{}{}",
        metric.label,
        shown(metric, metric.value),
        metric.unit
    )
}

fn warn(data: &ReportData, metric: &MetricValue, code: &'static str, reason: String) -> Warning {
    Warning {
        code,
        metric: Some(metric.id.clone()),
        value: Some(metric.value),
        reason,
        link: records_link(data, &metric.id),
    }
}

/// The declared relations and the range of a rate.
fn relations(data: &ReportData, metric: &MetricValue, out: &mut Vec<Warning>) {
    let value = metric.value.as_f64();
    if let Some(whole) = metric
        .relations
        .part_of
        .as_deref()
        .and_then(|w| data.metrics.get(w))
    {
        if value > whole.value.as_f64() {
            out.push(warn(
                data,
                metric,
                "relation",
                format!(
                    "{}多于它所属的{}：部分不应大于整体，请核对两者的统计口径",
                    figure(metric),
                    figure(whole)
                ),
            ));
        }
    }
    if let Some((a, b)) = metric
        .relations
        .rate_of
        .as_ref()
        .and_then(|(a, b)| data.metrics.get(a).zip(data.metrics.get(b)))
    {
        let expected = percent(a.value.as_f64(), b.value.as_f64(), metric.decimals);
        if (expected - value).abs() > 1e-9 {
            out.push(warn(
                data,
                metric,
                "relation",
                format!(
                    "{}与{}÷{}（{}%）不符，请核对统计口径",
                    figure(metric),
                    figure(a),
                    figure(b),
                    super::numbers::num(expected)
                ),
            ));
        }
    }
    if metric.unit == "%" {
        // An adverse rate (回退率) at 0% is good news, not missing data.
        if value == 0.0 && !metric.relations.adverse {
            out.push(warn(
                data,
                metric,
                "rate",
                format!(
                    "{}为0%：多半是台账没有登记计算它所需的数据，写进报告前请核对",
                    metric.label
                ),
            ));
        } else if value > 100.0 {
            out.push(warn(
                data,
                metric,
                "rate",
                format!("{}超过100%，请核对相关记录", figure(metric)),
            ));
        }
    }
}

/// A count fallen to 0, or by more than half, against a last year that had many. Incidents
/// are left out: fewer is good news.
fn against_last_year(data: &ReportData, metric: &MetricValue, out: &mut Vec<Warning>) {
    let Some(prev) = metric.prev else {
        return;
    };
    let (value, before) = (metric.value.as_f64(), prev.as_f64());
    if metric.relations.adverse || before < MANY || value * 2.0 >= before {
        return;
    }
    let last = format!("上年为{}{}", shown(metric, prev), metric.unit);
    if value == 0.0 {
        out.push(warn(
            data,
            metric,
            "fell_to_zero",
            format!("“{}”本年为0，{last}：请确认是否漏登记录", metric.label),
        ));
    } else {
        out.push(warn(
            data,
            metric,
            "dropped",
            format!(
                "{}，{last}，下降超过一半：请确认是否漏登记录，或在报告中说明原因",
                figure(metric)
            ),
        ));
    }
}

fn implausible(data: &ReportData, out: &mut Vec<Warning>) {
    for record in data.implausible.iter().take(NAMED_RECORDS) {
        let labels: Vec<String> = record
            .metrics
            .iter()
            .filter_map(|id| data.metrics.get(id))
            .map(|m| format!("“{}”", m.label))
            .collect();
        let first = record.metrics.first().and_then(|id| data.metrics.get(id));
        out.push(Warning {
            code: "implausible",
            metric: first.map(|m| m.id.clone()),
            value: first.map(|m| m.value),
            reason: format!(
                "{}不符合台账的合理性规则（{}），却计入了{}",
                record.what,
                record.problems.join("；"),
                labels.join("、")
            ),
            link: format!("/records/{}", record.id),
        });
    }
    let rest = data.implausible.len().saturating_sub(NAMED_RECORDS);
    if rest > 0 {
        out.push(Warning {
            code: "implausible",
            metric: None,
            value: None,
            reason: format!("另有 {rest} 条计入报告数字的记录不符合台账的合理性规则"),
            link: format!("/data-quality?year={}", data.year),
        });
    }
}

/// Incidents that happened, printed inside a highlight of the template.
fn contradictions(data: &ReportData, marked: &str, out: &mut Vec<Warning>) {
    let mut depth = 0usize;
    let mut seen = Vec::new();
    for (i, c) in marked.char_indices() {
        match c {
            HIGHLIGHT_START => depth += 1,
            HIGHLIGHT_END => depth = depth.saturating_sub(1),
            FIGURE_START if depth > 0 => {
                let rest = &marked[i + c.len_utf8()..];
                let Some(id) = rest.find(FIGURE_MID).map(|end| &rest[..end]) else {
                    continue;
                };
                let Some(metric) = data.metrics.get(id) else {
                    continue;
                };
                if metric.relations.adverse
                    && metric.value.as_f64() != 0.0
                    && !seen.contains(&metric.id)
                {
                    seen.push(metric.id.clone());
                    out.push(warn(
                        data,
                        metric,
                        "contradiction",
                        format!(
                            "{}写在了“特色和亮点”部分：发生的事件应写入“存在的问题”",
                            figure(metric)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Sections (from one heading to the next) with figures, all of them 0.
fn empty_sections(data: &ReportData, marked: &str, out: &mut Vec<Warning>) {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in marked.lines() {
        let plain = super::render::strip_marks(line);
        let trimmed = plain.trim();
        if trimmed.starts_with('#') {
            sections.push((
                trimmed.trim_start_matches('#').trim().to_string(),
                Vec::new(),
            ));
            continue;
        }
        let Some((_, ids)) = sections.last_mut() else {
            continue;
        };
        let mut rest = line;
        while let Some(start) = rest.find(FIGURE_START) {
            let after = &rest[start + FIGURE_START.len_utf8()..];
            let Some(mid) = after.find(FIGURE_MID) else {
                break;
            };
            ids.push(after[..mid].to_string());
            rest = after.find(FIGURE_END).map_or("", |e| &after[e..]);
        }
    }
    for (heading, ids) in sections {
        let metrics: Vec<&MetricValue> = ids.iter().filter_map(|id| data.metrics.get(id)).collect();
        let all_zero = !metrics.is_empty()
            && metrics
                .iter()
                .all(|m| m.value.as_f64() == 0.0 && !m.relations.adverse);
        if all_zero {
            out.push(Warning {
                code: "no_data",
                metric: Some(metrics[0].id.clone()),
                value: Some(metrics[0].value),
                reason: format!("“{heading}”一节的数字全部为0：台账中没有这部分工作的记录"),
                link: records_link(data, &metrics[0].id),
            });
        }
    }
}

/// The cause analysis and the measures, which only the user can write.
fn to_fill(data: &ReportData, out: &mut Vec<Warning>) {
    for (text, part) in [(&data.causes, "原因分析"), (&data.measures, "整改措施")] {
        if text.trim().is_empty() {
            out.push(Warning {
                code: "to_fill",
                metric: None,
                value: None,
                reason: format!("“{part}”尚未填写，报告中是一个待填写的空白块"),
                link: format!("/report/causes?year={}", data.year),
            });
        }
    }
}

/// Warnings as the command line prints them on standard error, one a line.
pub fn lines(warnings: &[Warning]) -> String {
    let mut text = String::new();
    if warnings.is_empty() {
        return text;
    }
    text.push_str(&format!("报告体检：{} 处需要核对\n", warnings.len()));
    for (i, w) in warnings.iter().enumerate() {
        text.push_str(&format!("{}. {}（{}）\n", i + 1, w.reason, w.link));
    }
    text
}
