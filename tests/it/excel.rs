//! Excel in and out: messy workbooks import with the right values, errors come all at once and
//! write nothing, duplicates are skipped, hostile files are refused, export and templates read back.

use std::io::{Cursor, Read, Write};

use calamine::Reader;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};
use taizhang::audit::Actor;
use taizhang::excel::import::{self, ImportOptions};
use taizhang::excel::{ExcelError, ImportReport};
use taizhang::org::queries as org;

use crate::helpers::{now, TestApp};

mod xlsb;

/// A cell of a fixture sheet.
#[derive(Clone)]
enum C {
    S(&'static str),
    N(f64),
    /// A date-formatted cell.
    D(u16, u8, u8),
    E,
}
use C::{D, E, N, S};

fn book(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                    E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import_as(
    app: &TestApp,
    name: &str,
    bytes: Vec<u8>,
    options: ImportOptions,
) -> Result<ImportReport, ExcelError> {
    import::run(
        &app.db,
        app.park_id,
        &Actor::system(),
        name,
        bytes,
        &options,
        now(),
    )
    .await
}

async fn import(app: &TestApp, name: &str, bytes: Vec<u8>) -> Result<ImportReport, ExcelError> {
    import_as(app, name, bytes, ImportOptions::default()).await
}

fn rejected(result: Result<ImportReport, ExcelError>) -> Box<ImportReport> {
    match result {
        Err(ExcelError::Invalid(report)) => report,
        Err(e) => panic!("expected a report of errors, got {e}"),
        Ok(r) => panic!("expected errors, imported {:?}", r.sheets),
    }
}

/// Fields of the park's live records of `kind`, oldest first.
async fn fields(app: &TestApp, kind: &str) -> Vec<Value> {
    records(app, kind)
        .await
        .into_iter()
        .map(|(_, f, _, _)| f)
        .collect()
}

async fn records(app: &TestApp, kind: &str) -> Vec<(String, Value, Option<i64>, Option<i64>)> {
    type Row = (chrono::NaiveDate, String, Option<i64>, Option<i64>);
    let rows: Vec<Row> = taizhang::on_db!(&app.db, |pool| sqlx::query_as(
        "SELECT occurred_on, fields, unit_id, enterprise_id FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL ORDER BY occurred_on, id"
    )
    .bind(app.park_id)
    .bind(kind)
    .fetch_all(pool)
    .await)
    .unwrap();
    rows.into_iter()
        .map(|(date, fields, unit, enterprise)| {
            (
                date.to_string(),
                serde_json::from_str(&fields).unwrap(),
                unit,
                enterprise,
            )
        })
        .collect()
}

fn summary<'r>(report: &'r ImportReport, sheet: &str) -> &'r taizhang::excel::SheetSummary {
    report
        .sheets
        .iter()
        .find(|s| s.sheet == sheet)
        .unwrap_or_else(|| panic!("no summary of {sheet}: {:?}", report.sheets))
}

/// Rosters and ledgers typed the way offices type them.
fn messy_workbook() -> Vec<u8> {
    book(&[
        (
            "企业名录",
            vec![
                vec![
                    S("企业名称*"),
                    S("统一社会信用代码"),
                    S("规模"),
                    S("联系电话"),
                    S("包联领导"),
                ],
                vec![
                    S("丙新材有限公司"),
                    S(" 91350100m000100y43 "),
                    S("规上"),
                    S("138 1234 5678"),
                    S("张书记"),
                ],
                vec![S("甲科技有限公司"), E, S("规下")],
            ],
        ),
        (
            "组织架构",
            vec![
                vec![S("名称"), S("类型"), S("上级"), S("所在企业")],
                // A child before its parent: parents resolve within the sheet in any order.
                vec![S("丙新材第一党小组"), S("党小组"), S("丙新材党支部")],
                vec![
                    S("丙新材党支部"),
                    S("党支部"),
                    S("园区党工委"),
                    S("丙新材有限公司"),
                ],
                vec![S("园小二综合协调组"), S("工作组"), S("园区党工委")],
            ],
        ),
        (
            "党员花名册",
            vec![
                vec![
                    S("姓名"),
                    S("性别"),
                    S("身份证号"),
                    S("手机号"),
                    S("所在支部"),
                    S("党员类型"),
                    S("入党日期"),
                    S("职务"),
                ],
                vec![
                    S("李明"),
                    S("男"),
                    S("11010519491231002X"),
                    N(13812345678.0),
                    S("丙新材党支部"),
                    S("正式党员"),
                    S("2010年7月1日"),
                    S("支部书记"),
                ],
                vec![
                    S("王芳"),
                    S("女"),
                    E,
                    E,
                    S("甲科技党支部"),
                    S("预备党员"),
                    N(43647.0),
                    E,
                ],
            ],
        ),
        (
            "人员名册",
            vec![
                vec![
                    S("姓名"),
                    S("所在单位"),
                    S("人员类型"),
                    S("标签"),
                    S("职务"),
                ],
                vec![S("张书记"), S("园区党工委"), S("专职"), E, S("党工委书记")],
                vec![
                    S("赵小二"),
                    S("园小二综合协调组"),
                    S("兼职"),
                    S("志愿者、网格员"),
                ],
                vec![
                    S("李明"),
                    S("园小二服务团队"),
                    S("兼职"),
                    S("志愿者"),
                    S("联络员"),
                ],
            ],
        ),
        (
            "会议台账",
            vec![
                vec![S("2024年会议台账")],
                vec![
                    S("日期*"),
                    S("会议类型*"),
                    S("会议名称"),
                    S(" 组织单位 "),
                    S("党建专题"),
                    S("议题数"),
                    S("学习篇目数"),
                    S("应到人数"),
                    S("实到人数"),
                    S("备注"),
                    S("录入人"),
                ],
                vec![
                    D(2024, 3, 5),
                    S(" 党工委会议"),
                    S("党工委第一次会议"),
                    S("园区党工委"),
                    S("√"),
                    N(3.0),
                    S("２"),
                    S("20人"),
                    N(18.0),
                    E,
                    S("小王"),
                ],
                vec![
                    S("2024/3/5"),
                    S("党课"),
                    S("支部党课"),
                    S("丙新材党支部"),
                    S("Y"),
                    E,
                    E,
                    E,
                    E,
                ],
                vec![],
                vec![
                    S("2024.3.5"),
                    S("主题党日"),
                    S(" 主题党日 "),
                    S("甲科技党支部"),
                    S("是"),
                ],
                vec![
                    S("2024年3月5日"),
                    S("支部党员大会"),
                    S("党员大会"),
                    S("乙制造党支部"),
                    S("否"),
                ],
                vec![
                    N(45356.0),
                    S("第一议题学习"),
                    S("第一议题"),
                    S("园区党工委"),
                    E,
                    E,
                    N(1.0),
                ],
            ],
        ),
        (
            "谈话台账",
            vec![
                vec![
                    S("日期"),
                    S("谈话类型"),
                    S("谈话人"),
                    S("谈话对象"),
                    S("人次"),
                    S("组织单位"),
                ],
                vec![
                    S("2024-04-01"),
                    S("谈心谈话"),
                    S("张书记"),
                    S("王芳"),
                    E,
                    S("甲科技党支部"),
                ],
                vec![
                    S("  2024-04-02 "),
                    S("廉政谈话"),
                    S("张书记"),
                    S("李明"),
                    S("３"),
                ],
            ],
        ),
        (
            "走访台账",
            vec![
                vec![
                    S("日期"),
                    S("企业"),
                    S("走访人"),
                    S("形式"),
                    S("发放资料份数"),
                ],
                vec![
                    S("2024-05-06"),
                    S("丙新材有限公司"),
                    S("张书记"),
                    S("政策解读"),
                    S("1,200"),
                ],
            ],
        ),
        ("备忘", vec![vec![S("随手记")]]),
    ])
}

