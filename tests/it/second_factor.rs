//! 两步验证 (TOTP): the three admin duties enrol before anything else, a right code signs in
//! once, a recovery code works once, wrong codes lock like wrong passwords, an ordinary role may
//! turn its second factor off and an admin duty may not; the operator resets a lost one.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use taizhang::auth::totp;

use taizhang::db::Db;

use crate::helpers::{now, TestApp, PASSWORD, TOTP_SECRET};
use crate::personal_data::column;
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

/// The secret a page with an offer shows.
fn shown_secret(body: &str) -> String {
    let at = body.find("密钥：<code>").expect("the secret shown") + "密钥：<code>".len();
    body[at..].chars().take_while(|c| *c != '<').collect()
}

/// A code that is not the secret's current one.
fn wrong_code(secret: &str) -> &'static str {
    if totp::current_code(secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// Enrols the signed-in account on the 两步验证 page; returns its secret and recovery codes.
async fn enrol_on_the_page(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let b = browser(app, token);
    let csrf = csrf(token);
    let offer = b.post("/account/totp/begin", &[("_csrf", &csrf)]).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert!(offer.body.contains("<svg"), "a QR code: {}", offer.body);
    let secret = shown_secret(&offer.body);
    assert!(offer.body.contains("otpauth:"), "{}", offer.body);
    // A wrong code confirms nothing, and the same secret stays on offer.
    let refused = b
        .post(
            "/account/totp/confirm",
            &[("_csrf", &csrf), ("code", wrong_code(&secret))],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("验证码不正确"), "{}", refused.body);
    assert_eq!(shown_secret(&refused.body), secret);
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
async fn a_wrong_confirmation_code_shows_the_same_secret_and_qr_code_with_the_message_at_the_field()
{
    let app = TestApp::empty().await;
    let office = app.as_role("office").await;
    let b = browser(&app, &office);
    let csrf = csrf(&office);
    let offer = b.post("/account/totp/begin", &[("_csrf", &csrf)]).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    let secret = shown_secret(&offer.body);
    let qr = |body: &str| {
        let start = body.find("<div class=\"qr\">").expect("a QR code");
        let end = start + body[start..].find("</div>").unwrap();
        body[start..end].to_string()
    };
    let refused = b
        .post(
            "/account/totp/confirm",
            &[("_csrf", &csrf), ("code", wrong_code(&secret))],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    // The same secret, URI and QR code: nothing to scan again.
    assert_eq!(shown_secret(&refused.body), secret);
    assert_eq!(qr(&refused.body), qr(&offer.body));
    assert!(refused.body.contains("<svg"), "{}", refused.body);
    assert!(
        refused.body.contains(&format!("secret={secret}")),
        "{}",
        refused.body
    );
    // The message at the code field of the confirmation form, which posts to confirm again.
    let field = refused
        .body
        .find("<div class=\"field invalid\">")
        .expect("the code field marked");
    let form = refused.body[..field].rfind("<form").expect("inside a form");
    assert!(
        refused.body[form..field].contains("action=\"/account/totp/confirm\""),
        "{}",
        refused.body
    );
    let after = &refused.body[field..];
    let message_at = after.find("验证码不正确").expect("the message");
    assert!(
        message_at < after.find("</div>").unwrap(),
        "the message inside the field: {}",
        refused.body
    );
    assert!(
        after[..message_at].contains("name=\"code\""),
        "{}",
        refused.body
    );
    // The code the app shows for that secret confirms it.
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
    assert!(done.body.contains("已启用两步验证"), "{}", done.body);
    assert_eq!(audit_count(&app, "totp_enrol_failed").await, 1);
}

/// The words of a stored text that read as a base32 TOTP secret (16 or more of A–Z and 2–7,
/// at least one a letter): hex, lower case, never does.
fn base32_words(stored: &str) -> Vec<String> {
    stored
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() >= 16
                && w.chars().any(|c| c.is_ascii_uppercase())
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        })
        .map(String::from)
        .collect()
}

/// Every stored TOTP secret, confirmed or pending, and the secrets the test knows in plain.
async fn stored_secrets(app: &TestApp) -> Vec<String> {
    let mut all = column(app, "SELECT totp_secret FROM users").await;
    all.extend(column(app, "SELECT totp_pending FROM users").await);
    all
}

fn assert_sealed(stored: &[String], prefix: &str, known: &[&str]) {
    assert!(!stored.is_empty());
    for v in stored {
        assert!(v.starts_with(prefix), "{v}");
        assert!(base32_words(v).is_empty(), "{v}");
        for k in known {
            assert!(!v.to_uppercase().contains(k), "{v}");
        }
    }
}

#[tokio::test]
async fn the_secret_is_sealed_at_rest_and_signs_in_after_a_key_rotation() {
    let app = TestApp::empty().await;
    // The check finds a secret stored in plain.
    assert_eq!(base32_words(TOTP_SECRET), [TOTP_SECRET]);
    let office = app.as_role("office").await;
    let b = browser(&app, &office);
    let offer = b
        .post("/account/totp/begin", &[("_csrf", &csrf(&office))])
        .await;
    let pending = shown_secret(&offer.body);
    // Offered and not yet confirmed: sealed too, under its own field name.
    let stored = column(&app, "SELECT totp_pending FROM users").await;
    assert_eq!(stored.len(), 1);
    assert_sealed(&stored, "sm4:", &[&pending]);
    let done = b
        .post(
            "/account/totp/confirm",
            &[
                ("_csrf", &csrf(&office)),
                ("code", &totp::current_code(&pending, now())),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let stored = stored_secrets(&app).await;
    assert_eq!(
        stored.len(),
        3,
        "admin's, sec_admin's, office's: {stored:?}"
    );
    assert_sealed(&stored, "sm4:", &[TOTP_SECRET, &pending]);
    let old_key = stored[0].split(':').nth(1).unwrap().to_string();
    // Sealed as the secret, it does not open as another field.
    assert!(taizhang::crypto::open("totp_secret", &stored[0]).is_ok());
    assert!(taizhang::crypto::open("phone", &stored[0]).is_err());

    let out = app.command().args(["key", "rotate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("3 个账号的两步验证密钥"), "{said}");
    let current = column(
        &app,
        "SELECT key_id FROM data_keys WHERE purpose = 'data' AND is_current = TRUE",
    )
    .await;
    assert_ne!(current[0], old_key);
    let stored = stored_secrets(&app).await;
    assert_eq!(stored.len(), 3);
    assert_sealed(
        &stored,
        &format!("sm4:{}:", current[0]),
        &[TOTP_SECRET, &pending],
    );
    // Both accounts still sign in with their apps' codes, the page's and the operator's.
    let mut later = app;
    let at = now() + chrono::Duration::seconds(30);
    later.state.clock = taizhang::web::Clock::Fixed(at);
    let (status, body) = sign_in(&later, "office", Some(&totp::current_code(&pending, at))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = sign_in(&later, "admin", Some(&totp::current_code(TOTP_SECRET, at))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = sign_in(&later, "admin", Some(wrong_code(TOTP_SECRET))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_secret_stored_in_plain_before_is_sealed_when_the_database_is_opened() {
    let app = TestApp::empty().await;
    // As a database from before sealing holds it: the admin's secret, and an offer pending.
    let sql = "UPDATE users SET totp_secret = $1, totp_pending = $1 WHERE login = 'admin'";
    match &app.db {
        Db::Sqlite(p) => sqlx::query(sql)
            .bind(TOTP_SECRET)
            .execute(p)
            .await
            .map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql)
            .bind(TOTP_SECRET)
            .execute(p)
            .await
            .map(|_| ()),
    }
    .unwrap();
    assert_eq!(stored_secrets(&app).await, [TOTP_SECRET, TOTP_SECRET]);
    let out = app.command().arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = stored_secrets(&app).await;
    assert_eq!(stored.len(), 2);
    assert_sealed(&stored, "sm4:", &[TOTP_SECRET]);
    let (status, body) =
        sign_in(&app, "admin", Some(&totp::current_code(TOTP_SECRET, now()))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
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
