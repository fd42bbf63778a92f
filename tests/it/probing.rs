//! Ids out of one's reach answer exactly as ids that do not exist, so nobody learns which
//! records, people, units or enterprises the park holds by counting through the numbers.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{id, TestApp};
use crate::web::sign_in;

const MISSING: i64 = 987_654;

#[tokio::test]
async fn out_of_scope_ids_read_as_missing_ones() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let record = id(&app
        .meeting(&office, "2025-03-10", "支部委员会", "乙制造党支部")
        .await);
    let person = id(&app
        .post_ok(
            &office,
            "/api/v1/people",
            json!({"name": "王五", "unit_id": app.units.branch_b, "member_type": "正式党员"}),
        )
        .await);
    let secretary = app.login("branch_secretary").await;
    let put_record = json!({"version": 1, "fields": {"date": "2025-03-11", "meeting_type": "支部委员会", "name": "改", "org_unit": "乙制造党支部"}});
    let put_person = json!({"name": "王五", "unit_id": app.units.branch_b});
    let position =
        json!({"unit_id": app.units.branch_a, "title": "组织委员", "start_on": "2025-01-01"});
    // (what, method, path, body, the real id); the reveal is refused to this role whatever
    // the id, before any lookup.
    let probes: Vec<(&str, Method, String, Option<serde_json::Value>, i64)> = vec![
        (
            "记录",
            Method::GET,
            "/api/v1/records/{}".into(),
            None,
            record,
        ),
        (
            "记录",
            Method::PUT,
            "/api/v1/records/{}".into(),
            Some(put_record),
            record,
        ),
        (
            "记录",
            Method::DELETE,
            "/api/v1/records/{}".into(),
            None,
            record,
        ),
        (
            "记录",
            Method::GET,
            "/api/v1/records/{}/history".into(),
            None,
            record,
        ),
        (
            "记录",
            Method::POST,
            "/api/v1/records/{}/restore".into(),
            Some(json!({})),
            record,
        ),
        (
            "人员",
            Method::GET,
            "/api/v1/people/{}".into(),
            None,
            person,
        ),
        (
            "人员",
            Method::PUT,
            "/api/v1/people/{}".into(),
            Some(put_person),
            person,
        ),
        (
            "人员",
            Method::POST,
            "/api/v1/people/{}/reveal".into(),
            Some(json!({})),
            person,
        ),
        (
            "人员",
            Method::POST,
            "/api/v1/people/{}/positions".into(),
            Some(position),
            person,
        ),
        (
            "单位",
            Method::GET,
            "/api/v1/units/{}".into(),
            None,
            app.units.branch_b,
        ),
    ];
    for (what, method, path, body, real) in probes {
        let hidden = app
            .call(
                method.clone(),
                &path.replace("{}", &real.to_string()),
                Some(&secretary),
                body.clone(),
            )
            .await;
        let missing = app
            .call(
                method.clone(),
                &path.replace("{}", &MISSING.to_string()),
                Some(&secretary),
                body,
            )
            .await;
        let expected = if path.ends_with("/reveal") {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(hidden.0, expected, "{method} {path} ({what}): {}", hidden.1);
        assert_eq!(
            hidden, missing,
            "{method} {path}: out of reach and missing read alike"
        );
    }
    // An enterprise user asking for another enterprise.
    let enterprise = app.login("enterprise").await;
    let other = app
        .get(
            &enterprise,
            &format!("/api/v1/enterprises/{}", app.enterprises.0),
        )
        .await;
    let missing = app
        .get(&enterprise, &format!("/api/v1/enterprises/{MISSING}"))
        .await;
    assert_eq!(other.0, StatusCode::NOT_FOUND, "{}", other.1);
    assert_eq!(other, missing);
    // And the pages say the same.
    let browser = sign_in(&app, "branch_secretary").await;
    for (real, path) in [(record, "/records/{}"), (person, "/org/people/{}")] {
        let hidden = browser.get(&path.replace("{}", &real.to_string())).await;
        let missing = browser.get(&path.replace("{}", &MISSING.to_string())).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(hidden.body, missing.body, "{path}");
    }
}

/// A 支部书记 reads in the 企业名录 only the enterprises its units sit in: 甲科技党支部 is in
/// 甲科技有限公司, so 乙制造有限公司 is neither listed nor opened.
#[tokio::test]
async fn a_branch_secretary_reads_only_the_enterprises_of_its_units() {
    let app = TestApp::new().await;
    let secretary = app.login("branch_secretary").await;
    let (status, list) = app.get(&secretary, "/api/v1/enterprises").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲科技有限公司"]);
    let (own, other) = app.enterprises;
    assert_eq!(
        app.get(&secretary, &format!("/api/v1/enterprises/{own}"))
            .await
            .0,
        StatusCode::OK
    );
    let hidden = app
        .get(&secretary, &format!("/api/v1/enterprises/{other}"))
        .await;
    let missing = app
        .get(&secretary, &format!("/api/v1/enterprises/{MISSING}"))
        .await;
    assert_eq!(hidden.0, StatusCode::NOT_FOUND);
    assert_eq!(hidden, missing);
    // The office still reads them all.
    let office = app.login("office").await;
    let (_, all) = app.get(&office, "/api/v1/enterprises").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    // The 企业名录 on the org page, as the secretary sees it.
    let page = sign_in(&app, "branch_secretary").await.get("/org").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("\"><td>甲科技有限公司</td>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("<td>乙制造有限公司</td>"),
        "{}",
        page.body
    );
}
