//! Every API call for every role: allowed (a 2xx answer) or refused (403, or 404 for an id out
//! of the caller's reach, answered as a missing one is), and nothing else.
//! The web UI extends this same table to its pages.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{id, TestApp, PASSWORD};

const ROLES: [&str; 8] = [
    "sys_admin",
    "sec_admin",
    "audit_admin",
    "office",
    "branch_secretary",
    "leader",
    "service_staff",
    "enterprise",
];

/// Roles a call is allowed for, as a compact string: s=sys_admin, c=sec_admin, a=audit_admin,
/// o=office, b=branch_secretary, l=leader, x=service_staff, e=enterprise.
fn allowed(code: &str, role: &str) -> bool {
    let c = match role {
        "sys_admin" => 's',
        "sec_admin" => 'c',
        "audit_admin" => 'a',
        "office" => 'o',
        "branch_secretary" => 'b',
        "leader" => 'l',
        "service_staff" => 'x',
        _ => 'e',
    };
    code == "*" || code.contains(c)
}

struct Fixture {
    person: i64,
    meeting: i64,
    attachment: i64,
    user: i64,
    e2: i64,
    plan: i64,
    task: i64,
    request: i64,
    /// A file the enterprise attached to the request.
    request_file: i64,
    /// The enterprise user's notice of its request's acceptance.
    notice: i64,
    policy: i64,
    /// A visit with one problem line per role (the role's place in `ROLES`, from 1).
    visit: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let office = app.login("office").await;
    let person = id(&app
        .post_ok(
            &office,
            "/api/v1/people",
            json!({"name": "钱七", "unit_id": app.units.branch_a}),
        )
        .await);
    let meeting = id(&app
        .meeting(&office, "2024-03-01", "党小组会", "甲科技第一党小组")
        .await);
    let (status, a) = app
        .send(multipart(
            &office,
            &format!("/api/v1/records/{meeting}/attachments"),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let sys = app.login("admin").await;
    let user = id(&app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "target", "password": PASSWORD, "role": "leader"}),
        )
        .await);
    let plan = id(&app
        .post_ok(
            &office,
            "/api/v1/plans",
            json!({"year": 2025, "plan_kind": "task_list", "title": "工作清单"}),
        )
        .await);
    let task = id(&app
        .post_ok(
            &office,
            "/api/v1/tasks",
            json!({"plan_id": plan, "seq": "1", "content": "支部任务", "unit_id": app.units.branch_a, "deadline": "2025-12-31"}),
        )
        .await);
    // A request of the enterprise user's enterprise, accepted by the team.
    let ent = app.login("enterprise").await;
    let request = id(&app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "用工", "title": "招工难", "description": "需要招聘操作工 20 名"}),
        )
        .await);
    let staff = app.login("service_staff").await;
    let (status, accepted) = app
        .post(
            &staff,
            &format!("/api/v1/requests/{request}/steps/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let (status, file) = app
        .send(crate::api_records::multipart(
            &ent,
            &format!("/api/v1/requests/{request}/attachments"),
            "营业执照.pdf",
            b"%PDF-1.4 licence",
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let request_file = id(&file);
    // The enterprise's notice of the acceptance.
    let (_, notices) = app.get(&ent, "/api/v1/notices").await;
    let notice = notices["notices"][0]["id"].as_i64().expect("a notice");
    // A policy pushed to the enterprise user's enterprise.
    let policy = id(&app
        .post_ok(
            &office,
            "/api/v1/policies",
            json!({"title": "稳岗补贴", "level": "区", "issuer": "区人社局",
                   "issued_on": "2025-03-01", "summary": "补贴"}),
        )
        .await);
    let (status, pushed) = app
        .post(
            &office,
            &format!("/api/v1/policies/{policy}/push"),
            json!({"mode": "exclusive", "enterprise_ids": [app.enterprises.1]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pushed}");
    let problems: Vec<String> = ROLES.iter().map(|r| format!("{r}反映的问题")).collect();
    let visit = id(&app
        .post_ok(
            &office,
            "/api/v1/records",
            json!({"kind": "visit", "fields": {"date": "2025-05-01", "enterprise": "乙制造有限公司",
                   "visitor": "王五", "visit_form": "走访慰问", "problems": problems.join("\n")}}),
        )
        .await);
    Fixture {
        policy,
        request,
        request_file,
        notice,
        visit,
        person,
        meeting,
        attachment: id(&a),
        user,
        e2: app.enterprises.1,
        plan,
        task,
    }
}

/// A small text file uploaded to `path` (a record's or a request's attachments).
fn multipart(token: &str, path: &str) -> Request<Body> {
    let body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--B--\r\n";
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
        .body(Body::from(body))
        .expect("request")
}

/// The current version of a record, read as the office.
async fn version(app: &TestApp, office: &str, record: i64) -> i64 {
    let (_, r) = app.get(office, &format!("/api/v1/records/{record}")).await;
    r["version"].as_i64().expect("version")
}

#[tokio::test]
async fn every_call_for_every_role() {
    let app = TestApp::new().await;
    let f = fixture(&app).await;
    let office = app.login("office").await;
    let u = app.units;
    let mut failures = Vec::new();
    let (_, meeting_kind) = app.get(&office, "/api/v1/kinds/meeting").await;
    for role in ROLES {
        let line = ROLES.iter().position(|r| *r == role).map_or(0, |i| i + 1);
        let token = if role == "sys_admin" {
            app.login("admin").await
        } else {
            app.login(role).await
        };
        let meeting_fields = json!({"date": "2024-04-01", "meeting_type": "党课", "name": format!("{role}党课"), "org_unit": "甲科技党支部"});
        let calls: Vec<(&str, Method, String, Option<Value>)> = vec![
            ("*", Method::GET, "/api/v1/me".into(), None),
            ("*", Method::GET, "/api/v1/roles".into(), None),
            ("sc", Method::GET, "/api/v1/users".into(), None),
            (
                "s",
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"login": format!("new_{role}"), "password": PASSWORD, "role": "leader"}),
                ),
            ),
            ("sc", Method::GET, format!("/api/v1/users/{}", f.user), None),
            (
                "c",
                Method::PUT,
                format!("/api/v1/users/{}/role", f.user),
                Some(json!({"role": "leader"})),
            ),
            (
                "s",
                Method::POST,
                format!("/api/v1/users/{}/lock", f.user),
                None,
            ),
            (
                "s",
                Method::POST,
                format!("/api/v1/users/{}/unlock", f.user),
                None,
            ),
            ("oblx", Method::GET, "/api/v1/units".into(), None),
            (
                "ob",
                Method::POST,
                "/api/v1/units".into(),
                Some(
                    json!({"name": format!("{role}党小组"), "unit_type": "党小组", "parent_id": u.branch_a}),
                ),
            ),
            (
                "oblx",
                Method::GET,
                format!("/api/v1/units/{}", u.branch_a),
                None,
            ),
            (
                "ob",
                Method::PUT,
                format!("/api/v1/units/{}", u.group_a1),
                Some(
                    json!({"name": "甲科技第一党小组", "unit_type": "党小组", "parent_id": u.branch_a}),
                ),
            ),
            ("oblxe", Method::GET, "/api/v1/enterprises".into(), None),
            (
                "o",
                Method::POST,
                "/api/v1/enterprises".into(),
                Some(json!({"name": format!("{role}公司")})),
            ),
            // A 支部书记 reads only the enterprises its units sit in; e2 is not one of them.
            (
                "olxe",
                Method::GET,
                format!("/api/v1/enterprises/{}", f.e2),
                None,
            ),
            (
                "o",
                Method::PUT,
                format!("/api/v1/enterprises/{}", f.e2),
                Some(json!({"name": "乙制造有限公司", "scale": "小微"})),
            ),
            ("oblx", Method::GET, "/api/v1/people".into(), None),
            (
                "ob",
                Method::POST,
                "/api/v1/people".into(),
                Some(json!({"name": "孙八", "unit_id": u.branch_a})),
            ),
            (
                "oblx",
                Method::GET,
                format!("/api/v1/people/{}", f.person),
                None,
            ),
            (
                "ob",
                Method::PUT,
                format!("/api/v1/people/{}", f.person),
                Some(json!({"name": "钱七", "unit_id": u.branch_a})),
            ),
            (
                "ob",
                Method::POST,
                format!("/api/v1/people/{}/positions", f.person),
                Some(json!({"unit_id": u.branch_a, "title": "组织委员"})),
            ),
            ("oblxe", Method::GET, "/api/v1/kinds".into(), None),
            ("obl", Method::GET, "/api/v1/kinds/meeting".into(), None),
            (
                "o",
                Method::PUT,
                "/api/v1/kinds/meeting".into(),
                Some(meeting_kind.clone()),
            ),
            (
                "obl",
                Method::GET,
                "/api/v1/records?kind=meeting&year=2024".into(),
                None,
            ),
            (
                "ob",
                Method::POST,
                "/api/v1/records".into(),
                Some(json!({"kind": "meeting", "fields": meeting_fields})),
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/records/{}", f.meeting),
                None,
            ),
            (
                "ob",
                Method::PUT,
                format!("/api/v1/records/{}", f.meeting),
                Some(
                    json!({"version": version(&app, &office, f.meeting).await, "fields": {"date": "2024-03-01", "meeting_type": "党小组会", "name": "改", "org_unit": "甲科技第一党小组"}}),
                ),
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/records/{}/history", f.meeting),
                None,
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/records/{}/attachments", f.meeting),
                None,
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/attachments/{}", f.attachment),
                None,
            ),
            (
                "ob",
                Method::DELETE,
                format!("/api/v1/records/{}", f.meeting),
                None,
            ),
            (
                "ob",
                Method::POST,
                format!("/api/v1/records/{}/restore", f.meeting),
                None,
            ),
            (
                "oblx",
                Method::GET,
                "/api/v1/records?kind=visit".into(),
                None,
            ),
            (
                "olx",
                Method::POST,
                "/api/v1/records".into(),
                Some(
                    json!({"kind": "visit", "fields": {"date": "2024-05-01", "enterprise": "乙制造有限公司", "visitor": "王五", "visit_form": "走访慰问"}}),
                ),
            ),
            (
                "oblxe",
                Method::GET,
                "/api/v1/records?kind=enterprise_problem".into(),
                None,
            ),
            ("a", Method::GET, "/api/v1/audit".into(), None),
            ("a", Method::GET, "/api/v1/audit/verify".into(), None),
            ("obl", Method::GET, "/api/v1/plans".into(), None),
            (
                "o",
                Method::POST,
                "/api/v1/plans".into(),
                Some(json!({"year": 2030, "plan_kind": "work_points", "title": "要点"})),
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/plans/{}", f.plan),
                None,
            ),
            ("obl", Method::GET, "/api/v1/tasks?year=2025".into(), None),
            (
                "obl",
                Method::GET,
                "/api/v1/tasks/by-unit?year=2025".into(),
                None,
            ),
            (
                "o",
                Method::POST,
                "/api/v1/tasks".into(),
                Some(
                    json!({"plan_id": f.plan, "seq": format!("2.{role}"), "content": "分解", "unit_id": u.branch_a, "deadline": "2025-12-31"}),
                ),
            ),
            (
                "obl",
                Method::GET,
                format!("/api/v1/tasks/{}", f.task),
                None,
            ),
            (
                "ob",
                Method::POST,
                format!("/api/v1/tasks/{}/progress", f.task),
                Some(json!({"percent": 50, "note": format!("{role}填报")})),
            ),
            (
                "ol",
                Method::POST,
                format!("/api/v1/tasks/{}/supervise", f.task),
                None,
            ),
            (
                "ol",
                Method::DELETE,
                format!("/api/v1/tasks/{}/supervise", f.task),
                None,
            ),
            (
                "o",
                Method::POST,
                format!("/api/v1/people/{}/reveal", f.person),
                None,
            ),
            ("ol", Method::GET, "/api/v1/report/metrics".into(), None),
            ("olxe", Method::GET, "/api/v1/policies".into(), None),
            (
                "ox",
                Method::POST,
                "/api/v1/policies".into(),
                Some(
                    json!({"title": format!("{role}的政策"), "level": "市", "issuer": "市工信局",
                           "issued_on": "2025-04-01", "summary": "奖励", "tags": ["专精特新"]}),
                ),
            ),
            (
                "olxe",
                Method::GET,
                format!("/api/v1/policies/{}", f.policy),
                None,
            ),
            (
                "ox",
                Method::POST,
                format!("/api/v1/policies/{}/push", f.policy),
                Some(json!({"mode": "universal"})),
            ),
            ("olxe", Method::GET, "/api/v1/requests".into(), None),
            ("*", Method::GET, "/api/v1/notices".into(), None),
            (
                "*",
                Method::GET,
                "/api/v1/notices?page=1&per_page=5".into(),
                None,
            ),
            (
                "e",
                Method::POST,
                format!("/api/v1/notices/{}/read", f.notice),
                None,
            ),
            (
                "olx",
                Method::POST,
                format!("/api/v1/records/{}/requests", f.visit),
                Some(json!({"line": line, "category": "用工"})),
            ),
            (
                "oxe",
                Method::POST,
                "/api/v1/requests".into(),
                Some(
                    json!({"category": "融资", "title": format!("{role}的诉求"), "description": "贷款", "enterprise_id": f.e2}),
                ),
            ),
            (
                "olxe",
                Method::GET,
                format!("/api/v1/requests/{}", f.request),
                None,
            ),
            (
                "olxe",
                Method::GET,
                format!("/api/v1/requests/{}/attachments", f.request),
                None,
            ),
            (
                "olxe",
                Method::GET,
                format!(
                    "/api/v1/requests/{}/attachments/{}",
                    f.request, f.request_file
                ),
                None,
            ),
            (
                "oxe",
                Method::POST,
                format!("/api/v1/requests/{}/messages", f.request),
                Some(json!({"text": format!("{role}的留言")})),
            ),
            (
                "ox",
                Method::POST,
                format!("/api/v1/requests/{}/steps/stage_reply", f.request),
                Some(json!({"text": format!("{role}：正在协调")})),
            ),
            (
                "c",
                Method::GET,
                "/api/v1/security/password-profile".into(),
                None,
            ),
            (
                "c",
                Method::PUT,
                "/api/v1/security/password-profile".into(),
                Some(json!({"profile": "dengbao"})),
            ),
        ];
        for (who, method, path, body) in calls {
            let (status, answer) = app.call(method.clone(), &path, Some(&token), body).await;
            let want_allowed = allowed(who, role);
            // Refused: 403 for what the role may never do, or 404 for an id out of the
            // caller's reach, which reads exactly as a missing one.
            let ok = if want_allowed {
                status.is_success()
            } else {
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND
            };
            if !ok {
                failures.push(format!("{role} {method} {path}: {status} {answer}"));
            }
        }
        for (who, path) in [
            ("ob", format!("/api/v1/records/{}/attachments", f.meeting)),
            ("oxe", format!("/api/v1/requests/{}/attachments", f.request)),
        ] {
            let (status, _) = app.send(multipart(&token, &path)).await;
            let ok = if allowed(who, role) {
                status == StatusCode::CREATED
            } else {
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND
            };
            if !ok {
                failures.push(format!("{role} POST {path}: {status}"));
            }
        }
    }
    // Last, once every other call is made: changing one's password ends the role's token. The
    // 三员 change theirs on the server only.
    for role in ROLES {
        let token = app.as_role(role).await;
        let (status, answer) = app
            .put(
                &token,
                "/api/v1/me/password",
                json!({"current_password": PASSWORD, "new_password": "Matrix-Pass-2026"}),
            )
            .await;
        let ok = if allowed("oblxe", role) {
            status == StatusCode::NO_CONTENT
        } else {
            status == StatusCode::FORBIDDEN
        };
        if !ok {
            failures.push(format!("{role} PUT /api/v1/me/password: {status} {answer}"));
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected answers:\n{}",
        failures.join("\n")
    );
}
