//! The 企业难题 and 意见建议 ledgers, replaced by enterprise requests (企业诉求), take nothing
//! new: the API, the forms, the import template and the Excel import refuse them with the
//! catalogue's message saying where to go instead, and nothing is written. Their old records stay
//! readable, but cannot be changed or restored.

use axum::http::{Method, StatusCode};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};
use taizhang::audit::Actor;
use taizhang::excel::import::{self, ImportOptions};
use taizhang::excel::ExcelError;

use crate::helpers::{now, TestApp};
use crate::web::sign_in;

const PROBLEM_MOVED: &str = "企业难题已改为在“企业诉求”中登记：请到 企业诉求 → 新建诉求";
const SUGGESTION_MOVED: &str = "意见建议已改为在“企业诉求”中登记：请到 企业诉求 → 新建诉求";

fn problem() -> Value {
    json!({"accepted_on": "2025-03-01", "enterprise": "甲科技有限公司", "problem_category": "用工", "description": "招工难"})
}

fn suggestion() -> Value {
    json!({"date": "2025-03-01", "source": "座谈会", "enterprise": "甲科技有限公司", "content": "增开园区班车"})
}

/// Records of `kind`, deleted or not.
async fn count(app: &TestApp, kind: &str) -> i64 {
    taizhang::on_db!(&app.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE park_id = $1 AND kind = $2"
    )
    .bind(app.park_id)
    .bind(kind)
    .fetch_one(pool)
    .await)
    .unwrap()
}

/// A live 企业难题 record as one made before the kind was closed, of 甲科技有限公司.
async fn old_problem(app: &TestApp) -> i64 {
    old_problem_of(app, app.enterprises.0).await
}

