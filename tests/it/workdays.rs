//! 工作日历: the 党建办 enters a year that ships no table, deadlines then follow it; a mistaken
//! table is refused at its lines with what was typed kept; clearing it goes back to the
//! shipped table or Monday–Friday; every save is audited.

use axum::http::StatusCode;

use crate::api_auth::audit_count;
use crate::helpers::TestApp;
use crate::web::sign_in;

const TABLE_2027: &str = "通知 国务院办公厅关于2027年部分节假日安排的通知（测试）\n元旦 2027-01-01 至 2027-01-03\n上班 2027-01-09\n";

#[tokio::test]
async fn a_year_entered_by_the_office_moves_the_deadlines_that_were_estimates() {
    let app = TestApp::new().await;
    let office = sign_in(&app, "office").await;
    let csrf = office.csrf().await;

    // 2026 ships: the day after 30 September is 8 October, not an estimate.
    let page = office.get("/calendar/2026?from=2026-09-30&days=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026-10-08（周四）"), "{}", page.body);
    assert!(page.body.contains("2025年11月4日"), "the notice is named");
    assert!(!page.body.contains("估算："));

    // 2027 has no table yet: Monday–Friday, and the page says the date is an estimate.
    let before = office.get("/calendar/2027?from=2026-12-31&days=1").await;
    assert!(before.body.contains("尚未录入"), "{}", before.body);
    assert!(before.body.contains("2027-01-01（周五）"));
    assert!(before.body.contains("估算："));

    let saved = office
        .post("/calendar/2027", &[("_csrf", &csrf), ("text", TABLE_2027)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/calendar/2027"));
    let after = office.get("/calendar/2027?from=2026-12-31&days=1").await;
    assert!(after.body.contains("2027-01-04（周一）"), "{}", after.body);
    assert!(!after.body.contains("估算："));
    assert!(after.body.contains("本园区录入"));
    // Saved at the test clock's 10:00 UTC, shown on the park's clock.
    assert!(
        after.body.contains("于 2025-06-15 18:00 保存"),
        "{}",
        after.body
    );
    // The make-up Saturday counts.
    let saturday = office.get("/calendar/2027?from=2027-01-08&days=1").await;
    assert!(
        saturday.body.contains("2027-01-09（周六）"),
        "{}",
        saturday.body
    );
    assert_eq!(audit_count(&app, "create&entity=workdays").await, 1);

    // Cleared, the year is back to Monday–Friday.
    let cleared = office
        .post("/calendar/2027", &[("_csrf", &csrf), ("text", "  ")])
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let again = office.get("/calendar/2027?from=2026-12-31&days=1").await;
    assert!(again.body.contains("2027-01-01（周五）"));
    assert_eq!(audit_count(&app, "delete&entity=workdays").await, 1);
}

#[tokio::test]
async fn a_mistaken_table_is_refused_at_its_lines_and_kept_as_typed() {
    let app = TestApp::new().await;
    let office = sign_in(&app, "office").await;
    let csrf = office.csrf().await;
    let typed = "通知 某通知\n元旦 2027-01-01\n上班 2027-01-04\n国庆节 2027-10-07 至 2027-10-01\n";
    let refused = office
        .post("/calendar/2027", &[("_csrf", &csrf), ("text", typed)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("第 3 行"), "{}", refused.body);
    assert!(refused.body.contains("调休上班日应为周六或周日"));
    assert!(refused.body.contains("第 4 行"));
    assert!(
        refused.body.contains("国庆节 2027-10-07 至 2027-10-01"),
        "kept as typed"
    );
    let page = office.get("/calendar/2027?from=2026-12-31&days=1").await;
    assert!(page.body.contains("尚未录入"), "nothing was saved");
    assert_eq!(audit_count(&app, "create&entity=workdays").await, 0);
}

#[tokio::test]
async fn only_the_office_keeps_the_calendar() {
    let app = TestApp::new().await;
    for login in ["branch_secretary", "leader", "service_staff", "enterprise"] {
        let who = sign_in(&app, login).await;
        assert_eq!(
            who.get("/calendar").await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        let csrf = who.csrf().await;
        let post = who
            .post("/calendar/2027", &[("_csrf", &csrf), ("text", TABLE_2027)])
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{login}");
    }
    assert_eq!(audit_count(&app, "create&entity=workdays").await, 0);
}