#[tokio::test]
async fn a_messy_workbook_imports_with_the_right_values() {
    let app = TestApp::new().await;
    let report = import(&app, "台账.xlsx", messy_workbook()).await.unwrap();
    assert!(report.committed && report.errors.is_empty());
    let enterprises = summary(&report, "企业名录");
    assert_eq!((enterprises.created, enterprises.updated), (1, 1));
    assert_eq!(summary(&report, "组织架构").created, 3);
    assert_eq!(summary(&report, "党员花名册").created, 2);
    let staff = summary(&report, "人员名册");
    assert_eq!(
        (staff.created, staff.updated),
        (2, 1),
        "李明 of the members gains a post"
    );
    assert_eq!(summary(&report, "会议台账").imported, 5);
    assert_eq!(summary(&report, "谈话台账").imported, 2);
    assert_eq!(summary(&report, "走访台账").imported, 1);
    assert_eq!(report.ignored_sheets, vec!["备忘"]);
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains("录入人")),
        "{warnings:?}"
    );
    let ids = report.record_ids.unwrap();
    assert_eq!(ids[1] - ids[0], 7, "8 records, consecutive ids");

    let meetings = records(&app, "meeting").await;
    assert_eq!(meetings.len(), 5);
    assert!(meetings.iter().all(|m| m.0 == "2024-03-05"), "{meetings:?}");
    let first = meetings
        .iter()
        .find(|m| m.1["name"] == "党工委第一次会议")
        .unwrap();
    assert_eq!(
        first.1,
        json!({"date": "2024-03-05", "meeting_type": "党工委会议", "name": "党工委第一次会议",
               "org_unit": "园区党工委", "is_party_topic": true, "topic_count": 3,
               "reading_count": 2, "expected": 20, "attended": 18})
    );
    assert_eq!(first.2, Some(app.units.committee));
    let topics: Vec<&Value> = meetings.iter().map(|m| &m.1["is_party_topic"]).collect();
    assert_eq!(topics.iter().filter(|v| ***v == json!(true)).count(), 3);
    assert_eq!(topics.iter().filter(|v| ***v == json!(false)).count(), 1);

    let talks = fields(&app, "talk").await;
    assert_eq!(talks[0]["person_times"], 1, "a blank 人次 means 1");
    assert_eq!(talks[1]["person_times"], 3);

    let units = org::units(&app.db, app.park_id).await.unwrap();
    let unit = |n: &str| units.iter().find(|u| u.name == n).unwrap().clone();
    let branch = unit("丙新材党支部");
    assert_eq!(branch.parent_id, Some(app.units.committee));
    assert_eq!(unit("丙新材第一党小组").parent_id, Some(branch.id));
    assert!(unit("园小二综合协调组").is_service_team);
    assert!(!branch.is_service_team);

    let enterprises = org::enterprises(&app.db, app.park_id).await.unwrap();
    let new = enterprises
        .iter()
        .find(|e| e.name == "丙新材有限公司")
        .unwrap();
    assert_eq!(new.credit_code.as_deref(), Some("91350100M000100Y43"));
    assert_eq!(new.contact_phone.as_deref(), Some("13812345678"));
    assert_eq!(branch.enterprise_id, Some(new.id));
    let old = enterprises
        .iter()
        .find(|e| e.name == "甲科技有限公司")
        .unwrap();
    assert_eq!(old.scale.as_deref(), Some("规下"));
    let visits = records(&app, "visit").await;
    assert_eq!(visits[0].1["handouts"], 1200);
    assert_eq!(visits[0].3, Some(new.id));

    let (people, _) = org::people(&app.db, app.park_id, None, None, 100, 0)
        .await
        .unwrap();
    let person = |n: &str| people.iter().find(|p| p.name == n).unwrap().clone();
    assert_eq!(new.leader_person_id, Some(person("张书记").id));
    let li = person("李明");
    assert!(li.is_member);
    assert_eq!(li.id_number.as_deref(), Some("11010519491231002X"));
    assert_eq!(li.phone.as_deref(), Some("13812345678"));
    assert_eq!(li.unit_id, Some(branch.id));
    assert_eq!(li.tags, "志愿者");
    assert_eq!(
        li.joined_on.map(|d| d.to_string()).as_deref(),
        Some("2010-07-01")
    );
    assert_eq!(
        person("王芳").joined_on.map(|d| d.to_string()).as_deref(),
        Some("2019-07-01")
    );
    let zhao = person("赵小二");
    assert!(!zhao.is_member);
    assert_eq!(zhao.tags, "志愿者,网格员");
    let posts = org::positions_of(&app.db, app.park_id, li.id)
        .await
        .unwrap();
    let mut titles: Vec<(&str, Option<&str>)> = posts
        .iter()
        .map(|p| (p.title.as_str(), p.staff_type.as_deref()))
        .collect();
    titles.sort();
    assert_eq!(titles, vec![("支部书记", None), ("联络员", Some("兼职"))]);

    let (audit, _) = taizhang::audit::list(
        &app.db,
        app.park_id,
        &taizhang::audit::AuditFilter {
            entity: Some("park".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let entry = audit.iter().find(|e| e.action == "import").unwrap();
    let after: Value = serde_json::from_str(entry.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["sha256"], report.sha256.as_str());
    assert_eq!(after["record_ids"], json!(ids));
    assert_eq!(after["file"], "台账.xlsx");
}

#[tokio::test]
async fn importing_twice_skips_what_is_already_there() {
    let app = TestApp::new().await;
    import(&app, "台账.xlsx", messy_workbook()).await.unwrap();
    let people_before = org::people(&app.db, app.park_id, None, None, 1, 0)
        .await
        .unwrap()
        .1;
    let again = import(&app, "台账.xlsx", messy_workbook()).await.unwrap();
    for s in &again.sheets {
        assert_eq!(s.imported, 0, "{s}");
        assert_eq!(s.skipped, s.rows, "{s}");
    }
    let lines: Vec<String> = again.sheets.iter().map(ToString::to_string).collect();
    assert!(
        lines.contains(&"会议台账：导入 0 条，跳过重复 5 条".to_owned()),
        "{lines:?}"
    );
    assert_eq!(records(&app, "meeting").await.len(), 5);
    assert_eq!(
        org::people(&app.db, app.park_id, None, None, 1, 0)
            .await
            .unwrap()
            .1,
        people_before
    );
    assert!(again.record_ids.is_none());

    // A changed row is new; the unchanged ones stay skipped.
    let changed = book(&[(
        "谈话台账",
        vec![
            vec![
                S("日期"),
                S("谈话类型"),
                S("谈话人"),
                S("谈话对象"),
                S("人次"),
                S("组织单位"),
            ],
            vec![
                S("2024-04-01"),
                S("谈心谈话"),
                S("张书记"),
                S("王芳"),
                N(1.0),
                S("甲科技党支部"),
            ],
            vec![
                S("2024-04-02"),
                S("廉政谈话"),
                S("张书记"),
                S("李明"),
                N(4.0),
            ],
        ],
    )]);
    let report = import(&app, "谈话.xlsx", changed).await.unwrap();
    assert_eq!(
        (
            summary(&report, "谈话台账").imported,
            summary(&report, "谈话台账").skipped
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn dry_run_reports_and_writes_nothing() {
    let app = TestApp::new().await;
    let options = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = import_as(&app, "台账.xlsx", messy_workbook(), options)
        .await
        .unwrap();
    assert!(!report.committed);
    assert_eq!(summary(&report, "会议台账").imported, 5);
    assert!(records(&app, "meeting").await.is_empty());
    assert_eq!(org::units(&app.db, app.park_id).await.unwrap().len(), 5);
}

#[tokio::test]
async fn errors_in_several_sheets_import_nothing_and_are_all_listed() {
    let app = TestApp::new().await;
    let bytes = book(&[
        (
            "党员花名册",
            vec![
                vec![S("姓名"), S("所在支部"), S("身份证号")],
                vec![S("周一"), S("乙制造支部")],
                vec![S("周二"), S("甲科技党支部"), S("110105194912310021")],
            ],
        ),
        (
            "会议台账",
            vec![
                vec![S("日期"), S("会议类型"), S("会议名称"), S("组织单位")],
                vec![S("2024-03-05"), S("党课"), S("好的一行"), S("园区党工委")],
                vec![
                    S("2024-03-05"),
                    S("党工委会"),
                    S("类型打错"),
                    S("园区党工委"),
                ],
                vec![S("2024-13-45"), S("党课"), S("日期打错"), S("甲科技党支布")],
            ],
        ),
        (
            "走访台账",
            vec![
                vec![S("日期"), S("企业"), S("走访人"), S("形式")],
                vec![
                    S("2024-05-06"),
                    S("乙制造有限公"),
                    S("张书记"),
                    S("政策解读"),
                ],
            ],
        ),
    ]);
    let report = rejected(import(&app, "错.xlsx", bytes).await);
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(lines.contains(
        &"会议台账 第3行 B列（会议类型）：“党工委会”不是可选值，最接近的是“党工委会议”".to_owned()
    ));
    assert!(lines.contains(
        &"会议台账 第4行 D列（组织单位）：找不到单位“甲科技党支布”，最接近的是“甲科技党支部”"
            .to_owned()
    ));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("会议台账 第4行 A列（日期）：") && l.contains("2024-13-45")));
    assert!(lines.contains(
        &"走访台账 第2行 B列（企业）：找不到企业“乙制造有限公”，最接近的是“乙制造有限公司”"
            .to_owned()
    ));
    assert!(lines.contains(
        &"党员花名册 第2行 B列（所在支部）：找不到单位“乙制造支部”，最接近的是“乙制造党支部”"
            .to_owned()
    ));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("党员花名册 第3行 C列（身份证号）：") && l.contains("校验位")));
    let choice = report
        .errors
        .iter()
        .find(|e| e.value.as_deref() == Some("党工委会"))
        .unwrap();
    assert_eq!(choice.nearest.as_deref(), Some("党工委会议"));
    assert!(
        records(&app, "meeting").await.is_empty(),
        "the good row is not written either"
    );
    assert_eq!(
        org::people(&app.db, app.park_id, None, None, 1, 0)
            .await
            .unwrap()
            .1,
        0
    );

    // The error workbook: the input's sheets with the bad cells noted, and a list of them all.
    let marked = report.error_workbook.clone().unwrap();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(marked.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["党员花名册", "会议台账", "走访台账", "错误清单"]
    );
    let meetings = wb.worksheet_range("会议台账").unwrap();
    assert_eq!(meetings.get_value((2, 1)).unwrap().to_string(), "党工委会");
    let list = wb.worksheet_range("错误清单").unwrap();
    assert_eq!(list.height(), 7, "a header and one line per error");
    let mut zip = zip::ZipArchive::new(Cursor::new(marked)).unwrap();
    let mut comments = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().unwrap().contains("comments") {
            f.read_to_string(&mut comments).unwrap();
        }
    }
    assert!(comments.contains("最接近的是“党工委会议”"), "{comments}");
}

