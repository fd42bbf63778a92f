//! The 系统, 审计 and 组织 pages used as their users would: forms that keep what was typed and
//! name the field at fault, each admin duty seeing only its own actions, personal data masked.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{id, TestApp, PASSWORD};
use crate::web::sign_in;

#[tokio::test]
async fn the_system_admin_creates_locks_and_resets_an_account_and_sees_its_state_in_words() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "admin").await;
    let csrf = b.csrf().await;
    let page = b.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("新建账号") && !page.body.contains("保存角色"));
    let bad = b
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("login", "wang li"),
                ("display_name", "王丽"),
                ("role", "branch_secretary"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"王丽\""), "typed name kept");
    assert!(
        bad.body.contains("登录名不能为空、不能含空格"),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("login", "wangli"),
                ("display_name", "王丽"),
                ("role", "leader"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("已添加账号 wangli（申请角色：领导）"));
    let at = ok
        .body
        .find("class=\"secret\">")
        .expect("generated password shown")
        + 15;
    let password: String = ok.body[at..].chars().take_while(|c| *c != '<').collect();
    assert_eq!(password.len(), 14);
    let (status, _) = app
        .call(
            axum::http::Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "wangli", "password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the shown password signs in");
    let user = app.login("admin").await;
    let (_, list) = app.get(&user, "/api/v1/users").await;
    let wangli = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "wangli")
        .map(id)
        .unwrap();
    let (_, me) = app.get(&user, "/api/v1/me").await;
    let own = b
        .post(
            &format!("/admin/users/{}/lock", me["id"]),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    assert!(own.body.contains("不能锁定自己正在使用的账号"));
    let locked = b
        .post(&format!("/admin/users/{wangli}/lock"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(locked.status, StatusCode::SEE_OTHER);
    assert!(b
        .get("/admin/users")
        .await
        .body
        .contains("已停用，需系统管理员解锁"));
    b.post(
        &format!("/admin/users/{wangli}/unlock"),
        &[("_csrf", &csrf)],
    )
    .await;
    // Five wrong passwords lock the account until a time shown in Beijing time.
    for _ in 0..5 {
        app.call(
            axum::http::Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "wangli", "password": "wrong-123"})),
        )
        .await;
    }
    let page = b.get("/admin/users").await.body;
    assert!(page.contains("已锁定（连续登录失败），至 "), "{page}");
    assert!(page.contains("自动解锁"));
    let short = b
        .post(
            &format!("/admin/users/{wangli}/password"),
            &[("_csrf", &csrf), ("password", "abc")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("密码至少 8 位"));
    let reset = b
        .post(
            &format!("/admin/users/{wangli}/password"),
            &[("_csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(
        reset.body.contains("已为 wangli 设置新密码") && !reset.body.contains("class=\"secret\"")
    );
}

#[tokio::test]
async fn the_security_admin_assigns_a_role_and_scope_and_a_missing_unit_is_named() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "sec_admin").await;
    let csrf = b.csrf().await;
    let page = b.get("/admin/users").await;
    assert!(
        page.body.contains("保存角色")
            && !page.body.contains("新建账号")
            && !page.body.contains("重置密码")
    );
    let (_, list) = app.get(&app.login("admin").await, "/api/v1/users").await;
    let leader = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "leader")
        .map(id)
        .unwrap();
    let bad = b
        .post(
            &format!("/admin/users/{leader}/role"),
            &[("_csrf", &csrf), ("role", "branch_secretary")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("支部书记必须指定所管理的单位"));
    let unit = app.units.branch_b.to_string();
    let ok = b
        .post(
            &format!("/admin/users/{leader}/role"),
            &[
                ("_csrf", &csrf),
                ("role", "branch_secretary"),
                ("unit_id", &unit),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("乙制造党支部及下级"), "{}", ok.body);
    let me = app.login("leader").await;
    let (_, who) = app.get(&me, "/api/v1/me").await;
    assert_eq!(who["role"], "branch_secretary");
    assert_eq!(who["unit_id"], app.units.branch_b);
}

#[tokio::test]
async fn the_audit_log_is_searched_shown_readably_masked_and_verified() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    app.post_ok(
        &office,
        "/api/v1/people",
        json!({"name": "赵六", "phone": "13812345678", "unit_id": app.units.branch_a}),
    )
    .await;
    let b = sign_in(&app, "audit_admin").await;
    let a = b.get("/audit?q=%E8%B5%B5%E5%85%AD&entity=person").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("审计链完整"));
    assert!(a.body.contains("共 1 条"), "{}", a.body);
    assert!(a.body.contains("138****5678") && !a.body.contains("13812345678"));
    assert!(a.body.contains("新建") && a.body.contains("人员"));
    let none = b.get("/audit?from=2099-01-01").await;
    assert!(none.body.contains("共 0 条"));
    let bad = b.get("/audit?from=2025-02-30").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("日期“2025-02-30”不存在：2月没有30日")
            && bad.body.contains("value=\"2025-02-30\"")
    );
    // The filter reads dates as the forms and imports do.
    let typed = b.get("/audit?from=2020年1月1日").await;
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
    let by_login = b.get("/audit?login=office&action=create").await;
    assert!(by_login.body.contains("office") && !by_login.body.contains("共 0 条"));
}

