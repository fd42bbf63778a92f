//! Unit tests of `value.rs`.

use super::*;
use crate::ledger::catalogue::{Catalogue, DefaultValue};
use chrono::NaiveDate;

fn field(field_type: FieldType) -> FieldDef {
    FieldDef {
        key: "f".to_owned(),
        label: "字段".to_owned(),
        field_type,
        required: false,
        choices: Vec::new(),
        default: None,
        scale: None,
        aliases: Vec::new(),
        set_by: Vec::new(),
    }
}

fn labelled(field_type: FieldType, label: &str, scale: Option<u32>) -> FieldDef {
    FieldDef {
        label: label.to_owned(),
        scale,
        ..field(field_type)
    }
}

fn meeting_type() -> FieldDef {
    let catalogue = Catalogue::default_catalogue();
    let meeting = catalogue.kind("meeting").expect("meeting kind");
    meeting.field("meeting_type").expect("meeting_type").clone()
}

fn text(f: &FieldDef, input: &str) -> Result<Option<Value>, ValueError> {
    parse(f, Raw::Text(input))
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).expect("valid test date"))
}

#[test]
fn normalize_text_trims_and_folds_full_width() {
    assert_eq!(
        normalize_text("\u{3000} ２０２４．３．５ \u{3000}"),
        "2024.3.5"
    );
    assert_eq!(normalize_text("面积（平方米）＊"), "面积(平方米)*");
    assert_eq!(normalize_text("\u{FEFF}\u{200B}党课\t\n"), "党课");
    assert_eq!(normalize_text("１，２００－／ＡＢｃ"), "1,200-/ABc");
    // Interior full-width spaces become ordinary spaces, they are not dropped.
    assert_eq!(normalize_text("党\u{3000}课"), "党 课");
    assert_eq!(normalize_text(""), "");
}

#[test]
fn empty_optional_required_and_default() {
    let optional = field(FieldType::Integer);
    assert_eq!(parse(&optional, Raw::Empty), Ok(None));
    assert_eq!(text(&optional, " \u{3000} "), Ok(None));

    let required = FieldDef {
        required: true,
        ..field(FieldType::Text)
    };
    assert_eq!(parse(&required, Raw::Empty), Err(ValueError::Required));
    assert_eq!(text(&required, "\u{3000}"), Err(ValueError::Required));
    assert_eq!(ValueError::Required.to_string(), "必填项不能为空");

    let person_times = FieldDef {
        default: Some(DefaultValue::Integer(1)),
        ..field(FieldType::Integer)
    };
    assert_eq!(
        parse(&person_times, Raw::Empty),
        Ok(Some(Value::Integer(1)))
    );
    assert_eq!(text(&person_times, "  "), Ok(Some(Value::Integer(1))));
    assert_eq!(text(&person_times, "3"), Ok(Some(Value::Integer(3))));
}

#[test]
fn dates_in_the_spellings_people_type() {
    let f = field(FieldType::Date);
    let march5 = Some(date(2024, 3, 5));
    for input in [
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024/03/05",
        "2024.3.5",
        "2024.03.05",
        "2024年3月5日",
        "2024年03月05日",
        "2024年3月5号",
        "20240305",
        "2024-03-05 10:00",
        "2024-03-05 10:00:59",
        "2024/3/5 8:05",
        "2024-03-05T10:00:00",
        " 2024-03-05 ",
        "\u{3000}２０２４－０３－０５\u{3000}",
        "２０２４年３月５日",
        "2024／3／5",
        "2024．3．5",
        "45356",
    ] {
        assert_eq!(text(&f, input), Ok(march5.clone()), "input {input:?}");
    }
}

