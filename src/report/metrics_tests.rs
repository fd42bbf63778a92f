//! Unit tests of the metrics file: the default holds every metric of PRODUCT.md with its
//! definition, and a broken file is refused with a message naming the metric.

use super::*;

/// The metric ids of PRODUCT.md's table, in its order, then those of the annual plans' tasks.
const PRODUCT_IDS: [&str; 63] = [
    "party_building_meetings",
    "speeches_studied",
    "agenda_items",
    "culture_plaza_area",
    "red_cycling_km",
    "model_branches_city",
    "model_branches_province",
    "pioneer_posts",
    "service_center_area",
    "learning_activities",
    "participation_rate",
    "honors",
    "first_topic_sessions",
    "seminars",
    "major_opinion_incidents",
    "mass_petitions",
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
    // The enterprise requests (企业诉求), PRODUCT.md's enterprise service ids with the counts
    // their rates are made of.
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
    "tasks_decomposed",
    "tasks_due",
    "tasks_completed_on_time",
    "tasks_on_time_rate",
    // The organisation's own figures, over the org tree and the roster.
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

fn text(s: &str) -> Scalar {
    Scalar::Text(s.to_string())
}

fn parse(body: &str) -> Result<MetricCatalogue, ReportError> {
    MetricCatalogue::from_toml(body, &Catalogue::default_catalogue())
}

fn error_of(body: &str) -> String {
    parse(body).unwrap_err().to_string()
}

#[test]
fn default_metrics_are_valid_and_hold_every_product_metric() {
    let catalogue = parse(DEFAULT_METRICS).unwrap();
    let ids: Vec<&str> = catalogue.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, PRODUCT_IDS);
    assert_eq!(MetricCatalogue::default_metrics(), catalogue);
}

#[test]
fn default_definitions_follow_the_product_table() {
    let c = MetricCatalogue::default_metrics();
    let m = c.get("party_building_meetings").unwrap();
    assert_eq!(m.kind, "meeting");
    assert_eq!(
        m.filters,
        vec![
            Filter {
                field: "is_party_topic".into(),
                op: FilterOp::Eq(Scalar::Bool(true))
            },
            Filter {
                field: "meeting_type".into(),
                op: FilterOp::Eq(text("党工委会议"))
            },
        ]
    );

    let m = c.get("red_cycling_km").unwrap();
    assert_eq!((m.period, m.decimals, m.integral), (Period::Year, 1, false));
    let m = c.get("culture_plaza_area").unwrap();
    assert_eq!((m.period, m.integral), (Period::ToDate, false));

    for id in [
        "model_branches_city",
        "pioneer_posts",
        "civilized_units_district",
    ] {
        let m = c.get(id).unwrap();
        assert_eq!(m.period, Period::ToDate, "{id}");
        assert!(
            m.filters.contains(&Filter {
                field: "status".into(),
                op: FilterOp::Not(text("已撤销"))
            }),
            "{id} must skip revoked designations"
        );
    }

    let m = c.get("problems_solved").unwrap();
    assert_eq!(m.aggregate, Aggregate::Requests(RequestMeasure::Solved));
    let m = c.get("suggestions").unwrap();
    assert_eq!(
        m.aggregate,
        Aggregate::Requests(RequestMeasure::Suggestions)
    );
    let m = c.get("on_time_close_rate").unwrap();
    assert_eq!(
        m.rate_of,
        Some(("requests_closed_on_time".into(), "requests_closed".into()))
    );
    assert!(!m.integral);

    let m = c.get("participation_rate").unwrap();
    assert_eq!(
        m.aggregate,
        Aggregate::Ratio {
            numerator: "attended".into(),
            denominator: "expected".into()
        }
    );
    assert_eq!(
        m.filters,
        c.get("learning_activities").unwrap().filters,
        "the rate is over the same meetings as the activity count"
    );
    assert_eq!(m.decimals, 1);

    let m = c.get("mass_petitions").unwrap();
    assert!(m.filters.contains(&Filter {
        field: "people_count".into(),
        op: FilterOp::Gte(5.0)
    }));

    let m = c.get("heart_talks").unwrap();
    assert!(m.integral, "a sum of an integer field is whole");
    assert_eq!(
        c.get("service_staff_parttime").unwrap().aggregate,
        Aggregate::ServiceStaff {
            staff_type: "兼职".into(),
            team: "园小二".into()
        }
    );
    assert_eq!(
        c.get("volunteers").unwrap().aggregate,
        Aggregate::PeopleTagged {
            tag: "志愿者".into()
        }
    );
}

