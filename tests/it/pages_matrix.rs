//! Every page and every form action of the web UI for every role: allowed (anything but 403, a
//! redirect to the login page or a 5xx) or refused (403, or 404 for an id out of the caller's reach, read as a missing one);
//! and for a stranger, the login page.
//! A branch secretary opening another branch's record or person by URL is refused.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::helpers::{id, TestApp, PASSWORD};
use crate::web::{form_body, send, sign_in};

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

/// Same code as `roles_matrix`: s=sys_admin, c=sec_admin, a=audit_admin, o=office,
/// b=branch_secretary, l=leader, x=service_staff, e=enterprise, *=everyone signed in.
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
    meeting_a: i64,
    meeting_b: i64,
    to_delete: i64,
    person_a: i64,
    person_b: i64,
    position_a: i64,
    position_b: i64,
    target: i64,
    plan: i64,
    empty_plan: i64,
    task_a: i64,
    task_b: i64,
    task_to_delete: i64,
    /// A request of the enterprise user's enterprise, accepted by the team.
    request: i64,
    /// A file the enterprise attached to it.
    request_file: i64,
    /// A policy pushed to the enterprise user's enterprise.
    policy: i64,
    /// A visit with one problem line per role (the role's place in `ROLES`, from 1).
    visit: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let office = app.login("office").await;
    let person = |name: &str, unit: i64| {
        let office = office.clone();
        let name = name.to_string();
        async move {
            id(&app
                .post_ok(
                    &office,
                    "/api/v1/people",
                    json!({"name": name, "unit_id": unit}),
                )
                .await)
        }
    };
    let person_a = person("钱七", app.units.branch_a).await;
    let person_b = person("孙八", app.units.branch_b).await;
    let position = |p: i64, unit: i64| {
        let office = office.clone();
        async move {
            id(&app
                .post_ok(
                    &office,
                    &format!("/api/v1/people/{p}/positions"),
                    json!({"unit_id": unit, "title": "组织委员", "start_on": "2024-01-01"}),
                )
                .await)
        }
    };
    let position_a = position(person_a, app.units.branch_a).await;
    let position_b = position(person_b, app.units.branch_b).await;
    let meeting_a = id(&app
        .meeting(&office, "2024-03-01", "党课", "甲科技党支部")
        .await);
    let meeting_b = id(&app
        .meeting(&office, "2024-03-02", "党课", "乙制造党支部")
        .await);
    let to_delete = id(&app
        .meeting(&office, "2024-03-03", "党课", "甲科技党支部")
        .await);
    let sys = app.login("admin").await;
    let target = id(&app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "target", "password": PASSWORD, "role": "leader"}),
        )
        .await);
    let plan_of = |kind: &str| {
        let office = office.clone();
        let body = json!({"year": 2024, "plan_kind": kind, "title": format!("2024年{kind}")});
        async move { id(&app.post_ok(&office, "/api/v1/plans", body).await) }
    };
    let plan = plan_of("task_list").await;
    let empty_plan = plan_of("work_points").await;
    let task = |seq: &str, unit: i64| {
        let office = office.clone();
        let body = json!({"plan_id": plan, "seq": seq, "content": format!("任务{seq}"),
                          "unit_id": unit, "deadline": "2024-12-31"});
        async move { id(&app.post_ok(&office, "/api/v1/tasks", body).await) }
    };
    let task_a = task("1", app.units.branch_a).await;
    let task_b = task("2", app.units.branch_b).await;
    let task_to_delete = task("3", app.units.branch_a).await;
    let ent = app.login("enterprise").await;
    let request = id(&app
        .post_ok(
            &ent,
            "/api/v1/requests",
            json!({"category": "用工", "title": "招工", "description": "操作工"}),
        )
        .await);
    let staff = app.login("service_staff").await;
    let (status, body) = app
        .post(
            &staff,
            &format!("/api/v1/requests/{request}/steps/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
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
    let policy = id(&app
        .post_ok(
            &office,
            "/api/v1/policies",
            json!({"title": "稳岗补贴", "level": "区", "issuer": "区人社局",
                   "issued_on": "2024-03-01", "summary": "补贴"}),
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
            json!({"kind": "visit", "fields": {"date": "2024-05-01", "enterprise": "乙制造有限公司",
                   "visitor": "王五", "visit_form": "走访慰问", "problems": problems.join("\n")}}),
        )
        .await);
    Fixture {
        request,
        request_file,
        policy,
        visit,
        meeting_a,
        meeting_b,
        to_delete,
        person_a,
        person_b,
        position_a,
        position_b,
        target,
        plan,
        empty_plan,
        task_a,
        task_b,
        task_to_delete,
    }
}

type Call = (&'static str, &'static str, String, Vec<(String, String)>);

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every page (GET) and form action (POST), with the roles allowed.
fn calls(app: &TestApp, f: &Fixture, role: &str) -> Vec<Call> {
    let u = app.units;
    let line = ROLES.iter().position(|r| *r == role).map_or(0, |i| i + 1);
    let (e1, _) = app.enterprises;
    let meeting = |name: &str| {
        pairs(&[
            ("date", "2024-04-01"),
            ("meeting_type", "党课"),
            ("name", name),
            ("org_unit", "甲科技党支部"),
        ])
    };
    let get = |code: &'static str, path: String| (code, "GET", path, Vec::new());
    let unit_a = pairs(&[
        ("name", "甲科技党支部"),
        ("unit_type", "党支部"),
        ("parent_id", &u.committee.to_string()),
        ("enterprise_id", &e1.to_string()),
    ]);
    let unit_b = pairs(&[
        ("name", "乙制造党支部"),
        ("unit_type", "党支部"),
        ("parent_id", &u.committee.to_string()),
    ]);
    let person_in =
        |name: &str, unit: i64| pairs(&[("name", name), ("unit_id", &unit.to_string())]);
    let post =
        |code: &'static str, path: String, form: Vec<(String, String)>| (code, "POST", path, form);
    let new_unit = pairs(&[
        ("name", &format!("{role}新小组")),
        ("unit_type", "党小组"),
        ("parent_id", &u.branch_a.to_string()),
    ]);
    let position = |unit: i64| {
        pairs(&[
            ("unit_id", &unit.to_string()),
            ("title", "宣传委员"),
            ("start_on", "2024-05-01"),
        ])
    };
    let enterprise = pairs(&[("name", &format!("{role}新企业"))]);
    let task_form = |seq: &str, unit: i64| {
        pairs(&[
            ("seq", seq),
            ("content", &format!("{role}改过的任务")),
            ("unit_id", &unit.to_string()),
            ("deadline", "2024-11-30"),
        ])
    };
    vec![
        get("obl", "/plans".into()),
        get("obl", "/tasks".into()),
        get("obl", "/checks".into()),
        get("obl", "/data-quality".into()),
        get("obl", "/checks/rules".into()),
        get("o", "/calendar".into()),
        get("olxe", "/policies".into()),
        get("ox", "/policies/new".into()),
        get("ox", "/policies/tags".into()),
        get("olxe", format!("/policies/{}", f.policy)),
        get("ox", format!("/policies/{}/edit", f.policy)),
        post(
            "ox",
            "/policies/new".into(),
            pairs(&[
                ("title", &format!("{role}的政策")),
                ("level", "市"),
                ("issuer", "市工信局"),
                ("issued_on", "2024-04-01"),
                ("summary", "奖励"),
                ("tags", "专精特新"),
            ]),
        ),
        post(
            "ox",
            format!("/policies/{}/edit", f.policy),
            pairs(&[
                ("title", &format!("{role}改过的政策")),
                ("level", "区"),
                ("issuer", "区人社局"),
                ("issued_on", "2024-03-01"),
                ("summary", "补贴"),
            ]),
        ),
        post(
            "ox",
            format!("/policies/{}/push", f.policy),
            pairs(&[("mode", "universal")]),
        ),
        post(
            "ox",
            "/policies/tags".into(),
            pairs(&[(
                "tags",
                "高新技术企业\n专精特新\n科技型中小企业\n规上企业\n瞪羚企业",
            )]),
        ),
        get("olxe", "/requests".into()),
        get("*", "/notices".into()),
        get("*", "/notices?page=2".into()),
        post("*", "/notices/read-all".into(), Vec::new()),
        post("*", "/notices/987654/read".into(), Vec::new()),
        get("o", "/notices/robots".into()),
        get("o", "/notices/robots/987654".into()),
        get("o", "/notices/outbox".into()),
        post(
            "o",
            "/notices/robots".into(),
            pairs(&[
                ("name", &format!("{role}的机器人")),
                ("kind", "wecom"),
                (
                    "url",
                    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                ),
                ("events", "new_request"),
                ("events", "overdue"),
                ("enabled", "1"),
            ]),
        ),
        post("o", "/notices/outbox/987654/resend".into(), Vec::new()),
        get("ol", "/visits/paired".into()),
        get(
            "oblx",
            "/ledger/visit/new?visitor=%E7%8E%8B%E4%BA%94".into(),
        ),
        post(
            "olx",
            format!("/records/{}/problems/{line}/request", f.visit),
            pairs(&[("category", "用工")]),
        ),
        get("oxe", "/requests/new".into()),
        get("o", "/requests/settings".into()),
        post(
            "o",
            "/requests/settings/categories".into(),
            pairs(&[
                ("name_1", "用工"),
                ("group_1", "企业服务组"),
                ("contact_1", "1"),
                ("reply_1", "3"),
                ("close_1", "15"),
                ("extended_1", "30"),
                ("name_2", "融资"),
                ("group_2", "企业服务组"),
                ("contact_2", "1"),
                ("reply_2", "3"),
                ("close_2", "15"),
                ("extended_2", "30"),
            ]),
        ),
        post("o", "/requests/settings/team".into(), pairs(&[])),
        get("olxe", format!("/requests/{}", f.request)),
        get(
            "olxe",
            format!("/requests/{}/attachments/{}", f.request, f.request_file),
        ),
        (
            "oxe",
            "UPLOAD",
            format!("/requests/{}/attachments", f.request),
            Vec::new(),
        ),
        post(
            "oxe",
            "/requests/new".into(),
            pairs(&[
                ("category", "融资"),
                ("title", &format!("{role}的诉求")),
                ("description", "贷款"),
                ("enterprise_id", &app.enterprises.1.to_string()),
                ("channel", "phone"),
            ]),
        ),
        post(
            "oxe",
            format!("/requests/{}/messages", f.request),
            pairs(&[("text", &format!("{role}留言"))]),
        ),
        post(
            "ox",
            format!("/requests/{}/steps/stage_reply", f.request),
            pairs(&[("text", &format!("{role}：办理中"))]),
        ),
        get("o", "/calendar/2026?from=2026-09-30&days=1".into()),
        post(
            "o",
            "/calendar/2027".into(),
            pairs(&[(
                "text",
                "通知 国务院办公厅关于2027年部分节假日安排的通知\n元旦 2027-01-01\n",
            )]),
        ),
        get("obl", "/compile?year=2024".into()),
        get("obl", format!("/compile?year=2024&unit={}", u.branch_a)),
        get("ol", "/report".into()),
        get("ol", "/report/view?year=2024".into()),
        get("ol", "/report/download?year=2024&format=md".into()),
        get(
            "ol",
            "/report/records?metric=meetings_total&year=2024".into(),
        ),
        get("ol", "/report/templates".into()),
        get("o", "/report/templates/new".into()),
        get("o", "/report/templates/987654".into()),
        get(
            "ol",
            "/report/templates/records?metric=meetings_total&year=2024".into(),
        ),
        get("ol", "/report/causes?year=2024".into()),
        get("o", "/report/scaffold".into()),
        get("o", "/import".into()),
        get("o", "/import/no-such-upload".into()),
        get("o", "/import/no-such-upload/errors.xlsx".into()),
        get("obl", "/ledger/meeting/export?year=2024".into()),
        get("ob", "/ledger/meeting/template".into()),
        get("obl", "/attachments/987654".into()),
        get("obl", "/task-attachments/987654".into()),
        get("o", format!("/plans/{}/import/errors.xlsx", f.plan)),
        get("obl", format!("/plans/{}", f.plan)),
        get("obl", format!("/tasks/{}", f.task_a)),
        get("ol", format!("/tasks/{}", f.task_b)),
        post(
            "o",
            format!("/plans/{}/edit", f.plan),
            pairs(&[("title", &format!("{role}改过的清单")), ("year", "2024")]),
        ),
        post(
            "ob",
            format!("/tasks/{}/edit", f.task_a),
            task_form("1", u.branch_a),
        ),
        post(
            "o",
            format!("/tasks/{}/edit", f.task_b),
            task_form("2", u.branch_b),
        ),
        post(
            "ob",
            format!("/tasks/{}/delete", f.task_to_delete),
            Vec::new(),
        ),
        post("o", format!("/plans/{}/delete", f.empty_plan), Vec::new()),
        post(
            "o",
            format!("/plans/{}/tasks", f.plan),
            task_form(&format!("9.{role}"), u.branch_a),
        ),
        post(
            "ob",
            format!("/tasks/{}/progress", f.task_a),
            pairs(&[("percent", "40"), ("note", &format!("{role}填报"))]),
        ),
        post("ol", format!("/tasks/{}/supervise", f.task_a), Vec::new()),
        post(
            "o",
            format!("/org/people/{}/reveal", f.person_a),
            Vec::new(),
        ),
        post(
            "o",
            "/checks/mark".into(),
            pairs(&[
                ("rule", "branch_committee_monthly"),
                ("unit_id", &u.branch_a.to_string()),
                ("period", "2024年1月"),
                ("note", "已补开"),
            ]),
        ),
        post(
            "o",
            "/checks/unmark".into(),
            pairs(&[
                ("rule", "branch_committee_monthly"),
                ("unit_id", &u.branch_a.to_string()),
                ("period", "2024年1月"),
            ]),
        ),
        post("o", "/import/no-such-upload/confirm".into(), Vec::new()),
        // The uploads, each a small file: refused before the body is read for a role that may
        // not upload.
        (
            "o",
            "UPLOAD",
            format!("/plans/{}/import", f.plan),
            Vec::new(),
        ),
        (
            "ob",
            "UPLOAD",
            format!("/records/{}/attachments", f.meeting_a),
            Vec::new(),
        ),
        (
            "ob",
            "UPLOAD",
            "/task-progress/987654/attachments".into(),
            Vec::new(),
        ),
        post(
            "o",
            "/report/scaffold/template".into(),
            pairs(&[("essay", "全年召开会议X次。")]),
        ),
        get("*", "/".into()),
        get("obl", "/ledger/meeting".into()),
        get("ob", "/ledger/meeting/new".into()),
        get("obl", format!("/records/{}", f.meeting_a)),
        get("ol", format!("/records/{}", f.meeting_b)),
        get("ob", format!("/records/{}/edit", f.meeting_a)),
        get("o", format!("/records/{}/edit", f.meeting_b)),
        get("obl", format!("/records/{}/attendance", f.meeting_a)),
        get("ol", format!("/records/{}/attendance", f.meeting_b)),
        get("obl", format!("/records/{}/minutes", f.meeting_a)),
        get("ol", format!("/records/{}/minutes", f.meeting_b)),
        get("ob", format!("/records/{}/signin", f.meeting_a)),
        get("o", format!("/records/{}/signin", f.meeting_b)),
        get("oblx", "/org".into()),
        get("ob", "/org/units/new".into()),
        get("ob", format!("/org/units/{}/edit", u.branch_a)),
        get("o", format!("/org/units/{}/edit", u.branch_b)),
        get("ob", "/org/people/new".into()),
        get("oblx", format!("/org/people/{}", f.person_a)),
        get("olx", format!("/org/people/{}", f.person_b)),
        get("ob", format!("/org/people/{}/edit", f.person_a)),
        get("o", format!("/org/people/{}/edit", f.person_b)),
        get("o", "/org/enterprises/new".into()),
        get("o", format!("/org/enterprises/{e1}/edit")),
        get("sc", "/admin/users".into()),
        get("c", "/admin/security".into()),
        get("*", "/account/password".into()),
        get("*", "/account/totp".into()),
        get("*", "/login/code".into()),
        post("*", "/login/code".into(), pairs(&[("code", "000000")])),
        post("*", "/account/totp/begin".into(), Vec::new()),
        post(
            "*",
            "/account/totp/confirm".into(),
            pairs(&[("code", "000000")]),
        ),
        // The three admin duties may not turn their second factor off.
        post(
            "oblxe",
            "/account/totp/off".into(),
            pairs(&[("code", "000000")]),
        ),
        get("o", "/admin/kinds".into()),
        get("o", "/admin/kinds/meeting".into()),
        get("ol", "/report/metrics".into()),
        get("a", "/audit".into()),
        get("a", "/audit?q=%E5%85%9A%E8%AF%BE&from=2024-01-01".into()),
        post(
            "ob",
            "/ledger/meeting/new".into(),
            meeting(&format!("{role}党课")),
        ),
        post(
            "ob",
            format!("/records/{}/edit", f.meeting_a),
            meeting("改"),
        ),
        post("o", format!("/records/{}/edit", f.meeting_b), meeting("改")),
        // A stale version: a conflict shown on the page, never a 5xx.
        post(
            "ob",
            format!("/records/{}/attendance", f.meeting_a),
            pairs(&[("version", "0")]),
        ),
        post(
            "o",
            format!("/records/{}/attendance", f.meeting_b),
            pairs(&[("version", "0")]),
        ),
        post("ob", format!("/records/{}/delete", f.to_delete), Vec::new()),
        post(
            "ob",
            format!("/records/{}/restore", f.to_delete),
            Vec::new(),
        ),
        post("ob", "/org/units/new".into(), new_unit),
        post("ob", format!("/org/units/{}/edit", u.branch_a), unit_a),
        post("o", format!("/org/units/{}/edit", u.branch_b), unit_b),
        post(
            "ob",
            "/org/people/new".into(),
            person_in(&format!("{role}新人"), u.branch_a),
        ),
        post(
            "ob",
            format!("/org/people/{}/edit", f.person_a),
            person_in("钱七", u.branch_a),
        ),
        post(
            "o",
            format!("/org/people/{}/edit", f.person_b),
            person_in("孙八", u.branch_b),
        ),
        post(
            "ob",
            format!("/org/people/{}/positions", f.person_a),
            position(u.branch_a),
        ),
        post(
            "o",
            format!("/org/people/{}/positions", f.person_b),
            position(u.branch_b),
        ),
        post(
            "ob",
            format!("/org/positions/{}/end", f.position_a),
            pairs(&[("end_on", "2024-06-01")]),
        ),
        post(
            "o",
            format!("/org/positions/{}/end", f.position_b),
            pairs(&[("end_on", "2024-06-01")]),
        ),
        post("o", "/org/enterprises/new".into(), enterprise),
        post(
            "o",
            format!("/org/enterprises/{e1}/edit"),
            pairs(&[("name", "甲科技有限公司"), ("scale", "规上")]),
        ),
        post(
            "s",
            "/admin/users".into(),
            pairs(&[("login", &format!("p_{role}")), ("role", "leader")]),
        ),
        post("s", format!("/admin/users/{}/lock", f.target), Vec::new()),
        post("s", format!("/admin/users/{}/unlock", f.target), Vec::new()),
        post(
            "s",
            format!("/admin/users/{}/password", f.target),
            Vec::new(),
        ),
        post(
            "c",
            format!("/admin/users/{}/role", f.target),
            pairs(&[("role", "leader")]),
        ),
        post(
            "c",
            "/admin/security".into(),
            pairs(&[("profile", "dengbao")]),
        ),
        post(
            "o",
            "/admin/kinds".into(),
            pairs(&[
                ("id", &format!("k_{role}")),
                ("name", "参观"),
                ("sheet", &format!("{role}参观台账")),
            ]),
        ),
        post(
            "o",
            "/admin/kinds/meeting/fields".into(),
            pairs(&[
                ("label", &format!("{role}备注")),
                ("key", &format!("note_{role}")),
                ("field_type", "text"),
            ]),
        ),
        post(
            "o",
            "/admin/kinds/meeting/fields/note_office/type".into(),
            pairs(&[("field_type", "longtext")]),
        ),
        post(
            "o",
            "/admin/kinds/meeting/fields/note_office/delete".into(),
            Vec::new(),
        ),
        post(
            "o",
            "/report/metrics".into(),
            pairs(&[("text", "[[metric]]\nid = \"brochures\"\nenabled = false\n")]),
        ),
    ]
}

/// A page's upload form as a browser sends it: the CSRF token and one small file.
async fn upload(b: &crate::web::Browser<'_>, path: &str, csrf: &str) -> crate::web::Answer {
    let boundary = "MATRIXBOUNDARY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nx\r\n--{boundary}--\r\n"
    );
    let req = Request::post(path)
        .header(header::COOKIE, &b.cookie)
        .header(header::CONTENT_LENGTH, body.len())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    crate::web::send(b.app, req).await
}

