//! Scaffold tests on small essays written for them, phrased unlike the model report.

use super::*;

fn run(essay: &str) -> Scaffold {
    scaffold(essay, &MetricCatalogue::default_metrics())
}

/// (placeholder, kind, metric) of each placeholder.
fn summary(s: &Scaffold) -> Vec<(String, Kind, Option<String>)> {
    s.placeholders
        .iter()
        .map(|p| (p.text.clone(), p.kind, p.metric.clone()))
        .collect()
}

/// Report data with every default metric at `n`.
fn data_with(n: i64) -> crate::report::ReportData {
    crate::report::sample_data("测试园区", n, None)
}

fn metric_of(s: &Scaffold, i: usize) -> Option<&str> {
    s.placeholders[i].metric.as_deref()
}

#[test]
fn placeholders_are_found_with_their_forms_and_lines() {
    let s = run("全年开展谈心活动XX余人次，发放资料X万余份。\n参学率达X%，新修骑行绿道X.X公里。");
    let texts: Vec<&str> = s.placeholders.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["XX余", "X万余", "X%", "X.X"]);
    let forms: Vec<Form> = s.placeholders.iter().map(|p| p.form).collect();
    assert_eq!(
        forms,
        [Form::Approx, Form::WanApprox, Form::Percent, Form::Plain]
    );
    assert_eq!(s.placeholders[0].line, 1);
    assert_eq!(s.placeholders[2].line, 2);
    assert_eq!(s.placeholders[0].unit.as_deref(), Some("人次"));
    assert!(s.placeholders[0].context.contains("谈心活动XX余人次"));
}

#[test]
fn an_x_in_a_latin_word_or_a_real_figure_is_not_a_placeholder() {
    let s = run("XML 报表、Xi'an 之行、TaX 和 3X 倍速、2X年都不是占位符，参与率达100%。");
    assert!(s.placeholders.is_empty(), "{:?}", summary(&s));
}

#[test]
fn figures_bind_to_the_metric_their_words_name_before_or_after() {
    let s = run("本年度，党工委共召开X次党建专题会议，审议议题X项。\
         截至年底，全区拥有省级示范党支部X个、市级示范党支部X个，X个党员示范岗。\
         班子成员开展谈心X人次，对X名干部进行廉洁谈话，X人次受到通报批评。");
    let bound: Vec<Option<&str>> = (0..s.placeholders.len())
        .map(|i| metric_of(&s, i))
        .collect();
    assert_eq!(
        bound,
        [
            Some("party_building_meetings"),
            Some("agenda_items"),
            Some("model_branches_province"),
            Some("model_branches_city"),
            Some("pioneer_posts"),
            Some("heart_talks"),
            Some("integrity_talks"),
            Some("criticism_notices"),
        ]
    );
}

#[test]
fn in_a_list_each_figure_takes_the_noun_after_it() {
    let s = run("先后培育X个区级文明单位、X个市级文明单位、X个省级文明单位。");
    let bound: Vec<Option<&str>> = (0..3).map(|i| metric_of(&s, i)).collect();
    assert_eq!(
        bound,
        [
            Some("civilized_units_district"),
            Some("civilized_units_city"),
            Some("civilized_units_province"),
        ]
    );
}

#[test]
fn the_unit_decides_between_metrics_with_the_same_words() {
    // Both the plaza's area and the service centre's area are near; only the unit says a
    // percentage is not an area, and 平方米 not a count.
    let s = run("新建的党群服务中心建筑面积X平方米。党群服务中心活动的党员参学率X%。");
    assert_eq!(metric_of(&s, 0), Some("service_center_area"));
    assert_eq!(metric_of(&s, 1), Some("participation_rate"));
    // The clause before reaches the figure when its own clause names no subject.
    let s = run("完成党建文化广场提升改造，占地X平方米。");
    assert_eq!(metric_of(&s, 0), Some("culture_plaza_area"));
}

#[test]
fn a_figure_no_metric_names_stays_a_metric_placeholder_without_a_binding() {
    let s = run("新引进规上企业X家，实现税收X万元。");
    assert_eq!(
        summary(&s),
        [
            ("X".into(), Kind::Metric, None),
            ("X".into(), Kind::Metric, None),
        ]
    );
    assert_eq!(s.unbound().count(), 2);
}