const HEAD: &str = "[[metric]]\nid = \"m1\"\nlabel = \"测试\"\nunit = \"次\"\nperiod = \"year\"\n";

#[test]
fn an_unknown_kind_is_refused_naming_the_metric() {
    let e = error_of(&format!(
        "{HEAD}kind = \"meetings\"\naggregate = \"count\"\n"
    ));
    assert!(
        e.contains("指标“m1”") && e.contains("未知的台账种类“meetings”"),
        "{e}"
    );
}

#[test]
fn an_unknown_field_is_refused_naming_the_metric_and_the_fields() {
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfilters = {{ meeting_kind = \"党课\" }}\n"
    ));
    assert!(
        e.contains("指标“m1”") && e.contains("没有字段“meeting_kind”"),
        "{e}"
    );
    assert!(e.contains("meeting_type"), "lists the fields: {e}");
    let e = error_of(&format!(
        "{HEAD}kind = \"talk\"\naggregate = \"sum\"\nfield = \"times\"\n"
    ));
    assert!(e.contains("没有字段“times”"), "{e}");
}

#[test]
fn an_unknown_aggregate_is_refused_naming_the_metric() {
    let e = error_of(&format!("{HEAD}kind = \"meeting\"\naggregate = \"avg\"\n"));
    assert!(
        e.contains("指标“m1”") && e.contains("未知的聚合方式“avg”"),
        "{e}"
    );
}

#[test]
fn values_must_fit_the_field() {
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfilters = {{ meeting_type = \"党课会\" }}\n"
    ));
    assert!(e.contains("没有可选值“党课会”"), "{e}");
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfilters = {{ is_party_topic = \"是\" }}\n"
    ));
    assert!(e.contains("不能与这个值比较"), "{e}");
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfilters = {{ name = {{ gte = 3 }} }}\n"
    ));
    assert!(e.contains("不是数字字段，不能求和或比较大小"), "{e}");
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"sum\"\nfield = \"name\"\n"
    ));
    assert!(e.contains("不是数字字段"), "{e}");
}

#[test]
fn stray_or_missing_parameters_and_keys_are_refused() {
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfield = \"topic_count\"\n"
    ));
    assert!(e.contains("不使用参数 field"), "{e}");
    let e = error_of(&format!("{HEAD}kind = \"meeting\"\naggregate = \"sum\"\n"));
    assert!(e.contains("需要参数 field"), "{e}");
    let e = error_of(&format!(
        "{HEAD}kind = \"meeting\"\naggregate = \"count\"\nfilter = {{}}\n"
    ));
    assert!(e.contains("指标“m1”") && e.contains("filter"), "{e}");
    let e = error_of(&format!("{HEAD}kind = \"meeting\"\naggregate = \"count\"\n{HEAD}kind = \"meeting\"\naggregate = \"count\"\n"));
    assert!(e.contains("重复"), "{e}");
}

#[test]
fn roster_metrics_are_checked_too() {
    let body = "[[metric]]\nid = \"v\"\nlabel = \"志愿者\"\nunit = \"名\"\nkind = \"people\"\n\
                aggregate = \"people_tagged\"\ntag = \"志愿者\"\nperiod = \"year\"\n";
    assert!(error_of(body).contains("to_date"));
    let body = "[[metric]]\nid = \"v\"\nlabel = \"志愿者\"\nunit = \"名\"\nkind = \"people\"\n\
                aggregate = \"count\"\nperiod = \"to_date\"\n";
    assert!(error_of(body).contains("people_tagged"));
    let body = "[[metric]]\nid = \"s\"\nlabel = \"专职\"\nunit = \"名\"\nkind = \"people\"\n\
                aggregate = \"service_staff\"\nperiod = \"to_date\"\n";
    assert!(error_of(body).contains("需要参数 staff_type"));
}

