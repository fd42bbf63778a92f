//! Each park's own metric catalogue: a park adds a ledger kind and a metric counting it, and the
//! report (web, API, command line) carries it; the overlay's replace, add and turn-off; bad files
//! refused at their line with nothing saved; who may read and who may edit.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};
use crate::web::{sign_in, Answer, Browser};

/// The park's own kind: 参观接待, with the number of visitors and where they came from.
async fn reception_kind(app: &TestApp, token: &str) {
    let kind = json!({
        "id": "reception", "name": "参观接待", "sheet": "参观接待台账",
        "date_field": "date", "title_field": "guest",
        "field": [
            {"key": "date", "label": "日期", "type": "date", "required": true},
            {"key": "guest", "label": "来访单位", "type": "text", "required": true},
            {"key": "visitors", "label": "人数", "type": "integer"},
            {"key": "origin", "label": "来源", "type": "choice", "choices": ["本市", "外地"]}
        ]
    });
    let (status, body) = app.post(token, "/api/v1/kinds", kind).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn reception(app: &TestApp, token: &str, date: &str, visitors: i64, origin: &str) -> i64 {
    let body = json!({"kind": "reception", "fields": {
        "date": date, "guest": format!("{date}考察团"), "visitors": visitors, "origin": origin
    }});
    id(&app.post_ok(token, "/api/v1/records", body).await)
}

/// Turns 发放资料 off, counts visitors and out-of-town visits, and narrows 荣誉 to 市级 and up.
const PARK_FILE: &str = r#"# 本园区指标
[[metric]]
id = "brochures"
enabled = false

[[metric]]
id = "receptions"
label = "接待参观考察"
unit = "人次"
kind = "reception"
aggregate = "sum"
field = "visitors"
period = "year"

[[metric]]
id = "visits_from_afar"
label = "外地考察团"
unit = "批"
kind = "reception"
filters = { origin = "外地" }
aggregate = "count"
period = "to_date"

[[metric]]
id = "honors"
label = "市级以上荣誉"
unit = "项"
kind = "honor"
filters = { level = { in = ["国家级", "省级", "市级"] } }
aggregate = "count"
period = "year"
"#;

/// Posts a form with the session's CSRF token, as the page's own form does.
async fn submit(b: &Browser<'_>, path: &str, pairs: &[(&str, &str)]) -> Answer {
    let csrf = b.csrf().await;
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(pairs);
    b.post(path, &all).await
}

fn sorted(v: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_parks_own_kind_and_metric_reach_the_report_with_value_and_records() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    reception_kind(&app, &office).await;
    let r1 = reception(&app, &office, "2024-03-01", 12, "本市").await;
    let r2 = reception(&app, &office, "2024-07-01", 30, "外地").await;
    let r0 = reception(&app, &office, "2023-12-31", 99, "外地").await;
    reception(&app, &office, "2025-01-02", 5, "外地").await;
    let honor = |level: &str| {
        json!({"kind": "honor", "fields": {
            "date": "2024-05-01", "name": format!("{level}荣誉"), "grantor": "上级",
            "level": level, "recipient": "园区党工委"
        }})
    };
    let city = id(&app.post_ok(&office, "/api/v1/records", honor("市级")).await);
    app.post_ok(&office, "/api/v1/records", honor("区级")).await;

    let (status, saved) = app
        .put(
            &office,
            "/api/v1/report/metrics",
            json!({"text": PARK_FILE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["own"], true);
    assert_eq!(saved["disabled"], json!(["brochures"]));
    let listed = |id: &str| {
        saved["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
    };
    assert!(listed("brochures").is_none());
    let receptions = listed("receptions").unwrap();
    assert_eq!(receptions["origin"], "本园区新增");
    assert_eq!(receptions["kind_name"], "参观接待台账");
    assert_eq!(receptions["aggregate"], "合计“人数”");
    assert_eq!(listed("honors").unwrap()["origin"], "本园区修改");
    assert_eq!(listed("heart_talks").unwrap()["origin"], "系统默认");

    // The report's JSON, on the web and from the command line.
    let b = sign_in(&app, "office").await;
    let answer = b.get("/report/download?year=2024&format=json").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let report: Value = serde_json::from_str(&answer.body).unwrap();
    let m = &report["metrics"];
    assert_eq!(m["receptions"]["value"], 42);
    assert_eq!(m["receptions"]["label"], "接待参观考察");
    assert_eq!(m["receptions"]["unit"], "人次");
    assert_eq!(sorted(&m["receptions"]["records"]), vec![r1, r2]);
    assert_eq!(m["visits_from_afar"]["value"], 2);
    assert_eq!(sorted(&m["visits_from_afar"]["records"]), {
        let mut v = vec![r0, r2];
        v.sort_unstable();
        v
    });
    assert_eq!(m["honors"]["value"], 1);
    assert_eq!(sorted(&m["honors"]["records"]), vec![city]);
    assert!(m.get("brochures").is_none(), "{m}");
    assert!(m.get("enterprise_visits").is_some());

    let out = app
        .command()
        .args(["report", "--year", "2024", "--format", "json"])
        .env_remove("TAIZHANG_PARK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli["metrics"]["receptions"]["value"], 42);
    assert!(cli["metrics"].get("brochures").is_none());

    // The figure's records page lists what it counted.
    let page = b.get("/report/records?metric=receptions&year=2024").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2024-03-01考察团") && page.body.contains("2024-07-01考察团"));
    // Last year's records of the figure are listed below this year's, apart.
    let (this_year, last_year) = page
        .body
        .split_once("class=\"card previous-year\"")
        .unwrap();
    assert!(!this_year.contains("2023-12-31考察团"), "{}", page.body);
    assert!(last_year.contains("2023-12-31考察团"), "{}", page.body);
    let off = b.get("/report/records?metric=brochures&year=2024").await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", off.body);
    assert!(off.body.contains("brochures"), "{}", off.body);

    // The default template names the metric turned off: it fails at that line.
    let line = taizhang::report::DEFAULT_TEMPLATE
        .lines()
        .position(|l| l.contains("m.brochures"))
        .unwrap()
        + 1;
    let view = b.get("/report/view?year=2024").await;
    assert_eq!(view.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        view.body.contains(&format!("第 {line} 行")) && view.body.contains("brochures"),
        "{}",
        view.body
    );
    // A template naming the park's own metric renders it; the editor lists the park's ids.
    let preview = submit(
        &b,
        "/report/templates/new",
        &[
            ("name", "接待"),
            (
                "source",
                "# {{ park }}\n\n接待参观考察{{ m.receptions }}人次。\n",
            ),
            ("year", "2024"),
            ("action", "preview"),
        ],
    )
    .await;
    assert!(preview.body.contains("接待参观考察"), "{}", preview.body);
    assert!(preview.body.contains("42"), "{}", preview.body);
    assert!(preview.body.contains("<code>receptions</code>"));
    assert!(!preview.body.contains("<code>brochures</code>"));
}

#[tokio::test]
async fn a_bad_file_is_refused_at_its_line_keeps_what_was_typed_and_saves_nothing() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    reception_kind(&app, &office).await;
    // Line 12 names a field the park's kind lacks.
    let bad = PARK_FILE.replacen("field = \"visitors\"", "field = \"guests\"", 1);
    assert_eq!(bad.lines().nth(11), Some("field = \"guests\""));
    let (status, body) = app
        .put(&office, "/api/v1/report/metrics", json!({"text": bad}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("第 12 行")
            && message.contains("receptions")
            && message.contains("guests"),
        "{message}"
    );

    let b = sign_in(&app, "office").await;
    let form = submit(&b, "/report/metrics", &[("text", &bad)]).await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.body.contains("第 12 行"), "{}", form.body);
    assert!(
        form.body.contains("data-error-line=\"12\""),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("field = &quot;guests&quot;"),
        "{}",
        form.body
    );
    // TOML syntax errors name their line too.
    let broken = "[[metric]]\nid = \"receptions\"\nlabel = \"未闭合\n";
    let form = submit(&b, "/report/metrics", &[("text", broken)]).await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.body.contains("第 3 行") && form.body.contains("TOML"),
        "{}",
        form.body
    );

    // Nothing was saved: the park still computes the defaults.
    let (_, now) = app.get(&office, "/api/v1/report/metrics").await;
    assert_eq!(now["own"], false);
    assert!(now["text"].as_str().unwrap().contains("enabled = false"));
    let audit = app.login("audit_admin").await;
    let (_, log) = app.get(&audit, "/api/v1/audit?entity=report_metrics").await;
    assert_eq!(log["total"], 0, "{log}");

    // A good save, then 恢复系统默认: both audited.
    let ok = submit(&b, "/report/metrics", &[("text", PARK_FILE)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let shown = b.get("/report/metrics?saved=1").await.body;
    assert!(
        shown.contains("已保存") && shown.contains("本园区自定义"),
        "{shown}"
    );
    assert!(shown.contains("<code>receptions</code>") && shown.contains("本园区新增"));
    let reset = submit(&b, "/report/metrics", &[("text", ""), ("reset", "1")]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let (_, now) = app.get(&office, "/api/v1/report/metrics").await;
    assert_eq!(now["own"], false);
    assert!(now["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "brochures"));
    let (_, log) = app.get(&audit, "/api/v1/audit?entity=report_metrics").await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(log["total"], 2, "{log}");
    assert!(
        actions.contains(&"create") && actions.contains(&"delete"),
        "{log}"
    );
}

#[tokio::test]
async fn a_leader_views_the_catalogue_others_are_refused_and_a_stale_file_says_where() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    reception_kind(&app, &office).await;
    let (status, _) = app
        .put(
            &office,
            "/api/v1/report/metrics",
            json!({"text": PARK_FILE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let leader = sign_in(&app, "leader").await;
    let page = leader.get("/report/metrics").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<code>receptions</code>"));
    assert!(!page.body.contains("<textarea"), "a leader only reads");
    assert_eq!(
        submit(&leader, "/report/metrics", &[("text", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let leader_token = app.login("leader").await;
    let (status, _) = app
        .put(&leader_token, "/api/v1/report/metrics", json!({"text": ""}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let branch = app.login("branch_secretary").await;
    let (status, _) = app.get(&branch, "/api/v1/report/metrics").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The park removes the field its metric sums (no record holds it yet): the report says
    // which line of the metric file no longer fits, and the metrics page still opens to mend it.
    let kind = json!({
        "id": "reception", "name": "参观接待", "sheet": "参观接待台账",
        "date_field": "date", "title_field": "guest",
        "field": [
            {"key": "date", "label": "日期", "type": "date", "required": true},
            {"key": "guest", "label": "来访单位", "type": "text", "required": true},
            {"key": "origin", "label": "来源", "type": "choice", "choices": ["本市", "外地"]}
        ]
    });
    let (status, body) = app.put(&office, "/api/v1/kinds/reception", kind).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b = sign_in(&app, "office").await;
    let view = b.get("/report/download?year=2024&format=json").await;
    assert_eq!(view.status, StatusCode::BAD_REQUEST, "{}", view.body);
    assert!(
        view.body.contains("第 12 行") && view.body.contains("报告指标"),
        "{}",
        view.body
    );
    let page = b.get("/report/metrics").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("不再适用") && page.body.contains("data-error-line=\"12\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_scaffold_command_binds_to_the_parks_own_metrics() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    reception_kind(&app, &office).await;
    let (status, _) = app
        .put(
            &office,
            "/api/v1/report/metrics",
            json!({"text": PARK_FILE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let essay = dir.path().join("essay.txt");
    std::fs::write(
        &essay,
        "全年接待参观考察X人次，发放政策宣传资料X万余份，开展谈心谈话X人次。\n",
    )
    .unwrap();
    let out = app
        .command()
        .args(["--park", "测试园区", "scaffold"])
        .arg(&essay)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let metrics: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["metric"])
        .collect();
    assert_eq!(metrics[0], "receptions", "{rows}");
    assert_ne!(metrics[1], "brochures", "turned off: {rows}");
    assert_eq!(metrics[2], "heart_talks", "{rows}");
}

#[tokio::test]
async fn the_files_save_time_reads_on_the_parks_clock() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    reception_kind(&app, &office).await;
    let (status, body) = app
        .put(
            &office,
            "/api/v1/report/metrics",
            json!({"text": PARK_FILE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = sign_in(&app, "office").await.get("/report/metrics").await;
    // The test clock stands at 10:00 UTC: 18:00 in Beijing, the park's zone.
    assert!(
        page.body.contains("于 2025-06-15 18:00 保存"),
        "{}",
        page.body
    );
}
