//! The park's own request settings and what follows from them: categories with their group and
//! working-day limits (set by the 党建办 on `/requests/settings`), the 园小二 team's groups and
//! leaders (a group's leader approves an extension; an overdue request escalates to the group's
//! leader, then to the team's), and files attached to a request (the enterprise's own only, the
//! limit and the accepted types named when refused).

use axum::http::{Method, StatusCode};
use chrono::TimeZone;
use serde_json::{json, Value};

use crate::api_records::multipart;
use crate::helpers::{id, now, TestApp, INITIAL_PASSWORD};
use crate::web::sign_in;

/// Moves the park's clock to `date` 10:00 Beijing time (passwords kept from falling due).
async fn on(app: &mut TestApp, y: i32, m: u32, d: u32) {
    app.passwords_never_expire().await;
    let at = chrono::Utc
        .with_ymd_and_hms(y, m, d, 2, 0, 0)
        .single()
        .expect("instant");
    app.state.clock = taizhang::web::Clock::Fixed(at);
}

/// A second 园小二 account, `login`, signed in once; its user id.
async fn staff(app: &TestApp, login: &str) -> i64 {
    let sys = app.login("admin").await;
    let created = app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": login, "password": INITIAL_PASSWORD, "role": "service_staff"}),
        )
        .await;
    let sec = app.as_role("sec_admin").await;
    app.grant(&sec, id(&created), json!({"role": "service_staff"}))
        .await;
    app.first_sign_in(login).await;
    id(&created)
}

async fn user_id(app: &TestApp, login: &str) -> i64 {
    taizhang::auth::operator::find_by_login(&app.db, app.park_id, login, now())
        .await
        .expect("lookup")
        .expect("user")
        .id
}

/// Takes a step that must succeed; the request after it.
async fn take(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, after) = app.post(token, path, body).await;
    assert_eq!(status, StatusCode::OK, "{path}: {after}");
    after
}

async fn raise(app: &TestApp, token: &str, category: &str) -> Value {
    app.post_ok(
        token,
        "/api/v1/requests",
        json!({"category": category, "title": "招聘技术工人", "description": "需要数控技工 10 名"}),
    )
    .await
}

