//! 报告体检 on a real database: a park built to trip each warning exactly once gets exactly that
//! list, in `report --format json` as in the health check itself; the demo's reports read as a
//! finished 述职报告 with every part; a previous-year value of a metric the park turned off fails
//! at its line.

use serde_json::{json, Value};
use taizhang::on_db;
use taizhang::report::{self, Format, MetricCatalogue, ReportTemplate};

use crate::helpers::year_of;
use crate::helpers::{id, TestApp};

const YEAR: i32 = 2024;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 1, 10).unwrap()
}

async fn rec(app: &TestApp, token: &str, kind: &str, fields: Value) -> i64 {
    let body = json!({"kind": kind, "fields": fields});
    id(&app.post_ok(token, "/api/v1/records", body).await)
}

/// The park's metric file: every default metric off but those the trip park needs, and
/// “第一议题” redefined so that it counts more than the whole it declares itself part of.
fn metric_file() -> String {
    let keep = [
        "learning_activities",
        "participation_rate",
        "honors",
        "mass_petitions",
        "volunteers",
        "enterprise_visits",
    ];
    let mut text = String::new();
    for m in &MetricCatalogue::default_metrics().metrics {
        if m.id == "first_topic_sessions" {
            text.push_str(
                "[[metric]]\nid = \"first_topic_sessions\"\nlabel = \"“第一议题”学习\"\nunit = \"次\"\n\
                 kind = \"meeting\"\nfilters = { meeting_type = { in = [\"第一议题学习\", \"党工委会议\"] } }\n\
                 aggregate = \"count\"\nperiod = \"year\"\npart_of = \"learning_activities\"\n\n",
            );
        } else if !keep.contains(&m.id.as_str()) {
            text.push_str(&format!(
                "[[metric]]\nid = \"{}\"\nenabled = false\n\n",
                m.id
            ));
        }
    }
    text
}

/// A template with a highlights part that prints an incident, and a section of zeros.
const TRIP_TEMPLATE: &str = "# 体检\n\n{% filter highlight %}\n## 一、亮点\n\n\
学习活动{{ m.learning_activities }}次，其中“第一议题”{{ m.first_topic_sessions }}次，参与率{{ m.participation_rate | pct }}；\
荣誉{{ m.honors }}项，走访{{ m.enterprise_visits }}次；发生群体性上访{{ m.mass_petitions }}起。\n\
{% endfilter %}\n## 二、队伍\n\n志愿者{{ m.volunteers }}人。\n";