#[test]
fn org_and_member_metrics_are_read_and_checked() {
    let c = MetricCatalogue::default_metrics();
    assert_eq!(
        c.get("joint_party_branches").unwrap().aggregate,
        Aggregate::Units {
            unit_types: vec!["党支部".into()],
            in_enterprise: false,
            name_contains: Some("联合".into()),
        }
    );
    assert_eq!(
        c.get("enterprises_with_party_organization")
            .unwrap()
            .aggregate,
        Aggregate::EnterprisesWith {
            unit_types: vec!["党委".into(), "党总支".into(), "党支部".into()],
        }
    );
    let developed = c.get("members_developed").unwrap();
    assert_eq!(developed.aggregate, Aggregate::MembersJoined);
    assert_eq!(developed.period, Period::Year);
    let head = "[[metric]]\nid = \"o\"\nlabel = \"党组织\"\nunit = \"个\"\n";
    let e = error_of(&format!(
        "{head}kind = \"units\"\naggregate = \"count\"\nunit_types = [\"党支布\"]\nperiod = \"to_date\"\n"
    ));
    assert!(
        e.contains("未知的单位类型“党支布”") && e.contains("党支部"),
        "{e}"
    );
    let e = error_of(&format!(
        "{head}kind = \"units\"\naggregate = \"count\"\nperiod = \"to_date\"\n"
    ));
    assert!(e.contains("需要参数 unit_types"), "{e}");
    for wrong in [
        "kind = \"units\"\naggregate = \"sum\"\nunit_types = [\"党委\"]\nperiod = \"to_date\"\n",
        "kind = \"units\"\naggregate = \"count\"\nunit_types = [\"党委\"]\nperiod = \"year\"\n",
        "kind = \"enterprises\"\naggregate = \"count\"\nunit_types = [\"党委\"]\nin_enterprise = true\nperiod = \"to_date\"\n",
    ] {
        let e = error_of(&format!("{head}{wrong}"));
        assert!(e.contains("组织指标"), "{e}");
    }
    // The org parameters belong to org metrics only.
    let e = error_of(&format!(
        "{head}kind = \"honor\"\naggregate = \"count\"\nunit_types = [\"党委\"]\nperiod = \"year\"\n"
    ));
    assert!(e.contains("不使用参数 unit_types"), "{e}");
    let e = error_of(&format!(
        "{head}kind = \"people\"\naggregate = \"members_joined\"\nperiod = \"to_date\"\n"
    ));
    assert!(e.contains("period 应为 year"), "{e}");
    let e = error_of(&format!(
        "{head}kind = \"people\"\naggregate = \"members\"\nperiod = \"year\"\n"
    ));
    assert!(e.contains("to_date"), "{e}");
}

#[test]
fn conditions_read_every_operator() {
    let ops = parse_condition(&toml::Value::Table(
        toml::from_str("in = [\"a\", \"b\"]\nnot = \"c\"\ngt = 1\nlte = 2.5").unwrap(),
    ))
    .unwrap();
    assert_eq!(
        ops,
        vec![
            FilterOp::Gt(1.0),
            FilterOp::In(vec![text("a"), text("b")]),
            FilterOp::Lte(2.5),
            FilterOp::Not(text("c")),
        ]
    );
    assert!(parse_condition(&toml::Value::Table(toml::from_str("like = \"a\"").unwrap())).is_err());
    assert!(parse_condition(&toml::Value::Array(vec![])).is_err());
}

#[test]
fn syntax_errors_and_empty_files_are_reported() {
    assert!(matches!(
        parse("[[metric]\n"),
        Err(ReportError::MetricsSyntax(_))
    ));
    assert!(matches!(parse(""), Err(ReportError::NoMetrics)));
}

#[test]
fn relations_name_metrics_of_the_default_file_and_bad_ones_are_refused() {
    let catalogue = MetricCatalogue::default_metrics();
    let mut relations = 0;
    for m in &catalogue.metrics {
        for other in m
            .part_of
            .iter()
            .chain(m.rate_of.iter().flat_map(|(a, b)| [a, b]))
        {
            assert!(catalogue.get(other).is_some(), "{} names {other}", m.id);
            relations += 1;
        }
    }
    assert_eq!(relations, 33);
    let rate = catalogue.get("tasks_on_time_rate").unwrap();
    assert_eq!(
        rate.rate_of,
        Some(("tasks_completed_on_time".into(), "tasks_due".into()))
    );
    assert!(catalogue.get("mass_petitions").unwrap().adverse);
    let base = "[[metric]]\nid = \"x\"\nlabel = \"X\"\nunit = \"次\"\nkind = \"meeting\"\naggregate = \"count\"\nperiod = \"year\"\n";
    for bad in [
        "part_of = \"x\"\n",
        "rate_of = [\"a\"]\n",
        "part_of = \"Bad Id\"\n",
    ] {
        let e = error_of(&format!("{base}{bad}"));
        assert!(e.contains("part_of"), "{bad}: {e}");
    }
}
