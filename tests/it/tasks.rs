//! Annual plans and tasks: exact statuses, roll-ups, metrics and `task_overdue` findings of a
//! fixture with known tasks; the 工作清单 import and its errors; roles and scope.

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use crate::api_records::multipart;
use crate::helpers::{id, TestApp};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The fixture's task ids by 序号.
struct Fixture {
    plan: i64,
    top: i64,
    a: i64,
    b: i64,
    group: i64,
    team: i64,
}

/// A 2025 工作清单 (today is 2025-06-15):
/// 1   党工委 2025-01-01..2025-12-31, not started
/// 1.1 甲科技党支部, due 03-31, done 03-20 (on time)
/// 1.2 乙制造党支部, due 04-30, 40% (overdue)
/// 1.3 甲科技第一党小组, due 05-31, done 06-10 (late)
/// 2   园小二服务团队, due 09-30, not started
async fn fixture(app: &TestApp, office: &str) -> Fixture {
    let plan = id(&app
        .post_ok(
            office,
            "/api/v1/plans",
            json!({"year": 2025, "plan_kind": "task_list", "title": "2025年党建工作清单", "doc_number": "园党工委〔2025〕2号"}),
        )
        .await);
    let u = app.units;
    let task = |seq: &'static str,
                parent: Option<i64>,
                unit: i64,
                start: Option<&'static str>,
                deadline: &'static str| {
        let body = json!({"plan_id": plan, "parent_id": parent, "seq": seq, "content": format!("任务{seq}"),
                          "unit_id": unit, "start_on": start, "deadline": deadline,
                          "cooperating_unit_ids": [u.service_team]});
        async move { id(&app.post_ok(office, "/api/v1/tasks", body).await) }
    };
    let top = task("1", None, u.committee, Some("2025-01-01"), "2025-12-31").await;
    let a = task("1.1", Some(top), u.branch_a, None, "2025-03-31").await;
    let b = task("1.2", Some(top), u.branch_b, None, "2025-04-30").await;
    let group = task("1.3", Some(top), u.group_a1, None, "2025-05-31").await;
    let team = task("2", None, u.service_team, None, "2025-09-30").await;
    let progress = |t: i64, body: Value| async move {
        app.post_ok(office, &format!("/api/v1/tasks/{t}/progress"), body)
            .await
    };
    progress(
        a,
        json!({"percent": 100, "status": "已完成", "note": "已完成", "reported_on": "2025-03-20"}),
    )
    .await;
    progress(
        b,
        json!({"percent": 40, "note": "推进中", "reported_on": "2025-04-10"}),
    )
    .await;
    progress(
        group,
        json!({"status": "done", "note": "完成", "reported_on": "2025-06-10"}),
    )
    .await;
    Fixture {
        plan,
        top,
        a,
        b,
        group,
        team,
    }
}

