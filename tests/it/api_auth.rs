//! Sign-in, tokens, lock-out and account administration through the API.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use taizhang::auth::service::{CHOOSE_PARK, SIGN_IN_REFUSED};

#[tokio::test]
async fn every_call_without_a_token_is_refused() {
    let app = TestApp::empty().await;
    for path in [
        "/api/v1/records?kind=meeting&year=2024",
        "/api/v1/units",
        "/api/v1/me",
        "/api/v1/audit",
    ] {
        let (status, body) = app.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"]["message"], "请先登录");
    }
    let (status, _) = app
        .call(Method::GET, "/api/v1/me", Some("1.deadbeef"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_gives_a_token_that_sign_out_revokes() {
    let app = TestApp::empty().await;
    let token = app.login("admin").await;
    let (status, me) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "sys_admin");
    assert_eq!(me["role_label"], "系统管理员");
    let (status, _) = app
        .call(Method::DELETE, "/api/v1/session", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn try_sign_in(app: &TestApp, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    app.call(Method::POST, "/api/v1/session", None, Some(body))
        .await
}

/// How many entries of `action` the audit log holds, as the 审计管理员 reads them.
pub(crate) async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let auditor = app.as_role("audit_admin").await;
    let (status, body) = app
        .get(&auditor, &format!("/api/v1/audit?action={action}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["total"].as_i64().unwrap()
}

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    let mut app = TestApp::empty().await;
    for i in 1..=5 {
        let (status, body) =
            try_sign_in(&app, json!({"login": "admin", "password": "wrong-pass-1"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(body["error"]["message"], SIGN_IN_REFUSED, "attempt {i}");
    }
    // Locked: the right password is refused, in the very words of a wrong one.
    let (status, body) = try_sign_in(&app, json!({"login": "admin", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], SIGN_IN_REFUSED, "{body}");
    // The lock-out was recorded, though nobody was told.
    assert_eq!(audit_count(&app, "lockout").await, 1);
    // Once the lock has run out, the right password works again.
    let later = crate::helpers::now() + chrono::Duration::minutes(16);
    app.state.clock = taizhang::web::Clock::Fixed(later);
    let code = taizhang::auth::totp::current_code(crate::helpers::TOTP_SECRET, later);
    let (status, body) = try_sign_in(
        &app,
        json!({"login": "admin", "password": PASSWORD, "code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Before the password is right, an unknown login, a wrong password, a locked account and a
/// disabled one all get the same answer; a disabled account is named only to the one who
/// knows its password.
#[tokio::test]
async fn refusals_tell_nothing_before_the_password_is_right() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let (_, users) = app.get(&admin, "/api/v1/users").await;
    let leader = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "leader")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, body) = app
        .post(&admin, &format!("/api/v1/users/{leader}/lock"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let unknown = try_sign_in(&app, json!({"login": "nobody", "password": PASSWORD})).await;
    let wrong = try_sign_in(&app, json!({"login": "office", "password": "not-it-1"})).await;
    let disabled_wrong =
        try_sign_in(&app, json!({"login": "leader", "password": "not-it-1"})).await;
    for (status, body) in [&unknown, &wrong, &disabled_wrong] {
        assert_eq!(*status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, &unknown.1, "every refusal reads alike");
    }
    assert_eq!(unknown.1["error"]["message"], SIGN_IN_REFUSED);
    let (status, body) = try_sign_in(&app, json!({"login": "leader", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "账号已停用，请联系系统管理员");
}

/// A second park with its own `admin`: each signs in by naming the park, and without a park
/// the answer is the same whether the login exists or not.
#[tokio::test]
async fn two_parks_with_the_same_login_each_sign_in_to_their_own() {
    let app = TestApp::empty().await;
    let second = taizhang::org::park::create(
        &app.db,
        "第二园区",
        "admin",
        PASSWORD,
        crate::helpers::now(),
    )
    .await
    .expect("second park");
    let bare = try_sign_in(&app, json!({"login": "admin", "password": PASSWORD})).await;
    let nobody = try_sign_in(&app, json!({"login": "nobody", "password": PASSWORD})).await;
    assert_eq!(bare.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.1);
    assert_eq!(bare, nobody, "the answer does not depend on the login");
    assert!(bare.1.to_string().contains(CHOOSE_PARK), "{}", bare.1);
    for park in [app.park_id, second] {
        let (status, body) = try_sign_in(
            &app,
            json!({"login": "admin", "password": PASSWORD, "park_id": park, "code": crate::helpers::totp_code()}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap();
        assert!(token.starts_with(&format!("{park}.")), "{token}");
    }
    let (status, body) = try_sign_in(
        &app,
        json!({"login": "admin", "password": PASSWORD, "park_id": 999_999}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], SIGN_IN_REFUSED);
}

#[tokio::test]
async fn tokens_expire_when_idle() {
    let mut app = TestApp::empty().await;
    let token = app.login("admin").await;
    let later = crate::helpers::now() + chrono::Duration::minutes(31);
    app.state.clock = taizhang::web::Clock::Fixed(later);
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A token kept busy still ends 12 hours after sign-in.
#[tokio::test]
async fn tokens_end_after_the_absolute_lifetime_however_busy() {
    let mut app = TestApp::empty().await;
    let token = app.login("admin").await;
    let mut at = crate::helpers::now();
    for _ in 0..24 {
        at += chrono::Duration::minutes(29);
        app.state.clock = taizhang::web::Clock::Fixed(at);
        let (status, _) = app.get(&token, "/api/v1/me").await;
        assert_eq!(status, StatusCode::OK, "used every 29 minutes, at {at}");
    }
    at += chrono::Duration::minutes(29);
    app.state.clock = taizhang::web::Clock::Fixed(at);
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{at}: past 12 hours");
}

#[tokio::test]
async fn a_role_change_ends_the_old_tokens() {
    let app = TestApp::new().await;
    let leader = app.login("leader").await;
    let sec = app.login("sec_admin").await;
    let (status, users) = app.get(&sec, "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);
    let leader_id = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "leader")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, body) = app
        .put(
            &sec,
            &format!("/api/v1/users/{leader_id}/role"),
            json!({"role": "office"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "office");
    let (status, _) = app.get(&leader, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_accounts_are_refused_with_the_field_named() {
    let app = TestApp::empty().await;
    let sys = app.login("admin").await;
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "a b", "password": "short", "role": "office"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "login");
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "sec1", "password": "Passw0rd-x", "role": "branch_secretary"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id");
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "admin", "password": "Passw0rd-x", "role": "office"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["message"], "该登录名已被使用");
    let (status, body) = app.post(&sys, "/api/v1/users", json!({"login": 3})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("字段"),
        "{body}"
    );
}

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = TestApp::empty().await;
    let (status, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
    app.db.close().await;
    let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

/// The three admin duties stay apart: the 安全管理员 cannot raise itself or anyone to an admin
/// duty, nor touch an admin's account; the 系统管理员 cannot make an admin account, nor lock one
/// or set its password. Those are done on the server's command line.
#[tokio::test]
async fn no_admin_can_raise_itself_or_make_unmake_or_take_over_another_admin() {
    let app = TestApp::new().await;
    let sec = app.login("sec_admin").await;
    let sys = app.login("admin").await;
    let (_, users) = app.get(&sec, "/api/v1/users").await;
    let id_of = |login: &str| {
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == login)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (me, auditor, leader) = (id_of("sec_admin"), id_of("audit_admin"), id_of("leader"));
    let (status, body) = app
        .put(
            &sec,
            &format!("/api/v1/users/{me}/role"),
            json!({"role": "office"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不能修改自己的角色"));
    let (status, me_now) = app.get(&sec, "/api/v1/me").await;
    assert_eq!(
        (status, me_now["role"].as_str()),
        (StatusCode::OK, Some("sec_admin"))
    );
    let (status, body) = app
        .put(
            &sec,
            &format!("/api/v1/users/{leader}/role"),
            json!({"role": "audit_admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "role");
    let (status, body) = app
        .put(
            &sec,
            &format!("/api/v1/users/{auditor}/role"),
            json!({"role": "office"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "second_sec", "password": crate::helpers::PASSWORD, "role": "sec_admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("命令行"), "{body}");
    for path in [
        format!("/api/v1/users/{auditor}/lock"),
        format!("/api/v1/users/{me}/lock"),
    ] {
        let (status, body) = app.post(&sys, &path, json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    // Nothing changed: the auditor still signs in with its own password and reads the log.
    let auditor_token = app.login("audit_admin").await;
    let (status, _) = app.get(&auditor_token, "/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK);
    // The same refusals on the pages.
    let b = crate::web::sign_in(&app, "admin").await;
    let csrf = b.csrf().await;
    let reset = b
        .post(
            &format!("/admin/users/{auditor}/password"),
            &[("_csrf", &csrf), ("password", "Another-Passw0rd")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN, "{}", reset.body);
    let s = crate::web::sign_in(&app, "sec_admin").await;
    let csrf = s.csrf().await;
    let raise = s
        .post(
            &format!("/admin/users/{me}/role"),
            &[("_csrf", &csrf), ("role", "office")],
        )
        .await;
    assert_eq!(raise.status, StatusCode::FORBIDDEN, "{}", raise.body);
    let (_, me_now) = app.get(&sec, "/api/v1/me").await;
    assert_eq!(me_now["role"], "sec_admin");
}

/// The 系统管理员 makes an account with the role asked for, but the account may do nothing until
/// the 安全管理员 grants it: the one who makes accounts does not grant rights.
#[tokio::test]
async fn an_account_the_system_admin_makes_has_no_rights_until_the_security_admin_grants_them() {
    let app = TestApp::new().await;
    let sys = app.login("admin").await;
    let made = app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "newoffice", "password": crate::helpers::INITIAL_PASSWORD, "role": "office"}),
        )
        .await;
    assert_eq!(made["role_granted"], false, "{made}");
    assert_eq!(made["must_change_password"], true, "{made}");
    app.first_sign_in("newoffice").await;
    let token = app.login("newoffice").await;
    for path in [
        "/api/v1/records?kind=meeting",
        "/api/v1/people",
        "/api/v1/plans",
    ] {
        let (status, body) = app.get(&token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(
            body["error"]["code"], "forbidden",
            "refused for the role: {body}"
        );
    }
    let (_, me) = app.get(&token, "/api/v1/me").await;
    assert_eq!(me["role"], "pending", "{me}");
    let b = crate::web::sign_in(&app, "newoffice").await;
    assert!(b.get("/").await.body.contains("尚待安全管理员分配角色"));
    assert_eq!(b.get("/report").await.status, StatusCode::FORBIDDEN);
    let sec = app.login("sec_admin").await;
    app.grant(&sec, crate::helpers::id(&made), json!({"role": "office"}))
        .await;
    let token = app.login("newoffice").await;
    let (status, _) = app.get(&token, "/api/v1/records?kind=meeting").await;
    assert_eq!(status, StatusCode::OK);
}

/// A hundred wrong passwords sent side by side get no more password checks than five in a row
/// do: each check is claimed in the database before the hash is computed, and each one made
/// is in the audit log as `login_failed`. The owner's live
/// session survives the lock-out, which only stops new sign-ins.
#[tokio::test]
async fn parallel_wrong_passwords_get_five_checks_and_the_owners_session_survives() {
    let app = TestApp::empty().await;
    let owner = app.login("admin").await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let state = app.state.clone();
        attempts.spawn(async move {
            let req = axum::http::Request::post("/api/v1/session")
                .header(axum::http::header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(
                    json!({"login": "admin", "password": "wrong-pass-1"}).to_string(),
                ))
                .unwrap();
            tower::ServiceExt::oneshot(taizhang::app::router(state), req)
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = attempts.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        audit_count(&app, "login_failed").await,
        5,
        "passwords checked of 100 sent at once"
    );
    let (status, body) = try_sign_in(&app, json!({"login": "admin", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["message"], SIGN_IN_REFUSED, "locked");
    assert_eq!(audit_count(&app, "lockout").await, 1);
    let (status, _) = app.get(&owner, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "the owner stays signed in");
}

#[tokio::test]
async fn an_account_scoped_to_a_unit_or_enterprise_that_does_not_exist_is_a_field_error() {
    let app = TestApp::new().await;
    let sys = app.login("admin").await;
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "nowhere", "password": PASSWORD, "role": "branch_secretary", "unit_id": 987654}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id", "{body}");
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "nobody", "password": PASSWORD, "role": "enterprise", "enterprise_id": 987654}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"], "enterprise_id",
        "{body}"
    );
}