#[tokio::test]
async fn every_page_and_form_for_every_role() {
    let app = TestApp::new().await;
    let f = fixture(&app).await;
    let mut failures = Vec::new();
    let mut walked = 0;
    for role in ROLES {
        let b = sign_in(&app, if role == "sys_admin" { "admin" } else { role }).await;
        let csrf = b.csrf().await;
        for (code, method, path, form) in calls(&app, &f, role) {
            let a = if method == "GET" {
                b.get(&path).await
            } else if method == "UPLOAD" {
                upload(&b, &path, &csrf).await
            } else {
                let mut body: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
                body.extend(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                b.post(&path, &body).await
            };
            walked += 1;
            let to_login = a
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login"));
            let ok = if allowed(code, role) {
                a.status != StatusCode::FORBIDDEN && !a.status.is_server_error() && !to_login
            } else {
                (a.status == StatusCode::FORBIDDEN && a.body.contains("没有权限"))
                    || (a.status == StatusCode::NOT_FOUND && a.body.contains("不存在"))
            };
            if !ok {
                failures.push(format!("{role} {method} {path}: {}", a.status));
            }
        }
    }
    assert!(walked > 300, "{walked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_stranger_is_sent_to_the_login_page_from_every_page_and_form() {
    let app = TestApp::new().await;
    let f = fixture(&app).await;
    for (_, method, path, form) in calls(&app, &f, "stranger") {
        let body: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request::builder()
            .method(if method == "UPLOAD" { "POST" } else { method })
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(&body)))
            .unwrap();
        let a = send(&app, req).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{method} {path}");
        assert!(
            a.location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login?next=")),
            "{method} {path}: {:?}",
            a.location
        );
    }
}

