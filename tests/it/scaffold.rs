//! 范文转模板: the `scaffold` command on essays written here (UTF-8 and GBK), its template run
//! through `report`, and the page that highlights placeholders and offers a download.

use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::helpers::form_body as urlencoded;
use crate::helpers::{TestApp, PASSWORD};

/// Phrased unlike the model report: figures before and after their nouns, other unit words.
const ESSAY: &str = "X经开区党工委2024年工作总结\n\
今年党工委专题研究党建工作X次，集体学习重要讲话X篇。\n\
辖区企业中新增X个省级示范党支部，谈心谈话覆盖X人次，廉洁谈话X名干部。\n\
全年走访企业X余次，发放政策宣传资料X万余份，解决企业难题X个。\n\
推动总投资X亿元的XX储能项目开工，坚持以XXX为指导，新增入驻企业X家。\n";

fn scaffold(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .arg("scaffold")
        .args(args)
        .output()
        .unwrap()
}

fn essay_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn json_lists_every_placeholder_in_order_with_its_kind_and_metric() {
    let dir = tempfile::tempdir().unwrap();
    let file = essay_file(&dir, "essay.txt", ESSAY.as_bytes());
    let out = scaffold(&[&file, "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, i64, String, Value)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r.as_object().unwrap().len(), 5, "{r}");
            assert!(r["context"]
                .as_str()
                .unwrap()
                .contains(r["placeholder"].as_str().unwrap()));
            (
                r["placeholder"].as_str().unwrap().to_string(),
                r["line"].as_i64().unwrap(),
                r["kind"].as_str().unwrap().to_string(),
                r["metric"].clone(),
            )
        })
        .collect();
    let m =
        |p: &str, line: i64, id: &str| (p.to_string(), line, "metric".to_string(), Value::from(id));
    let other =
        |p: &str, line: i64, kind: &str| (p.to_string(), line, kind.to_string(), Value::Null);
    assert_eq!(
        got,
        vec![
            other("X经开区", 1, "park"),
            m("X", 2, "party_building_meetings"),
            m("X", 2, "speeches_studied"),
            m("X", 3, "model_branches_province"),
            m("X", 3, "heart_talks"),
            m("X", 3, "integrity_talks"),
            m("X余", 4, "enterprise_visits"),
            m("X万余", 4, "brochures"),
            m("X", 4, "problems_solved"),
            other("X", 5, "project"),
            other("XX", 5, "project"),
            other("XXX", 5, "text"),
            other("X", 5, "metric"),
        ]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("找到占位符 13 个：已绑定 9 个，待处理 4 个"),
        "{stderr}"
    );
}

#[test]
fn a_gbk_essay_becomes_a_template_that_report_renders_once_the_unbound_are_filled() {
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(ESSAY);
    let file = essay_file(&dir, "gbk.txt", &gbk);
    let template = dir.path().join("essay.md.j2");
    let out = scaffold(&[&file, "--out", &template.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(text.starts_with("{{ park }}党工委2024年工作总结"), "{text}");
    assert!(
        text.contains("走访企业{{ m.enterprise_visits | approx }}次"),
        "{text}"
    );
    assert!(
        text.contains("发放政策宣传资料{{ m.brochures | wan(approx=true) }}份"),
        "{text}"
    );
    assert!(text.contains("{# 待填写：文字 #}XXX"), "{text}");

    // A database with a park: the template renders only when no placeholder is left.
    let db = format!("sqlite://{}/s.db", dir.path().display());
    let taizhang = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_taizhang"));
        c.arg("--database-url")
            .arg(&db)
            .env("TAIZHANG_ADMIN_PASSWORD", "Init-pass-123")
            .env_remove("TAIZHANG_PARK");
        c
    };
    let init = taizhang()
        .args(["--park", "样例园区", "init"])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let report = |path: &std::path::Path| {
        taizhang()
            .args(["report", "--year", "2024", "--template"])
            .arg(path)
            .output()
            .unwrap()
    };
    let out = report(&template);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("第5行") && stderr.contains("XXX"),
        "{stderr}"
    );
    assert!(!stderr.contains("第2行"), "bound lines render: {stderr}");

    let filled: String = text.lines().take(4).collect::<Vec<_>>().join("\n");
    let filled_path = dir.path().join("filled.md.j2");
    std::fs::write(&filled_path, filled).unwrap();
    let out = report(&filled_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("样例园区党工委2024年工作总结"), "{md}");
    assert!(md.contains("专题研究党建工作0次"), "{md}");
}