#[test]
fn excel_serials_use_the_1900_date_system() {
    let f = field(FieldType::Date);
    assert_eq!(parse(&f, Raw::Number(45658.0)), Ok(Some(date(2025, 1, 1))));
    assert_eq!(text(&f, "45658"), Ok(Some(date(2025, 1, 1))));
    // The fraction is the time of day and does not move the date.
    assert_eq!(parse(&f, Raw::Number(45658.75)), Ok(Some(date(2025, 1, 1))));
    assert_eq!(text(&f, "45658.75"), Ok(Some(date(2025, 1, 1))));
    assert_eq!(parse(&f, Raw::Number(1.0)), Ok(Some(date(1900, 1, 1))));
    assert_eq!(parse(&f, Raw::Number(59.0)), Ok(Some(date(1900, 2, 28))));
    assert_eq!(parse(&f, Raw::Number(61.0)), Ok(Some(date(1900, 3, 1))));
    // Serial 60 is Lotus 1-2-3's nonexistent 1900-02-29.
    assert!(matches!(
        parse(&f, Raw::Number(60.0)),
        Err(ValueError::InvalidDate { .. })
    ));
    assert_eq!(parse(&f, Raw::Number(45828.0)), Ok(Some(date(2025, 6, 20))));
    // A date typed as 20240305 into a number cell.
    assert_eq!(
        parse(&f, Raw::Number(20240305.0)),
        Ok(Some(date(2024, 3, 5)))
    );
    assert!(matches!(
        parse(&f, Raw::Number(0.0)),
        Err(ValueError::InvalidDate { .. })
    ));
    assert!(matches!(
        parse(&f, Raw::Number(-5.0)),
        Err(ValueError::InvalidDate { .. })
    ));
    assert!(matches!(
        parse(&f, Raw::Number(f64::NAN)),
        Err(ValueError::InvalidDate { .. })
    ));
    // 2958465 is 9999-12-31: a real serial, but far outside any ledger's years.
    assert_eq!(
        parse(&f, Raw::Number(2_958_465.0)),
        Err(ValueError::DateOutOfRange {
            input: "2958465".to_owned()
        })
    );
}

