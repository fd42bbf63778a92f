//! Unit tests of `catalogue.rs`.

use super::*;
use crate::ledger::value::Value;

/// PRODUCT.md's table: kind id and sheet name.
const PRODUCT_KINDS: [(&str, &str); 16] = [
    ("meeting", "会议台账"),
    ("talk", "谈话台账"),
    ("discipline", "问责台账"),
    ("visit", "走访台账"),
    ("suggestion", "意见建议台账"),
    ("enterprise_problem", "企业难题台账"),
    ("honor", "荣誉台账"),
    ("designation", "创建台账"),
    ("facility", "阵地台账"),
    ("opinion_incident", "舆情台账"),
    ("petition", "信访台账"),
    ("labor_dispute", "劳动纠纷台账"),
    ("media_account", "网络平台台账"),
    ("document", "文件台账"),
    ("project", "重点项目台账"),
    ("volunteer_service", "志愿服务台账"),
];

/// PRODUCT.md's column lists, `*` marking required columns, in order.
const PRODUCT_HEADERS: [(&str, &str); 16] = [
        ("meeting", "日期*, 会议类型*, 会议名称*, 组织单位*, 地点, 主持人, 记录人, 参会人员, 缺席人员, 议题, 会议内容, 党建专题, 议题数, 学习篇目数, 应到人数, 实到人数, 备注"),
        ("talk", "日期*, 谈话类型*, 谈话人*, 谈话对象*, 人次, 组织单位, 备注"),
        ("discipline", "日期*, 类型*, 对象*, 人次, 事由"),
        ("visit", "日期*, 企业*, 走访人*, 形式*, 发放资料份数, 收集问题数, 备注"),
        ("suggestion", "日期*, 来源*, 企业, 内容*, 办理状态"),
        ("enterprise_problem", "受理日期*, 企业*, 问题类别*, 问题描述*, 责任小组, 办结日期, 办理结果, 满意度"),
        ("honor", "日期*, 荣誉名称*, 授予单位*, 级别*, 获得对象*"),
        ("designation", "日期*, 类型*, 级别, 名称*, 所在单位, 状态"),
        ("facility", "建成日期*, 名称*, 类型*, 面积(平方米), 长度(公里), 状态"),
        ("opinion_incident", "日期*, 来源平台*, 级别*, 概述*, 处置结果"),
        ("petition", "日期*, 类型*, 人数, 事由*, 办理结果"),
        ("labor_dispute", "日期*, 企业*, 涉及人数, 纠纷类型, 调解结果"),
        ("media_account", "登记日期*, 名称*, 类型*, 主管单位*, 管理员*, 状态"),
        ("document", "印发日期*, 文件名称*, 文号, 类型"),
        ("project", "更新日期*, 项目名称*, 总投资(亿元)*, 当前阶段*, 进展说明"),
        ("volunteer_service", "日期*, 活动名称*, 参与人数*, 服务时长(小时)"),
    ];

fn default_kind(id: &str) -> KindDef {
    Catalogue::default_catalogue()
        .kind(id)
        .unwrap_or_else(|| panic!("kind {id} in the default catalogue"))
        .clone()
}

fn choices(kind: &str, key: &str) -> Vec<String> {
    default_kind(kind)
        .field(key)
        .unwrap_or_else(|| panic!("field {kind}.{key}"))
        .choices
        .clone()
}

/// A valid one-kind catalogue to break in the validation tests.
const MINIMAL: &str = r#"
[[kind]]
id = "meeting"
name = "会议"
sheet = "会议台账"
date_field = "date"
title_field = "name"

[[kind.field]]
key = "date"
label = "日期"
type = "date"
required = true

[[kind.field]]
key = "name"
label = "会议名称"
type = "text"
required = true
"#;

fn with_field(extra: &str) -> String {
    format!("{MINIMAL}\n[[kind.field]]\n{extra}\n")
}

