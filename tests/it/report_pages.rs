//! The 述职报告 pages through the router: every page for every role, the preview with its figure
//! links, downloads, the records behind a figure, the template editor with its versions and
//! errors, and the cause analysis reaching the report (pages and command line alike).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::form_body;
use crate::helpers::year_of;
use crate::helpers::{id, TestApp, PASSWORD};

struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer {
        status,
        location,
        headers,
        body,
    }
}

async fn sign_in<'a>(app: &'a TestApp, login: &str) -> Browser<'a> {
    // The admin duties\' second factor (ignored by the other accounts).
    app.forget_spent_code(login).await;
    let code = taizhang::auth::totp::current_code(crate::helpers::TOTP_SECRET, app.state.now());
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("login", login),
            ("password", PASSWORD),
            ("next", "/"),
            ("code", &code),
        ])))
        .unwrap();
    let a = send(app, req).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    Browser {
        app,
        cookie: set.split(';').next().unwrap().to_string(),
    }
}

impl Browser<'_> {
    async fn get(&self, path: &str) -> Answer {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        send(self.app, req).await
    }

    /// Posts a form with this session's CSRF token added.
    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf().await;
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(&all)))
            .unwrap();
        send(self.app, req).await
    }

    async fn csrf(&self) -> String {
        let page = self.get("/").await.body;
        let at = page.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
        page[at..at + 64].to_string()
    }
}

