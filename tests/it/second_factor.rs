//! 两步验证 (TOTP): the three admin duties enrol before anything else, a right code signs in
//! once, a recovery code works once, wrong codes lock like wrong passwords, an ordinary role may
//! turn its second factor off and an admin duty may not; the operator resets a lost one.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use taizhang::auth::totp;

use crate::helpers::{now, TestApp, PASSWORD, TOTP_SECRET};
use crate::web::{form_body, send, Answer, Browser};

async fn sign_in(
    app: &TestApp,
    login: &str,
    code: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut body = json!({"login": login, "password": PASSWORD});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    app.call(Method::POST, "/api/v1/session", None, Some(body))
        .await
}

fn browser<'a>(app: &'a TestApp, token: &str) -> Browser<'a> {
    Browser {
        app,
        cookie: format!("tz_session={token}"),
    }
}

fn csrf(token: &str) -> String {
    taizhang::web::ui::csrf_token(token)
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let auditor = app.as_role("audit_admin").await;
    let (status, body) = app
        .get(&auditor, &format!("/api/v1/audit?action={action}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["total"].as_i64().unwrap()
}

/// Enrols the signed-in account on the 两步验证 page; returns its secret and recovery codes.
async fn enrol_on_the_page(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let b = browser(app, token);
    let csrf = csrf(token);
    let offer = b.post("/account/totp/begin", &[("_csrf", &csrf)]).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert!(offer.body.contains("<svg"), "a QR code: {}", offer.body);
    let at = offer.body.find("密钥：<code>").expect("the secret shown") + "密钥：<code>".len();
    let secret: String = offer.body[at..].chars().take_while(|c| *c != '<').collect();
    assert!(offer.body.contains("otpauth:"), "{}", offer.body);
    // A wrong code confirms nothing.
    let right = totp::current_code(&secret, now());
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = b
        .post(
            "/account/totp/confirm",
            &[("_csrf", &csrf), ("code", wrong)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("验证码不正确"), "{}", refused.body);
    let offer = b.post("/account/totp/begin", &[("_csrf", &csrf)]).await;
    let at = offer.body.find("密钥：<code>").unwrap() + "密钥：<code>".len();
    let secret: String = offer.body[at..].chars().take_while(|c| *c != '<').collect();
    let done = b
        .post(
            "/account/totp/confirm",
            &[
                ("_csrf", &csrf),
                ("code", &totp::current_code(&secret, now())),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    (secret, codes)
}

#[tokio::test]
async fn an_admin_duty_enrols_a_second_factor_before_anything_else() {
    let app = TestApp::empty().await;
    // A 三员 account made on the command line has no second factor yet.
    taizhang::auth::operator::create_user(
        &app.db,
        app.park_id,
        &taizhang::audit::Actor::system(),
        taizhang::auth::NewUser {
            login: "sec_admin".into(),
            display_name: None,
            password: PASSWORD.into(),
            role: taizhang::auth::Role::SecAdmin,
            unit_id: None,
            enterprise_id: None,
            person_id: None,
        },
        now(),
    )
    .await
    .unwrap();
    let (status, body) = sign_in(&app, "sec_admin", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totp_enrolment_due"], true, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    // Nothing but who it is, through the API; every page sends it to 两步验证.
    let (status, body) = app.get(&token, "/api/v1/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "second_factor_enrolment_required");
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    let home = browser(&app, &token).get("/admin/users").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location.as_deref(), Some("/account/totp"));
    let (secret, _) = enrol_on_the_page(&app, &token).await;
    let (status, body) = app.get(&token, "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // From now on the password alone is not enough.
    let (status, body) = sign_in(&app, "sec_admin", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "second_factor_required", "{body}");
    // The code the enrolment spent is spent; the next step's code signs in.
    let mut later = app;
    later.state.clock = taizhang::web::Clock::Fixed(now() + chrono::Duration::seconds(30));
    let next = totp::current_code(&secret, now() + chrono::Duration::seconds(30));
    let (status, body) = sign_in(&later, "sec_admin", Some(&next)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totp_enrolment_due"], false, "{body}");
    assert_eq!(audit_count(&later, "totp_enrol_failed").await, 1);
    // The admin account enrolled by the operator (tests' set-up) and this one.
    assert_eq!(audit_count(&later, "totp_enrol").await, 3);
}

#[tokio::test]
async fn a_right_code_signs_in_once_and_a_replayed_code_is_refused() {
    let app = TestApp::empty().await;
    let code = totp::current_code(TOTP_SECRET, now());
    let (status, body) = sign_in(&app, "admin", Some(&code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same code again, within its half minute: refused.
    let (status, body) = sign_in(&app, "admin", Some(&code)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已使用过"),
        "{body}"
    );
    // Half a minute on, the code of the step before is spent too; the new one works.
    let mut app = app;
    let later = now() + chrono::Duration::seconds(30);
    app.state.clock = taizhang::web::Clock::Fixed(later);
    let (status, _) = sign_in(&app, "admin", Some(&code)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) =
        sign_in(&app, "admin", Some(&totp::current_code(TOTP_SECRET, later))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(audit_count(&app, "login_failed").await, 2);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = TestApp::empty().await;
    let office = app.as_role("office").await;
    let (_, codes) = enrol_on_the_page(&app, &office).await;
    let (status, body) = sign_in(&app, "office", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Typed in capitals with spaces, as someone reading it off paper might.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (status, body) = sign_in(&app, "office", Some(&typed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = sign_in(&app, "office", Some(&codes[3])).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(audit_count(&app, "totp_recovery_used").await, 1);
    let token = body["token"].as_str().unwrap();
    let page = browser(&app, token).get("/account/totp").await;
    assert!(page.body.contains("未用过的恢复码：9 个"), "{}", page.body);
}

#[tokio::test]
async fn wrong_codes_lock_the_account_as_wrong_passwords_do() {
    let app = TestApp::empty().await;
    let right = totp::current_code(TOTP_SECRET, now());
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for i in 1..=5 {
        let (status, _) = sign_in(&app, "admin", Some(wrong)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, body) = sign_in(&app, "admin", Some(&right)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        taizhang::auth::service::SIGN_IN_REFUSED,
        "{body}"
    );
    assert_eq!(audit_count(&app, "lockout").await, 1);
}

async fn post_login(app: &TestApp, pairs: &[(&str, &str)]) -> Answer {
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(pairs)))
        .unwrap();
    send(app, req).await
}

#[tokio::test]
async fn the_sign_in_page_asks_for_the_code_on_a_second_step_that_keeps_the_login() {
    let app = TestApp::empty().await;
    let a = post_login(
        &app,
        &[
            ("login", "admin"),
            ("password", PASSWORD),
            ("next", "/audit"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location.as_deref(), Some("/login/code?next=/audit"));
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let b = browser(&app, token);
    // Waiting for its code, the session opens nothing else, page or API.
    let home = b.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/login/code"));
    let (status, _) = app.get(token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let step = b.get("/login/code?next=/audit").await;
    assert!(
        step.body.contains("admin") && step.body.contains("两步验证"),
        "{}",
        step.body
    );
    let csrf = csrf(token);
    let wrong = b
        .post(
            "/login/code",
            &[("_csrf", &csrf), ("code", "12345x"), ("next", "/audit")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    assert!(wrong.body.contains("两步验证码不正确"), "{}", wrong.body);
    let code = totp::current_code(TOTP_SECRET, now());
    let done = b
        .post(
            "/login/code",
            &[("_csrf", &csrf), ("code", &code), ("next", "/audit")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/audit"));
    let (status, _) = app.get(token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    // A wrong password says what it always said, whatever the second factor.
    let a = post_login(&app, &[("login", "admin"), ("password", "wrong-Pass-1")]).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains(taizhang::auth::service::SIGN_IN_REFUSED));
}

#[tokio::test]
async fn an_ordinary_role_may_turn_it_off_and_an_admin_duty_may_not() {
    let app = TestApp::empty().await;
    let office = app.as_role("office").await;
    let (secret, _) = enrol_on_the_page(&app, &office).await;
    let mut app = app;
    let later = now() + chrono::Duration::seconds(30);
    app.state.clock = taizhang::web::Clock::Fixed(later);
    let off = browser(&app, &office)
        .post(
            "/account/totp/off",
            &[
                ("_csrf", &csrf(&office)),
                ("code", &totp::current_code(&secret, later)),
            ],
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert!(off.body.contains("已关闭两步验证"), "{}", off.body);
    let (status, body) = sign_in(&app, "office", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let admin = app.login("admin").await;
    let refused = browser(&app, &admin)
        .post(
            "/account/totp/off",
            &[
                ("_csrf", &csrf(&admin)),
                ("code", &totp::current_code(TOTP_SECRET, later)),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("不能关闭"), "{}", refused.body);
    assert_eq!(audit_count(&app, "totp_off").await, 1);
}

#[tokio::test]
async fn the_operator_resets_a_lost_second_factor_and_the_admin_enrols_again() {
    let app = TestApp::empty().await;
    let admin = app.login("admin").await;
    let out = app
        .command()
        .args(["user", "totp-reset", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已重置 admin 的两步验证"));
    // Its sessions ended; the password alone signs in, to enrol again first.
    let (status, _) = app.get(&admin, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = sign_in(&app, "admin", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totp_enrolment_due"], true, "{body}");
    assert_eq!(audit_count(&app, "totp_reset").await, 1);
}
