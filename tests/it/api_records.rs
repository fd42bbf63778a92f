//! Ledger records through the API: validation, listing, optimistic locking, soft delete,
//! history, attachments and data scope.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::{id, TestApp};

#[tokio::test]
async fn values_are_read_the_way_people_type_them() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .post_ok(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {
                "date": "2024年3月5日", "meeting_type": " 党工委会议 ", "name": "党工委会议（三月）",
                "org_unit": "园区党工委", "is_party_topic": "√", "topic_count": "１２", "expected": 9, "attended": "8人"
            }}),
        )
        .await;
    assert_eq!(rec["date"], "2024-03-05");
    assert_eq!(rec["unit_id"], app.units.committee);
    assert_eq!(rec["fields"]["meeting_type"], "党工委会议");
    assert_eq!(rec["fields"]["is_party_topic"], true);
    assert_eq!(rec["fields"]["topic_count"], 12);
    assert_eq!(rec["fields"]["attended"], 8);
    assert_eq!(rec["version"], 1);
}

#[tokio::test]
async fn every_wrong_value_is_named_at_once() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app
        .post(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": "2024-13-45", "meeting_type": "党工委会", "org_unit": "甲科技支部", "bogus": 1}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["bogus", "date", "meeting_type", "name", "org_unit"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let text = body.to_string();
    assert!(text.contains("党工委会议"), "nearest choice named: {text}");
    assert!(text.contains("甲科技党支部"), "nearest unit named: {text}");
    let (_, list) = app.get(&office, "/api/v1/records?kind=meeting").await;
    assert_eq!(list["total"], 0, "nothing written");
}

#[tokio::test]
async fn listing_filters_by_kind_year_field_and_two_character_text() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    app.meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    app.meeting(&office, "2024-02-10", "主题党日", "甲科技党支部")
        .await;
    app.meeting(&office, "2023-12-31", "党课", "乙制造党支部")
        .await;
    let (status, page) = app
        .get(&office, "/api/v1/records?kind=meeting&year=2024")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["date"], "2024-02-10", "newest first");
    let (_, page) = app
        .get(
            &office,
            "/api/v1/records?kind=meeting&f.meeting_type=%E5%85%9A%E8%AF%BE",
        )
        .await;
    assert_eq!(page["total"], 2, "党课 in both years");
    let (_, page) = app
        .get(&office, "/api/v1/records?q=%E4%B9%99%E5%88%B6")
        .await;
    assert_eq!(page["total"], 1, "乙制 matches one record");
    let (_, page) = app
        .get(
            &office,
            &format!(
                "/api/v1/records?kind=meeting&unit_id={}",
                app.units.branch_a
            ),
        )
        .await;
    assert_eq!(page["total"], 2);
    let (status, body) = app
        .get(&office, "/api/v1/records?kind=meeting&year=abc")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .get(&office, "/api/v1/records?kind=meeting&f.nope=1")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.get(&office, "/api/v1/records?kind=nonexistent").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_second_save_on_an_old_version_is_a_conflict() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let path = format!("/api/v1/records/{}", id(&rec));
    let mut fields = rec["fields"].clone();
    fields["name"] = json!("改过的名称");
    let (status, saved) = app
        .put(&office, &path, json!({"version": 1, "fields": fields}))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    fields["name"] = json!("另一个人的修改");
    let (status, body) = app
        .put(&office, &path, json!({"version": 1, "fields": fields}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current_version"], 2);
    let (_, now) = app.get(&office, &path).await;
    assert_eq!(now["title"], "改过的名称", "nothing overwritten silently");
}

#[tokio::test]
async fn delete_restore_and_history() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let path = format!("/api/v1/records/{}", id(&rec));
    let (status, _) = app.call(Method::DELETE, &path, Some(&office), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = app.get(&office, "/api/v1/records?kind=meeting").await;
    assert_eq!(page["total"], 0);
    let (_, page) = app
        .get(&office, "/api/v1/records?kind=meeting&deleted=true")
        .await;
    assert_eq!(page["total"], 1);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{path}/restore"),
            Some(&office),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, history) = app.get(&office, &format!("{path}/history")).await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["restore", "delete", "create"]);
}

