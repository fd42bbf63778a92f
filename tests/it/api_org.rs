//! Units, people and enterprises through the API: validation, masking and scope.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{id, TestApp};

#[tokio::test]
async fn id_numbers_and_phones_are_masked_for_every_role_and_revealed_only_by_an_audited_ask() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let person = app
        .post_ok(
            &office,
            "/api/v1/people",
            json!({"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678", "unit_id": app.units.branch_a, "member_type": "正式党员"}),
        )
        .await;
    assert_eq!(person["id_number"], "110105********002X", "{person}");
    let pid = id(&person);
    for login in ["office", "leader"] {
        let token = app.login(login).await;
        let (status, seen) = app.get(&token, &format!("/api/v1/people/{pid}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen["id_number"], "110105********002X", "{login}");
        assert_eq!(seen["phone"], "138****5678", "{login}");
        assert_eq!(seen["is_member"], true);
        let (status, list) = app.get(&token, "/api/v1/people").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!list.to_string().contains("13812345678"), "{login}: {list}");
    }
    let (status, whole) = app
        .post(&office, &format!("/api/v1/people/{pid}/reveal"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    assert_eq!(whole["id_number"], "11010519491231002X");
    assert_eq!(whole["phone"], "13812345678");
    let leader = app.login("leader").await;
    let (status, body) = app
        .post(&leader, &format!("/api/v1/people/{pid}/reveal"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // The look is in the audit log, and the log does not hold the values it showed.
    let auditor = app.login("audit_admin").await;
    let (status, log) = app.get(&auditor, "/api/v1/audit?action=reveal").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!(log["total"], 1, "{log}");
    assert_eq!(log["items"][0]["entity_id"], pid, "{log}");
    assert!(!log.to_string().contains("13812345678"), "{log}");
    // The person's creation is in the log too, its values masked as the audit pages show them.
    let (status, log) = app.get(&auditor, "/api/v1/audit?entity=person").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let text = log.to_string();
    assert!(text.contains("138****5678"), "{log}");
    assert!(
        !text.contains("13812345678") && !text.contains("11010519491231002X"),
        "{log}"
    );
    // Sent back as shown (masked) or left out, the stored values stay.
    let (status, kept) = app
        .put(
            &office,
            &format!("/api/v1/people/{pid}"),
            json!({"name": "张三", "id_number": "110105********002X", "unit_id": app.units.branch_a, "member_type": "正式党员"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    let (_, whole) = app
        .post(&office, &format!("/api/v1/people/{pid}/reveal"), json!({}))
        .await;
    assert_eq!(
        (whole["id_number"].as_str(), whole["phone"].as_str()),
        (Some("11010519491231002X"), Some("13812345678"))
    );
}

#[tokio::test]
async fn check_digits_are_checked() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app
        .post(
            &office,
            "/api/v1/people",
            json!({"name": "李四", "id_number": "110105194912310021"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "id_number");
    let (status, body) = app
        .post(
            &office,
            "/api/v1/enterprises",
            json!({"name": "丙公司", "credit_code": "91350100M000100Y44"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "credit_code");
    let ok = app
        .post_ok(
            &office,
            "/api/v1/enterprises",
            json!({"name": "丙公司", "credit_code": "91350100M000100Y43", "leader_name": "王五"}),
        )
        .await;
    assert_eq!(ok["credit_code"], "91350100M000100Y43");
}

#[tokio::test]
async fn the_unit_tree_and_personnel_history() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app
        .post(
            &office,
            "/api/v1/units",
            json!({"name": "甲科技党支部", "unit_type": "党支部"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["message"], "已有同名单位");
    let (status, body) = app
        .put(
            &office,
            &format!("/api/v1/units/{}", app.units.branch_a),
            json!({"name": "甲科技党支部", "unit_type": "党支部", "parent_id": app.units.group_a1}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a unit cannot sit below itself: {body}"
    );
    let person = app
        .post_ok(
            &office,
            "/api/v1/people",
            json!({"name": "赵六", "unit_id": app.units.service_team}),
        )
        .await;
    let pid = id(&person);
    app.post_ok(&office, &format!("/api/v1/people/{pid}/positions"), json!({"unit_id": app.units.service_team, "title": "组员", "staff_type": "兼职", "start_on": "2023-01-01"})).await;
    app.post_ok(&office, &format!("/api/v1/people/{pid}/positions"), json!({"unit_id": app.units.service_team, "title": "组长", "staff_type": "专职", "start_on": "2024-07-01"})).await;
    let (_, seen) = app.get(&office, &format!("/api/v1/people/{pid}")).await;
    let posts = seen["positions"].as_array().unwrap();
    assert_eq!(posts.len(), 2, "the old post stays in the history");
    assert_eq!(posts[0]["end_on"], "2024-07-01");
    assert_eq!(posts[1]["end_on"], serde_json::Value::Null);
    assert_eq!(posts[1]["staff_type"], "专职");
}

#[tokio::test]
async fn a_branch_secretary_sees_their_subtree_only() {
    let app = TestApp::new().await;
    let sec = app.login("branch_secretary").await;
    let (status, units) = app.get(&sec, "/api/v1/units").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = units["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![app.units.branch_a, app.units.group_a1]);
    let (status, _) = app
        .get(&sec, &format!("/api/v1/units/{}", app.units.branch_b))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &sec,
            "/api/v1/units",
            json!({"name": "越权支部", "unit_type": "党支部", "parent_id": app.units.committee}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.post_ok(
        &sec,
        "/api/v1/units",
        json!({"name": "甲科技第二党小组", "unit_type": "党小组", "parent_id": app.units.branch_a}),
    )
    .await;
}

/// A person moved to a unit that does not exist is a field error on both writes, not a broken
/// foreign key (a 500 the generated requests found on the update).
#[tokio::test]
async fn a_person_in_a_unit_that_does_not_exist_is_a_field_error() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app
        .post(
            &office,
            "/api/v1/people",
            json!({"name": "赵六", "unit_id": 40694231}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id");
    let made = app
        .post_ok(&office, "/api/v1/people", json!({"name": "赵六"}))
        .await;
    let id = made["person"]["id"]
        .as_i64()
        .or(made["id"].as_i64())
        .unwrap();
    let (status, body) = app
        .put(
            &office,
            &format!("/api/v1/people/{id}"),
            json!({"name": "赵六", "unit_id": 40694231}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id");
    // A date outside the years the product knows is refused at its field, as on import.
    let (status, body) = app
        .put(
            &office,
            &format!("/api/v1/people/{id}"),
            json!({"name": "赵六", "joined_on": "0477-11-05"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "joined_on");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1900 年至 2100 年"));
}

/// A year is read once, with one range and one message, on the command line as on the pages.
#[tokio::test]
async fn a_year_outside_the_known_span_is_refused_with_one_message() {
    let app = TestApp::new().await;
    for args in [
        vec!["report", "--year", "2101", "--format", "md"],
        vec!["check", "--year", "1899"],
    ] {
        let out = app.command().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("超出范围，应在 1900 年至 2100 年之间"),
            "{args:?}: {err}"
        );
    }
    let office = app.login("office").await;
    let (status, body) = app.get(&office, "/api/v1/records?year=9999").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1900 年至 2100 年"));
}
