//! The audit log: every write leaves an entry, the log takes no UPDATE nor DELETE, and whoever
//! gets round that (dropping the triggers, as a database administrator could) is still found out:
//! each entry's hash is an HMAC under a key outside the database, and a signed head outside the
//! log table holds the chain's count and last hash.

use axum::http::StatusCode;

use crate::helpers::{id, TestApp};
use taizhang::audit::{self, Verdict};
use taizhang::db::Db;
use taizhang::on_db;

async fn exec(app: &TestApp, sql: &str) -> Result<(), String> {
    on_db!(&app.db, |pool| sqlx::query(sql)
        .bind(app.park_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(|e| e.to_string())
}

/// What an attacker with the database's rights does first.
async fn drop_the_triggers(app: &TestApp) {
    let statements: &[&str] = match &app.db {
        Db::Sqlite(_) => &[
            "DROP TRIGGER audit_log_append_only_update",
            "DROP TRIGGER audit_log_append_only_delete",
        ],
        Db::Postgres(_) => &["DROP TRIGGER audit_log_append_only ON audit_log"],
    };
    for sql in statements {
        on_db!(&app.db, |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
}

#[tokio::test]
async fn writes_are_chained_and_tampering_is_found() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    let rec = app
        .meeting(&office, "2024-01-10", "党课", "甲科技党支部")
        .await;
    let Verdict::Intact { entries } = audit::verify(&app.db, app.park_id).await.unwrap() else {
        panic!("chain should be intact")
    };
    assert!(
        entries > 10,
        "park, accounts, units and the record: {entries}"
    );

    let auditor = app.login("audit_admin").await;
    let (status, log) = app
        .get(
            &auditor,
            &format!("/api/v1/audit?entity=record&entity_id={}", id(&rec)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log["items"][0]["action"], "create");
    assert_eq!(log["items"][0]["login"], "office");
    let (_, v) = app.get(&auditor, "/api/v1/audit/verify").await;
    assert_eq!(v["intact"], true);
    // Reading the log is in the log.
    let (_, reads) = app.get(&auditor, "/api/v1/audit?action=read").await;
    assert!(reads["total"].as_i64().unwrap() >= 1, "{reads}");
    assert_eq!(reads["items"][0]["login"], "audit_admin");
    assert_eq!(reads["items"][0]["entity"], "audit_log");

    // The log refuses an edit.
    let refused = exec(
        &app,
        "UPDATE audit_log SET login = 'someone' WHERE park_id = $1 AND seq = 5",
    )
    .await;
    assert!(refused.unwrap_err().contains("append-only"));
    // Behind the application's back, the edit is found.
    drop_the_triggers(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET login = 'someone' WHERE park_id = $1 AND seq = 5",
    )
    .await
    .unwrap();
    assert_eq!(
        audit::verify(&app.db, app.park_id).await.unwrap(),
        Verdict::Broken {
            seq: 5,
            reason: "第 5 条记录的内容与其哈希不符（被修改过）".into()
        }
    );
    let (_, v) = app.get(&auditor, "/api/v1/audit/verify").await;
    assert_eq!(v["intact"], false);
    assert_eq!(v["seq"], 5);
}

#[tokio::test]
async fn a_removed_entry_breaks_the_chain_where_it_was() {
    let app = TestApp::new().await;
    let refused = exec(&app, "DELETE FROM audit_log WHERE park_id = $1 AND seq = 3").await;
    assert!(refused.unwrap_err().contains("append-only"));
    drop_the_triggers(&app).await;
    exec(&app, "DELETE FROM audit_log WHERE park_id = $1 AND seq = 3")
        .await
        .unwrap();
    match audit::verify(&app.db, app.park_id).await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, 3),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

/// Cutting the last entries leaves a chain that is whole in itself; the signed head says how
/// long it was.
#[tokio::test]
async fn entries_cut_from_the_end_are_found_by_the_signed_head() {
    let app = TestApp::new().await;
    let Verdict::Intact { entries } = audit::verify(&app.db, app.park_id).await.unwrap() else {
        panic!("intact")
    };
    drop_the_triggers(&app).await;
    exec(
        &app,
        &format!(
            "DELETE FROM audit_log WHERE park_id = $1 AND seq > {}",
            entries - 2
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        audit::verify(&app.db, app.park_id).await.unwrap(),
        Verdict::Broken {
            seq: entries - 1,
            reason: format!(
                "日志头记录共 {entries} 条，现只有 {} 条：末尾的记录被删除",
                entries - 2
            ),
        }
    );
    // Nor can the head be set back to match without the key.
    exec(
        &app,
        &format!(
            "UPDATE audit_heads SET seq = {}, hash = (SELECT hash FROM audit_log WHERE park_id = $1 AND seq = {}) WHERE park_id = $1",
            entries - 2,
            entries - 2
        ),
    )
    .await
    .unwrap();
    match audit::verify(&app.db, app.park_id).await.unwrap() {
        Verdict::Broken { reason, .. } => assert!(reason.contains("日志头的签名不符"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// An entry's fields as stored, in the order the chain hashes them.
type StoredEntry = (
    i64,
    chrono::DateTime<chrono::Utc>,
    Option<i64>,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// An entry rewritten with every later hash recomputed the old, unkeyed way does not pass: the
/// hashes are keyed, and the key is not in the database.
#[tokio::test]
async fn a_rewritten_entry_with_recomputed_hashes_is_found() {
    use sha2::{Digest, Sha256};
    let app = TestApp::new().await;
    drop_the_triggers(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET login = 'someone' WHERE park_id = $1 AND seq = 2",
    )
    .await
    .unwrap();
    // Recompute seq 2 onwards as SHA-256(prev ‖ entry), as the chain once was.
    let rows: Vec<StoredEntry> = on_db!(&app.db, |pool| sqlx::query_as(
        "SELECT seq, at, user_id, login, action, entity, entity_id, before_json, after_json \
             FROM audit_log WHERE park_id = $1 ORDER BY seq"
    )
    .bind(app.park_id)
    .fetch_all(pool)
    .await)
    .unwrap();
    let mut prev = audit::GENESIS.to_string();
    for (seq, at, user_id, login, action, entity, entity_id, before, after) in rows {
        let canonical = serde_json::json!([
            seq,
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            user_id,
            login,
            action,
            entity,
            entity_id,
            before,
            after,
        ]);
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(canonical.to_string().as_bytes());
        let hash = hex::encode(h.finalize());
        exec(
            &app,
            &format!(
                "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}', key_id = NULL WHERE park_id = $1 AND seq = {seq}"
            ),
        )
        .await
        .unwrap();
        prev = hash;
    }
    match audit::verify(&app.db, app.park_id).await.unwrap() {
        Verdict::Broken { reason, .. } => {
            assert!(reason.contains("日志头"), "{reason}")
        }
        other => panic!("a recomputed chain must not pass: {other:?}"),
    }
    // Removing the head as well does not help: a keyed database insists on one.
    let drop_head_trigger = match &app.db {
        Db::Sqlite(_) => "DROP TRIGGER audit_heads_kept",
        Db::Postgres(_) => "DROP TRIGGER audit_heads_kept ON audit_heads",
    };
    on_db!(&app.db, |pool| sqlx::query(drop_head_trigger)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
    exec(&app, "DELETE FROM audit_heads WHERE park_id = $1")
        .await
        .unwrap();
    match audit::verify(&app.db, app.park_id).await.unwrap() {
        Verdict::Broken { reason, .. } => assert!(reason.contains("缺少签名的日志头"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
