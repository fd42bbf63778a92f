//! The 工作台 at a glance: every bar of its charts is the total of the list it links to, each
//! role sees only the charts of what it may read, and the to-do list names this month's
//! 党小组会 not yet held and the tasks due within two weeks.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};
use crate::web::{sign_in, Browser};

/// The links of one chart (the `<figure id="…">` of the 工作台): each link's address and the
/// figure its title ends with (`…：12 次`, `…：3 件`, `…：2 项`).
fn chart_links(home: &str, chart: &str) -> Vec<(String, i64)> {
    let at = home
        .find(&format!("<figure class=\"card chart\" id=\"{chart}\">"))
        .unwrap_or_else(|| panic!("no chart {chart}"));
    let figure = &home[at..at + home[at..].find("</svg>").unwrap()];
    figure
        .split("<a href=\"")
        .skip(1)
        .map(|a| {
            let href = a[..a.find('"').unwrap()].replace("&amp;", "&");
            let title = &a[a.find("<title>").unwrap() + 7..a.find("</title>").unwrap()];
            let n = title.rsplit('：').next().unwrap();
            let n: String = n.chars().take_while(char::is_ascii_digit).collect();
            (href, n.parse().unwrap_or_else(|_| panic!("{title}")))
        })
        .collect()
}

/// The total a list page states: `共 N 条` (ledgers), `共 N 件` (requests), `共 N 项` (tasks).
fn stated_total(page: &str) -> i64 {
    for (at, _) in page.match_indices("共 ") {
        let rest = &page[at + "共 ".len()..];
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let unit = &rest[n.len()..];
        if !n.is_empty() && [" 条", " 件", " 项"].iter().any(|u| unit.starts_with(u)) {
            return n.parse().unwrap();
        }
    }
    panic!("no total on the page: {page}")
}

async fn check_links(b: &Browser<'_>, home: &str, chart: &str) -> i64 {
    let links = chart_links(home, chart);
    assert!(!links.is_empty(), "{chart} has no links");
    let mut sum = 0;
    for (href, n) in links {
        let listed = b.get(&href).await;
        assert_eq!(listed.status, StatusCode::OK, "{href}: {}", listed.body);
        assert_eq!(stated_total(&listed.body), n, "{chart}: {href}");
        sum += n;
    }
    sum
}

async fn plan_with_tasks(app: &TestApp, office: &str) {
    let plan = id(&app
        .post_ok(
            office,
            "/api/v1/plans",
            json!({"year": 2025, "plan_kind": "task_list", "title": "2025年党建工作清单"}),
        )
        .await);
    let u = app.units;
    // Today is 2025-06-15: one overdue, one due in five days, one in progress, one done.
    for (seq, unit, deadline) in [
        ("1", u.branch_a, "2025-05-31"),
        ("2", u.branch_a, "2025-06-20"),
        ("3", u.branch_b, "2025-09-30"),
        ("4", u.branch_b, "2025-03-31"),
    ] {
        let body = json!({"plan_id": plan, "seq": seq, "content": format!("任务{seq}"),
                          "unit_id": unit, "deadline": deadline});
        let t = id(&app.post_ok(office, "/api/v1/tasks", body).await);
        let progress: Value = match seq {
            "3" => {
                json!({"percent": 30, "status": "in_progress", "note": "推进中", "reported_on": "2025-06-01"})
            }
            "4" => {
                json!({"percent": 100, "status": "done", "note": "已完成", "reported_on": "2025-03-20"})
            }
            _ => continue,
        };
        app.post_ok(office, &format!("/api/v1/tasks/{t}/progress"), progress)
            .await;
    }
}

#[tokio::test]
async fn every_bar_is_the_total_of_the_list_it_links_to() {
    let app = TestApp::new().await;
    let office = app.as_role("office").await;
    for (date, kind, unit) in [
        ("2025-01-10", "支部委员会", "甲科技党支部"),
        ("2025-01-20", "主题党日", "乙制造党支部"),
        ("2025-03-05", "党小组会", "甲科技第一党小组"),
        ("2025-06-02", "党课", "甲科技党支部"),
        ("2024-03-08", "党课", "乙制造党支部"),
        ("2024-12-31", "支部党员大会", "甲科技党支部"),
    ] {
        app.meeting(&office, date, kind, unit).await;
    }
    plan_with_tasks(&app, &office).await;
    let b = sign_in(&app, "office").await;
    let home = b.get("/?year=2025").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let home = home.body;

    // Meetings by month, this year and last: 24 bars, 4 and 2 meetings in all.
    assert_eq!(chart_links(&home, "meetings").len(), 24);
    assert_eq!(check_links(&b, &home, "meetings").await, 6);
    assert!(home.contains("全年 4 次，上年 2 次"), "{home}");
    // Tasks by status: the four statuses, one task each.
    let tasks = chart_links(&home, "tasks");
    assert_eq!(
        tasks.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [1, 1, 1, 1]
    );
    assert_eq!(check_links(&b, &home, "tasks").await, 4);
    // Requests by status: none yet, each status listed as empty.
    assert_eq!(check_links(&b, &home, "requests").await, 0);
    // The small grid: a row per branch and group, each cell a link to that month's meetings.
    let grid = chart_links_plain(&home, "grid");
    assert!(grid
        .iter()
        .any(|h| h.contains("/ledger/meeting?year=2025&unit=")));

    // The to-do: the group has held no 党小组会 in June; one task falls due within 14 days.
    assert!(
        home.contains("2025年6月尚未召开的支委会、党小组会"),
        "{home}"
    );
    assert!(home.contains("甲科技第一党小组</a>：党小组会"), "{home}");
    assert!(
        home.contains("14 天内到期的任务<small>1 项</small>"),
        "{home}"
    );
    assert!(home.contains("2 任务2"), "{home}");
    let soon = b.get("/tasks?year=2025&view=all&due=soon").await;
    assert_eq!(stated_total(&soon.body), 1);
    // Quick actions of the office.
    for action in ["新建会议", "Excel 导入", "生成述职报告"] {
        assert!(home.contains(action), "{action}");
    }

    // Once the group meets in June it leaves the to-do list.
    app.meeting(&office, "2025-06-10", "党小组会", "甲科技第一党小组")
        .await;
    let home = b.get("/?year=2025").await.body;
    assert!(!home.contains("甲科技第一党小组</a>：党小组会"), "{home}");
    // A status the list does not know is refused, naming it.
    let bad = b.get("/tasks?year=2025&view=all&status=lost").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("没有“lost”这个状态"), "{}", bad.body);
}

