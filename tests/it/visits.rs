//! 包联 and visits: each leader's paired enterprises (我的包联企业) and the visit form they open,
//! the 非包联企业 mark, a visit's problems each becoming a request linked back to the visit, and
//! the coverage rule (`visit_coverage`) finding exactly the paired enterprises their leader did
//! not visit in a period.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::year_of;
use crate::helpers::{id, now, TestApp, INITIAL_PASSWORD};
use crate::web::sign_in;

/// The fixture's pairs: 张书记 (a person of the roster, with a leader account `zhang`) leads
/// 甲科技 and 丙材料; 李主任 leads 乙制造; 丁商贸 has no leader.
struct Pairs {
    zhang: i64,
    e1: i64,
    e2: i64,
    e3: i64,
    e4: i64,
}

async fn pairs(app: &TestApp) -> Pairs {
    let office = app.login("office").await;
    let person = |name: &str| {
        let office = office.clone();
        let body = json!({"name": name, "unit_id": app.units.committee});
        async move { id(&app.post_ok(&office, "/api/v1/people", body).await) }
    };
    let zhang = person("张书记").await;
    let li = person("李主任").await;
    let (e1, e2) = app.enterprises;
    let e3 = id(&app
        .post_ok(
            &office,
            "/api/v1/enterprises",
            json!({"name": "丙材料有限公司"}),
        )
        .await);
    let e4 = id(&app
        .post_ok(
            &office,
            "/api/v1/enterprises",
            json!({"name": "丁商贸有限公司"}),
        )
        .await);
    for (e, name, leader, person) in [
        (e1, "甲科技有限公司", "张书记", zhang),
        (e2, "乙制造有限公司", "李主任", li),
        (e3, "丙材料有限公司", "张书记", zhang),
    ] {
        let (status, body) = app
            .put(
                &office,
                &format!("/api/v1/enterprises/{e}"),
                json!({"name": name, "leader_name": leader, "leader_person_id": person}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The leader's own account acts for the roster person 张书记.
    let sys = app.login("admin").await;
    // A person the roster does not hold is refused, naming the field.
    let (status, body) = app
        .post(
            &sys,
            "/api/v1/users",
            json!({"login": "ghost", "password": INITIAL_PASSWORD, "role": "leader", "person_id": 999_999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("花名册中没有这个人员"), "{body}");
    let user = id(&app
        .post_ok(
            &sys,
            "/api/v1/users",
            json!({"login": "zhang", "password": INITIAL_PASSWORD, "role": "leader", "person_id": zhang}),
        )
        .await);
    let sec = app.as_role("sec_admin").await;
    app.grant(&sec, user, json!({"role": "leader"})).await;
    app.first_sign_in("zhang").await;
    Pairs {
        zhang,
        e1,
        e2,
        e3,
        e4,
    }
}

/// The 系统管理员 links a new leader account to its roster person on the accounts page, choosing
/// among the paired leaders; once the role is granted, the account's 包联 page lists that
/// person's enterprises, and the accounts list says whom it acts for.
#[tokio::test]
async fn an_account_made_on_the_page_acts_for_the_paired_leader_chosen() {
    let app = TestApp::new().await;
    let p = pairs(&app).await;
    let admin = sign_in(&app, "admin").await;
    let csrf = admin.csrf().await;
    let page = admin.get("/admin/users").await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{}\">张书记</option>", p.zhang)),
        "{}",
        page.body
    );
    let wrong = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("login", "zhang2"),
                ("role", "leader"),
                ("person_id", "张"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("请从列表中选择"), "{}", wrong.body);
    let zhang = p.zhang.to_string();
    let made = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("login", "zhang2"),
                ("role", "leader"),
                ("person_id", &zhang),
                ("password", INITIAL_PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let sys = app.login("admin").await;
    let (_, list) = app.get(&sys, "/api/v1/users").await;
    let user = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "zhang2")
        .expect("made")
        .clone();
    assert_eq!(user["person_id"], p.zhang, "{user}");
    let sec = app.as_role("sec_admin").await;
    app.grant(&sec, id(&user), json!({"role": "leader"})).await;
    app.first_sign_in("zhang2").await;
    let paired = sign_in(&app, "zhang2").await.get("/visits/paired").await;
    assert!(
        paired.body.contains("甲科技有限公司") && paired.body.contains("丙材料有限公司"),
        "{}",
        paired.body
    );
    assert!(!paired.body.contains("乙制造有限公司"));
    let listed = sign_in(&app, "admin").await.get("/admin/users").await;
    assert!(
        listed.body.contains("全园区；包联：张书记"),
        "{}",
        listed.body
    );
}

async fn visit(app: &TestApp, token: &str, date: &str, enterprise: &str, visitor: &str) -> i64 {
    let body = json!({"kind": "visit", "fields": {
        "date": date, "enterprise": enterprise, "visitor": visitor, "visit_form": "走访慰问"}});
    id(&app.post_ok(token, "/api/v1/records", body).await)
}

#[tokio::test]
async fn a_leader_sees_the_paired_enterprises_and_the_office_sees_every_leaders() {
    let app = TestApp::new().await;
    let p = pairs(&app).await;
    let office = app.login("office").await;
    // The test's today is 2025-06-15: the quarter is 2025-04-01 to today.
    visit(&app, &office, "2025-05-10", "甲科技有限公司", "张书记").await;
    visit(&app, &office, "2025-04-02", "丙材料有限公司", "王五").await;
    visit(&app, &office, "2025-02-01", "丙材料有限公司", "张书记").await;
    visit(&app, &office, "2025-05-20", "乙制造有限公司", "李主任").await;

    let zhang = sign_in(&app, "zhang").await;
    let page = zhang.get("/visits/paired").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("我的包联企业"), "{body}");
    assert!(body.contains("2025年第2季度"), "{body}");
    assert!(
        body.contains("甲科技有限公司") && body.contains("丙材料有限公司"),
        "{body}"
    );
    assert!(
        !body.contains("乙制造有限公司"),
        "another leader's pair: {body}"
    );
    assert!(body.contains("本季度尚有 1 家未走访"), "{body}");
    // 丙材料: visited this quarter by someone else only, last on 2025-04-02.
    let e3_row = &body[body.find("丙材料有限公司").unwrap()..];
    let e3_row = &e3_row[..e3_row.find("</li>").unwrap()];
    assert!(e3_row.contains("本季度未走访"), "{e3_row}");
    assert!(e3_row.contains("上次走访：2025-04-02"), "{e3_row}");
    assert!(
        e3_row.contains("本季度走访 1 次（包联领导 0 次）"),
        "{e3_row}"
    );
    // Each links to its visits and offers 记走访 with the enterprise and the visitor filled in.
    assert!(
        body.contains(&format!("/ledger/visit?enterprise={}&amp;year=", p.e3)),
        "{body}"
    );
    assert!(
        body.contains(
            "/ledger/visit/new?enterprise=%E4%B8%99%E6%9D%90%E6%96%99%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&amp;visitor=%E5%BC%A0%E4%B9%A6%E8%AE%B0"
        ),
        "{body}"
    );
    let visits = zhang
        .get(&format!("/ledger/visit?enterprise={}&year=", p.e3))
        .await;
    assert_eq!(visits.status, StatusCode::OK);
    assert!(
        visits.body.contains("企业：丙材料有限公司"),
        "{}",
        visits.body
    );
    assert!(visits.body.contains("2025-04-02") && visits.body.contains("2025-02-01"));
    assert!(
        !visits.body.contains("2025-05-10"),
        "another enterprise's visit"
    );

    let office_page = sign_in(&app, "office").await.get("/visits/paired").await;
    assert_eq!(office_page.status, StatusCode::OK);
    for name in [
        "张书记",
        "李主任",
        "甲科技有限公司",
        "乙制造有限公司",
        "丙材料有限公司",
    ] {
        assert!(
            office_page.body.contains(name),
            "{name}: {}",
            office_page.body
        );
    }
    assert!(
        !office_page.body.contains("丁商贸有限公司"),
        "no leader, no pair"
    );

    // A leader account tied to no person cannot know its pairs, and says so.
    let plain = sign_in(&app, "leader").await.get("/visits/paired").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(
        plain.body.contains("尚未关联人员名册中的人员"),
        "{}",
        plain.body
    );
    // A branch secretary has no 包联.
    let refused = sign_in(&app, "branch_secretary")
        .await
        .get("/visits/paired")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("仅领导和党建办可以查看包联企业"));
    let _ = (p.zhang, p.e1, p.e2, p.e4);
}

