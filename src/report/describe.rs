//! A metric's definition in words, for the page that lists the records behind a figure:
//! "会议台账中 会议类型为“党工委会议”、是否党建议题为“是” 的记录，计数；统计期间：2024年内".

use super::metrics::{
    Aggregate, FilterOp, Metric, Period, Scalar, TaskMeasure, ENTERPRISES_KIND, PEOPLE_KIND,
    UNITS_KIND,
};
use crate::calendar::Year;
use crate::ledger::catalogue::KindDef;

/// “党委”或“党支部”: the unit types a metric counts.
fn quoted(unit_types: &[String]) -> String {
    unit_types
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join("或")
}

/// The definition of `metric` for the report of `year`, naming fields by their Chinese labels.
pub fn definition(metric: &Metric, kinds: &[KindDef], year: Year) -> String {
    let kind = kinds.iter().find(|k| k.id == metric.kind);
    let label = |key: &str| {
        kind.and_then(|k| k.field(key))
            .map_or_else(|| key.to_string(), |f| f.label.clone())
    };
    let source = if metric.kind == PEOPLE_KIND {
        "人员名册".to_string()
    } else if metric.kind == UNITS_KIND {
        "组织架构".to_string()
    } else if metric.kind == ENTERPRISES_KIND {
        "企业名录".to_string()
    } else if matches!(metric.aggregate, Aggregate::Tasks(_)) {
        "年度计划的任务".to_string()
    } else if matches!(metric.aggregate, Aggregate::Requests(_)) {
        "企业诉求".to_string()
    } else if matches!(metric.aggregate, Aggregate::Policies(_)) {
        "惠企政策推送".to_string()
    } else {
        kind.map_or_else(|| metric.kind.clone(), |k| k.sheet.clone())
    };
    let conditions: Vec<String> = metric
        .filters
        .iter()
        .map(|f| format!("{}{}", label(&f.field), condition(&f.op)))
        .collect();
    let mut text = source;
    if !conditions.is_empty() {
        text.push_str(&format!("中{}的记录", conditions.join("、")));
    }
    let aggregate = match &metric.aggregate {
        Aggregate::Count => "计数".to_string(),
        Aggregate::Sum { field } => format!("合计“{}”", label(field)),
        Aggregate::Ratio {
            numerator,
            denominator,
        } => format!(
            "“{}”之和占“{}”之和的百分比",
            label(numerator),
            label(denominator)
        ),
        Aggregate::PeopleTagged { tag } => format!("标签含“{tag}”的人数"),
        Aggregate::ServiceStaff { staff_type, team } => {
            format!("年底在{team}等服务团队任{staff_type}职务的人数")
        }
        Aggregate::Tasks(TaskMeasure::Decomposed) => "由上级任务分解到部门和支部的子任务数".into(),
        Aggregate::Tasks(TaskMeasure::Due) => "完成时限在当年内的任务数".into(),
        Aggregate::Tasks(TaskMeasure::OnTime) => {
            "完成时限在当年内、且在完成时限前完成的任务数".into()
        }
        Aggregate::Tasks(TaskMeasure::OnTimeRate) => {
            "按期完成的任务占完成时限在当年内的任务的百分比".into()
        }
        Aggregate::Members => "入党日期在年底以前（或未填写）的党员人数".into(),
        Aggregate::MembersJoined => "入党日期在当年内的党员人数（发展党员）".into(),
        Aggregate::Units {
            unit_types,
            in_enterprise,
            name_contains,
        } => format!(
            "{}类型为{}{}的单位个数",
            if *in_enterprise {
                "设在企业、"
            } else {
                ""
            },
            quoted(unit_types),
            name_contains
                .as_deref()
                .map(|w| format!("、名称含“{w}”"))
                .unwrap_or_default()
        ),
        Aggregate::EnterprisesWith { unit_types } => {
            format!("设有{}的企业个数（组织覆盖）", quoted(unit_types))
        }
        Aggregate::Requests(measure) => measure.describe().to_string(),
        Aggregate::Policies(measure) => measure.describe().to_string(),
    };
    let date = metric
        .date_field
        .as_deref()
        .map(|f| format!("按“{}”", label(f)))
        .unwrap_or_default();
    let period = match metric.period {
        Period::Year => format!("{date}统计 {year} 年内"),
        Period::ToDate => format!("{date}统计截至 {year} 年 12 月 31 日累计"),
    };
    format!("{text}，{aggregate}；{period}；不含已删除的记录。")
}

fn condition(op: &FilterOp) -> String {
    let list = |values: &[Scalar]| {
        values
            .iter()
            .map(|v| format!("“{}”", scalar(v)))
            .collect::<Vec<_>>()
            .join("或")
    };
    match op {
        FilterOp::Eq(v) => format!("为“{}”", scalar(v)),
        FilterOp::In(values) => format!("为{}", list(values)),
        FilterOp::Not(v) => format!("不为“{}”", scalar(v)),
        FilterOp::Gt(x) => format!("大于 {x}"),
        FilterOp::Gte(x) => format!("不少于 {x}"),
        FilterOp::Lt(x) => format!("小于 {x}"),
        FilterOp::Lte(x) => format!("不超过 {x}"),
    }
}

fn scalar(v: &Scalar) -> String {
    match v {
        Scalar::Text(t) => t.clone(),
        Scalar::Number(x) => x.to_string(),
        Scalar::Bool(true) => "是".to_string(),
        Scalar::Bool(false) => "否".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::catalogue::Catalogue;
    use crate::report::MetricCatalogue;

    #[test]
    fn definitions_name_the_ledger_fields_and_period() {
        let metrics = MetricCatalogue::default_metrics();
        let kinds = Catalogue::default_catalogue().kinds;
        let text = definition(
            metrics.get("mass_petitions").unwrap(),
            &kinds,
            Year::new(2024).unwrap(),
        );
        assert!(text.starts_with("信访"), "{text}");
        assert!(text.contains("为“集体来访”"), "{text}");
        assert!(text.contains("不少于 5"), "{text}");
        assert!(text.contains("计数；统计 2024 年内"), "{text}");
        let total = definition(
            metrics.get("speeches_studied").unwrap(),
            &kinds,
            Year::new(2024).unwrap(),
        );
        assert!(total.contains("合计“"), "{total}");
        assert!(!total.contains("reading_count"), "{total}");
    }
}
