//! Personal data at rest: sealed with SM4-GCM in the columns and in the audit log, read back
//! whole, found by ID number through the blind index, re-sealed by a key rotation, and plaintext
//! from before encryption sealed when the database is next opened.

use axum::http::StatusCode;
use serde_json::{json, Value};
use taizhang::db::Db;

use crate::helpers::{id, now, TestApp};

const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13812345678";

/// Every value of one text column (of every row), as stored.
pub(crate) async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    let rows: Vec<Option<String>> = match &app.db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter().flatten().collect()
}

/// The words of a stored text (a column's value, or each string of an audit entry's JSON) that
/// read as an ID number or a phone number.
fn personal_words(stored: &str) -> Vec<String> {
    use taizhang::org::ids::{IdNumber, Phone};
    let mut words = Vec::new();
    let mut strings = Vec::new();
    match serde_json::from_str::<Value>(stored) {
        Ok(v) => collect_strings(&v, &mut strings),
        Err(_) => strings.push(stored.to_string()),
    }
    for s in strings {
        for word in s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if IdNumber::parse(word).is_ok() || Phone::parse(word).is_ok() {
                words.push(word.to_string());
            }
        }
    }
    words
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// Every stored personal value of people and enterprises, and every audit entry's values.
async fn stored_personal(app: &TestApp) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT id_number FROM people",
        "SELECT phone FROM people",
        "SELECT contact_phone FROM enterprises",
        "SELECT before_json FROM audit_log",
        "SELECT after_json FROM audit_log",
    ] {
        all.extend(column(app, sql).await);
    }
    all
}

async fn person_with_numbers(app: &TestApp, office: &str, name: &str, number: &str) -> i64 {
    id(&app
        .post_ok(
            office,
            "/api/v1/people",
            json!({"name": name, "id_number": number, "phone": PHONE, "unit_id": app.units.branch_a}),
        )
        .await)
}

