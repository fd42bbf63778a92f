//! The role × route matrices stay complete: every route the source declares has a row in
//! `pages_matrix.rs` (pages) or `roles_matrix.rs` (the API), so a route added without saying who
//! may call it fails here.

use std::path::{Path, PathBuf};

/// Routes answered the same for everyone, or whose roles another test holds until the matrices
/// send files through the API too, each with that test.
const EXEMPT: [(&str, &str); 14] = [
    (
        "/openapi.json",
        "the API document, open to all (nested under /api/v1)",
    ),
    (
        "/api/v1/plans/{id}/import",
        "tasks::a_task_list_imports_all_or_nothing_with_every_error_named",
    ),
    (
        "/api/v1/plans/{id}/import/errors.xlsx",
        "tasks::a_refused_task_list_offers_a_marked_copy_on_the_page_and_the_api",
    ),
    (
        "/api/v1/task-progress/{id}/attachments",
        "tasks: a task with progress and a file",
    ),
    (
        "/api/v1/task-attachments/{id}",
        "tasks: a task with progress and a file",
    ),
    (
        "/healthz",
        "api_auth::health_check_answers_when_the_database_does",
    ),
    (
        "/static/app.css",
        "served to strangers too (web::pages_carry_security_headers)",
    ),
    ("/static/app.js", "served to strangers too"),
    (
        "/favicon.ico",
        "served to strangers too (web::the_site_has_its_own_icon)",
    ),
    (
        "/login",
        "web::strangers_are_sent_to_the_login_page_which_keeps_the_login_on_error",
    ),
    (
        "/logout",
        "every page's form; pages_matrix signs each role out last",
    ),
    (
        "/api/v1/openapi.json",
        "openapi::every_documented_operation_exists_and_asks_for_a_token",
    ),
    ("/api/v1/session", "api_auth: sign-in and sign-out"),
    (
        "/api/v1/me",
        "api_auth::sign_in_gives_a_token_that_sign_out_revokes",
    ),
];

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The path literals of `.route("…"` (and of the constants some routes are named by).
pub(crate) fn routes_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + 7..];
        let arg = rest.trim_start();
        if let Some(lit) = arg.strip_prefix('"') {
            out.push(lit[..lit.find('"').unwrap()].to_string());
        } else if arg.starts_with("CHANGE_PASSWORD") {
            out.push(taizhang::auth::account_pages::CHANGE_PASSWORD.to_string());
        } else if arg.starts_with("TWO_STEP") {
            out.push(taizhang::web::ui::TWO_STEP.to_string());
        } else if arg.starts_with("SECOND_STEP") {
            out.push(taizhang::web::ui::SECOND_STEP.to_string());
        } else {
            let name: String = arg.chars().take_while(|c| *c != ',').collect();
            panic!("a route named by {name}: teach route_rows.rs its value");
        }
    }
    out
}

/// Every string literal of a matrix that looks like a path, query cut off.
fn paths_in(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(|s| s.split('?').next().unwrap().to_string())
        .collect()
}

/// Whether a declared route (`/records/{id}/edit`) covers a matrix path (`/records/{}/edit`,
/// `/ledger/meeting`).
fn covers(route: &str, path: &str) -> bool {
    let r: Vec<&str> = route.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    r.len() == p.len()
        && r.iter()
            .zip(&p)
            .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
}

#[test]
fn every_route_has_its_row_in_a_matrix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut declared = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let api = file.file_name().is_some_and(|n| n == "api.rs");
        for route in routes_in(&text) {
            declared.push(if api {
                format!("/api/v1{route}")
            } else {
                route
            });
        }
    }
    assert!(declared.len() > 80, "{} routes found", declared.len());
    let matrix =
        |name: &str| paths_in(&std::fs::read_to_string(root.join("tests/it").join(name)).unwrap());
    let pages = matrix("pages_matrix.rs");
    let api = matrix("roles_matrix.rs");
    let missing: Vec<&String> = declared
        .iter()
        .filter(|r| !EXEMPT.iter().any(|(e, _)| e == r))
        .filter(|r| {
            let rows = if r.starts_with("/api/v1") {
                &api
            } else {
                &pages
            };
            !rows.iter().any(|p| covers(r, p))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in pages_matrix.rs / roles_matrix.rs:\n{}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
