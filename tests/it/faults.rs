//! Faults during an import, with the real binary: killed mid-way, or facing a database held by
//! another writer. Either way the database is exactly as it was before.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;

fn taizhang(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_taizhang"));
    c.arg("--database-url")
        .arg(db)
        .env("TAIZHANG_ADMIN_PASSWORD", "Init-pass-123")
        .env_remove("TAIZHANG_PARK");
    c
}

/// A park with its first administrator, in a fresh SQLite file.
fn park(dir: &std::path::Path) -> String {
    let db = format!("sqlite://{}/park.db", dir.display());
    let out = taizhang(&db)
        .args(["--park", "故障园区", "init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// A workbook with its units and `rows` meetings, every row valid.
fn meetings(path: &std::path::Path, rows: u32) {
    let mut wb = Workbook::new();
    let org = wb.add_worksheet();
    org.set_name("组织架构").unwrap();
    for (c, v) in ["名称", "类型", "上级"].iter().enumerate() {
        org.write_string(0, c as u16, *v).unwrap();
    }
    for (r, row) in [
        ["故障园区党工委", "党工委", ""],
        ["一支部", "党支部", "故障园区党工委"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            org.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("会议台账").unwrap();
    for (c, v) in ["日期", "会议类型", "会议名称", "组织单位"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for r in 1..=rows {
        ws.write_string(r, 0, format!("2024-{:02}-{:02}", 1 + r % 12, 1 + r % 28))
            .unwrap();
        ws.write_string(r, 1, "党课").unwrap();
        ws.write_string(r, 2, format!("第{r}次党课")).unwrap();
        ws.write_string(r, 3, "一支部").unwrap();
    }
    wb.save(path).unwrap();
}

/// Counts of what an import writes: records, units, audit entries.
fn counts(db: &str) -> (i64, i64, i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(db).await.unwrap();
        let mut out = [0i64; 3];
        for (i, table) in ["records", "units", "audit_log"].iter().enumerate() {
            out[i] = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap();
        }
        pool.close().await;
        (out[0], out[1], out[2])
    })
}

fn verify(db: &str) {
    let out = taizhang(db).args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_import_killed_midway_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = park(dir.path());
    let file = dir.path().join("大表.xlsx");
    meetings(&file, 60_000);
    let before = counts(&db);

    let mut child = taizhang(&db)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the import has written into the write-ahead log: mid-transaction.
    let wal = dir.path().join("park.db-wal");
    let started = Instant::now();
    let mut written = false;
    while started.elapsed() < Duration::from_secs(120) {
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 512 * 1024) {
            written = true;
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed: make the file larger"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(written, "the import never started writing");
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());

    assert_eq!(
        counts(&db),
        before,
        "the killed import left something behind"
    );
    verify(&db);
    // The database is whole: a smaller import afterwards goes through.
    let small = dir.path().join("小表.xlsx");
    meetings(&small, 50);
    let out = taizhang(&db).arg("import").arg(&small).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&db).0, 50);
    verify(&db);
}

#[test]
fn an_import_waits_for_another_writer_then_gives_up_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = park(dir.path());
    let file = dir.path().join("会议.xlsx");
    meetings(&file, 20);
    let before = counts(&db);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (holder, release) = std::sync::mpsc::channel::<()>();
    let url = db.clone();
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            locked_tx.send(()).unwrap();
            // Held until the test says so (a long-running write elsewhere).
            let _ = release.recv();
            sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
        })
    });
    locked.recv().unwrap();

    // Held longer than the busy timeout: the import waits, then fails with a clear message.
    let started = Instant::now();
    let out = taizhang(&db).arg("import").arg(&file).output().unwrap();
    let waited = started.elapsed();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("数据库正忙"), "{stderr}");
    assert!(waited >= Duration::from_secs(5), "gave up after {waited:?}");

    // Released while the import waits: it goes through.
    let child = taizhang(&db)
        .arg("import")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    holder.send(()).unwrap();
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&db).0, before.0 + 20);
    verify(&db);
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/pipe.db", dir.path().display());
    let mut child = taizhang(&db)
        .args(["--park", "管道园区", "init"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line (`taizhang init | true`).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}