async fn revealed(app: &TestApp, office: &str, pid: i64) -> Value {
    let (status, whole) = app
        .post(office, &format!("/api/v1/people/{pid}/reveal"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    whole
}

#[tokio::test]
async fn id_numbers_and_phones_are_sealed_at_rest_and_read_back_whole() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let pid = person_with_numbers(&app, &office, "张三", ID_NUMBER).await;
    let eid = id(&app
        .post_ok(
            &office,
            "/api/v1/enterprises",
            json!({"name": "丙公司", "contact": "王五", "contact_phone": "0551-12345678"}),
        )
        .await);
    let (status, _) = app
        .put(
            &office,
            &format!("/api/v1/people/{pid}"),
            json!({"name": "张三", "id_number": ID_NUMBER, "phone": "13912345678", "unit_id": app.units.branch_a}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let stored = stored_personal(&app).await;
    let found: Vec<String> = stored.iter().flat_map(|s| personal_words(s)).collect();
    assert!(found.is_empty(), "{found:?}");
    let text = stored.join("\n");
    for plain in [ID_NUMBER, PHONE, "13912345678", "0551-12345678"] {
        assert!(!text.contains(plain), "{plain}");
    }
    // The check itself finds a plaintext value where one is stored.
    assert_eq!(personal_words(r#"{"phone":"13812345678"}"#), [PHONE]);
    let sealed = column(&app, "SELECT id_number FROM people").await;
    assert!(sealed.iter().all(|v| v.starts_with("sm4:")), "{sealed:?}");
    let index = column(&app, "SELECT id_number_index FROM people").await;
    assert_eq!(index.len(), 1);
    assert_eq!(index[0].len(), 64);

    // Read back whole by the one who may, masked for everyone else.
    let whole = revealed(&app, &office, pid).await;
    assert_eq!(whole["id_number"], ID_NUMBER);
    assert_eq!(whole["phone"], "13912345678");
    let (_, shown) = app
        .get(&office, &format!("/api/v1/enterprises/{eid}"))
        .await;
    assert_eq!(shown["contact_phone"], "0551-****5678", "{shown}");

    // The audit log opens them, then masks them; an unchanged ID number reads as unchanged.
    let auditor = app.login("audit_admin").await;
    let (status, log) = app.get(&auditor, "/api/v1/audit?entity=person").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let log = log.to_string();
    assert!(log.contains("110105********002X"), "{log}");
    assert!(log.contains("139****5678"), "{log}");
    assert!(!log.contains("sm4:") && !log.contains("无法解密"), "{log}");
    let out = app.command().args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn one_id_number_one_person_found_through_the_blind_index() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let pid = person_with_numbers(&app, &office, "张三", ID_NUMBER).await;
    // Typed in lower case and with spaces, it is the same number.
    let (status, body) = app
        .post(
            &office,
            "/api/v1/people",
            json!({"name": "张三丰", "id_number": " 11010519491231002x ", "unit_id": app.units.branch_a}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "id_number", "{body}");
    assert!(!body.to_string().contains("张三\""), "names no one: {body}");
    let found =
        taizhang::org::queries::people_with_id_number(&app.db, app.park_id, ID_NUMBER, None)
            .await
            .unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [pid]);
    assert_eq!(found[0].id_number.as_deref(), Some(ID_NUMBER));
    // Its own number, saved again, is no duplicate.
    let (status, body) = app
        .put(
            &office,
            &format!("/api/v1/people/{pid}"),
            json!({"name": "张三", "id_number": ID_NUMBER, "unit_id": app.units.branch_a}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_rotation_reseals_every_row_and_old_audit_entries_still_read() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let mut people = Vec::new();
    for (i, number) in [ID_NUMBER, "110105199002020034"].iter().enumerate() {
        people.push(person_with_numbers(&app, &office, &format!("人员{i}"), number).await);
    }
    app.post_ok(
        &office,
        "/api/v1/enterprises",
        json!({"name": "丙公司", "contact_phone": "0551-12345678"}),
    )
    .await;
    let before = column(&app, "SELECT id_number FROM people").await;
    let old_key = before[0].split(':').nth(1).unwrap().to_string();

    let out = app.command().args(["key", "rotate"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("已启用新的个人数据密钥"), "{said}");
    let current = column(
        &app,
        "SELECT key_id FROM data_keys WHERE purpose = 'data' AND is_current = TRUE",
    )
    .await;
    assert_eq!(current.len(), 1);
    assert_ne!(current[0], old_key);
    let prefix = format!("sm4:{}:", current[0]);
    for sql in [
        "SELECT id_number FROM people",
        "SELECT phone FROM people",
        "SELECT contact_phone FROM enterprises",
    ] {
        let values = column(&app, sql).await;
        assert!(!values.is_empty());
        assert!(
            values.iter().all(|v| v.starts_with(&prefix)),
            "{sql}: {values:?}"
        );
    }
    // The key file keeps the old key beside the new one.
    let file = std::fs::read_to_string(app.state.config.data_key_path()).unwrap();
    assert_eq!(file.lines().filter(|l| l.starts_with("data ")).count(), 2);

    // This server learns the new key from the file, reads and writes under it.
    let whole = revealed(&app, &office, people[0]).await;
    assert_eq!(whole["id_number"], ID_NUMBER);
    let pid = person_with_numbers(&app, &office, "新人", "110105198001010016").await;
    let newest = column(
        &app,
        &format!("SELECT id_number FROM people WHERE id = {pid}"),
    )
    .await;
    assert!(newest[0].starts_with(&prefix), "{newest:?}");
    // Entries written under the old key still open; the chain still checks.
    let auditor = app.login("audit_admin").await;
    let (_, log) = app.get(&auditor, "/api/v1/audit?entity=person").await;
    let log = log.to_string();
    assert!(log.contains("110105********002X"), "{log}");
    assert!(!log.contains("无法解密"), "{log}");
    let out = app.command().args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success());
    let (_, rotated) = app.get(&auditor, "/api/v1/audit?action=rotate").await;
    assert_eq!(rotated["total"], 1, "{rotated}");
}

#[tokio::test]
async fn plaintext_from_before_encryption_is_sealed_when_the_database_is_opened() {
    let app = TestApp::new().await;
    // Rows as a database from before encryption holds them.
    let insert = "INSERT INTO people (park_id, name, id_number, phone, unit_id, tags, created_at) \
                  VALUES ($1, '旧人员', $2, $3, $4, '', $5)";
    let enterprise = "INSERT INTO enterprises (park_id, name, contact_phone, created_at) \
                      VALUES ($1, '旧企业', $2, $3)";
    match &app.db {
        Db::Sqlite(p) => {
            sqlx::query(insert)
                .bind(app.park_id)
                .bind(ID_NUMBER)
                .bind(PHONE)
                .bind(app.units.branch_a)
                .bind(now())
                .execute(p)
                .await
                .unwrap();
            sqlx::query(enterprise)
                .bind(app.park_id)
                .bind(PHONE)
                .bind(now())
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(insert)
                .bind(app.park_id)
                .bind(ID_NUMBER)
                .bind(PHONE)
                .bind(app.units.branch_a)
                .bind(now())
                .execute(p)
                .await
                .unwrap();
            sqlx::query(enterprise)
                .bind(app.park_id)
                .bind(PHONE)
                .bind(now())
                .execute(p)
                .await
                .unwrap();
        }
    }
    let out = app.command().arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for sql in [
        "SELECT id_number FROM people",
        "SELECT phone FROM people",
        "SELECT contact_phone FROM enterprises",
    ] {
        let values = column(&app, sql).await;
        assert!(!values.is_empty());
        assert!(
            values.iter().all(|v| v.starts_with("sm4:")),
            "{sql}: {values:?}"
        );
    }
    let found =
        taizhang::org::queries::people_with_id_number(&app.db, app.park_id, ID_NUMBER, None)
            .await
            .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].phone.as_deref(), Some(PHONE));
}
