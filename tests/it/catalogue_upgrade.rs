//! A park whose stored catalogue was made before the built-in meeting kind had its roster
//! fields gets them when the database is opened (`ledger::upgrade`), in the built-in places,
//! audited, once: a field the office removed afterwards is not added again.

use axum::http::StatusCode;
use serde_json::{json, Value};
use taizhang::db::Db;
use taizhang::ledger::catalogue::{Catalogue, KindDef};

use crate::helpers::TestApp;

const NEW_FIELDS: [&str; 7] = [
    "place",
    "host",
    "recorder",
    "attendees",
    "absentees",
    "topics",
    "content",
];

async fn execute(db: &Db, sql: &str, text: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).bind(text).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).bind(text).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap()
}

/// The park's meeting kind as it was stored before the roster fields, at level 0.
async fn as_an_older_park(app: &TestApp) {
    let mut old: KindDef = Catalogue::built_in().kind("meeting").unwrap().clone();
    old.fields.retain(|f| !NEW_FIELDS.contains(&f.key.as_str()));
    old.attendance = None;
    let definition = serde_json::to_string(&old).unwrap();
    execute(
        &app.db,
        &format!(
            "UPDATE kinds SET definition = $1 WHERE park_id = {} AND kind = 'meeting'",
            app.park_id
        ),
        &definition,
    )
    .await;
    execute(
        &app.db,
        "UPDATE parks SET catalogue_level = 0 WHERE name <> $1",
        "",
    )
    .await;
}

/// Opens the database as the command line does (`taizhang audit verify`), which upgrades it.
fn open_with_the_command_line(app: &TestApp) {
    let out = app.command().args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn meeting_keys(app: &TestApp) -> Vec<String> {
    let office = app.login("office").await;
    let (status, kind) = app.get(&office, "/api/v1/kinds/meeting").await;
    assert_eq!(status, StatusCode::OK, "{kind}");
    kind["field"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect()
}

async fn kind_changes_by_the_system(app: &TestApp) -> i64 {
    scalar(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'kind' AND login = 'system'",
    )
    .await
}

#[tokio::test]
async fn an_older_park_gets_the_roster_fields_of_meetings_once_in_their_places() {
    let app = TestApp::new().await;
    crate::meetings::roster(&app).await;
    as_an_older_park(&app).await;
    let built_in: Vec<String> = Catalogue::built_in()
        .kind("meeting")
        .unwrap()
        .fields
        .iter()
        .map(|f| f.key.clone())
        .collect();
    assert!(!meeting_keys(&app).await.contains(&"attendees".to_string()));
    let before = kind_changes_by_the_system(&app).await;

    open_with_the_command_line(&app);
    assert_eq!(meeting_keys(&app).await, built_in);
    assert_eq!(kind_changes_by_the_system(&app).await, before + 1);
    assert_eq!(
        scalar(&app.db, "SELECT MIN(catalogue_level) FROM parks").await,
        taizhang::ledger::upgrade::LEVEL
    );

    // The attendance rules come with the fields: 应到 and 实到 are counted from the names.
    let secretary = app.login("branch_secretary").await;
    let (status, saved) = app
        .post(
            &secretary,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": "2025-06-10",
                "meeting_type": "支部委员会", "name": "六月支部委员会",
                "org_unit": "甲科技党支部", "attendees": "张三、李四",
                "absentees": "王五（病假）", "recorder": "李四"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["fields"]["expected"], Value::from(3));
    assert_eq!(saved["fields"]["attended"], Value::from(2));

    // Opened again: nothing more to do, nothing audited.
    open_with_the_command_line(&app);
    assert_eq!(kind_changes_by_the_system(&app).await, before + 1);
}

#[tokio::test]
async fn a_field_removed_after_the_upgrade_stays_removed() {
    let app = TestApp::new().await;
    // A new park starts current: its office then drops 地点 from meetings.
    assert_eq!(
        scalar(&app.db, "SELECT MIN(catalogue_level) FROM parks").await,
        taizhang::ledger::upgrade::LEVEL
    );
    let mut kind: KindDef = Catalogue::built_in().kind("meeting").unwrap().clone();
    kind.fields.retain(|f| f.key != "place");
    execute(
        &app.db,
        &format!(
            "UPDATE kinds SET definition = $1 WHERE park_id = {} AND kind = 'meeting'",
            app.park_id
        ),
        &serde_json::to_string(&kind).unwrap(),
    )
    .await;
    let before = kind_changes_by_the_system(&app).await;
    open_with_the_command_line(&app);
    assert!(!meeting_keys(&app).await.contains(&"place".to_string()));
    assert_eq!(kind_changes_by_the_system(&app).await, before);
}