#[test]
fn park_project_and_text_placeholders_are_told_apart() {
    let s = run(
        "X经开区党工委坚持以XXX为指导，推动总投资X亿元的XX光伏项目投产，XX地块完成征收，X园区面貌一新。",
    );
    assert_eq!(
        summary(&s),
        [
            ("X经开区".into(), Kind::Park, None),
            ("XXX".into(), Kind::Text, None),
            ("X".into(), Kind::Project, None),
            ("XX".into(), Kind::Project, None),
            ("XX".into(), Kind::Project, None),
            ("X园区".into(), Kind::Park, None),
        ]
    );
}

#[test]
fn the_template_holds_expressions_with_the_essays_figure_forms() {
    let s = run("X高新区走访企业X余次，发放宣传册X万余份，参会率X%，新建骑行道X.X公里，另有XXX。");
    let t = s.template();
    assert!(t.starts_with("{{ park }}走访企业"), "{t}");
    assert!(
        t.contains("走访企业{{ m.enterprise_visits | approx }}次"),
        "{t}"
    );
    assert!(
        t.contains("宣传册{{ m.brochures | wan(approx=true) }}份"),
        "{t}"
    );
    assert!(
        t.contains("参会率{{ m.participation_rate | pct }}，"),
        "{t}"
    );
    assert!(t.contains("骑行道{{ m.red_cycling_km }}公里"), "{t}");
    assert!(t.contains("{# 待填写：文字 #}XXX。"), "{t}");
}

#[test]
fn an_unbound_placeholder_makes_the_template_fail_to_render_with_its_line() {
    use crate::report::{render_markdown, ReportError, ReportTemplate};
    let s = run("一、概况\n全年开展谈心谈话X人次，新增入驻企业XX家。");
    assert_eq!(s.unbound().count(), 1);
    let template = ReportTemplate::new("essay.md.j2", s.template());
    match render_markdown(&data_with(7), &template) {
        Err(ReportError::Placeholders(list)) => {
            assert_eq!(list.len(), 1, "{list:?}");
            assert!(
                list[0].starts_with("第2行") && list[0].contains("XX家"),
                "{list:?}"
            );
        }
        other => panic!("expected unbound placeholders, got {other:?}"),
    }
}

#[test]
fn a_bound_template_renders_the_figures() {
    let s = run("X园区全年开展谈心谈话X人次，走访企业X余次。");
    let template = crate::report::ReportTemplate::new("essay.md.j2", s.template());
    let text = crate::report::render_markdown(&data_with(53), &template).unwrap();
    assert_eq!(text, "测试园区全年开展谈心谈话53人次，走访企业50余次。");
}

#[test]
fn a_users_choice_binds_an_unbound_placeholder() {
    let metrics = MetricCatalogue::default_metrics();
    let mut s = run("新增入驻企业XX家。");
    s.choose(0, metrics.get("honors"));
    assert_eq!(s.template(), "新增入驻企业{{ m.honors }}家。");
    assert_eq!(s.unbound().count(), 0);
}

#[test]
fn an_essay_without_placeholders_is_its_own_template_and_jinja_in_it_is_kept_as_text() {
    let essay = "全年工作稳步推进。\n";
    let s = run(essay);
    assert!(s.placeholders.is_empty());
    assert_eq!(s.template(), essay);
    let s = run("原文里有 {{ 花括号 }} 和 {% 标签 %}。");
    assert_eq!(
        s.template(),
        "原文里有 {{ \"{\" }}{ 花括号 }} 和 {{ \"{\" }}% 标签 %}。"
    );
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let s = run("全年组织第一议题学习X次。");
    let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    let row = v[0].as_object().unwrap();
    let mut keys: Vec<&str> = row.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["context", "kind", "line", "metric", "placeholder"]);
    assert_eq!(row["kind"], "metric");
    assert_eq!(row["metric"], "first_topic_sessions");
}

#[test]
fn gbk_and_utf8_essays_are_read_and_other_bytes_refused() {
    let (gbk, _, _) = encoding_rs::GBK.encode("谈心谈话X人次");
    assert_eq!(decode(&gbk).as_deref(), Some("谈心谈话X人次"));
    assert_eq!(
        decode("\u{feff}谈话X次\r\n".as_bytes()).as_deref(),
        Some("谈话X次\n")
    );
    assert_eq!(decode(&[0xff, 0xfe, 0x00, 0x81]), None);
}

