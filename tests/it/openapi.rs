//! The OpenAPI document: every documented operation exists, asks for a token (sign-in and the
//! document itself aside), and every path the API answers is documented.

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
