//! Rendering tests that need no database: template errors with name, line and reason, the
//! default template's coverage of the metrics, the problems section and year-over-year text.

use super::*;
use crate::report::compute::Number;
use crate::report::metrics::MetricCatalogue;
use crate::report::view::{Finding, Project};

/// Every default metric, each with value `n` (as the metric's number shape) and no records.
fn data_with(n: i64) -> ReportData {
    crate::report::sample_data("示例园区", n, Some(n / 2))
}

fn template_error(source: &str) -> ReportError {
    render_markdown(&data_with(1), &ReportTemplate::new("mine.md", source)).unwrap_err()
}

#[test]
fn the_default_template_names_every_default_metric() {
    let mut named = std::collections::HashSet::new();
    let mut at = 0;
    while let Some(open) = find_tag_open(&DEFAULT_TEMPLATE[at..]).map(|i| at + i) {
        let end = DEFAULT_TEMPLATE[open..]
            .find(['}'])
            .map_or(DEFAULT_TEMPLATE.len(), |i| open + i);
        named.extend(
            metric_references(&DEFAULT_TEMPLATE[open..end])
                .into_iter()
                .map(|r| r.1),
        );
        at = end;
    }
    for metric in MetricCatalogue::default_metrics().metrics {
        assert!(
            named.contains(&metric.id),
            "{} is not in the template",
            metric.id
        );
    }
}

#[test]
fn the_default_template_renders_every_part_with_no_placeholder() {
    let text = render_markdown(&data_with(53), &ReportTemplate::builtin()).unwrap();
    for part in [
        "# 示例园区党工委2024年度述职报告",
        "## 一、履职工作特色和亮点",
        "### （一）",
        "### （二）",
        "### （三）",
        "### （四）",
        "### （五）",
        "## 二、存在的问题及原因分析",
        "学习活动50余次",
        "党员参与率为53%",
        "新建红色骑行道53.0公里",
        "一是全年发生重大舆情53起",
        "二是全年发生群体性上访53起",
        "三是受理的企业诉求中退回53件、回退率53%，因企业不满意重办53件、重办率53%",
        "受理企业诉求53件，按时响应53件、响应率53%",
        "### （二）原因分析\n\n【待填写】原因分析",
        "### （三）整改措施\n\n【待填写】整改措施",
        "## 三、下一步工作打算",
        ">> 示例园区党工委",
    ] {
        assert!(text.contains(part), "missing {part}:\n{text}");
    }
    assert!(
        !text.contains("未发生重大舆情"),
        "an incident is never a highlight:\n{text}"
    );
    assert!(!text.contains("\n\n\n"), "no runs of blank lines:\n{text}");
}

#[test]
fn findings_and_causes_fill_the_problems_section() {
    let mut data = data_with(1);
    data.findings = vec![Finding {
        rule: "branch_committee_monthly".into(),
        unit: "甲科技党支部".into(),
        period: "2024-03".into(),
        article: "第十二条".into(),
        evidence: "当月未召开支部委员会".into(),
        record_ids: vec![],
        title: "支委会未按月召开".into(),
        unit_type: "党支部".into(),
        measured: None,
        enterprise_id: None,
    }];
    data.causes = "一是学习抓得不够紧。".into();
    data.projects = vec![Project {
        id: 9,
        name: "新能源项目".into(),
        investment: 12.5,
        stage: "开工建设".into(),
        updated_on: chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        in_year: true,
    }];
    let text = render_markdown(&data, &ReportTemplate::builtin()).unwrap();
    assert!(
        text.contains("一是甲科技党支部（2024-03）：当月未召开支部委员会（依据：第十二条）。"),
        "{text}"
    );
    assert!(!text.contains("未发现问题"));
    assert!(
        text.contains("### （二）原因分析\n\n一是学习抓得不够紧。"),
        "{text}"
    );
    assert!(
        text.contains("- 新能源项目总投资12.5亿元，已开工建设，正在加快推进。"),
        "{text}"
    );
}

