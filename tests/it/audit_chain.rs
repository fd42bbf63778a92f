//! The audit log: every write leaves an entry, and tampering behind the application's back is found.

use axum::http::StatusCode;

use crate::helpers::{id, TestApp};
use taizhang::audit::{self, Verdict};
use taizhang::on_db;

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

    // Edit one entry behind the application's back.
    on_db!(&app.db, |pool| sqlx::query(
        "UPDATE audit_log SET login = 'someone' WHERE park_id = $1 AND seq = 5"
    )
    .bind(app.park_id)
    .execute(pool)
    .await
    .map(|_| ()))
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
    on_db!(&app.db, |pool| sqlx::query(
        "DELETE FROM audit_log WHERE park_id = $1 AND seq = 3"
    )
    .bind(app.park_id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    match audit::verify(&app.db, app.park_id).await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, 3),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}
