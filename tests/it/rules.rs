//! Rule checks over fixture parks built through the API: known gaps give exactly the expected
//! findings, no more and no fewer; rule files are refused at their line.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::{json, Value};
use taizhang::rules::{self, Finding, Rules};

use crate::helpers::year_of;
use crate::helpers::{id, TestApp};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// (rule, unit, period) of each finding, in the order given.
fn keys(findings: &[Finding]) -> Vec<(&str, &str, &str)> {
    findings
        .iter()
        .map(|f| (f.rule.as_str(), f.unit.as_str(), f.period.as_str()))
        .collect()
}

async fn people(app: &TestApp, token: &str, unit: i64, member_type: &str, n: usize) {
    for i in 0..n {
        let name = format!("{unit}-{member_type}-{i}");
        app.post_ok(
            token,
            "/api/v1/people",
            json!({"name": name, "unit_id": unit, "member_type": member_type}),
        )
        .await;
    }
}

async fn delete(app: &TestApp, token: &str, record: &Value) {
    let path = format!("/api/v1/records/{}", id(record));
    let (status, body) = app.call(Method::DELETE, &path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A meeting with attendance, or study and agenda counts.
async fn counted(
    app: &TestApp,
    token: &str,
    date: &str,
    kind: &str,
    unit: &str,
    f: Value,
) -> Value {
    let mut fields = json!({"date": date, "meeting_type": kind, "name": format!("{unit}{kind}"), "org_unit": unit});
    for (k, v) in f.as_object().unwrap() {
        fields[k] = v.clone();
    }
    app.post_ok(
        token,
        "/api/v1/records",
        json!({"kind": "meeting", "fields": fields}),
    )
    .await
}

/// The first five months of 2025 kept by the book, except for four known gaps up to April.
/// Returns the app, the office token and the ids of branch A's Jan/Feb 支委会 and 主题党日.
async fn park_with_gaps() -> (TestApp, String, Vec<i64>, Vec<i64>) {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    // Branch A: 5 full members of its own and 2 in its 党小组 make 7, so it must hold a 支委会.
    people(&app, &office, app.units.branch_a, "正式党员", 5).await;
    people(&app, &office, app.units.group_a1, "正式党员", 2).await;
    // Branch B: 6 full members, a probationary one and a non-member: no committee required.
    people(&app, &office, app.units.branch_b, "正式党员", 6).await;
    people(&app, &office, app.units.branch_b, "预备党员", 1).await;
    app.post_ok(
        &office,
        "/api/v1/people",
        json!({"name": "群众甲", "unit_id": app.units.branch_b}),
    )
    .await;

    let (a, b, g) = ("甲科技党支部", "乙制造党支部", "甲科技第一党小组");
    let mut committee = Vec::new();
    let mut theme = Vec::new();
    for month in 1..=4 {
        let date = format!("2025-{month:02}-10");
        if month != 3 {
            // Gap 1: no 支委会 in March.
            let m = app.meeting(&office, &date, "支部委员会", a).await;
            if month < 3 {
                committee.push(id(&m));
            }
            // Gap 2: A's March 主题党日 is held by its 党小组, which does not count for A.
            let m = app.meeting(&office, &date, "主题党日", a).await;
            if month < 3 {
                theme.push(id(&m));
            }
        } else {
            app.meeting(&office, &date, "主题党日", g).await;
        }
        app.meeting(&office, &date, "主题党日", b).await;
        app.meeting(&office, &date, "党小组会", g).await;
    }
    app.meeting(&office, "2025-02-20", "支部党员大会", a).await;
    app.meeting(&office, "2025-03-20", "党课", a).await;
    // Gap 3: B's only 党员大会 of Q1 was deleted.
    let deleted = app.meeting(&office, "2025-02-21", "支部党员大会", b).await;
    delete(&app, &office, &deleted).await;
    // Gap 4: B gives no 党课 in Q1; Q2's is not due before the quarter ends.
    // A meeting of the 党工委 and one of the service team are no branch's.
    app.meeting(&office, "2025-01-15", "党工委会议", "园区党工委")
        .await;
    app.meeting(&office, "2025-01-16", "支部委员会", "园小二服务团队")
        .await;
    (app, office, committee, theme)
}

#[tokio::test]
async fn known_gaps_give_exactly_the_expected_findings() {
    let (app, office, committee, theme) = park_with_gaps().await;
    let (a, b) = ("甲科技党支部", "乙制造党支部");
    let findings = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 5, 15))
        .await
        .unwrap();
    assert_eq!(
        keys(&findings),
        [
            ("branch_committee_monthly", a, "2025-03"),
            ("party_congress_quarterly", b, "2025-Q1"),
            ("party_lecture_quarterly", b, "2025-Q1"),
            ("theme_day_monthly", a, "2025-03"),
        ]
    );
    let f = &findings[0];
    assert!(
        f.evidence.starts_with(
            "2025年3月该支部无支部委员会记录；该季度其他月份的支部委员会：2025-01-10（记录#"
        ),
        "{}",
        f.evidence
    );
    assert_eq!(f.record_ids, committee);
    assert_eq!(f.article, "《中国共产党支部工作条例（试行）》第十二条");
    assert_eq!(
        findings[3].record_ids, theme,
        "the 党小组's meeting is not A's"
    );
    assert!(
        findings[2].evidence.contains("本年度其他季度也无党课记录"),
        "{}",
        findings[2].evidence
    );

    // April's last day ends April; the end of May ends May, when everything of May is missing.
    let by_april = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 4, 30))
        .await
        .unwrap();
    assert_eq!(keys(&by_april), keys(&findings));
    let by_may = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 5, 31))
        .await
        .unwrap();
    let may: Vec<_> = keys(&by_may)
        .into_iter()
        .filter(|k| k.2 == "2025-05")
        .collect();
    assert_eq!(
        may,
        [
            ("branch_committee_monthly", a, "2025-05"),
            ("group_meeting_monthly", "甲科技第一党小组", "2025-05"),
            ("theme_day_monthly", a, "2025-05"),
            ("theme_day_monthly", b, "2025-05"),
        ]
    );
    assert_eq!(by_may.len(), findings.len() + may.len());
    // Nothing of a year has ended before it starts.
    let before = rules::check(&app.db, app.park_id, year_of(2025), d(2024, 12, 31))
        .await
        .unwrap();
    assert!(before.is_empty());

    // A seventh full member gives B a committee, and with it four months without a 支委会.
    people(&app, &office, app.units.branch_b, "正式党员", 1).await;
    let findings = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 5, 15))
        .await
        .unwrap();
    let b_committee: Vec<_> = keys(&findings)
        .into_iter()
        .filter(|k| k.0 == "branch_committee_monthly" && k.1 == b)
        .map(|k| k.2)
        .collect();
    assert_eq!(b_committee, ["2025-01", "2025-02", "2025-03", "2025-04"]);
    assert_eq!(findings.len(), 8);
    assert!(findings[1]
        .evidence
        .contains("该季度其他月份也无支部委员会记录"));
}