#[tokio::test]
async fn an_id_number_in_a_numeric_cell_is_an_error() {
    let app = TestApp::new().await;
    let bytes = book(&[(
        "党员花名册",
        vec![
            vec![S("姓名"), S("身份证号"), S("所在支部")],
            vec![S("钱三"), N(110105194912310000.0), S("甲科技党支部")],
        ],
    )]);
    let report = rejected(import(&app, "花名册.xlsx", bytes).await);
    assert_eq!(report.errors.len(), 1);
    let line = report.errors[0].to_string();
    assert!(
        line.starts_with("党员花名册 第2行 B列（身份证号）："),
        "{line}"
    );
    assert!(line.contains("位数已经丢失"), "{line}");
}

#[tokio::test]
async fn a_missing_required_column_is_named() {
    let app = TestApp::new().await;
    let bytes = book(&[(
        "会议台账",
        vec![
            vec![S("日期"), S("会议类型"), S("组织单位")],
            vec![S("2024-03-05"), S("党课"), S("园区党工委")],
        ],
    )]);
    let report = rejected(import(&app, "会议.xlsx", bytes).await);
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(lines, vec!["会议台账：缺少必填列“会议名称”"]);
}

#[tokio::test]
async fn a_zip_bomb_is_refused_quickly() {
    let app = TestApp::new().await;
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/workbook.xml", options).unwrap();
        w.write_all(b"<workbook/>").unwrap();
        w.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..64 {
            w.write_all(&zeros).unwrap();
        }
        w.finish().unwrap();
    }
    let bomb = out.into_inner();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let err = import(&app, "bomb.xlsx", bomb).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(matches!(err, ExcelError::CompressionRatio { .. }), "{err}");
    assert!(err.to_string().contains("压缩炸弹"), "{err}");
}

