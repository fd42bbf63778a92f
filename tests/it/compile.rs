//! 台账汇编: the year's ledgers of a branch or the park bound as one DOCX, read back (zip and
//! `word/document.xml`): each ledger's sheet name with as many rows as it has records, each
//! meeting's record, the 三会一课 grid; a 支部书记 binds its own branch only; `taizhang compile`
//! writes the same.

use std::io::Read;

use axum::http::StatusCode;

use crate::helpers::TestApp;
use crate::web::sign_in;

/// `word/document.xml` of a DOCX.
fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    for part in ["[Content_Types].xml", "word/styles.xml", "word/footer1.xml"] {
        assert!(zip.by_name(part).is_ok(), "{part}");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The texts of the document's runs, in order.
fn texts(xml: &str) -> Vec<String> {
    xml.split("<w:t xml:space=\"preserve\">")
        .skip(1)
        .map(|t| t[..t.find("</w:t>").unwrap()].to_string())
        .collect()
}

/// The data rows (without the header) of the table that follows the heading `heading` (its
/// last occurrence: the first is the contents' line).
fn rows_after(xml: &str, heading: &str) -> usize {
    let at = xml
        .rfind(&format!(">{heading}</w:t>"))
        .unwrap_or_else(|| panic!("no heading {heading}"));
    let rest = &xml[at..];
    let table = &rest[rest.find("<w:tbl>").unwrap()..rest.find("</w:tbl>").unwrap()];
    table.matches("<w:tr>").count() - 1
}

async fn meetings(app: &TestApp) {
    let office = app.as_role("office").await;
    for (date, kind, unit) in [
        ("2025-01-10", "支部委员会", "甲科技党支部"),
        ("2025-03-05", "党小组会", "甲科技第一党小组"),
        ("2025-02-20", "主题党日", "甲科技党支部"),
        ("2025-01-20", "主题党日", "乙制造党支部"),
        ("2024-06-02", "党课", "甲科技党支部"),
    ] {
        app.meeting(&office, date, kind, unit).await;
    }
}

#[tokio::test]
async fn a_branch_year_binds_its_ledgers_meetings_and_grid() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let b = sign_in(&app, "office").await;
    let got = b
        .get(&format!("/compile?year=2025&unit={}", app.units.branch_a))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(
        got.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let xml = document_xml(&got.body_bytes);
    let t = texts(&xml);
    // The cover, the contents, then the branch's ledgers (its own unit and its group).
    assert!(t.contains(&"甲科技党支部".to_string()), "{t:?}");
    assert!(t.contains(&"2025年度台账汇编".to_string()));
    assert!(t.contains(&"一、会议台账（3 条）".to_string()), "{t:?}");
    assert_eq!(rows_after(&xml, "一、会议台账（3 条）"), 3);
    // In date order, 乙's meeting and last year's left out.
    let dates: Vec<&String> = t.iter().filter(|s| s.starts_with("2025-")).collect();
    assert_eq!(dates[..3], ["2025-01-10", "2025-02-20", "2025-03-05"]);
    assert!(
        !t.iter().any(|s| s.contains("乙制造")),
        "another branch leaks"
    );
    assert!(!t.iter().any(|s| s.starts_with("2024-06")));
    // Only the kinds whose records name a unit, each with its sheet name.
    assert!(
        t.iter().any(|s| s.starts_with("二、谈话台账（0 条）")),
        "{t:?}"
    );
    assert!(!t.iter().any(|s| s.contains("走访台账")));
    // Each meeting's record, and the grid: a row for the branch and one for its group.
    let records = t
        .iter()
        .position(|s| s.contains("会议记录（3 次）"))
        .unwrap();
    assert!(t[records..].contains(&"（一）2025-01-10 甲科技党支部支部委员会".to_string()));
    let grid = t
        .iter()
        .rposition(|s| s.ends_with("三会一课检查表"))
        .unwrap();
    let heading = t[grid].clone();
    assert_eq!(rows_after(&xml, &heading), 2);
    // The branch's 主题党日 missed in January and held in February; the group's 党小组会 held
    // in March only; what has not ended by today (2025-06-15) is not yet due.
    let cells = |unit: &str| -> Vec<String> {
        let at = t[grid..].iter().position(|s| s == unit).unwrap() + grid;
        t[at + 1..at + 13].to_vec()
    };
    assert_eq!(cells("甲科技党支部")[..3], ["日×", "日√", "大× 课× 日×"]);
    assert_eq!(
        cells("甲科技第一党小组")[..6],
        ["组×", "组×", "组√", "组×", "组×", "组－"]
    );
}

#[tokio::test]
async fn a_secretary_binds_its_own_branch_and_no_other() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let b = sign_in(&app, "branch_secretary").await;
    let own = b.get("/compile?year=2025").await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let t = texts(&document_xml(&own.body_bytes));
    assert!(t.contains(&"一、会议台账（3 条）".to_string()), "{t:?}");
    let other = b
        .get(&format!("/compile?year=2025&unit={}", app.units.branch_b))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let refused = sign_in(&app, "service_staff")
        .await
        .get("/compile?year=2025")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = b.get("/compile?year=1800").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
}

#[tokio::test]
async fn the_command_line_binds_the_park() {
    let app = TestApp::new().await;
    meetings(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇编.docx");
    let run = app
        .command()
        .args(["compile", "--year", "2025", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let xml = document_xml(&std::fs::read(&out).unwrap());
    assert_eq!(rows_after(&xml, "一、会议台账（4 条）"), 4);
    // An unknown unit is refused with the nearest name, and nothing is written.
    let missing = dir.path().join("x.docx");
    let run = app
        .command()
        .args(["compile", "--year", "2025", "--unit", "甲科技党支", "--out"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("没有“甲科技党支”这个单位") && err.contains("甲科技党支部"),
        "{err}"
    );
    assert!(!missing.exists());
}
