//! `taizhang backup` while the server keeps writing, `--verify`, and `taizhang restore` into an
//! empty database: nothing committed before the backup began is lost, and the restored chain
//! checks with the same audit key.

use std::process::Output;

use crate::helpers::TestApp;
use taizhang::db::Db;

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn records(db: &Db) -> i64 {
    taizhang::on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM records"
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_with_nothing_lost() {
    let app = TestApp::new().await;
    let office = app.login("office").await;
    for day in 1..=5 {
        app.meeting(
            &office,
            &format!("2025-03-{day:02}"),
            "党课",
            "甲科技党支部",
        )
        .await;
    }
    let before = records(&app.db).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("park.backup");
    // Writers keep going while the backup runs.
    let writer = {
        let state = app.state.clone();
        let office = office.clone();
        tokio::spawn(async move {
            let mut made = 0;
            for n in 0..40 {
                let body = serde_json::json!({"kind": "meeting", "fields": {
                    "date": format!("2025-04-{:02}", n % 28 + 1), "meeting_type": "党课",
                    "name": format!("写入中{n}"), "org_unit": "甲科技党支部"}});
                let req = axum::http::Request::post("/api/v1/records")
                    .header(
                        axum::http::header::AUTHORIZATION,
                        format!("Bearer {office}"),
                    )
                    .header(axum::http::header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let res = tower::ServiceExt::oneshot(taizhang::app::router(state.clone()), req)
                    .await
                    .unwrap();
                if res.status().is_success() {
                    made += 1;
                }
            }
            made
        })
    };
    let mut backup = app.command();
    backup.args(["backup", "--verify", "--out"]).arg(&file);
    let out = tokio::task::spawn_blocking(move || backup.output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("校验通过"), "{}", text(&out));
    assert!(writer.await.unwrap() > 0, "the writes went on");

    // A second backup to the same name is refused; the first is whole.
    let mut again = app.command();
    let again = again.args(["backup", "--out"]).arg(&file).output().unwrap();
    assert!(!again.status.success());
    assert!(text(&again).contains("不覆盖"), "{}", text(&again));

    // Restore into a new database, with the same audit key.
    let target = match &app.db {
        Db::Sqlite(_) => format!("sqlite://{}/restored.db", dir.path().display()),
        Db::Postgres(pool) => {
            let name = format!("tz_restored_{}", std::process::id());
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await
                .unwrap();
            let url = &app.state.config.database_url;
            format!("{}/{name}", url.rsplit_once('/').unwrap().0)
        }
    };
    let with_target = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_taizhang"));
        c.arg("--database-url")
            .arg(&target)
            .env("TAIZHANG_AUDIT_KEY_FILE", app.state.config.audit_key_path())
            .env("TAIZHANG_DATA_KEY_FILE", app.state.config.data_key_path())
            .env_remove("TAIZHANG_PARK")
            .args(args);
        c
    };
    let out = with_target(&["restore"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = with_target(&["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let restored = Db::connect(&target, false).await.unwrap();
    let kept = records(&restored).await;
    assert!(
        kept >= before,
        "{kept} records restored, {before} before the backup"
    );
    restored.close().await;
    // Restoring over a database that holds something is refused.
    let out = with_target(&["restore"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    if let Db::Postgres(pool) = &app.db {
        let name = target.rsplit('/').next().unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(pool)
            .await;
    }
}

#[tokio::test]
async fn a_restore_refused_for_its_key_file_leaves_the_target_empty() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("park.backup");
    let out = app
        .command()
        .args(["backup", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let target = match &app.db {
        Db::Sqlite(_) => format!("sqlite://{}/restored.db", dir.path().display()),
        Db::Postgres(pool) => {
            let name = format!("tz_unrestored_{}", std::process::id());
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await
                .unwrap();
            let url = &app.state.config.database_url;
            format!("{}/{name}", url.rsplit_once('/').unwrap().0)
        }
    };
    let restore = |data_key: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_taizhang"))
            .arg("--database-url")
            .arg(&target)
            .env("TAIZHANG_AUDIT_KEY_FILE", app.state.config.audit_key_path())
            .env("TAIZHANG_DATA_KEY_FILE", data_key)
            .env_remove("TAIZHANG_PARK")
            .arg("restore")
            .arg(&file)
            .output()
            .unwrap()
    };
    let out = restore(&dir.path().join("no-such.key"));
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("找不到个人数据密钥文件") && text(&out).contains("未恢复"),
        "{}",
        text(&out)
    );
    match &app.db {
        Db::Sqlite(_) => assert!(
            !dir.path().join("restored.db").exists(),
            "the restored copy was taken away"
        ),
        Db::Postgres(_) => {
            let left = Db::connect(&target, false).await.unwrap();
            let tables: i64 = match &left {
                Db::Postgres(pool) => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(pool)
                .await
                .unwrap(),
                Db::Sqlite(_) => unreachable!(),
            };
            left.close().await;
            assert_eq!(tables, 0, "the target is as empty as it was");
        }
    }
    // With its key file the same backup restores into the same target.
    let out = restore(&app.state.config.data_key_path());
    assert!(out.status.success(), "{}", text(&out));
    if let Db::Postgres(pool) = &app.db {
        let name = target.rsplit('/').next().unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(pool)
            .await;
    }
}
