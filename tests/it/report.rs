//! The report on a real database (SQLite, or PostgreSQL with `TAIZHANG_TEST_PG_URL`): every
//! metric against hand-counted fixtures with records before, in and after the year, the JSON
//! shape, an empty year, the default template, and the command line.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::{json, Value};
use taizhang::report::{self, Format, MetricCatalogue, ReportTemplate};

use crate::helpers::year_of;
use crate::helpers::{id, TestApp};

const YEAR: i32 = 2024;

/// What each metric must come to, by id: the value (as JSON, so 3 and 3.0 differ) and the ids.
type Expected = BTreeMap<&'static str, (Value, Vec<i64>)>;

async fn rec(app: &TestApp, token: &str, kind: &str, fields: Value) -> i64 {
    let body = json!({"kind": kind, "fields": fields});
    id(&app.post_ok(token, "/api/v1/records", body).await)
}

/// One enterprise request as it stands after its history.
struct Req {
    nature: &'static str,
    enterprise: Option<i64>,
    received: &'static str,
    /// contact_by, reply_by, close_by
    due: [&'static str; 3],
    status: &'static str,
    contacted: Option<&'static str>,
    closed: Option<&'static str>,
    rating: Option<&'static str>,
    reopened: i64,
    returned: bool,
}

/// Stores a request as `r` describes it, registered the day it was received, answered the day
/// it was closed; a returned one with its 退回 in the thread.
async fn request(app: &TestApp, r: Req) -> i64 {
    use taizhang::requests::queries::{self, NewRequest, StepChange};
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let due = taizhang::requests::Deadlines {
        contact_by: d(r.due[0]),
        reply_by: d(r.due[1]),
        close_by: d(r.due[2]),
        visit_by: None,
        estimated: false,
    };
    let now = crate::helpers::now();
    let mut tx = app.db.begin().await.unwrap();
    let new = NewRequest {
        enterprise_id: r.enterprise,
        nature: r.nature,
        category: "用工",
        team_group: "企业服务组",
        title: "招工难",
        description: "一线操作工招不到",
        contact_name: "",
        channel: "phone",
        received_on: d(r.received),
        registered_on: d(r.received),
        due,
        created_by: 1,
        source: None,
    };
    let id = queries::insert(&mut tx, app.park_id, &new, now)
        .await
        .unwrap();
    let change = StepChange {
        assignee_id: None,
        counted_from: None,
        status: r.status,
        due,
        extended: false,
        contacted_on: r.contacted.map(d),
        replied_on: r.closed.map(d),
        closed_on: r.closed.map(d),
        rating: r.rating,
        rated: r.rating.is_some(),
        rated_on: r.closed.map(d),
        reopened: r.reopened,
    };
    assert!(queries::apply(&mut tx, app.park_id, id, 1, &change, now)
        .await
        .unwrap());
    if r.returned {
        let why = "不属于园区服务范围";
        queries::add_event(
            &mut tx,
            app.park_id,
            id,
            None,
            "xiaoer",
            "return",
            "returned",
            why,
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

/// Creates records of one kind in order, each row's fields over `defaults`; returns their ids.
async fn recs(app: &TestApp, token: &str, kind: &str, defaults: Value, rows: &[Value]) -> Vec<i64> {
    let mut ids = Vec::new();
    for row in rows {
        let mut fields = defaults.clone();
        for (k, v) in row.as_object().into_iter().flatten() {
            fields[k] = v.clone();
        }
        ids.push(rec(app, token, kind, fields).await);
    }
    ids
}

async fn delete(app: &TestApp, token: &str, record: i64) {
    let path = format!("/api/v1/records/{record}");
    let (status, body) = app.call(Method::DELETE, &path, Some(token), None).await;
    assert!(status.is_success(), "{status} {body}");
}

async fn person(app: &TestApp, token: &str, name: &str, unit: i64, tags: &[&str]) -> i64 {
    let body = json!({"name": name, "unit_id": unit, "tags": tags});
    id(&app.post_ok(token, "/api/v1/people", body).await)
}

/// Appoints `who` to a post in `unit` from `start`; a new post in the same unit closes the
/// open one on that day.
async fn appoint(
    app: &TestApp,
    token: &str,
    who: i64,
    unit: i64,
    staff: Option<&str>,
    start: &str,
) {
    let body =
        json!({"unit_id": unit, "title": "服务专员", "staff_type": staff, "start_on": start});
    app.post_ok(token, &format!("/api/v1/people/{who}/positions"), body)
        .await;
}

/// Builds the fixtures and returns what every metric of 2024 must be.
async fn fixtures(app: &TestApp) -> Expected {
    let t = &app.login("office").await;
    let mut want = Expected::new();

    // Meetings: the committee's, the learning activities and the participation rate.
    // 938 + 939 of 1000 + 1000 is 93.85%: exactly half-way, so it must round up to 93.9.
    let m = recs(app, t, "meeting", json!({"name": "会议", "org_unit": "园区党工委"}), &[
        json!({"date": "2024-03-01", "meeting_type": "党工委会议", "is_party_topic": true, "topic_count": 5, "reading_count": 2}),
        json!({"date": "2024-06-01", "meeting_type": "党工委会议", "is_party_topic": "否", "topic_count": 3, "reading_count": 1}),
        json!({"date": "2023-12-31", "meeting_type": "党工委会议", "is_party_topic": true, "topic_count": 4, "reading_count": 10}),
        json!({"date": "2025-01-01", "meeting_type": "党工委会议", "is_party_topic": "是", "topic_count": 4}),
        json!({"date": "2024-09-01", "meeting_type": "党工委会议", "is_party_topic": true, "topic_count": 2}),
        json!({"date": "2024-02-01", "meeting_type": "支部党员大会", "org_unit": "甲科技党支部", "expected": 1000, "attended": 938}),
        json!({"date": "2024-04-01", "meeting_type": "第一议题学习", "expected": 1000, "attended": 939}),
        json!({"date": "2024-05-01", "meeting_type": "专题研讨"}),
        json!({"date": "2024-07-01", "meeting_type": "中心组学习", "reading_count": 3}),
        json!({"date": "2024-08-01", "meeting_type": "座谈会", "expected": 10, "attended": 1}),
        json!({"date": "2023-11-01", "meeting_type": "第一议题学习", "expected": 10, "attended": 10}),
    ])
    .await;
    delete(app, t, m[4]).await;
    want.insert("party_building_meetings", (json!(1), vec![m[0]]));
    want.insert("agenda_items", (json!(8), vec![m[0], m[1]]));
    want.insert("speeches_studied", (json!(6), vec![m[0], m[1], m[8]]));
    want.insert(
        "learning_activities",
        (json!(4), vec![m[5], m[6], m[7], m[8]]),
    );
    want.insert("participation_rate", (json!(93.9), vec![m[5], m[6]]));
    want.insert("first_topic_sessions", (json!(1), vec![m[6]]));
    want.insert("seminars", (json!(1), vec![m[7]]));

    // Facilities: areas to date, new cycling track within the year only.
    // 2.25 + 1.2 is 3.45 (3.4499… in binary): it must round half up to 3.5.
    let f = recs(
        app,
        t,
        "facility",
        json!({"name": "阵地"}),
        &[
            json!({"built_on": "2022-05-01", "category": "党建文化广场", "area": 2000}),
            json!({"built_on": "2024-06-01", "category": "党建文化广场", "area": 1500}),
            json!({"built_on": "2025-03-01", "category": "党建文化广场", "area": 999}),
            json!({"built_on": "2024-04-01", "category": "红色骑行道", "length_km": 2.25}),
            json!({"built_on": "2024-09-01", "category": "红色骑行道", "length_km": 1.2}),
            json!({"built_on": "2023-06-01", "category": "红色骑行道", "length_km": 5}),
            json!({"built_on": "2021-01-01", "category": "党群服务中心", "area": 800}),
            json!({"built_on": "2024-03-01", "category": "党群服务中心", "area": 200}),
        ],
    )
    .await;
    delete(app, t, f[7]).await;
    want.insert("culture_plaza_area", (json!(3500.0), vec![f[0], f[1]]));
    want.insert("red_cycling_km", (json!(3.5), vec![f[3], f[4]]));
    want.insert("service_center_area", (json!(800.0), vec![f[6]]));

    // Designations: to date, never while revoked (an empty status is not revoked).
    let d = recs(app, t, "designation", json!({"name": "创建"}), &[
        json!({"date": "2023-05-01", "category": "示范支部", "level": "市级", "status": "有效"}),
        json!({"date": "2024-05-01", "category": "示范支部", "level": "市级", "status": "已撤销"}),
        json!({"date": "2024-06-01", "category": "示范支部", "level": "市级"}),
        json!({"date": "2025-02-01", "category": "示范支部", "level": "市级"}),
        json!({"date": "2024-07-01", "category": "示范支部", "level": "省级", "status": "有效"}),
        json!({"date": "2022-01-01", "category": "党员先锋岗", "level": "园区级"}),
        json!({"date": "2024-03-01", "category": "党员先锋岗", "status": "已撤销"}),
        json!({"date": "2020-01-01", "category": "文明单位", "level": "省级"}),
        json!({"date": "2024-01-01", "category": "文明单位", "level": "市级"}),
        json!({"date": "2024-12-31", "category": "文明单位", "level": "区级"}),
        json!({"date": "2025-01-01", "category": "文明单位", "level": "区级"}),
        json!({"date": "2024-02-01", "category": "文明标兵单位", "level": "省级"}),
    ])
    .await;
    want.insert("model_branches_city", (json!(2), vec![d[0], d[2]]));
    want.insert("model_branches_province", (json!(1), vec![d[4]]));
    want.insert("pioneer_posts", (json!(1), vec![d[5]]));
    want.insert("civilized_units_province", (json!(1), vec![d[7]]));
    want.insert("civilized_units_city", (json!(1), vec![d[8]]));
    want.insert("civilized_units_district", (json!(1), vec![d[9]]));

    // Honours: the year's first and last day count, the day before does not.
    let honor =
        json!({"name": "荣誉", "grantor": "市委", "level": "市级", "recipient": "园区党工委"});
    let h = recs(
        app,
        t,
        "honor",
        honor,
        &[
            json!({"date": "2024-01-01"}),
            json!({"date": "2024-12-31"}),
            json!({"date": "2023-12-31"}),
        ],
    )
    .await;
    want.insert("honors", (json!(2), vec![h[0], h[1]]));

    // Opinion incidents, and petitions: a collective petition needs at least five people.
    let o = recs(
        app,
        t,
        "opinion_incident",
        json!({"platform": "微信", "summary": "概述"}),
        &[
            json!({"date": "2024-05-01", "level": "重大"}),
            json!({"date": "2024-06-01", "level": "一般"}),
            json!({"date": "2023-05-01", "level": "重大"}),
        ],
    )
    .await;
    want.insert("major_opinion_incidents", (json!(1), vec![o[0]]));
    let p = recs(
        app,
        t,
        "petition",
        json!({"reason": "工资"}),
        &[
            json!({"date": "2024-03-01", "category": "集体来访", "people_count": 5}),
            json!({"date": "2024-04-01", "category": "集体来访", "people_count": 4}),
            json!({"date": "2024-05-01", "category": "个人来访", "people_count": 6}),
            json!({"date": "2024-06-01", "category": "集体来访"}),
            json!({"date": "2023-06-01", "category": "集体来访", "people_count": 8}),
        ],
    )
    .await;
    want.insert("mass_petitions", (json!(1), vec![p[0]]));

    // Talks and discipline: person-times, 1 when left empty.
    let tk = recs(
        app,
        t,
        "talk",
        json!({"talker": "王书记", "target": "李四"}),
        &[
            json!({"date": "2024-02-01", "talk_type": "谈心谈话", "person_times": 3}),
            json!({"date": "2024-03-01", "talk_type": "谈心谈话"}),
            json!({"date": "2024-04-01", "talk_type": "廉政谈话", "person_times": 2}),
            json!({"date": "2023-04-01", "talk_type": "谈心谈话", "person_times": 5}),
        ],
    )
    .await;
    want.insert("heart_talks", (json!(4), vec![tk[0], tk[1]]));
    want.insert("integrity_talks", (json!(2), vec![tk[2]]));
    let x = recs(
        app,
        t,
        "discipline",
        json!({"target": "张三"}),
        &[
            json!({"date": "2024-02-01", "category": "通报批评", "person_times": 2}),
            json!({"date": "2024-03-01", "category": "诫勉"}),
            json!({"date": "2024-04-01", "category": "通报批评", "person_times": 3}),
        ],
    )
    .await;
    delete(app, t, x[2]).await;
    want.insert("criticism_notices", (json!(2), vec![x[0]]));

    // Visits, brochures, suggestions.
    let visit =
        json!({"enterprise": "甲科技有限公司", "visitor": "王书记", "visit_form": "政策解读"});
    let v = recs(
        app,
        t,
        "visit",
        visit,
        &[
            json!({"date": "2024-02-01", "handouts": 30000}),
            json!({"date": "2024-03-01", "handouts": 11410}),
            json!({"date": "2024-04-01"}),
            json!({"date": "2023-04-01", "handouts": 500}),
        ],
    )
    .await;
    want.insert("enterprise_visits", (json!(3), vec![v[0], v[1], v[2]]));
    want.insert("brochures", (json!(41410), vec![v[0], v[1]]));
    // Enterprise requests, stored as they stand after their histories (the fixtures' dates
    // lie before the tests' clock). The year's cohort is what was received in 2024.
    let (e1, _) = app.enterprises;
    let req = |received: &'static str, due: [&'static str; 3]| Req {
        nature: "problem",
        enterprise: Some(e1),
        received,
        due,
        status: "accepted",
        contacted: None,
        closed: None,
        rating: None,
        reopened: 0,
        returned: false,
    };
    // Contacted and closed in time, rated 满意: 5 working days (1 March a Friday).
    let r0 = request(
        app,
        Req {
            status: "closed",
            contacted: Some("2024-03-01"),
            closed: Some("2024-03-10"),
            rating: Some("satisfied"),
            ..req("2024-03-01", ["2024-03-04", "2024-03-06", "2024-03-22"])
        },
    )
    .await;
    // Contacted late, worked again after a 不满意, closed late, rated 基本满意: 41 working days
    // (清明 and 劳动节 off, 7 and 28 April worked).
    let r1 = request(
        app,
        Req {
            status: "closed",
            contacted: Some("2024-04-05"),
            closed: Some("2024-05-30"),
            rating: Some("fair"),
            reopened: 1,
            ..req("2024-04-01", ["2024-04-02", "2024-04-03", "2024-04-22"])
        },
    )
    .await;
    // Returned before acceptance.
    let r2 = request(
        app,
        Req {
            status: "returned",
            returned: true,
            ..req("2024-06-03", ["2024-06-04", "2024-06-06", "2024-06-25"])
        },
    )
    .await;
    // Contacted in time, still open.
    let r3 = request(
        app,
        Req {
            status: "in_progress",
            contacted: Some("2024-07-01"),
            ..req("2024-07-01", ["2024-07-02", "2024-07-04", "2024-07-22"])
        },
    )
    .await;
    // Received the year before, closed in 2024: a problem solved in 2024, not of its cohort.
    let r4 = request(
        app,
        Req {
            status: "closed",
            contacted: Some("2023-12-20"),
            closed: Some("2024-01-10"),
            ..req("2023-12-20", ["2023-12-21", "2023-12-25", "2024-01-10"])
        },
    )
    .await;
    // Received in 2024, closed in 2025 in time, rated 不满意: 9 working days (元旦 off).
    let r5 = request(
        app,
        Req {
            status: "closed",
            contacted: Some("2024-12-20"),
            closed: Some("2025-01-05"),
            rating: Some("unsatisfied"),
            ..req("2024-12-20", ["2024-12-23", "2024-12-25", "2025-01-10"])
        },
    )
    .await;
    let suggestion = |received: &'static str, enterprise: Option<i64>| Req {
        nature: "suggestion",
        enterprise,
        status: "registered",
        ..req(received, ["2030-01-01", "2030-01-01", "2030-01-01"])
    };
    let s0 = request(app, suggestion("2024-05-01", Some(e1))).await;
    request(app, suggestion("2025-05-01", Some(e1))).await;
    let s2 = request(app, suggestion("2024-08-01", None)).await;
    let cohort = vec![r0, r1, r2, r3, r5];
    let closed = vec![r0, r1, r5];
    want.insert("suggestions", (json!(2), vec![s0, s2]));
    want.insert("problems_solved", (json!(3), vec![r0, r1, r4]));
    want.insert("requests_received", (json!(5), cohort.clone()));
    want.insert("requests_contacted_in_time", (json!(3), vec![r0, r3, r5]));
    want.insert("response_rate", (json!(60.0), cohort.clone()));
    want.insert("requests_closed", (json!(3), closed.clone()));
    want.insert("close_rate", (json!(60.0), cohort.clone()));
    want.insert("requests_closed_on_time", (json!(2), vec![r0, r5]));
    want.insert("on_time_close_rate", (json!(66.7), closed.clone()));
    want.insert("requests_rated", (json!(3), closed.clone()));
    want.insert("requests_satisfied", (json!(2), vec![r0, r1]));
    want.insert("satisfaction_rate", (json!(66.7), closed.clone()));
    want.insert("requests_returned", (json!(1), vec![r2]));
    want.insert("return_rate", (json!(20.0), cohort.clone()));
    want.insert("requests_reopened", (json!(1), vec![r1]));
    want.insert("reopen_rate", (json!(20.0), cohort));
    // (5 + 41 + 9) / 3 working days.
    want.insert("avg_workdays_to_close", (json!(18.3), closed));

    // Rosters: volunteers by tag; service staff by the post open at the year's end, in the
    // marked team or a unit below it, each person once.
    let u = app.units;
    let a = person(app, t, "志愿甲", u.branch_a, &["志愿者"]).await;
    let b = person(app, t, "志愿乙", u.branch_b, &["党员", "志愿者"]).await;
    person(app, t, "队长丙", u.branch_b, &["志愿者服务队长"]).await;
    person(app, t, "普通丁", u.branch_b, &[]).await;
    want.insert("volunteers", (json!(2), vec![a, b]));
    let unit =
        |name: &str, parent: i64| json!({"name": name, "unit_type": "工作组", "parent_id": parent});
    let group = id(&app
        .post_ok(t, "/api/v1/units", unit("综合协调组", u.service_team))
        .await);
    let old_team = id(&app
        .post_ok(t, "/api/v1/units", unit("园小二旧团队", u.committee))
        .await);
    let mut staff = Vec::new();
    for (name, posts) in [
        ("专职一", vec![(u.service_team, Some("专职"), "2023-01-01")]),
        ("专职二", vec![(group, Some("专职"), "2024-06-01")]),
        ("兼职三", vec![(u.service_team, Some("兼职"), "2024-01-01")]),
        ("专职四", vec![(u.service_team, Some("专职"), "2025-02-01")]),
        // Left the team mid-year: the new post closes the old one on 2024-06-30.
        (
            "兼职五",
            vec![
                (u.service_team, Some("兼职"), "2022-01-01"),
                (u.service_team, None, "2024-06-30"),
            ],
        ),
        ("专职六", vec![(u.branch_a, Some("专职"), "2023-01-01")]),
        (
            "专职七",
            vec![
                (u.service_team, Some("专职"), "2023-01-01"),
                (group, Some("专职"), "2023-01-01"),
            ],
        ),
        ("专职八", vec![(old_team, Some("专职"), "2023-01-01")]),
        // Left only after the year's end: still on the team on 2024-12-31.
        (
            "兼职九",
            vec![
                (u.service_team, Some("兼职"), "2022-01-01"),
                (u.service_team, None, "2025-03-01"),
            ],
        ),
    ] {
        let who = person(app, t, name, posts[0].0, &[]).await;
        for (unit, staff_type, start) in posts {
            appoint(app, t, who, unit, staff_type, start).await;
        }
        staff.push(who);
    }
    want.insert(
        "service_staff_fulltime",
        (json!(3), vec![staff[0], staff[1], staff[6]]),
    );
    want.insert(
        "service_staff_parttime",
        (json!(2), vec![staff[2], staff[8]]),
    );

    // The org tree as it stands: party organisations by type, those set up in enterprises and
    // the enterprises they cover. The base tree's two enterprise branches count too; work
    // groups and 党小组 never do, nor an enterprise without a party organisation.
    let firm = |name: &str| json!({ "name": name });
    let c = id(&app
        .post_ok(t, "/api/v1/enterprises", firm("丙材料有限公司"))
        .await);
    app.post_ok(t, "/api/v1/enterprises", firm("丁物流有限公司"))
        .await;
    let org = |name: &str, unit_type: &str, parent: i64, enterprise: Option<i64>| json!({"name": name, "unit_type": unit_type, "parent_id": parent, "enterprise_id": enterprise});
    let committee_c = id(&app
        .post_ok(
            t,
            "/api/v1/units",
            org("丙材料党委", "党委", u.committee, Some(c)),
        )
        .await);
    let general = id(&app
        .post_ok(
            t,
            "/api/v1/units",
            org("园区机关党总支", "党总支", u.committee, None),
        )
        .await);
    let joint = id(&app
        .post_ok(
            t,
            "/api/v1/units",
            org("小微企业联合党支部", "党支部", general, None),
        )
        .await);
    let branch_c = id(&app
        .post_ok(
            t,
            "/api/v1/units",
            org("丙材料第一党支部", "党支部", committee_c, Some(c)),
        )
        .await);
    let (a_unit, b_unit) = (u.branch_a, u.branch_b);
    want.insert(
        "party_organizations",
        (
            json!(6),
            vec![a_unit, b_unit, committee_c, general, joint, branch_c],
        ),
    );
    want.insert("party_committees", (json!(1), vec![committee_c]));
    want.insert("general_party_branches", (json!(1), vec![general]));
    want.insert(
        "party_branches",
        (json!(4), vec![a_unit, b_unit, joint, branch_c]),
    );
    want.insert("joint_party_branches", (json!(1), vec![joint]));
    want.insert(
        "enterprise_party_organizations",
        (json!(4), vec![a_unit, b_unit, committee_c, branch_c]),
    );
    want.insert(
        "enterprise_party_branches",
        (json!(3), vec![a_unit, b_unit, branch_c]),
    );
    let (e1, e2) = app.enterprises;
    want.insert(
        "enterprises_with_party_organization",
        (json!(3), vec![e1, e2, c]),
    );

    // Party members: joined by the year's end (or no date recorded); developed in the year by
    // 入党日期. A tag saying 党员 (志愿乙 above) does not make a member.
    let member = |name: &str, joined: Option<&str>| json!({"name": name, "unit_id": u.branch_a, "is_member": true, "member_type": "正式党员", "joined_on": joined});
    let mut members = Vec::new();
    for (name, joined) in [
        ("党员甲", Some("2010-07-01")),
        ("党员乙", Some("2024-06-15")),
        ("党员丙", Some("2025-01-20")),
        ("党员丁", None),
    ] {
        members.push(id(&app
            .post_ok(t, "/api/v1/people", member(name, joined))
            .await));
    }
    want.insert(
        "party_members",
        (json!(3), vec![members[0], members[1], members[3]]),
    );
    want.insert("members_developed", (json!(1), vec![members[1]]));

    // Key projects and the year's documents, for the template.
    recs(app, t, "project", json!({}), &[
        json!({"updated_on": "2023-05-01", "name": "新能源项目", "investment": 10, "stage": "前期准备"}),
        json!({"updated_on": "2024-06-01", "name": "新能源项目", "investment": 12.5, "stage": "开工建设"}),
        json!({"updated_on": "2025-02-01", "name": "新能源项目", "investment": 12.5, "stage": "竣工投产"}),
        json!({"updated_on": "2024-03-01", "name": "高端装备产业园", "investment": 30, "stage": "地勘环评"}),
    ])
    .await;
    // The annual plan's tasks: a top task and two sub-tasks, one done late; none overdue.
    let plan = id(&app
        .post_ok(
            t,
            "/api/v1/plans",
            json!({"year": 2024, "plan_kind": "task_list", "title": "2024年工作清单"}),
        )
        .await);
    let task =
        |body: serde_json::Value| async move { id(&app.post_ok(t, "/api/v1/tasks", body).await) };
    let top = task(json!({"plan_id": plan, "seq": "1", "content": "抓基层", "unit_id": app.units.committee, "deadline": "2024-12-31"})).await;
    let on_time = task(json!({"plan_id": plan, "parent_id": top, "seq": "1.1", "content": "甲", "unit_id": app.units.branch_a, "deadline": "2024-03-31"})).await;
    let late = task(json!({"plan_id": plan, "parent_id": top, "seq": "1.2", "content": "乙", "unit_id": app.units.branch_b, "deadline": "2024-04-30"})).await;
    for (task, day) in [
        (on_time, "2024-03-20"),
        (late, "2024-05-10"),
        (top, "2024-12-01"),
    ] {
        app.post_ok(
            t,
            &format!("/api/v1/tasks/{task}/progress"),
            json!({"status": "done", "note": "完成", "reported_on": day}),
        )
        .await;
    }
    want.insert("tasks_decomposed", (json!(2), vec![on_time, late]));
    want.insert("tasks_due", (json!(3), vec![top, on_time, late]));
    want.insert("tasks_completed_on_time", (json!(2), vec![top, on_time]));
    want.insert(
        "tasks_on_time_rate",
        (json!(66.7), vec![top, on_time, late]),
    );
    policy_fixtures(app, t, &mut want).await;
    recs(app, t, "document", json!({}), &[
        json!({"issued_on": "2024-01-15", "title": "《测试园区2024年党建工作清单》", "category": "工作清单"}),
        json!({"issued_on": "2024-01-10", "title": "测试园区2024年党建工作要点", "category": "工作要点"}),
        json!({"issued_on": "2023-01-10", "title": "测试园区2023年党建工作要点", "category": "工作要点"}),
        json!({"issued_on": "2024-02-10", "title": "安全生产应急预案", "category": "应急预案"}),
    ])
    .await;
    want
}

/// Policies pushed on days of 2023 and 2024 (the service called with those days, as the API
/// would have been then), one push read by the enterprise user (of e2).
async fn policy_fixtures(app: &TestApp, t: &str, want: &mut Expected) {
    use taizhang::policies::service::{self as policies, PushInput};
    let (e1, e2) = app.enterprises;
    let at = |day: &str| {
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc()
    };
    let principal = |login: &str| {
        let login = login.to_string();
        async move {
            let token = app.login(&login).await;
            taizhang::auth::service::authenticate(
                &app.db,
                &app.state.config,
                &token,
                crate::helpers::now(),
            )
            .await
            .unwrap()
            .unwrap()
        }
    };
    let office = principal("office").await;
    let policy = |title: &str| {
        let body = json!({"title": title, "level": "市", "issuer": "市工信局",
                          "issued_on": "2023-12-01", "summary": "扶持"});
        async move { id(&app.post_ok(t, "/api/v1/policies", body).await) }
    };
    let (a, b, c) = (
        policy("甲政策").await,
        policy("乙政策").await,
        policy("丙政策").await,
    );
    for (p, enterprises, day) in [
        (a, vec![e1, e2], "2024-05-10"),
        (b, vec![e1], "2023-12-20"),
        (c, vec![e2], "2024-09-01"),
    ] {
        let input = PushInput {
            mode: Some("exclusive".into()),
            enterprise_ids: enterprises,
        };
        policies::push(&app.db, &office, p, input, at(day))
            .await
            .unwrap();
    }
    let ent = principal("enterprise").await;
    policies::get(&app.db, &ent, a, at("2024-05-12"))
        .await
        .unwrap();
    let push_of = |p: i64, e: i64| async move {
        let detail = app.get(t, &format!("/api/v1/policies/{p}")).await.1;
        detail["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["enterprise_id"] == e)
            .map(id)
            .unwrap()
    };
    let (a1, a2, c2) = (
        push_of(a, e1).await,
        push_of(a, e2).await,
        push_of(c, e2).await,
    );
    let mut pushes = vec![a1, a2, c2];
    pushes.sort_unstable();
    let mut enterprises = vec![e1, e2];
    enterprises.sort_unstable();
    want.insert("policies_pushed", (json!(2), vec![a, c]));
    want.insert("policy_enterprises", (json!(2), enterprises));
    want.insert("policy_pushes", (json!(3), pushes.clone()));
    want.insert("policy_pushes_read", (json!(1), vec![a2]));
    want.insert("policy_read_rate", (json!(33.3), pushes));
}

#[tokio::test]
async fn every_metric_counts_exactly_the_records_it_should() {
    let app = TestApp::new().await;
    let want = fixtures(&app).await;
    let catalogue = MetricCatalogue::default_metrics();
    assert_eq!(
        want.len(),
        catalogue.metrics.len(),
        "a fixture for every metric"
    );

    let got = report::compute_all(&app.db, app.park_id, year_of(YEAR))
        .await
        .unwrap();
    let mut wrong = Vec::new();
    for m in &got.metrics {
        let (value, ids) = &want[m.id.as_str()];
        let actual = serde_json::to_value(m.value).unwrap();
        if &actual != value || &m.records != ids {
            wrong.push(format!(
                "{}: got {actual} {:?}, want {value} {ids:?}",
                m.id, m.records
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The benchmark's baseline, the bare aggregates, counts the same rows.
    let bare = report::bare_aggregates(&app.db, app.park_id, year_of(YEAR), &catalogue)
        .await
        .unwrap();
    for (m, (count, _, _)) in got.metrics.iter().zip(&bare) {
        assert_eq!(*count as usize, m.records.len(), "{}", m.id);
    }
}

#[tokio::test]
async fn json_holds_each_metric_with_its_records_and_last_year() {
    let app = TestApp::new().await;
    let want = fixtures(&app).await;
    let data = report::gather(
        &app.db,
        app.park_id,
        "测试园区",
        year_of(YEAR),
        &MetricCatalogue::default_metrics(),
    )
    .await
    .unwrap();
    let doc: Value = serde_json::from_str(
        &report::render(&data, &ReportTemplate::builtin(), Format::Json).unwrap(),
    )
    .unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["findings", "metrics", "park", "warnings", "year"]);
    assert_eq!(
        (doc["park"].clone(), doc["year"].clone()),
        (json!("测试园区"), json!(2024))
    );
    assert_eq!(doc["findings"], json!([]));
    let metrics = doc["metrics"].as_object().unwrap();
    assert_eq!(metrics.len(), want.len());
    for (id, (value, ids)) in &want {
        let m = &metrics[*id];
        let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["label", "records", "unit", "value"], "{id}");
        assert_eq!((&m["value"], &m["records"]), (value, &json!(ids)), "{id}");
    }
    assert_eq!(metrics["culture_plaza_area"]["unit"], "平方米");
    assert!(metrics["honors"]["value"].is_i64() && metrics["red_cycling_km"]["value"].is_f64());

    // Last year, from the same fixtures: one honour, the 2023 meeting's four items, ...
    let prev = |id: &str| data.metrics.get(id).unwrap().prev;
    assert_eq!(prev("honors"), Some(report::Number::Int(1)));
    assert_eq!(prev("agenda_items"), Some(report::Number::Int(4)));
    assert_eq!(prev("red_cycling_km"), Some(report::Number::Float(5.0)));
    assert_eq!(
        prev("culture_plaza_area"),
        Some(report::Number::Float(2000.0))
    );
    let yoy = ReportTemplate::new(
        "yoy.md",
        "荣誉{{ m.honors }}项，同比{{ m.honors | change }}。",
    );
    assert_eq!(
        report::render_markdown(&data, &yoy).unwrap(),
        "荣誉2项，同比增长100.0%。"
    );

    // Projects: the latest row of each up to the year's end; documents of the year only.
    let projects: Vec<(&str, f64, &str)> = data
        .projects
        .iter()
        .map(|p| (p.name.as_str(), p.investment, p.stage.as_str()))
        .collect();
    assert_eq!(
        projects,
        [
            ("高端装备产业园", 30.0, "地勘环评"),
            ("新能源项目", 12.5, "开工建设")
        ]
    );
    let titles: Vec<&str> = data.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        ["测试园区2024年党建工作要点", "测试园区2024年党建工作清单"]
    );
}

#[tokio::test]
async fn the_default_template_renders_the_year_with_every_figure_linked() {
    let app = TestApp::new().await;
    fixtures(&app).await;
    let data = report::gather(
        &app.db,
        app.park_id,
        "测试园区",
        year_of(YEAR),
        &MetricCatalogue::default_metrics(),
    )
    .await
    .unwrap();
    let md = report::render(&data, &ReportTemplate::builtin(), Format::Markdown).unwrap();
    for part in [
        "# 测试园区党工委2024年度述职报告",
        "制定印发《测试园区2024年党建工作要点》《测试园区2024年党建工作清单》",
        "专题研究党建工作1次",
        "面积约3500平方米",
        "新建红色骑行道3.5公里",
        "市级示范支部2个",
        "党员参与率为93.9%",
        "全年发生重大舆情1起，网络舆情",
        "全年发生群体性上访1起，矛盾纠纷",
        "谈心谈话4人次",
        "发放政策宣传资料4万余份",
        "- 高端装备产业园总投资30亿元，已进入地质勘察和环境影响评价阶段。",
        "专职人员3名、兼职人员2名",
        "园区共有基层党组织6个，其中党委1个、党总支1个、党支部4个（含联合党支部1个）；企业中建有党组织4个，其中企业党支部3个，3家企业建立了党组织。在册党员3名，年内发展党员1名。",
        "主要存在以下问题",
    ] {
        assert!(md.contains(part), "missing {part}:\n{md}");
    }
    assert!(report::render::find_placeholders(&md).is_empty());

    let html = report::render(&data, &ReportTemplate::builtin(), Format::Html).unwrap();
    let honors: Vec<String> = data
        .metrics
        .get("honors")
        .unwrap()
        .records
        .iter()
        .map(i64::to_string)
        .collect();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(&format!(
        "href=\"records?metric=honors&amp;year=2024\" data-metric=\"honors\" data-records=\"{}\"",
        honors.join(",")
    )),
        "{html}"
    );
    for m in &data.metrics.metrics {
        assert!(
            html.contains(&format!("data-metric=\"{}\"", m.id)),
            "{} is not linked",
            m.id
        );
    }
}

#[tokio::test]
async fn a_year_without_records_renders_zero_honestly() {
    let app = TestApp::new().await;
    let data = report::gather(
        &app.db,
        app.park_id,
        "测试园区",
        year_of(2030),
        &MetricCatalogue::default_metrics(),
    )
    .await
    .unwrap();
    for m in &data.metrics.metrics {
        // Units carry no date: the org tree stands as it is in every year (the base tree's
        // two enterprise branches and their two enterprises).
        let tree = [
            "party_organizations",
            "party_branches",
            "enterprise_party_organizations",
            "enterprise_party_branches",
            "enterprises_with_party_organization",
        ];
        let want = if tree.contains(&m.id.as_str()) {
            2.0
        } else {
            0.0
        };
        assert_eq!(m.value.as_f64(), want, "{}", m.id);
        assert_eq!(m.records.len(), want as usize, "{}", m.id);
    }
    let md = report::render_markdown(&data, &ReportTemplate::builtin()).unwrap();
    for part in [
        "专题研究党建工作0次",
        "党员参与率为0%",
        "帮助企业解决难题0个",
        "全年园区未发生重大舆情和群体性上访事件。",
        "尚未登记到文件台账",
        "重点项目台账中暂无项目记录",
        "未发现问题",
    ] {
        assert!(md.contains(part), "missing {part}:\n{md}");
    }
    let json = report::json::to_json(&data);
    assert_eq!(
        json["metrics"]["honors"],
        json!({"value": 0, "label": "获得上级各类荣誉", "unit": "项", "records": []})
    );
    assert_eq!(json["metrics"]["participation_rate"]["value"], json!(0.0));
}

#[tokio::test]
async fn the_service_team_defaults_to_the_yuanxiaoer_work_group() {
    let app = TestApp::empty().await;
    let t = &app.as_role("office").await;
    let unit = |name: &str, parent: Option<i64>| json!({"name": name, "unit_type": "工作组", "parent_id": parent});
    let team = id(&app
        .post_ok(t, "/api/v1/units", unit("青峰园小二服务队", None))
        .await);
    let group = id(&app
        .post_ok(t, "/api/v1/units", unit("企业服务组", Some(team)))
        .await);
    let other = id(&app
        .post_ok(t, "/api/v1/units", unit("招商工作组", None))
        .await);
    let a = person(&app, t, "甲", team, &[]).await;
    appoint(&app, t, a, team, Some("专职"), "2024-01-01").await;
    let b = person(&app, t, "乙", group, &[]).await;
    appoint(&app, t, b, group, Some("专职"), "2024-01-01").await;
    let c = person(&app, t, "丙", other, &[]).await;
    appoint(&app, t, c, other, Some("专职"), "2024-01-01").await;
    let got = report::compute_all(&app.db, app.park_id, year_of(YEAR))
        .await
        .unwrap();
    let full = got.get("service_staff_fulltime").unwrap();
    assert_eq!(
        (full.value, full.records.clone()),
        (report::Number::Int(2), vec![a, b])
    );
}

/// One part of a DOCX package, as text.
fn docx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("no {name} in the package"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The DOCX of the fixtures' 2024 report, its `word/document.xml` compared with the checked-in
/// snapshot. After an intended change, rewrite the snapshot with
/// `UPDATE_SNAPSHOTS=1 cargo test --test it docx` and review the diff.
#[tokio::test]
async fn the_docx_report_matches_its_snapshot_and_the_official_layout() {
    let app = TestApp::new().await;
    fixtures(&app).await;
    let mut data = report::gather(
        &app.db,
        app.park_id,
        "测试园区",
        year_of(YEAR),
        &MetricCatalogue::default_metrics(),
    )
    .await
    .unwrap();
    data.causes = "一是制度执行不够严格。二是台账登记不够及时。".into();
    let bytes = report::render_docx(&data, &ReportTemplate::builtin()).unwrap();
    let document = docx_part(&bytes, "word/document.xml");

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/snapshots/report_2024_document.xml");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &document).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot at {}; write it with UPDATE_SNAPSHOTS=1 cargo test --test it docx",
            path.display()
        )
    });
    if document != snapshot {
        let line = document
            .lines()
            .zip(snapshot.lines())
            .position(|(a, b)| a != b)
            .map_or(
                document.lines().count().min(snapshot.lines().count()),
                |i| i,
            );
        panic!(
            "word/document.xml differs from {} at line {}:\n got: {}\nwant: {}\n\
             (after an intended change: UPDATE_SNAPSHOTS=1 cargo test --test it docx)",
            path.display(),
            line + 1,
            document.lines().nth(line).unwrap_or("<end>"),
            snapshot.lines().nth(line).unwrap_or("<end>"),
        );
    }

    // Structure, independently of the snapshot: the page, the styles each heading level
    // takes, the fonts and the footers' page field.
    assert!(document.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(document
        .contains("<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
    assert!(document.contains("w:linePitch=\"579\""));
    let style_of = |text: &str| {
        let at = document
            .find(&format!(">{text}</w:t>"))
            .unwrap_or_else(|| panic!("no {text}"));
        let p = document[..at].rfind("<w:p>").unwrap();
        let style = &document[p..at];
        let from = style.find("<w:pStyle w:val=\"").unwrap() + 17;
        style[from..from + style[from..].find('"').unwrap()].to_string()
    };
    assert_eq!(style_of("测试园区党工委2024年度述职报告"), "Title");
    assert_eq!(style_of("一、履职工作特色和亮点"), "Heading1");
    assert_eq!(
        style_of("（一）旗帜鲜明讲政治，把牢园区发展方向"),
        "Heading2"
    );
    assert_eq!(
        style_of("高端装备产业园总投资30亿元，已进入地质勘察和环境影响评价阶段。"),
        "Normal"
    );
    assert_eq!(
        document.matches("<w:r>").count(),
        document.matches("w:eastAsia=").count(),
        "every run names its East Asian font"
    );
    assert!(!document.contains("**") && !document.contains("{{"));
    let styles = docx_part(&bytes, "word/styles.xml");
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"] {
        assert!(styles.contains(&format!("w:eastAsia=\"{font}\"")), "{font}");
    }
    for footer in ["word/footer1.xml", "word/footer2.xml"] {
        let xml = docx_part(&bytes, footer);
        assert!(xml.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"));
        assert!(xml.contains(">— </w:t>") && xml.contains("> —</w:t>"));
        assert!(xml.contains("w:eastAsia=\"宋体\"") && xml.contains("<w:sz w:val=\"28\"/>"));
    }
    assert!(docx_part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
}

fn taizhang(app: &TestApp) -> std::process::Command {
    app.command()
}

#[tokio::test]
async fn the_command_line_writes_each_format() {
    let app = TestApp::new().await;
    let want = fixtures(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let run = taizhang(&app)
        .args([
            "--park",
            "测试园区",
            "report",
            "--year",
            "2024",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["metrics"]["brochures"]["value"], want["brochures"].0);

    let run = taizhang(&app)
        .args(["report", "--year", "2024", "--format", "html"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("records?metric=honors&amp;year=2024"));

    let docx = dir.path().join("report.docx");
    let run = taizhang(&app)
        .args(["report", "--year", "2024", "--format", "docx", "--out"])
        .arg(&docx)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let document = docx_part(&std::fs::read(&docx).unwrap(), "word/document.xml");
    assert!(document.contains(">测试园区党工委2024年度述职报告</w:t>"));

    let broken = dir.path().join("broken.md");
    std::fs::write(&broken, "# 标题\n\n共计XX项\n").unwrap();
    let refused = dir.path().join("refused.docx");
    let run = taizhang(&app)
        .args(["report", "--year", "2024", "--format", "docx", "--template"])
        .arg(&broken)
        .arg("--out")
        .arg(&refused)
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("未替换的占位符"));
    assert!(!refused.exists(), "nothing half-written");

    let template = dir.path().join("bad.md");
    std::fs::write(&template, "第一行\n共{{ m.honours }}项\n").unwrap();
    let md = dir.path().join("report.md");
    let run = taizhang(&app)
        .args(["report", "--year", "2024", "--template"])
        .arg(&template)
        .arg("--out")
        .arg(&md)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("“bad.md”第 2 行引用了不存在的指标“honours”"),
        "{stderr}"
    );
    assert!(!md.exists(), "nothing half-written");
}

/// A 人员名册 says who holds a post, not since when: staff imported today count for last
/// year's report too.
#[tokio::test]
async fn staff_imported_from_a_roster_count_for_an_earlier_report_year() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("人员名册").unwrap();
    let rows = [
        ["姓名", "所在单位", "人员类型", "标签", "职务"],
        ["周一", "园小二服务团队", "专职", "", "组员"],
        ["吴二", "园小二服务团队", "兼职", "志愿者", "组员"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save(&path).unwrap();
    let run = |args: &[&str]| app.command().args(args).output().unwrap();
    let out = run(&["import", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["report", "--year", "2024", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["metrics"]["service_staff_fulltime"]["value"], 1);
    assert_eq!(report["metrics"]["service_staff_parttime"]["value"], 1);
    assert_eq!(report["metrics"]["volunteers"]["value"], 1);
}