#[tokio::test]
async fn participation_below_ninety_percent_is_found_and_ninety_is_not() {
    let mut app = TestApp::new().await;
    // Passwords set in June would be due by December; this test is about the rule.
    app.passwords_never_expire().await;
    // The year's meetings are recorded after they are held: the office records them at its end.
    app.state.clock = taizhang::web::Clock::Fixed(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 12, 31, 2, 0, 0).unwrap(),
    );
    let office = app.login("office").await;
    let (a, b, g) = ("甲科技党支部", "乙制造党支部", "甲科技第一党小组");
    let at = |expected: i64, attended: i64| json!({"expected": expected, "attended": attended});
    let a1 = counted(&app, &office, "2025-03-10", "主题党日", a, at(500, 450)).await;
    let a2 = counted(&app, &office, "2025-06-10", "党课", a, at(500, 449)).await;
    // A's 党小组 fills its own meetings; counted for A they would lift A to 909/1010 = 90.0%.
    counted(&app, &office, "2025-03-12", "党小组会", g, at(10, 10)).await;
    counted(&app, &office, "2025-03-10", "主题党日", b, at(500, 450)).await;
    counted(&app, &office, "2025-06-10", "支部委员会", b, at(500, 450)).await;
    // A deleted meeting would pull B down to 900/1100.
    let gone = counted(&app, &office, "2025-07-10", "党课", b, at(100, 0)).await;
    delete(&app, &office, &gone).await;
    // A meeting without attendance measures nothing.
    app.meeting(&office, "2025-08-10", "主题党日", b).await;

    let findings = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 12, 31))
        .await
        .unwrap();
    let low: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "participation_low")
        .collect();
    assert_eq!(low.len(), 1, "{low:?}");
    assert_eq!((low[0].unit.as_str(), low[0].period.as_str()), (a, "2025"));
    assert_eq!(low[0].record_ids, [id(&a1), id(&a2)]);
    assert!(
        low[0]
            .evidence
            .contains("实到人数 899 / 应到人数 1000 = 89.9%，低于 90%"),
        "{}",
        low[0].evidence
    );
    // Before the year ends its participation is not yet judged.
    let mid = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 12, 30))
        .await
        .unwrap();
    assert!(mid.iter().all(|f| f.rule != "participation_low"));
    let sentences = rules::summarize(&low.into_iter().cloned().collect::<Vec<_>>());
    assert_eq!(
        sentences,
        ["甲科技党支部存在会议参与率低于90%的情况（89.9%）"]
    );
}