#[test]
fn every_metric_binds_in_an_essay_phrased_its_own_way() {
    let essay =
        "2023年，XX开发区党工委召开X次党建专题会，学习总书记重要讲话精神X篇，研究议题X项。\n\
        建成党群服务中心X平方米、党建文化广场X平方米，新修红色骑行绿道X.X公里。\n\
        全区有市级示范党支部X个、省级示范党支部X个，党员先锋岗X个。\n\
        开展三会一课等学习活动XX余场，参学率X%，获得表彰X项。\n\
        开展第一议题学习X次、专题研讨X场。\n\
        全年谈心X人次，廉政提醒谈话X人次，通报批评X人次。\n\
        组建X余人的志愿者队伍，服务团队有专职X人、兼职X人。\n\
        走访企业X余次，发放资料X万余份，收集建议X条，解决难题X个。\n\
        受理企业诉求X件，按时响应X件、响应率X%，办结诉求X件、办结率X%，按时办结X件、\
        按时办结率X%，企业评价X件、满意X件、满意率X%，退回诉求X件、回退率X%，\
        重办诉求X件、重办率X%，平均办结用时X个工作日。\n\
        传递政策X条，覆盖企业X家，政策推送X次、已阅读X次，阅读率X%。\n\
        新增省级文明单位X个、市级文明单位X个、区级文明单位X个。\n\
        全年发生重大舆情X起，群体性上访X起。\n\
        年度任务细化分解X项，年内到期任务X项，按期完成X项，按期完成率X%。\n\
        园区有基层党组织X个，其中党委X个、党总支X个、党支部X个、联合党支部X个，\
        企业党组织X个、企业党支部X个；党员X名，发展党员X名，X家企业建立党组织。\n";
    let s = run(essay);
    assert_eq!(s.placeholders[0].kind, Kind::Park);
    let bound: Vec<&str> = s.placeholders[1..]
        .iter()
        .map(|p| p.metric.as_deref().unwrap_or("-"))
        .collect();
    let order = [
        "party_building_meetings",
        "speeches_studied",
        "agenda_items",
        "service_center_area",
        "culture_plaza_area",
        "red_cycling_km",
        "model_branches_city",
        "model_branches_province",
        "pioneer_posts",
        "learning_activities",
        "participation_rate",
        "honors",
        "first_topic_sessions",
        "seminars",
        "heart_talks",
        "integrity_talks",
        "criticism_notices",
        "volunteers",
        "service_staff_fulltime",
        "service_staff_parttime",
        "enterprise_visits",
        "brochures",
        "suggestions",
        "problems_solved",
        "requests_received",
        "requests_contacted_in_time",
        "response_rate",
        "requests_closed",
        "close_rate",
        "requests_closed_on_time",
        "on_time_close_rate",
        "requests_rated",
        "requests_satisfied",
        "satisfaction_rate",
        "requests_returned",
        "return_rate",
        "requests_reopened",
        "reopen_rate",
        "avg_workdays_to_close",
        "policies_pushed",
        "policy_enterprises",
        "policy_pushes",
        "policy_pushes_read",
        "policy_read_rate",
        "civilized_units_province",
        "civilized_units_city",
        "civilized_units_district",
        "major_opinion_incidents",
        "mass_petitions",
        "tasks_decomposed",
        "tasks_due",
        "tasks_completed_on_time",
        "tasks_on_time_rate",
        "party_organizations",
        "party_committees",
        "general_party_branches",
        "party_branches",
        "joint_party_branches",
        "enterprise_party_organizations",
        "enterprise_party_branches",
        "party_members",
        "members_developed",
        "enterprises_with_party_organization",
    ];
    assert_eq!(bound, order);
    // The essay names every metric of the catalogue once.
    let metrics = MetricCatalogue::default_metrics();
    assert_eq!(order.len(), metrics.metrics.len());
}

