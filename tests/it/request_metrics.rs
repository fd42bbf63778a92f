//! The report's figures from enterprise requests: the old 企业难题 and 意见建议 ledgers carried
//! over into requests by migration 0016 (nothing lost, the figures kept), the demo's figures
//! pinned to what it gave when they were counted from the ledgers, the health check of its
//! fifth part, and the enterprise's menu without the replaced ledgers or the staff's controls.
//! The metrics themselves, value by value, are in `report.rs` (`fixtures`).

use std::collections::BTreeMap;

use serde_json::Value;
use taizhang::db::Db;
use taizhang::report::{self, MetricCatalogue, ReportTemplate};

use crate::helpers::year_of;
use crate::helpers::{now, TestApp};
use crate::web::sign_in;

/// `problems_solved` and `suggestions` of `park` in `year`.
async fn carried_figures(db: &Db, park: i64, year: i32) -> (i64, i64) {
    let values = report::compute_all(db, park, year_of(year)).await.unwrap();
    let get = |id: &str| match values.get(id).unwrap().value {
        report::Number::Int(n) => n,
        other => panic!("{id}: {other:?}"),
    };
    (get("problems_solved"), get("suggestions"))
}

/// The demo built as `taizhang demo --year 2025` builds it (three whole years) into `app`'s
/// database; its park id.
async fn demo_2025(app: &TestApp) -> i64 {
    let options = taizhang::demo::Options {
        year: 2025,
        password: crate::helpers::PASSWORD.to_string(),
        until: None,
        ..Default::default()
    };
    taizhang::demo::build(&app.db, &options, now())
        .await
        .expect("demo")
        .park_id
}

/// What the demo's reports gave before the problems and suggestions became requests, measured
/// with `taizhang demo --year 2025` and `taizhang report --year Y --format json` on the ledgers:
/// (problems_solved, suggestions) of 2023, 2024 and 2025.
const BEFORE: [(i32, (i64, i64)); 3] = [(2023, (42, 51)), (2024, (46, 45)), (2025, (37, 48))];

#[tokio::test]
async fn the_demo_gives_the_figures_it_gave_from_the_ledgers_and_its_fifth_part_passes_the_check() {
    let app = TestApp::new().await;
    let park = demo_2025(&app).await;
    for (year, before) in BEFORE {
        assert_eq!(carried_figures(&app.db, park, year).await, before, "{year}");
    }
    // No record of the replaced ledgers is left: the facts are requests only.
    let left: i64 = sqlx_count(
        &app.db,
        "SELECT COUNT(*) FROM records WHERE park_id = $1 \
         AND kind IN ('enterprise_problem', 'suggestion')",
        park,
    )
    .await;
    assert_eq!(left, 0);

    // The health check finds nothing to question in the request figures of 2024 and 2025,
    // and the fifth part states them.
    for year in [2024, 2025] {
        let mut data = report::gather(
            &app.db,
            park,
            "演示园区",
            year_of(year),
            &MetricCatalogue::default_metrics(),
        )
        .await
        .unwrap();
        let template = ReportTemplate::builtin();
        report::health::apply(&mut data, &template).unwrap();
        let ours = [
            "requests_received",
            "requests_contacted_in_time",
            "response_rate",
            "requests_closed",
            "close_rate",
            "requests_closed_on_time",
            "on_time_close_rate",
            "requests_rated",
            "requests_satisfied",
            "satisfaction_rate",
            "requests_returned",
            "return_rate",
            "requests_reopened",
            "reopen_rate",
            "avg_workdays_to_close",
            "problems_solved",
            "suggestions",
        ];
        let questioned: Vec<_> = data
            .warnings
            .iter()
            .filter(|w| w.metric.as_deref().is_some_and(|m| ours.contains(&m)))
            .collect();
        assert!(questioned.is_empty(), "{year}: {questioned:?}");
        let m = |id: &str| data.metrics.get(id).unwrap().value.as_f64();
        assert!(m("requests_received") > 30.0, "{year}");
        assert!(m("close_rate") > 50.0 && m("close_rate") <= 100.0, "{year}");
        assert!(m("satisfaction_rate") > 50.0, "{year}");
        assert!(m("avg_workdays_to_close") > 1.0, "{year}");
        let text = report::render(&data, &template, report::Format::Markdown).unwrap();
        let received = format!("受理企业诉求{}件", m("requests_received"));
        assert!(text.contains(&received), "{year}: {text}");
        assert!(
            text.contains("按时办结率") && text.contains("企业满意率"),
            "{year}"
        );
    }
}

