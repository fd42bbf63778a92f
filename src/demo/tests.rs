//! The demo park's promises, each checked on a fresh SQLite database.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sqlx::SqlitePool;

use super::*;
use crate::org::ids::{CreditCode, IdNumber};

const YEAR: i32 = 2024;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 10, 9, 0, 0)
        .single()
        .expect("valid instant")
}

fn options(seed: u64, scale: u32) -> Options {
    Options {
        year: YEAR,
        seed,
        scale,
        password: "Demo-pass-1".to_string(),
        until: None,
        totp_secret: None,
    }
}

/// A fresh SQLite database in `dir` holding the default demo park as built on 15 June 2025,
/// and the park's id: the fixture of other areas' tests that need a park of realistic size.
pub(crate) async fn demo_park(dir: &tempfile::TempDir) -> (Db, i64) {
    let db = fresh_db(dir).await;
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-15T10:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let options = crate::demo::Options {
        password: "Demo-pass-1".to_string(),
        ..Default::default()
    };
    let park = crate::demo::build(&db, &options, now)
        .await
        .expect("demo")
        .park_id;
    (db, park)
}

async fn fresh_db(dir: &tempfile::TempDir) -> Db {
    let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()), true)
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    crate::audit::key::install_test_key();
    crate::crypto::install_test_keys(&db).await;
    db
}

fn pool(db: &Db) -> &SqlitePool {
    match db {
        Db::Sqlite(pool) => pool,
        Db::Postgres(_) => panic!("the demo tests run on SQLite"),
    }
}

async fn counts_by_kind(db: &Db) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, COUNT(*) FROM records GROUP BY kind")
            .fetch_all(pool(db))
            .await
            .expect("counts");
    rows.into_iter().collect()
}

async fn first_titles(db: &Db) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM records ORDER BY id LIMIT 20")
        .fetch_all(pool(db))
        .await
        .expect("titles")
}

#[tokio::test]
async fn the_same_seed_builds_the_same_park() {
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let (db_a, db_b) = (fresh_db(&a).await, fresh_db(&b).await);
    build(&db_a, &options(42, 1), now())
        .await
        .expect("first build");
    build(&db_b, &options(42, 1), now())
        .await
        .expect("second build");
    assert_eq!(counts_by_kind(&db_a).await, counts_by_kind(&db_b).await);
    let titles = first_titles(&db_a).await;
    assert_eq!(titles.len(), 20);
    assert_eq!(titles, first_titles(&db_b).await);
}