/// (placeholder, metric or kind) of each placeholder, for the essays below.
fn bindings(s: &Scaffold) -> Vec<(String, String)> {
    s.placeholders
        .iter()
        .map(|p| {
            let what = match (p.kind, &p.metric) {
                (_, Some(id)) => id.clone(),
                (Kind::Metric, None) => "待绑定".to_string(),
                (kind, None) => format!("{kind:?}"),
            };
            (p.text.clone(), what)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// An essay in the style of sites that put spaces around a Latin `X` ("X 个企业党支部"), with
/// the organisation's own figures.
#[test]
fn an_essay_with_spaces_around_its_xs_binds_the_organisations_figures() {
    let s = run(include_str!("../../tests/it/essays/spaced_x.txt"));
    assert_eq!(
        bindings(&s),
        pairs(&[
            ("X 经开区", "Park"),
            ("X", "party_organizations"),
            ("X", "party_committees"),
            ("X", "general_party_branches"),
            ("X", "party_branches"),
            ("X", "joint_party_branches"),
            ("X", "enterprise_party_branches"),
            ("XX", "party_members"),
            ("X", "members_developed"),
            ("X", "enterprises_with_party_organization"),
            ("X", "party_building_meetings"),
            ("X", "first_topic_sessions"),
            ("X", "seminars"),
            ("X", "heart_talks"),
            ("X 余", "enterprise_visits"),
            ("X", "problems_solved"),
            // No metric names new projects or tax: those stay for the user.
            ("X", "待绑定"),
            ("X.X", "待绑定"),
            ("XXX", "Text"),
        ])
    );
    let t = s.template();
    // The spaces that set the Latin X apart go with it.
    assert!(
        t.starts_with("{{ park }}党工委 2025 年基层党建工作总结"),
        "{t}"
    );
    assert!(
        t.contains("，{{ m.enterprise_party_branches }}个企业党支部实现应建尽建"),
        "{t}"
    );
    assert!(t.contains("在册党员{{ m.party_members }}名"), "{t}");
    assert!(
        t.contains("走访企业{{ m.enterprise_visits | approx }}次"),
        "{t}"
    );
    assert!(t.contains("由 {# 待填写：文字 #}XXX 同志"), "{t}");
}

/// An essay in the style of sites that write figures as `**次`, `*.*倍`, `****家` and names
/// as `××`.
#[test]
fn an_essay_with_stars_for_figures_binds_them_and_leaves_other_stars_alone() {
    let s = run(include_str!("../../tests/it/essays/stars.txt"));
    assert_eq!(
        bindings(&s),
        pairs(&[
            ("××工业园区", "Park"),
            ("**", "party_building_meetings"),
            ("**", "agenda_items"),
            // Every enterprise of the park, which no metric counts.
            ("****", "待绑定"),
            ("***", "enterprises_with_party_organization"),
            // A coverage rate is no count of enterprises.
            ("**.*%", "待绑定"),
            ("*", "enterprise_party_branches"),
            ("*", "joint_party_branches"),
            ("***", "party_members"),
            ("**", "members_developed"),
            ("***", "enterprise_visits"),
            ("**", "suggestions"),
            ("**", "problems_solved"),
            ("*.*", "待绑定"),
        ])
    );
    let t = s.template();
    assert!(
        t.contains("专题研究党建工作{{ m.party_building_meetings }}次"),
        "{t}"
    );
    // `**` before a word that is no unit is left as written (bold markup, say), and so are
    // a lone check box and circle.
    assert!(t.contains("项，**重要讲话精神"), "{t}");
    assert!(t.ends_with("□ 已完成  ○ 进行中\n"), "{t}");
}

#[test]
fn marks_count_as_figures_only_before_a_unit_or_a_counted_noun() {
    let s = run("发放**份资料，评出○个先进、□家示范单位，×××同志讲话，3×4米展板，**注意**。");
    let texts: Vec<&str> = s.placeholders.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["**", "○", "□", "×××"]);
    assert_eq!(s.placeholders[3].kind, Kind::Text);
    // A counted noun without a unit word makes a figure too.
    let s = run("全区X企业、**党员参加。");
    assert!(s.placeholders.iter().all(|p| p.kind == Kind::Metric));
    assert_eq!(s.placeholders.len(), 2);
}

#[test]
fn an_unsure_figure_stays_unbound() {
    // 示范支部 of which level? The city's and the province's fit alike.
    let s = run("创建示范支部X个。");
    assert_eq!(metric_of(&s, 0), None);
    let s = run("创建市级示范支部X个。");
    assert_eq!(metric_of(&s, 0), Some("model_branches_city"));
    // People are never events: 次 does not fit the 名 of members.
    let s = run("组织党员参加活动X次。");
    assert_ne!(metric_of(&s, 0), Some("party_members"));
    let s = run("全区共有党员X名。");
    assert_eq!(metric_of(&s, 0), Some("party_members"));
}
