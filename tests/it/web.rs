//! The HTML pages driven in-process: sign-in, forms that keep what was typed, CSRF, roles on
//! every page, Chinese error pages, security headers.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub(crate) use crate::helpers::form_body;
use crate::helpers::{id, TestApp, PASSWORD};

pub(crate) struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
}

pub(crate) struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub body_bytes: Vec<u8>,
}

pub(crate) async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body_bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        location,
        headers,
        body: String::from_utf8_lossy(&body_bytes).into_owned(),
        body_bytes,
    }
}

pub(crate) async fn sign_in<'a>(app: &'a TestApp, login: &str) -> Browser<'a> {
    // The code of the admin duties' second factor, sent with the password (ignored by others).
    app.forget_spent_code(login).await;
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("login", login),
            ("password", PASSWORD),
            ("next", "/"),
            (
                "code",
                &taizhang::auth::totp::current_code(crate::helpers::TOTP_SECRET, app.state.now()),
            ),
        ])))
        .unwrap();
    let a = send(app, req).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let set = a
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    Browser {
        app,
        cookie: set.split(';').next().unwrap().to_string(),
    }
}

impl Browser<'_> {
    pub async fn get(&self, path: &str) -> Answer {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        send(self.app, req).await
    }

    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(pairs)))
            .unwrap();
        send(self.app, req).await
    }

    /// The CSRF token the pages carry for this session.
    pub async fn csrf(&self) -> String {
        let page = self.get("/").await.body;
        let at = page.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
        page[at..at + 64].to_string()
    }
}

#[tokio::test]
async fn strangers_are_sent_to_the_login_page_which_keeps_the_login_on_error() {
    let app = TestApp::new().await;
    let a = send(
        &app,
        Request::get("/ledger/meeting").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some("/login?next=/ledger/meeting"));
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("login", "office"),
            ("password", "wrong-1"),
        ])))
        .unwrap();
    let a = send(&app, req).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("登录名或密码错误"));
    assert!(
        a.body.contains("value=\"office\""),
        "the login typed is kept"
    );
}

/// The sign-in page names the system and, in a one-park deployment, the park it serves.
#[tokio::test]
async fn the_login_page_names_the_system_and_the_park() {
    let app = TestApp::empty().await;
    let page = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<h1>党建工作台账与述职系统</h1>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("测试园区党工委"), "{}", page.body);
}