async fn sqlx_count(db: &Db, sql: &str, park: i64) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).bind(park).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).bind(park).fetch_one(pool).await,
    }
    .unwrap()
}

/// Runs `sql` (several statements, no parameters) on `db`.
async fn run(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// A fresh database of the backend the tests run on, with its migrations before 0016 applied;
/// the guard drops a PostgreSQL database at the end.
async fn before_0016(dir: &std::path::Path) -> (Db, Option<(String, String)>) {
    let (url, pg) = match std::env::var("TAIZHANG_TEST_PG_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("tz_carry_{}", std::process::id());
            let admin = Db::connect(&base, false).await.unwrap();
            run(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await;
            run(&admin, &format!("CREATE DATABASE {name}")).await;
            admin.close().await;
            let server = base.rsplit_once('/').unwrap().0;
            (format!("{server}/{name}"), Some((base, name)))
        }
        _ => (format!("sqlite://{}/old.db", dir.display()), None),
    };
    let db = Db::connect(&url, true).await.unwrap();
    let backend = if pg.is_some() { "postgres" } else { "sqlite" };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let older = dir.join("migrations");
    std::fs::create_dir_all(&older).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0016" {
            std::fs::copy(&path, older.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(older.as_path()).await.unwrap();
    match &db {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    }
    .unwrap();
    (db, pg)
}

#[tokio::test]
async fn the_carry_over_keeps_every_record_its_history_and_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = before_0016(dir.path()).await;
    // A park as the ledgers held it before: two problems solved in 2024 (one accepted in 2023),
    // one open, one deleted (never counted, not carried), two suggestions of 2024 (one naming
    // no enterprise) and one of 2025.
    let at = "2024-01-02T03:04:05Z";
    let ts = if pg.is_some() {
        format!("TIMESTAMPTZ '{at}'")
    } else {
        format!("'{at}'")
    };
    let date = |d: &str| {
        if pg.is_some() {
            format!("DATE '{d}'")
        } else {
            format!("'{d}'")
        }
    };
    let mut sql = format!(
        "INSERT INTO parks (id, name, created_at) VALUES (7, '旧园区', {ts});
         INSERT INTO enterprises (id, park_id, name, created_at) VALUES (70, 7, '甲科技有限公司', {ts});
         INSERT INTO kinds (park_id, kind, position, definition) VALUES
           (7, 'enterprise_problem', 1, '{{}}'), (7, 'suggestion', 2, '{{}}'), (7, 'visit', 3, '{{}}');"
    );
    let records = [
        (
            101,
            "enterprise_problem",
            "2024-03-01",
            Some(70),
            r#"{"accepted_on":"2024-03-01","enterprise":"甲科技有限公司","problem_category":"用工招聘","description":"急需招聘一线普工","team":"企业服务组","completed_on":"2024-03-20","result":"组织专场招聘会","satisfaction":"满意"}"#,
            false,
        ),
        (
            102,
            "enterprise_problem",
            "2023-12-15",
            Some(70),
            r#"{"accepted_on":"2023-12-15","enterprise":"甲科技有限公司","problem_category":"融资贷款","description":"流动资金紧张","completed_on":"2024-01-20","satisfaction":"不满意"}"#,
            false,
        ),
        (
            103,
            "enterprise_problem",
            "2024-11-02",
            Some(70),
            r#"{"accepted_on":"2024-11-02","enterprise":"甲科技有限公司","problem_category":"水电气保障","description":"扩容用电","team":"综合协调组"}"#,
            false,
        ),
        (
            104,
            "enterprise_problem",
            "2024-05-06",
            Some(70),
            r#"{"accepted_on":"2024-05-06","enterprise":"甲科技有限公司","problem_category":"其他","description":"已删除的","completed_on":"2024-05-08"}"#,
            true,
        ),
        (
            105,
            "suggestion",
            "2024-04-01",
            Some(70),
            r#"{"date":"2024-04-01","source":"座谈会","enterprise":"甲科技有限公司","content":"建议增开通勤公交","status":"已采纳"}"#,
            false,
        ),
        (
            106,
            "suggestion",
            "2024-06-01",
            None,
            r#"{"date":"2024-06-01","source":"线上","content":"希望加强夜间巡逻"}"#,
            false,
        ),
        (
            107,
            "suggestion",
            "2025-02-01",
            Some(70),
            r#"{"date":"2025-02-01","source":"走访","enterprise":"甲科技有限公司","content":"建议举办供需对接会","status":"办理中"}"#,
            false,
        ),
        (
            108,
            "visit",
            "2024-02-01",
            Some(70),
            r#"{"date":"2024-02-01","enterprise":"甲科技有限公司","visitor":"王书记","visit_form":"走访慰问"}"#,
            false,
        ),
    ];
    for (id, kind, day, enterprise, fields, deleted) in records {
        let enterprise = enterprise.map_or("NULL".to_string(), |e| e.to_string());
        let deleted = if deleted { ts.clone() } else { "NULL".into() };
        sql.push_str(&format!(
            "INSERT INTO records (id, park_id, kind, occurred_on, enterprise_id, title, fields, \
             search_text, created_at, updated_at, deleted_at) VALUES ({id}, 7, '{kind}', {}, \
             {enterprise}, '标题{id}', '{fields}', '', {ts}, {ts}, {deleted});",
            date(day)
        ));
    }
    run(&db, &sql).await;

    db.migrate().await.expect("0016 and later apply");

    // Every live record of the two kinds is one request, linked to it, its fields kept whole.
    type Carried = (
        i64,
        Option<i64>,
        String,
        String,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Carried> = {
        let q = "SELECT source_record_id, enterprise_id, nature, category, team_group, status, \
                 carried FROM requests WHERE park_id = 7 ORDER BY source_record_id";
        match &db {
            Db::Sqlite(pool) => sqlx::query_as::<_, Carried>(q).fetch_all(pool).await,
            Db::Postgres(pool) => sqlx::query_as::<_, Carried>(q).fetch_all(pool).await,
        }
        .unwrap()
    };
    let by_source: BTreeMap<i64, _> = rows.iter().map(|r| (r.0, r)).collect();
    assert_eq!(
        by_source.keys().copied().collect::<Vec<_>>(),
        vec![101, 102, 103, 105, 106, 107]
    );
    for (id, kind, _, _, fields, _) in records.iter().filter(|r| r.0 != 104 && r.0 != 108) {
        let row = by_source[id];
        let carried: Value = serde_json::from_str(row.6.as_deref().unwrap()).unwrap();
        let original: Value = serde_json::from_str(fields).unwrap();
        assert_eq!(carried, original, "{id}: every field kept");
        let nature = if *kind == "suggestion" {
            "suggestion"
        } else {
            "problem"
        };
        assert_eq!(row.2, nature, "{id}");
    }
    let r = |id: i64| by_source[&id];
    assert_eq!(
        (r(101).3.as_str(), r(101).4.as_str(), r(101).5.as_str()),
        ("用工招聘", "企业服务组", "closed")
    );
    assert_eq!(
        (r(102).4.as_str(), r(102).5.as_str()),
        ("综合协调组", "closed")
    );
    assert_eq!(r(103).5, "accepted");
    assert_eq!(
        (r(105).5.as_str(), r(106).1, r(107).5.as_str()),
        ("closed", None, "in_progress")
    );

    // Each carried request's thread names its record; the records stay, soft-deleted.
    let threads: i64 = sqlx_count(
        &db,
        "SELECT COUNT(*) FROM request_events e JOIN requests q ON q.park_id = e.park_id \
         AND q.id = e.request_id WHERE e.park_id = $1 AND e.step = 'carry_over' \
         AND e.text LIKE '%' || q.source_record_id || ' 号记录转入%'",
        7,
    )
    .await;
    assert_eq!(threads, 6);
    let live: i64 = sqlx_count(
        &db,
        "SELECT COUNT(*) FROM records WHERE park_id = $1 AND deleted_at IS NULL",
        7,
    )
    .await;
    assert_eq!(live, 1, "only the visit is still a live record");
    let kept: i64 = sqlx_count(&db, "SELECT COUNT(*) FROM records WHERE park_id = $1", 7).await;
    assert_eq!(kept, 8, "nothing dropped");

    // The figures the ledgers gave: 2 problems solved in 2024 (101, 102), 2 suggestions.
    assert_eq!(carried_figures(&db, 7, 2024).await, (2, 2));
    assert_eq!(carried_figures(&db, 7, 2025).await, (0, 1));
    let values = report::compute_all(&db, 7, year_of(2024)).await.unwrap();
    // The 2024 cohort: 101 and 103 received, 101 closed on time (Monday–Friday estimate),
    // rated 满意.
    let m = |id: &str| values.get(id).unwrap().value.as_f64();
    assert_eq!(m("requests_received"), 2.0);
    assert_eq!(m("close_rate"), 50.0);
    assert_eq!(m("satisfaction_rate"), 100.0);

    db.close().await;
    if let Some((base, name)) = pg {
        let admin = Db::connect(&base, false).await.unwrap();
        run(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
}

#[tokio::test]
async fn an_enterprise_is_not_offered_the_replaced_ledgers_nor_the_staff_controls() {
    let app = TestApp::new().await;
    let enterprise = sign_in(&app, "enterprise").await;
    // The pages escape the slashes of a link.
    let page = |html: String| html.replace("&#x2f;", "/");
    let home = page(enterprise.get("/").await.body);
    assert!(home.contains("href=\"/requests\""), "{home}");
    for kind in ["enterprise_problem", "suggestion"] {
        assert!(
            !home.contains(&format!("href=\"/ledger/{kind}\"")),
            "{kind}"
        );
    }
    let list = enterprise.get("/ledger/suggestion").await;
    assert_eq!(list.status, axum::http::StatusCode::OK);
    for control in ["导出 Excel", "下载导入模板", "只看已删除"] {
        assert!(!list.body.contains(control), "{control}");
    }
    // The staff keep them to read and export; nothing new is recorded there (closed kinds).
    let office = sign_in(&app, "office").await;
    let home = page(office.get("/").await.body);
    assert!(home.contains("href=\"/ledger/suggestion\""), "{home}");
    let list = office.get("/ledger/suggestion").await;
    for control in ["导出 Excel", "只看已删除"] {
        assert!(list.body.contains(control), "{control}");
    }
    assert!(!list.body.contains("下载导入模板"));
}

#[tokio::test]
async fn a_suggestion_registered_as_a_request_counts_among_the_suggestions() {
    let mut app = TestApp::new().await;
    app.state.clock = taizhang::web::Clock::Fixed(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 6, 3, 2, 0, 0)
            .single()
            .unwrap(),
    );
    app.passwords_never_expire().await;
    let staff = app.login("service_staff").await;
    let before = carried_figures(&app.db, app.park_id, 2025).await;
    // A suggestion collected at a forum, registered in one action.
    let (status, body) = app
        .post(
            &staff,
            "/api/v1/requests",
            serde_json::json!({"category": "其他", "title": "建议增开园区通勤班车",
                "description": "座谈会上企业代表建议早晚高峰增开通勤班车。",
                "enterprise_id": app.enterprises.0, "received_on": "2025-06-02",
                "channel": "forum", "nature": "suggestion"}),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{body}");
    assert_eq!(body["nature"], "suggestion", "{body}");
    // And a problem, which is not a suggestion.
    let (status, _) = app
        .post(
            &staff,
            "/api/v1/requests",
            serde_json::json!({"category": "用工", "title": "招工难", "description": "缺少技术工人。",
                "enterprise_id": app.enterprises.0, "received_on": "2025-06-02"}),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED);
    let after = carried_figures(&app.db, app.park_id, 2025).await;
    assert_eq!(
        after.1,
        before.1 + 1,
        "one more suggestion: {before:?} → {after:?}"
    );
    // A nature that is neither is named at its field, and nothing is written.
    let (status, body) = app
        .post(
            &staff,
            "/api/v1/requests",
            serde_json::json!({"category": "其他", "title": "x", "description": "y",
                "enterprise_id": app.enterprises.0, "nature": "praise"}),
        )
        .await;
    assert_eq!(
        status,
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "{body}"
    );
    assert_eq!(body["error"]["fields"][0]["field"], "nature", "{body}");
    let (_, list) = app.get(&staff, "/api/v1/requests").await;
    assert_eq!(list["total"], 2, "nothing half-written");
}