fn refused(text: &str) -> CatalogueError {
    match Catalogue::from_toml(text) {
        Ok(_) => panic!("catalogue should have been refused:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn embedded_default_parses() {
    let catalogue = Catalogue::from_toml(DEFAULT_CATALOGUE).expect("embedded default is valid");
    assert_eq!(catalogue, Catalogue::default_catalogue());
    assert_eq!(catalogue.kinds.len(), 16);
}

#[test]
fn default_holds_every_kind_and_sheet_of_the_product() {
    let catalogue = Catalogue::default_catalogue();
    let ids: Vec<&str> = catalogue.kinds.iter().map(|k| k.id.as_str()).collect();
    let expected: Vec<&str> = PRODUCT_KINDS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected);
    for (id, sheet) in PRODUCT_KINDS {
        let kind = catalogue.kind(id).expect("kind present");
        assert_eq!(kind.sheet, sheet, "sheet of {id}");
        assert_eq!(
            catalogue.kind_by_sheet(sheet).map(|k| k.id.as_str()),
            Some(id)
        );
        assert!(!kind.name.is_empty(), "Chinese name of {id}");
    }
    assert_eq!(
        catalogue.kind("meeting").map(|k| k.name.as_str()),
        Some("会议")
    );
}

/// The product's columns come first, in its order; a kind may add optional columns after them
/// (the 走访台账's 讨论内容 and 反映问题), so that a sheet of the product's columns still imports.
#[test]
fn default_headers_match_the_product_table() {
    for (id, headers) in PRODUCT_HEADERS {
        let kind = default_kind(id);
        let actual: Vec<String> = kind.fields.iter().map(FieldDef::header).collect();
        let expected: Vec<&str> = headers.split(", ").collect();
        assert!(
            actual.len() >= expected.len(),
            "headers of {id}: {actual:?}"
        );
        assert_eq!(actual[..expected.len()], expected, "headers of {id}");
        for extra in &kind.fields[expected.len()..] {
            assert!(
                !extra.required,
                "{id}: an added column is optional: {}",
                extra.label
            );
        }
    }
    let visit: Vec<String> = default_kind("visit")
        .fields
        .iter()
        .map(FieldDef::header)
        .collect();
    assert_eq!(visit[visit.len() - 2..], ["讨论内容", "反映问题"]);
}

#[test]
fn default_choices_match_the_product_table() {
    assert_eq!(
        choices("meeting", "meeting_type"),
        [
            "党工委会议",
            "支部党员大会",
            "支部委员会",
            "党小组会",
            "党课",
            "主题党日",
            "中心组学习",
            "第一议题学习",
            "专题研讨",
            "组织生活会",
            "民主评议党员",
            "座谈会",
            "其他"
        ]
    );
    assert_eq!(
        choices("talk", "talk_type"),
        ["谈心谈话", "廉政谈话", "提醒谈话", "诫勉谈话"]
    );
    assert_eq!(
        choices("discipline", "category"),
        ["通报批评", "诫勉", "党纪处分", "政务处分"]
    );
    assert_eq!(
        choices("visit", "visit_form"),
        ["走访慰问", "政策解读", "现场办公", "其他"]
    );
    assert_eq!(
        choices("suggestion", "source"),
        ["座谈会", "走访", "线上", "来信来访", "其他"]
    );
    assert_eq!(
        choices("suggestion", "status"),
        ["待办理", "办理中", "已办结", "已采纳"]
    );
    assert_eq!(
        choices("enterprise_problem", "team"),
        ["综合协调组", "项目审批组", "企业服务组"]
    );
    assert_eq!(
        choices("enterprise_problem", "satisfaction"),
        ["满意", "基本满意", "不满意"]
    );
    assert_eq!(
        choices("honor", "level"),
        ["国家级", "省级", "市级", "区级"]
    );
    assert_eq!(
        choices("designation", "category"),
        [
            "示范支部",
            "党员先锋岗",
            "文明单位",
            "文明标兵单位",
            "党建品牌"
        ]
    );
    assert_eq!(
        choices("designation", "level"),
        ["省级", "市级", "区级", "园区级"]
    );
    assert_eq!(choices("designation", "status"), ["有效", "已撤销"]);
    assert_eq!(
        choices("facility", "category"),
        [
            "党建文化广场",
            "红色骑行道",
            "党群服务中心",
            "党员活动室",
            "其他"
        ]
    );
    assert_eq!(
        choices("opinion_incident", "level"),
        ["一般", "较大", "重大"]
    );
    assert_eq!(
        choices("petition", "category"),
        ["个人来访", "集体来访", "来信", "网上信访"]
    );
    assert_eq!(
        choices("labor_dispute", "mediation_result"),
        ["调解成功", "调解中", "移交仲裁"]
    );
    assert_eq!(
        choices("media_account", "category"),
        ["微信公众号", "微信工作群", "视频号", "微博", "其他"]
    );
    assert_eq!(choices("media_account", "status"), ["正常", "已注销"]);
    assert_eq!(
        choices("document", "category"),
        ["工作要点", "工作清单", "应急预案", "制度", "其他"]
    );
    assert_eq!(
        choices("project", "stage"),
        ["前期准备", "地勘环评", "场地平整", "开工建设", "竣工投产"]
    );
}

#[test]
fn default_types_roles_and_defaults() {
    let meeting = default_kind("meeting");
    let types: Vec<(&str, FieldType)> = meeting
        .fields
        .iter()
        .map(|f| (f.key.as_str(), f.field_type))
        .collect();
    assert_eq!(
        types,
        [
            ("date", FieldType::Date),
            ("meeting_type", FieldType::Choice),
            ("name", FieldType::Text),
            ("org_unit", FieldType::Unit),
            ("place", FieldType::Text),
            ("host", FieldType::Person),
            ("recorder", FieldType::Person),
            ("attendees", FieldType::People),
            ("absentees", FieldType::Absences),
            ("topics", FieldType::Longtext),
            ("content", FieldType::Longtext),
            ("is_party_topic", FieldType::Bool),
            ("topic_count", FieldType::Integer),
            ("reading_count", FieldType::Integer),
            ("expected", FieldType::Integer),
            ("attended", FieldType::Integer),
            ("remark", FieldType::Longtext),
        ]
    );
    assert_eq!(meeting.date_field, "date");
    assert_eq!(meeting.title_field, "name");
    assert_eq!(meeting.unit_field.as_deref(), Some("org_unit"));
    assert_eq!(meeting.enterprise_field, None);

    for kind in ["talk", "discipline"] {
        let person_times = default_kind(kind).field("person_times").cloned();
        let person_times = person_times.expect("人次");
        assert_eq!(person_times.label, "人次");
        assert_eq!(person_times.default, Some(DefaultValue::Integer(1)));
        assert_eq!(
            crate::ledger::value::parse(&person_times, Raw::Empty),
            Ok(Some(Value::Integer(1)))
        );
    }

    let roles = [
        ("facility", "built_on", "建成日期"),
        ("enterprise_problem", "accepted_on", "受理日期"),
        ("project", "updated_on", "更新日期"),
        ("document", "issued_on", "印发日期"),
        ("media_account", "registered_on", "登记日期"),
    ];
    for (kind, key, label) in roles {
        let kind = default_kind(kind);
        assert_eq!(kind.date_field, key);
        assert_eq!(kind.date_field_def().map(|f| f.label.as_str()), Some(label));
    }

    let facility = default_kind("facility");
    let area = facility.field("area").expect("area");
    assert_eq!(
        (area.field_type, area.scale(), area.aliases.as_slice()),
        (FieldType::Decimal, 2, &["面积".to_owned()][..])
    );
    let length = facility.field("length_km").expect("length_km");
    assert_eq!((length.label.as_str(), length.scale()), ("长度(公里)", 2));
    let investment = default_kind("project")
        .field("investment")
        .cloned()
        .expect("investment");
    assert_eq!(
        (
            investment.field_type,
            investment.scale(),
            investment.required
        ),
        (FieldType::Decimal, 2, true)
    );
    assert_eq!(
        default_kind("enterprise_problem")
            .field("completed_on")
            .map(|f| (f.label.as_str(), f.field_type)),
        Some(("办结日期", FieldType::Date))
    );

    // References: 组织单位, 所在单位 and 主管单位 are units; 企业 an enterprise; the rest people.
    let references = [
        ("meeting", "组织单位", FieldType::Unit),
        ("talk", "组织单位", FieldType::Unit),
        ("designation", "所在单位", FieldType::Unit),
        ("media_account", "主管单位", FieldType::Unit),
        ("visit", "企业", FieldType::Enterprise),
        ("suggestion", "企业", FieldType::Enterprise),
        ("enterprise_problem", "企业", FieldType::Enterprise),
        ("labor_dispute", "企业", FieldType::Enterprise),
        ("talk", "谈话人", FieldType::Person),
        ("talk", "谈话对象", FieldType::Person),
        ("visit", "走访人", FieldType::Person),
        ("discipline", "对象", FieldType::Person),
        ("media_account", "管理员", FieldType::Person),
        ("honor", "获得对象", FieldType::Person),
    ];
    for (kind, header, field_type) in references {
        let kind_def = default_kind(kind);
        let field = kind_def.field_by_header(header).expect("header present");
        assert_eq!(field.field_type, field_type, "{kind}.{header}");
    }
    assert_eq!(
        default_kind("media_account").unit_field.as_deref(),
        Some("supervisor_unit")
    );
    assert_eq!(
        default_kind("designation").unit_field.as_deref(),
        Some("unit")
    );
    assert_eq!(
        default_kind("visit").enterprise_field.as_deref(),
        Some("enterprise")
    );
}

#[test]
fn every_default_title_and_date_field_is_required() {
    for kind in Catalogue::default_catalogue().kinds {
        let date = kind.date_field_def().expect("date field exists");
        let title = kind.title_field_def().expect("title field exists");
        assert!(
            date.required && date.field_type == FieldType::Date,
            "{}",
            kind.id
        );
        assert!(
            title.required && title.field_type.is_textual(),
            "{}",
            kind.id
        );
    }
}

#[test]
fn header_matching_forgives_what_spreadsheets_do() {
    let facility = default_kind("facility");
    let key = |header: &str| facility.field_by_header(header).map(|f| f.key.as_str());
    assert_eq!(key("面积(平方米)"), Some("area"));
    assert_eq!(key("面积（平方米）"), Some("area"));
    assert_eq!(key(" 面积（平方米）* "), Some("area"));
    assert_eq!(key("面积 (平方米)"), Some("area"));
    assert_eq!(key("面积"), Some("area"));
    assert_eq!(key("长度"), Some("length_km"));
    assert_eq!(key("建成日期*"), Some("built_on"));
    assert_eq!(key("建成日期＊"), Some("built_on"));
    assert_eq!(key("\u{3000}名称\u{3000}"), Some("name"));
    assert_eq!(key("面积(公顷)"), None);
    assert_eq!(key(""), None);
    assert_eq!(key("*"), None);
    let project = default_kind("project");
    assert_eq!(
        project
            .field_by_header("总投资（亿元）*")
            .map(|f| f.key.as_str()),
        Some("investment")
    );
    assert_eq!(header_key(" 面积（平方米）* "), "面积(平方米)");

    let catalogue = Catalogue::default_catalogue();
    assert_eq!(
        catalogue.kind_by_sheet(" 会议台账 ").map(|k| k.id.as_str()),
        Some("meeting")
    );
    assert!(catalogue.kind_by_sheet("会议").is_none());
    assert!(
        catalogue.kind("会议台账").is_none(),
        "kind() looks up ids only"
    );
}

#[test]
fn json_round_trip_keeps_the_definition() {
    // Parks store their kinds as JSON; reading one back must give the same definition.
    for kind in Catalogue::default_catalogue().kinds {
        let json = serde_json::to_string(&kind).expect("serializes");
        let back: KindDef = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, kind);
    }
    let json = serde_json::to_value(default_kind("talk")).expect("serializes");
    assert_eq!(json["field"][4]["key"], "person_times");
    assert_eq!(json["field"][4]["default"], 1);
    assert_eq!(json["field"][0]["type"], "date");
    assert_eq!(json["field"][0]["required"], true);
    assert!(
        json["field"][6].get("required").is_none(),
        "false is left out"
    );
}