/// A live 企业难题 record of enterprise `enterprise`, as one made before the kind was closed.
pub(crate) async fn old_problem_of(app: &TestApp, enterprise: i64) -> i64 {
    let fields = problem().to_string();
    taizhang::on_db!(&app.db, |pool| sqlx::query_scalar(
        "INSERT INTO records (park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, \
         search_text, created_by, created_at, updated_at) \
         VALUES ($1, 'enterprise_problem', $2, NULL, $3, '招工难', $4, '招工难', NULL, $5, $5) \
         RETURNING id"
    )
    .bind(app.park_id)
    .bind(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
    .bind(enterprise)
    .bind(&fields)
    .bind(now())
    .fetch_one(pool)
    .await)
    .unwrap()
}

#[tokio::test]
async fn the_api_refuses_new_records_of_the_closed_kinds_saying_where_to_go() {
    let app = TestApp::new().await;
    for (kind, fields, moved) in [
        ("enterprise_problem", problem(), PROBLEM_MOVED),
        ("suggestion", suggestion(), SUGGESTION_MOVED),
    ] {
        for role in ["office", "branch_secretary", "service_staff", "enterprise"] {
            let token = app.as_role(role).await;
            let (status, body) = app
                .post(
                    &token,
                    "/api/v1/records",
                    json!({"kind": kind, "fields": fields}),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{role} {kind}: {body}");
            assert_eq!(body["error"]["message"], moved, "{role} {kind}: {body}");
        }
        // A role that may not write the kind is refused as before.
        let token = app.as_role("leader").await;
        let (status, _) = app
            .post(
                &token,
                "/api/v1/records",
                json!({"kind": kind, "fields": fields}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{kind}");
        assert_eq!(count(&app, kind).await, 0, "{kind}: nothing written");
    }
}

#[tokio::test]
async fn an_old_record_of_a_closed_kind_is_read_but_neither_changed_nor_restored() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let id = old_problem(&app).await;
    let path = format!("/api/v1/records/{id}");
    let (status, rec) = app.get(&office, &path).await;
    assert_eq!(status, StatusCode::OK, "{rec}");
    let (status, body) = app
        .put(
            &office,
            &path,
            json!({"version": rec["version"], "fields": problem()}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["message"], PROBLEM_MOVED);
    // Taking it off the books is still allowed; bringing it back is not.
    let (status, _) = app.call(Method::DELETE, &path, Some(&office), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(&office, &format!("{path}/restore"), json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["message"], PROBLEM_MOVED);
    let (_, after) = app.get(&office, &path).await;
    assert_eq!(after["deleted"], true, "{after}");
    let (status, body) = app
        .put(
            &office,
            &path,
            json!({"version": after["version"], "fields": problem()}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["message"], PROBLEM_MOVED, "{body}");
}

#[tokio::test]
async fn the_forms_and_the_template_of_a_closed_kind_are_refused() {
    let app = TestApp::new().await;
    let id = old_problem(&app).await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    for (kind, moved, typed) in [
        (
            "enterprise_problem",
            PROBLEM_MOVED,
            [
                ("accepted_on", "2025-03-01"),
                ("enterprise", "甲科技有限公司"),
                ("problem_category", "用工"),
                ("description", "招工难"),
            ],
        ),
        (
            "suggestion",
            SUGGESTION_MOVED,
            [
                ("date", "2025-03-01"),
                ("source", "座谈会"),
                ("enterprise", "甲科技有限公司"),
                ("content", "增开园区班车"),
            ],
        ),
    ] {
        let form = b.get(&format!("/ledger/{kind}/new")).await;
        assert_eq!(form.status, StatusCode::CONFLICT, "{kind}");
        assert!(form.body.contains(moved), "{}", form.body);
        let mut pairs = vec![("_csrf", csrf.as_str())];
        pairs.extend(typed);
        let saved = b.post(&format!("/ledger/{kind}/new"), &pairs).await;
        assert_eq!(saved.status, StatusCode::CONFLICT, "{kind}");
        assert!(saved.body.contains(moved), "{}", saved.body);
        let template = b.get(&format!("/ledger/{kind}/template")).await;
        assert_eq!(template.status, StatusCode::CONFLICT, "{kind}");
        assert!(template.body.contains(moved), "{kind}");
        // The list stays readable, says where to go and offers no writing.
        let list = b.get(&format!("/ledger/{kind}")).await;
        assert_eq!(list.status, StatusCode::OK, "{kind}");
        assert!(list.body.contains(moved), "{kind}");
        let body = list.body.replace("&#x2f;", "/");
        assert!(!body.contains(&format!("/ledger/{kind}/new")), "{kind}");
        assert!(!body.contains("下载导入模板"), "{kind}");
        assert!(body.contains("导出 Excel"), "{kind}");
    }
    assert_eq!(count(&app, "suggestion").await, 0);
    assert_eq!(count(&app, "enterprise_problem").await, 1);
    // The old record: shown with the message, its edit form refused.
    let detail = b.get(&format!("/records/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains(PROBLEM_MOVED) && detail.body.contains("招工难"));
    assert!(!detail.body.replace("&#x2f;", "/").contains("/edit\""));
    let edit = b.get(&format!("/records/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
    let edited = b
        .post(
            &format!("/records/{id}/edit"),
            &[
                ("_csrf", &csrf),
                ("_version", "1"),
                ("accepted_on", "2025-03-01"),
                ("enterprise", "甲科技有限公司"),
                ("problem_category", "用工"),
                ("description", "改过的描述"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::CONFLICT);
    assert!(edited.body.contains(PROBLEM_MOVED));
    let office = app.login("office").await;
    let (_, rec) = app.get(&office, &format!("/api/v1/records/{id}")).await;
    assert_eq!(rec["fields"]["description"], "招工难", "{rec}");
}

/// A workbook of a meeting and a 企业难题台账 / 意见建议台账 sheet with `closed_rows` rows.
fn book(closed_sheet: &str, closed_rows: usize) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("会议台账").unwrap();
    for (c, v) in ["日期", "会议类型", "会议名称", "组织单位"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["2024-03-05", "党课", "三月党课", "园区党工委"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name(closed_sheet).unwrap();
    let (head, row): (&[&str], &[&str]) = if closed_sheet == "企业难题台账" {
        (
            &["受理日期", "企业", "问题类别", "问题描述"],
            &["2024-05-01", "甲科技有限公司", "用工", "招工难"],
        )
    } else {
        (
            &["日期", "来源", "企业", "内容"],
            &["2024-05-01", "座谈会", "甲科技有限公司", "增开园区班车"],
        )
    };
    for (c, v) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for r in 0..closed_rows {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(
    app: &TestApp,
    bytes: Vec<u8>,
) -> Result<taizhang::excel::ImportReport, ExcelError> {
    import::run(
        &app.db,
        app.park_id,
        &Actor::system(),
        "台账.xlsx",
        bytes,
        &ImportOptions::default(),
        now(),
    )
    .await
}

#[tokio::test]
async fn an_import_with_rows_of_a_closed_kind_is_refused_and_writes_nothing() {
    let app = TestApp::new().await;
    for (sheet, kind, moved) in [
        ("企业难题台账", "enterprise_problem", PROBLEM_MOVED),
        ("意见建议台账", "suggestion", SUGGESTION_MOVED),
    ] {
        let report = match import(&app, book(sheet, 3)).await {
            Err(ExcelError::Invalid(report)) => report,
            Err(e) => panic!("expected a report of errors, got {e}"),
            Ok(r) => panic!("expected errors, imported {:?}", r.sheets),
        };
        assert_eq!(
            report.errors.len(),
            1,
            "one error for the sheet: {report:?}"
        );
        let error = report.errors[0].to_string();
        assert!(error.starts_with(sheet) && error.contains(moved), "{error}");
        assert_eq!(count(&app, kind).await, 0, "{kind}");
        assert_eq!(count(&app, "meeting").await, 0, "all or nothing");
    }
    // An empty sheet of the kind, as the old template had it, is read as nothing to import.
    let report = import(&app, book("企业难题台账", 0))
        .await
        .expect("the meeting imports");
    assert!(report.committed);
    assert_eq!(count(&app, "meeting").await, 1);
    assert_eq!(count(&app, "enterprise_problem").await, 0);
}
