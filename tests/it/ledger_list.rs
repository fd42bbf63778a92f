//! The ledger list as an office uses it: unit (with its sub-units), date range and choice
//! filters on the page, 序号 across pages, 操作, page size and page jump, the columns that
//! matter per kind, a message after saving and a way back that keeps the filters, a menu of
//! the ledgers a branch keeps; bad filter input is a message on the page.

use axum::http::StatusCode;

use crate::helpers::TestApp;
use crate::web::sign_in;

/// A path as the pages' templates write it into an attribute.
fn esc(path: &str) -> String {
    path.replace('&', "&amp;").replace('/', "&#x2f;")
}

/// An attribute's text as the browser reads it.
fn unesc(attr: &str) -> String {
    attr.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// Meetings of 2025: three of 甲科技党支部 in March (支部委员会), two of its 党小组 in March
/// (党小组会), one of 乙制造党支部 in April.
async fn meetings(app: &TestApp) {
    let office = app.as_role("office").await;
    for day in ["2025-03-03", "2025-03-10", "2025-03-17"] {
        app.meeting(&office, day, "支部委员会", "甲科技党支部")
            .await;
    }
    for day in ["2025-03-05", "2025-03-12"] {
        app.meeting(&office, day, "党小组会", "甲科技第一党小组")
            .await;
    }
    app.meeting(&office, "2025-04-08", "支部委员会", "乙制造党支部")
        .await;
}

#[tokio::test]
async fn a_unit_with_its_sub_units_a_date_range_and_a_choice_narrow_the_list() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let b = sign_in(&app, "office").await;
    let a = app.units.branch_a;
    let page = b.get("/ledger/meeting?year=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 6 条"), "{}", page.body);
    // The filters are on the page: units indented under their parents, dates, choices.
    assert!(page.body.contains("name=\"unit\""), "{}", page.body);
    assert!(page.body.contains(&format!(
        "<option value=\"{a}\">\u{3000}甲科技党支部</option>"
    )));
    assert!(page
        .body
        .contains("\u{3000}\u{3000}甲科技第一党小组</option>"));
    assert!(page.body.contains("type=\"date\" name=\"from\""));
    let with_groups = b
        .get(&format!("/ledger/meeting?year=2025&unit={a}&sub=1"))
        .await;
    assert!(with_groups.body.contains("共 5 条"), "{}", with_groups.body);
    let only = b.get(&format!("/ledger/meeting?year=2025&unit={a}")).await;
    assert!(only.body.contains("共 3 条"), "{}", only.body);
    let range = b
        .get(&format!(
            "/ledger/meeting?year=2025&unit={a}&sub=1&from=2025-03-06&to=2025-03-31"
        ))
        .await;
    assert!(range.body.contains("共 3 条"), "{}", range.body);
    let choice = b
        .get(&format!(
            "/ledger/meeting?year=2025&unit={a}&sub=1&f.meeting_type=%E5%85%9A%E5%B0%8F%E7%BB%84%E4%BC%9A"
        ))
        .await;
    assert!(choice.body.contains("共 2 条"), "{}", choice.body);
    // The export holds the same rows.
    let export = b
        .get(&format!("/ledger/meeting/export?year=2025&unit={a}&sub=1"))
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(export.body_bytes)).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range("会议台账").unwrap();
    let dated = sheet
        .rows()
        .filter(|r| r.iter().any(|c| c.to_string().starts_with("甲科技")))
        .count();
    assert_eq!(dated, 5, "the export honours the unit and its sub-units");
}

#[tokio::test]
async fn a_secretary_filters_within_the_own_branch_only() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let s = sign_in(&app, "branch_secretary").await;
    let page = s.get("/ledger/meeting?year=2025").await;
    assert!(page.body.contains("共 5 条"), "{}", page.body);
    assert!(
        !page.body.contains("乙制造党支部"),
        "another branch is offered"
    );
    let other = s
        .get(&format!(
            "/ledger/meeting?year=2025&unit={}&sub=1",
            app.units.branch_b
        ))
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "{}", other.body);
    assert!(other
        .body
        .contains("组织单位：没有这个单位，或不在您的数据范围内"));
    assert!(other.body.contains("没有符合条件的记录"));
}

#[tokio::test]
async fn bad_filter_input_is_a_message_on_the_page() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let b = sign_in(&app, "office").await;
    for (query, message) in [
        ("from=2025-02-30", "起始日期：“2025-02-30”不是有效的日期"),
        ("to=2025-13-01", "截止日期：“2025-13-01”不是有效的日期"),
        (
            "from=2025-05-01&to=2025-04-01",
            "起始日期 2025-05-01 晚于截止日期 2025-04-01",
        ),
        ("unit=abc", "组织单位：没有这个单位"),
        ("unit=999999", "组织单位：没有这个单位"),
        (
            "f.meeting_type=%E8%8C%B6%E8%AF%9D%E4%BC%9A",
            "会议类型：没有“茶话会”这一项",
        ),
    ] {
        let page = b.get(&format!("/ledger/meeting?year=2025&{query}")).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            page.body
        );
        assert!(page.body.contains(message), "{query}: {}", page.body);
        assert!(page.body.contains("value=\"") && page.body.contains("筛选条件有误"));
        if query == "unit=999999" {
            continue; // an unknown unit's export is an empty sheet
        }
        let export = b
            .get(&format!("/ledger/meeting/export?year=2025&{query}"))
            .await;
        assert_eq!(export.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(export.body.contains(message), "{query}: {}", export.body);
    }
}