#[tokio::test]
async fn the_catalogue_page_adds_a_kind_and_a_field_and_refuses_to_strand_data() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let bad = b
        .post(
            "/admin/kinds",
            &[
                ("_csrf", &csrf),
                ("id", "Study Tour"),
                ("name", "参观"),
                ("sheet", "参观学习台账"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("标识“Study Tour”不合法") && bad.body.contains("value=\"参观学习台账\"")
    );
    let ok = b
        .post(
            "/admin/kinds",
            &[
                ("_csrf", &csrf),
                ("id", "study_tour"),
                ("name", "参观"),
                ("sheet", "参观学习台账"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let bad = b
        .post(
            "/admin/kinds/study_tour/fields",
            &[
                ("_csrf", &csrf),
                ("label", "形式"),
                ("key", "form"),
                ("field_type", "choice"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("没有列出可选值"), "{}", bad.body);
    let ok = b
        .post(
            "/admin/kinds/study_tour/fields",
            &[
                ("_csrf", &csrf),
                ("label", "形式"),
                ("key", "form"),
                ("field_type", "choice"),
                ("choices", "线上、线下"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = b.get("/admin/kinds/study_tour").await.body;
    assert!(page.contains("线上、线下"));
    // A field that a record fills cannot be removed; the service's message is shown at it.
    let office = app.login("office").await;
    app.meeting(&office, "2024-03-01", "党课", "甲科技党支部")
        .await;
    let refused = b
        .post(
            "/admin/kinds/meeting/fields/meeting_type/delete",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("已有记录填写了该字段，不能删除或更改其类型"));
    let kinds = b.get("/ledger/study_tour/new").await;
    assert_eq!(kinds.status, StatusCode::OK, "the new kind has a form");
    assert!(kinds.body.contains("线下"));
}

#[tokio::test]
async fn org_forms_keep_what_was_typed_and_positions_change_over_time() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let bad = b
        .post(
            "/org/enterprises/new",
            &[
                ("_csrf", &csrf),
                ("name", "丙材料有限公司"),
                ("credit_code", "91310000MA1FL0XX"),
                ("leader_name", "李四"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"丙材料有限公司\"") && bad.body.contains("value=\"李四\""));
    assert!(bad.body.contains("class=\"error\""), "{}", bad.body);
    let ok = b
        .post(
            "/org/enterprises/new",
            &[
                ("_csrf", &csrf),
                ("name", "丙材料有限公司"),
                ("leader_name", "李四"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let list = b.get("/org?ent=%E4%B8%99").await.body;
    assert!(
        list.contains("丙材料有限公司")
            && !list.contains("甲科技有限公司")
            && list.contains("李四")
    );
    let unit = b
        .post(
            "/org/units/new",
            &[
                ("_csrf", &csrf),
                ("name", "甲科技第二党小组"),
                ("unit_type", "小组"),
                ("parent_id", &app.units.branch_a.to_string()),
            ],
        )
        .await;
    assert_eq!(unit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unit.body.contains("“小组”不是可选值") && unit.body.contains("value=\"甲科技第二党小组\"")
    );
    let person = b
        .post(
            "/org/people/new",
            &[
                ("_csrf", &csrf),
                ("name", "周九"),
                ("phone", "1381234"),
                ("joined_on", "2020-02-30"),
                ("unit_id", &app.units.branch_a.to_string()),
            ],
        )
        .await;
    assert_eq!(person.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        person.body.contains("日期“2020-02-30”不存在：2月没有30日")
            && person.body.contains("value=\"周九\"")
    );
    let person = b
        .post(
            "/org/people/new",
            &[
                ("_csrf", &csrf),
                ("name", "周九"),
                ("phone", "13812345678"),
                // The form reads a date the way an import does.
                ("joined_on", "2021年7月1日"),
                ("unit_id", &app.units.branch_a.to_string()),
            ],
        )
        .await;
    assert_eq!(person.status, StatusCode::SEE_OTHER);
    let at = person.location.unwrap();
    assert!(b.get(&at).await.body.contains("2021-07-01"));
    let add = b
        .post(
            &format!("{at}/positions"),
            &[
                ("_csrf", &csrf),
                ("unit_id", &app.units.branch_a.to_string()),
                ("title", "组织委员"),
                ("start_on", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER);
    let page = b.get(&at).await.body;
    assert!(page.contains("组织委员") && page.contains("在任"));
    let pos_at = page.find("/org/positions/").unwrap();
    let pos_path: String = page[pos_at..].chars().take_while(|c| *c != '"').collect();
    let early = b
        .post(&pos_path, &[("_csrf", &csrf), ("end_on", "2023-01-01")])
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("离任日期不能早于任职日期"));
    let end = b
        .post(&pos_path, &[("_csrf", &csrf), ("end_on", "2025-03-31")])
        .await;
    assert_eq!(end.status, StatusCode::SEE_OTHER);
    assert!(b.get(&at).await.body.contains("2025-03-31"));
    // A branch secretary edits a person of their branch without seeing the phone, which is kept.
    let sec = sign_in(&app, "branch_secretary").await;
    let sec_csrf = sec.csrf().await;
    let form = sec.get(&format!("{at}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("13812345678") && form.body.contains("不修改请留空"));
    let saved = sec
        .post(
            &format!("{at}/edit"),
            &[
                ("_csrf", &sec_csrf),
                ("name", "周九"),
                ("unit_id", &app.units.branch_a.to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let shown = b.get(&at).await;
    assert!(
        shown.body.contains("138****5678") && !shown.body.contains("13812345678"),
        "masked for the office too"
    );
    assert_eq!(shown.headers[axum::http::header::CACHE_CONTROL], "no-store");
    let revealed = b.post(&format!("{at}/reveal"), &[("_csrf", &csrf)]).await;
    assert_eq!(revealed.status, StatusCode::OK);
    assert!(revealed.body.contains("13812345678"), "the phone is kept");
    assert!(revealed.body.contains("已记入审计日志"));
    assert_eq!(
        revealed.headers[axum::http::header::CACHE_CONTROL],
        "no-store"
    );
    let refused = sec
        .post(&format!("{at}/reveal"), &[("_csrf", &sec_csrf)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
