//! The 规则检查 pages over a fixture park with known gaps: exact findings and grid cells, the
//! park's own rule file (refused at its line, nothing saved), rectification marks and what the
//! report makes of them, data scope and roles, and the 工作台's count.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::form_body;
use crate::helpers::year_of;
use crate::helpers::{TestApp, PASSWORD};
use taizhang::db::Db;
use taizhang::rules;

struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer {
        status,
        location,
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
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res.headers()[header::SET_COOKIE].to_str().unwrap();
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
        let page = self.get("/").await.body;
        let at = page.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
        let csrf = page[at..at + 64].to_string();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body(&all)))
            .unwrap();
        send(self.app, req).await
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Branch A misses its March 主题党日, its group the February 党小组会, branch B the first
/// quarter's 党课; nobody has the seven full members that call for a 支委会. The clock stands at
/// 2025-06-15, so January to May and the first quarter are over.
async fn fixture() -> (TestApp, String) {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (a, b, g) = ("甲科技党支部", "乙制造党支部", "甲科技第一党小组");
    for month in 1..=5 {
        let date = format!("2025-{month:02}-08");
        if month != 3 {
            app.meeting(&office, &date, "主题党日", a).await;
        }
        if month != 2 {
            app.meeting(&office, &date, "党小组会", g).await;
        }
        app.meeting(&office, &date, "主题党日", b).await;
    }
    app.meeting(&office, "2025-02-10", "支部党员大会", a).await;
    app.meeting(&office, "2025-03-05", "党课", a).await;
    app.meeting(&office, "2025-01-10", "支部党员大会", b).await;
    (app, office)
}

fn keys(findings: &[rules::Finding]) -> Vec<(String, String, String)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.unit.clone(), f.period.clone()))
        .collect()
}

fn key(rule: &str, unit: &str, period: &str) -> (String, String, String) {
    (rule.to_string(), unit.to_string(), period.to_string())
}

async fn audit_count(app: &TestApp, entity: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM audit_log WHERE park_id = $1 AND entity = $2";
    match &app.db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(app.park_id)
            .bind(entity)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(app.park_id)
            .bind(entity)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn the_page_shows_exactly_the_fixture_findings_and_grid_cells() {
    let (app, _) = fixture().await;
    let found = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 6, 15))
        .await
        .unwrap();
    assert_eq!(
        keys(&found),
        [
            key("group_meeting_monthly", "甲科技第一党小组", "2025-02"),
            key("party_lecture_quarterly", "乙制造党支部", "2025-Q1"),
            key("theme_day_monthly", "甲科技党支部", "2025-03"),
        ]
    );
    let office = sign_in(&app, "office").await;
    let page = office.get("/checks?year=2025").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Findings grouped by rule, with basis, evidence and links to the meetings around them.
    assert!(page.body.contains("id=\"theme_day_monthly\""));
    assert!(page
        .body
        .contains("《中国共产党支部工作条例（试行）》第十六条"));
    assert!(
        page.body.contains("2025年3月该支部无主题党日记录"),
        "{}",
        page.body
    );
    let theme = &found[2];
    assert!(!theme.record_ids.is_empty());
    for id in &theme.record_ids {
        assert!(page.body.contains(&format!("<a href=\"/records/{id}\">")));
    }
    // The grid: rows are the branches with their groups below, each cell a link with a tooltip.
    assert!(page.body.contains("<svg"));
    let cells = [
        "甲科技党支部 2025年3月：党课 已召开（1次）；主题党日 未召开",
        "甲科技党支部 2025年2月：支部党员大会 已召开（1次）；主题党日 已召开（1次）",
        "甲科技第一党小组 2025年2月：党小组会 未召开",
        "甲科技第一党小组 2025年7月：党小组会 未到期",
        "乙制造党支部 2025年1月：支部党员大会 已召开（1次）；主题党日 已召开（1次）",
        "乙制造党支部 2025年3月：党课 未召开；主题党日 已召开（1次）",
        "乙制造党支部 2025年6月：支部党员大会 未到期；党课 未到期；主题党日 未到期",
        "甲科技党支部 2025年4月：主题党日 已召开（1次）",
    ];
    for cell in cells {
        assert!(
            page.body.contains(&format!("<title>{cell}</title>")),
            "{cell}"
        );
    }
    let a = page.body.find("<title>甲科技党支部 2025年1月").unwrap();
    let g = page.body.find("<title>甲科技第一党小组 2025年1月").unwrap();
    let b = page.body.find("<title>乙制造党支部 2025年1月").unwrap();
    assert!(
        a < g && g < b,
        "roster order: branch, its group, next branch"
    );
    let link = format!(
        "/ledger/meeting?year=2025&amp;unit={}&amp;from=2025-03-01&amp;to=2025-03-31",
        app.units.branch_a
    );
    assert!(page.body.contains(&link), "{link}");
    assert!(page.body.contains("未到期") && page.body.contains("已召开"));
    // The cell's link lists that unit's meetings of that month only.
    let list = office.get(&link.replace("&amp;", "&")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("共 1 条"), "{}", list.body);
    assert!(list.body.contains("单位：甲科技党支部"));
}

