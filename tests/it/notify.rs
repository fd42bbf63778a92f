//! 通知 against a fake robot receiver (an axum server on 127.0.0.1:0 inside the test) that
//! records what it gets and fails on purpose: a new request reaches a signed 钉钉 robot and a
//! 企业微信 robot through the outbox; a receiver down, slow or answering an error loses nothing
//! and blocks no write; the 21st message of a minute waits; the robot's URL and secret are never
//! shown nor logged; an enterprise reads only its own notices; deadline reminders come once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use taizhang::notify::outbox::{client, deliver_due};

use crate::helpers::{id, now, TestApp, INITIAL_PASSWORD};
use crate::web::{sign_in, Browser};

/// A test park whose robots may post to this machine's fake receiver, besides the public
/// 企业微信 and 钉钉 hosts.
async fn robot_app() -> TestApp {
    let mut app = TestApp::new().await;
    let mut config = (*app.state.config).clone();
    config.robot_hosts.push("127.0.0.1".into());
    app.state.config = std::sync::Arc::new(config);
    app
}

const DING_TOKEN: &str = "dingtoken0123456789abcdef";
const DING_SECRET: &str = "SECa1b2c3d4e5f6secretvalue";
const WECOM_KEY: &str = "wecomkey-9f8e7d6c5b4a";

/// How the fake receiver answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Ok,
    Http500,
    Errcode,
    Slow,
}

/// One message the receiver got: the query, the body, and whether the 钉钉 signature held.
#[derive(Clone, Debug)]
struct Got {
    query: std::collections::HashMap<String, String>,
    body: Value,
    signed: Option<bool>,
}

#[derive(Clone)]
struct Receiver {
    mode: Arc<Mutex<Mode>>,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Receiver {
    fn new() -> Receiver {
        Receiver {
            mode: Arc::new(Mutex::new(Mode::Ok)),
            got: Arc::default(),
        }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Serves on `addr` (127.0.0.1:0 for any port); the address it listens on.
    async fn serve(&self, addr: &str) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let local = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/robot/send", post(receive))
            .route("/cgi-bin/webhook/send", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        local
    }
}

async fn receive(
    State(r): State<Receiver>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mode = *r.mode.lock().unwrap();
    match mode {
        Mode::Slow => {
            // Past the client's timeout: the client has given up, nothing is taken.
            tokio::time::sleep(Duration::from_secs(3)).await;
            return (StatusCode::OK, Json(json!({"errcode": 0})));
        }
        Mode::Http500 => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        Mode::Errcode => {
            return (
                StatusCode::OK,
                Json(json!({"errcode": 45009, "errmsg": "api freq out of limit"})),
            )
        }
        Mode::Ok => {}
    }
    let signed = query.get("sign").map(|sign| {
        let ts = query.get("timestamp").cloned().unwrap_or_default();
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(DING_SECRET.as_bytes()).unwrap();
        m.update(format!("{ts}\n{DING_SECRET}").as_bytes());
        let want = base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes());
        *sign == want && query.get("access_token").map(String::as_str) == Some(DING_TOKEN)
    });
    r.got.lock().unwrap().push(Got {
        query,
        body,
        signed,
    });
    (StatusCode::OK, Json(json!({"errcode": 0, "errmsg": "ok"})))
}

/// An address nothing listens on (yet).
async fn free_addr() -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

fn ding_url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/robot/send?access_token={DING_TOKEN}")
}

fn wecom_url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/cgi-bin/webhook/send?key={WECOM_KEY}")
}