/// Every form refuses a post without this session's CSRF token, for every role, before it
/// reads or writes anything: no token, and the token of another session, are both the 403 page.
#[tokio::test]
async fn every_form_refuses_a_post_without_the_sessions_csrf_token() {
    let app = TestApp::new().await;
    let f = fixture(&app).await;
    let other = sign_in(&app, "office").await.csrf().await;
    let mut failures = Vec::new();
    let mut posts = 0;
    for role in ROLES {
        let b = sign_in(&app, if role == "sys_admin" { "admin" } else { role }).await;
        for (code, method, path, form) in calls(&app, &f, role) {
            if method == "GET" {
                continue;
            }
            for token in [None, Some(other.as_str())] {
                let a = if method == "UPLOAD" {
                    upload(&b, &path, token.unwrap_or("")).await
                } else {
                    let mut body: Vec<(&str, &str)> =
                        token.map(|t| ("_csrf", t)).into_iter().collect();
                    body.extend(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    b.post(&path, &body).await
                };
                posts += 1;
                // An upload is refused for the role, or for a record out of its reach, before
                // its body is read.
                let refused_before = method == "UPLOAD"
                    && !allowed(code, role)
                    && ((a.status == StatusCode::FORBIDDEN && a.body.contains("没有权限"))
                        || (a.status == StatusCode::NOT_FOUND && a.body.contains("不存在")));
                let refused = refused_before
                    || (a.status == StatusCode::FORBIDDEN
                        && a.body.contains("表单已过期或来源不明"));
                if !refused {
                    failures.push(format!(
                        "{role} {method} {path} token={token:?}: {}",
                        a.status
                    ));
                }
            }
        }
    }
    assert!(posts > 100, "{posts}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The public sign-in page a meeting's QR code opens needs no account: every role and a
/// stranger get the page (a code that is not one is its message, 400, never the login page or
/// a 5xx), and its form is refused without the token bound to a valid code.
#[tokio::test]
async fn the_public_sign_in_page_answers_everyone_and_wants_its_own_token() {
    let app = TestApp::new().await;
    let f = fixture(&app).await;
    let path = format!("/signin/{}?code=1.2.3.4", f.meeting_a);
    let mut browsers = Vec::new();
    for role in ROLES {
        browsers.push(sign_in(&app, if role == "sys_admin" { "admin" } else { role }).await);
    }
    for b in &browsers {
        let a = b.get(&path).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
        assert!(a.body.contains("签到码无效"), "{}", a.body);
    }
    let stranger = send(&app, Request::get(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    assert!(stranger.body.contains("签到码无效"), "{}", stranger.body);
    let post = Request::post(format!("/signin/{}", f.meeting_a))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("code", "1.2.3.4"),
            ("person", "1"),
            ("last4", "1234"),
        ])))
        .unwrap();
    let a = send(&app, post).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
}
