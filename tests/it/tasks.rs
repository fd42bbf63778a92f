//! Annual plans and tasks: exact statuses, roll-ups, metrics and `task_overdue` findings of a
//! fixture with known tasks; the 工作清单 import and its errors; roles and scope.

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::api_records::multipart;
use crate::helpers::year_of;
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
    let metrics = taizhang::report::compute::compute_all(&app.db, app.park_id, year_of(2025))
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
            taizhang::rules::check(&db, park, year_of(2025), as_of)
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
        &taizhang::rules::check(&app.db, app.park_id, year_of(2025), d(2025, 6, 5))
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
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post(
            &sec,
            &format!("/api/v1/tasks/{}/progress", f.b),
            json!({"percent": 90, "note": "越权"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
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
            taizhang::rules::check(&db, park, year_of(2025), as_of)
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
    let found = taizhang::rules::check(&app.db, app.park_id, year_of(2025), d(2025, 6, 15))
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

/// The audit entries of tasks or plans: (action, entity id, before, after).
async fn audit_of(app: &TestApp, entity: &str) -> Vec<(String, i64, Value, Value)> {
    let sql = "SELECT action, entity_id, before_json, after_json FROM audit_log \
               WHERE park_id = $1 AND entity = $2 ORDER BY seq";
    type Row = (String, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<Row> = match &app.db {
        taizhang::db::Db::Sqlite(p) => sqlx::query_as(sql)
            .bind(app.park_id)
            .bind(entity)
            .fetch_all(p)
            .await
            .unwrap(),
        taizhang::db::Db::Postgres(p) => sqlx::query_as(sql)
            .bind(app.park_id)
            .bind(entity)
            .fetch_all(p)
            .await
            .unwrap(),
    };
    let parse = |t: Option<String>| t.map_or(Value::Null, |t| serde_json::from_str(&t).unwrap());
    rows.into_iter()
        .map(|(a, id, b, af)| (a, id.unwrap_or(0), parse(b), parse(af)))
        .collect()
}

fn task_body(seq: &str, content: &str, unit: i64, parent: Option<i64>, deadline: &str) -> Value {
    json!({"seq": seq, "content": content, "unit_id": unit, "parent_id": parent,
           "deadline": deadline})
}

#[tokio::test]
async fn an_edited_task_keeps_the_checks_of_creation_and_is_audited() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let u = app.units;
    let path = |t: i64| format!("/api/v1/tasks/{t}");
    let (_, before) = app.get(&office, &path(f.a)).await;
    let version = before["task"]["version"].as_i64().unwrap();

    let mut body = task_body(
        "1.1",
        "支部标准化建设（修订）",
        u.branch_a,
        Some(f.top),
        "2025-04-15",
    );
    body["cooperating_unit_ids"] = json!([u.group_a1, u.group_a1]);
    body["start_on"] = json!("2025-02-01");
    body["version"] = json!(version);
    let (status, saved) = app.put(&office, &path(f.a), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["content"], "支部标准化建设（修订）");
    assert_eq!(saved["deadline"], "2025-04-15");
    assert_eq!(saved["cooperating_units"], json!(["甲科技第一党小组"]));
    assert_eq!(saved["version"], version + 1);
    let edits: Vec<_> = audit_of(&app, "task")
        .await
        .into_iter()
        .filter(|e| e.0 == "update")
        .collect();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].1, f.a);
    assert_eq!(edits[0].2["content"], "任务1.1");
    assert_eq!(edits[0].3["content"], "支部标准化建设（修订）");

    // The same version again: someone (this very edit) saved since.
    let (status, body_409) = app.put(&office, &path(f.a), body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body_409}");
    assert_eq!(body_409["error"]["current_version"], version + 1);

    let refused = |t: i64, body: Value, expected: &'static str| {
        let app = &app;
        let office = office.clone();
        async move {
            let (status, answer) = app.put(&office, &format!("/api/v1/tasks/{t}"), body).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{expected}: {answer}"
            );
            assert!(
                answer.to_string().contains(expected),
                "{expected}: {answer}"
            );
        }
    };
    // Under its own sub-task: a cycle.
    refused(
        f.top,
        task_body("1", "任务1", u.committee, Some(f.a), "2025-12-31"),
        "上级任务（序号 1.1）是本任务的下级任务，会形成循环",
    )
    .await;
    refused(
        f.top,
        task_body("1", "任务1", u.committee, Some(f.top), "2025-12-31"),
        "不能把任务设为自己的上级任务",
    )
    .await;
    // A start after a sub-task's deadline, from the parent's side.
    let mut late = task_body("1", "任务1", u.committee, None, "2025-12-31");
    late["start_on"] = json!("2025-05-01");
    refused(
        f.top,
        late,
        "开始日期 2025-05-01 晚于分解任务（序号 1.1）的完成时限 2025-04-15",
    )
    .await;
    // A deadline before the parent's start, from the sub-task's side.
    refused(
        f.b,
        task_body("1.2", "任务1.2", u.branch_b, Some(f.top), "2024-12-01"),
        "上级任务（序号 1）的开始日期",
    )
    .await;
    refused(
        f.b,
        task_body("1.1", "任务1.2", u.branch_b, Some(f.top), "2025-04-30"),
        "计划中已有序号 1.1 的任务",
    )
    .await;
    refused(
        f.b,
        task_body("1.2", "", u.branch_b, Some(f.top), "2025-04-30"),
        "请填写任务内容",
    )
    .await;
    // Moved to the top level: allowed, and the tree follows.
    let (status, moved) = app
        .put(
            &office,
            &path(f.team),
            task_body("1.4", "服务企业", u.service_team, Some(f.top), "2025-09-30"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let (_, tree) = app.get(&office, &format!("/api/v1/plans/{}", f.plan)).await;
    let under_top = tree["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["parent_id"] == f.top)
        .count();
    assert_eq!(under_top, 4);
}

#[tokio::test]
async fn deletion_refuses_a_parent_and_keeps_what_went_in_the_audit_log() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let del = |path: String| {
        let app = &app;
        let office = office.clone();
        async move {
            app.call(axum::http::Method::DELETE, &path, Some(&office), None)
                .await
        }
    };
    let (status, body) = del(format!("/api/v1/tasks/{}", f.top)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string()
            .contains("该任务下有 3 项分解任务（序号 1.1、1.2、1.3），不能删除"),
        "{body}"
    );
    let (status, body) = del(format!("/api/v1/plans/{}", f.plan)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("该计划下还有 5 项任务"), "{body}");

    // A task with progress and a file: gone, its progress and file named in the audit entry.
    let (_, detail) = app.get(&office, &format!("/api/v1/tasks/{}", f.b)).await;
    let progress_id = detail["progress"][0]["id"].as_i64().unwrap();
    let (status, file) = app
        .send(multipart(
            &office,
            &format!("/api/v1/task-progress/{progress_id}/attachments"),
            "进展.txt",
            "第一阶段材料".as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let stale = detail["task"]["version"].as_i64().unwrap() - 1;
    let (status, _) = del(format!("/api/v1/tasks/{}?version={stale}", f.b)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = del(format!("/api/v1/tasks/{}", f.b)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.get(&office, &format!("/api/v1/tasks/{}", f.b)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let deleted: Vec<_> = audit_of(&app, "task")
        .await
        .into_iter()
        .filter(|e| e.0 == "delete")
        .collect();
    assert_eq!(deleted.len(), 1);
    let (_, id_, before, after) = &deleted[0];
    assert_eq!((*id_, after), (f.b, &Value::Null));
    assert_eq!(before["seq"], "1.2");
    assert_eq!(before["progress_updates"][0]["note"], "推进中");
    assert_eq!(
        before["progress_updates"][0]["files"][0]["sha256"],
        file["sha256"]
    );
    // The report counts what is left.
    let metrics = taizhang::report::compute::compute_all(&app.db, app.park_id, year_of(2025))
        .await
        .unwrap();
    assert_eq!(
        metrics.get("tasks_decomposed").unwrap().records,
        vec![f.a, f.group]
    );

    // Once its tasks are gone, the plan goes too.
    for t in [f.a, f.group, f.top, f.team] {
        let (status, body) = del(format!("/api/v1/tasks/{t}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{t}: {body}");
    }
    let (status, body) = del(format!("/api/v1/plans/{}", f.plan)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let plans = audit_of(&app, "plan").await;
    let last = plans.last().unwrap();
    assert_eq!((last.0.as_str(), last.1), ("delete", f.plan));
    assert_eq!(last.2["plan"]["title"], "2025年党建工作清单");
    let audit = app.login("audit_admin").await;
    let (_, verdict) = app.get(&audit, "/api/v1/audit/verify").await;
    assert_eq!(verdict["intact"], true, "{verdict}");
}

#[tokio::test]
async fn plans_are_edited_by_the_office_and_tasks_by_a_secretary_only_in_their_units() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let u = app.units;
    let plan_path = format!("/api/v1/plans/{}", f.plan);

    // The office: title, number, year; a year that already has a 工作清单 is refused.
    let (status, plan) = app
        .put(
            &office,
            &plan_path,
            json!({"title": "2025年党建工作任务清单", "doc_number": "园党工委〔2025〕3号", "year": 2025}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["title"], "2025年党建工作任务清单");
    assert_eq!(plan["version"], 2);
    app.post_ok(
        &office,
        "/api/v1/plans",
        json!({"year": 2024, "plan_kind": "task_list", "title": "2024年清单"}),
    )
    .await;
    let (status, body) = app
        .put(&office, &plan_path, json!({"title": "清单", "year": 2024}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("2024年已有工作清单"), "{body}");
    let (status, body) = app
        .put(&office, &plan_path, json!({"title": "清单", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .put(
            &office,
            &plan_path,
            json!({"title": "清单", "document_id": 999_999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("没有这条文件台账记录"), "{body}");

    // A branch secretary: the tasks of their units, never a plan, never another unit's task.
    let sec = app.login("branch_secretary").await;
    let (status, body) = app.put(&sec, &plan_path, json!({"title": "改计划"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = app
        .call(axum::http::Method::DELETE, &plan_path, Some(&sec), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = app
        .put(
            &sec,
            &format!("/api/v1/tasks/{}", f.a),
            task_body("1.1", "本支部改过", u.branch_a, Some(f.top), "2025-03-31"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, body) = app
        .put(
            &sec,
            &format!("/api/v1/tasks/{}", f.a),
            task_body("1.1", "交给别的支部", u.branch_b, Some(f.top), "2025-03-31"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("只能交给本单位及下级单位"),
        "{body}"
    );
    let (status, _) = app
        .put(
            &sec,
            &format!("/api/v1/tasks/{}", f.b),
            task_body("1.2", "越权", u.branch_b, Some(f.top), "2025-04-30"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/tasks/{}", f.b),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let leader = app.login("leader").await;
    let (status, _) = app
        .put(
            &leader,
            &format!("/api/v1/tasks/{}", f.a),
            task_body("1.1", "领导改", u.branch_a, Some(f.top), "2025-03-31"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/tasks/{}", f.group),
            Some(&sec),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "the 党小组 is under the branch"
    );
}

#[tokio::test]
async fn the_task_page_edits_keep_what_was_typed_and_say_why_a_deletion_is_refused() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let f = fixture(&app, &office).await;
    let b = crate::web::sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let page = b.get(&format!("/tasks/{}", f.a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("修改任务") && page.body.contains("删除任务"));
    let unit = app.units.branch_a.to_string();
    let parent = f.top.to_string();
    let refused = b
        .post(
            &format!("/tasks/{}/edit", f.a),
            &[
                ("_csrf", &csrf),
                ("seq", "1.1"),
                ("content", "页面上改的内容"),
                ("unit_id", &unit),
                ("parent_id", &parent),
                ("deadline", "2024-12-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("页面上改的内容"), "typed text kept");
    assert!(
        refused.body.contains("上级任务（序号 1）的开始日期"),
        "{}",
        refused.body
    );
    let saved = b
        .post(
            &format!("/tasks/{}/edit", f.a),
            &[
                ("_csrf", &csrf),
                ("seq", "1.1"),
                ("content", "页面上改的内容"),
                ("unit_id", &unit),
                ("parent_id", &parent),
                ("deadline", "2025-03-31"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(b
        .get(&format!("/tasks/{}", f.a))
        .await
        .body
        .contains("页面上改的内容"));
    let no = b
        .post(&format!("/tasks/{}/delete", f.top), &[("_csrf", &csrf)])
        .await;
    assert_eq!(no.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no.body.contains("该任务下有 3 项分解任务"), "{}", no.body);
    assert!(
        no.body.contains(">任务1</textarea>"),
        "the edit form still shows the task"
    );
    // A version that is no number is refused: a deletion never runs without the check.
    let garbled = b
        .post(
            &format!("/tasks/{}/delete", f.team),
            &[("_csrf", &csrf), ("version", "第二版")],
        )
        .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert!(garbled.body.contains("删除未执行"), "{}", garbled.body);
    assert_eq!(
        b.get(&format!("/tasks/{}", f.team)).await.status,
        StatusCode::OK
    );
    let gone = b
        .post(&format!("/tasks/{}/delete", f.team), &[("_csrf", &csrf)])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(gone.location, Some(format!("/plans/{}", f.plan)));
    let plan = b
        .post(
            &format!("/plans/{}/edit", f.plan),
            &[("_csrf", &csrf), ("title", ""), ("year", "2025")],
        )
        .await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plan.body.contains("请填写计划名称"), "{}", plan.body);
    let no_csrf = b.post(&format!("/tasks/{}/delete", f.a), &[]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
}

/// The text of a workbook part (`xl/comments1.xml`), empty when it has none.
fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    if let Ok(mut f) = zip.by_name(name) {
        f.read_to_string(&mut text).unwrap();
    }
    text
}

/// The rows of one sheet of a workbook, as text.
fn sheet_rows(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn a_refused_task_list_offers_a_marked_copy_on_the_page_and_the_api() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let plan = id(&app
        .post_ok(
            &office,
            "/api/v1/plans",
            json!({"year": 2025, "plan_kind": "task_list", "title": "清单"}),
        )
        .await);
    let bad = sheet(&[
        [
            "1",
            "基层组织建设",
            "园区党工委",
            "",
            "2025-03-01",
            "2025-12-31",
        ],
        ["1.1", "支部标准化", "甲科技党支部", "", "", "2025-02-01"],
        ["3.1", "无上级", "乙制造党支部", "", "", "2025-06-30"],
        ["4", "单位写错", "甲科技支部", "", "", "2025-06-30"],
    ]);
    let import = format!("/api/v1/plans/{plan}/import");
    let errors_path = format!("/api/v1/plans/{plan}/import/errors.xlsx");
    let (status, _) = app.get(&office, &errors_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing refused yet");
    let (status, body) = app
        .send(multipart(&office, &import, "清单.xlsx", &bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let res = taizhang::app::router(app.state.clone())
        .oneshot(
            axum::http::Request::get(&errors_path)
                .header("authorization", format!("Bearer {office}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains(".errors.xlsx"), "{disposition}");
    let book = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    // The sheet as uploaded, then the list of every error.
    let rows = sheet_rows(&book, "工作清单");
    assert_eq!(rows[4][2], "甲科技支部");
    assert_eq!(rows[3][0], "3.1");
    let listed = sheet_rows(&book, "错误清单");
    let places: Vec<&str> = listed[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        places,
        vec!["工作清单!C5", "工作清单!F3", "工作清单!A4"],
        "{listed:?}"
    );
    // Each bad cell carries its note.
    let notes = part(&book, "xl/comments1.xml");
    assert!(notes.contains("是否为“甲科技党支部”"), "{notes}");
    assert!(notes.contains("上级序号 3 不存在"), "{notes}");
    assert!(
        notes.contains("早于上级任务（序号 1）的开始日期"),
        "{notes}"
    );

    // Another user does not get this user's copy; a leader may not import at all.
    let sys = app.login("admin").await;
    let office2 = app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "office2", "password": crate::helpers::INITIAL_PASSWORD, "role": "office"}),
        )
        .await;
    let sec = app.login("sec_admin").await;
    app.grant(
        &sec,
        crate::helpers::id(&office2),
        json!({"role": "office"}),
    )
    .await;
    app.first_sign_in("office2").await;
    let other = app.login("office2").await;
    let (status, _) = app.get(&other, &errors_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let leader = app.login("leader").await;
    let (status, _) = app.get(&leader, &errors_path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The plan page after a refused upload links to it.
    let b = crate::web::sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let boundary = "XBOUNDARYX";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"清单.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bad);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/plans/{plan}/import"))
        .header("cookie", &b.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let page = crate::web::send(&app, req).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let link = format!("href=\"/plans/{plan}/import/errors.xlsx\"");
    assert!(page.body.contains(&link), "{}", page.body);
    let download = b.get(&format!("/plans/{plan}/import/errors.xlsx")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(download.body_bytes.starts_with(b"PK"));
    assert!(!b.get(&format!("/plans/{plan}")).await.body.contains(&link));

    // A good import clears it.
    let good = sheet(&[["1", "基层组织建设", "园区党工委", "", "", "2025-12-31"]]);
    let (status, body) = app
        .send(multipart(&office, &import, "清单.xlsx", &good))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = app.get(&office, &errors_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn the_command_line_prints_every_error_and_writes_the_marked_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    let taizhang = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_taizhang"));
        c.arg("--database-url")
            .arg(&db)
            .env("TAIZHANG_ADMIN_PASSWORD", "Init-pass-123")
            .env_remove("TAIZHANG_PARK");
        c
    };
    let init = taizhang()
        .args(["--park", "测试园区", "init"])
        .output()
        .unwrap();
    assert!(init.status.success());
    let bad = dir.path().join("清单.xlsx");
    std::fs::write(
        &bad,
        sheet(&[
            ["1", "党建", "园区党工委", "", "", "2025-12-31"],
            ["1.1", "", "园区党工委", "", "", "不知道"],
        ]),
    )
    .unwrap();
    let out = taizhang()
        .args(["import", bad.to_str().unwrap(), "--task-list", "2025"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // No units yet: every 责任单位 is unknown, and the second row has two more mistakes.
    for place in ["工作清单!C2", "工作清单!B3", "工作清单!C3", "工作清单!F3"] {
        assert!(stderr.contains(place), "{place}: {stderr}");
    }
    assert!(stderr.contains("共 4 处错误"), "{stderr}");
    let marked = dir.path().join("清单.errors.xlsx");
    assert!(stderr.contains("清单.errors.xlsx"), "{stderr}");
    let book = std::fs::read(&marked).unwrap();
    assert!(part(&book, "xl/comments1.xml").contains("请填写任务内容"));
}