#[test]
fn a_minimal_catalogue_parses() {
    let catalogue = Catalogue::from_toml(MINIMAL).expect("valid");
    assert_eq!(catalogue.kinds.len(), 1);
    let added = Catalogue::from_toml(&with_field(
        "key = \"hours\"\nlabel = \"时长\"\ntype = \"decimal\"\nscale = 1\ndefault = 1.5",
    ))
    .expect("valid decimal default");
    let hours = added.kinds[0].field("hours").expect("hours");
    assert_eq!(
        crate::ledger::value::parse(hours, Raw::Empty),
        Ok(Some(Value::Decimal(1.5)))
    );
}

#[test]
fn syntax_errors_and_unknown_keys_are_refused() {
    assert!(matches!(
        refused("[[kind]\nid ="),
        CatalogueError::Syntax(_)
    ));
    let typo = with_field("key = \"x\"\nlabel = \"X\"\ntype = \"text\"\nrequried = true");
    let err = refused(&typo);
    assert!(
        matches!(&err, CatalogueError::Syntax(m) if m.contains("requried")),
        "{err}"
    );
    assert!(err.to_string().starts_with("台账目录格式错误："));
    let bad_type = with_field("key = \"x\"\nlabel = \"X\"\ntype = \"money\"");
    assert!(matches!(refused(&bad_type), CatalogueError::Syntax(_)));
    assert_eq!(refused(""), CatalogueError::NoKinds);
}

