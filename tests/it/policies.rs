//! 惠企政策: a policy reaches exactly the enterprises whose profile fits it (recomputed from the
//! enterprise list), pushing twice writes nothing new, a tag the park has not defined is refused
//! by name, an enterprise reads only its own policies and its first reading is counted in
//! `policy_read_rate`, and the phone page 我的政策 shows why each matched.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{json, Value};
use taizhang::report;

use crate::helpers::year_of;
use crate::helpers::{id, TestApp};
use crate::web::sign_in;

/// Office staff tag the fixture's two enterprises and add three more; the ids of all five.
async fn tagged_park(app: &TestApp, office: &str) -> Vec<i64> {
    let (e1, e2) = app.enterprises;
    for (e, tags) in [(e1, json!(["高新技术企业"])), (e2, json!(["专精特新"]))] {
        let current = app.get(office, &format!("/api/v1/enterprises/{e}")).await.1;
        let mut body = current.clone();
        body["tags"] = tags;
        let (status, answer) = app
            .put(office, &format!("/api/v1/enterprises/{e}"), body)
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let mut ids = vec![e1, e2];
    for (name, scale, industry, tags) in [
        (
            "丙精工有限公司",
            "规上",
            "制造业",
            json!(["专精特新", "规上企业"]),
        ),
        (
            "丁软件有限公司",
            "小微",
            "信息技术",
            json!(["科技型中小企业"]),
        ),
        (
            "戊新材料有限公司",
            "规下",
            "制造业",
            json!(["高新技术企业", "专精特新"]),
        ),
    ] {
        let body = json!({"name": name, "scale": scale, "industry": industry, "tags": tags});
        ids.push(id(&app.post_ok(office, "/api/v1/enterprises", body).await));
    }
    ids
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn policy(app: &TestApp, token: &str, body: Value) -> i64 {
    let mut full = json!({
        "title": "专精特新企业培育奖励", "level": "省", "issuer": "省工业和信息化厅",
        "doc_number": "苏工信〔2025〕8号", "issued_on": "2025-05-20",
        "summary": "对新认定的专精特新企业给予奖励。"
    });
    for (k, v) in body.as_object().unwrap() {
        full[k] = v.clone();
    }
    id(&app.post_ok(token, "/api/v1/policies", full).await)
}

/// Pushes policy `p` as `token` asks; what the push did.
async fn push_policy(app: &TestApp, token: &str, p: i64, body: Value) -> Value {
    let (status, answer) = app
        .post(token, &format!("/api/v1/policies/{p}/push"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn figure(app: &TestApp, metric: &str) -> report::Number {
    let values = report::compute_all(&app.db, app.park_id, year_of(2025))
        .await
        .unwrap();
    values.get(metric).unwrap().value
}

#[tokio::test]
async fn a_policy_for_zhuanjingtexin_reaches_exactly_the_tagged_enterprises_once() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    tagged_park(&app, &office).await;
    let (status, list) = app.get(&office, "/api/v1/enterprises").await;
    assert_eq!(status, StatusCode::OK);
    let list = list["items"].clone();
    let tagged: BTreeSet<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| strings(&e["tags"]).iter().any(|t| t == "专精特新"))
        .map(id)
        .collect();
    assert_eq!(tagged.len(), 3, "{list}");
    let staff = app.login("service_staff").await;
    let p = policy(&app, &staff, json!({"tags": ["专精特新"]})).await;
    let push = push_policy(&app, &staff, p, json!({"mode": "universal"})).await;
    assert_eq!(push["pushed"], 3, "{push}");
    let detail = app.get(&office, &format!("/api/v1/policies/{p}")).await.1;
    let reached: BTreeSet<i64> = detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["enterprise_id"].as_i64().unwrap())
        .collect();
    assert_eq!(reached, tagged);
    for r in detail["recipients"].as_array().unwrap() {
        assert!(
            r["reason"].as_str().unwrap().starts_with("资质：专精特新"),
            "{r}"
        );
    }
    // Again: nothing new, nothing doubled, one audit entry for the one push that wrote rows.
    let again = push_policy(&app, &staff, p, json!({})).await;
    assert_eq!(
        (again["pushed"].as_i64(), again["already"].as_i64()),
        (Some(0), Some(3))
    );
    let detail = app.get(&office, &format!("/api/v1/policies/{p}")).await.1;
    assert_eq!(detail["recipients"].as_array().unwrap().len(), 3);
    assert_eq!(detail["pushed"], 3);
    let audit = app
        .get(
            &app.as_role("audit_admin").await,
            "/api/v1/audit?entity=policy",
        )
        .await
        .1;
    let pushes = audit["items"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["action"] == "push").count());
    assert_eq!(pushes, Some(1), "{audit}");

    // AND across conditions: 制造业 and 专精特新 leaves out e2, whose industry is not given.
    let narrow = policy(
        &app,
        &office,
        json!({"tags": ["专精特新"], "industries": ["制造业"]}),
    )
    .await;
    let push = push_policy(&app, &office, narrow, json!({})).await;
    let expected = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["industry"] == "制造业")
        .filter(|e| strings(&e["tags"]).iter().any(|t| t == "专精特新"))
        .count();
    assert_eq!(push["pushed"].as_u64(), Some(expected as u64), "{push}");
    assert_eq!(expected, 2);
}

