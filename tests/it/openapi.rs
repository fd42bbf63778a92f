//! The OpenAPI document: every documented operation exists and asks for a token (sign-in and the
//! document itself aside), the operations the routers declare are exactly the documented ones,
//! and each operation lists the statuses it can answer.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

fn operations(doc: &Value) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            // Path parameters become a harmless existing-looking id.
            let concrete = path.replace("{id}", "1").replace("{kind}", "meeting");
            out.push((m, concrete));
        }
    }
    out
}

#[tokio::test]
async fn every_documented_operation_exists_and_asks_for_a_token() {
    let app = TestApp::empty().await;
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let ops = operations(&doc);
    assert!(ops.len() >= 35, "{} operations", ops.len());
    for (method, path) in ops {
        let (status, body) = app.call(method.clone(), &path, None, None).await;
        if path == "/api/v1/openapi.json" {
            assert_eq!(status, StatusCode::OK);
            continue;
        }
        if path == "/api/v1/session" && method == Method::POST {
            // Sign-in is open; without a body it is a client error, not a missing route.
            assert!(
                status.is_client_error() && status != StatusCode::NOT_FOUND,
                "{method} {path}: {status}"
            );
            continue;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn undocumented_paths_are_not_answered() {
    let app = TestApp::empty().await;
    let token = app.login("admin").await;
    for path in [
        "/api/v1/secret",
        "/api/v1/records/1/secret",
        "/api/v2/records",
    ] {
        let (status, _) = app.get(&token, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// The operations the API's routers declare, read from the source: each `.route("…", …)` of an
/// `api.rs` with the methods its handler chain names (`get(list).post(create)`).
fn declared_operations() -> std::collections::BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    crate::route_rows::rust_files(&root.join("src"), &mut files);
    let mut out = std::collections::BTreeSet::new();
    for file in files.iter().filter(|f| f.ends_with("api.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + 7..];
            let path = crate::route_rows::routes_in(&format!(".route({rest}"))
                .into_iter()
                .next()
                .unwrap();
            // The handler chain runs to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let chain = &rest[..end];
            for method in ["get", "post", "put", "delete", "patch"] {
                let called = chain.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0 || !chain[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if called {
                    out.insert((method.to_uppercase(), format!("/api/v1{path}")));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_the_api_answers_is_documented_and_no_other() {
    let doc: Value = serde_json::from_str(taizhang::web::openapi::DOCUMENT).unwrap();
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let mut declared = declared_operations();
    // The document itself is served beside the routes.
    declared.insert(("GET".into(), "/api/v1/openapi.json".into()));
    assert!(
        declared.len() > 50,
        "{} operations declared",
        declared.len()
    );
    let undocumented: Vec<_> = declared.difference(&documented).collect();
    let unanswered: Vec<_> = documented.difference(&declared).collect();
    assert!(
        undocumented.is_empty() && unanswered.is_empty(),
        "declared but not documented: {undocumented:?}\ndocumented but not declared: {unanswered:?}"
    );
}

/// Every operation lists the statuses its shape can answer: 401 and 403 when it asks for a
/// token, 400 when it takes anything from the request, 404 when it names a thing, 415 and 422
/// when it reads a JSON body, 413 and 422 for an upload, 503 when the database is busy; the
/// generated requests of `e2e/api_fuzz.sh` hold the document to what the server answers.
#[test]
fn every_operation_documents_the_statuses_its_shape_can_answer() {
    let doc: Value = serde_json::from_str(taizhang::web::openapi::DOCUMENT).unwrap();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let is_in = |place: &str| params.iter().any(|p| p["in"] == place);
            let body = op.get("requestBody").map(|b| &b["content"]);
            let json_body = body.is_some_and(|c| c.get("application/json").is_some());
            let upload = body.is_some_and(|c| c.get("multipart/form-data").is_some());
            let names_a_thing = is_in("path")
                || params.iter().any(|p| {
                    p["in"] == "query"
                        && p["name"]
                            .as_str()
                            .is_some_and(|n| n == "kind" || n.ends_with("_id"))
                });
            let public = op
                .get("security")
                .is_some_and(|s| s == &serde_json::json!([]));
            let mut want = vec!["503"];
            if !public {
                want.extend(["401", "403"]);
            }
            if is_in("path") || is_in("query") || body.is_some() {
                want.push("400");
            }
            if names_a_thing {
                want.push("404");
            }
            if json_body {
                want.extend(["415", "422"]);
            }
            if is_in("query") {
                want.push("422");
            }
            if upload {
                want.extend(["413", "422"]);
            }
            for code in want {
                if !responses.contains_key(code) {
                    missing.push(format!("{method} {path}: {code}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented statuses:\n{}",
        missing.join("\n")
    );
}
