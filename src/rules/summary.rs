//! Findings as people read them: one sentence per rule for the report's problems section
//! ([`summarize`]), and the grouped listing `taizhang check` prints ([`render_text`]).

use chrono::NaiveDate;

use super::evaluate::percent_below;
use super::period::Period;
use super::Finding;
use crate::calendar::Year;

/// The units a sentence names at most; the count gives the rest.
const LISTED: usize = 5;

/// One sentence per rule that found something, as a secretary would write it:
/// "3个支部存在支委会未按月召开的情况（甲支部：3月、5月；乙支部：7月）". Findings are taken in the
/// order given (as [`super::check`] sorts them: by rule, unit, period).
pub fn summarize(findings: &[Finding]) -> Vec<String> {
    groups(findings)
        .into_iter()
        .map(|group| {
            let units = by_unit(group);
            let one_year = same_year(group);
            let details: Vec<(String, String)> = units
                .iter()
                .map(|(unit, items)| {
                    let parts: Vec<String> =
                        items.iter().filter_map(|f| detail(f, one_year)).collect();
                    (unit.to_string(), parts.join("、"))
                })
                .collect();
            let title = &group[0].title;
            if let [(unit, detail)] = details.as_slice() {
                return if detail.is_empty() {
                    format!("{unit}存在{title}的情况")
                } else {
                    format!("{unit}存在{title}的情况（{detail}）")
                };
            }
            let listed: Vec<String> = details
                .iter()
                .take(LISTED)
                .map(|(unit, detail)| {
                    if detail.is_empty() {
                        unit.clone()
                    } else {
                        format!("{unit}：{detail}")
                    }
                })
                .collect();
            let separator = if details.iter().all(|(_, d)| d.is_empty()) {
                "、"
            } else {
                "；"
            };
            // A long list reads as a register, not a sentence: the first few, then 等.
            let (among, more) = if details.len() > LISTED {
                ("其中", "等")
            } else {
                ("", "")
            };
            format!(
                "{}个{}存在{title}的情况（{among}{}{more}）",
                details.len(),
                noun(&group[0].unit_type),
                listed.join(separator)
            )
        })
        .collect()
}

/// The listing of `taizhang check`: a heading per rule ("支委会未按月召开（…第十二条）：3个支部共
/// 7个月"), then one line per finding.
pub fn render_text(findings: &[Finding], year: Year, as_of: NaiveDate) -> String {
    let as_of = as_of.format("%Y-%m-%d");
    if findings.is_empty() {
        return format!("{year}年未发现问题（截至 {as_of}）\n");
    }
    let mut out = format!(
        "{year}年规则检查（截至 {as_of}）：共 {} 项问题\n",
        findings.len()
    );
    for group in groups(findings) {
        let first = &group[0];
        out.push('\n');
        out.push_str(&first.title);
        if !first.article.is_empty() {
            out.push_str(&format!("（{}）", first.article));
        }
        let units = by_unit(group).len();
        out.push_str(&format!("：{units}个{}", noun(&first.unit_type)));
        let periods = Period::parse_label(&first.period).map(|(_, p, _)| p);
        if let Some(p @ (Period::Month | Period::Quarter)) = periods {
            out.push_str(&format!("共{}{}", group.len(), p.measure_word()));
        }
        out.push('\n');
        for f in group {
            out.push_str(&format!("  {} {}：{}\n", f.unit, f.period, f.evidence));
        }
    }
    out
}

/// Runs of findings of the same rule.
fn groups(findings: &[Finding]) -> Vec<&[Finding]> {
    findings.chunk_by(|a, b| a.rule == b.rule).collect()
}

/// The findings of a rule, by unit in order of first appearance.
fn by_unit(group: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut units: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in group {
        match units.iter_mut().find(|(u, _)| *u == f.unit) {
            Some((_, items)) => items.push(f),
            None => units.push((&f.unit, vec![f])),
        }
    }
    units
}

fn same_year(group: &[Finding]) -> bool {
    let year = |f: &Finding| Period::parse_label(&f.period).map(|(y, _, _)| y);
    group.iter().all(|f| year(f) == year(&group[0]))
}

