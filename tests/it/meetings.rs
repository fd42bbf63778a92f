//! Meetings recorded from the roster (参会人员, 缺席人员 checked against the unit's party
//! members, 应到/实到 counted from them) and members signing in on a phone through the meeting's
//! QR code: a code for that meeting only, for two hours, the phone's last four digits checked
//! and a person locked out after five wrong tries.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{form_body, id, TestApp};
use crate::web::{send, sign_in, Answer};

/// 甲科技党支部: 张三 (secretary), 李四; its 第一党小组: 王五; 乙制造党支部: 赵六. Returns
/// the person ids in that order.
pub(crate) async fn roster(app: &TestApp) -> Vec<i64> {
    let office = app.login("office").await;
    let mut ids = Vec::new();
    for (name, phone, unit) in [
        ("张三", "13800001111", app.units.branch_a),
        ("李四", "13800002222", app.units.branch_a),
        ("王五", "13800003333", app.units.group_a1),
        ("赵六", "13800004444", app.units.branch_b),
    ] {
        let p = app
            .post_ok(
                &office,
                "/api/v1/people",
                json!({"name": name, "phone": phone, "unit_id": unit, "member_type": "正式党员"}),
            )
            .await;
        ids.push(id(&p));
    }
    ids
}

fn committee_meeting(fields: Value) -> Value {
    let mut all = json!({"date": "2025-06-10", "meeting_type": "支部委员会",
        "name": "六月支部委员会", "org_unit": "甲科技党支部", "place": "党员活动室",
        "host": "张三", "topics": "学习贯彻会议精神", "content": "传达学习……"});
    for (k, v) in fields.as_object().expect("object") {
        all[k] = v.clone();
    }
    json!({"kind": "meeting", "fields": all})
}