#[test]
fn an_essay_without_placeholders_is_its_own_template_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let essay = "全年工作稳步推进，各项任务圆满完成。\n";
    let file = essay_file(&dir, "plain.txt", essay.as_bytes());
    let out = scaffold(&[&file]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), essay);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有找到占位符"));
}

#[test]
fn bad_input_fails_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let out = scaffold(&[&dir.path().join("none.txt").display().to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法读取范文文件"));

    let file = essay_file(&dir, "essay.txt", ESSAY.as_bytes());
    let out = scaffold(&[&file, "--format", "docx"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("只能是 text 或 json"));

    let file = essay_file(&dir, "binary.txt", &[0xff, 0xfe, 0x00, 0x81, 0xff]);
    let out = scaffold(&[&file]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("编码无法识别"));
}

/// Run in an empty folder, with the two essays of `essays/` (written here in the styles of
/// model-essay sites: spaces around `X`, and `**`, `*.*`, `****` for figures), the scaffold says
/// plainly that it binds to the default metrics, writes no database, and binds the
/// organisation's figures.
#[test]
fn in_an_empty_folder_the_essays_bind_to_the_default_metrics_without_a_database_error() {
    let dir = tempfile::tempdir().unwrap();
    let essays = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/essays");
    let expected: [(&str, &[&str]); 2] = [
        (
            "spaced_x.txt",
            &[
                "party_organizations",
                "party_committees",
                "general_party_branches",
                "party_branches",
                "joint_party_branches",
                "enterprise_party_branches",
                "party_members",
                "members_developed",
                "enterprises_with_party_organization",
            ],
        ),
        (
            "stars.txt",
            &[
                "enterprises_with_party_organization",
                "enterprise_party_branches",
                "joint_party_branches",
                "party_members",
                "members_developed",
            ],
        ),
    ];
    for (essay, org_metrics) in expected {
        let out = Command::new(env!("CARGO_BIN_EXE_taizhang"))
            .current_dir(dir.path())
            .env_remove("TAIZHANG_DATABASE_URL")
            .args(["scaffold", &format!("{essays}/{essay}"), "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{essay}: {stderr}");
        assert!(
            stderr.contains("没有找到数据库文件") && stderr.contains("按系统默认指标绑定"),
            "{essay}: {stderr}"
        );
        assert!(!stderr.contains("未打开数据库"), "{essay}: {stderr}");
        let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
        let bound: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["metric"].as_str())
            .filter(|id| org_metrics.contains(id))
            .collect();
        assert_eq!(bound, org_metrics, "{essay}");
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "the folder stays empty"
    );
}

// ---- the page ----

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let res = taizhang::app::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

/// Signs in through the login form; the session cookie and the page's CSRF token.
async fn sign_in(app: &TestApp, login: &str) -> (String, String) {
    // The admin duties\' second factor (ignored by the other accounts).
    app.forget_spent_code(login).await;
    let code = taizhang::auth::totp::current_code(crate::helpers::TOTP_SECRET, app.state.now());
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(urlencoded(&[
            ("login", login),
            ("password", PASSWORD),
            ("next", "/"),
            ("code", &code),
        ])))
        .unwrap();
    let a = send(app, req).await;
    let cookie = a.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let home = send(
        app,
        Request::get("/")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = home.body.find("name=\"_csrf\" value=\"").unwrap() + 20;
    (cookie, home.body[at..at + 64].to_string())
}

/// A multipart form: (name, file name, bytes).
fn multipart(cookie: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let boundary = "----scaffold-test-boundary";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/report/scaffold")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_page_highlights_placeholders_and_downloads_the_template_with_the_users_choices() {
    let app = TestApp::new().await;
    let (cookie, csrf) = sign_in(&app, "office").await;
    let get = send(
        &app,
        Request::get("/report/scaffold")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(get.status, StatusCode::OK);
    assert!(
        get.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        get.body
    );
    assert!(!get.body.contains("<script>"), "no inline script");

    // The essay as an uploaded GBK file.
    let (gbk, _, _) = encoding_rs::GBK.encode(ESSAY);
    let a = send(
        &app,
        multipart(
            &cookie,
            &[
                ("_csrf", None, csrf.as_bytes()),
                ("essay", None, b""),
                ("file", Some("e.txt"), &gbk),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body
            .contains("共找到占位符 13 个：已绑定 9 个，待处理 4 个"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("class=\"ph ph-bound\" title=\"谈心谈话\""),
        "{}",
        a.body
    );
    assert!(a.body.contains("class=\"ph ph-park\""), "{}", a.body);
    assert!(
        a.body
            .contains("class=\"ph ph-unbound\" title=\"待处理：指标\""),
        "{}",
        a.body
    );
    assert!(a.body.contains("<select name=\"bind_12\""), "{}", a.body);

    // The user binds the last one (新增入驻企业X家) to a metric and downloads.
    let d = send(
        &app,
        Request::post("/report/scaffold/template")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(urlencoded(&[
                ("_csrf", &csrf),
                ("essay", ESSAY),
                ("bind_12", "honors"),
                ("bind_4", ""),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert!(d.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("template.md.j2"));
    assert!(
        d.body.contains("新增入驻企业{{ m.honors }}家"),
        "{}",
        d.body
    );
    assert!(
        d.body.contains("{# 待绑定：选一个指标"),
        "unbound by the user: {}",
        d.body
    );
    assert!(
        d.body
            .contains("集体学习重要讲话{{ m.speeches_studied }}篇"),
        "{}",
        d.body
    );

    let bad = send(
        &app,
        Request::post("/report/scaffold/template")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(urlencoded(&[
                ("_csrf", &csrf),
                ("essay", ESSAY),
                ("bind_1", "nope"),
            ])))
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("没有编号为“nope”的指标"));
}

#[tokio::test]
async fn the_page_refuses_other_roles_missing_csrf_empty_and_oversized_essays() {
    let app = TestApp::new().await;
    let (leader, leader_csrf) = sign_in(&app, "leader").await;
    let get = send(
        &app,
        Request::get("/report/scaffold")
            .header(header::COOKIE, &leader)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(get.status, StatusCode::FORBIDDEN);
    let post = send(
        &app,
        multipart(
            &leader,
            &[
                ("_csrf", None, leader_csrf.as_bytes()),
                ("essay", None, ESSAY.as_bytes()),
            ],
        ),
    )
    .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert!(post.body.contains("仅党建办"), "{}", post.body);

    let (cookie, csrf) = sign_in(&app, "office").await;
    let no_csrf = send(
        &app,
        multipart(&cookie, &[("essay", None, ESSAY.as_bytes())]),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    let empty = send(
        &app,
        multipart(
            &cookie,
            &[("_csrf", None, csrf.as_bytes()), ("essay", None, b"  ")],
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("范文：请粘贴范文"), "{}", empty.body);

    let long = "谈心谈话X人次。".repeat(20_000);
    let too_long = send(
        &app,
        multipart(
            &cookie,
            &[
                ("_csrf", None, csrf.as_bytes()),
                ("essay", None, long.as_bytes()),
            ],
        ),
    )
    .await;
    assert_eq!(too_long.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        too_long.body.contains("范文：内容过长"),
        "{}",
        too_long.body
    );
}