/// What a sentence says of one finding: its month or quarter, a measured rate, or nothing.
fn detail(f: &Finding, one_year: bool) -> Option<String> {
    let (year, period, index) = Period::parse_label(&f.period)?;
    let when = match (period, one_year) {
        (Period::Year, true) => String::new(),
        (Period::Year, false) => format!("{year}年"),
        (_, true) => period.chinese_in_year(index),
        (_, false) => period.chinese(year, index),
    };
    let rate = f.measured.map(|r| format!("{}%", percent_below(r)));
    match (when.is_empty(), rate) {
        (true, None) => None,
        (true, Some(rate)) => Some(rate),
        (false, None) => Some(when),
        (false, Some(rate)) => Some(format!("{when}{rate}")),
    }
}

/// How a sentence counts units of a type: 3个支部, 2个党小组.
fn noun(unit_type: &str) -> &str {
    match unit_type {
        "党支部" => "支部",
        // A task rule's findings are about responsible units of any type.
        "" => "单位",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, title: &str, unit: &str, period: &str) -> Finding {
        Finding {
            rule: rule.to_string(),
            unit: unit.to_string(),
            period: period.to_string(),
            article: String::new(),
            evidence: "证据".to_string(),
            record_ids: Vec::new(),
            title: title.to_string(),
            unit_type: "党支部".to_string(),
            measured: None,
            enterprise_id: None,
        }
    }

    #[test]
    fn one_sentence_per_rule_naming_units_and_periods() {
        let findings = [
            finding("a_monthly", "支委会未按月召开", "甲支部", "2025-03"),
            finding("a_monthly", "支委会未按月召开", "甲支部", "2025-05"),
            finding("a_monthly", "支委会未按月召开", "乙支部", "2025-07"),
            finding("b_yearly", "未召开年度组织生活会", "甲支部", "2025"),
            finding("b_yearly", "未召开年度组织生活会", "乙支部", "2025"),
            finding("c_quarterly", "党课未按季度开展", "丙支部", "2024-Q2"),
            finding("c_quarterly", "党课未按季度开展", "丙支部", "2025-Q2"),
        ];
        assert_eq!(
            summarize(&findings),
            [
                "2个支部存在支委会未按月召开的情况（甲支部：3月、5月；乙支部：7月）",
                "2个支部存在未召开年度组织生活会的情况（甲支部、乙支部）",
                "丙支部存在党课未按季度开展的情况（2024年第2季度、2025年第2季度）",
            ]
        );
        assert!(summarize(&[]).is_empty());
    }

    #[test]
    fn a_sentence_names_five_units_and_counts_the_rest() {
        let units = ["甲", "乙", "丙", "丁", "戊", "己", "庚"];
        let findings: Vec<Finding> = units
            .iter()
            .map(|u| {
                finding(
                    "b_yearly",
                    "未召开年度组织生活会",
                    &format!("{u}支部"),
                    "2025",
                )
            })
            .collect();
        assert_eq!(
            summarize(&findings),
            ["7个支部存在未召开年度组织生活会的情况（其中甲支部、乙支部、丙支部、丁支部、戊支部等）"]
        );
        assert_eq!(
            summarize(&findings[..5]),
            ["5个支部存在未召开年度组织生活会的情况（甲支部、乙支部、丙支部、丁支部、戊支部）"]
        );
    }

    #[test]
    fn the_listing_counts_units_and_periods() {
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(
            render_text(&[], Year::new(2025).unwrap(), as_of),
            "2025年未发现问题（截至 2025-12-31）\n"
        );
        let findings = [
            finding("a_monthly", "支委会未按月召开", "甲支部", "2025-03"),
            finding("a_monthly", "支委会未按月召开", "乙支部", "2025-07"),
        ];
        let text = render_text(&findings, Year::new(2025).unwrap(), as_of);
        assert!(
            text.contains("支委会未按月召开：2个支部共2个月\n  甲支部 2025-03：证据\n"),
            "{text}"
        );
    }
}