#[tokio::test]
async fn statuses_roll_ups_metrics_and_overdue_findings_are_exact() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;

    let (status, tree) = app.get(&office, &format!("/api/v1/plans/{}", f.plan)).await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    let rows: Vec<(i64, u64, String, i64)> = tree["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["depth"].as_u64().unwrap(),
                t["shown_status"].as_str().unwrap().to_string(),
                t["rolled_progress"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (f.top, 0, "not_started".into(), 80),
            (f.a, 1, "done".into(), 100),
            (f.b, 1, "overdue".into(), 40),
            (f.group, 1, "done".into(), 100),
            (f.team, 0, "not_started".into(), 0),
        ]
    );
    assert_eq!(tree["progress"], 40);
    assert_eq!(tree["tasks"][2]["shown_label"], "已逾期");
    assert_eq!(
        tree["tasks"][0]["cooperating_units"],
        json!(["园小二服务团队"])
    );
    let b_unit = tree["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == app.units.branch_b)
        .unwrap();
    assert_eq!(
        (
            b_unit["tasks"].as_i64(),
            b_unit["overdue"].as_i64(),
            b_unit["progress"].as_i64()
        ),
        (Some(1), Some(1), Some(40))
    );

    let (_, overdue) = app
        .get(&office, "/api/v1/tasks?year=2025&overdue=true")
        .await;
    let ids: Vec<i64> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(ids, vec![f.b]);

    // Metrics of the report year.
    let metrics = taizhang::report::compute::compute_all(&app.db, app.park_id, 2025)
        .await
        .unwrap();
    let value = |m: &str| metrics.get(m).unwrap().clone();
    assert_eq!(
        value("tasks_decomposed").value,
        taizhang::report::compute::Number::Int(3)
    );
    assert_eq!(value("tasks_decomposed").records, vec![f.a, f.b, f.group]);
    assert_eq!(
        value("tasks_completed_on_time").value,
        taizhang::report::compute::Number::Int(1)
    );
    assert_eq!(value("tasks_completed_on_time").records, vec![f.a]);
    assert_eq!(
        value("tasks_on_time_rate").value,
        taizhang::report::compute::Number::Float(20.0)
    );

    // task_overdue as of the check date: on 06-05 the 党小组's task (done 06-10) was overdue too.
    let overdue_units = |as_of: NaiveDate| {
        let db = app.db.clone();
        let park = app.park_id;
        async move {
            taizhang::rules::check(&db, park, 2025, as_of)
                .await
                .unwrap()
                .into_iter()
                .filter(|f| f.rule == "task_overdue")
                .map(|f| (f.unit, f.period, f.evidence))
                .collect::<Vec<_>>()
        }
    };
    let on_15 = overdue_units(d(2025, 6, 15)).await;
    assert_eq!(on_15.len(), 1, "{on_15:?}");
    assert_eq!(
        (on_15[0].0.as_str(), on_15[0].1.as_str()),
        ("乙制造党支部", "2025")
    );
    assert!(
        on_15[0].2.contains("1.2 任务1.2（完成时限 2025-04-30"),
        "{}",
        on_15[0].2
    );
    let on_05: Vec<String> = overdue_units(d(2025, 6, 5))
        .await
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(on_05, vec!["甲科技第一党小组", "乙制造党支部"]);
    assert!(overdue_units(d(2025, 3, 31)).await.is_empty());
    let sentences = taizhang::rules::summarize(
        &taizhang::rules::check(&app.db, app.park_id, 2025, d(2025, 6, 5))
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.rule == "task_overdue")
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        sentences,
        vec!["2个单位存在年度任务逾期未完成的情况（甲科技第一党小组、乙制造党支部）"]
    );
}