/// The messages of a 422 answer by field.
fn refusals(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn records_count(app: &TestApp) -> i64 {
    let office = app.login("office").await;
    let (_, list) = app.get(&office, "/api/v1/records?kind=meeting").await;
    list["total"].as_i64().expect("total")
}

#[tokio::test]
async fn attendance_from_the_roster_counts_expected_and_attended() {
    let app = TestApp::new().await;
    roster(&app).await;
    let secretary = app.login("branch_secretary").await;
    let (status, saved) = app
        .post(
            &secretary,
            "/api/v1/records",
            committee_meeting(json!({
                "attendees": "张三，李四、王五",
                "absentees": "",
                "recorder": "李四",
                "expected": 9, "attended": 1,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    // 王五 is in the branch's 党小组: the roster takes in the sub-units.
    assert_eq!(saved["fields"]["attendees"], "张三、李四、王五");
    assert_eq!(
        saved["fields"]["expected"], 3,
        "typed counts give way to the names"
    );
    assert_eq!(saved["fields"]["attended"], 3);

    let (status, with_absence) = app
        .post(
            &secretary,
            "/api/v1/records",
            committee_meeting(
                json!({"attendees": "张三、李四", "absentees": "王五(病假)", "recorder": "张三"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{with_absence}");
    assert_eq!(with_absence["fields"]["absentees"], "王五（病假）");
    assert_eq!(with_absence["fields"]["expected"], 3);
    assert_eq!(with_absence["fields"]["attended"], 2);

    // History without names keeps its typed counts.
    let (status, typed) = app
        .post(
            &secretary,
            "/api/v1/records",
            committee_meeting(json!({"expected": 7, "attended": 6})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{typed}");
    assert_eq!(typed["fields"]["expected"], 7);
    assert_eq!(typed["fields"]["attended"], 6);
}

#[tokio::test]
async fn each_bad_attendance_is_refused_at_its_field_and_nothing_is_saved() {
    let app = TestApp::new().await;
    roster(&app).await;
    let office = app.login("office").await;
    let before = records_count(&app).await;
    let cases = [
        // 赵六 is a member of another branch; 钱七 of none.
        (
            json!({"attendees": "张三、赵六、钱七"}),
            "attendees",
            "花名册中找不到：赵六、钱七",
        ),
        (
            json!({"attendees": "张三、李四", "absentees": "李四（事假）"}),
            "absentees",
            "李四 同时列在参会人员和缺席人员中",
        ),
        (
            json!({"attendees": "张三、李四", "recorder": "王五"}),
            "recorder",
            "记录人“王五”不在参会人员中",
        ),
        (
            json!({"attendees": "张三", "absentees": "王五"}),
            "absentees",
            "未注明缺席原因",
        ),
        (
            json!({"attendees": "张三、张三"}),
            "attendees",
            "“张三”重复出现",
        ),
    ];
    for (fields, field, message) in cases {
        let (status, body) = app
            .post(
                &office,
                "/api/v1/records",
                committee_meeting(fields.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}: {body}");
        let errors = refusals(&body);
        assert!(
            errors
                .iter()
                .any(|(f, m)| f == field && m.contains(message)),
            "{fields}: {errors:?}"
        );
    }
    assert_eq!(records_count(&app).await, before, "nothing half-saved");

    // The form shows the message at the field and keeps what was typed.
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let page = b
        .post(
            "/ledger/meeting/new",
            &[
                ("_csrf", &csrf),
                ("date", "2025-06-10"),
                ("meeting_type", "支部委员会"),
                ("name", "六月支部委员会"),
                ("org_unit", "甲科技党支部"),
                ("attendees", "张三、钱七"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("花名册中找不到：钱七"), "{}", page.body);
    assert!(page.body.contains("张三、钱七"), "{}", page.body);
}

/// The secretary's QR page: the sign-in link it shows.
async fn sign_in_link(app: &TestApp, meeting: i64) -> String {
    let b = sign_in(app, "branch_secretary").await;
    let page = b.get(&format!("/records/{meeting}/signin")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<svg"),
        "the QR code is drawn on the server"
    );
    let body = page.body.replace("&#x2f;", "/").replace("&amp;", "&");
    let at = body.find("<code>http").expect("link") + 6;
    let rest = &body[at..];
    let link = &rest[..rest.find('<').expect("end of link")];
    // The path, as a phone opening the link asks for it.
    link[link.find("/signin/").expect("path")..].to_owned()
}

async fn public_get(app: &TestApp, path: &str) -> Answer {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {body}"))
        + marker.len();
    body[at..at + body[at..].find('"').unwrap()].to_owned()
}

async fn public_post(app: &TestApp, meeting: i64, pairs: &[(&str, &str)]) -> Answer {
    let req = Request::post(format!("/signin/{meeting}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(pairs)))
        .unwrap();
    send(app, req).await
}

/// Posts the phone page's form: the code and form token it was handed, a person and the last
/// four digits typed.
async fn sign_in_with(
    app: &TestApp,
    meeting: i64,
    (code, form): (&str, &str),
    person: &str,
    last4: &str,
) -> Answer {
    let pairs = [
        ("code", code),
        ("form", form),
        ("person", person),
        ("last4", last4),
    ];
    public_post(app, meeting, &pairs).await
}

async fn a_meeting(app: &TestApp) -> i64 {
    let secretary = app.login("branch_secretary").await;
    let m = app
        .post_ok(
            &secretary,
            "/api/v1/records",
            committee_meeting(
                json!({"attendees": "张三", "recorder": "张三", "absentees": "李四（公出）"}),
            ),
        )
        .await;
    id(&m)
}

#[tokio::test]
async fn a_member_signs_in_with_the_last_four_digits_of_their_phone() {
    let mut app = TestApp::new().await;
    let people = roster(&app).await;
    let meeting = a_meeting(&app).await;
    let link = sign_in_link(&app, meeting).await;
    let page = public_get(&app, &link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("name=\"viewport\""));
    assert!(page.body.contains("李四") && page.body.contains("王五"));
    assert!(
        !page.body.contains("赵六"),
        "another branch's member is not offered"
    );
    assert!(!page.body.contains("2222"), "no phone on the page");
    let code = hidden(&page.body, "code");
    let form = hidden(&page.body, "form");
    let li = people[1].to_string();

    // Without the form token bound to the code: refused.
    let forged = public_post(
        &app,
        meeting,
        &[
            ("code", &code),
            ("form", "x"),
            ("person", &li),
            ("last4", "2222"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);

    let wrong = sign_in_with(&app, meeting, (&code, &form), &li, "1234").await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("还可尝试 4 次"), "{}", wrong.body);

    app.state.clock =
        taizhang::web::Clock::Fixed(crate::helpers::now() + chrono::Duration::minutes(30));
    let right = sign_in_with(&app, meeting, (&code, &form), &li, "2222").await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert!(right.body.contains("李四，签到成功"), "{}", right.body);

    let office = app.login("office").await;
    let (_, rec) = app
        .get(&office, &format!("/api/v1/records/{meeting}"))
        .await;
    assert_eq!(rec["fields"]["attendees"], "张三、李四");
    assert!(rec["fields"].get("absentees").is_none(), "{rec}");
    assert_eq!(rec["fields"]["expected"], 2);
    assert_eq!(rec["fields"]["attended"], 2);
    // The time is kept and shown to the secretary.
    let b = sign_in(&app, "branch_secretary").await;
    let sheet = b.get(&format!("/records/{meeting}/attendance")).await;
    assert!(sheet.body.contains("06-15 18:30 扫码"), "{}", sheet.body);
}

#[tokio::test]
async fn a_code_out_of_its_window_or_for_another_meeting_is_refused() {
    let mut app = TestApp::new().await;
    let people = roster(&app).await;
    let meeting = a_meeting(&app).await;
    let other = a_meeting(&app).await;
    let link = sign_in_link(&app, meeting).await;
    let page = public_get(&app, &link).await;
    let (code, form) = (hidden(&page.body, "code"), hidden(&page.body, "form"));

    let elsewhere = public_get(
        &app,
        &link.replace(&format!("/signin/{meeting}?"), &format!("/signin/{other}?")),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    assert!(
        elsewhere.body.contains("属于另一次会议"),
        "{}",
        elsewhere.body
    );
    let li = people[1].to_string();
    let posted = sign_in_with(&app, other, (&code, &form), &li, "2222").await;
    assert_eq!(posted.status, StatusCode::BAD_REQUEST);

    let tampered = public_get(&app, &link.replace("code=", "code=9")).await;
    assert_eq!(tampered.status, StatusCode::BAD_REQUEST);
    assert!(tampered.body.contains("签到码无效"), "{}", tampered.body);

    app.state.clock =
        taizhang::web::Clock::Fixed(crate::helpers::now() + chrono::Duration::hours(2));
    let late = public_get(&app, &link).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.body.contains("签到码已过期"), "{}", late.body);
    let posted = sign_in_with(&app, meeting, (&code, &form), &li, "2222").await;
    assert_eq!(posted.status, StatusCode::BAD_REQUEST);
    assert!(posted.body.contains("签到码已过期"), "{}", posted.body);
}

#[tokio::test]
async fn five_wrong_phones_lock_that_person_out_of_that_meeting() {
    let app = TestApp::new().await;
    let people = roster(&app).await;
    let meeting = a_meeting(&app).await;
    let link = sign_in_link(&app, meeting).await;
    let page = public_get(&app, &link).await;
    let (code, form) = (hidden(&page.body, "code"), hidden(&page.body, "form"));
    let wang = people[2].to_string();
    for left in (0..5).rev() {
        let a = sign_in_with(&app, meeting, (&code, &form), &wang, "0000").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        if left > 0 {
            assert!(
                a.body.contains(&format!("还可尝试 {left} 次")),
                "{}",
                a.body
            );
        }
    }
    let locked = sign_in_with(&app, meeting, (&code, &form), &wang, "3333").await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(locked.body.contains("已锁定"), "{}", locked.body);
    assert!(!locked.body.contains("3333"), "the phone is never echoed");
    let office = app.login("office").await;
    let (_, rec) = app
        .get(&office, &format!("/api/v1/records/{meeting}"))
        .await;
    assert_eq!(
        rec["fields"]["attendees"], "张三",
        "the locked person was not signed in"
    );
    // Another person of the same meeting is not locked.
    let li = people[1].to_string();
    let right = sign_in_with(&app, meeting, (&code, &form), &li, "2222").await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
}

#[tokio::test]
async fn the_secretary_ticks_names_from_the_roster_and_each_gets_a_time() {
    let app = TestApp::new().await;
    let people = roster(&app).await;
    let meeting = a_meeting(&app).await;
    let b = sign_in(&app, "branch_secretary").await;
    let sheet = b.get(&format!("/records/{meeting}/attendance")).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    assert!(!sheet.body.contains("赵六"), "only the branch's roster");
    let version = hidden(&sheet.body, "version");
    let csrf = b.csrf().await;
    let [zhang, li, wang] = [people[0], people[1], people[2]].map(|p| format!("m{p}"));
    let saved = b
        .post(
            &format!("/records/{meeting}/attendance"),
            &[
                ("_csrf", &csrf),
                ("version", &version),
                (&zhang, "present"),
                (&li, "present"),
                (&wang, "absent:事假"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let office = app.login("office").await;
    let (_, rec) = app
        .get(&office, &format!("/api/v1/records/{meeting}"))
        .await;
    assert_eq!(rec["fields"]["attendees"], "张三、李四");
    assert_eq!(rec["fields"]["absentees"], "王五（事假）");
    assert_eq!(
        (
            rec["fields"]["expected"].as_i64(),
            rec["fields"]["attended"].as_i64()
        ),
        (Some(3), Some(2))
    );
    let sheet = b
        .get(&format!("/records/{meeting}/attendance?saved=1"))
        .await;
    assert_eq!(
        sheet.body.matches(" 登记</td>").count(),
        2,
        "{}",
        sheet.body
    );

    // A person of another branch cannot be slipped in by id; the stale version is a conflict.
    let outsider = format!("m{}", people[3]);
    let refused = b
        .post(
            &format!("/records/{meeting}/attendance"),
            &[
                ("_csrf", &csrf),
                ("version", &hidden(&sheet.body, "version")),
                (&outsider, "present"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let stale = b
        .post(
            &format!("/records/{meeting}/attendance"),
            &[("_csrf", &csrf), ("version", &version), (&zhang, "present")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    // The unit's other branch secretary… there is none; a leader may look but not tick.
    let leader = sign_in(&app, "leader").await;
    let look = leader.get(&format!("/records/{meeting}/attendance")).await;
    assert_eq!(look.status, StatusCode::OK);
    assert!(!look.body.contains("保存参会登记"));
    let qr = leader.get(&format!("/records/{meeting}/signin")).await;
    assert_eq!(qr.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_import_checks_every_name_against_the_roster() {
    let app = TestApp::new().await;
    roster(&app).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("会议台账").unwrap();
    let header = [
        "日期",
        "会议类型",
        "会议名称",
        "组织单位",
        "参会人员",
        "缺席人员",
        "记录人",
    ];
    let rows = [
        [
            "2025-05-06",
            "支部委员会",
            "五月支委会",
            "甲科技党支部",
            "张三、李四",
            "王五（病假）",
            "李四",
        ],
        [
            "2025-05-20",
            "支部党员大会",
            "五月党员大会",
            "甲科技党支部",
            "张三、钱七、赵六",
            "",
            "张三",
        ],
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let result = taizhang::excel::import::run(
        &app.db,
        app.park_id,
        &taizhang::audit::Actor::system(),
        "会议.xlsx",
        bytes,
        &taizhang::excel::import::ImportOptions::default(),
        crate::helpers::now(),
    )
    .await;
    let report = match result {
        Err(taizhang::excel::ExcelError::Invalid(report)) => report,
        Err(e) => panic!("expected a report of errors, got {e}"),
        Ok(r) => panic!("expected errors, imported {:?}", r.sheets),
    };
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        ["会议台账 第3行 E列（参会人员）：花名册中找不到：钱七、赵六（须是甲科技党支部及其下属党组织的党员）"],
        "every unknown name, with its sheet, row and column"
    );
    assert_eq!(records_count(&app).await, 0, "all or nothing");
}

#[tokio::test]
async fn a_meeting_prints_as_its_minutes() {
    let app = TestApp::new().await;
    roster(&app).await;
    let meeting = a_meeting(&app).await;
    let b = sign_in(&app, "leader").await;
    let page = b.get(&format!("/records/{meeting}")).await;
    assert!(page.body.contains("打印会议记录"), "{}", page.body);
    let docx = b.get(&format!("/records/{meeting}/minutes")).await;
    assert_eq!(docx.status, StatusCode::OK, "{}", docx.body);
    assert!(docx.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.body_bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    for text in [
        "会议记录",
        "地点：党员活动室",
        "主持人：张三",
        "记录人：张三",
        "参会人员：张三",
        "缺席人员：李四（公出）",
        "应到人数：2",
        "实到人数：1",
        "学习贯彻会议精神",
    ] {
        assert!(xml.contains(text), "{text}");
    }
    let bad = b
        .get(&format!("/records/{meeting}/minutes?format=odt"))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // A record out of reach answers as a missing one.
    let enterprise = sign_in(&app, "enterprise").await;
    let hidden = enterprise.get(&format!("/records/{meeting}/minutes")).await;
    assert!(
        matches!(hidden.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        hidden.status
    );
}

/// A sign-in the record itself refuses (someone it names has since left the unit's roster) is
/// said on the phone page, never a silent form.
#[tokio::test]
async fn a_sign_in_the_record_refuses_is_said_on_the_page() {
    let app = TestApp::new().await;
    let people = roster(&app).await;
    let meeting = a_meeting(&app).await;
    let office = app.login("office").await;
    let (status, moved) = app
        .put(
            &office,
            &format!("/api/v1/people/{}", people[0]),
            json!({"name": "张三", "unit_id": app.units.branch_b, "member_type": "正式党员"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let link = sign_in_link(&app, meeting).await;
    let page = public_get(&app, &link).await;
    let (code, form) = (hidden(&page.body, "code"), hidden(&page.body, "form"));
    let li = people[1].to_string();
    let a = sign_in_with(&app, meeting, (&code, &form), &li, "2222").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains("花名册中找不到：张三"), "{}", a.body);
    assert!(a.body.contains("请会议记录人为您登记"), "{}", a.body);
    let (_, rec) = app
        .get(&office, &format!("/api/v1/records/{meeting}"))
        .await;
    assert_eq!(rec["fields"]["attendees"], "张三", "nothing written");
    // The right phone was no wrong try: the next one still has all five.
    let wrong = sign_in_with(&app, meeting, (&code, &form), &li, "1111").await;
    assert!(wrong.body.contains("还可尝试 4 次"), "{}", wrong.body);
}
