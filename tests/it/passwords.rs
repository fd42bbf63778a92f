//! Passwords over their life: a password someone else set is changed by its owner before
//! anything else, on the page or through the API; the park's profile (chosen by the 安全管理员)
//! says how strong and how old a password may be; the last five are not used again.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::web::{form_body, send, sign_in};

fn leader_id(users: &serde_json::Value) -> i64 {
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "leader")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The 系统管理员 resets the leader's password on the 系统 page; the leader, signing in with
/// it, can do nothing but change it, and the new one must follow the rules.
#[tokio::test]
async fn a_reset_password_is_changed_by_its_owner_before_anything_else() {
    let app = TestApp::new().await;
    let sys = app.login("admin").await;
    let leader = leader_id(&app.get(&sys, "/api/v1/users").await.1);
    let admin = sign_in(&app, "admin").await;
    let csrf = admin.csrf().await;
    let reset = admin
        .post(
            &format!("/admin/users/{leader}/password"),
            &[("_csrf", &csrf), ("password", "Given-by-Admin-7")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(reset.body.contains("本人下次登录时须先修改密码"));

    // Through the API: only the change, who one is, and signing out.
    let (status, body) = app
        .call(
            axum::http::Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "leader", "password": "Given-by-Admin-7"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["password_change_due"], true);
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = app.get(&token, "/api/v1/records?kind=meeting").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "password_change_required", "{body}");
    assert_eq!(app.get(&token, "/api/v1/me").await.0, StatusCode::OK);

    // On the pages: every page sends to the change, which refuses what the rules refuse.
    let req = axum::http::Request::post("/login")
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(form_body(&[
            ("login", "leader"),
            ("password", "Given-by-Admin-7"),
        ])))
        .unwrap();
    let signed = send(&app, req).await;
    let cookie = signed.headers[axum::http::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let b = crate::web::Browser { app: &app, cookie };
    for path in ["/", "/report", "/org", "/ledger/meeting"] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.location.as_deref(), Some("/account/password"), "{path}");
    }
    let form = b.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("请先修改密码再继续使用"),
        "{}",
        form.body
    );
    let at = form.body.find("name=\"_csrf\" value=\"").unwrap() + 20;
    let csrf = form.body[at..at + 64].to_string();
    for (current, new, confirm, said) in [
        (
            "wrong-Current-1",
            "Fresh-Chief-42",
            "Fresh-Chief-42",
            "当前密码不正确",
        ),
        (
            "Given-by-Admin-7",
            "Fresh-Chief-42",
            "Fresh-Chief-43",
            "两次输入的新密码不一致",
        ),
        (
            "Given-by-Admin-7",
            "leader-Pass-1",
            "leader-Pass-1",
            "密码不能包含登录名",
        ),
        ("Given-by-Admin-7", "P@ssw0rd", "P@ssw0rd", "过于常见"),
        (
            "Given-by-Admin-7",
            "alllowercase1",
            "alllowercase1",
            "至少 3 类",
        ),
        (
            "Given-by-Admin-7",
            "Given-by-Admin-7",
            "Given-by-Admin-7",
            "不能与当前密码相同",
        ),
    ] {
        let a = b
            .post(
                "/account/password",
                &[
                    ("_csrf", &csrf),
                    ("current_password", current),
                    ("password", new),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(a.body.contains(said), "{said}: {}", a.body);
        assert!(
            !a.body.contains(new),
            "a typed password is never shown back"
        );
    }
    let done = b
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current_password", "Given-by-Admin-7"),
                ("password", "Fresh-Chief-42"),
                ("confirm", "Fresh-Chief-42"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/login?changed=1"));
    // Every session of the account ended with the change, the API's too.
    assert_eq!(b.get("/").await.location.as_deref(), Some("/login?next=/"));
    assert_eq!(
        app.get(&token, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let login_page = send(
        &app,
        axum::http::Request::get("/login?changed=1")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert!(login_page.body.contains("密码已修改，请用新密码登录"));
    let (status, body) = app
        .call(
            axum::http::Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "leader", "password": "Fresh-Chief-42"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["password_change_due"], false);
    let token = body["token"].as_str().unwrap();
    assert_eq!(
        app.get(token, "/api/v1/records?kind=meeting").await.0,
        StatusCode::OK
    );
}

/// Under the 等保 profile a password is changed every 90 days and none of the last five comes
/// back; the 安全管理员 may choose length first instead, which asks for 12 characters of
/// anything and no change by date.
#[tokio::test]
async fn the_profile_ages_passwords_and_keeps_the_last_five_from_coming_back() {
    let mut app = TestApp::new().await;
    let office = app.login("office").await;
    // Five changes: PASSWORD, then Work-Pass-1 … Work-Pass-5.
    let mut current = PASSWORD.to_string();
    let mut token = office;
    for n in 1..=5 {
        let next = format!("Work-Pass-{n}");
        let (status, body) = change(&app, &token, current.clone(), next.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{n}: {body}");
        token = sign_in_api(&app, "office", &next).await;
        current = next;
    }
    // The last five (Pass-1 … Pass-5 is the current one) may not come back; PASSWORD, the
    // sixth back, may.
    for old in ["Work-Pass-1", "Work-Pass-4"] {
        let (status, body) = change(&app, &token, current.clone(), old).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{old}");
        assert!(body.to_string().contains("最近 5 次"), "{body}");
    }
    let (status, body) = change(&app, &token, current.clone(), PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let token = sign_in_api(&app, "office", PASSWORD).await;
    assert_eq!(app.get(&token, "/api/v1/plans").await.0, StatusCode::OK);

    // 91 days on, the password is due.
    let later = crate::helpers::now() + chrono::Duration::days(91);
    app.state.clock = taizhang::web::Clock::Fixed(later);
    let token = sign_in_api(&app, "office", PASSWORD).await;
    let (status, body) = app.get(&token, "/api/v1/plans").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "password_change_required");

    // The 安全管理员 chooses length first: nothing is due by date any more, and the rules
    // change with it. Nobody else may choose.
    let sec = app.login("sec_admin").await;
    for other in [&token, &app.login("admin").await] {
        let (status, _) = app
            .put(
                other,
                "/api/v1/security/password-profile",
                json!({"profile": "length_first"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, body) = app
        .put(
            &sec,
            "/api/v1/security/password-profile",
            json!({"profile": "length_first"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profile"], "length_first");
    let token = sign_in_api(&app, "office", PASSWORD).await;
    assert_eq!(app.get(&token, "/api/v1/plans").await.0, StatusCode::OK);
    let (status, body) = change(&app, &token, PASSWORD, "Short-1a").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("至少 12 位"), "{body}");
    let (status, body) = change(&app, &token, PASSWORD, "correct horse battery").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app
        .put(
            &sec,
            "/api/v1/security/password-profile",
            json!({"profile": "anything"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The choice is in the audit log.
    let auditor = app.as_role("audit_admin").await;
    let (_, log) = app
        .get(&auditor, "/api/v1/audit?entity=password_profile")
        .await;
    assert_eq!(log["total"], 1, "{log}");
    // And on the page the 安全管理员 keeps it.
    let page = sign_in(&app, "sec_admin")
        .await
        .get("/admin/security")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("value=\"length_first\" checked"),
        "{}",
        page.body
    );
}

/// A 三员 account's password changes on the server's command line only.
#[tokio::test]
async fn admin_duty_passwords_do_not_change_on_the_web() {
    let app = TestApp::new().await;
    let sec = app.login("sec_admin").await;
    let (status, body) = app
        .put(
            &sec,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "Another-Secret-9"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("命令行"), "{body}");
}

async fn change(
    app: &TestApp,
    token: &str,
    current: impl Into<String>,
    new: impl Into<String>,
) -> (StatusCode, serde_json::Value) {
    let (current, new): (String, String) = (current.into(), new.into());
    app.put(
        token,
        "/api/v1/me/password",
        json!({"current_password": current, "new_password": new}),
    )
    .await
}

async fn sign_in_api(app: &TestApp, login: &str, password: &str) -> String {
    let (status, body) = app
        .call(
            axum::http::Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": login, "password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}: {body}");
    body["token"].as_str().unwrap().to_string()
}