#[tokio::test]
async fn a_tag_the_park_has_not_defined_is_refused_naming_it() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let body = json!({"title": "独角兽培育", "level": "市", "issuer": "市科技局",
                      "issued_on": "2025-03-01", "summary": "奖励", "tags": ["专精特新", "独角兽"]});
    let (status, answer) = app.post(&office, "/api/v1/policies", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("“独角兽”") && message.contains("适用资质"),
        "{message}"
    );
    let (_, list) = app.get(&office, "/api/v1/policies").await;
    assert_eq!(list["total"], 0, "nothing half-written: {list}");

    let e = app.enterprises.0;
    let mut current = app
        .get(&office, &format!("/api/v1/enterprises/{e}"))
        .await
        .1;
    current["tags"] = json!(["独角兽"]);
    let (status, answer) = app
        .put(&office, &format!("/api/v1/enterprises/{e}"), current)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“独角兽”"),
        "{answer}"
    );

    // The form keeps what was typed and names the tag at its field.
    let browser = sign_in(&app, "office").await;
    let csrf = browser.csrf().await;
    let page = browser
        .post(
            "/policies/new",
            &[
                ("_csrf", &csrf),
                ("title", "独角兽培育"),
                ("level", "市"),
                ("issuer", "市科技局"),
                ("issued_on", "2025-03-01"),
                ("summary", "奖励"),
                ("tags", "独角兽"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("“独角兽”不是本园区定义的资质标签"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"独角兽培育\""), "{}", page.body);
    // Once the park defines it, the same policy is taken.
    let page = browser
        .post(
            "/policies/tags",
            &[("_csrf", &csrf), ("tags", "专精特新\n高新技术企业\n独角兽")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let body = json!({"title": "独角兽培育", "level": "市", "issuer": "市科技局",
                      "issued_on": "2025-03-01", "summary": "奖励", "tags": ["独角兽"]});
    let (status, answer) = app.post(&office, "/api/v1/policies", body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    // A tag in use is not dropped.
    let page = browser
        .post("/policies/tags", &[("_csrf", &csrf), ("tags", "专精特新")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("“独角兽”仍有政策在使用"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_first_reading_is_a_receipt_counted_in_the_read_rate() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let all = tagged_park(&app, &office).await;
    let p = policy(&app, &office, json!({"title": "稳岗补贴"})).await;
    let push = push_policy(&app, &office, p, json!({})).await;
    assert_eq!(push["pushed"].as_u64(), Some(all.len() as u64), "{push}");

    let ent = app.login("enterprise").await;
    let (_, mine) = app.get(&ent, "/api/v1/policies").await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert!(mine["items"][0]["mine"]["read_at"].is_null(), "{mine}");
    assert_eq!(mine["items"][0]["mine"]["reason"], "普惠：面向园区全部企业");
    // The phone page marks it unread and says why it came.
    let browser = sign_in(&app, "enterprise").await;
    let page = browser.get("/policies").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("我的政策") && page.body.contains("未读"),
        "{}",
        page.body
    );
    assert!(page.body.contains("为何推送给您：普惠：面向园区全部企业"));

    let opened = browser.get(&format!("/policies/{p}")).await;
    assert_eq!(opened.status, StatusCode::OK);
    let (_, first) = app.get(&ent, &format!("/api/v1/policies/{p}")).await;
    assert_eq!(first["mine"]["read_login"], "enterprise", "{first}");
    assert!(
        first["recipients"].as_array().unwrap().is_empty(),
        "{first}"
    );
    let read_at = first["mine"]["read_at"].clone();
    assert!(read_at.is_string(), "{first}");
    let (_, again) = app.get(&ent, &format!("/api/v1/policies/{p}")).await;
    assert_eq!(again["mine"]["read_at"], read_at, "the first reading stays");
    assert!(browser.get("/policies").await.body.contains("已读"));

    // The figures, recomputed from the policy's recipients.
    let detail = app.get(&office, &format!("/api/v1/policies/{p}")).await.1;
    let recipients = detail["recipients"].as_array().unwrap();
    let read = recipients
        .iter()
        .filter(|r| r["read_at"].is_string())
        .count();
    assert_eq!(read, 1);
    assert_eq!(
        figure(&app, "policies_pushed").await,
        report::Number::Int(1)
    );
    assert_eq!(
        figure(&app, "policy_enterprises").await,
        report::Number::Int(recipients.len() as i64)
    );
    let rate = (1000.0 * read as f64 / recipients.len() as f64).round() / 10.0;
    assert_eq!(
        figure(&app, "policy_read_rate").await,
        report::Number::Float(rate)
    );
    assert_eq!(rate, 20.0);
    // The items behind the rate: every push, the read one counted in the numerator.
    let leader = sign_in(&app, "leader").await;
    let page = leader
        .get("/report/records?metric=policy_read_rate&year=2025")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("已阅读 1 次 ÷ 推送 5 次 = 20.0%"),
        "{}",
        page.body
    );
    let body = page.body.replace("&#x2f;", "/");
    assert!(body.contains(&format!("href=\"/policies/{p}\"")), "{body}");
    // Last year had none.
    let values = report::compute_all(&app.db, app.park_id, year_of(2024))
        .await
        .unwrap();
    assert_eq!(
        values.get("policies_pushed").unwrap().value,
        report::Number::Int(0)
    );
}

#[tokio::test]
async fn another_enterprises_policy_answers_as_a_missing_one() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let (e1, e2) = app.enterprises;
    let p = policy(&app, &office, json!({"title": "专属扶持"})).await;
    let push = push_policy(
        &app,
        &office,
        p,
        json!({"mode": "exclusive", "enterprise_ids": [e1]}),
    )
    .await;
    assert_eq!(push["pushed"], 1, "{push}");
    let detail = app.get(&office, &format!("/api/v1/policies/{p}")).await.1;
    assert_eq!(detail["recipients"][0]["enterprise_id"], e1);
    assert_eq!(detail["recipients"][0]["reason"], "专属：园区指定推送");
    // The enterprise user is of e2.
    let ent = app.login("enterprise").await;
    let (status, answer) = app.get(&ent, &format!("/api/v1/policies/{p}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(app.get(&ent, "/api/v1/policies").await.1["total"], 0);
    let browser = sign_in(&app, "enterprise").await;
    assert_eq!(
        browser.get(&format!("/policies/{p}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Nor may it push, nor write.
    let (status, _) = app
        .post(
            &ent,
            &format!("/api/v1/policies/{p}/push"),
            json!({"mode": "exclusive", "enterprise_ids": [e2]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A chosen enterprise that does not exist is refused by number; nothing written.
    let (status, answer) = app
        .post(
            &office,
            &format!("/api/v1/policies/{p}/push"),
            json!({"mode": "exclusive", "enterprise_ids": [e2, 987654]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("987654"));
    let detail = app.get(&office, &format!("/api/v1/policies/{p}")).await.1;
    assert_eq!(detail["recipients"].as_array().unwrap().len(), 1);
    let tags = strings(&detail["tags"]);
    assert!(tags.is_empty());
}

/// Two people editing one policy: the save made from a form read before the other's is refused
/// (409) with what was typed kept and the reason above the form; saved again knowingly, it goes.
#[tokio::test]
async fn an_edit_over_someone_elses_save_is_refused_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let office_token = app.login("office").await;
    let p = policy(&app, &office_token, json!({})).await;
    let edit = format!("/policies/{p}/edit");
    let office = sign_in(&app, "office").await;
    let form = office.get(&edit).await;
    assert!(
        form.body.contains("name=\"version\" value=\"1\""),
        "{}",
        form.body
    );
    let fields = |title: &'static str, version: &'static str| {
        vec![
            ("title", title),
            ("level", "省"),
            ("issuer", "省工业和信息化厅"),
            ("issued_on", "2025-05-20"),
            ("summary", "对新认定的专精特新企业给予奖励。"),
            ("version", version),
        ]
    };
    let staff = sign_in(&app, "service_staff").await;
    let csrf = staff.csrf().await;
    let mut first = fields("专精特新奖励（园小二修改）", "1");
    first.push(("_csrf", &csrf));
    assert_eq!(
        staff.post(&edit, &first).await.status,
        StatusCode::SEE_OTHER
    );

    let csrf = office.csrf().await;
    let mut late = fields("专精特新奖励（党建办修改）", "1");
    late.push(("_csrf", &csrf));
    let refused = office.post(&edit, &late).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("已被他人修改"), "{}", refused.body);
    assert!(
        refused.body.contains("专精特新奖励（党建办修改）"),
        "typed kept"
    );
    assert!(refused.body.contains("name=\"version\" value=\"2\""));
    let (_, stored) = app
        .get(&office_token, &format!("/api/v1/policies/{p}"))
        .await;
    assert_eq!(stored["title"], "专精特新奖励（园小二修改）", "{stored}");

    let mut again = fields("专精特新奖励（党建办修改）", "2");
    again.push(("_csrf", &csrf));
    assert_eq!(
        office.post(&edit, &again).await.status,
        StatusCode::SEE_OTHER
    );
    let (_, stored) = app
        .get(&office_token, &format!("/api/v1/policies/{p}"))
        .await;
    assert_eq!(stored["title"], "专精特新奖励（党建办修改）");
    assert_eq!(stored["version"], 3);
}
