//! 企业诉求 through the API: the enterprise raises, the team works it to working-day deadlines
//! on the official calendar, the enterprise rates, a 不满意 leads to a 回访 and a 重办; every
//! step refused where the rules say so, and two staff acting at once cannot both win.

use axum::http::StatusCode;
use chrono::TimeZone;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};

/// Moves the park's clock to `date` 10:00 Beijing time (passwords kept from falling due).
async fn on(app: &mut TestApp, y: i32, m: u32, d: u32) {
    app.passwords_never_expire().await;
    let at = chrono::Utc
        .with_ymd_and_hms(y, m, d, 2, 0, 0)
        .single()
        .expect("instant");
    app.state.clock = taizhang::web::Clock::Fixed(at);
}

async fn step(
    app: &TestApp,
    token: &str,
    request: i64,
    step: &str,
    body: Value,
) -> (StatusCode, Value) {
    app.post(
        token,
        &format!("/api/v1/requests/{request}/steps/{step}"),
        body,
    )
    .await
}

#[tokio::test]
async fn raised_before_national_day_2026_the_deadlines_skip_the_holiday() {
    let mut app = TestApp::new().await;
    on(&mut app, 2026, 9, 30).await;
    let ent = app.login("enterprise").await;
    let created = app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "用地", "title": "厂房扩建用地", "description": "申请在二期地块扩建厂房"}),
        )
        .await;
    assert_eq!(created["status"], "registered");
    assert_eq!(created["group"], "项目审批组");
    assert_eq!(created["enterprise_id"], app.enterprises.1);
    assert_eq!(created["due"]["contact_by"], "2026-10-08");
    assert_eq!(
        created["due"]["reply_by"], "2026-10-10",
        "the make-up Saturday counts"
    );
    assert_eq!(created["due"]["close_by"], "2026-10-27");
    assert_eq!(created["due"]["estimated"], false);

    // Around the Spring Festival: registered the Friday before, contact is due on the
    // make-up Saturday, and closure 15 working days on, past the nine days off.
    on(&mut app, 2026, 2, 13).await;
    let ent = app.login("enterprise").await;
    let spring = app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "融资", "title": "流动资金贷款", "description": "春节后备货"}),
        )
        .await;
    assert_eq!(spring["due"]["contact_by"], "2026-02-14");
    assert_eq!(spring["due"]["close_by"], "2026-03-12");

    // A request whose time runs into 2027, which ships no table, says its dates are estimates.
    on(&mut app, 2026, 12, 28).await;
    let ent = app.login("enterprise").await;
    let late = app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "其他", "title": "年底问题", "description": "跨年办理"}),
        )
        .await;
    assert_eq!(late["due"]["estimated"], true);
    assert_eq!(late["group"], "综合协调组");
}