#[tokio::test]
async fn a_branch_secretary_sees_only_own_units_and_a_leader_reads_without_marking() {
    let (app, _) = fixture().await;
    let secretary = sign_in(&app, "branch_secretary").await;
    let page = secretary.get("/checks?year=2025").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("甲科技党支部 2025年3月"));
    assert!(page.body.contains("甲科技第一党小组 2025年2月"));
    assert!(!page.body.contains("乙制造党支部"), "another branch leaks");
    assert!(!page.body.contains("标记已整改"));
    let home = secretary.get("/").await.body;
    assert!(
        home.contains("待整改的问题 <strong>2</strong> 项"),
        "{home}"
    );

    let leader = sign_in(&app, "leader").await;
    let page = leader.get("/checks?year=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("乙制造党支部 2025年3月"));
    assert!(!page.body.contains("标记已整改"));
    let home = leader.get("/").await.body;
    assert!(
        home.contains("待整改的问题 <strong>3</strong> 项"),
        "{home}"
    );
    let unit = app.units.branch_a.to_string();
    let form = [
        ("rule", "theme_day_monthly"),
        ("unit_id", unit.as_str()),
        ("period", "2025-03"),
        ("note", "已补开"),
        ("rectified_on", "2025-06-01"),
        ("year", "2025"),
    ];
    for who in [&leader, &secretary] {
        let refused = who.post("/checks/mark", &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let refused = who.post("/checks/rules", &[("text", "")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(audit_count(&app, "rectification").await, 0);

    // An enterprise user has no checks at all.
    let enterprise = sign_in(&app, "enterprise").await;
    assert_eq!(
        enterprise.get("/checks").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn marks_are_kept_audited_shown_and_told_to_the_report() {
    let (app, _) = fixture().await;
    let office = sign_in(&app, "office").await;
    let unit = app.units.branch_a.to_string();
    let mut form = vec![
        ("rule", "theme_day_monthly"),
        ("unit_id", unit.as_str()),
        ("period", "2025-03"),
        ("note", ""),
        ("rectified_on", "2025-06-01"),
        ("year", "2025"),
    ];
    // A mark without a note is refused with what was typed.
    let refused = office.post("/checks/mark", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("请填写整改说明"), "{}", refused.body);
    assert!(refused.body.contains("value=\"2025-06-01\""));
    // A date after today is refused, the note kept.
    form[3] = ("note", "6月补开主题党日");
    form[4] = ("rectified_on", "2025-07-01");
    let refused = office.post("/checks/mark", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("整改日期：不能晚于今天"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"6月补开主题党日\""));
    assert!(refused.body.contains("value=\"2025-07-01\""));
    // A period that is not one of the rule's is refused.
    form[4] = ("rectified_on", "2025-06-01");
    form[2] = ("period", "2025-Q1");
    let refused = office.post("/checks/mark", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("不是规则“theme_day_monthly”的期间"));
    assert_eq!(audit_count(&app, "rectification").await, 0);

    form[2] = ("period", "2025-03");
    let done = office.post("/checks/mark", &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/checks?year=2025#theme_day_monthly")
    );
    let page = office.get("/checks?year=2025").await.body;
    assert!(page.contains("<strong>已整改</strong>（2025-06-01）：6月补开主题党日"));
    assert!(page.contains("共 3 项，其中 1 项已整改，2 项待整改"));
    assert!(office
        .get("/")
        .await
        .body
        .contains("待整改的问题 <strong>2</strong> 项"));
    assert_eq!(audit_count(&app, "rectification").await, 1);

    // The report leaves the rectified finding out of its findings and says so in its sentences.
    let (open, problems) =
        rules::service::for_report(&app.db, app.park_id, year_of(2025), d(2025, 6, 15))
            .await
            .unwrap();
    assert_eq!(
        keys(&open),
        [
            key("group_meeting_monthly", "甲科技第一党小组", "2025-02"),
            key("party_lecture_quarterly", "乙制造党支部", "2025-Q1"),
        ]
    );
    assert_eq!(
        problems.last().map(String::as_str),
        Some("甲科技党支部存在主题党日未按月开展的情况（3月），已整改")
    );
    assert_eq!(problems.len(), 3);

    // Unmarking opens it again, audited too.
    let undone = office.post("/checks/unmark", &form).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    let page = office.get("/checks?year=2025").await.body;
    assert!(!page.contains("<strong>已整改</strong>"));
    assert_eq!(audit_count(&app, "rectification").await, 2);
    let again = office.post("/checks/unmark", &form).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_park_edits_its_rules_refused_at_the_line_and_audited() {
    let (app, _) = fixture().await;
    let office = sign_in(&app, "office").await;
    let form = office.get("/checks/rules").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("系统默认") && form.body.contains("party_lecture_quarterly"));
    let default = rules::service::DEFAULT_TEXT;
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases = [
        (
            "requires = { meeting_type = \"党课\", min_count = 1 }",
            "requires = { meeting_type = \"党课课\", min_count = 1 }",
            "会议类型“党课课”不是会议台账的可选值",
        ),
        (
            "applies_to = { unit_type = \"党小组\" }",
            "applies_to = { unit_type = \"小组\" }",
            "单位类型“小组”不存在",
        ),
        (
            "period = \"year\"\napplies_to = { unit_type = \"党工委\" }",
            "period = \"weekly\"\napplies_to = { unit_type = \"党工委\" }",
            "周期“weekly”无效",
        ),
    ];
    for (from, to, reason) in cases {
        let bad = default.replacen(from, to, 1);
        assert_ne!(bad, default, "{from}");
        let needle = to.lines().next().unwrap();
        let line = line_of(&bad, needle);
        let refused = office
            .post("/checks/rules", &[("text", bad.as_str())])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert!(
            refused.body.contains(&format!("规则文件第 {line} 行")),
            "line {line}: {}",
            refused.body
        );
        assert!(refused.body.contains(reason), "{reason}");
        assert!(
            refused.body.contains(&needle.replace('"', "&quot;")),
            "the typed text is kept"
        );
    }
    assert_eq!(audit_count(&app, "rules").await, 0);
    assert!(office.get("/checks/rules").await.body.contains("系统默认"));

    // 党课 monthly: the check and the CLI's `rules::check` follow the park's copy.
    let monthly = default.replacen(
        "period = \"quarter\"\napplies_to = { unit_type = \"党支部\" }\nrequires = { meeting_type = \"党课\"",
        "period = \"month\"\napplies_to = { unit_type = \"党支部\" }\nrequires = { meeting_type = \"党课\"",
        1,
    );
    assert_ne!(monthly, default);
    let saved = office
        .post("/checks/rules", &[("text", monthly.as_str())])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(audit_count(&app, "rules").await, 1);
    assert!(office
        .get("/checks/rules")
        .await
        .body
        .contains("本园区自定义"));
    let found = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 6, 15))
        .await
        .unwrap();
    let lectures: Vec<_> = keys(&found)
        .into_iter()
        .filter(|k| k.0 == "party_lecture_quarterly")
        .collect();
    let mut expected = Vec::new();
    for m in [1, 2, 4, 5] {
        expected.push(key(
            "party_lecture_quarterly",
            "甲科技党支部",
            &format!("2025-{m:02}"),
        ));
    }
    for m in 1..=5 {
        expected.push(key(
            "party_lecture_quarterly",
            "乙制造党支部",
            &format!("2025-{m:02}"),
        ));
    }
    assert_eq!(lectures, expected);

    // Back to the default.
    let reset = office
        .post("/checks/rules", &[("text", ""), ("reset", "1")])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(audit_count(&app, "rules").await, 2);
    let found = rules::check(&app.db, app.park_id, year_of(2025), d(2025, 6, 15))
        .await
        .unwrap();
    assert_eq!(found.len(), 3);
}

#[tokio::test]
async fn a_park_file_overlays_the_defaults_and_turns_rules_off_explicitly() {
    let (app, _) = fixture().await;
    let office = sign_in(&app, "office").await;
    let rules_of = |found: &[rules::Finding]| {
        let mut ids: Vec<String> = found.iter().map(|f| f.rule.clone()).collect();
        ids.dedup();
        ids
    };
    let on = d(2025, 6, 15);

    // Only 党课 made monthly: every default the file does not name still runs.
    let lecture = "[[rule]]\nid = \"party_lecture_quarterly\"\ntitle = \"党课未按月开展\"\n\
                   period = \"month\"\napplies_to = { unit_type = \"党支部\" }\n\
                   requires = { meeting_type = \"党课\" }\n";
    let saved = office.post("/checks/rules", &[("text", lecture)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let found = rules::check(&app.db, app.park_id, year_of(2025), on)
        .await
        .unwrap();
    assert_eq!(
        rules_of(&found),
        vec![
            "group_meeting_monthly",
            "party_lecture_quarterly",
            "theme_day_monthly"
        ]
    );
    assert_eq!(
        found
            .iter()
            .filter(|f| f.rule == "party_lecture_quarterly")
            .count(),
        9,
        "monthly: 甲 misses four months, 乙 five"
    );
    let page = office.get("/checks/rules").await.body;
    assert!(
        page.contains("本园区修改") && page.contains("系统默认"),
        "{page}"
    );

    // Turned off explicitly: 主题党日 is no longer checked; the rest are.
    let off = format!("{lecture}\n[[rule]]\nid = \"theme_day_monthly\"\nenabled = false\n");
    let saved = office
        .post("/checks/rules", &[("text", off.as_str())])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let found = rules::check(&app.db, app.park_id, year_of(2025), on)
        .await
        .unwrap();
    assert_eq!(
        rules_of(&found),
        vec!["group_meeting_monthly", "party_lecture_quarterly"]
    );
    let page = office.get("/checks/rules").await.body;
    assert!(
        page.contains("本园区已停用的默认规则：<code>theme_day_monthly</code>"),
        "{page}"
    );

    // A mistake in the overlay is still refused at its line, and nothing is saved.
    let bad = format!("{off}\n[[rule]]\nid = \"weekly_thing\"\ntitle = \"周例会\"\nperiod = \"weekly\"\napplies_to = {{ unit_type = \"党支部\" }}\nrequires = {{ meeting_type = \"党课\" }}\n");
    let line = bad.lines().position(|l| l.contains("weekly\"")).unwrap() + 1;
    let refused = office
        .post("/checks/rules", &[("text", bad.as_str())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(&format!("规则文件第 {line} 行")),
        "line {line}: {}",
        refused.body
    );
    assert_eq!(audit_count(&app, "rules").await, 2);
    let found = rules::check(&app.db, app.park_id, year_of(2025), on)
        .await
        .unwrap();
    assert_eq!(
        rules_of(&found),
        vec!["group_meeting_monthly", "party_lecture_quarterly"]
    );
}
