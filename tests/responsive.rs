//! The server keeps answering while report templates render: a template that runs for seconds
//! (within its fuel) renders off the async workers, so `/healthz` still answers at once.
//!
//! Its own test binary, so that no other test competes for the machine's cores while the
//! answers are timed.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot unwrap should fail loudly"
)]

#[allow(dead_code, reason = "the shared helpers serve the main suite too")]
#[path = "it/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use helpers::form_body as form;
use helpers::{TestApp, PASSWORD};

/// Copies a 2 MB string eight thousand times: seconds of work in little memory, and within
/// the template fuel, so it renders in the end.
const SLOW_TEMPLATE: &str = "{% set ns = namespace(s=\"x\" * 2000000, t=\"\") %}\
{% for i in range(8000) %}{% set ns.t = ns.s ~ i %}{% endfor %}慢模板 {{ ns.t | length }}\n";

/// Sends a request as a connection of the real server does: in a task of its own, on the
/// runtime's workers.
async fn on_a_worker(app: &TestApp, req: Request<Body>) -> (StatusCode, String, Duration) {
    let router = taizhang::app::router(app.state.clone());
    let started = Instant::now();
    tokio::spawn(async move {
        let res = router.oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .unwrap()
}

/// Signs in as 党建办 through the login form: the session cookie and the page's CSRF token.
async fn office_session(app: &TestApp) -> (String, String) {
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("login", "office"),
            ("password", PASSWORD),
        ])))
        .unwrap();
    let res = taizhang::app::router(app.state.clone())
        .oneshot(login)
        .await
        .unwrap();
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let home = Request::get("/")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (_, page, _) = on_a_worker(app, home).await;
    let at = page.find("name=\"_csrf\" value=\"").unwrap() + 20;
    let csrf = page[at..at + 64].to_string();
    (cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_within_100_ms_while_slow_templates_render() {
    let app = TestApp::new().await;
    let (cookie, csrf) = office_session(&app).await;
    // As many slow previews at once as the runtime has workers.
    let mut previews = Vec::new();
    for n in 0..2 {
        let body = form(&[
            ("_csrf", &csrf),
            ("name", &format!("慢模板{n}")),
            ("source", SLOW_TEMPLATE),
            ("year", "2025"),
            ("action", "preview"),
        ]);
        let req = Request::post("/report/templates/new")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let state = app.state.clone();
        previews.push(tokio::spawn(async move {
            let started = Instant::now();
            let res = taizhang::app::router(state).oneshot(req).await.unwrap();
            let status = res.status();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                String::from_utf8_lossy(&body).into_owned(),
                started.elapsed(),
            )
        }));
    }
    let mut slowest = Duration::ZERO;
    let mut checks = 0;
    while previews.iter().any(|p| !p.is_finished()) {
        let health = Request::get("/healthz").body(Body::empty()).unwrap();
        let (status, _, took) = on_a_worker(&app, health).await;
        assert_eq!(status, StatusCode::OK);
        slowest = slowest.max(took);
        checks += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for preview in previews {
        let (status, body, took) = preview.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("慢模板 2000"), "the slow template did render");
        assert!(
            took > Duration::from_millis(500),
            "the renders overlapped the checks: {took:?}"
        );
    }
    assert!(checks >= 10, "{checks} health checks made while rendering");
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} at worst while templates rendered"
    );
}

/// Doubles a string forty times once the year is past 2000: sixteen terabytes asked for in
/// forty units of fuel. It renders (to nothing) for 1999, so it can be saved.
const GREEDY_TEMPLATE: &str = "{% set ns = namespace(s=\"0123456789abcdef\") %}\
{% for i in range(40 if year > 2000 else 0) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\
贪心模板 {{ ns.s | length }}\n";

/// The most memory this process has held so far (`VmHWM`), in kB.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_template_that_builds_strings_without_end_stops_at_its_memory_limit() {
    let app = TestApp::new().await;
    let (cookie, csrf) = office_session(&app).await;
    let save = Request::post("/report/templates/new")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("_csrf", &csrf),
            ("name", "贪心模板"),
            ("source", GREEDY_TEMPLATE),
            ("year", "1999"),
            ("action", "save"),
        ])))
        .unwrap();
    let res = taizhang::app::router(app.state.clone())
        .oneshot(save)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "saved for 1999");
    let saved = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let id: i64 = saved
        .trim_start_matches("/report/templates/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let before = peak_kb();
    let view = Request::get(format!("/report/view?year=2025&template={id}"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let state = app.state.clone();
    let viewing = tokio::spawn(async move {
        let res = taizhang::app::router(state).oneshot(view).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    });
    let mut slowest = Duration::ZERO;
    while !viewing.is_finished() {
        let health = Request::get("/healthz").body(Body::empty()).unwrap();
        let (status, _, took) = on_a_worker(&app, health).await;
        assert_eq!(status, StatusCode::OK);
        slowest = slowest.max(took);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, body) = viewing.await.unwrap();
    assert!(
        body.contains("占用内存超过 256 MB"),
        "the page names the limit ({status}): {body}"
    );
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} at worst while the template ran"
    );
    let grown_mb = peak_kb().saturating_sub(before) / 1024;
    assert!(
        grown_mb < 64,
        "the server's own memory peak grew by {grown_mb} MB: the render was not isolated"
    );
}