#[tokio::test]
async fn the_whole_loop_from_the_portal_to_a_second_handling() {
    let app = TestApp::new().await;
    let ent = app.login("enterprise").await;
    let staff = app.login("service_staff").await;
    let office = app.login("office").await;
    let r = id(&app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "用工", "title": "招工难", "description": "需要操作工 20 名", "contact_name": "王经理"}),
        )
        .await);

    // Nothing is closed before it is answered, and an answer needs its text.
    let (status, body) = step(&app, &staff, r, "close", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不能办结"));
    let (status, _) = step(&app, &ent, r, "accept", json!({})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an enterprise does not work requests"
    );
    let (status, body) = step(&app, &staff, r, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    let (status, body) = step(&app, &staff, r, "reply", json!({"text": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, body) = step(
        &app,
        &staff,
        r,
        "stage_reply",
        json!({"text": "已对接人社局"}),
    )
    .await;
    assert_eq!(body["status"], "in_progress");
    let (_, body) = step(
        &app,
        &staff,
        r,
        "reply",
        json!({"text": "已推荐 22 名求职者"}),
    )
    .await;
    assert_eq!(body["status"], "replied");
    let (status, body) = step(&app, &staff, r, "rate", json!({"rating": "satisfied"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the enterprise rates: {body}"
    );
    let (_, body) = step(&app, &staff, r, "close", json!({})).await;
    assert_eq!(body["status"], "closed");

    // The enterprise sees the thread and rates once.
    let (_, seen) = app.get(&ent, &format!("/api/v1/requests/{r}")).await;
    let steps: Vec<&str> = seen["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["register", "accept", "stage_reply", "reply", "close"]
    );
    assert_eq!(seen["steps"], json!(["rate"]));
    let (status, body) = step(&app, &ent, r, "rate", json!({"rating": "很好"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = step(
        &app,
        &ent,
        r,
        "rate",
        json!({"rating": "不满意", "text": "人没招到"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rating"], "unsatisfied");
    let (status, _) = step(&app, &ent, r, "rate", json!({"rating": "satisfied"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "rated once");

    // 回访, then 重办 with fresh deadlines; a second 重办 is refused.
    let (_, body) = step(
        &app,
        &staff,
        r,
        "visit",
        json!({"text": "电话回访，企业仍缺 8 人"}),
    )
    .await;
    assert_eq!(body["status"], "visited");
    let (_, body) = step(&app, &staff, r, "reopen", json!({"text": "继续对接"})).await;
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["reopened"], 1);
    assert_eq!(body["rating"], Value::Null);

    // The office may extend once.
    let (status, _) = step(&app, &staff, r, "extend", json!({"text": "需跨部门"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = step(&app, &office, r, "extend", json!({"text": "需跨部门协调"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["extended"], true);
    let (status, _) = step(&app, &office, r, "extend", json!({"text": "再延"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_enterprise_sees_only_its_own_requests() {
    let app = TestApp::new().await;
    let staff = app.login("service_staff").await;
    let ent = app.login("enterprise").await;
    // Registered by the team for the other enterprise, received by phone.
    let other = app
        .post_ok(
            &staff,
            "/api/v1/requests",
            json!({"category": "政策", "title": "补贴申报", "description": "咨询", "enterprise_id": app.enterprises.0, "received_on": "2025-06-14", "channel": "phone"}),
        )
        .await;
    assert_eq!(other["channel"], "phone");
    let other = id(&other);
    let (status, _) = app.get(&ent, &format!("/api/v1/requests/{other}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another enterprise's request reads as missing"
    );
    let (status, _) = app
        .post(
            &ent,
            &format!("/api/v1/requests/{other}/messages"),
            json!({"text": "看看"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&ent, "/api/v1/requests").await;
    assert_eq!(list["total"], 0);
    let (status, body) = app
        .post(
            &ent,
            "/api/v1/requests",
            json!({"category": "政策", "title": "代别人提", "description": "x", "enterprise_id": app.enterprises.0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, list) = app.get(&staff, "/api/v1/requests?group=企业服务组").await;
    assert_eq!(list["total"], 1);
    let (status, _) = app.get(&staff, "/api/v1/requests?status=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_input_is_named_at_its_field() {
    let app = TestApp::new().await;
    let staff = app.login("service_staff").await;
    let (status, body) = app
        .post(
            &staff,
            "/api/v1/requests",
            json!({"category": "吃饭", "title": "", "description": "", "received_on": "2099-01-01", "channel": "portal"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "category",
        "title",
        "description",
        "received_on",
        "channel",
        "enterprise_id",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    let (_, list) = app.get(&staff, "/api/v1/requests").await;
    assert_eq!(list["total"], 0, "nothing half-written");
}

#[tokio::test]
async fn two_staff_acting_at_once_cannot_both_win() {
    let app = TestApp::new().await;
    let ent = app.login("enterprise").await;
    let staff = app.login("service_staff").await;
    let office = app.login("office").await;
    let created = app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "审批", "title": "施工许可", "description": "办理施工许可证"}),
        )
        .await;
    let r = id(&created);
    let read = created["version"].as_i64().unwrap();
    let (first, _) = step(&app, &staff, r, "accept", json!({"version": read})).await;
    let (second, body) = step(
        &app,
        &office,
        r,
        "return",
        json!({"version": read, "text": "不属于园区职责"}),
    )
    .await;
    assert_eq!(first, StatusCode::OK);
    assert_eq!(second, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["current_version"], read + 1);
    let (_, now) = app.get(&staff, &format!("/api/v1/requests/{r}")).await;
    assert_eq!(now["status"], "accepted", "the loser changed nothing");
}