async fn trip_park(app: &TestApp) -> (i64, i64) {
    let office = app.as_role("office").await;
    let (status, body) = app
        .put(
            &office,
            "/api/v1/report/metrics",
            json!({"text": metric_file()}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    // Two 党课 of the branch, one of which will say more attended than were expected.
    let lesson = |date: &str, attended: i64| {
        json!({"date": date, "meeting_type": "党课", "name": "党课", "org_unit": "甲科技党支部",
               "expected": 10, "attended": attended})
    };
    rec(app, &office, "meeting", lesson("2024-03-05", 9)).await;
    let bad = rec(app, &office, "meeting", lesson("2024-06-05", 10)).await;
    for date in ["2024-02-01", "2024-05-01", "2024-08-01"] {
        let fields = json!({"date": date, "meeting_type": "党工委会议", "name": "党工委会议",
                            "org_unit": "园区党工委"});
        rec(app, &office, "meeting", fields).await;
    }
    // Stored before the rule existed: 12 attended of 10 expected.
    let fields = lesson("2024-06-05", 12).to_string();
    on_db!(&app.db, |pool| sqlx::query(
        "UPDATE records SET fields = $1 WHERE park_id = $2 AND id = $3"
    )
    .bind(&fields)
    .bind(app.park_id)
    .bind(bad)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    // Six honours last year, none this year.
    for day in 1..=6 {
        let fields = json!({"date": format!("2023-04-0{day}"), "name": format!("荣誉{day}"),
                            "grantor": "市委组织部", "level": "市级", "recipient": "园区党工委"});
        rec(app, &office, "honor", fields).await;
    }
    // Ten visits last year, three this year.
    for (year, n) in [(2023, 10), (2024, 3)] {
        for day in 1..=n {
            let fields = json!({"date": format!("{year}-09-{day:02}"), "enterprise": "甲科技有限公司",
                                "visitor": "张三", "visit_form": "走访慰问"});
            rec(app, &office, "visit", fields).await;
        }
    }
    let petition = json!({"date": "2024-07-01", "category": "集体来访", "people_count": 6,
                          "reason": "欠薪"});
    let petition = rec(app, &office, "petition", petition).await;
    // The cause analysis written, the measures not.
    on_db!(&app.db, |pool| sqlx::query(
        "INSERT INTO report_causes (park_id, year, causes, measures, updated_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(app.park_id)
    .bind(YEAR)
    .bind("学习教育抓得不够紧。")
    .bind("")
    .bind(crate::helpers::now())
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    (bad, petition)
}

#[tokio::test]
async fn a_park_built_to_trip_each_warning_once_gets_exactly_that_list() {
    let app = TestApp::new().await;
    let (bad, _) = trip_park(&app).await;
    let mut data = report::report_data(&app.db, app.park_id, "测试园区", year_of(YEAR), today())
        .await
        .unwrap();
    let template = ReportTemplate::new("trip.md.j2", TRIP_TEMPLATE);
    report::health::apply(&mut data, &template).unwrap();
    let got: Vec<(&str, Option<&str>)> = data
        .warnings
        .iter()
        .map(|w| (w.code, w.metric.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("rate", Some("participation_rate")),
            ("fell_to_zero", Some("honors")),
            ("relation", Some("first_topic_sessions")),
            ("dropped", Some("enterprise_visits")),
            ("implausible", Some("learning_activities")),
            ("contradiction", Some("mass_petitions")),
            ("no_data", Some("volunteers")),
            ("to_fill", None),
        ],
        "{:#?}",
        data.warnings
    );
    let reasons: Vec<&str> = data.warnings.iter().map(|w| w.reason.as_str()).collect();
    assert!(reasons[0].contains("105%"), "{}", reasons[0]);
    assert!(reasons[1].contains("上年为6项"), "{}", reasons[1]);
    assert!(
        reasons[2].contains("3次") && reasons[2].contains("2次"),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3].contains("3次") && reasons[3].contains("上年为10次"),
        "{}",
        reasons[3]
    );
    assert!(reasons[4].contains("实到人数"), "{}", reasons[4]);
    assert!(reasons[7].contains("整改措施"), "{}", reasons[7]);
    assert_eq!(data.warnings[4].link, format!("/records/{bad}"));
    assert_eq!(
        data.warnings[0].link,
        format!("/report/records?metric=participation_rate&year={YEAR}")
    );

    // The JSON carries the same list, each with its metric, value, reason and link.
    let doc: Value =
        serde_json::from_str(&report::render(&data, &template, Format::Json).unwrap()).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 8);
    assert_eq!(warnings[1]["metric"], "honors");
    assert_eq!(warnings[1]["value"], 0);
    assert_eq!(warnings[3]["value"], 3);

    // The default template moves the incident to the problems part, with its count.
    let mut data = report::report_data(&app.db, app.park_id, "测试园区", year_of(YEAR), today())
        .await
        .unwrap();
    let catalogue = report::park_metrics(&app.db, app.park_id).await.unwrap();
    assert!(catalogue.get("major_opinion_incidents").is_none());
    let text = "{% filter highlight %}\n## 一\n\n{% if m.mass_petitions.value == 0 %}未发生群体性上访。{% endif %}\n{% endfilter %}\n## 二\n\n{% if m.mass_petitions %}发生群体性上访{{ m.mass_petitions }}起。{% endif %}\n";
    let fixed = ReportTemplate::new("fixed.md.j2", text);
    report::health::apply(&mut data, &fixed).unwrap();
    assert!(
        data.warnings.iter().all(|w| w.code != "contradiction"),
        "{:#?}",
        data.warnings
    );
}

#[tokio::test]
async fn a_previous_year_value_of_a_metric_turned_off_fails_at_its_line() {
    let app = TestApp::new().await;
    trip_park(&app).await;
    let data = report::report_data(&app.db, app.park_id, "测试园区", year_of(YEAR), today())
        .await
        .unwrap();
    let template = ReportTemplate::new(
        "prev.md.j2",
        "# 报告\n\n荣誉{{ m.honors }}项。\n\n上年谈心谈话{{ m.heart_talks.prev }}人次。\n",
    );
    let e = report::render(&data, &template, Format::Markdown).unwrap_err();
    assert!(
        matches!(
            &e,
            report::ReportError::UnknownMetric { line: 5, metric, .. } if metric == "heart_talks"
        ),
        "{e}"
    );
    // The same template names last year's honours, which the park keeps: it renders.
    let ok = ReportTemplate::new(
        "prev.md.j2",
        "荣誉{{ m.honors }}项，上年{{ m.honors.prev }}项，{{ m.honors | yoy }}。\n",
    );
    assert_eq!(
        report::render(&data, &ok, Format::Markdown).unwrap(),
        "荣誉0项，上年6项，较上年减少6项。\n"
    );
}

/// The demo's 2024 and 2025 reports read as a finished 述职报告: every part, in order, the
/// problems numbered, the causes and measures either written or a visible 待填写 block, the
/// next year's plans, the 落款; the tasks sentence names the base of its rate.
#[tokio::test]
async fn the_demos_reports_have_every_part_of_a_duty_report() {
    let (app, _) = TestApp::demo(2025).await;
    for year in [2024, 2025] {
        // The demo has lived up to the tests' day, 2025-06-15.
        let day = crate::helpers::now().date_naive();
        let mut data =
            report::report_data(&app.db, app.park_id, "青峰经济开发区", year_of(year), day)
                .await
                .unwrap();
        let template = ReportTemplate::builtin();
        report::health::apply(&mut data, &template).unwrap();
        let text = report::render(&data, &template, Format::Markdown).unwrap();
        let parts = [
            "## 一、履职工作特色和亮点",
            "## 二、存在的问题及原因分析",
            "### （一）存在的问题",
            "一是",
            "### （二）原因分析",
            "### （三）整改措施",
            "## 三、下一步工作打算",
            ">> 青峰经济开发区党工委",
            ">> 2025年6月15日",
        ];
        let mut at = 0;
        for part in parts {
            let found = text[at..].find(part).map(|i| at + i);
            assert!(
                found.is_some(),
                "{year}: missing or out of order: {part}\n{text}"
            );
            at = found.unwrap_or(at);
        }
        assert!(!text.contains("当前进度为"), "{year}: {text}");
        assert!(text.contains("已竣工投产"), "{year}");
        let rate = text
            .lines()
            .find(|l| l.contains("按期完成率"))
            .unwrap_or_default();
        assert!(
            rate.contains("；年度任务中完成时限在年内的共"),
            "{year}: {rate}"
        );
        if year == 2024 {
            assert!(rate.contains("完成时限在年内的共42项"), "{rate}");
        }
        // The incident of 2025 is told with the problems, never in the highlights.
        let (highlights, rest) = text.split_at(text.find("## 二、").unwrap());
        assert!(!highlights.contains("发生群体性上访"), "{year}");
        let petitions = data.metrics.get("mass_petitions").unwrap().value.as_f64();
        assert_eq!(rest.contains("发生群体性上访"), petitions > 0.0, "{year}");
        // Nothing saved: both are 待填写 blocks, and the health check lists them.
        assert_eq!(text.matches("【待填写】").count(), 2, "{year}");
        let to_fill = data.warnings.iter().filter(|w| w.code == "to_fill").count();
        assert_eq!(to_fill, 2, "{year}: {:#?}", data.warnings);
        if year == 2024 {
            // 2025's plans exist: 下一步 drafts from them.
            assert!(text.contains("2025年，党工委将按照《"), "{text}");
            // The 落款 stands right in the DOCX, as 公文 put it.
            let docx = report::render_docx(&data, &template).unwrap();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
                .unwrap();
            let signature = xml
                .lines()
                .find(|l| l.contains(">青峰经济开发区党工委<"))
                .unwrap_or_default();
            assert!(signature.contains("<w:jc w:val=\"right\"/>"), "{signature}");
        }
    }
}

/// `report` prints the health check on standard error, the report itself staying clean on
/// standard output, and `--format json` carries the same warnings.
#[tokio::test]
async fn the_command_line_prints_the_health_check_on_standard_error() {
    let app = TestApp::new().await;
    trip_park(&app).await;
    let run = app
        .command()
        .args(["report", "--year", "2024", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty());
    assert!(
        stderr.starts_with(&format!("报告体检：{} 处需要核对", warnings.len())),
        "{stderr}"
    );
    for w in warnings {
        let reason = w["reason"].as_str().unwrap();
        assert!(stderr.contains(reason), "{reason} not in {stderr}");
    }
}

/// Without LibreOffice, `--format pdf` is refused naming what to install, exit code non-zero,
/// no file written; with it (CI installs it), the PDF is made from the DOCX.
#[tokio::test]
async fn pdf_comes_from_libreoffice_or_is_refused_naming_what_to_install() {
    let (app, _) = TestApp::demo(2024).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.pdf");
    let empty = tempfile::tempdir().unwrap();
    let run = app
        .command()
        .env("PATH", empty.path())
        .args(["report", "--year", "2024", "--format", "pdf", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("LibreOffice") && stderr.contains("soffice"),
        "{stderr}"
    );
    assert!(!out.exists());

    if !taizhang::report::pdf::available() {
        println!("skipped the conversion: soffice (LibreOffice) is not installed here");
        return;
    }
    let run = app
        .command()
        .args(["report", "--year", "2024", "--format", "pdf", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
}