#[tokio::test]
async fn a_branch_secretary_sees_only_their_branch() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let theirs = app
        .meeting(&office, "2024-01-10", "党小组会", "甲科技第一党小组")
        .await;
    let other = app
        .meeting(&office, "2024-01-11", "党课", "乙制造党支部")
        .await;
    let sec = app.login("branch_secretary").await;
    let (_, page) = app.get(&sec, "/api/v1/records?kind=meeting").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], theirs["id"]);
    let (status, _) = app
        .get(&sec, &format!("/api/v1/records/{}", id(&other)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &sec,
            &format!(
                "/api/v1/records?kind=meeting&unit_id={}",
                app.units.branch_b
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(&sec, "/api/v1/records", json!({"kind": "meeting", "fields": {"date": "2024-02-01", "meeting_type": "党课", "name": "越权", "org_unit": "乙制造党支部"}}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(&sec, "/api/v1/records/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_enterprise_user_sees_only_their_enterprise() {
    let app = TestApp::new().await;
    // Records of the 企业难题 ledger made before requests replaced it.
    for ent in [app.enterprises.0, app.enterprises.1] {
        crate::closed_kinds::old_problem_of(&app, ent).await;
    }
    let ent = app.login("enterprise").await;
    let (status, page) = app
        .get(&ent, "/api/v1/records?kind=enterprise_problem")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["enterprise_id"], app.enterprises.1);
    let (status, _) = app.get(&ent, "/api/v1/records?kind=meeting").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

pub(crate) fn multipart(token: &str, path: &str, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "XBOUNDARYX";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        // As every HTTP client sends it: the server refuses an oversized body on it alone.
        .header(header::CONTENT_LENGTH, body.len())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn attachments_upload_download_and_refuse_bad_types() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let path = format!("/api/v1/records/{}/attachments", id(&rec));
    let (status, a) = app
        .send(multipart(&office, &path, "会议纪要.pdf", b"%PDF-1.4 test"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["file_name"], "会议纪要.pdf");
    let (status, list) = app.get(&office, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let (status, body) = app
        .get(&office, &format!("/api/v1/attachments/{}", id(&a)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "%PDF-1.4 test");
    let (status, body) = app
        .send(multipart(&office, &path, "virus.exe", b"MZ"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不支持的文件类型"),
        "{body}"
    );
    let sec = app.login("branch_secretary").await;
    let other = app
        .meeting(&office, "2024-01-11", "党课", "乙制造党支部")
        .await;
    let (status, _) = app
        .send(multipart(
            &sec,
            &format!("/api/v1/records/{}/attachments", id(&other)),
            "x.pdf",
            b"x",
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_requests_answer_in_chinese() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app.get(&office, "/api/v1/records/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["message"], "请求格式有误");
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/records")
        .header(header::AUTHORIZATION, format!("Bearer {office}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .expect("request");
    let (status, body) = app.send(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].is_string());
    let (status, body) = app.get(&office, "/api/v1/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "接口不存在");
}

#[tokio::test]
async fn a_park_adds_a_ledger_kind_and_fields_without_code() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let kind = json!({
        "id": "training", "name": "培训", "sheet": "培训台账", "date_field": "date", "title_field": "name",
        "unit_field": "org_unit",
        "field": [
            {"key": "date", "label": "日期", "type": "date", "required": true},
            {"key": "name", "label": "培训名称", "type": "text", "required": true},
            {"key": "org_unit", "label": "组织单位", "type": "unit"},
            {"key": "hours", "label": "学时", "type": "decimal", "scale": 1}
        ]
    });
    let (status, body) = app.post(&office, "/api/v1/kinds", kind.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let rec = app
        .post_ok(&office, "/api/v1/records", json!({"kind": "training", "fields": {"date": "2024/5/6", "name": "党务培训", "org_unit": "甲科技党支部", "hours": "3.5"}}))
        .await;
    assert_eq!(rec["fields"]["hours"], 3.5);

    // The field holds data now: it can be neither removed nor retyped; adding one is fine.
    let mut without = kind.clone();
    without["field"].as_array_mut().unwrap().pop();
    let (status, body) = app.put(&office, "/api/v1/kinds/training", without).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "hours");
    let mut more = kind.clone();
    more["field"]
        .as_array_mut()
        .unwrap()
        .push(json!({"key": "teacher", "label": "授课人", "type": "person"}));
    let (status, body) = app.put(&office, "/api/v1/kinds/training", more).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut clash = kind.clone();
    clash["id"] = json!("training2");
    let (status, body) = app.post(&office, "/api/v1/kinds", clash).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "same sheet name: {body}"
    );
    let (status, _) = app
        .post(&app.login("leader").await, "/api/v1/kinds", kind)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_upload_up_to_the_stated_limit_is_taken_and_one_over_it_refused_in_chinese() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let path = format!("/api/v1/records/{}/attachments", id(&rec));
    // Over axum's 2 MB default for extractors, well under the stated 20 MB.
    let mut pdf = b"%PDF-1.4 ".to_vec();
    pdf.resize(3 * 1024 * 1024, b'x');
    let (status, a) = app
        .send(multipart(&office, &path, "扫描件.pdf", &pdf))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["size_bytes"], 3 * 1024 * 1024, "{a}");
    let limit = app.state.config.max_upload_bytes;
    let mut big = b"%PDF-1.4 ".to_vec();
    big.resize(limit + 128 * 1024, b'x');
    let (status, body) = app.send(multipart(&office, &path, "太大.pdf", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("20 MB"),
        "{body}"
    );
}

/// An enterprise user's old 企业难题 (made before requests replaced the ledger) stays on the
/// books: the enterprise reads it, can neither delete nor restore it, and cannot change it.
#[tokio::test]
async fn an_enterprise_cannot_change_delete_or_restore_its_old_problem() {
    let app = TestApp::new().await;
    let ent = app.login("enterprise").await;
    let rid = crate::closed_kinds::old_problem_of(&app, app.enterprises.1).await;
    let (status, rec) = app.get(&ent, &format!("/api/v1/records/{rid}")).await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let (status, body) = app
        .put(
            &ent,
            &format!("/api/v1/records/{rid}"),
            json!({"version": rec["version"], "fields": {"accepted_on": "2025-03-01", "problem_category": "用工", "description": "招工难，急需普工 30 人"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("企业诉求"),
        "{body}"
    );
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/records/{rid}"),
            Some(&ent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(&ent, &format!("/api/v1/records/{rid}/restore"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let b = crate::web::sign_in(&app, "enterprise").await;
    let page = b.get(&format!("/records/{rid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("招工难") && !page.body.contains("确定删除这条记录吗"));
}

/// The form and the API refuse a record that breaks a plausibility rule, at its field and with
/// both values; the form keeps what was typed.
#[tokio::test]
async fn implausible_values_are_refused_on_the_api_and_the_form() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (status, body) = app
        .post(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": "2025-06-01", "meeting_type": "党课", "name": "六月党课", "org_unit": "甲科技党支部", "expected": 30, "attended": 35}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "attended");
    assert!(
        body.to_string()
            .contains("实到人数（35）大于应到人数（30）"),
        "{body}"
    );
    let b = crate::web::sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let form = b
        .post(
            "/ledger/meeting/new",
            &[
                ("_csrf", &csrf),
                ("date", "2025-06-20"),
                ("meeting_type", "党课"),
                ("name", "还没开的党课"),
                ("org_unit", "甲科技党支部"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.body.contains("会议尚未召开") && form.body.contains("还没开的党课"));
}

/// Records stored before a rule held (here: written to the table directly, as an old import
/// could have) are listed on the data-quality page with a link and both values.
#[tokio::test]
async fn the_data_quality_page_lists_stored_records_that_break_a_rule() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let fine = app
        .post_ok(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": "2025-05-06", "meeting_type": "党课", "name": "五月党课", "org_unit": "甲科技党支部", "expected": 30, "attended": 28}}),
        )
        .await;
    let bad = app
        .post_ok(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": "2025-05-08", "meeting_type": "党课", "name": "五月第二次党课", "org_unit": "甲科技党支部", "expected": 30, "attended": 28}}),
        )
        .await;
    let mut fields = bad["fields"].clone();
    fields["attended"] = json!(41);
    let sql = "UPDATE records SET fields = $1 WHERE id = $2";
    match &app.db {
        taizhang::db::Db::Sqlite(pool) => {
            sqlx::query(sql)
                .bind(fields.to_string())
                .bind(id(&bad))
                .execute(pool)
                .await
                .unwrap();
        }
        taizhang::db::Db::Postgres(pool) => {
            sqlx::query(sql)
                .bind(fields.to_string())
                .bind(id(&bad))
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let b = crate::web::sign_in(&app, "office").await;
    let page = b.get("/data-quality?year=2025").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/records/{}\"", id(&bad))),
        "{}",
        page.body
    );
    assert!(!page
        .body
        .contains(&format!("href=\"/records/{}\"", id(&fine))));
    assert!(page.body.contains("实到人数（41）大于应到人数（30）"));
    assert!(page.body.contains("共 <strong>1</strong> 条"));
    let ent = crate::web::sign_in(&app, "enterprise").await;
    assert_eq!(ent.get("/data-quality").await.status, StatusCode::FORBIDDEN);
}