#[test]
fn kind_rules() {
    let err = refused(&MINIMAL.replace("id = \"meeting\"", "id = \"Meeting\""));
    assert_eq!(
        err.to_string(),
        "台账种类标识“Meeting”不合法：只能由小写英文字母、数字和单个下划线组成，并以字母开头"
    );
    let twice = format!("{MINIMAL}{}", MINIMAL.replace("会议台账", "其他台账"));
    assert_eq!(
        refused(&twice),
        CatalogueError::DuplicateKind {
            kind: "meeting".into()
        }
    );
    let same_sheet = format!(
        "{MINIMAL}{}",
        MINIMAL.replace("\"meeting\"", "\"meeting2\"")
    );
    let err = refused(&same_sheet);
    assert_eq!(
        err.to_string(),
        "台账种类“meeting2”与“meeting”使用了相同的工作表名“会议台账”"
    );
    assert!(matches!(
        refused(&MINIMAL.replace("会议台账", "会议/台账")),
        CatalogueError::InvalidSheetName { .. }
    ));
    assert!(matches!(
        refused(&MINIMAL.replace("会议台账", &"台".repeat(32))),
        CatalogueError::InvalidSheetName { .. }
    ));
    assert_eq!(
        refused(&MINIMAL.replace("name = \"会议\"", "name = \" \"")).to_string(),
        "台账种类“meeting”缺少中文名称（name）"
    );
    let no_fields = "[[kind]]\nid = \"x\"\nname = \"X\"\nsheet = \"X台账\"\ndate_field = \"d\"\ntitle_field = \"t\"\n";
    assert_eq!(
        refused(no_fields),
        CatalogueError::NoFields { kind: "x".into() }
    );
}