#[tokio::test]
async fn the_demo_park_holds_what_the_report_and_the_rules_need() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_db(&dir).await;
    let summary = build(&db, &options(1, 1), now()).await.expect("build");
    let p = pool(&db);

    // Accounts, in the promised order.
    let logins: Vec<&str> = summary.logins.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        logins,
        [
            "admin",
            "secadmin",
            "auditor",
            "office",
            "secretary",
            "leader",
            "xiaoer",
            "qiye"
        ]
    );
    assert_eq!(summary.logins[4].1, "支部书记");

    // Volume: believable, meetings the largest kind, the summary telling the truth.
    let counts = counts_by_kind(&db).await;
    let total: i64 = counts.values().sum();
    assert_eq!(total as u64, summary.records);
    assert!((2_000..=4_000).contains(&total), "{total} records");
    let largest = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(k, _)| k.as_str());
    assert_eq!(largest, Some("meeting"));

    // Every kind of the catalogue has records in each of the three years.
    let per_year: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, substr(occurred_on, 1, 4), COUNT(*) FROM records GROUP BY 1, 2",
    )
    .fetch_all(p)
    .await
    .expect("per year");
    let replaced = crate::requests::REPLACED_KINDS;
    for kind in Catalogue::default_catalogue().kinds {
        if replaced.contains(&kind.id.as_str()) {
            continue;
        }
        for year in YEAR - 2..=YEAR {
            let found = per_year
                .iter()
                .any(|(k, y, n)| *k == kind.id && *y == year.to_string() && *n > 0);
            assert!(found, "no {} records in {year}", kind.id);
        }
    }

    // Branches on both sides of the seven-member line of the 支委会 rule.
    let regular: Vec<i64> = sqlx::query_scalar(
        "SELECT COUNT(p.id) FROM units u LEFT JOIN people p ON p.unit_id = u.id AND p.member_type = '正式党员' \
         WHERE u.unit_type = '党支部' GROUP BY u.id",
    )
    .fetch_all(p)
    .await
    .expect("branch sizes");
    assert!(regular.len() >= 10);
    assert!(
        regular.iter().any(|&n| n < 7) && regular.iter().any(|&n| n >= 7),
        "{regular:?}"
    );

    // Exactly one mass petition in the last year; no major opinion incident at all.
    let mass: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'petition' AND occurred_on LIKE '2024-%' \
         AND json_extract(fields, '$.category') = '集体来访' AND json_extract(fields, '$.people_count') >= 5",
    )
    .fetch_one(p)
    .await
    .expect("petitions");
    assert_eq!(mass, 1);
    let major: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'opinion_incident' AND json_extract(fields, '$.level') = '重大'",
    )
    .fetch_one(p)
    .await
    .expect("incidents");
    assert_eq!(major, 0);

    // Some 支委会 and one 党课 are missing, so the rule checks have something to find.
    let committee: Vec<i64> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM records WHERE kind = 'meeting' AND occurred_on LIKE '2024-%' \
         AND json_extract(fields, '$.meeting_type') = '支部委员会' GROUP BY unit_id",
    )
    .fetch_all(p)
    .await
    .expect("committee meetings");
    assert!(
        committee.contains(&12) && committee.iter().any(|&n| n < 12),
        "{committee:?}"
    );

    // The service team's staff.
    let staff: Vec<(String, i64)> = sqlx::query_as(
        "SELECT staff_type, COUNT(*) FROM positions WHERE staff_type IS NOT NULL GROUP BY staff_type ORDER BY 1",
    )
    .fetch_all(p)
    .await
    .expect("staff");
    assert_eq!(staff, [("专职".to_string(), 15), ("兼职".to_string(), 8)]);

    // Every stored identifier passes the national checks, sealed in the database.
    let id_numbers: Vec<String> =
        sqlx::query_scalar("SELECT id_number FROM people WHERE id_number IS NOT NULL")
            .fetch_all(p)
            .await
            .expect("ids");
    assert!(id_numbers.len() >= 300);
    for sealed in &id_numbers {
        assert!(crate::crypto::is_sealed(sealed));
        let id = &crate::crypto::open("id_number", sealed).expect("opens");
        assert!(
            IdNumber::parse(id).is_ok(),
            "ID number {}",
            IdNumber::mask_str(id)
        );
    }
    let codes: Vec<String> = sqlx::query_scalar("SELECT credit_code FROM enterprises")
        .fetch_all(p)
        .await
        .expect("codes");
    assert_eq!(codes.len(), 60);
    for code in &codes {
        CreditCode::parse(code).expect("credit code parses");
    }

    // A 工作要点 and a 工作清单 per year, each linked to its 文件台账 record; some tasks were
    // never done, so the rule finds them and the on-time rate is below 100%.
    let plans: Vec<(i32, String, Option<i64>)> =
        sqlx::query_as("SELECT year, plan_kind, document_id FROM plans ORDER BY year, plan_kind")
            .fetch_all(p)
            .await
            .expect("plans");
    assert_eq!(plans.len(), 6);
    assert!(plans.iter().all(|(_, _, doc)| doc.is_some()), "{plans:?}");
    let year_end = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).expect("date");
    let overdue: Vec<String> = crate::rules::check(
        &db,
        summary.park_id,
        crate::calendar::Year::new(2024).expect("year"),
        year_end,
    )
    .await
    .expect("check")
    .into_iter()
    .filter(|f| f.rule == "task_overdue")
    .map(|f| f.unit)
    .collect();
    assert_eq!(overdue.len(), 4, "{overdue:?}");
    let metrics = crate::report::compute::compute_all(
        &db,
        summary.park_id,
        crate::calendar::Year::new(2024).expect("year"),
    )
    .await
    .expect("metrics");
    let rate = metrics.get("tasks_on_time_rate").expect("rate").value;
    assert_eq!(rate, crate::report::compute::Number::Float(73.8));

    // One audit entry for the generation, not one per record.
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'demo'")
        .fetch_one(p)
        .await
        .expect("audit");
    assert_eq!(audit, 1);

    // A second build into the same database is refused, and writes nothing.
    let err = build(&db, &options(1, 1), now())
        .await
        .expect_err("second build");
    assert!(err.to_string().contains("已存在"), "{err}");
    assert_eq!(counts_by_kind(&db).await, counts);
}

