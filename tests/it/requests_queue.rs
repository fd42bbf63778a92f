//! The queue of 企业诉求 narrowed by deadline (`due=today`, `due=overdue`, `status=open`), and
//! the 工作台's 企业诉求 block: the team's counts are exactly what their links list, and an
//! enterprise sees its own open requests with their deadlines.

use axum::http::StatusCode;
use chrono::TimeZone;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};
use crate::web::sign_in;

/// Moves the park's clock to `date` 10:00 Beijing time (passwords kept from falling due).
async fn on(app: &mut TestApp, date: &str) {
    app.passwords_never_expire().await;
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
    let at = chrono::Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).expect("time"));
    app.state.clock = taizhang::web::Clock::Fixed(at);
}

async fn raise(app: &TestApp, login: &str, title: &str, enterprise: Option<i64>) -> Value {
    let token = app.login(login).await;
    let mut body = json!({"category": "用工", "title": title, "description": "需要帮助"});
    if let Some(e) = enterprise {
        body["enterprise_id"] = json!(e);
    }
    app.post_ok(&token, "/api/v1/requests", body).await
}

async fn take(app: &TestApp, request: i64, step: &str, text: &str) {
    let token = app.login("service_staff").await;
    let (status, body) = app
        .post(
            &token,
            &format!("/api/v1/requests/{request}/steps/{step}"),
            json!({"text": text}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}: {body}");
}

/// The number on the 工作台 tile that links to `href`.
pub(crate) fn tile(home: &str, href: &str) -> i64 {
    let at = home
        .find(&format!("href=\"{href}\"><span class=\"n\">"))
        .unwrap_or_else(|| panic!("no tile linking to {href}"));
    let rest = &home[at..];
    let n = &rest[rest.find("class=\"n\">").unwrap() + 10..];
    n[..n.find('<').unwrap()].parse().unwrap()
}

/// The titles of the requests a list page shows.
fn titles(page: &str) -> Vec<String> {
    page.split("<li class=\"card request ")
        .skip(1)
        .map(|item| {
            let s = &item[item.find("<strong>").unwrap() + 8..];
            s[..s.find("</strong>").unwrap()].to_string()
        })
        .collect()
}

/// An overdue request, one due to close today, one with time left, one closed late (no longer
/// open, so not overdue) and one returned, on the official calendar of March 2026.
async fn park_in_march(app: &mut TestApp) {
    let (e1, e2) = app.enterprises;
    on(app, "2026-03-02").await;
    let a = raise(app, "enterprise", "甲 已超时", None).await;
    assert_eq!(a["due"]["close_by"], "2026-03-23");
    let closed = id(&raise(app, "service_staff", "乙 已办结", Some(e1)).await);
    take(app, closed, "accept", "").await;
    take(app, closed, "reply", "已对接人社局").await;
    take(app, closed, "close", "").await;
    on(app, "2026-03-09").await;
    let b = raise(app, "enterprise", "丙 今天到期", None).await;
    let due = b["due"]["close_by"].as_str().unwrap().to_string();
    assert_eq!(due, "2026-03-30");
    on(app, "2026-03-20").await;
    raise(app, "service_staff", "丁 时间尚早", Some(e1)).await;
    let returned = id(&raise(app, "service_staff", "戊 已退回", Some(e2)).await);
    take(app, returned, "return", "不属于园区职责").await;
    on(app, &due).await;
}

#[tokio::test]
async fn the_queue_narrows_to_what_is_due_today_overdue_or_open() {
    let mut app = TestApp::new().await;
    park_in_march(&mut app).await;
    let staff = app.login("service_staff").await;
    let titles_of = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, today) = app.get(&staff, "/api/v1/requests?due=today").await;
    assert_eq!(titles_of(&today), ["丙 今天到期"], "{today}");
    assert_eq!(today["total"], 1);
    let (_, late) = app.get(&staff, "/api/v1/requests?due=overdue").await;
    assert_eq!(
        titles_of(&late),
        ["甲 已超时"],
        "closed late is not overdue"
    );
    let (_, open) = app.get(&staff, "/api/v1/requests?status=open").await;
    assert_eq!(
        titles_of(&open),
        ["甲 已超时", "丙 今天到期", "丁 时间尚早"],
        "by closing deadline"
    );
    let (_, narrowed) = app
        .get(&staff, "/api/v1/requests?due=overdue&group=项目审批组")
        .await;
    assert_eq!(narrowed["total"], 0, "the filters add up");

    // An enterprise's filters stay within its own requests.
    let ent = app.login("enterprise").await;
    let (_, own) = app.get(&ent, "/api/v1/requests?status=open").await;
    assert_eq!(titles_of(&own), ["甲 已超时", "丙 今天到期"]);

    let (status, body) = app.get(&staff, "/api/v1/requests?due=tomorrow").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "due");
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("tomorrow"));
}