/// Ids of the rows a records page lists (`<tr data-id="…">`).
fn listed_ids(html: &str) -> Vec<i64> {
    html.split("<tr data-id=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The `learning_activities` metric of 2025 counts these meetings (and not the 2024 one or the
/// 座谈会); returns the counted ids in ascending order.
async fn meetings(app: &TestApp) -> Vec<i64> {
    let office = app.login("office").await;
    let mut counted = vec![
        id(&app
            .meeting(&office, "2025-01-10", "党课", "甲科技党支部")
            .await),
        id(&app
            .meeting(&office, "2025-02-10", "主题党日", "乙制造党支部")
            .await),
        id(&app
            .meeting(&office, "2025-03-10", "支部委员会", "甲科技党支部")
            .await),
    ];
    app.meeting(&office, "2024-12-31", "党课", "甲科技党支部")
        .await;
    app.meeting(&office, "2025-04-01", "座谈会", "甲科技党支部")
        .await;
    counted.sort_unstable();
    counted
}

const READ_PAGES: [&str; 6] = [
    "/report",
    "/report/view?year=2025",
    "/report/records?metric=learning_activities&year=2025",
    "/report/templates",
    "/report/causes?year=2025",
    "/report/download?year=2025&format=md",
];

#[tokio::test]
async fn office_and_leader_read_the_report_and_everyone_else_is_refused() {
    let app = TestApp::new().await;
    for login in ["office", "leader"] {
        let b = sign_in(&app, login).await;
        for path in READ_PAGES {
            let a = b.get(path).await;
            assert_eq!(a.status, StatusCode::OK, "{login} {path}: {}", a.body);
        }
        let menu = b.get("/").await.body;
        assert!(
            menu.contains(">述职报告</a>"),
            "{login} sees the menu entry"
        );
    }
    for login in [
        "branch_secretary",
        "service_staff",
        "enterprise",
        "admin",
        "sec_admin",
        "audit_admin",
    ] {
        let b = sign_in(&app, login).await;
        for path in READ_PAGES.iter().chain(&["/report/templates/new"]) {
            let a = b.get(path).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{login} {path}");
            assert!(a.body.contains("没有权限"), "{login} {path}: {}", a.body);
        }
        let a = b
            .post("/report/causes", &[("year", "2025"), ("causes", "x")])
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{login}");
    }
}

#[tokio::test]
async fn a_leader_may_view_but_not_edit_templates_or_causes() {
    let app = TestApp::new().await;
    let office = sign_in(&app, "office").await;
    let saved = office
        .post(
            "/report/templates/new",
            &[
                ("name", "园区版"),
                (
                    "source",
                    "# {{ park }}{{ year }}年\n\n荣誉{{ m.honors }}项。\n",
                ),
                ("year", "2025"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let edit = saved.location.unwrap();
    let path = edit.split('?').next().unwrap().to_string();

    let leader = sign_in(&app, "leader").await;
    let page = leader.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("readonly"), "{}", page.body);
    assert!(!page.body.contains("保存为新版本"), "{}", page.body);
    assert_eq!(
        leader.get("/report/templates/new").await.status,
        StatusCode::FORBIDDEN
    );
    for action in ["save", "preview"] {
        let a = leader
            .post(
                &path,
                &[
                    ("source", "# 改\n"),
                    ("base_version", "1"),
                    ("action", action),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{action}: {}", a.body);
    }
    let a = leader
        .post(
            "/report/causes",
            &[("year", "2025"), ("causes", "领导写的")],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let causes = leader.get("/report/causes?year=2025").await.body;
    assert!(!causes.contains("<textarea"), "{causes}");
    // The leader previews the saved template.
    let view = leader
        .get(&format!(
            "/report/view?year=2025&template={}",
            &path["/report/templates/".len()..]
        ))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert!(view.body.contains("测试园区2025年"), "{}", view.body);
}

#[tokio::test]
async fn the_preview_links_each_figure_to_the_records_it_counts() {
    let app = TestApp::new().await;
    let counted = meetings(&app).await;
    let b = sign_in(&app, "office").await;
    // Without a year the pages open on the latest year with records.
    let index = b.get("/report").await.body;
    assert!(
        index.contains("<option value=\"2025\" selected>"),
        "{index}"
    );
    let view = b.get("/report/view?year=2025&template=default").await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert!(view.body.contains("<article>"), "{}", view.body);
    assert!(view.body.contains("class=\"report-preview\""));
    // The link is relative, so from /report/view it resolves to /report/records.
    let ids = counted
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let link = format!(
        "href=\"records?metric=learning_activities&amp;year=2025\" data-metric=\"learning_activities\" data-records=\"{ids}\""
    );
    assert!(view.body.contains(&link), "{link}\n{}", view.body);

    let records = b
        .get("/report/records?metric=learning_activities&year=2025")
        .await;
    assert_eq!(records.status, StatusCode::OK, "{}", records.body);
    assert_eq!(listed_ids(&records.body), counted);
    for id in &counted {
        assert!(records.body.contains(&format!("href=\"/records/{id}\"")));
    }
    assert!(records.body.contains("学习教育活动"), "{}", records.body);
    assert!(records.body.contains("会议台账"), "{}", records.body);
    assert!(records.body.contains("2025 年内"), "{}", records.body);

    // The figure's ids equal what the JSON report gives for the metric.
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let data =
        taizhang::report::report_data(&app.db, app.park_id, "测试园区", year_of(2025), today)
            .await
            .unwrap();
    assert_eq!(
        data.metrics.get("learning_activities").unwrap().records,
        counted
    );
    let leader = sign_in(&app, "leader").await;
    let seen = leader
        .get("/report/records?metric=learning_activities&year=2025")
        .await;
    assert_eq!(listed_ids(&seen.body), counted, "a leader reads every unit");

    // The editor's preview lives under /report/templates/, where the same links resolve too.
    let from_editor = b
        .get("/report/templates/records?metric=learning_activities&year=2025")
        .await;
    assert_eq!(listed_ids(&from_editor.body), counted);

    let unknown = b.get("/report/records?metric=nonsense&year=2025").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("指标"), "{}", unknown.body);
    let bad_year = b.get("/report/view?year=abc").await;
    assert_eq!(bad_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.body.contains("年份"), "{}", bad_year.body);
}

#[tokio::test]
async fn downloads_carry_a_chinese_file_name_and_refuse_unknown_formats() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let b = sign_in(&app, "office").await;
    let md = b
        .get("/report/download?year=2025&template=default&format=md")
        .await;
    assert_eq!(md.status, StatusCode::OK, "{}", md.body);
    let disposition = md.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    // 测试园区2025年度述职报告.md, percent-encoded as UTF-8.
    assert!(
        disposition.starts_with("attachment; filename=\"report-2025.md\"; filename*=UTF-8''%E6%B5%8B%E8%AF%95%E5%9B%AD%E5%8C%BA2025"),
        "{disposition}"
    );
    assert!(md.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    assert!(md.body.starts_with("# "), "{}", md.body);
    assert!(md.body.contains("测试园区"));

    let html = b.get("/report/download?year=2025&format=html").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.starts_with("<!DOCTYPE html>"), "{}", html.body);
    assert!(html.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .ends_with(".html"));

    for format in ["odt", ""] {
        let a = b
            .get(&format!("/report/download?year=2025&format={format}"))
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{format}");
        assert!(a.body.contains("格式"), "{}", a.body);
    }
}

#[tokio::test]
async fn templates_keep_every_version_and_refuse_a_stale_save() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let first = "# {{ park }}\n\n第一版：荣誉{{ m.honors }}项。\n";
    let second = "# {{ park }}\n\n第二版：荣誉{{ m.honors }}项。\n";
    let saved = b
        .post(
            "/report/templates/new",
            &[
                ("name", "园区版"),
                ("source", first),
                ("year", "2025"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let path = saved
        .location
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let template_id = &path["/report/templates/".len()..];

    // The same name again is refused, naming the field, with what was typed kept.
    let again = b
        .post(
            "/report/templates/new",
            &[("name", "园区版"), ("source", first), ("action", "save")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("模板名称"), "{}", again.body);
    assert!(again.body.contains("第一版"), "{}", again.body);

    let v2 = b
        .post(
            &path,
            &[
                ("source", second),
                ("base_version", "1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(v2.status, StatusCode::SEE_OTHER, "{}", v2.body);
    // Someone who opened version 1 and saves now is told, and nothing is written.
    let stale = b
        .post(
            &path,
            &[
                ("source", "# 旧\n"),
                ("base_version", "1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("第 2 版"), "{}", stale.body);

    let latest = b.get(&path).await.body;
    assert!(latest.contains("第二版"), "{latest}");
    assert!(latest.contains("?version=1") && latest.contains("?version=2"));
    let old = b.get(&format!("{path}?version=1")).await.body;
    assert!(old.contains("第一版") && !old.contains("第二版："), "{old}");
    assert!(old.contains("历史版本"), "{old}");
    let list = b.get("/report/templates").await.body;
    assert!(
        list.contains("园区版") && list.contains("第 2 版"),
        "{list}"
    );

    // The report page offers it and renders its latest version, or an older one on request.
    let view = b
        .get(&format!("/report/view?year=2025&template={template_id}"))
        .await;
    assert!(view.body.contains("第二版"), "{}", view.body);
    let view = b
        .get(&format!(
            "/report/view?year=2025&template={template_id}&version=1"
        ))
        .await;
    assert!(view.body.contains("第一版"), "{}", view.body);
    let missing = b.get("/report/view?year=2025&template=999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let audit: i64 = match &app.db {
        taizhang::db::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'report_template'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        taizhang::db::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'report_template'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(audit, 2, "one audit entry per saved version");
}

#[tokio::test]
async fn a_template_that_fails_shows_its_line_and_is_not_saved() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let cases = [
        ("# 标题\n{% if %}\n", "第 2 行", "语法错误"),
        ("# 标题\n\n\n荣誉{{ m.honours }}项\n", "第 4 行", "honors"),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}",
            "运算量",
            "未保存",
        ),
        ("# 标题\n\n约X平方米\n", "占位符", "未保存"),
    ];
    for (source, first, second) in cases {
        for action in ["preview", "save"] {
            let a = b
                .post(
                    "/report/templates/new",
                    &[("name", "坏模板"), ("source", source), ("action", action)],
                )
                .await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{source}");
            assert!(a.body.contains(first), "{first}: {}", a.body);
            assert!(a.body.contains(second), "{second}: {}", a.body);
        }
    }
    let list = b.get("/report/templates").await.body;
    assert!(!list.contains("坏模板"), "{list}");

    // A good preview shows the report under the form without saving it.
    let good = b
        .post(
            "/report/templates/new",
            &[
                ("name", "草稿"),
                ("source", "# 草稿{{ year }}\n\n荣誉{{ m.honors }}项。\n"),
                ("year", "2024"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    assert!(good.body.contains("<h1>草稿2024</h1>"), "{}", good.body);
    assert!(!b.get("/report/templates").await.body.contains("草稿"));
    // Without the form's token nothing happens.
    let req = Request::post("/report/templates/new")
        .header(header::COOKIE, &b.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("name", "x"),
            ("source", "y"),
            ("action", "save"),
        ])))
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_cause_analysis_reaches_the_report_on_the_web_and_the_command_line() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    // Without a year the pages open on this year, or on the latest year with records while
    // this year has none (the clock says 2025).
    let index = b.get("/report").await.body;
    assert!(
        index.contains("<option value=\"2025\" selected>"),
        "{index}"
    );
    let office = app.login("office").await;
    app.meeting(&office, "2024-05-01", "党课", "甲科技党支部")
        .await;
    let index = b.get("/report").await.body;
    assert!(
        index.contains("<option value=\"2024\" selected>"),
        "{index}"
    );
    let view = b.get("/report/view").await.body;
    assert!(view.contains("2024年度述职报告"), "{view}");
    let empty = b.get("/report/view?year=2025").await.body;
    // Nothing saved: the parts are there, each a visible block to fill, and the health check
    // lists both above the report.
    assert!(empty.contains("<h3>（二）原因分析</h3>"), "{empty}");
    assert!(empty.contains("【待填写】原因分析"), "{empty}");
    assert!(empty.contains("class=\"report-health"), "{empty}");
    assert!(empty.contains("“整改措施”尚未填写"), "{empty}");

    let saved = b
        .post(
            "/report/causes",
            &[
                ("year", "2025"),
                ("causes", "一是理论学习抓得不够紧。"),
                ("measures", "一是建立三会一课月度提醒制度。"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some("/report/causes?year=2025&saved=1")
    );
    let form = b.get("/report/causes?year=2025&saved=1").await.body;
    assert!(form.contains("已保存") && form.contains("一是理论学习抓得不够紧。"));

    let view = b.get("/report/view?year=2025").await.body;
    assert!(view.contains("<h3>（二）原因分析</h3>"), "{view}");
    assert!(view.contains("一是理论学习抓得不够紧。"), "{view}");
    assert!(view.contains("<h3>（三）整改措施</h3>"), "{view}");
    assert!(view.contains("一是建立三会一课月度提醒制度。"), "{view}");
    let md = b.get("/report/download?year=2025&format=md").await.body;
    assert!(
        md.contains("### （二）原因分析\n\n一是理论学习抓得不够紧。"),
        "{md}"
    );
    // Another year is untouched.
    assert!(!b
        .get("/report/view?year=2024")
        .await
        .body
        .contains("抓得不够紧"));
    // The command line's report reads the same service.
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let data =
        taizhang::report::report_data(&app.db, app.park_id, "测试园区", year_of(2025), today)
            .await
            .unwrap();
    assert_eq!(data.causes, "一是理论学习抓得不够紧。");
    assert_eq!(data.measures, "一是建立三会一课月度提醒制度。");

    // Saving again replaces the text; too long a text is refused naming the field, kept.
    let again = b
        .post(
            "/report/causes",
            &[
                ("year", "2025"),
                ("causes", "改后的原因。"),
                ("measures", ""),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let view = b.get("/report/view?year=2025").await.body;
    assert!(
        view.contains("改后的原因。") && view.contains("【待填写】整改措施"),
        "{view}"
    );
    let long = "很".repeat(20_001);
    let refused = b
        .post(
            "/report/causes",
            &[("year", "2025"), ("causes", &long), ("measures", "留着")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("原因分析") && refused.body.contains("留着"));
    let bad_year = b
        .post("/report/causes", &[("year", "去年"), ("causes", "x")])
        .await;
    assert_eq!(bad_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.body.contains("年份"), "{}", bad_year.body);
}

#[tokio::test]
async fn the_downloads_are_offered_only_below_the_health_check() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let index = b.get("/report?year=2025").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(
        !index.body.contains("formaction=\"/report/download\""),
        "the index page offers no download before the health check: {}",
        index.body
    );
    assert!(index.body.contains("预览并体检"), "{}", index.body);
    let view = b.get("/report/view?year=2025").await;
    assert_eq!(view.status, StatusCode::OK);
    let health = view
        .body
        .find("报告体检")
        .expect("the health check is shown");
    let download = view
        .body
        .find("formaction=\"/report/download\"")
        .expect("the view offers the downloads");
    assert!(
        health < download,
        "the health check comes before the downloads"
    );
}