#[tokio::test]
async fn study_below_half_the_agenda_is_found_and_half_is_not() {
    let mut app = TestApp::new().await;
    // Passwords set in June would be due by December; this test is about the rule.
    app.passwords_never_expire().await;
    // The year's meetings are recorded after they are held: the office records them at its end.
    app.state.clock = taizhang::web::Clock::Fixed(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 12, 31, 2, 0, 0).unwrap(),
    );
    let office = app.login("office").await;
    let c = "园区党工委";
    let work =
        |topics: i64, readings: i64| json!({"topic_count": topics, "reading_count": readings});
    // 2025: 4 readings to 10 items, and a study session's readings do not count for the 党工委会议.
    let m1 = counted(&app, &office, "2025-02-10", "党工委会议", c, work(6, 2)).await;
    let m2 = counted(&app, &office, "2025-09-10", "党工委会议", c, work(4, 2)).await;
    counted(
        &app,
        &office,
        "2025-09-11",
        "中心组学习",
        c,
        json!({"reading_count": 20}),
    )
    .await;
    // 2024: exactly half.
    counted(&app, &office, "2024-02-10", "党工委会议", c, work(10, 5)).await;

    let study = |findings: Vec<Finding>| -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| f.rule == "study_vs_work")
            .collect()
    };
    let found = study(
        rules::check(&app.db, app.park_id, year_of(2025), d(2025, 12, 31))
            .await
            .unwrap(),
    );
    assert_eq!(keys(&found), [("study_vs_work", c, "2025")]);
    assert_eq!(found[0].record_ids, [id(&m1), id(&m2)]);
    assert!(
        found[0]
            .evidence
            .contains("2025年党工委会议合计学习篇目数 4 / 议题数 10 = 40.0%，低于 50%"),
        "{}",
        found[0].evidence
    );
    let none = study(
        rules::check(&app.db, app.park_id, year_of(2024), d(2024, 12, 31))
            .await
            .unwrap(),
    );
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn summaries_and_the_command_line_speak_for_the_findings() {
    let (app, _office, _, _) = park_with_gaps().await;
    let findings = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 5, 15))
        .await
        .unwrap();
    assert_eq!(
        rules::summarize(&findings),
        [
            "甲科技党支部存在支委会未按月召开的情况（3月）",
            "乙制造党支部存在支部党员大会未按季度召开的情况（第1季度）",
            "乙制造党支部存在党课未按季度开展的情况（第1季度）",
            "甲科技党支部存在主题党日未按月开展的情况（3月）",
        ]
    );
    let by_may = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 5, 31))
        .await
        .unwrap();
    assert!(rules::summarize(&by_may).contains(
        &"2个支部存在主题党日未按月开展的情况（甲科技党支部：3月、5月；乙制造党支部：5月）"
            .to_string()
    ));

    let run = |args: &[&str]| app.command().args(args).output().unwrap();
    let out = run(&[
        "check",
        "--year",
        "2025",
        "--as-of",
        "2025年5月15日",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = String::from_utf8_lossy(&out.stdout);
    let at = |key: &str| raw.find(&format!("\"{key}\":")).unwrap();
    let order = [
        "findings",
        "rule",
        "unit",
        "period",
        "article",
        "evidence",
        "record_ids",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{raw}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json["findings"].as_array().unwrap();
    assert_eq!(json.as_object().unwrap().len(), 1);
    assert_eq!(items.len(), 4);
    let mut shape: Vec<&str> = items[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    shape.sort_unstable();
    assert_eq!(
        shape,
        [
            "article",
            "evidence",
            "period",
            "record_ids",
            "rule",
            "unit"
        ]
    );
    assert_eq!(items[0]["rule"], "branch_committee_monthly");
    assert_eq!(items[0]["unit"], "甲科技党支部");
    assert_eq!(items[0]["period"], "2025-03");
    assert_eq!(items[0]["record_ids"], json!(findings[0].record_ids));

    let out = run(&["check", "--year", "2025", "--as-of", "2025/5/15"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("支委会未按月召开（《中国共产党支部工作条例（试行）》第十二条）：1个支部共1个月\n  甲科技党支部 2025-03：2025年3月该支部无支部委员会记录"),
        "{text}"
    );

    let out = run(&["check", "--year", "2025", "--as-of", "五月中"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("截止日期（--as-of）“五月中”有误"), "{err}");
    let out = run(&["check", "--year", "2025", "--format", "xml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不支持的输出格式“xml”"));
}

const ONE_RULE: &str = r#"
[[rule]]
id = "theme_day_monthly"
title = "主题党日未按月开展"
article = "第十六条"
period = "month"
applies_to = { unit_type = "党支部" }
requires = { meeting_type = "主题党日", min_count = 1 }
"#;

#[test]
fn rule_files_are_refused_at_their_line() {
    let rules = Rules::from_toml(ONE_RULE).unwrap();
    assert_eq!(rules.rules.len(), 1);
    let refused = |from: &str, to: &str| {
        let text = ONE_RULE.replace(from, to);
        Rules::from_toml(&text).unwrap_err().to_string()
    };
    let err = refused("\"主题党日\"", "\"主题党课\"");
    assert!(err.starts_with("规则文件第 8 行："), "{err}");
    assert!(
        err.contains("会议类型“主题党课”不是会议台账的可选值"),
        "{err}"
    );
    let err = refused("\"党支部\" }", "\"党分部\" }");
    assert!(err.starts_with("规则文件第 7 行："), "{err}");
    assert!(
        err.contains("单位类型“党分部”不存在，最接近的是“党支部”"),
        "{err}"
    );
    let err = refused("\"month\"", "\"week\"");
    assert!(err.starts_with("规则文件第 6 行："), "{err}");
    assert!(err.contains("周期“week”无效"), "{err}");
    let err = refused("period", "periode");
    assert!(
        err.starts_with("规则文件第 6 行：不认识的键“periode”"),
        "{err}"
    );
    let err = refused("min_count = 1", "min_count = 0");
    assert!(err.contains("最少次数（min_count）应为正整数"), "{err}");
    let err = refused(
        "meeting_type = \"主题党日\", min_count = 1",
        "numerator = \"attended\"",
    );
    assert!(err.contains("比例要求缺少分母"), "{err}");
    let twice = format!("{ONE_RULE}{ONE_RULE}");
    let err = Rules::from_toml(&twice).unwrap_err().to_string();
    assert!(
        err.starts_with("规则文件第 11 行：规则标识“theme_day_monthly”重复"),
        "{err}"
    );
}

/// The report's problems section is drafted from the rule findings, grouped into sentences.
#[tokio::test]
async fn the_report_drafts_its_problems_section_from_the_findings() {
    let app = TestApp::new().await;
    let token = app.login("office").await;
    app.meeting(&token, "2025-01-10", "主题党日", "甲科技党支部")
        .await;
    let out = app
        .command()
        .args(["report", "--year", "2025", "--format", "md"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let problems = text
        .split("存在的问题及原因分析")
        .nth(1)
        .unwrap_or_default();
    assert!(
        problems.contains("2个支部存在主题党日未按月开展的情况"),
        "{problems}"
    );
    assert!(problems.contains("甲科技党支部：2月、3月"), "{problems}");
    assert!(!problems.contains("未发现问题"), "{problems}");
}