/// `/favicon.ico` answers strangers with an icon of the product's own, and every page names it.
#[tokio::test]
async fn the_site_has_its_own_icon() {
    let app = TestApp::new().await;
    let icon = send(
        &app,
        Request::get("/favicon.ico").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(
        icon.headers.get(header::CONTENT_TYPE).unwrap(),
        "image/svg+xml"
    );
    assert!(icon.body.starts_with("<svg") && icon.body.contains("</svg>"));
    let login = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(login
        .body
        .contains("<link rel=\"icon\" href=\"/favicon.ico\""));
    let b = sign_in(&app, "office").await;
    assert!(b.get("/").await.body.contains("href=\"/favicon.ico\""));
}

/// With a second park in the deployment the sign-in page asks for the park, remembers it for
/// the next time, and a sign-in without one is answered alike for every login.
#[tokio::test]
async fn the_login_page_asks_for_the_park_once_there_are_two() {
    let app = TestApp::new().await;
    let form = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(!form.body.contains("name=\"park\""), "one park: no choice");
    let second = taizhang::org::park::create(
        &app.db,
        "第二园区",
        "office",
        PASSWORD,
        crate::helpers::now(),
    )
    .await
    .expect("second park");
    let form = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(form.body.contains("<select name=\"park\""), "{}", form.body);
    assert!(form.body.contains("测试园区") && form.body.contains("第二园区"));
    let post = |pairs: Vec<(&'static str, String)>| {
        let body = form_body(
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        );
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let unnamed = send(
        &app,
        post(vec![
            ("login", "office".into()),
            ("password", PASSWORD.into()),
        ]),
    )
    .await;
    assert_eq!(unnamed.status, StatusCode::UNAUTHORIZED);
    assert!(unnamed.body.contains(taizhang::auth::service::CHOOSE_PARK));
    assert!(
        unnamed.body.contains("value=\"office\""),
        "the login typed is kept"
    );
    let signed = send(
        &app,
        post(vec![
            ("login", "office".into()),
            ("password", PASSWORD.into()),
            ("park", second.to_string()),
        ]),
    )
    .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let cookies: Vec<&str> = signed
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let remembered = cookies
        .iter()
        .find(|c| c.starts_with("tz_park="))
        .expect("the park is remembered");
    assert!(
        remembered.starts_with(&format!("tz_park={second};")),
        "{remembered}"
    );
    let session = cookies[0].split(';').next().unwrap();
    assert!(
        session.contains(&format!("={second}.")),
        "signed into the second park: {session}"
    );
    let again = send(
        &app,
        Request::get("/login")
            .header(header::COOKIE, format!("tz_park={second}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        again
            .body
            .contains(&format!("<option value=\"{second}\" selected>第二园区")),
        "{}",
        again.body
    );
}

/// Behind a trusted reverse proxy that says the request came over HTTPS, the session cookie
/// is `__Host-` and `Secure` and the answer carries HSTS; the same header from an address not
/// configured counts for nothing; and over HTTPS a plain-named session cookie is not read.
#[tokio::test]
async fn cookies_are_secure_behind_a_trusted_https_proxy_only() {
    let mut app = TestApp::new().await;
    let mut config = (*app.state.config).clone();
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    app.state.config = std::sync::Arc::new(config);
    let from = |peer: &str, req: &mut Request<Body>| {
        let addr: std::net::SocketAddr = peer.parse().unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
    };
    let login = |peer: &'static str| {
        let mut req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-proto", "https")
            .body(Body::from(form_body(&[
                ("login", "office"),
                ("password", PASSWORD),
            ])))
            .unwrap();
        from(peer, &mut req);
        req
    };
    let proxied = send(&app, login("127.0.0.1:40000")).await;
    assert_eq!(proxied.status, StatusCode::SEE_OTHER, "{}", proxied.body);
    let set = proxied.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("__Host-tz_session=") && set.contains("; Secure"),
        "{set}"
    );
    assert!(set.contains("Path=/;") && !set.contains("Domain"), "{set}");
    assert!(proxied
        .headers
        .contains_key(header::STRICT_TRANSPORT_SECURITY));
    let token = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let home = |cookie: String| {
        let mut req = Request::get("/")
            .header(header::COOKIE, cookie)
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap();
        from("127.0.0.1:40001", &mut req);
        req
    };
    let signed_in = send(&app, home(format!("__Host-tz_session={token}"))).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let plain_name = send(&app, home(format!("tz_session={token}"))).await;
    assert_eq!(
        plain_name.status,
        StatusCode::SEE_OTHER,
        "over HTTPS only the __Host- cookie counts"
    );
    // Anyone else saying https is not believed.
    let spoofed = send(&app, login("10.9.9.9:40000")).await;
    let set = spoofed.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("tz_session=") && !set.contains("Secure"),
        "{set}"
    );
    assert!(!spoofed
        .headers
        .contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let a = b.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    let csp = a
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(a.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert!(a.body.contains("工作台") && a.body.contains("会议台账"));
    assert!(!a.body.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn a_record_is_created_by_form_and_a_failed_save_keeps_everything_typed() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let form = b.get("/ledger/meeting/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("会议类型") && form.body.contains("<option>党工委会议</option>"));
    let bad = b
        .post(
            "/ledger/meeting/new",
            &[
                ("_csrf", &csrf),
                ("date", "2024-03-05"),
                ("meeting_type", "党课"),
                ("name", "<b>专题党课</b>"),
                ("org_unit", "甲科技支部"),
                ("expected", "十"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("找不到单位“甲科技支部”，最接近的是“甲科技党支部”"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"&lt;b&gt;专题党课&lt;"),
        "typed text kept and escaped: {}",
        bad.body
    );
    assert!(bad.body.contains("value=\"十\""));
    let ok = b
        .post(
            "/ledger/meeting/new",
            &[
                ("_csrf", &csrf),
                ("date", "2024-03-05"),
                ("meeting_type", "党课"),
                ("name", "<b>专题党课</b>"),
                ("org_unit", "甲科技党支部"),
                ("expected", "10"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let detail = b.get(ok.location.as_deref().unwrap()).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("&lt;b&gt;专题党课&lt;") && !detail.body.contains("<b>专题党课"));
    let list = b
        .get("/ledger/meeting?year=2024&q=%E5%85%9A%E8%AF%BE")
        .await;
    assert!(
        list.body.contains("共 1 条"),
        "two-character search finds it"
    );
}

#[tokio::test]
async fn forms_without_the_token_or_from_another_site_are_refused() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let fields = [
        ("date", "2024-03-05"),
        ("meeting_type", "党课"),
        ("name", "x"),
        ("org_unit", "甲科技党支部"),
    ];
    let a = b.post("/ledger/meeting/new", &fields).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let csrf = b.csrf().await;
    let mut with_token = vec![("_csrf", csrf.as_str())];
    with_token.extend(fields);
    let req = Request::post("/ledger/meeting/new")
        .header(header::COOKIE, &b.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(form_body(&with_token)))
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    let (_, page) = app
        .get(&app.login("office").await, "/api/v1/records?kind=meeting")
        .await;
    assert_eq!(page["total"], 0, "nothing was written");
}

#[tokio::test]
async fn an_edit_that_lost_a_race_says_so_and_shows_both_versions() {
    let app = TestApp::new().await;
    let token = app.login("office").await;
    let rec = app
        .meeting(&token, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let form = b.get(&format!("/records/{}/edit", id(&rec))).await;
    assert!(form.body.contains("name=\"_version\" value=\"1\""));
    let mut fields = rec["fields"].clone();
    fields["name"] = serde_json::json!("别人先改了");
    let (status, _) = app
        .put(
            &token,
            &format!("/api/v1/records/{}", id(&rec)),
            serde_json::json!({"version": 1, "fields": fields}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let a = b
        .post(
            &format!("/records/{}/edit", id(&rec)),
            &[
                ("_csrf", &csrf),
                ("_version", "1"),
                ("date", "2024-01-10"),
                ("meeting_type", "党课"),
                ("name", "我的修改"),
                ("org_unit", "甲科技党支部"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(
        a.body.contains("保存冲突")
            && a.body.contains("别人先改了")
            && a.body.contains("value=\"我的修改\"")
    );
    assert!(a.body.contains("name=\"_version\" value=\"2\""));
}

#[tokio::test]
async fn a_branch_secretary_opening_another_branch_by_url_reads_it_as_missing_in_chinese() {
    let app = TestApp::new().await;
    let token = app.login("office").await;
    let other = app
        .meeting(&token, "2024-01-11", "党课", "乙制造党支部")
        .await;
    let b = sign_in(&app, "branch_secretary").await;
    let a = b.get(&format!("/records/{}", id(&other))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("记录不存在"));
    let missing = b.get("/records/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body, a.body, "out of reach reads as missing");
    // Whatever an address holds that is not a number where one is wanted, the answer is a
    // page in Chinese, never axum's English plain text.
    for path in [
        "/records/abc",
        "/plans?year=abc",
        "/tasks?year=二〇二五",
        "/plans/abc",
    ] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(a.body.contains("年份、编号应为数字"), "{path}: {}", a.body);
        assert!(a.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    let a = b.get("/no/such/page").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("页面不存在"));
}

#[tokio::test]
async fn the_org_page_masks_personal_data_for_a_leader() {
    let app = TestApp::new().await;
    let token = app.login("office").await;
    app.post_ok(&token, "/api/v1/people", serde_json::json!({"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678", "unit_id": app.units.branch_a})).await;
    let b = sign_in(&app, "leader").await;
    let a = b.get("/org?name=%E5%BC%A0").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("138****5678") && !a.body.contains("13812345678"));
    assert!(!a.body.contains("11010519491231002X"));
    let a = sign_in(&app, "enterprise").await.get("/org").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let a = b.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = b.get("/").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let _ = Method::GET;
}

#[tokio::test]
async fn plans_and_tasks_by_form_keep_what_was_typed_and_show_progress() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let bad = b
        .post(
            "/plans",
            &[
                ("_csrf", &csrf),
                ("year", "2025"),
                ("plan_kind", "task_list"),
                ("title", ""),
                ("doc_number", "园党〔2025〕9号"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("请填写计划名称") && bad.body.contains("value=\"园党〔2025〕9号\""),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            "/plans",
            &[
                ("_csrf", &csrf),
                ("year", "2025"),
                ("plan_kind", "task_list"),
                ("title", "2025年工作清单"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let plan = ok.location.unwrap();
    let unit = app.units.branch_b.to_string();
    let helper = app.units.service_team.to_string();
    let tasks = format!("{plan}/tasks");
    let bad = b
        .post(
            &tasks,
            &[
                ("_csrf", &csrf),
                ("seq", "1"),
                ("content", "<i>规范支部</i>"),
                ("unit_id", &unit),
                ("cooperating_unit_ids", &helper),
                ("deadline", "下个月"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("“下个月”不是日期") && bad.body.contains("&lt;i&gt;规范支部"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(&format!(
            "<option value=\"{helper}\" selected>园小二服务团队"
        )),
        "{}",
        bad.body
    );
    let ok = b
        .post(
            &tasks,
            &[
                ("_csrf", &csrf),
                ("seq", "1"),
                ("content", "规范支部"),
                ("unit_id", &unit),
                ("deadline", "2025-05-31"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let tree = b.get(&plan).await;
    assert_eq!(tree.status, StatusCode::OK);
    assert!(
        tree.body.contains("已逾期") && tree.body.contains("class=\"fill p0\""),
        "{}",
        tree.body
    );
    let (_, list) = app
        .get(&app.login("office").await, "/api/v1/tasks?year=2025")
        .await;
    let task = format!("/tasks/{}", id(&list["items"][0]));
    let progress = b
        .post(
            &format!("{task}/progress"),
            &[("_csrf", &csrf), ("percent", "55"), ("note", "已开展自查")],
        )
        .await;
    assert_eq!(progress.status, StatusCode::SEE_OTHER, "{}", progress.body);
    let sup = b
        .post(
            &format!("{task}/supervise"),
            &[("_csrf", &csrf), ("on", "1")],
        )
        .await;
    assert_eq!(sup.status, StatusCode::SEE_OTHER);
    let detail = b.get(&task).await;
    assert!(
        detail.body.contains("已开展自查")
            && detail.body.contains("class=\"fill p55\"")
            && detail.body.contains("取消督办"),
        "{}",
        detail.body
    );
    let home = b.get("/").await;
    assert!(
        home.body.contains("逾期与督办任务") && home.body.contains("规范支部"),
        "{}",
        home.body
    );
    // The secretary of another branch may not open it.
    let secretary = sign_in(&app, "branch_secretary").await;
    let refused = secretary.get(&task).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(refused.body.contains("任务不存在"));
}

#[tokio::test]
async fn the_home_page_shows_the_checks_of_the_year_it_counts() {
    let app = TestApp::new().await;
    let api = app.as_role("office").await;
    // Records only in an earlier year (a park that imported last year's ledgers in June).
    app.meeting(&api, "2024-03-05", "党课", "甲科技党支部")
        .await;
    let office = sign_in(&app, "office").await;
    let home = office.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("2024 年各类台账的记录数"),
        "{}",
        home.body
    );
    assert!(home.body.contains("2024 年规则检查"), "{}", home.body);
    assert!(!home.body.contains("2025 年规则检查"), "{}", home.body);
    let checks = office.get("/checks").await;
    assert!(checks.body.contains("2024"), "{}", checks.body);
}

/// Between midnight and 08:00 Beijing time the park's day has begun while UTC's has not: the
/// new record form, the report and the checks all take the park's day.
#[tokio::test]
async fn today_is_the_parks_day_on_every_page() {
    let mut app = TestApp::new().await;
    // 2025-06-15 17:30 UTC is 2025-06-16 01:30 in Beijing.
    let late = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 6, 15, 17, 30, 0).unwrap();
    app.state.clock = taizhang::web::Clock::Fixed(late);
    let b = sign_in(&app, "office").await;
    let form = b.get("/ledger/meeting/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"2025-06-16\""), "{}", form.body);
    let person = app
        .post_ok(
            &app.login("office").await,
            "/api/v1/people",
            serde_json::json!({"name": "王五", "unit_id": app.units.branch_a}),
        )
        .await;
    let page = b.get(&format!("/org/people/{}", id(&person))).await;
    assert!(
        page.body.contains("value=\"2025-06-16\""),
        "the position's default date"
    );
}

/// Every page that shows a year opens on the same working year: never a later year than this
/// one (a request dated next year does not empty the 工作台), and the year chosen on one page
/// is the year of the next, until another is chosen.
#[tokio::test]
async fn the_working_year_is_one_rule_kept_between_pages() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    app.meeting(&office, "2024-03-05", "党课", "甲科技党支部")
        .await;
    app.post_ok(
        &office,
        "/api/v1/records",
        serde_json::json!({"kind": "visit", "fields": {"date": "2026-01-05", "enterprise": "甲科技有限公司", "visitor": "王五", "visit_form": "走访慰问"}}),
    )
    .await;
    let b = sign_in(&app, "office").await;
    // The clock says 2025, which has no records yet: 2024, not 2026.
    let home = b.get("/").await;
    assert!(
        home.body.contains("<small>2024 年</small>"),
        "{}",
        home.body
    );
    assert!(home
        .body
        .contains("<span class=\"n\">1</span><span class=\"l\">会议台账"));
    assert!(
        home.body.contains("规则检查<small>截至 2024-12-31</small>"),
        "the 工作台 says the day its findings are counted on: {}",
        home.body
    );
    let chosen = b.get("/ledger/meeting?year=2023").await;
    assert_eq!(chosen.status, StatusCode::OK);
    let set = chosen
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tz_year="))
        .expect("the chosen year is remembered");
    assert!(
        set.starts_with("tz_year=2023;") && set.contains("HttpOnly"),
        "{set}"
    );
    let kept = crate::web::Browser {
        app: &app,
        cookie: format!("{}; tz_year=2023", b.cookie),
    };
    assert!(kept.get("/").await.body.contains("<small>2023 年</small>"));
    assert!(kept.get("/checks").await.body.contains("2023 年"));
    assert!(kept
        .get("/plans")
        .await
        .body
        .contains("<option value=\"2023\" selected"));
    let report = kept.get("/report").await.body;
    assert!(
        report.contains("<option value=\"2023\" selected"),
        "{report}"
    );
    let list = kept.get("/ledger/meeting").await.body;
    assert!(list.contains("<option value=\"2023\" selected>"), "{list}");
}

/// The import page offers each kind's blank template, which downloads.
#[tokio::test]
async fn the_import_page_offers_the_templates() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let page = b.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("href=\"/ledger/meeting/template\""),
        "{}",
        page.body
    );
    let t = b.get("/ledger/meeting/template").await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body_bytes.starts_with(b"PK"), "an .xlsx");
}