#[tokio::test]
async fn random_bytes_are_not_a_workbook() {
    let app = TestApp::new().await;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for (name, bytes) in [
        ("noise.xlsx", noise.clone()),
        ("noise.xls", [&b"PK\x03\x04"[..], &noise].concat()),
        (
            "noise.xls",
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &noise,
            ]
            .concat(),
        ),
    ] {
        let err = import(&app, name, bytes).await.unwrap_err();
        assert!(matches!(err, ExcelError::NotAWorkbook { .. }), "{err}");
        assert!(
            err.to_string().starts_with("不是有效的 Excel 文件"),
            "{err}"
        );
    }
    // A real zip whose workbook part is garbage: the parser's failure is a refusal, not a crash.
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        w.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&noise).unwrap();
        w.finish().unwrap();
    }
    let err = import(&app, "broken.xlsx", out.into_inner())
        .await
        .unwrap_err();
    assert!(matches!(err, ExcelError::NotAWorkbook { .. }), "{err}");
}

#[tokio::test]
async fn export_then_import_into_a_fresh_park_gives_the_same_records() {
    let source = TestApp::new().await;
    let bytes = book(&[
        (
            "会议台账",
            vec![
                vec![
                    S("日期"),
                    S("会议类型"),
                    S("会议名称"),
                    S("组织单位"),
                    S("党建专题"),
                    S("议题数"),
                    S("应到人数"),
                    S("实到人数"),
                    S("备注"),
                ],
                vec![
                    D(2024, 3, 5),
                    S("党工委会议"),
                    S("第一次"),
                    S("园区党工委"),
                    S("是"),
                    N(3.0),
                    N(12.0),
                    N(11.0),
                    S("第一行\n第二行"),
                ],
                vec![
                    S("2024-07-01"),
                    S("主题党日"),
                    S("=SUM(1,2)"),
                    S("甲科技第一党小组"),
                    S("否"),
                ],
                vec![S("2023-12-31"), S("党课"), S("0012"), S("乙制造党支部")],
            ],
        ),
        (
            "阵地台账",
            vec![
                vec![
                    S("建成日期"),
                    S("名称"),
                    S("类型"),
                    S("面积(平方米)"),
                    S("长度(公里)"),
                ],
                vec![
                    S("2024-06-01"),
                    S("红旗广场"),
                    S("党建文化广场"),
                    S("8300.5㎡"),
                    E,
                ],
                vec![S("2024-09-01"), S("骑行道"), S("红色骑行道"), E, N(9.8)],
            ],
        ),
        (
            "走访台账",
            vec![
                vec![
                    S("日期"),
                    S("企业"),
                    S("走访人"),
                    S("形式"),
                    S("发放资料份数"),
                ],
                vec![
                    S("2024-05-06"),
                    S("甲科技有限公司"),
                    S("张书记"),
                    S("走访慰问"),
                    N(1500.0),
                ],
            ],
        ),
    ]);
    import(&source, "源.xlsx", bytes).await.unwrap();
    let target = TestApp::new().await;
    for kind in ["meeting", "facility", "visit"] {
        let exported = taizhang::excel::export::workbook(&source.db, source.park_id, kind, None)
            .await
            .unwrap();
        let report = import(&target, "导出.xlsx", exported.bytes).await.unwrap();
        assert_eq!(report.sheets[0].imported, exported.rows, "{kind}");
        assert_eq!(
            fields(&target, kind).await,
            fields(&source, kind).await,
            "{kind}"
        );
    }
    assert_eq!(fields(&target, "meeting").await.len(), 3);

    // Dates are real dates and the header row is the one import expects.
    let exported =
        taizhang::excel::export::workbook(&source.db, source.park_id, "会议台账", Some(2024))
            .await
            .unwrap();
    assert_eq!(exported.rows, 2, "only 2024");
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(exported.bytes)).unwrap();
    let range = wb.worksheet_range("会议台账").unwrap();
    assert_eq!(range.get_value((0, 0)).unwrap().to_string(), "日期*");
    assert!(matches!(
        range.get_value((1, 0)),
        Some(calamine::Data::DateTime(_))
    ));
    // 议题数, after the attendance columns.
    assert_eq!(range.get_value((0, 12)).unwrap().to_string(), "议题数");
    assert!(matches!(
        range.get_value((1, 12)),
        Some(calamine::Data::Float(_))
    ));
}

