//! The command line as a user runs it: the real binary, a temp database, exit codes and messages.

use std::process::Command;

fn taizhang(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_taizhang"));
    c.arg("--database-url")
        .arg(db)
        .env("TAIZHANG_ADMIN_PASSWORD", "Init-pass-123")
        .env_remove("TAIZHANG_PARK");
    c
}

#[test]
fn init_then_users_then_errors_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    let out = taizhang(&db)
        .args(["--park", "测试园区", "init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("已创建园区“测试园区”"), "{stdout}");

    let out = taizhang(&db)
        .args(["--park", "测试园区", "init"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("已存在"));

    let out = taizhang(&db)
        .args(["user", "add", "zhang", "--role", "党建办"])
        .env("TAIZHANG_USER_PASSWORD", "Cli-pass-12")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = taizhang(&db)
        .args(["user", "lock", "zhang"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = taizhang(&db).args(["user", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("zhang") && list.contains("已停用"), "{list}");

    let out = taizhang(&db)
        .args(["user", "add", "li", "--role", "神仙"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知角色"));
    let out = taizhang(&db)
        .args(["user", "lock", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有登录名为“nobody”"));
}

#[test]
fn a_missing_database_file_is_not_created_by_reading_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/absent.db", dir.path().display());
    let out = taizhang(&db).args(["user", "list"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法连接数据库"));
    assert!(!dir.path().join("absent.db").exists());
}

#[test]
fn an_unknown_scheme_names_the_url_without_the_password() {
    let out = taizhang("mysql://u:secret@h/db")
        .args(["migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mysql://u:***@h/db") && !err.contains("secret"),
        "{err}"
    );
}

#[test]
fn audit_verify_fails_on_a_tampered_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/t.db", dir.path().display());
    assert!(taizhang(&db)
        .args(["--park", "园区", "init"])
        .output()
        .unwrap()
        .status
        .success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
        // The log takes no UPDATE; whoever can drop the trigger still cannot forge the hash.
        let refused = sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 1")
            .execute(&pool)
            .await;
        assert!(refused.unwrap_err().to_string().contains("append-only"));
        sqlx::query("DROP TRIGGER audit_log_append_only_update")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET action = 'x' WHERE seq = 1")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let out = taizhang(&db).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("第 1 条"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The chain is checked with the key it was written under: another key file reads every entry
/// as forged, a missing one is named, and neither lets a write through. `audit export` writes
/// every entry as stored.
#[test]
fn the_audit_key_stays_outside_the_database_and_must_be_the_one_it_was_written_with() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/k.db", dir.path().display());
    let key = dir.path().join("audit.key");
    let with_key = |file: &std::path::Path| {
        let mut c = taizhang(&db);
        c.env("TAIZHANG_AUDIT_KEY_FILE", file);
        c
    };
    let out = with_key(&key)
        .args(["--park", "园区", "init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64, "32 bytes in hex");
    assert!(with_key(&key)
        .args(["audit", "verify"])
        .output()
        .unwrap()
        .status
        .success());

    let export = dir.path().join("audit.jsonl");
    let out = with_key(&key)
        .args(["audit", "export", "--out"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&export)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert_eq!(lines[0]["seq"], 1);
    assert!(lines
        .iter()
        .all(|l| l["key_id"].is_string() && l["hash"].is_string()));

    // Another key: the chain does not check, and nothing is written under it.
    let other = dir.path().join("other.key");
    std::fs::write(&other, "11".repeat(32)).unwrap();
    let out = with_key(&other).args(["audit", "verify"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("与本机的审计密钥"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_key(&other)
        .args(["user", "add", "wang", "--role", "党建办"])
        .env("TAIZHANG_USER_PASSWORD", "Cli-pass-12")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("请使用写入本数据库时的审计密钥文件"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No key file at all: named, and no new key made for a chain that has one.
    let missing = dir.path().join("gone.key");
    let out = with_key(&missing)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("找不到审计密钥文件"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!missing.exists());
}

#[test]
fn a_task_list_imports_from_the_command_line_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", dir.path().display());
    let ok = taizhang(&db)
        .args(["--park", "测试园区", "init"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let book = |rows: &[[&str; 4]]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("工作清单").unwrap();
        for (r, row) in [["序号", "任务内容", "责任单位", "完成时限"]]
            .iter()
            .chain(rows)
            .enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    };
    let org = dir.path().join("组织.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("组织架构").unwrap();
    for (c, (head, value)) in [("名称", "园区党工委"), ("类型", "党工委")]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *head).unwrap();
        ws.write_string(1, c as u16, *value).unwrap();
    }
    std::fs::write(&org, wb.save_to_buffer().unwrap()).unwrap();
    let out = taizhang(&db)
        .args(["import", org.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(
        &bad,
        book(&[
            ["1", "党建", "园区党工委", "2025-12-31"],
            ["1.1", "分解", "园区党工委", "不知道"],
        ]),
    )
    .unwrap();
    let out = taizhang(&db)
        .args(["import", bad.to_str().unwrap(), "--task-list", "2025"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("工作清单!D3") && stderr.contains("没有导入任何任务"),
        "{stderr}"
    );
    let good = dir.path().join("good.xlsx");
    std::fs::write(
        &good,
        book(&[
            ["1", "党建", "园区党工委", "2025-12-31"],
            ["1.1", "分解", "园区党工委", "2025-06-30"],
        ]),
    )
    .unwrap();
    let out = taizhang(&db)
        .args(["import", good.to_str().unwrap(), "--task-list", "2025"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2025年工作清单共导入 2 项任务"));
}

#[tokio::test]
async fn report_renders_a_template_saved_on_the_web_by_name_and_version() {
    use crate::helpers::TestApp;
    use crate::web::sign_in;

    let app = TestApp::new().await;
    let b = sign_in(&app, "office").await;
    let csrf = b.csrf().await;
    let source = |n: &str| format!("# {{{{ park }}}}{{{{ year }}}}年简版\n\n{n}正文。\n");
    let first = source("第一版");
    let v1 = b
        .post(
            "/report/templates/new",
            &[
                ("_csrf", &csrf),
                ("name", "简版"),
                ("source", &first),
                ("year", "2024"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(v1.status, axum::http::StatusCode::SEE_OTHER, "{}", v1.body);
    let edit = v1.location.unwrap();
    let edit = edit.split('?').next().unwrap();
    let second = source("第二版");
    let v2 = b
        .post(
            edit,
            &[
                ("_csrf", &csrf),
                ("source", &second),
                ("year", "2024"),
                ("base_version", "1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(v2.status, axum::http::StatusCode::SEE_OTHER, "{}", v2.body);

    let run = |args: &[&str]| app.command().arg("report").args(args).output().unwrap();
    let latest = run(&["--year", "2024", "--saved", "简版"]);
    assert!(
        latest.status.success(),
        "{}",
        String::from_utf8_lossy(&latest.stderr)
    );
    let text = String::from_utf8_lossy(&latest.stdout);
    assert!(
        text.contains("# 测试园区2024年简版") && text.contains("第二版正文。"),
        "{text}"
    );
    let older = run(&["--year", "2024", "--saved", "简版", "--version", "1"]);
    assert!(older.status.success());
    assert!(String::from_utf8_lossy(&older.stdout).contains("第一版正文。"));

    let unknown = run(&["--year", "2024", "--saved", "繁版"]);
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("没有名为“繁版”的已保存模板") && stderr.contains("已保存的模板：简版"),
        "{stderr}"
    );
    let no_such_version = run(&["--year", "2024", "--saved", "简版", "--version", "9"]);
    assert!(!no_such_version.status.success());
    let stderr = String::from_utf8_lossy(&no_such_version.stderr);
    assert!(
        stderr.contains("没有第 9 版") && stderr.contains("第 1 至第 2 版"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.md.j2");
    std::fs::write(&file, "# 文件模板\n").unwrap();
    let both = app
        .command()
        .args(["report", "--year", "2024", "--saved", "简版", "--template"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!both.status.success());
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("只能选一个"),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );
    let bare_version = run(&["--year", "2024", "--version", "1"]);
    assert!(!bare_version.status.success());
    assert!(String::from_utf8_lossy(&bare_version.stderr).contains("--saved"));
}

/// `key init` makes both key files once; a database written under one personal data key file
/// refuses a process with another or with none, before anything is written; `key rotate`
/// changes the key and the old one stays in the file.
#[test]
fn key_init_and_rotate_and_a_missing_or_wrong_key_file_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/keys.db", dir.path().display());
    let audit_key = dir.path().join("audit.key");
    let data_key = dir.path().join("keys").join("data.key");
    let with = |file: &std::path::Path| {
        let mut c = taizhang(&db);
        c.env("TAIZHANG_AUDIT_KEY_FILE", &audit_key)
            .env("TAIZHANG_DATA_KEY_FILE", file);
        c
    };
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).to_string();
    let out = with(&data_key).args(["key", "init"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(data_key.exists() && audit_key.exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("不在数据库备份中"));
    let made = std::fs::read_to_string(&data_key).unwrap();
    let out = with(&data_key).args(["key", "init"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("已存在，不会覆盖"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&data_key).unwrap(), made);

    let out = with(&data_key)
        .args(["--park", "园区", "init"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let audit_entries = || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        })
    };
    let written = audit_entries();

    // Another key file: refused, naming the keys it lacks; nothing written.
    let other = dir.path().join("other.key");
    assert!(with(&other)
        .args(["key", "init"])
        .output()
        .unwrap()
        .status
        .success());
    let out = with(&other)
        .args(["user", "add", "wang", "--role", "党建办"])
        .env("TAIZHANG_USER_PASSWORD", "Cli-pass-12")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("缺少密钥"), "{}", stderr(&out));
    // No file at all: named, and none made.
    let gone = dir.path().join("gone.key");
    let out = with(&gone).args(["user", "list"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("找不到个人数据密钥文件"),
        "{}",
        stderr(&out)
    );
    assert!(!gone.exists());
    assert_eq!(
        audit_entries(),
        written,
        "nothing written by a refused process"
    );

    let out = with(&data_key).args(["key", "rotate"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已启用新的个人数据密钥"));
    let rotated = std::fs::read_to_string(&data_key).unwrap();
    let data_lines = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("data "))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(data_lines(&rotated).len(), 2);
    assert_eq!(data_lines(&rotated)[0], data_lines(&made)[0]);
    assert!(!dir.path().join("keys").join("data.rotating").exists());
    let out = with(&data_key).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