#[test]
fn date_time_cells_keep_the_date() {
    let f = field(FieldType::Date);
    let dt = NaiveDate::from_ymd_opt(2025, 6, 11)
        .and_then(|d| d.and_hms_opt(14, 30, 0))
        .expect("valid test datetime");
    assert_eq!(parse(&f, Raw::DateTime(dt)), Ok(Some(date(2025, 6, 11))));
    let old = NaiveDate::from_ymd_opt(1850, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid test datetime");
    assert_eq!(
        parse(&f, Raw::DateTime(old)),
        Err(ValueError::DateOutOfRange {
            input: "1850-01-01".to_owned()
        })
    );
}

#[test]
fn bad_dates_quote_the_input_and_give_an_example() {
    let f = field(FieldType::Date);
    let err = text(&f, "2024-13-45").expect_err("month 13");
    assert_eq!(
        err.to_string(),
        "日期“2024-13-45”不存在：月份应在 1 至 12 之间"
    );
    // A date that reads as one but is not in the calendar says which day is missing.
    for (input, month, day) in [
        ("2025/4/31", 4, 31),
        ("2024-02-30", 2, 30),
        ("2023年2月29日", 2, 29),
    ] {
        let err = text(&f, input).expect_err(input);
        assert_eq!(
            err,
            ValueError::NoSuchDay {
                input: input.to_owned(),
                month,
                day
            }
        );
        assert_eq!(
            err.to_string(),
            format!("日期“{input}”不存在：{month}月没有{day}日")
        );
    }
    for input in [
        "3/5/2024",
        "24/3/5",
        "2024-03",
        "2024年3月",
        "2024-03/05",
        "2024-03-05 25:00",
        "2024-03-05 上午",
        "明天",
        "12",
        "2024030",
        "2024-03-05-01",
        "--",
        "年月日",
        "2024年",
    ] {
        assert_eq!(
            text(&f, input),
            Err(ValueError::InvalidDate {
                input: input.to_owned()
            }),
            "input {input:?}"
        );
    }
    assert_eq!(
        text(&f, "0224-03-05"),
        Err(ValueError::DateOutOfRange {
            input: "0224-03-05".to_owned()
        })
    );
    assert_eq!(
        text(&f, "2024年2月29日"),
        Ok(Some(date(2024, 2, 29))),
        "2024 is a leap year"
    );
    // The message quotes what was typed, not the normalized form.
    assert_eq!(
        text(&f, " ２０２４－１３－０１ "),
        Err(ValueError::NoSuchMonth {
            input: "２０２４－１３－０１".to_owned()
        })
    );
    assert!(matches!(
        parse(&f, Raw::Bool(true)),
        Err(ValueError::InvalidDate { .. })
    ));
}

#[test]
fn booleans() {
    let f = field(FieldType::Bool);
    for yes in [
        "是", " 是", "Y", "y", "yes", "√", "✓", "1", "true", "TRUE", "有", "Ｙ", "１",
    ] {
        assert_eq!(text(&f, yes), Ok(Some(Value::Bool(true))), "{yes:?}");
    }
    for no in ["否", "N", "n", "NO", "×", "0", "false", "False", "无", "０"] {
        assert_eq!(text(&f, no), Ok(Some(Value::Bool(false))), "{no:?}");
    }
    assert_eq!(parse(&f, Raw::Bool(true)), Ok(Some(Value::Bool(true))));
    assert_eq!(parse(&f, Raw::Number(1.0)), Ok(Some(Value::Bool(true))));
    assert_eq!(parse(&f, Raw::Number(0.0)), Ok(Some(Value::Bool(false))));
    assert_eq!(
        parse(&f, Raw::Number(2.0)),
        Err(ValueError::InvalidBool {
            input: "2".to_owned()
        })
    );
    let err = text(&f, "也许").expect_err("not a yes/no word");
    assert_eq!(err.to_string(), "无法识别的是否值“也许”，请填写“是”或“否”");
}

#[test]
fn integers() {
    let f = labelled(FieldType::Integer, "应到人数", None);
    let cases = [
        ("12", 12),
        (" 12 ", 12),
        ("12人", 12),
        ("12 人", 12),
        ("3人次", 3),
        ("1,200", 1200),
        ("1,234,567", 1_234_567),
        ("１２", 12),
        ("１，２００", 1200),
        ("12.0", 12),
        ("12.00", 12),
        ("+7", 7),
        ("0", 0),
        ("-0", 0),
        ("007", 7),
    ];
    for (input, expected) in cases {
        assert_eq!(
            text(&f, input),
            Ok(Some(Value::Integer(expected))),
            "{input:?}"
        );
    }
    assert_eq!(parse(&f, Raw::Number(12.0)), Ok(Some(Value::Integer(12))));
    assert_eq!(
        parse(&f, Raw::Number(11.999_999_999_999)),
        Ok(Some(Value::Integer(12))),
        "binary noise of a formula cell is absorbed"
    );
}

#[test]
fn integer_errors() {
    let f = labelled(FieldType::Integer, "应到人数", None);
    assert_eq!(
        parse(&f, Raw::Number(12.5)),
        Err(ValueError::FractionalInteger {
            input: "12.5".to_owned()
        })
    );
    assert_eq!(
        text(&f, "12.5"),
        Err(ValueError::FractionalInteger {
            input: "12.5".to_owned()
        })
    );
    assert_eq!(
        ValueError::FractionalInteger {
            input: "12.5".to_owned()
        }
        .to_string(),
        "“12.5”带有小数，此处只能填写整数"
    );
    assert_eq!(
        text(&f, "-3"),
        Err(ValueError::Negative {
            input: "-3".to_owned()
        })
    );
    assert_eq!(
        parse(&f, Raw::Number(-3.0)),
        Err(ValueError::Negative {
            input: "-3".to_owned()
        })
    );
    assert_eq!(
        text(&f, "1.2万"),
        Err(ValueError::MagnitudeWord {
            input: "1.2万".to_owned()
        })
    );
    assert_eq!(
        text(&f, "50余人"),
        Err(ValueError::MagnitudeWord {
            input: "50余人".to_owned()
        })
    );
    for input in [
        "abc", "十二", "12abc", "1,2", "1,2000", ",200", "1.2.3", "约50", "+", "-", ".",
    ] {
        assert_eq!(
            text(&f, input),
            Err(ValueError::InvalidInteger {
                input: input.to_owned()
            }),
            "{input:?}"
        );
    }
    assert_eq!(
        text(&f, "1000000000000000"),
        Err(ValueError::TooLarge {
            input: "1000000000000000".to_owned()
        })
    );
    assert!(matches!(
        parse(&f, Raw::Number(1e20)),
        Err(ValueError::TooLarge { .. })
    ));
    assert!(matches!(
        parse(&f, Raw::Number(f64::INFINITY)),
        Err(ValueError::InvalidInteger { .. })
    ));
    assert_eq!(
        text(&f, "999999999999999"),
        Ok(Some(Value::Integer(999_999_999_999_999)))
    );
}

#[test]
fn decimals_round_to_the_field_scale() {
    let area = labelled(FieldType::Decimal, "面积(平方米)", Some(2));
    assert_eq!(text(&area, "8,300"), Ok(Some(Value::Decimal(8300.0))));
    assert_eq!(text(&area, "8300平方米"), Ok(Some(Value::Decimal(8300.0))));
    assert_eq!(text(&area, "8300㎡"), Ok(Some(Value::Decimal(8300.0))));
    assert_eq!(text(&area, "1234.567"), Ok(Some(Value::Decimal(1234.57))));
    assert_eq!(text(&area, "．5"), Ok(Some(Value::Decimal(0.5))));
    assert_eq!(
        parse(&area, Raw::Number(5200.0)),
        Ok(Some(Value::Decimal(5200.0)))
    );
    assert_eq!(
        text(&area, "-0.001"),
        Ok(Some(Value::Decimal(0.0))),
        "rounds to zero, not to a negative zero"
    );

    let length = labelled(FieldType::Decimal, "长度（公里）", Some(1));
    assert_eq!(text(&length, "9.8"), Ok(Some(Value::Decimal(9.8))));
    assert_eq!(text(&length, "9.8公里"), Ok(Some(Value::Decimal(9.8))));
    assert_eq!(text(&length, "9.8km"), Ok(Some(Value::Decimal(9.8))));
    assert_eq!(text(&length, "９．８４"), Ok(Some(Value::Decimal(9.8))));
    assert_eq!(
        parse(&length, Raw::Number(3.26)),
        Ok(Some(Value::Decimal(3.3)))
    );
    assert_eq!(
        text(&length, "500米"),
        Err(ValueError::WrongUnit {
            input: "500米".to_owned(),
            unit: "公里".to_owned()
        })
    );
    assert_eq!(
        ValueError::WrongUnit {
            input: "500米".to_owned(),
            unit: "公里".to_owned()
        }
        .to_string(),
        "“500米”的单位与本列不符，本列的单位是“公里”"
    );

    let investment = labelled(FieldType::Decimal, "总投资(亿元)", Some(2));
    assert_eq!(
        text(&investment, "12.5亿元"),
        Ok(Some(Value::Decimal(12.5)))
    );
    assert_eq!(text(&investment, "12.5亿"), Ok(Some(Value::Decimal(12.5))));
    assert_eq!(
        text(&investment, "12.5万元"),
        Err(ValueError::MagnitudeWord {
            input: "12.5万元".to_owned()
        })
    );

    let plain = field(FieldType::Decimal);
    assert_eq!(plain.scale(), 2, "the default scale");
    assert_eq!(text(&plain, "1.23456"), Ok(Some(Value::Decimal(1.23))));
    assert_eq!(
        text(&plain, "9,8"),
        Err(ValueError::InvalidNumber {
            input: "9,8".to_owned()
        })
    );
    assert_eq!(
        text(&plain, "-1.5"),
        Err(ValueError::Negative {
            input: "-1.5".to_owned()
        })
    );
    assert_eq!(
        text(&plain, "9.8 km"),
        Err(ValueError::InvalidNumber {
            input: "9.8 km".to_owned()
        }),
        "a Latin unit is only understood where the header names it"
    );
    assert!(matches!(
        parse(&plain, Raw::Number(f64::NAN)),
        Err(ValueError::InvalidNumber { .. })
    ));
    assert!(matches!(
        text(&plain, "12345678901234567.5"),
        Err(ValueError::TooLarge { .. })
    ));
}

#[test]
fn choices_match_after_folding() {
    let f = meeting_type();
    assert_eq!(
        text(&f, " 党工委会议"),
        Ok(Some(Value::Text("党工委会议".to_owned())))
    );
    assert_eq!(
        text(&f, "\u{3000}第一议题学习\u{3000}"),
        Ok(Some(Value::Text("第一议题学习".to_owned())))
    );
    let fullwidth = FieldDef {
        choices: vec!["A类".to_owned(), "B类".to_owned()],
        ..field(FieldType::Choice)
    };
    assert_eq!(
        text(&fullwidth, "Ａ类"),
        Ok(Some(Value::Text("A类".to_owned())))
    );
}

#[test]
fn unknown_choice_names_the_nearest_allowed_value() {
    let f = meeting_type();
    let err = text(&f, "党工委会").expect_err("not an allowed value");
    assert_eq!(
        err,
        ValueError::NotAChoice {
            input: "党工委会".to_owned(),
            nearest: Some("党工委会议".to_owned()),
            choices: f.choices.clone(),
        }
    );
    assert_eq!(
            err.to_string(),
            "“党工委会”不是可选值，最接近的是“党工委会议”；可选值：党工委会议、支部党员大会、支部委员会、党小组会、党课、主题党日、中心组学习、第一议题学习、专题研讨、组织生活会、民主评议党员、座谈会、其他"
        );
    let status = FieldDef {
        choices: vec![
            "待办理".into(),
            "办理中".into(),
            "已办结".into(),
            "已采纳".into(),
        ],
        ..field(FieldType::Choice)
    };
    assert!(matches!(
        text(&status, "已办"),
        Err(ValueError::NotAChoice { nearest: Some(n), .. }) if n == "已办结"
    ));
    let err = text(&status, "xyz").expect_err("nothing close");
    assert!(matches!(&err, ValueError::NotAChoice { nearest: None, .. }));
    assert_eq!(
        err.to_string(),
        "“xyz”不是可选值；可选值：待办理、办理中、已办结、已采纳"
    );
}

#[test]
fn text_kinds_are_trimmed_and_limited() {
    for field_type in [
        FieldType::Text,
        FieldType::Unit,
        FieldType::Enterprise,
        FieldType::Person,
    ] {
        let f = field(field_type);
        assert_eq!(
            text(&f, "\u{3000} 示例新材科技有限公司党支部 "),
            Ok(Some(Value::Text("示例新材科技有限公司党支部".to_owned())))
        );
        let long = "字".repeat(TEXT_MAX_CHARS + 1);
        assert_eq!(
            text(&f, &long),
            Err(ValueError::TooLong { len: 201, max: 200 })
        );
        assert!(text(&f, &"字".repeat(TEXT_MAX_CHARS)).is_ok());
    }
    let f = field(FieldType::Longtext);
    assert_eq!(
        text(&f, "第一行\n第二行"),
        Ok(Some(Value::Text("第一行\n第二行".to_owned())))
    );
    assert!(text(&f, &"字".repeat(LONGTEXT_MAX_CHARS)).is_ok());
    let err = text(&f, &"字".repeat(LONGTEXT_MAX_CHARS + 1)).expect_err("too long");
    assert_eq!(err.to_string(), "内容过长：共 5001 个字，最多 5000 个字");
    assert_eq!(text(&f, "a\u{0}b"), Err(ValueError::ControlCharacter));

    // Cells of another type keep their usual spelling in a text column.
    let doc_number = field(FieldType::Text);
    assert_eq!(
        parse(&doc_number, Raw::Number(12.0)),
        Ok(Some(Value::Text("12".to_owned())))
    );
    assert_eq!(
        parse(&doc_number, Raw::Bool(false)),
        Ok(Some(Value::Text("否".to_owned())))
    );
}

#[test]
fn json_round_trip_and_display() {
    let d = date(2024, 3, 5);
    assert_eq!(d.to_json(), serde_json::json!("2024-03-05"));
    assert_eq!(d.display(), "2024-03-05");
    assert_eq!(Value::Bool(true).display(), "是");
    assert_eq!(Value::Bool(false).display(), "否");
    assert_eq!(Value::Bool(false).to_json(), serde_json::json!(false));
    assert_eq!(Value::Integer(1200).to_json(), serde_json::json!(1200));
    assert_eq!(Value::Integer(1200).display(), "1200");
    assert_eq!(Value::Decimal(9.8).to_json(), serde_json::json!(9.8));
    assert_eq!(Value::Decimal(8300.0).display(), "8300");
    assert_eq!(Value::Decimal(9.8).display(), "9.8");
    assert_eq!(
        Value::Text("党课".into()).to_json(),
        serde_json::json!("党课")
    );

    let date_field = field(FieldType::Date);
    assert_eq!(
        Value::from_json(&date_field, &d.to_json()),
        Ok(Some(d.clone()))
    );
    let int_field = field(FieldType::Integer);
    assert_eq!(
        Value::from_json(&int_field, &serde_json::json!(12)),
        Ok(Some(Value::Integer(12)))
    );
    assert_eq!(
        Value::from_json(&int_field, &serde_json::json!("1,200人")),
        Ok(Some(Value::Integer(1200)))
    );
    assert_eq!(
        Value::from_json(&int_field, &serde_json::Value::Null),
        Ok(None)
    );
    assert_eq!(
        Value::from_json(&int_field, &serde_json::json!([1])),
        Err(ValueError::NotAScalar)
    );
    let bool_field = field(FieldType::Bool);
    assert_eq!(
        Value::from_json(&bool_field, &serde_json::json!(true)),
        Ok(Some(Value::Bool(true)))
    );
    assert_eq!(
        Value::from_json(&bool_field, &serde_json::json!("√")),
        Ok(Some(Value::Bool(true)))
    );
    let decimal_field = field(FieldType::Decimal);
    assert_eq!(
        Value::from_json(&decimal_field, &Value::Decimal(9.8).to_json()),
        Ok(Some(Value::Decimal(9.8)))
    );
}

#[test]
fn accessors() {
    assert_eq!(Value::Integer(3).as_f64(), Some(3.0));
    assert_eq!(Value::Decimal(2.5).as_f64(), Some(2.5));
    assert_eq!(Value::Integer(3).as_i64(), Some(3));
    assert_eq!(Value::Decimal(2.5).as_i64(), None);
    assert_eq!(Value::Text("x".into()).as_str(), Some("x"));
    assert_eq!(Value::Bool(true).as_bool(), Some(true));
    assert_eq!(
        date(2024, 3, 5).as_date(),
        NaiveDate::from_ymd_opt(2024, 3, 5)
    );
    assert_eq!(Value::Bool(true).as_date(), None);
}

#[test]
fn long_input_is_shortened_in_messages() {
    let f = field(FieldType::Date);
    let input = "x".repeat(1000);
    let Err(ValueError::InvalidDate { input: quoted }) = text(&f, &input) else {
        panic!("expected InvalidDate");
    };
    assert_eq!(quoted.chars().count(), QUOTE_MAX_CHARS + 1);
    assert!(quoted.ends_with('…'));
}

#[test]
fn hostile_input_never_panics() {
    let long_inputs = [
        "9".repeat(400),
        "1,".repeat(300),
        ".".repeat(50),
        "-".repeat(50),
        "年".repeat(20),
    ];
    let short_inputs = [
        "",
        "\u{0}",
        "\u{FEFF}",
        "𝟙𝟚𝟛",
        "١٢٣",
        "2024年年3月月5日日",
        "2024-03-05T",
        "T",
        "2024-03-05 ",
        "45658.",
        "99999.9",
        "1e308",
        "NaN",
        "inf",
        "🎉🎉🎉",
        "\u{202E}2024-03-05",
        "２０２４年１３月４５日",
        "99999999",
        "00000000",
        "+-1",
        "1.2.3.4.5",
        "((()))",
        "0551-",
        "Ｔ",
    ];
    let hostile: Vec<&str> = short_inputs
        .into_iter()
        .chain(long_inputs.iter().map(String::as_str))
        .collect();
    let numbers = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        -0.0,
        1e-300,
        99_999_999.0,
        2_958_466.0,
    ];
    let mut choice = field(FieldType::Choice);
    choice.choices = vec!["是".into(), "否".into()];
    let fields = [
        field(FieldType::Text),
        field(FieldType::Longtext),
        field(FieldType::Integer),
        labelled(FieldType::Decimal, "面积(平方米)", Some(2)),
        labelled(FieldType::Decimal, "(", Some(9)),
        field(FieldType::Date),
        field(FieldType::Bool),
        choice,
        field(FieldType::Unit),
    ];
    let mut outcomes = 0;
    for f in &fields {
        for input in &hostile {
            let _ = text(f, input);
            outcomes += 1;
        }
        for x in numbers {
            let _ = parse(f, Raw::Number(x));
            outcomes += 1;
        }
    }
    assert_eq!(outcomes, fields.len() * (hostile.len() + numbers.len()));
    // A few of these have definite answers worth pinning down.
    let date_field = field(FieldType::Date);
    assert!(text(&date_field, "00000000").is_err());
    assert!(text(&date_field, "99999999").is_err());
    assert!(parse(&date_field, Raw::Number(99_999_999.0)).is_err());
    let int_field = field(FieldType::Integer);
    assert!(matches!(
        text(&int_field, &"9".repeat(400)),
        Err(ValueError::TooLarge { .. })
    ));
    assert!(text(&int_field, "𝟙𝟚𝟛").is_err());
}