#[tokio::test]
async fn a_category_the_office_adds_routes_to_its_group_with_its_own_limits() {
    let mut app = TestApp::new().await;
    let office = sign_in(&app, "office").await;
    let csrf = office.csrf().await;
    // Refused, with what was typed kept and each wrong cell named by its row.
    let refused = office
        .post(
            "/requests/settings/categories",
            &[
                ("_csrf", &csrf),
                ("name_1", "人才引进"),
                ("group_1", "企业服务组"),
                ("contact_1", "2"),
                ("reply_1", "1"),
                ("close_1", "10"),
                ("extended_1", "20"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("第1行") && refused.body.contains("依次不减"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"人才引进\""), "typed kept");
    let saved = office
        .post(
            "/requests/settings/categories",
            &[
                ("_csrf", &csrf),
                ("name_1", "人才引进"),
                ("group_1", "企业服务组"),
                ("contact_1", "2"),
                ("reply_1", "5"),
                ("close_1", "10"),
                ("extended_1", "20"),
                ("name_2", "其他"),
                ("group_2", "综合协调组"),
                ("contact_2", "1"),
                ("reply_2", "3"),
                ("close_2", "15"),
                ("extended_2", "30"),
                ("name_3", ""),
                ("group_3", "综合协调组"),
                ("contact_3", ""),
                ("reply_3", ""),
                ("close_3", ""),
                ("extended_3", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = office.get("/requests/settings?saved=1").await;
    assert!(page.body.contains("已保存") && page.body.contains("value=\"人才引进\""));

    // Monday 7 September 2026: two working days to contact, ten to close.
    on(&mut app, 2026, 9, 7).await;
    let ent = app.login("enterprise").await;
    let r = raise(&app, &ent, "人才引进").await;
    assert_eq!(r["group"], "企业服务组", "{r}");
    assert_eq!(r["due"]["contact_by"], "2026-09-09", "{r}");
    assert_eq!(r["due"]["reply_by"], "2026-09-14", "{r}");
    // 8–11, 14–18 September and the make-up Sunday 20 September make ten.
    assert_eq!(r["due"]["close_by"], "2026-09-20", "{r}");

    // A category the park no longer has is refused, naming the ones it has.
    let (status, body) = app
        .post(
            &ent,
            "/api/v1/requests",
            json!({"category": "用地", "title": "用地", "description": "用地"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("人才引进、其他"), "{body}");

    // The new-request form offers the park's categories with their groups.
    let form = sign_in(&app, "enterprise").await.get("/requests/new").await;
    assert!(
        form.body.contains("人才引进（企业服务组办理）"),
        "{}",
        form.body
    );
    assert!(!form.body.contains(">用地"), "removed category not offered");
}

#[tokio::test]
async fn only_the_office_sets_categories_and_the_team() {
    let app = TestApp::new().await;
    for login in ["service_staff", "leader", "enterprise", "branch_secretary"] {
        let b = sign_in(&app, login).await;
        assert_eq!(
            b.get("/requests/settings").await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        let csrf = b.csrf().await;
        let a = b.post("/requests/settings/team", &[("_csrf", &csrf)]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{login}");
        let a = b
            .post(
                "/requests/settings/categories",
                &[
                    ("_csrf", &csrf),
                    ("name_1", "自设"),
                    ("group_1", "综合协调组"),
                    ("contact_1", "1"),
                    ("reply_1", "2"),
                    ("close_1", "3"),
                    ("extended_1", "4"),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{login}");
    }
    let office = sign_in(&app, "office").await;
    // Without the CSRF token, refused before anything is read.
    let a = office.post("/requests/settings/team", &[]).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_group_leader_extends_a_request_of_the_group_and_a_member_may_not() {
    let mut app = TestApp::new().await;
    let member = staff(&app, "xiaoer2").await;
    let leader = user_id(&app, "service_staff").await;
    let office = sign_in(&app, "office").await;
    let csrf = office.csrf().await;
    let lead = format!("group_{leader}");
    let lead_duty = format!("duty_{leader}");
    let mem = format!("group_{member}");
    let mem_duty = format!("duty_{member}");
    // A 园小二 put on the team without a group is refused, naming the account.
    let refused = office
        .post(
            "/requests/settings/team",
            &[("_csrf", &csrf), (&lead, ""), (&lead_duty, "group_leader")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("请为"), "{}", refused.body);
    let saved = office
        .post(
            "/requests/settings/team",
            &[
                ("_csrf", &csrf),
                (&lead, "企业服务组"),
                (&lead_duty, "group_leader"),
                (&mem, "企业服务组"),
                (&mem_duty, "member"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    on(&mut app, 2026, 9, 7).await;
    let ent = app.login("enterprise").await;
    let r = id(&raise(&app, &ent, "用工").await);
    let staff_token = app.login("service_staff").await;
    let member_token = app.login("xiaoer2").await;
    take(
        &app,
        &member_token,
        &format!("/api/v1/requests/{r}/steps/accept"),
        json!({}),
    )
    .await;
    let (status, body) = app
        .post(
            &member_token,
            &format!("/api/v1/requests/{r}/steps/extend"),
            json!({"text": "需要协调人社部门"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("组长"), "{body}");
    let before = app
        .get(&member_token, &format!("/api/v1/requests/{r}"))
        .await
        .1;
    assert!(!before["steps"]
        .as_array()
        .unwrap()
        .contains(&json!("extend")));
    let shown = app
        .get(&staff_token, &format!("/api/v1/requests/{r}"))
        .await
        .1;
    assert!(
        shown["steps"]
            .as_array()
            .unwrap()
            .contains(&json!("extend")),
        "{shown}"
    );
    let extended = take(
        &app,
        &staff_token,
        &format!("/api/v1/requests/{r}/steps/extend"),
        json!({"text": "需要协调人社部门"}),
    )
    .await;
    assert_eq!(extended["extended"], true);

    // The leader of another group may not extend this one.
    let r2 = id(&raise(&app, &ent, "用地").await);
    take(
        &app,
        &staff_token,
        &format!("/api/v1/requests/{r2}/steps/accept"),
        json!({}),
    )
    .await;
    let (status, _) = app
        .post(
            &staff_token,
            &format!("/api/v1/requests/{r2}/steps/extend"),
            json!({"text": "延期"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_overdue_request_escalates_to_the_group_leader_then_to_the_team_leader() {
    let mut app = TestApp::new().await;
    let leader = user_id(&app, "service_staff").await;
    let team_leader = user_id(&app, "leader").await;
    put_on_team(
        &app,
        &[
            (leader, "企业服务组", "group_leader"),
            (team_leader, "", "team_leader"),
        ],
    )
    .await;

    // Raised Monday 17 August 2026: due to close 15 working days on, Monday 7 September.
    on(&mut app, 2026, 8, 17).await;
    let ent = app.login("enterprise").await;
    let r = raise(&app, &ent, "融资").await;
    assert_eq!(r["due"]["close_by"], "2026-09-07", "{r}");
    let r = id(&r);
    // Raised 1 September: due 22 September, not yet late.
    on(&mut app, 2026, 9, 1).await;
    let ent = app.login("enterprise").await;
    let later = id(&raise(&app, &ent, "用地").await);
    assert_ne!(later, r);
    let path = format!("/api/v1/requests/{r}");
    // The escalation on a day, as the office reads it.
    async fn escalation(app: &mut TestApp, day: u32, path: &str) -> Value {
        on(app, 2026, 9, day).await;
        let office = app.login("office").await;
        app.get(&office, path).await.1["escalation"].clone()
    }
    assert_eq!(escalation(&mut app, 7, &path).await, Value::Null);
    assert_eq!(escalation(&mut app, 8, &path).await, "group_leader");
    let page = sign_in(&app, "office")
        .await
        .get(&format!("/requests/{r}"))
        .await;
    assert!(page.body.contains("升级至组长督办"), "{}", page.body);
    assert!(page.body.contains("（service_staff）"), "the leader named");
    // 8, 9 and 10 September are the three working days after the deadline.
    assert_eq!(escalation(&mut app, 10, &path).await, "group_leader");
    assert_eq!(escalation(&mut app, 11, &path).await, "team_leader");
    let page = sign_in(&app, "office")
        .await
        .get(&format!("/requests/{r}"))
        .await;
    assert!(page.body.contains("（leader）"), "the team's leader named");
    // The escalation is the team's business: the enterprise sees its request late, not whom
    // it went to.
    let ent = app.login("enterprise").await;
    let theirs = app.get(&ent, &path).await.1;
    assert_eq!(theirs["colour"], "red", "{theirs}");
    assert_eq!(theirs["escalation"], Value::Null, "{theirs}");

    // The list's `escalated` filter holds exactly the request escalated to the team's leader,
    // and the queue's count agrees with it.
    let office_token = app.login("office").await;
    let (status, listed) = app
        .get(&office_token, "/api/v1/requests?due=escalated")
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let ids: Vec<i64> = listed["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![r], "{listed}");
    assert_eq!(listed["total"], 1);
    let queue = sign_in(&app, "office")
        .await
        .get("/requests?status=open")
        .await;
    assert!(
        queue.body.contains("已升级至团队负责人 1 件"),
        "{}",
        queue.body
    );
    // Closed, it is no longer escalated.
    let staff_token = app.login("service_staff").await;
    for (s, body) in [
        ("accept", json!({})),
        ("reply", json!({"text": "已对接银行"})),
        ("close", json!({})),
    ] {
        take(&app, &staff_token, &format!("{path}/steps/{s}"), body).await;
    }
    assert_eq!(escalation(&mut app, 11, &path).await, Value::Null);
    let office_token = app.login("office").await;
    let (_, listed) = app
        .get(&office_token, "/api/v1/requests?due=escalated")
        .await;
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn files_of_a_request_reach_its_enterprise_and_team_and_no_other_enterprise() {
    let app = TestApp::new().await;
    let ent = app.login("enterprise").await;
    let r = id(&raise(&app, &ent, "用工").await);
    let path = format!("/api/v1/requests/{r}/attachments");
    let pdf = b"%PDF-1.4 scanned licence".to_vec();
    let (status, file) = app.send(multipart(&ent, &path, "营业执照.pdf", &pdf)).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert!(
        file.get("sha256").is_none(),
        "the store's name stays inside"
    );
    // The thread says so, and the team sees and opens it.
    let staff = app.login("service_staff").await;
    let detail = app.get(&staff, &format!("/api/v1/requests/{r}")).await.1;
    assert_eq!(
        detail["attachments"][0]["file_name"], "营业执照.pdf",
        "{detail}"
    );
    assert!(detail.to_string().contains("上传附件：营业执照.pdf"));
    let download = format!("{path}/{}", id(&file));
    let (status, _) = app.call(Method::GET, &download, Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    let page = sign_in(&app, "service_staff")
        .await
        .get(&format!("/requests/{r}/attachments/{}", id(&file)))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body_bytes, pdf);

    // A refused type names the accepted ones; nothing is stored.
    let (status, body) = app.send(multipart(&ent, &path, "setup.exe", b"MZ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("pdf、jpg"), "{body}");
    // Over the limit: refused naming it.
    let mut big = b"%PDF-1.4 ".to_vec();
    big.resize(app.state.config.max_upload_bytes + 64 * 1024, b'x');
    let (status, body) = app.send(multipart(&ent, &path, "太大.pdf", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.to_string().contains("20 MB"), "{body}");
    let (_, listed) = app.get(&ent, &path).await;
    assert_eq!(listed["total"], 1, "{listed}");

    // Another enterprise: the request, its files and an upload all answer as missing.
    let other = other_enterprise(&app).await;
    for p in [path.clone(), download.clone()] {
        let (status, _) = app.call(Method::GET, &p, Some(&other), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
    }
    let (status, _) = app
        .send(multipart(&other, &path, "x.pdf", b"%PDF-1.4"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Roles with no part in requests read but do not add.
    let leader = app.login("leader").await;
    let (status, _) = app
        .send(multipart(&leader, &path, "x.pdf", b"%PDF-1.4"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// An enterprise account of the fixture's other enterprise, signed in.
async fn other_enterprise(app: &TestApp) -> String {
    let sys = app.login("admin").await;
    let created = app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "qiye_other", "password": INITIAL_PASSWORD, "role": "enterprise",
                   "enterprise_id": app.enterprises.0}),
        )
        .await;
    let sec = app.as_role("sec_admin").await;
    app.grant(
        &sec,
        id(&created),
        json!({"role": "enterprise", "enterprise_id": app.enterprises.0}),
    )
    .await;
    app.first_sign_in("qiye_other").await;
    app.login("qiye_other").await
}

/// The escalation notices the deadline scan gives: the group's leader once the request is
/// overdue, the team's leader three working days on, each once; whoever accepted a request is
/// its 承办人; and a deadline passed long ago reminds no one.
#[tokio::test]
async fn the_scan_tells_the_group_leader_then_the_team_leader_once_each() {
    let mut app = TestApp::new().await;
    let member = staff(&app, "xiaoer2").await;
    let leader = user_id(&app, "service_staff").await;
    let team_leader = user_id(&app, "leader").await;
    put_on_team(
        &app,
        &[
            (leader, "企业服务组", "group_leader"),
            (member, "企业服务组", "member"),
            (team_leader, "", "team_leader"),
        ],
    )
    .await;
    // Two requests of 17 August 2026, due to close 7 September; the member accepts the first.
    on(&mut app, 2026, 8, 17).await;
    let ent = app.login("enterprise").await;
    let r = id(&raise(&app, &ent, "融资").await);
    let old = id(&raise(&app, &ent, "用工").await);
    let member_token = app.login("xiaoer2").await;
    let accepted = take(
        &app,
        &member_token,
        &format!("/api/v1/requests/{r}/steps/accept"),
        json!({}),
    )
    .await;
    assert_eq!(accepted["assignee"], "xiaoer2", "{accepted}");

    let at = |m: u32, d: u32| {
        chrono::Utc
            .with_ymd_and_hms(2026, m, d, 2, 0, 0)
            .single()
            .expect("instant")
    };
    for day in [8, 8, 9] {
        taizhang::notify::service::scan(&app.db, at(9, day))
            .await
            .unwrap();
    }
    on(&mut app, 2026, 9, 9).await;
    let told = escalations(&app, "service_staff").await;
    assert_eq!(told.len(), 2, "once for each request: {told:?}");
    assert!(
        told.iter().all(|(_, t)| t.contains("升级至组长督办")),
        "{told:?}"
    );
    assert!(
        escalations(&app, "leader").await.is_empty(),
        "not yet the team's"
    );
    taizhang::notify::service::scan(&app.db, at(9, 11))
        .await
        .unwrap();
    taizhang::notify::service::scan(&app.db, at(9, 11))
        .await
        .unwrap();
    on(&mut app, 2026, 9, 11).await;
    let told = escalations(&app, "leader").await;
    let mut ids: Vec<i64> = told.iter().map(|(i, _)| *i).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![r, old], "{told:?}");
    assert!(told.iter().all(|(_, t)| t.contains("园小二团队负责人")));
    // The overdue reminder of the accepted request went to its 承办人 alone; the other's, not
    // yet accepted, to every 园小二.
    let overdue_of = |login: &'static str| {
        let app = &app;
        async move {
            let token = app.login(login).await;
            let (_, n) = app.get(&token, "/api/v1/notices").await;
            let mut ids: Vec<i64> = n["notices"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "overdue")
                .map(|n| n["request_id"].as_i64().unwrap())
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    assert_eq!(overdue_of("xiaoer2").await, vec![r, old]);
    assert_eq!(overdue_of("service_staff").await, vec![old]);

    // A request whose deadline passed weeks before the first scan reminds no one.
    on(&mut app, 2026, 6, 1).await;
    let ent = app.login("enterprise").await;
    let stale = id(&raise(&app, &ent, "市场").await);
    taizhang::notify::service::scan(&app.db, at(9, 11))
        .await
        .unwrap();
    on(&mut app, 2026, 9, 11).await;
    for login in ["service_staff", "leader", "xiaoer2"] {
        let token = app.login(login).await;
        let (_, n) = app.get(&token, "/api/v1/notices").await;
        assert!(
            n["notices"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["request_id"] != stale || n["kind"] == "new_request"),
            "{login}: {n}"
        );
    }
}

/// The escalation notices `login` has: each its request and text.
async fn escalations(app: &TestApp, login: &str) -> Vec<(i64, String)> {
    let token = app.login(login).await;
    let (_, n) = app.get(&token, "/api/v1/notices").await;
    n["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "escalation")
        .map(|n| {
            (
                n["request_id"].as_i64().unwrap(),
                n["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A 重办 gives fresh deadlines counted from its day: the request's colour counts the time left
/// from there, not from its first registration months before.
#[tokio::test]
async fn a_reopened_request_counts_its_time_from_the_reopening() {
    let mut app = TestApp::new().await;
    on(&mut app, 2026, 3, 2).await;
    let ent = app.login("enterprise").await;
    let r = id(&raise(&app, &ent, "用工").await);
    let path = format!("/api/v1/requests/{r}");
    let staff = app.login("service_staff").await;
    for (s, body) in [
        ("accept", json!({})),
        ("reply", json!({"text": "已推荐求职者"})),
        ("close", json!({})),
    ] {
        take(&app, &staff, &format!("{path}/steps/{s}"), body).await;
    }
    take(
        &app,
        &ent,
        &format!("{path}/steps/rate"),
        json!({"rating": "unsatisfied", "text": "人没招到"}),
    )
    .await;
    take(
        &app,
        &staff,
        &format!("{path}/steps/visit"),
        json!({"text": "回访，仍缺 8 人"}),
    )
    .await;
    on(&mut app, 2026, 5, 11).await;
    let staff = app.login("service_staff").await;
    let reopened = take(
        &app,
        &staff,
        &format!("{path}/steps/reopen"),
        json!({"text": "继续对接"}),
    )
    .await;
    assert_eq!(reopened["due"]["close_by"], "2026-06-01", "{reopened}");
    // Counted from 2 March, 21 of 91 days would be left: yellow. From 11 May, all of them.
    assert_eq!(reopened["colour"], "green", "{reopened}");
    assert_eq!(reopened["assignee"], "service_staff");
}

/// A 不满意 calls for a 回访 within one working day of the rating, on the park's calendar: the
/// request shows the day, its 承办人 is told at once, the queue lists it, the scan reminds of it
/// and reports it late, and the 回访 takes it off the list. A 满意 calls for none.
#[tokio::test]
async fn an_unsatisfied_rating_calls_for_a_visit_within_one_working_day() {
    let mut app = TestApp::new().await;
    on(&mut app, 2026, 9, 28).await;
    let ent = app.login("enterprise").await;
    let staff = app.login("service_staff").await;
    let mut ids = Vec::new();
    for category in ["用工", "融资"] {
        let r = id(&raise(&app, &ent, category).await);
        for (s, body) in [
            ("accept", json!({})),
            ("reply", json!({"text": "已对接"})),
            ("close", json!({})),
        ] {
            take(
                &app,
                &staff,
                &format!("/api/v1/requests/{r}/steps/{s}"),
                body,
            )
            .await;
        }
        ids.push(r);
    }
    let (r, fine) = (ids[0], ids[1]);
    // Rated on 30 September: the next working day is 8 October, after the National Day
    // holidays (1 to 7 October).
    on(&mut app, 2026, 9, 30).await;
    let ent = app.login("enterprise").await;
    let rated = take(
        &app,
        &ent,
        &format!("/api/v1/requests/{r}/steps/rate"),
        json!({"rating": "unsatisfied", "text": "只解决了一半"}),
    )
    .await;
    assert_eq!(rated["due"]["visit_by"], "2026-10-08", "{rated}");
    assert_eq!(rated["awaiting_visit"], true);
    assert_eq!(rated["visit_colour"], "green");
    let satisfied = take(
        &app,
        &ent,
        &format!("/api/v1/requests/{fine}/steps/rate"),
        json!({"rating": "satisfied"}),
    )
    .await;
    assert_eq!(satisfied["due"]["visit_by"], Value::Null, "{satisfied}");
    assert_eq!(satisfied["awaiting_visit"], false);

    // The 承办人 is told at once, with the day.
    let staff = app.login("service_staff").await;
    let (_, n) = app.get(&staff, "/api/v1/notices").await;
    let told: Vec<&str> = n["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["request_id"] == r)
        .filter_map(|n| n["text"].as_str())
        .collect();
    assert!(
        told.iter()
            .any(|t| t.contains("不满意") && t.contains("2026-10-08 前回访")),
        "{told:?}"
    );

    // The queue: awaiting, not yet due.
    assert_eq!(queued(&app, &staff, "visit").await, vec![r]);
    assert!(queued(&app, &staff, "visit_due").await.is_empty());
    let page = sign_in(&app, "service_staff").await.get("/requests").await;
    assert!(
        page.body.contains("待回访 1 件") && !page.body.contains("回访今天到期或已超时 1 件"),
        "{}",
        page.body
    );
    let home = sign_in(&app, "service_staff").await.get("/").await;
    assert_eq!(
        crate::requests_queue::tile(&home.body, "/requests?due=visit"),
        1
    );

    // The scan: a reminder on the day, late the day after, each once.
    let at = |m: u32, d: u32| {
        chrono::Utc
            .with_ymd_and_hms(2026, m, d, 2, 0, 0)
            .single()
            .expect("instant")
    };
    for day in [8, 8, 9, 9] {
        taizhang::notify::service::scan(&app.db, at(10, day))
            .await
            .unwrap();
    }
    on(&mut app, 2026, 10, 9).await;
    let staff = app.login("service_staff").await;
    let (_, n) = app.get(&staff, "/api/v1/notices").await;
    let mut kinds: Vec<(String, String)> = n["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["request_id"] == r)
        .filter(|n| n["kind"] == "near_deadline" || n["kind"] == "overdue")
        .map(|n| {
            let text = n["text"].as_str().unwrap().to_string();
            (n["kind"].as_str().unwrap().to_string(), text)
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[0].0, "near_deadline", "{kinds:?}");
    assert_eq!(kinds[1].0, "overdue", "{kinds:?}");
    assert!(
        kinds[1].1.contains("已超过回访时限 2026-10-08"),
        "{kinds:?}"
    );
    let late = app.get(&staff, &format!("/api/v1/requests/{r}")).await.1;
    assert_eq!(late["visit_colour"], "red", "{late}");
    assert_eq!(queued(&app, &staff, "visit_due").await, vec![r]);
    let page = sign_in(&app, "service_staff")
        .await
        .get("/requests?due=visit_due")
        .await;
    assert!(page.body.contains("不满意待回访"), "{}", page.body);

    // The 回访 takes it off the list; the day stays on the request.
    let visited = take(
        &app,
        &staff,
        &format!("/api/v1/requests/{r}/steps/visit"),
        json!({"text": "回访企业，协调第二批用工"}),
    )
    .await;
    assert_eq!(visited["status"], "visited");
    assert_eq!(visited["awaiting_visit"], false);
    assert_eq!(visited["due"]["visit_by"], "2026-10-08");
    assert!(queued(&app, &staff, "visit").await.is_empty());
    let (status, body) = app.get(&staff, "/api/v1/requests?due=later").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("visit（待回访）"), "{body}");
}

/// The ids `token` lists with `due=…`, checked against the list's total.
async fn queued(app: &TestApp, token: &str, due: &str) -> Vec<i64> {
    let path = format!("/api/v1/requests?due={due}");
    let (status, body) = app.get(token, &path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let ids: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(body["total"].as_i64(), Some(ids.len() as i64), "{body}");
    ids
}

/// The office puts accounts on the team on its settings page: (user, group, duty) each.
async fn put_on_team(app: &TestApp, places: &[(i64, &str, &str)]) {
    let office = sign_in(app, "office").await;
    let csrf = office.csrf().await;
    let keys: Vec<(String, String, &str, &str)> = places
        .iter()
        .map(|(u, g, d)| (format!("group_{u}"), format!("duty_{u}"), *g, *d))
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
    for (group_key, duty_key, group, duty) in &keys {
        form.push((group_key, group));
        form.push((duty_key, duty));
    }
    let saved = office.post("/requests/settings/team", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}