#[tokio::test]
async fn the_template_has_drop_down_lists_and_a_guide() {
    let app = TestApp::new().await;
    let template = taizhang::excel::template::workbook(&app.db, app.park_id, "meeting")
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(template.bytes.clone())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    assert!(workbook.contains("name=\"填写说明\""), "{workbook}");
    assert!(
        workbook.contains("name=\"名单\"") && workbook.contains("state=\"hidden\""),
        "{workbook}"
    );
    let sheet = read("xl/worksheets/sheet1.xml");
    let lists = sheet.matches("type=\"list\"").count();
    assert_eq!(lists, 3, "会议类型, 组织单位, 党建专题: {sheet}");
    assert!(sheet.contains("<formula1>\"是,否\"</formula1>"), "{sheet}");
    assert!(sheet.contains("名单'!$A$2:$A$6"), "five units: {sheet}");
    assert!(sheet.contains("党工委会议,支部党员大会"), "{sheet}");
    let lookup = read("xl/sharedStrings.xml");
    assert!(lookup.contains("园小二服务团队") && lookup.contains("乙制造有限公司"));

    // The blank template itself imports: nothing to add, and the template's own helper sheets
    // are not reported as unknown sheets.
    let report = import(&app, "模板.xlsx", template.bytes).await.unwrap();
    assert_eq!(summary(&report, "会议台账").rows, 0);
    assert!(
        report.ignored_sheets.is_empty(),
        "{:?}",
        report.ignored_sheets
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let roster = taizhang::excel::template::workbook(&app.db, app.park_id, "党员花名册")
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(roster.bytes)).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains("type=\"list\""), "性别、所在支部、党员类型");
}

#[tokio::test]
async fn a_gbk_csv_imports() {
    let app = TestApp::new().await;
    let text = "日期,会议类型,会议名称,组织单位\r\n2024-03-05,党课,支部党课,甲科技党支部\r\n2024年3月6日,主题党日,\"参观,学习\",乙制造党支部\r\n";
    let gbk = encoding_rs::GBK.encode(text).0.into_owned();
    let report = import(&app, "会议台账.csv", gbk.clone()).await.unwrap();
    assert_eq!(summary(&report, "会议台账").imported, 2);
    let names: Vec<Value> = fields(&app, "meeting")
        .await
        .into_iter()
        .map(|f| f["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("支部党课"), json!("参观,学习")]);

    let err = import(&app, "data.csv", gbk.clone()).await.unwrap_err();
    assert!(matches!(err, ExcelError::CsvNeedsKind), "{err}");
    let options = ImportOptions {
        kind: Some("meeting".into()),
        ..ImportOptions::default()
    };
    let again = import_as(&app, "data.csv", gbk, options).await.unwrap();
    assert_eq!(summary(&again, "会议台账").skipped, 2);
}

#[tokio::test]
async fn an_error_in_the_last_row_undoes_the_rows_before_it() {
    let app = TestApp::new().await;
    // More rows than the writer receives at once, so that some are written before the error.
    let mut rows = vec![vec![S("日期"), S("会议类型"), S("会议名称"), S("组织单位")]];
    for _ in 0..4_500 {
        rows.push(vec![
            S("2024-03-05"),
            S("党课"),
            S("支部党课"),
            S("甲科技党支部"),
        ]);
    }
    rows.push(vec![
        S("2024-03-05"),
        S("党课"),
        S("最后一行"),
        S("不存在的支部"),
    ]);
    let bytes = book(&[("会议台账", rows)]);
    let report = rejected(import(&app, "大表.xlsx", bytes.clone()).await);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].row, Some(4_502));
    assert!(records(&app, "meeting").await.is_empty());

    // Without the bad row everything goes in; a second time every row is a duplicate.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.worksheet_range("会议台账").unwrap().height(), 4_502);
    let mut good = vec![vec![S("日期"), S("会议类型"), S("会议名称"), S("组织单位")]];
    for _ in 0..4_500 {
        good.push(vec![
            S("2024-03-05"),
            S("党课"),
            S("支部党课"),
            S("甲科技党支部"),
        ]);
    }
    let good = book(&[("会议台账", good)]);
    let first = import(&app, "大表.xlsx", good.clone()).await.unwrap();
    assert_eq!(summary(&first, "会议台账").imported, 4_500);
    let second = import(&app, "大表.xlsx", good).await.unwrap();
    assert_eq!(
        (
            summary(&second, "会议台账").imported,
            summary(&second, "会议台账").skipped
        ),
        (0, 4_500)
    );
    assert_eq!(records(&app, "meeting").await.len(), 4_500);
}