#[tokio::test]
async fn a_branch_secretary_sees_and_updates_only_their_units_tasks() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let sec = app.login("branch_secretary").await;
    let (_, list) = app.get(&sec, "/api/v1/tasks?year=2025").await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![f.a, f.group]);
    let (status, _) = app.get(&sec, &format!("/api/v1/tasks/{}", f.b)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .post(
            &sec,
            &format!("/api/v1/tasks/{}/progress", f.b),
            json!({"percent": 90, "note": "越权"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app
        .post(
            &sec,
            &format!("/api/v1/tasks/{}/progress", f.group),
            json!({"percent": 100, "note": "复核"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Planning and supervision are not theirs.
    let (status, _) = app
        .post(&sec, "/api/v1/tasks", json!({"plan_id": f.plan, "seq": "9", "content": "x", "unit_id": app.units.branch_a, "deadline": "2025-12-31"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(&sec, &format!("/api/v1/tasks/{}/supervise", f.a), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A leader supervises; the responsible unit sees it among its supervised tasks.
    let leader = app.login("leader").await;
    let (status, t) = app
        .post(
            &leader,
            &format!("/api/v1/tasks/{}/supervise", f.a),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, t["supervised"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (_, sup) = app
        .get(&sec, "/api/v1/tasks?year=2025&supervised=true")
        .await;
    assert_eq!(
        sup["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect::<Vec<_>>(),
        vec![f.a]
    );
    // Every write is in the audit chain.
    let audit = app.login("audit_admin").await;
    let (_, log) = app.get(&audit, "/api/v1/audit?entity=task").await;
    // 5 creations, 3 progress updates of the fixture, 1 of the secretary, 1 supervision.
    assert_eq!(log["total"], 10, "{log}");
    let (_, verdict) = app.get(&audit, "/api/v1/audit/verify").await;
    assert_eq!(verdict["intact"], true, "{verdict}");
}

#[tokio::test]
async fn wrong_progress_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let (status, body) = app
        .post(
            &office,
            &format!("/api/v1/tasks/{}/progress", f.team),
            json!({"percent": 140, "note": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body.to_string();
    assert!(
        text.contains("完成进度") && text.contains("进展情况"),
        "{text}"
    );
    let (status, body) = app
        .post(&office, "/api/v1/tasks", json!({"plan_id": f.plan, "parent_id": f.top, "seq": "1.4", "content": "早于上级", "unit_id": app.units.branch_a, "deadline": "2024-12-01"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("上级任务（序号 1）的开始日期"),
        "{body}"
    );
}

fn sheet(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("工作清单").unwrap();
    let header = [
        "序号",
        "任务内容",
        "责任单位",
        "配合单位",
        "开始日期",
        "完成时限",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_task_list_imports_all_or_nothing_with_every_error_named() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let plan = id(&app
        .post_ok(
            &office,
            "/api/v1/plans",
            json!({"year": 2025, "plan_kind": "工作清单", "title": "清单"}),
        )
        .await);
    let path = format!("/api/v1/plans/{plan}/import");
    let bad = sheet(&[
        [
            "1",
            "基层组织建设",
            "园区党工委",
            "",
            "2025-03-01",
            "2025-12-31",
        ],
        [
            "1.1",
            "支部标准化",
            "甲科技党支部",
            "乙制造党支部",
            "",
            "2025-02-01",
        ],
        ["3.1", "无上级", "乙制造党支部", "", "", "2025-06-30"],
        ["4", "单位写错", "甲科技支部", "", "", "2025年6月30日"],
    ]);
    let (status, body) = app.send(multipart(&office, &path, "清单.xlsx", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body.to_string();
    for expected in [
        "工作清单!F3",
        "早于上级任务（序号 1）的开始日期 2025-03-01",
        "工作清单 第4行",
        "上级序号 3 不存在",
        "工作清单!C5",
        "是否为“甲科技党支部”",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let (_, tasks) = app
        .get(&office, &format!("/api/v1/tasks?plan_id={plan}"))
        .await;
    assert_eq!(tasks["total"], 0, "nothing written");

    let good = sheet(&[
        [
            "1.1",
            "支部标准化",
            "甲科技党支部",
            "乙制造党支部、园小二服务团队",
            "",
            "2025-06-30",
        ],
        [
            "1",
            "基层组织建设",
            "园区党工委",
            "",
            "2025/3/1",
            "2025年12月31日",
        ],
        ["2", "服务企业", "园小二服务团队", "", "", "2025.9.30"],
    ]);
    let (status, body) = app
        .send(multipart(&office, &path, "清单.xlsx", &good))
        .await;
    assert_eq!(
        (status, body["imported"].as_i64()),
        (StatusCode::CREATED, Some(3)),
        "{body}"
    );
    let (_, tree) = app.get(&office, &format!("/api/v1/plans/{plan}")).await;
    let shape: Vec<(String, u64)> = tree["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["seq"].as_str().unwrap().to_string(),
                t["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![("1".into(), 0), ("1.1".into(), 1), ("2".into(), 0)]
    );
    assert_eq!(
        tree["tasks"][1]["cooperating_units"],
        json!(["乙制造党支部", "园小二服务团队"])
    );
    assert_eq!(tree["tasks"][0]["deadline"], "2025-12-31");
    // Importing the same 序号 again is refused: they are already in the plan.
    let (status, body) = app
        .send(multipart(&office, &path, "清单.xlsx", &good))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("序号 1.1 重复"), "{body}");
}

#[tokio::test]
async fn overdue_findings_name_their_tasks_and_the_checks_page_links_them() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let overdue = |as_of: NaiveDate| {
        let db = app.db.clone();
        let park = app.park_id;
        async move {
            taizhang::rules::check(&db, park, 2025, as_of)
                .await
                .unwrap()
                .into_iter()
                .filter(|f| f.rule == "task_overdue")
                .map(|f| (f.unit, f.record_ids))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        overdue(d(2025, 6, 5)).await,
        vec![
            ("甲科技第一党小组".to_string(), vec![f.group]),
            ("乙制造党支部".to_string(), vec![f.b]),
        ]
    );
    // The JSON of `check` carries them where meeting findings carry their records.
    let found = taizhang::rules::check(&app.db, app.park_id, 2025, d(2025, 6, 15))
        .await
        .unwrap();
    let json = serde_json::to_value(&found).unwrap();
    let task_finding = json
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "task_overdue")
        .unwrap();
    assert_eq!(task_finding["record_ids"], json!([f.b]));

    // On the checks page the evidence leads to the task, not to a ledger record.
    let browser = crate::web::sign_in(&app, "office").await;
    let page = browser.get("/checks?year=2025&as_of=2025-06-15").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!(
            "逾期任务：<a href=\"/tasks/{}\">#{}</a>",
            f.b, f.b
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("href=\"/records/{}\"", f.b)));
}