#[tokio::test]
async fn the_home_counts_of_the_team_are_the_requests_their_links_list() {
    let mut app = TestApp::new().await;
    park_in_march(&mut app).await;
    for login in ["service_staff", "office"] {
        let b = sign_in(&app, login).await;
        let home = b.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("企业诉求"), "{login}");
        for (href, expected) in [
            ("/requests?status=open", 3),
            ("/requests?due=today", 1),
            ("/requests?due=overdue", 1),
        ] {
            let n = tile(&home.body, href);
            assert_eq!(n, expected, "{login} {href}");
            let listed = b.get(href).await;
            assert_eq!(listed.status, StatusCode::OK, "{href}");
            assert_eq!(titles(&listed.body).len() as i64, n, "{login} {href}");
            assert!(listed.body.contains(&format!("共 {n} 件")), "{href}");
        }
    }
    // Roles with no part in requests get no block.
    let leader = sign_in(&app, "leader").await.get("/").await;
    assert!(!leader.body.contains("/requests?due=today"));
}

#[tokio::test]
async fn an_enterprise_home_lists_its_own_open_requests_with_their_deadlines() {
    let mut app = TestApp::new().await;
    park_in_march(&mut app).await;
    let home = sign_in(&app, "enterprise").await.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("我的诉求"));
    assert!(home.body.contains("未办结 2 件"));
    assert_eq!(titles(&home.body), ["甲 已超时", "丙 今天到期"]);
    // 甲's deadlines, counted from 2 March, and its overdue mark.
    for text in [
        "首次联系 2026-03-03 前",
        "阶段性答复 2026-03-05 前",
        "办结 2026-03-23 前",
        "已超时",
        "办结 2026-03-30 前",
    ] {
        assert!(home.body.contains(text), "{text}");
    }
    for other in [
        "丁 时间尚早",
        "乙 已办结",
        "戊 已退回",
        "/requests?due=today",
    ] {
        assert!(!home.body.contains(other), "{other}");
    }
}

/// The whole list read a page of two at a time is the list read at once, whatever page meets the
/// turn from open requests (by closing deadline) to the others (newest first); every page tells
/// the same total; and a total counted before a new request is not shown after it.
#[tokio::test]
async fn pages_of_the_list_join_into_the_whole_list_across_open_and_closed() {
    let mut app = TestApp::new().await;
    park_in_march(&mut app).await;
    let staff = app.login("service_staff").await;
    let items = |list: &Value| -> Vec<(String, String, i64)> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["due"]["close_by"].as_str().unwrap().to_string(),
                    r["id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let (_, whole) = app.get(&staff, "/api/v1/requests?limit=50").await;
    let whole_items = items(&whole);
    assert_eq!(whole["total"], 5, "{whole}");
    assert_eq!(whole_items.len(), 5);
    // The open ones first, by closing deadline; then the rest, newest first.
    let open = ["registered", "accepted", "in_progress", "replied"];
    let (first, rest): (Vec<_>, Vec<_>) = whole_items
        .iter()
        .cloned()
        .partition(|(s, _, _)| open.contains(&s.as_str()));
    assert_eq!(first.len(), 3, "{whole}");
    assert_eq!([first.clone(), rest.clone()].concat(), whole_items);
    assert!(first
        .windows(2)
        .all(|w| (&w[0].1, w[0].2) <= (&w[1].1, w[1].2)));
    assert!(rest.windows(2).all(|w| w[0].2 > w[1].2));

    let mut paged = Vec::new();
    for offset in (0..6).step_by(2) {
        let (_, page) = app
            .get(&staff, &format!("/api/v1/requests?limit=2&offset={offset}"))
            .await;
        assert_eq!(page["total"], 5, "offset {offset}: {page}");
        paged.extend(items(&page));
    }
    assert_eq!(paged, whole_items);

    raise(&app, "enterprise", "己 新登记", None).await;
    let (_, after) = app.get(&staff, "/api/v1/requests?limit=2&offset=2").await;
    assert_eq!(after["total"], 6, "{after}");
    let (_, open_now) = app
        .get(&staff, "/api/v1/requests?status=open&limit=1")
        .await;
    assert_eq!(open_now["total"], 4, "{open_now}");
}