#[test]
fn measures_follow_the_causes_and_number_themselves() {
    let mut data = data_with(1);
    data.measures = "一是建立月度提醒制度。".into();
    let text = render_markdown(&data, &ReportTemplate::builtin()).unwrap();
    assert!(
        text.contains("### （三）整改措施\n\n一是建立月度提醒制度。"),
        "{text}"
    );
    data.causes = "一是学习抓得不够紧。".into();
    let text = render_markdown(&data, &ReportTemplate::builtin()).unwrap();
    let causes = text.find("### （二）原因分析").expect("causes heading");
    let measures = text.find("### （三）整改措施").expect("measures heading");
    assert!(causes < measures, "{text}");
    assert!(!text.contains("\n\n\n"), "no runs of blank lines:\n{text}");
}

#[test]
fn a_syntax_error_names_the_template_and_line() {
    let e = template_error("第一行\n{% if %}\n");
    match &e {
        ReportError::Template { name, line, reason } => {
            assert_eq!((name.as_str(), *line), ("mine.md", Some(2)));
            assert!(reason.contains("语法错误"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("报告模板“mine.md”第 2 行有误"),
        "{e}"
    );
}

#[test]
fn an_unknown_metric_id_names_the_line_and_the_nearest_id() {
    let e = template_error("第一行\n\n共获得荣誉{{ m.honours | approx }}项\n");
    match &e {
        ReportError::UnknownMetric {
            line,
            metric,
            nearest,
            ..
        } => {
            assert_eq!((*line, metric.as_str()), (3, "honours"));
            assert_eq!(nearest.as_deref(), Some("honors"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("第 3 行引用了不存在的指标“honours”"),
        "{e}"
    );
}

#[test]
fn a_runaway_loop_runs_out_of_fuel() {
    let e = template_error(
        "开头\n{% for i in range(10000) %}{% for j in range(10000) %}{{ j }}{% endfor %}{% endfor %}\n",
    );
    match &e {
        ReportError::Template { line, reason, .. } => {
            assert_eq!(*line, Some(2));
            assert!(reason.contains("运算量超出上限"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// A template that writes more than a report could hold is stopped as it writes, within its
/// fuel: 100 writes of 100 KB pass the 4 MB limit.
#[test]
fn output_past_the_limit_is_stopped_as_it_is_written() {
    let e = template_error(
        "{% set big = \"字\" * 35000 %}{% for i in range(100) %}{{ big }}{% endfor %}\n",
    );
    match &e {
        ReportError::TooLong { limit_mb, .. } => assert_eq!(*limit_mb, 4),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("超过 4 MB"), "{e}");
}

#[test]
fn runaway_recursion_is_stopped() {
    let e = template_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}");
    assert!(matches!(e, ReportError::Template { .. }), "{e:?}");
}

#[test]
fn undefined_names_and_attributes_are_errors_not_blanks() {
    let e = template_error("{{ parc }}");
    assert!(e.to_string().contains("未定义"), "{e}");
    let e = template_error("{{ m.honors.valeu }}");
    assert!(e.to_string().contains("未定义"), "{e}");
}

#[test]
fn templates_cannot_read_files() {
    let e = template_error("{% include \"/etc/passwd\" %}");
    assert!(e.to_string().contains("不能引用其他模板"), "{e}");
}

#[test]
fn a_placeholder_left_in_the_output_is_refused_with_its_line() {
    let e = template_error("共获得荣誉{{ m.honors }}项\n建成约X平方米广场，配备XX名\n");
    match e {
        ReportError::Placeholders(found) => {
            assert_eq!(found.len(), 2, "{found:?}");
            assert!(found[0].starts_with("第2行"), "{found:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn year_over_year_sentences() {
    let t = ReportTemplate::new(
        "yoy.md",
        "荣誉{{ m.honors }}项，上年{{ m.honors.prev }}项，同比{{ m.honors | change }}。\n",
    );
    let text = render_markdown(&data_with(4), &t).unwrap();
    assert_eq!(text, "荣誉4项，上年2项，同比增长100.0%。\n");
}

#[test]
fn year_over_year_in_words_and_the_relations_reach_templates() {
    let mut data = data_with(4);
    let t = ReportTemplate::new(
        "yoy.md",
        "{{ m.heart_talks | yoy }}；{{ m.heart_talks.change }}{{ m.heart_talks.direction }}；\
         {{ m.participation_rate | yoy }}；{{ m.tasks_on_time_rate.numerator.id }}/\
         {{ m.tasks_on_time_rate.denominator.id }}；{{ m.seminars.whole.id }}；\
         {{ 'none' if m.honors.whole is none else 'some' }}\n",
    );
    for m in &mut data.metrics.metrics {
        let metric = MetricCatalogue::default_metrics();
        let def = metric.get(&m.id).unwrap();
        m.relations = crate::report::compute::Relations {
            part_of: def.part_of.clone(),
            rate_of: def.rate_of.clone(),
            adverse: def.adverse,
        };
        if m.id == "participation_rate" {
            m.value = Number::Float(93.5);
            m.prev = Some(Number::Float(95.0));
        }
    }
    assert_eq!(
        render_markdown(&data, &t).unwrap(),
        "较上年增加2人次；2增加；较上年降低1.5个百分点；tasks_completed_on_time/tasks_due；\
         learning_activities；none\n"
    );
    for m in &mut data.metrics.metrics {
        m.prev = Some(m.value);
    }
    let same = ReportTemplate::new("yoy.md", "{{ m.heart_talks | yoy }}\n");
    assert_eq!(render_markdown(&data, &same).unwrap(), "与上年持平\n");
    for m in &mut data.metrics.metrics {
        m.prev = None;
    }
    assert_eq!(render_markdown(&data, &same).unwrap(), "\n");
}

#[test]
fn a_highlight_keeps_its_marks_for_the_health_check_only() {
    let data = data_with(2);
    let t = ReportTemplate::new(
        "hl.md",
        "{% filter highlight %}\n## 亮点\n\n发生{{ m.mass_petitions }}起。\n{% endfilter %}\n",
    );
    let plain = render_markdown(&data, &t).unwrap();
    assert_eq!(plain, "## 亮点\n\n发生2起。\n");
    let marked = crate::report::render::render_marked(&data, &t).unwrap();
    assert!(
        marked.starts_with(crate::report::view::HIGHLIGHT_START),
        "{marked:?}"
    );
    let html = crate::report::html::render_article(&data, &t).unwrap();
    assert!(html.contains("<h2>亮点</h2>"), "{html}");
    assert!(
        !html.contains(crate::report::view::HIGHLIGHT_START),
        "{html}"
    );
}

// ---- placeholders, metric references, formats and marks ----

#[test]
fn placeholders_are_found_where_a_figure_should_be() {
    let text = "打造了约X平方米的广场\n新建X.X公里\n配备专职人员XX名\nX工业园区\n全年XX余次";
    let found = find_placeholders(text);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found[0].starts_with("第1行") && found[0].contains("约X平方米"));
    assert!(found[1].contains("X.X公里"));
    assert!(find_placeholders("XML 与 Xi'an、TaX 不是占位符，3x 也不是").is_empty());
    assert!(find_placeholders("“XXX”").len() == 1);
}

#[test]
fn metric_references_are_read_from_tags() {
    let refs = metric_references(" m.honors | approx ~ m[\"seminars\"] ~ item.m.x ~ mm.y ");
    let ids: Vec<&str> = refs.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, ["honors", "seminars"]);
}

#[test]
fn formats_are_parsed() {
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("HTML".parse::<Format>().unwrap(), Format::Html);
    assert_eq!("docx".parse::<Format>().unwrap(), Format::Docx);
    assert!(Format::Docx.is_binary() && !Format::Html.is_binary());
    assert_eq!("pdf".parse::<Format>().unwrap(), Format::Pdf);
    let odt = "odt".parse::<Format>().unwrap_err().to_string();
    assert!(odt.contains("md、html、docx、json、pdf"), "{odt}");
}

#[test]
fn marks_are_stripped() {
    assert_eq!(strip_marks("共\u{E000}honors\u{E001}3\u{E002}项"), "共3项");
}