#[tokio::test]
async fn rows_are_numbered_across_pages_with_a_size_and_a_jump() {
    let app = TestApp::new().await;
    let office = app.as_role("office").await;
    for day in 1..=25 {
        app.meeting(
            &office,
            &format!("2025-01-{day:02}"),
            "党课",
            "甲科技党支部",
        )
        .await;
    }
    let b = sign_in(&app, "office").await;
    let first = b.get("/ledger/meeting?year=2025&size=20").await;
    assert!(first.body.contains("第 1 / 2 页"), "{}", first.body);
    assert!(first.body.contains("<th class=\"nowrap\">序号</th>"));
    assert!(first.body.contains("<th class=\"nowrap\">操作</th>"));
    assert!(first.body.contains("<td class=\"num\">20</td>"));
    assert!(!first.body.contains("<td class=\"num\">21</td>"));
    // The jump form keeps the filters and the size.
    assert!(first.body.contains("name=\"page\""));
    assert!(first
        .body
        .contains("<input type=\"hidden\" name=\"size\" value=\"20\">"));
    let second = b.get("/ledger/meeting?year=2025&size=20&page=2").await;
    assert!(second.body.contains("<td class=\"num\">21</td>"));
    assert!(second.body.contains("<td class=\"num\">25</td>"));
    assert!(second.body.contains("<option value=\"20\" selected>"));
    // Fifty a page unless asked; a size not offered is fifty too.
    let all = b.get("/ledger/meeting?year=2025&size=7").await;
    assert!(all.body.contains("<td class=\"num\">25</td>") && !all.body.contains("第 1 / "));
}

#[tokio::test]
async fn a_meeting_list_shows_expected_and_attended_and_the_record_says_saved() {
    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let ok = b
        .post(
            "/ledger/meeting/new",
            &[
                ("_csrf", &csrf),
                ("date", "2025-03-05"),
                ("meeting_type", "支部委员会"),
                ("name", "三月支委会"),
                ("org_unit", "甲科技党支部"),
                ("expected", "7"),
                ("attended", "6"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let to = ok.location.unwrap();
    assert!(to.ends_with("?saved=1"), "{to}");
    let detail = b.get(&to).await;
    assert!(detail.body.contains("已保存"), "{}", detail.body);
    assert!(
        detail
            .body
            .contains(&format!("href=\"{}\">← 返回", esc("/ledger/meeting"))),
        "{}",
        detail.body
    );
    let plain = b.get(to.trim_end_matches("?saved=1")).await;
    assert!(!plain.body.contains("已保存"));
    let list = b
        .get(&format!(
            "/ledger/meeting?year=2025&unit={}",
            app.units.branch_a
        ))
        .await;
    let head = &list.body[list.body.find("<thead>").unwrap()..list.body.find("</thead>").unwrap()];
    let (expected, attended) = (
        head.find("应到人数").unwrap(),
        head.find("实到人数").unwrap(),
    );
    assert!(expected < attended, "{head}");
    assert!(head.contains("组织单位") && head.contains("会议类型"));
    assert!(list.body.contains("<td>7</td><td>6</td>"), "{}", list.body);
    // The record opened from the list leads back to the list as filtered.
    let back = format!("/ledger/meeting?year=2025&unit={}", app.units.branch_a);
    let view = list.body.find("\">查看</a>").expect("an 操作 link");
    let href = &list.body[..view];
    let href = unesc(&href[href.rfind("href=\"").unwrap() + 6..]);
    assert!(href.contains("?back="), "{href}");
    let opened = b.get(&href).await;
    assert!(
        opened
            .body
            .contains(&format!("href=\"{}\">← 返回", esc(&back))),
        "{}",
        opened.body
    );
    let id = to
        .trim_start_matches("/records/")
        .trim_end_matches("?saved=1");
    // A way back elsewhere is not followed.
    let elsewhere = b
        .get(&format!(
            "/records/{id}?back=https://example.com/ledger/meeting"
        ))
        .await;
    assert!(!elsewhere.body.contains("example.com"));
}

#[tokio::test]
async fn a_branch_secretary_sees_in_the_menu_only_the_ledgers_a_branch_keeps() {
    let app = TestApp::new().await;
    let s = sign_in(&app, "branch_secretary").await;
    let menu = |page: &str| page[page.find("<nav").unwrap()..].to_string();
    let home = menu(&s.get("/").await.body);
    assert!(
        home.contains(&format!("href=\"{}\"", esc("/ledger/meeting"))),
        "{home}"
    );
    assert!(home.contains(&format!("href=\"{}\"", esc("/ledger/talk"))));
    for kept_by_the_park in ["/ledger/petition", "/ledger/facility", "/ledger/visit"] {
        assert!(
            !home.contains(&format!("href=\"{}\"", esc(kept_by_the_park))),
            "{kept_by_the_park}"
        );
    }
    let office = menu(&sign_in(&app, "office").await.get("/").await.body);
    assert!(office.contains(&format!("href=\"{}\"", esc("/ledger/petition"))));
}