#[test]
fn field_rules() {
    let err = refused(&with_field(
        "key = \"topicCount\"\nlabel = \"议题数\"\ntype = \"integer\"",
    ));
    assert_eq!(
        err,
        CatalogueError::InvalidFieldKey {
            kind: "meeting".into(),
            key: "topicCount".into()
        }
    );
    for bad in ["1st", "a__b", "a_", "议题", "a-b", ""] {
        let text = with_field(&format!("key = \"{bad}\"\nlabel = \"X\"\ntype = \"text\""));
        assert!(
            matches!(refused(&text), CatalogueError::InvalidFieldKey { .. }),
            "{bad:?}"
        );
    }
    let err = refused(&with_field(
        "key = \"date\"\nlabel = \"日期2\"\ntype = \"date\"",
    ));
    assert_eq!(err.to_string(), "台账种类“meeting”的字段标识“date”重复");
    let err = refused(&with_field(
        "key = \"other\"\nlabel = \"日期（ ）\"\ntype = \"text\"\naliases = [\"会议名称*\"]",
    ));
    assert_eq!(
        err.to_string(),
        "台账种类“meeting”的字段“日期（ ）（other）”的列名或别名“会议名称*”与其他列重复"
    );
    assert!(matches!(
        refused(&with_field("key = \"x\"\nlabel = \" * \"\ntype = \"text\"")),
        CatalogueError::MissingLabel { .. }
    ));
}