/// A minimal OpenDocument spreadsheet, as LibreOffice and WPS save it.
fn ods(table: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    xml.push_str(&format!(r#"<table:table table:name="{table}">"#));
    for row in rows {
        xml.push_str("<table:table-row>");
        for cell in *row {
            // `d:` marks a date cell, `n:` a number, anything else is text.
            let c = if let Some(d) = cell.strip_prefix("d:") {
                format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{d}"><text:p>{d}</text:p></table:table-cell>"#
                )
            } else if let Some(n) = cell.strip_prefix("n:") {
                format!(
                    r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
                )
            } else {
                format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
                )
            };
            xml.push_str(&c);
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        w.start_file("META-INF/manifest.xml", stored).unwrap();
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"></manifest:manifest>"#).unwrap();
        w.start_file("content.xml", stored).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    out.into_inner()
}

#[tokio::test]
async fn an_ods_workbook_imports() {
    let app = TestApp::new().await;
    let bytes = ods(
        "阵地台账",
        &[
            &["建成日期", "名称", "类型", "面积(平方米)"],
            &["d:2024-06-01", "红旗广场", "党建文化广场", "n:8300.5"],
            &["2024年7月1日", "党员之家", "党员活动室", "120"],
        ],
    );
    let report = import(&app, "阵地.ods", bytes).await.unwrap();
    assert_eq!(summary(&report, "阵地台账").imported, 2);
    let facilities = fields(&app, "facility").await;
    assert_eq!(facilities[0]["built_on"], "2024-06-01");
    assert_eq!(facilities[0]["area"], 8300.5);
    assert_eq!(facilities[1]["area"], 120.0);
}

#[tokio::test]
async fn a_utf8_csv_imports_with_or_without_its_byte_order_mark() {
    let app = TestApp::new().await;
    let text = "日期,会议类型,会议名称,组织单位,应到人数\r\n2024/3/5,党课,“两学一做”党课,甲科技党支部,12\r\n";
    let report = import(&app, "会议台账.csv", text.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(summary(&report, "会议台账").imported, 1);
    assert_eq!(
        fields(&app, "meeting").await,
        vec![
            json!({"date": "2024-03-05", "meeting_type": "党课", "name": "“两学一做”党课",
                    "org_unit": "甲科技党支部", "expected": 12})
        ]
    );
    // Excel's "CSV UTF-8" starts with a byte order mark; the header still matches.
    let with_bom = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
    let again = import(&app, "会议台账.csv", with_bom).await.unwrap();
    assert_eq!(summary(&again, "会议台账").skipped, 1);
}

/// An .xlsb workbook, written by the test's own BIFF12 writer: shared and inline text, numbers,
/// a date cell, and an ID number kept as text.
#[tokio::test]
async fn an_xlsb_workbook_imports() {
    use xlsb::Cell::{Date, Inline, Number, Text};
    let app = TestApp::new().await;
    let bytes = xlsb::workbook(&[
        (
            "党员花名册",
            vec![
                vec![Text("姓名"), Text("身份证号"), Text("所在支部")],
                vec![
                    Text("李明"),
                    Text("11010519491231002X"),
                    Text("甲科技党支部"),
                ],
            ],
        ),
        (
            "会议台账",
            vec![
                vec![
                    Text("日期"),
                    Text("会议类型"),
                    Text("会议名称"),
                    Text("组织单位"),
                    Text("应到人数"),
                    Text("实到人数"),
                ],
                vec![
                    Date(2024, 3, 5),
                    Text("党课"),
                    Text("支部党课"),
                    Text("甲科技党支部"),
                    Number(12.0),
                    Number(11.0),
                ],
                vec![
                    Inline("2024年3月6日"),
                    Text("主题党日"),
                    Inline("参观“红色教育基地”"),
                    Text("甲科技党支部"),
                    Number(20.0),
                    Number(20.0),
                ],
            ],
        ),
    ]);
    let report = import(&app, "台账.xlsb", bytes.clone()).await.unwrap();
    assert_eq!(summary(&report, "党员花名册").created, 1);
    assert_eq!(summary(&report, "会议台账").imported, 2);
    assert_eq!(
        fields(&app, "meeting").await,
        vec![
            json!({"date": "2024-03-05", "meeting_type": "党课", "name": "支部党课",
                   "org_unit": "甲科技党支部", "expected": 12, "attended": 11}),
            json!({"date": "2024-03-06", "meeting_type": "主题党日", "name": "参观“红色教育基地”",
                   "org_unit": "甲科技党支部", "expected": 20, "attended": 20}),
        ]
    );
    let (people, _) = org::people(&app.db, app.park_id, None, None, 100, 0)
        .await
        .unwrap();
    let li = people.iter().find(|p| p.name == "李明").unwrap();
    assert_eq!(li.id_number.as_deref(), Some("11010519491231002X"));
    assert!(li.is_member);

    // The date cell reaches the parser as a date, not as its serial number.
    let mut wb: calamine::Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("会议台账").unwrap();
    assert!(
        matches!(range.get((1, 0)), Some(calamine::Data::DateTime(_))),
        "{:?}",
        range.get((1, 0))
    );
}

/// The web import flow: upload → check (every error, a marked workbook) → confirm → result.
mod web_flow {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};

    use super::{book, records, S};
    use crate::helpers::TestApp;
    use crate::web::{send, sign_in, Answer, Browser};

    const BOUNDARY: &str = "----taizhangtestboundary";

    async fn upload(b: &Browser<'_>, csrf: &str, name: &str, bytes: &[u8]) -> Answer {
        let mut body = Vec::new();
        for (field, value) in [("_csrf", csrf), ("kind", "")] {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let req = Request::post("/import")
            .header(header::COOKIE, &b.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap();
        send(b.app, req).await
    }

    /// Follows a job's page until it stops refreshing.
    async fn settled(b: &Browser<'_>, path: &str) -> Answer {
        for _ in 0..500 {
            let page = b.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            if !page.body.contains("http-equiv=\"refresh\"") {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the import of {path} never finished");
    }

    fn meetings(last_unit: &'static str) -> Vec<u8> {
        let mut rows = vec![vec![S("日期"), S("会议类型"), S("会议名称"), S("组织单位")]];
        rows.push(vec![
            S("2024-03-05"),
            S("党课"),
            S("三月支部党课"),
            S("甲科技党支部"),
        ]);
        rows.push(vec![
            S("2024年4月2日"),
            S("支部委员会"),
            S("四月支委会"),
            S("甲科技党支部"),
        ]);
        rows.push(vec![
            S("2024.5.6"),
            S("党课"),
            S("五月支部党课"),
            S(last_unit),
        ]);
        book(&[("会议台账", rows)])
    }

    #[tokio::test]
    async fn a_workbook_is_checked_shown_and_imported_only_when_confirmed() {
        let app = TestApp::new().await;
        let office = sign_in(&app, "office").await;
        let csrf = office.csrf().await;
        let form = office.get("/import").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("上传工作簿"), "{}", form.body);

        // A file with an error: listed with its place, nothing written, a marked copy to fetch.
        let sent = upload(&office, &csrf, "会议.xlsx", &meetings("不存在的支部")).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let bad = sent.location.unwrap();
        let page = settled(&office, &bad).await;
        assert!(page.body.contains("检查未通过"), "{}", page.body);
        assert!(page.body.contains("不存在的支部"), "{}", page.body);
        assert!(page.body.contains("共 1 处错误"), "{}", page.body);
        assert!(!page.body.contains("确认导入"), "{}", page.body);
        assert!(records(&app, "meeting").await.is_empty());
        let marked = office.get(&format!("{bad}/errors.xlsx")).await;
        assert_eq!(marked.status, StatusCode::OK);
        let disposition = marked.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap();
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        let refused = office
            .post(&format!("{bad}/confirm"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(records(&app, "meeting").await.is_empty());

        // A good file: previewed and counted, still nothing written until confirmed.
        let sent = upload(&office, &csrf, "会议.xlsx", &meetings("甲科技党支部")).await;
        let good = sent.location.unwrap();
        let page = settled(&office, &good).await;
        assert!(page.body.contains("检查通过，待确认导入"), "{}", page.body);
        assert!(page.body.contains("五月支部党课"), "{}", page.body);
        assert!(page.body.contains("将导入 3 条"), "{}", page.body);
        // The preview shows the dates as read, not as typed.
        assert!(
            page.body.contains("<td>2024-04-02</td>") && !page.body.contains("2024年4月2日"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("<td>2024-05-06</td>"),
            "2024.5.6 read as a date"
        );
        assert!(records(&app, "meeting").await.is_empty());
        let no_token = office.post(&format!("{good}/confirm"), &[]).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        let confirmed = office
            .post(&format!("{good}/confirm"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(
            confirmed.status,
            StatusCode::SEE_OTHER,
            "{}",
            confirmed.body
        );
        let page = settled(&office, &good).await;
        assert!(page.body.contains("导入完成：共导入 3 条"), "{}", page.body);
        assert_eq!(records(&app, "meeting").await.len(), 3);
        // Confirming twice does not import twice.
        let again = office
            .post(&format!("{good}/confirm"), &[("_csrf", &csrf)])
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert_eq!(records(&app, "meeting").await.len(), 3);
    }

    #[tokio::test]
    async fn only_the_office_imports_and_only_its_own_uploads_are_visible() {
        let app = TestApp::new().await;
        let office = sign_in(&app, "office").await;
        let csrf = office.csrf().await;
        let sent = upload(&office, &csrf, "会议.xlsx", &meetings("甲科技党支部")).await;
        let path = sent.location.unwrap();
        settled(&office, &path).await;
        for role in ["leader", "branch_secretary", "service_staff", "admin"] {
            let other = sign_in(&app, role).await;
            assert_eq!(
                other.get("/import").await.status,
                StatusCode::FORBIDDEN,
                "{role}"
            );
            assert_eq!(
                other.get(&path).await.status,
                StatusCode::FORBIDDEN,
                "{role}"
            );
            let their_csrf = other.csrf().await;
            let tried = upload(&other, &their_csrf, "会议.xlsx", &meetings("甲科技党支部")).await;
            assert_eq!(tried.status, StatusCode::FORBIDDEN, "{role}");
        }
        // A forged form without the session's token is refused before anything is read.
        let forged = upload(&office, "0000", "会议.xlsx", &meetings("甲科技党支部")).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // An unknown job is a Chinese 404 page.
        let missing = office.get("/import/ffffffffffffffffffffffffffffffff").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("重新上传"), "{}", missing.body);
        // A file that is not a workbook is named as such, on the job page.
        let sent = upload(
            &office,
            &csrf,
            "笔记.xlsx",
            b"just some text, not a workbook",
        )
        .await;
        let page = settled(&office, &sent.location.unwrap()).await;
        assert!(page.body.contains("不是"), "{}", page.body);
        assert!(records(&app, "meeting").await.is_empty());
    }

    fn sheet_rows(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<String>> {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(sheet).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[tokio::test]
    async fn the_export_button_exports_what_the_page_lists_within_the_users_scope() {
        let app = TestApp::new().await;
        let api = app.as_role("office").await;
        app.meeting(&api, "2025-03-05", "党课", "甲科技党支部")
            .await;
        app.meeting(&api, "2025-04-05", "支部委员会", "甲科技党支部")
            .await;
        app.meeting(&api, "2025-04-09", "党课", "乙制造党支部")
            .await;
        app.meeting(&api, "2024-04-09", "党课", "乙制造党支部")
            .await;

        let office = sign_in(&app, "office").await;
        let list = office
            .get("/ledger/meeting?year=2025&f.meeting_type=%E5%85%9A%E8%AF%BE")
            .await;
        assert!(
            list.body
                .contains("/ledger/meeting/export?year=2025&amp;f.meeting_type="),
            "{}",
            list.body
        );
        let file = office
            .get("/ledger/meeting/export?year=2025&f.meeting_type=%E5%85%9A%E8%AF%BE")
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.body);
        let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        let rows = sheet_rows(file.body_bytes.clone(), "会议台账");
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(
            rows[1..].iter().all(|r| r.contains(&"党课".to_string())),
            "{rows:?}"
        );

        // A branch secretary's export holds their branch's rows only, whatever the link asks.
        let secretary = sign_in(&app, "branch_secretary").await;
        let file = secretary.get("/ledger/meeting/export?year=2025").await;
        assert_eq!(file.status, StatusCode::OK);
        let rows = sheet_rows(file.body_bytes.clone(), "会议台账");
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(
            rows[1..]
                .iter()
                .all(|r| r.contains(&"甲科技党支部".to_string())),
            "{rows:?}"
        );
        let other = format!(
            "/ledger/meeting/export?year=2025&unit={}",
            app.units.branch_b
        );
        assert_eq!(secretary.get(&other).await.status, StatusCode::NOT_FOUND);

        // Templates for those who may write the kind; a leader may not write meetings.
        let blank = office.get("/ledger/meeting/template").await;
        assert_eq!(blank.status, StatusCode::OK);
        assert_eq!(sheet_rows(blank.body_bytes.clone(), "会议台账").len(), 1);
        let leader = sign_in(&app, "leader").await;
        assert_eq!(
            leader.get("/ledger/meeting/template").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            leader.get("/ledger/talk/export?year=2025").await.status,
            StatusCode::OK
        );
        let enterprise = sign_in(&app, "enterprise").await;
        assert_eq!(
            enterprise.get("/ledger/meeting/export").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

/// The catalogue's plausibility rules hold in the import as on the form: every row breaking one
/// is listed at its sheet, row and column with both values, and nothing is written.
#[tokio::test]
async fn implausible_rows_are_all_listed_with_both_values_and_nothing_is_written() {
    let app = TestApp::new().await;
    let bytes = book(&[(
        "会议台账",
        vec![
            vec![
                S("日期"),
                S("会议类型"),
                S("会议名称"),
                S("组织单位"),
                S("应到人数"),
                S("实到人数"),
            ],
            vec![
                S("2024-03-05"),
                S("党课"),
                S("三月党课"),
                S("甲科技党支部"),
                N(30.0),
                N(28.0),
            ],
            vec![
                S("2024-04-02"),
                S("党课"),
                S("四月党课"),
                S("甲科技党支部"),
                N(30.0),
                N(35.0),
            ],
            vec![
                S("2025-07-01"),
                S("党课"),
                S("七月党课"),
                S("甲科技党支部"),
                N(30.0),
                N(30.0),
            ],
        ],
    )]);
    let report = rejected(import(&app, "会议.xlsx", bytes).await);
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let crowded = &report.errors[0];
    assert_eq!(
        (crowded.row, crowded.column.as_deref()),
        (Some(3), Some("F"))
    );
    assert!(
        lines[0].contains("实到人数（35）大于应到人数（30）"),
        "{}",
        lines[0]
    );
    let future = &report.errors[1];
    assert_eq!((future.row, future.column.as_deref()), (Some(4), Some("A")));
    assert!(lines[1].contains("晚于今天（2025-06-15）"), "{}", lines[1]);
    assert!(records(&app, "meeting").await.is_empty());
}

/// A roster row is matched to a stored person by ID number through its blind index (the stored
/// numbers are sealed): a second person of the same name with another number is someone else,
/// and one number on two rows of a workbook is refused at the second row.
#[tokio::test]
async fn roster_rows_are_matched_by_id_number_through_the_blind_index() {
    let app = TestApp::new().await;
    let roster = |rows: Vec<Vec<C>>| {
        let mut all = vec![vec![S("姓名"), S("身份证号"), S("手机号"), S("所在支部")]];
        all.extend(rows);
        book(&[("党员花名册", all)])
    };
    let first = roster(vec![vec![
        S("李明"),
        S("11010519491231002X"),
        S("13812345678"),
        S("甲科技党支部"),
    ]]);
    import(&app, "花名册.xlsx", first).await.unwrap();
    // The same number (typed in lower case) moves him; another 李明 with his own number is new.
    let second = roster(vec![
        vec![
            S("李明"),
            S("11010519491231002x"),
            S("13912345678"),
            S("乙制造党支部"),
        ],
        vec![S("李明"), S("110105199002020034"), E, S("甲科技党支部")],
    ]);
    let report = import(&app, "花名册.xlsx", second).await.unwrap();
    let s = summary(&report, "党员花名册");
    assert_eq!((s.created, s.updated), (1, 1), "{s}");
    let (people, total) = org::people(&app.db, app.park_id, None, None, 10, 0)
        .await
        .unwrap();
    assert_eq!(total, 2);
    let moved = people
        .iter()
        .find(|p| p.id_number.as_deref() == Some("11010519491231002X"))
        .unwrap();
    assert_eq!(moved.unit_id, Some(app.units.branch_b));
    assert_eq!(moved.phone.as_deref(), Some("13912345678"));

    let twice = roster(vec![
        vec![S("王芳"), S("110105197505050041"), E, S("甲科技党支部")],
        vec![S("王小芳"), S("110105197505050041"), E, S("甲科技党支部")],
    ]);
    let report = rejected(import(&app, "花名册.xlsx", twice).await);
    let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("党员花名册 第3行 B列（身份证号）：身份证号与第2行相同"),
        "{lines:?}"
    );
}