#[tokio::test]
async fn scale_two_doubles_the_records() {
    let mut rng = StdRng::seed_from_u64(3);
    let plan = org::plan(&mut rng, YEAR).expect("plan");
    // The drafted problems and suggestions become requests, not records.
    let single = records::draft(&plan, &mut rng, YEAR, 1, None)
        .iter()
        .filter(|d| !crate::requests::REPLACED_KINDS.contains(&d.kind))
        .count() as f64;

    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_db(&dir).await;
    let summary = build(&db, &options(3, 2), now()).await.expect("build");
    let ratio = summary.records as f64 / single;
    assert!(
        (1.85..=2.15).contains(&ratio),
        "scale 2 gave {ratio:.2} times the records of scale 1"
    );
}

#[tokio::test]
async fn nonsense_options_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_db(&dir).await;
    let err = build(
        &db,
        &Options {
            scale: 0,
            ..options(1, 1)
        },
        now(),
    )
    .await
    .expect_err("scale 0");
    assert!(err.to_string().contains("规模倍数"), "{err}");
    let err = build(
        &db,
        &Options {
            year: 1800,
            ..options(1, 1)
        },
        now(),
    )
    .await
    .expect_err("year 1800");
    assert!(err.to_string().contains("演示年份"), "{err}");
    assert!(crate::org::queries::parks(&db)
        .await
        .expect("parks")
        .is_empty());
}

/// `serve --demo` builds a living park: its last year is this one, recorded up to today, with
/// the tasks falling due later still under way.
#[tokio::test]
async fn a_park_built_up_to_today_has_nothing_after_today_and_no_task_done_early() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(&dir).await;
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let options = Options {
        year: 2025,
        until: Some(today),
        ..options(1, 1)
    };
    build(&db, &options, now()).await.unwrap();
    let (latest, this_year): (String, i64) = sqlx::query_as(
        "SELECT MAX(occurred_on), SUM(CASE WHEN occurred_on >= '2025-01-01' THEN 1 ELSE 0 END) \
         FROM records",
    )
    .fetch_one(pool(&db))
    .await
    .unwrap();
    assert!(latest.as_str() <= "2025-06-15", "{latest}");
    assert!(
        this_year > 100,
        "this year is lived in: {this_year} records"
    );
    let (done_later, open_due_later): (i64, i64) = sqlx::query_as(
        "SELECT SUM(CASE WHEN completed_on > '2025-06-15' THEN 1 ELSE 0 END), \
                SUM(CASE WHEN status <> 'done' AND deadline > '2025-06-15' THEN 1 ELSE 0 END) \
         FROM tasks",
    )
    .fetch_one(pool(&db))
    .await
    .unwrap();
    assert_eq!(done_later, 0);
    assert!(open_due_later > 0);
    let reported_later: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM task_progress WHERE reported_on > '2025-06-15'")
            .fetch_one(pool(&db))
            .await
            .unwrap();
    assert_eq!(reported_later, 0);
    // Nothing the park holds breaks a plausibility rule on its last day: no problem closed
    // after today, no meeting held later.
    let catalogue = Catalogue::default_catalogue();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT kind, fields FROM records")
        .fetch_all(pool(&db))
        .await
        .unwrap();
    for (kind, fields) in &rows {
        let def = catalogue.kind(kind).unwrap();
        let fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(fields).unwrap();
        let broken = crate::ledger::plausibility::violations(def, &fields, today);
        assert!(broken.is_empty(), "{kind}: {:?}", broken[0].message);
    }
}