#[test]
fn choice_scale_and_default_rules() {
    let err = refused(&with_field(
        "key = \"kind\"\nlabel = \"类型\"\ntype = \"choice\"",
    ));
    assert_eq!(
        err.to_string(),
        "台账种类“meeting”的字段“类型（kind）”是选项类型（choice），但没有列出可选值（choices）"
    );
    assert!(matches!(
        refused(&with_field(
            "key = \"x\"\nlabel = \"X\"\ntype = \"text\"\nchoices = [\"a\"]"
        )),
        CatalogueError::UnexpectedChoices { .. }
    ));
    assert!(matches!(
        refused(&with_field(
            "key = \"x\"\nlabel = \"X\"\ntype = \"choice\"\nchoices = [\"是\", \" 是\"]"
        )),
        CatalogueError::InvalidChoice { .. }
    ));
    assert!(matches!(
        refused(&with_field(
            "key = \"x\"\nlabel = \"X\"\ntype = \"integer\"\nscale = 2"
        )),
        CatalogueError::UnexpectedScale { .. }
    ));
    assert_eq!(
        refused(&with_field(
            "key = \"x\"\nlabel = \"X\"\ntype = \"decimal\"\nscale = 7"
        ))
        .to_string(),
        "台账种类“meeting”的字段“X（x）”的小数位数（scale）为 7，最多 6 位"
    );
    let err = refused(&with_field(
        "key = \"x\"\nlabel = \"人次\"\ntype = \"integer\"\ndefault = 1.5",
    ));
    assert_eq!(
            err.to_string(),
            "台账种类“meeting”的字段“人次（x）”的默认值（default）无效：“1.5”带有小数，此处只能填写整数"
        );
    let err = refused(&with_field(
            "key = \"x\"\nlabel = \"状态\"\ntype = \"choice\"\nchoices = [\"有效\", \"已撤销\"]\ndefault = \"有\"",
        ));
    assert!(matches!(
        err,
        CatalogueError::InvalidDefault {
            reason: ValueError::NotAChoice { .. },
            ..
        }
    ));
    let err = refused(&with_field(
        "key = \"x\"\nlabel = \"X\"\ntype = \"text\"\ndefault = \" \"",
    ));
    assert!(matches!(
        err,
        CatalogueError::InvalidDefault {
            reason: ValueError::Required,
            ..
        }
    ));
    assert!(Catalogue::from_toml(&with_field(
            "key = \"x\"\nlabel = \"状态\"\ntype = \"choice\"\nchoices = [\"有效\", \"已撤销\"]\ndefault = \"有效\"",
        ))
        .is_ok());
}

#[test]
fn role_field_rules() {
    let err = refused(&MINIMAL.replace("date_field = \"date\"", "date_field = \"day\""));
    assert_eq!(
        err.to_string(),
        "台账种类“meeting”的日期字段（date_field）指向不存在的字段“day”"
    );
    let err = refused(&MINIMAL.replace("date_field = \"date\"", "date_field = \"name\""));
    assert_eq!(
        err.to_string(),
        "台账种类“meeting”的日期字段（date_field）指向的字段“会议名称（name）”应为日期类型（date）"
    );
    let err = refused(&MINIMAL.replace("title_field = \"name\"", "title_field = \"date\""));
    assert!(matches!(err, CatalogueError::PointedFieldType { .. }));
    let optional_date = MINIMAL.replacen("required = true", "required = false", 1);
    assert_eq!(
            refused(&optional_date).to_string(),
            "台账种类“meeting”的日期字段（date_field）指向的字段“日期（date）”必须是必填项（required = true）"
        );
    let unit_as_text = MINIMAL.replace(
        "title_field = \"name\"",
        "title_field = \"name\"\nunit_field = \"name\"",
    );
    assert_eq!(
            refused(&unit_as_text).to_string(),
            "台账种类“meeting”的责任单位字段（unit_field）指向的字段“会议名称（name）”应为单位类型（unit）"
        );
    let enterprise = with_field("key = \"org\"\nlabel = \"企业\"\ntype = \"unit\"").replace(
        "title_field = \"name\"",
        "title_field = \"name\"\nenterprise_field = \"org\"",
    );
    assert!(matches!(
        refused(&enterprise),
        CatalogueError::PointedFieldType {
            pointer: "企业字段（enterprise_field）",
            ..
        }
    ));
}

#[test]
fn the_ledgers_requests_replaced_are_closed_even_in_a_park_stored_before_the_flag() {
    for id in ["enterprise_problem", "suggestion"] {
        let built_in = default_kind(id);
        let message = built_in.closed.clone().expect("closed");
        assert!(message.contains("企业诉求") && message.contains(&built_in.name));
        let stored = KindDef {
            closed: None,
            ..built_in
        };
        assert_eq!(stored.with_built_in_rules().closed, Some(message));
    }
    assert!(default_kind("meeting").closed.is_none());
}