/// The addresses of one chart's links.
fn chart_links_plain(home: &str, chart: &str) -> Vec<String> {
    let at = home
        .find(&format!("<figure class=\"card chart\" id=\"{chart}\">"))
        .unwrap_or_else(|| panic!("no chart {chart}"));
    let figure = &home[at..at + home[at..].find("</svg>").unwrap()];
    figure
        .split("<a href=\"")
        .skip(1)
        .map(|a| a[..a.find('"').unwrap()].replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn each_role_sees_the_charts_of_what_it_may_read() {
    let app = TestApp::new().await;
    let office = app.as_role("office").await;
    app.meeting(&office, "2025-02-10", "支部委员会", "乙制造党支部")
        .await;
    let charts = |home: &str| -> Vec<String> {
        home.split("<figure class=\"card chart\" id=\"")
            .skip(1)
            .map(|f| f[..f.find('"').unwrap()].to_string())
            .collect()
    };
    let cases: [(&str, &[&str]); 5] = [
        (
            "office",
            &["grid", "meetings", "participation", "requests", "tasks"],
        ),
        (
            "branch_secretary",
            &["grid", "meetings", "participation", "tasks"],
        ),
        ("leader", &["grid", "meetings", "participation", "tasks"]),
        ("service_staff", &["requests"]),
        ("enterprise", &[]),
    ];
    for (login, expected) in cases {
        let b = sign_in(&app, login).await;
        let home = b.get("/?year=2025").await;
        assert_eq!(home.status, StatusCode::OK, "{login}");
        assert_eq!(charts(&home.body), *expected, "{login}");
    }
    // The secretary's grid and meetings hold its own branch only.
    let home = sign_in(&app, "branch_secretary")
        .await
        .get("/?year=2025")
        .await
        .body;
    assert!(home.contains("甲科技党支部"));
    assert!(!home.contains("乙制造党支部"), "another branch leaks");
    assert!(!home.contains("Excel 导入") && home.contains("新建会议"));
    // The admin duties see none of the park's figures.
    for role in ["admin", "sec_admin", "audit_admin"] {
        let b = sign_in(&app, role).await;
        let home = b.get("/").await;
        assert_eq!(home.status, StatusCode::OK, "{role}");
        assert!(charts(&home.body).is_empty(), "{role}");
        assert!(!home.body.contains("新建会议"), "{role}");
    }
}

/// While the year runs, 参与率 counts the whole year's meetings (its own statement) while the
/// findings count only the periods ended by today; a year that has ended counts the same
/// meetings for both (one statement). Either way each branch's bar is the sums of its meetings.
#[tokio::test]
async fn participation_counts_the_whole_year_beside_the_findings_of_today() {
    let app = TestApp::new().await;
    let office = app.as_role("office").await;
    // Today is 2025-06-15.
    for (date, expected, attended) in [
        ("2025-03-10", 10, 8),
        ("2025-05-10", 10, 10),
        ("2024-03-10", 10, 6),
        ("2024-11-10", 10, 7),
    ] {
        app.post_ok(
            &office,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": date, "meeting_type": "党课",
                   "name": format!("{date} 党课"), "org_unit": "甲科技党支部",
                   "expected": expected, "attended": attended}}),
        )
        .await;
    }
    let b = sign_in(&app, "office").await;
    let bar = |home: &str| -> String {
        let at = home
            .find("<figure class=\"card chart\" id=\"participation\">")
            .expect("the participation chart");
        let figure = &home[at..at + home[at..].find("</svg>").unwrap()];
        let title = figure
            .split("<title>")
            .find(|t| t.starts_with("甲科技党支部"))
            .unwrap_or_else(|| panic!("no bar of 甲科技党支部: {figure}"));
        title[..title.find("</title>").unwrap()].to_string()
    };
    let running = b.get("/?year=2025").await;
    assert_eq!(running.status, StatusCode::OK);
    assert_eq!(
        bar(&running.body),
        "甲科技党支部 2025年参与率：实到 18 / 应到 20 人次 = 90.0%（2 次会议）"
    );
    let ended = b.get("/?year=2024").await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(
        bar(&ended.body),
        "甲科技党支部 2024年参与率：实到 13 / 应到 20 人次 = 65.0%（2 次会议）"
    );
    // The ended year's rate is a finding of participation_low; the running year's is not yet.
    assert!(ended.body.contains("会议参与率低于90%"), "{}", ended.body);
}