#[tokio::test]
async fn the_visit_form_opens_with_the_enterprise_and_the_visitor_filled_in() {
    let app = TestApp::new().await;
    pairs(&app).await;
    let zhang = sign_in(&app, "zhang").await;
    // Without a link the visitor is the signed-in person.
    let blank = zhang.get("/ledger/visit/new").await;
    assert_eq!(blank.status, StatusCode::OK);
    assert!(
        blank.body.contains("name=\"visitor\" value=\"张书记\""),
        "{}",
        blank.body
    );
    let filled = zhang
        .get("/ledger/visit/new?enterprise=%E4%B8%99%E6%9D%90%E6%96%99%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&visitor=%E5%BC%A0%E4%B9%A6%E8%AE%B0")
        .await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(filled
        .body
        .contains("name=\"enterprise\" value=\"丙材料有限公司\""));
    assert!(filled.body.contains("name=\"visitor\" value=\"张书记\""));
    // The new fields are on the form, optional.
    for field in [
        "name=\"discussion\"",
        "name=\"problems\"",
        "讨论内容",
        "反映问题",
    ] {
        assert!(filled.body.contains(field), "{field}");
    }
    // Saved as typed, without the optional fields: older records stay valid.
    let csrf = zhang.csrf().await;
    let saved = zhang
        .post(
            "/ledger/visit/new",
            &[
                ("_csrf", &csrf),
                ("date", "2025-06-10"),
                ("enterprise", "丙材料有限公司"),
                ("visitor", "张书记"),
                ("visit_form", "政策解读"),
                ("handouts", "30"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn a_visit_to_an_enterprise_not_paired_with_the_visitor_is_allowed_but_marked() {
    let app = TestApp::new().await;
    pairs(&app).await;
    let zhang = app.login("zhang").await;
    let paired = visit(&app, &zhang, "2025-05-10", "甲科技有限公司", "张书记").await;
    // 乙制造 is 李主任's: 张书记 may visit it, and the visit is marked.
    let other = visit(&app, &zhang, "2025-05-11", "乙制造有限公司", "张书记").await;
    // Visiting together with its leader is a paired visit.
    let together = visit(
        &app,
        &zhang,
        "2025-05-12",
        "乙制造有限公司",
        "李主任、张书记",
    )
    .await;
    // An enterprise without a leader is paired with nobody.
    let unled = visit(&app, &zhang, "2025-05-13", "丁商贸有限公司", "张书记").await;

    let browser = sign_in(&app, "zhang").await;
    let mark = "<span class=\"tag unpaired\">非包联企业</span>";
    for (record, marked) in [
        (paired, false),
        (other, true),
        (together, false),
        (unled, true),
    ] {
        let page = browser.get(&format!("/records/{record}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.body.contains(mark),
            marked,
            "record {record}: {}",
            page.body
        );
    }
    let other_page = browser.get(&format!("/records/{other}")).await;
    assert!(other_page
        .body
        .contains("走访人不是该企业的包联领导（李主任）"));
    let unled_page = browser.get(&format!("/records/{unled}")).await;
    assert!(unled_page.body.contains("该企业未确定包联领导"));

    let list = browser.get("/ledger/visit?year=2025").await;
    assert_eq!(list.status, StatusCode::OK);
    let rows: Vec<&str> = list.body.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 4, "{}", list.body);
    for (record, marked) in [
        (paired, false),
        (other, true),
        (together, false),
        (unled, true),
    ] {
        let row = rows
            .iter()
            .find(|r| r.contains(&format!("/records/{record}?")))
            .unwrap();
        assert_eq!(row.contains(mark), marked, "record {record}: {row}");
    }
}

#[tokio::test]
async fn each_problem_of_a_visit_becomes_one_request_linking_back_to_it() {
    let app = TestApp::new().await;
    let p = pairs(&app).await;
    let zhang = sign_in(&app, "zhang").await;
    let csrf = zhang.csrf().await;
    let saved = zhang
        .post(
            "/ledger/visit/new",
            &[
                ("_csrf", &csrf),
                ("date", "2025-06-03"),
                ("enterprise", "丙材料有限公司"),
                ("visitor", "张书记"),
                ("visit_form", "现场办公"),
                ("handouts", "12"),
                ("problem_count", "2"),
                ("discussion", "企业扩产计划与用工需求"),
                (
                    "problems",
                    "1. 新厂房用电报装进度慢\n\n2、急需招聘数控操作工20名\n",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let record: i64 = saved.location.as_deref().unwrap()["/records/".len()..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = zhang.get(&format!("/records/{record}")).await;
    assert!(page.body.contains("企业扩产计划与用工需求"));
    assert_eq!(
        page.body.matches("转为企业诉求</button>").count(),
        2,
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("/records/{record}/problems/2/request")));

    // A category left out: the page again at 422, the message at the line, nothing written.
    let action = format!("/records/{record}/problems/2/request");
    let refused = zhang
        .post(&action, &[("_csrf", &csrf), ("category", "")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("类别：请从以下类别中选择"),
        "{}",
        refused.body
    );
    let token = app.login("office").await;
    let (_, listed) = app.get(&token, "/api/v1/requests?limit=100").await;
    assert_eq!(listed["total"], 0, "{listed}");

    let done = zhang
        .post(&action, &[("_csrf", &csrf), ("category", "用工")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/records/{record}#problem-2").as_str())
    );
    let (_, listed) = app.get(&token, "/api/v1/requests?limit=100").await;
    assert_eq!(listed["total"], 1, "{listed}");
    let request = &listed["items"][0];
    assert_eq!(request["channel"], "visit");
    assert_eq!(request["enterprise_id"], p.e3);
    assert_eq!(request["received_on"], "2025-06-03");
    assert_eq!(request["category"], "用工");
    assert_eq!(request["title"], "急需招聘数控操作工20名");
    assert_eq!(request["description"], "急需招聘数控操作工20名");
    assert_eq!(request["source_record_id"], record);
    assert_eq!(request["source_line"], 2);
    let request_id = id(request);
    // The request names the visit, and its thread says where it came from.
    let shown = zhang.get(&format!("/requests/{request_id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains(&format!(
            "<a href=\"/records/{record}\">走访记录#{record}</a>第 2 条反映问题"
        )),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(&format!(
        "由走访记录#{record}（2025-06-03，张书记）第2条反映问题转为诉求"
    )));
    // The record page links the request instead of offering the line again.
    let page = zhang.get(&format!("/records/{record}")).await;
    assert_eq!(page.body.matches("转为企业诉求</button>").count(), 1);
    assert!(page.body.contains(&format!(
        "<a href=\"/requests/{request_id}\">诉求#{request_id} 急需招聘数控操作工20名</a>"
    )));

    // A line becomes one request at most.
    let again = zhang
        .post(&action, &[("_csrf", &csrf), ("category", "用工")])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        again.body.contains(&format!(
            "该问题已转为企业诉求（诉求#{request_id}），不再重复转换"
        )),
        "{}",
        again.body
    );
    // A line the visit does not have, and a visit out of reach, answer as missing ones.
    let missing = zhang
        .post(
            &format!("/records/{record}/problems/3/request"),
            &[("_csrf", &csrf), ("category", "用工")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // A branch secretary writes ledgers but not this visit (outside the units); an enterprise
    // user reads no visits.
    for login in ["branch_secretary", "enterprise"] {
        let b = sign_in(&app, login).await;
        let csrf = b.csrf().await;
        let a = b
            .post(
                &format!("/records/{record}/problems/1/request"),
                &[("_csrf", &csrf), ("category", "用电")],
            )
            .await;
        assert!(
            matches!(a.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{login}: {}",
            a.status
        );
    }
    let (_, listed) = app.get(&token, "/api/v1/requests?limit=100").await;
    assert_eq!(listed["total"], 1, "{listed}");

    // Audited: the request's creation names the visit and the line, by the leader.
    let auditor = app.as_role("audit_admin").await;
    let (status, log) = app
        .call(
            Method::GET,
            "/api/v1/audit?entity=request",
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "request" && e["action"] == "create")
        .collect();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["login"], "zhang");
    let after: Value = serde_json::from_str(entries[0]["after_json"].as_str().unwrap()).unwrap();
    assert_eq!(after["source_record_id"], record);
    assert_eq!(after["source_line"], 2);
    assert_eq!(after["channel"], "visit");
    let _ = now();
}

async fn coverage(
    app: &TestApp,
    rules: &taizhang::rules::Rules,
    as_of: &str,
) -> Vec<(String, String, Vec<i64>)> {
    let as_of = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
    taizhang::rules::check_with(&app.db, app.park_id, rules, year_of(2025), as_of)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == "visit_coverage")
        .map(|f| (f.unit, f.period, f.record_ids))
        .collect()
}

#[tokio::test]
async fn the_coverage_rule_finds_exactly_the_paired_enterprises_their_leader_did_not_visit() {
    let app = TestApp::new().await;
    let p = pairs(&app).await;
    let office = app.login("office").await;
    visit(&app, &office, "2025-02-10", "甲科技有限公司", "张书记").await;
    let by_other = visit(&app, &office, "2025-05-05", "甲科技有限公司", "王五").await;
    visit(&app, &office, "2025-01-15", "乙制造有限公司", "李主任").await;
    visit(
        &app,
        &office,
        "2025-04-20",
        "乙制造有限公司",
        "李主任、王五",
    )
    .await;
    let deleted = visit(&app, &office, "2025-03-03", "丙材料有限公司", "张书记").await;
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/records/{deleted}"),
            Some(&office),
            None,
        )
        .await;
    assert!(status.is_success(), "{body}");
    // 丁商贸 has no leader: however it is visited, it is never found.
    visit(&app, &office, "2025-03-01", "丁商贸有限公司", "王五").await;
    // Visits after the quarters ended by the check date do not count for them.
    visit(&app, &office, "2025-07-02", "丙材料有限公司", "张书记").await;

    let rules = taizhang::rules::Rules::default_rules();
    let found = coverage(&app, &rules, "2025-06-30").await;
    assert_eq!(
        found,
        vec![
            (
                "甲科技有限公司".to_string(),
                "2025-Q2".to_string(),
                vec![by_other]
            ),
            ("丙材料有限公司".to_string(), "2025-Q1".to_string(), vec![]),
            ("丙材料有限公司".to_string(), "2025-Q2".to_string(), vec![]),
        ],
        "exactly the unvisited (enterprise, quarter) pairs"
    );
    // Before the first quarter ends nothing can be found.
    assert!(coverage(&app, &rules, "2025-03-30").await.is_empty());

    // The findings feed the report's problems section, in one sentence.
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let (open, problems) =
        taizhang::rules::service::for_report(&app.db, app.park_id, year_of(2025), as_of)
            .await
            .unwrap();
    assert_eq!(
        open.iter().filter(|f| f.rule == "visit_coverage").count(),
        3
    );
    assert!(
        problems
            .iter()
            .any(|s| s.starts_with("2个企业存在包联领导未按季度走访的情况")
                && s.contains("甲科技有限公司")
                && s.contains("丙材料有限公司")),
        "{problems:?}"
    );

    // The checks page shows them with a link to the enterprise's visits of the period.
    let page = sign_in(&app, "office")
        .await
        .get("/checks?year=2025&as_of=2025-06-30")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("包联领导未按季度走访"), "{}", page.body);
    assert!(page
        .body
        .contains("包联领导张书记在2025-Q2未走访该企业；该期间其他人员走访1次"));
    assert!(
        page.body.contains(&format!(
            "/ledger/visit?enterprise={}&amp;from=2025-01-01&amp;to=2025-03-31",
            p.e3
        )),
        "{}",
        page.body
    );
    let linked = sign_in(&app, "office")
        .await
        .get(&format!(
            "/ledger/visit?enterprise={}&from=2025-04-01&to=2025-06-30",
            p.e1
        ))
        .await;
    assert_eq!(linked.status, StatusCode::OK);
    assert!(
        linked.body.contains(&format!("/records/{by_other}?")),
        "{}",
        linked.body
    );
    let _ = (p.zhang, p.e2, p.e4);
}

#[tokio::test]
async fn the_coverage_period_is_the_parks_to_choose() {
    let app = TestApp::new().await;
    pairs(&app).await;
    let office = app.login("office").await;
    visit(&app, &office, "2025-02-10", "甲科技有限公司", "张书记").await;
    visit(&app, &office, "2025-01-15", "乙制造有限公司", "李主任").await;
    let catalogue = taizhang::ledger::catalogue::Catalogue::default_catalogue();
    let yearly = taizhang::rules::Rules::default_rules()
        .overlay(
            "[[rule]]\nid = \"visit_coverage\"\ntitle = \"包联领导全年未走访\"\narticle = \"\"\nperiod = \"year\"\nrequires = { visits = \"paired_each_period\" }\n",
            &catalogue,
        )
        .unwrap();
    assert!(
        coverage(&app, &yearly, "2025-06-30").await.is_empty(),
        "the year has not ended"
    );
    assert_eq!(
        coverage(&app, &yearly, "2025-12-31").await,
        vec![("丙材料有限公司".to_string(), "2025".to_string(), vec![])]
    );
    let monthly = taizhang::rules::Rules::default_rules()
        .overlay(
            "[[rule]]\nid = \"visit_coverage\"\ntitle = \"包联领导未按月走访\"\narticle = \"\"\nperiod = \"month\"\nrequires = { visits = \"paired_each_period\" }\n",
            &catalogue,
        )
        .unwrap();
    // Three paired enterprises, two months ended, two months covered once each.
    assert_eq!(
        coverage(&app, &monthly, "2025-02-28").await.len(),
        3 * 2 - 2
    );
    // A requirement the rules do not know is refused naming it.
    let bad = taizhang::rules::Rules::default_rules().overlay(
        "[[rule]]\nid = \"visit_coverage\"\ntitle = \"x\"\narticle = \"\"\nperiod = \"quarter\"\nrequires = { visits = \"everyone\" }\n",
        &catalogue,
    );
    let message = bad.unwrap_err().to_string();
    assert!(message.contains("走访要求“everyone”无效"), "{message}");
}

/// The year's visits cross from the database folded by enterprise (an `id@date` list and a
/// JSON array of 走访人): a 走访人 typed with commas, `@` and quotes arrives whole, so the
/// leader among several names still covers the quarter and another's visit is still listed.
#[tokio::test]
async fn visitors_typed_with_commas_and_quotes_count_as_typed() {
    let app = TestApp::new().await;
    let p = pairs(&app).await;
    let office = app.login("office").await;
    visit(
        &app,
        &office,
        "2025-02-10",
        "甲科技有限公司",
        "王五@\"一组\",张书记",
    )
    .await;
    let other = visit(
        &app,
        &office,
        "2025-05-05",
        "甲科技有限公司",
        "\"王@五\",李四",
    )
    .await;
    let found = coverage(&app, &taizhang::rules::Rules::default_rules(), "2025-06-30").await;
    let of_jia: Vec<_> = found
        .iter()
        .filter(|(unit, _, _)| unit == "甲科技有限公司")
        .collect();
    assert_eq!(
        of_jia,
        vec![&(
            "甲科技有限公司".to_string(),
            "2025-Q2".to_string(),
            vec![other]
        )],
        "{found:?}"
    );
    let _ = p;
}