/// Saves a robot through the 党建办's page; its id.
async fn add_robot(
    office: &Browser<'_>,
    name: &str,
    kind: &str,
    url: &str,
    secret: &str,
    events: &[&str],
) -> i64 {
    let csrf = office.csrf().await;
    let mut pairs = vec![
        ("_csrf", csrf.as_str()),
        ("name", name),
        ("kind", kind),
        ("url", url),
        ("secret", secret),
        ("enabled", "1"),
    ];
    for e in events {
        pairs.push(("events", e));
    }
    let a = office.post("/notices/robots", &pairs).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let at = a.location.unwrap();
    at.trim_start_matches("/notices/robots/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn raise(app: &TestApp, token: &str, title: &str) -> i64 {
    let (status, body) = app
        .post(
            token,
            "/api/v1/requests",
            json!({"category": "用工", "title": title, "description": "招工困难"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id(&body)
}

/// The park's outbox as (status, attempts) by id.
async fn outbox(app: &TestApp) -> Vec<(String, i64)> {
    taizhang::on_db!(&app.db, |pool| sqlx::query_as(
        "SELECT status, attempts FROM outbox ORDER BY id"
    )
    .fetch_all(pool)
    .await)
    .unwrap()
}

fn later(secs: i64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds(secs)
}

#[tokio::test]
async fn a_new_request_posts_to_a_signed_dingtalk_robot_and_a_wecom_robot() {
    let app = robot_app().await;
    let receiver = Receiver::new();
    let addr = receiver.serve("127.0.0.1:0").await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "园小二钉钉群",
        "dingtalk",
        &ding_url(addr),
        DING_SECRET,
        &["new_request"],
    )
    .await;
    add_robot(
        &office,
        "园小二企业微信群",
        "wecom",
        &wecom_url(addr),
        "",
        &["new_request", "overdue"],
    )
    .await;
    let ent = app.login("enterprise").await;
    let request = raise(&app, &ent, "招聘普工五十名").await;
    assert_eq!(outbox(&app).await, vec![("pending".into(), 0); 2]);

    let http = client(Duration::from_secs(2)).unwrap();
    let done = deliver_due(&app.db, now(), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!((done.sent, done.failed, done.waiting), (2, 0, 0));
    let got = receiver.got();
    assert_eq!(got.len(), 2);
    let ding = got
        .iter()
        .find(|g| g.signed.is_some())
        .expect("the 钉钉 post");
    assert_eq!(ding.signed, Some(true), "the signature verifies: {ding:?}");
    assert!(ding.query.contains_key("timestamp"));
    assert_eq!(ding.body["msgtype"], "markdown");
    assert_eq!(ding.body["markdown"]["title"], format!("新诉求#{request}"));
    assert!(ding.body["markdown"]["text"]
        .as_str()
        .unwrap()
        .contains("招聘普工五十名"));
    let wecom = got.iter().find(|g| g.signed.is_none()).expect("企业微信");
    assert_eq!(wecom.query.get("key").map(String::as_str), Some(WECOM_KEY));
    assert_eq!(wecom.body["msgtype"], "markdown");
    let content = wecom.body["markdown"]["content"].as_str().unwrap();
    assert!(content.contains("招聘普工五十名") && content.contains("乙制造有限公司"));
    assert_eq!(outbox(&app).await, vec![("sent".into(), 1); 2]);
    // Sent once: a second pass finds nothing due.
    let again = deliver_due(&app.db, later(600), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(receiver.got().len(), 2);

    // The team is told in the app, with the unread count in the top bar.
    let staff = app.login("service_staff").await;
    let (_, notices) = app.get(&staff, "/api/v1/notices").await;
    assert_eq!(notices["unread"], 1, "{notices}");
    assert_eq!(notices["notices"][0]["kind"], "new_request");
    assert_eq!(
        notices["notices"][0]["link"],
        format!("/requests/{request}")
    );
    let page = sign_in(&app, "service_staff").await.get("/notices").await;
    assert!(page.body.contains("招聘普工五十名"), "{}", page.body);
    assert!(page.body.contains("class=\"badge\""), "the unread count");
}

#[tokio::test]
async fn a_receiver_down_slow_or_erroring_loses_no_message_and_blocks_no_write() {
    let app = robot_app().await;
    let addr = free_addr().await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "企业微信群",
        "wecom",
        &wecom_url(addr),
        "",
        &["new_request"],
    )
    .await;
    let ent = app.login("enterprise").await;
    // Down: the request is written all the same.
    raise(&app, &ent, "厂房漏水").await;
    let http = client(Duration::from_secs(1)).unwrap();
    let done = deliver_due(&app.db, now(), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!(done.failed, 1);
    assert_eq!(outbox(&app).await, vec![("retrying".into(), 1)]);
    // Not due again before its back-off (30 s) has passed.
    let early = deliver_due(&app.db, later(10), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!((early.sent, early.failed), (0, 0));

    // Back, but answering 500; then errcode ≠ 0; then too slowly.
    let receiver = Receiver::new();
    receiver.serve(&addr.to_string()).await;
    let mut t = 30;
    for (mode, step) in [(Mode::Http500, 60), (Mode::Errcode, 120), (Mode::Slow, 240)] {
        receiver.set(mode);
        let done = deliver_due(&app.db, later(t), &http, &app.state.config.robot_hosts)
            .await
            .unwrap();
        assert_eq!(done.failed, 1, "{mode:?}");
        t += step;
    }
    assert_eq!(outbox(&app).await, vec![("retrying".into(), 4)]);
    assert!(receiver.got().is_empty());

    // Its attempts are on the 党建办's outbox page, without the robot's key.
    let page = office.get("/notices/outbox").await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in ["重试中", "HTTP 500", "errcode 45009", "超时", "无法连接"] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    assert!(!page.body.contains(WECOM_KEY));

    // Working again: delivered once, at its next turn.
    receiver.set(Mode::Ok);
    let done = deliver_due(&app.db, later(t), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!(done.sent, 1);
    assert_eq!(receiver.got().len(), 1);
    assert_eq!(outbox(&app).await, vec![("sent".into(), 5)]);
}

#[tokio::test]
async fn a_failed_message_is_sent_again_on_resend() {
    let app = robot_app().await;
    let addr = free_addr().await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "群",
        "wecom",
        &wecom_url(addr),
        "",
        &["new_request"],
    )
    .await;
    let ent = app.login("enterprise").await;
    raise(&app, &ent, "道路破损").await;
    let http = client(Duration::from_secs(1)).unwrap();
    let mut t = 0;
    for _ in 0..taizhang::notify::MAX_ATTEMPTS {
        deliver_due(&app.db, later(t), &http, &app.state.config.robot_hosts)
            .await
            .unwrap();
        t += 3600;
    }
    assert_eq!(
        outbox(&app).await,
        vec![("failed".into(), taizhang::notify::MAX_ATTEMPTS)]
    );
    let receiver = Receiver::new();
    receiver.serve(&addr.to_string()).await;
    assert_eq!(
        deliver_due(&app.db, later(t), &http, &app.state.config.robot_hosts)
            .await
            .unwrap()
            .sent,
        0
    );
    let page = office.get("/notices/outbox").await;
    assert!(page.body.contains("失败") && page.body.contains("重发"));
    let message: i64 =
        taizhang::on_db!(&app.db, |pool| sqlx::query_scalar("SELECT id FROM outbox")
            .fetch_one(pool)
            .await)
        .unwrap();
    let csrf = office.csrf().await;
    let a = office
        .post(
            &format!("/notices/outbox/{message}/resend"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The instant of the page's clock (the tests' `now`) queued it again.
    assert_eq!(
        deliver_due(&app.db, later(t), &http, &app.state.config.robot_hosts)
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(receiver.got().len(), 1);
}

#[tokio::test]
async fn the_twenty_first_message_in_a_minute_waits_for_the_next() {
    let app = robot_app().await;
    let receiver = Receiver::new();
    let addr = receiver.serve("127.0.0.1:0").await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "群",
        "wecom",
        &wecom_url(addr),
        "",
        &["new_request"],
    )
    .await;
    // A second robot: the first one's backlog holds none of its messages back.
    let other = format!("http://{addr}/cgi-bin/webhook/send?key=second-robot-key");
    add_robot(&office, "二群", "wecom", &other, "", &["new_request"]).await;
    let ent = app.login("enterprise").await;
    for i in 1..=21 {
        raise(&app, &ent, &format!("诉求{i}")).await;
    }
    let per_robot = |got: &[Got], key: &str| {
        got.iter()
            .filter(|g| g.query.get("key").map(String::as_str) == Some(key))
            .count()
    };
    let http = client(Duration::from_secs(2)).unwrap();
    let done = deliver_due(&app.db, now(), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!((done.sent, done.waiting), (40, 2));
    let got = receiver.got();
    assert_eq!(per_robot(&got, WECOM_KEY), 20);
    assert_eq!(per_robot(&got, "second-robot-key"), 20);
    let within = deliver_due(&app.db, later(59), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!((within.sent, within.waiting), (0, 2));
    let next = deliver_due(&app.db, later(61), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!((next.sent, next.waiting), (2, 0));
    let got = receiver.got();
    assert_eq!(got.len(), 42);
    assert_eq!(per_robot(&got, WECOM_KEY), 21);
    assert!(got[40..].iter().all(|g| g.body["markdown"]["content"]
        .as_str()
        .unwrap()
        .contains("诉求21")));
}

/// A log writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_robots_url_and_secret_are_never_shown_again_nor_logged() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = robot_app().await;
    let addr = free_addr().await;
    let office = sign_in(&app, "office").await;
    let robot = add_robot(
        &office,
        "钉钉群",
        "dingtalk",
        &ding_url(addr),
        DING_SECRET,
        &["new_request", "near_deadline"],
    )
    .await;
    // A 钉钉 robot without its secret, and a URL that is not HTTPS, are refused naming the field,
    // and the form comes back without what was typed in either.
    let csrf = office.csrf().await;
    let refused = office
        .post(
            "/notices/robots",
            &[
                ("_csrf", &csrf),
                ("name", "缺密钥"),
                ("kind", "dingtalk"),
                (
                    "url",
                    // A host inside the network: the server is never made to post there.
                    "https://10.1.2.3/robot/send?access_token=typedtoken77",
                ),
                ("events", "new_request"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("加签密钥"), "{}", refused.body);
    assert!(
        refused
            .body
            .contains("域名为以下之一：qyapi.weixin.qq.com、oapi.dingtalk.com"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("缺密钥"), "the name typed is kept");
    assert!(!refused.body.contains("typedtoken77"));

    // A change without a new URL or secret keeps the stored ones.
    let a = office
        .post(
            &format!("/notices/robots/{robot}"),
            &[
                ("_csrf", &csrf),
                ("name", "钉钉群（改名）"),
                ("kind", "dingtalk"),
                ("url", ""),
                ("secret", ""),
                ("events", "new_request"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let ent = app.login("enterprise").await;
    raise(&app, &ent, "用电增容").await;
    let http = client(Duration::from_secs(1)).unwrap();
    // Other tests' threads may have cached the delivery's log lines as unwanted before this
    // thread's subscriber existed.
    tracing::callsite::rebuild_interest_cache();
    deliver_due(&app.db, now(), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    let receiver = Receiver::new();
    receiver.serve(&addr.to_string()).await;
    deliver_due(&app.db, later(30), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!(receiver.got().len(), 1);
    assert_eq!(
        receiver.got()[0].signed,
        Some(true),
        "the stored secret signs"
    );

    let mut bodies = Vec::new();
    for path in [
        "/notices/robots".to_string(),
        format!("/notices/robots/{robot}"),
        "/notices/outbox".to_string(),
    ] {
        let page = office.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        bodies.push(page.body);
    }
    assert!(bodies[0].contains(&addr.to_string()) && bodies[0].contains("已保存"));
    let audit_admin = app.as_role("audit_admin").await;
    let (status, audit) = app.get(&audit_admin, "/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit.to_string().contains("robot"), "the save is audited");
    bodies.push(audit.to_string());
    let stored: Vec<(String, Option<String>)> = taizhang::on_db!(&app.db, |pool| sqlx::query_as(
        "SELECT url_sealed, secret_sealed FROM robots"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    bodies.push(format!("{stored:?}"));
    bodies.push(String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned());
    assert!(
        bodies.last().unwrap().contains("机器人推送失败"),
        "the log was captured: {}",
        bodies.last().unwrap()
    );
    for (i, body) in bodies.iter().enumerate() {
        for secret in [DING_TOKEN, DING_SECRET, "typedtoken77"] {
            assert!(!body.contains(secret), "{secret} in body {i}");
        }
    }
}

/// An enterprise user of the other enterprise (甲科技), signed in through the API.
async fn other_enterprise_user(app: &TestApp) -> String {
    let sys = app.login("admin").await;
    let sec = app.login("sec_admin").await;
    let scope = json!({"role": "enterprise", "enterprise_id": app.enterprises.0});
    let mut new = scope.clone();
    new["login"] = json!("enterprise_a");
    new["password"] = json!(INITIAL_PASSWORD);
    let user = id(&app.post_ok(&sys, "/api/v1/users", new).await);
    app.grant(&sec, user, scope).await;
    app.first_sign_in("enterprise_a").await;
    app.login("enterprise_a").await
}

#[tokio::test]
async fn an_enterprise_reads_only_its_own_notices_on_its_pages() {
    let app = robot_app().await;
    let ent = app.login("enterprise").await;
    let request = raise(&app, &ent, "办理环评").await;
    let staff = app.login("service_staff").await;
    let (status, body) = app
        .post(
            &staff,
            &format!("/api/v1/requests/{request}/steps/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .post(
            &staff,
            &format!("/api/v1/requests/{request}/messages"),
            json!({"text": "请补充环评报告"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The enterprise's own message tells nobody in the enterprise.
    app.post(
        &ent,
        &format!("/api/v1/requests/{request}/messages"),
        json!({"text": "已补充"}),
    )
    .await;
    let (_, mine) = app.get(&ent, "/api/v1/notices").await;
    assert_eq!(mine["total"], 2, "{mine}");
    assert_eq!(mine["notices"][0]["kind"], "message");
    assert_eq!(mine["notices"][1]["kind"], "progress");
    assert!(mine["notices"][1]["text"]
        .as_str()
        .unwrap()
        .contains("已受理"));
    let theirs = other_enterprise_user(&app).await;
    let (_, other) = app.get(&theirs, "/api/v1/notices").await;
    assert_eq!(other["total"], 0, "{other}");
    let notice = mine["notices"][0]["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &theirs,
            &format!("/api/v1/notices/{notice}/read"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, staffs) = app.get(&staff, "/api/v1/notices").await;
    let staff_notice = staffs["notices"][0]["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &ent,
            &format!("/api/v1/notices/{staff_notice}/read"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another's notice");

    // The portal's list shows the unread notices, each linking to its request.
    let browser = sign_in(&app, "enterprise").await;
    let list = browser.get("/requests").await;
    assert!(list.body.contains("最新通知"), "{}", list.body);
    assert!(list.body.contains(&format!("href=\"/requests/{request}\"")));
    assert!(list.body.contains("请补充环评报告"));
    let csrf = browser.csrf().await;
    let a = browser
        .post(&format!("/notices/{notice}/read"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = browser
        .post(
            &format!("/notices/{staff_notice}/read"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = browser
        .post("/notices/read-all", &[("_csrf", "forged")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = browser.post("/notices/read-all", &[("_csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let (_, mine) = app.get(&ent, "/api/v1/notices").await;
    assert_eq!(mine["unread"], 0);
    let list = browser.get("/requests").await;
    assert!(!list.body.contains("最新通知"));
}

#[tokio::test]
async fn near_deadline_and_overdue_reminders_are_given_once_each() {
    let app = robot_app().await;
    let receiver = Receiver::new();
    let addr = receiver.serve("127.0.0.1:0").await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "督办群",
        "wecom",
        &wecom_url(addr),
        "",
        &["near_deadline", "overdue"],
    )
    .await;
    let ent = app.login("enterprise").await;
    // Registered on Sunday 2025-06-15: contact by Monday the 16th, a stage reply by the 18th.
    let request = raise(&app, &ent, "办理施工许可").await;
    let (_, r) = app.get(&ent, &format!("/api/v1/requests/{request}")).await;
    assert_eq!(r["due"]["contact_by"], "2025-06-16");
    assert_eq!(r["due"]["reply_by"], "2025-06-18");
    let at = |d: u32| Utc.with_ymd_and_hms(2025, 6, d, 2, 0, 0).single().unwrap();
    let scan = |t| taizhang::notify::service::scan(&app.db, t);
    assert_eq!(scan(at(15)).await.unwrap(), 0, "time enough");
    assert_eq!(scan(at(16)).await.unwrap(), 1, "contact due today");
    assert_eq!(scan(at(16)).await.unwrap(), 0, "once");
    assert_eq!(scan(at(17)).await.unwrap(), 1, "contact overdue");
    assert_eq!(scan(at(17)).await.unwrap(), 0, "once");
    assert_eq!(scan(at(18)).await.unwrap(), 1, "stage reply due today");
    let staff = app.login("service_staff").await;
    let (_, notices) = app.get(&staff, "/api/v1/notices").await;
    let kinds: Vec<&str> = notices["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["near_deadline", "overdue", "near_deadline", "new_request"]
    );
    assert!(notices["notices"][1]["text"]
        .as_str()
        .unwrap()
        .contains("2025-06-16"));
    // The robot takes reminders, not new requests.
    let http = client(Duration::from_secs(2)).unwrap();
    let done = deliver_due(&app.db, at(18), &http, &app.state.config.robot_hosts)
        .await
        .unwrap();
    assert_eq!(done.sent, 3);
    // Accepted, the contact deadline no longer runs; the enterprise is told.
    let (status, _) = app
        .post(
            &staff,
            &format!("/api/v1/requests/{request}/steps/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        scan(at(19)).await.unwrap(),
        1,
        "only the stage reply overdue"
    );
    assert_eq!(scan(at(20)).await.unwrap(), 0);
}

#[tokio::test]
async fn a_key_rotation_seals_the_robots_again_and_they_keep_posting() {
    let app = robot_app().await;
    let receiver = Receiver::new();
    let addr = receiver.serve("127.0.0.1:0").await;
    let office = sign_in(&app, "office").await;
    add_robot(
        &office,
        "钉钉群",
        "dingtalk",
        &ding_url(addr),
        DING_SECRET,
        &["new_request"],
    )
    .await;
    let sealed = || async {
        let rows: Vec<(String, Option<String>)> = taizhang::on_db!(&app.db, |pool| sqlx::query_as(
            "SELECT url_sealed, secret_sealed FROM robots"
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        rows
    };
    let before = sealed().await;
    let key_of = |v: &str| v.split(':').nth(1).unwrap().to_string();
    let out = app.command().args(["key", "rotate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 个通知机器人"));
    let after = sealed().await;
    assert_ne!(key_of(&after[0].0), key_of(&before[0].0));
    assert_eq!(
        key_of(after[0].1.as_deref().unwrap()),
        key_of(&after[0].0),
        "the secret too"
    );
    let ent = app.login("enterprise").await;
    raise(&app, &ent, "用水报装").await;
    let http = client(Duration::from_secs(2)).unwrap();
    assert_eq!(
        deliver_due(&app.db, now(), &http, &app.state.config.robot_hosts)
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(receiver.got()[0].signed, Some(true));
}
