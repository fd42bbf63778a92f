//! Sign-in, tokens, lock-out and account administration through the API.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};

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

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    let app = TestApp::empty().await;
    for i in 1..=5 {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"login": "admin", "password": "wrong-pass-1"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        if i < 5 {
            assert_eq!(body["error"]["message"], "登录名或密码错误");
        } else {
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("已锁定"),
                "{body}"
            );
        }
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "admin", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("锁定"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_login_reads_like_a_wrong_password() {
    let app = TestApp::empty().await;
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"login": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "登录名或密码错误");
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
